"""What the search takes and gives back, and its limits."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from finder.listing import SearchHit
from providers.models import PracticeAct
from providers.scope import ActKey

MAX_RADIUS_MILES = 100.0
DEFAULT_RADIUS_MILES = 25.0
# With an origin, a search reaches the nearest providers only; partners sync without one.
COUNT_CAP = 1000


class Ordering:
    DISTANCE = "distance"
    PRICE = "price"
    NAME = "name"
    CHOICES = (DISTANCE, PRICE, NAME)


@dataclass(frozen=True)
class Origin:
    lat: float
    lng: float
    label: str
    radius_miles: float = DEFAULT_RADIUS_MILES


@dataclass(frozen=True)
class SearchFilters:
    profession: str | None = None
    service: str | None = None
    insurance: str | None = None
    accepting_new_patients: bool | None = None
    max_price: Decimal | None = None
    updated_since: datetime | None = None
    language: str | None = None  # ISO 639-1: providers who speak it
    telehealth: bool | None = None  # True: offers it; False: not known to
    accessible: bool | None = None  # True: a wheelchair-accessible entrance; False: not known
    verified_since: date | None = None  # verified on or after this day
    medicare_assignment: str | None = None  # a MedicareAssignment value


@dataclass
class SearchResult:
    count: int
    count_capped: bool
    hits: list[SearchHit]
    page: int
    page_size: int
    acts: Mapping[ActKey, PracticeAct] = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.count

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))


class PageOutOfRange(Exception):
    pass
