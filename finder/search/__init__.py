"""The provider search: `search_providers` and what it takes and gives back.

The search's parts (finder/search/service.py decides which statements to send,
finder/search/sql.py writes them) are imported from their modules; `params` validates a
search's input for the API, the pages and the command, and `cache` keeps their responses.
"""

from finder.listing import SearchHit
from finder.search.service import search_providers
from finder.search.types import (
    COUNT_CAP,
    DEFAULT_RADIUS_MILES,
    MAX_RADIUS_MILES,
    Ordering,
    Origin,
    PageOutOfRange,
    SearchFilters,
    SearchResult,
)

__all__ = [
    "COUNT_CAP",
    "DEFAULT_RADIUS_MILES",
    "MAX_RADIUS_MILES",
    "Ordering",
    "Origin",
    "PageOutOfRange",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "search_providers",
]
