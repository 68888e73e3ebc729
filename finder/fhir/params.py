"""Reading a FHIR search's parameters: what each resource type supports, and 400s for the rest.

FHIR lets a server ignore parameters it does not know; this one refuses them instead
(an OperationOutcome naming the parameter and what is supported), so a partner never takes a
filter that did nothing for one that worked. A comma separates alternatives (OR); a
parameter may be given once, except `_lastUpdated` (a range: `ge…` and `lt…`) and `_include`.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Literal

from django.http import QueryDict
from django.utils.dateparse import parse_date, parse_datetime

from finder.fhir import profiles
from finder.fhir.errors import bad_request
from finder.search import MAX_RADIUS_MILES

DEFAULT_COUNT = 20
MAX_COUNT = 100
MAX_OFFSET = 10_000_000
KM_PER_MILE = 1.609344
DEFAULT_NEAR_MILES = 25.0
ID_PATTERN = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

COMMON_PARAMETERS = ("_id", "_lastUpdated", "_count", "_offset", "_format")
TYPE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "Practitioner": ("identifier", "name"),
    "PractitionerRole": ("specialty", "location", "practitioner", "network", "near", "_include"),
    "Location": ("address-postalcode", "address-state", "address-city", "near"),
    "HealthcareService": (),
    "Organization": ("name",),
    "InsurancePlan": ("name",),
}
REPEATABLE = {"_lastUpdated": 2, "_include": 2}
INCLUDES = ("PractitionerRole:practitioner", "PractitionerRole:location")
JSON_FORMATS = ("json", "application/json", profiles.FHIR_MEDIA_TYPE)
DATE_PREFIXES = ("eq", "gt", "ge", "lt", "le")

Comparison = Literal["gte", "lt"]  # Django lookups on the time of change


@dataclass(frozen=True)
class Near:
    lat: float
    lng: float
    radius_miles: float
    unit: str  # "mi" or "km": the unit distances are reported in

    def in_unit(self, miles: float) -> float:
        return round(miles if self.unit == "mi" else miles * KM_PER_MILE, 2)


@dataclass(frozen=True)
class FhirQuery:
    """A valid search: each filter's alternatives (None: not given), paging and includes."""

    resource_type: str
    ids: tuple[str, ...] | None = None
    last_updated: tuple[tuple[Comparison, datetime], ...] = ()
    count: int = DEFAULT_COUNT
    offset: int = 0
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    near: Near | None = None
    includes: tuple[str, ...] = ()


def parse_query(resource_type: str, params: QueryDict) -> FhirQuery:
    """The search `params` ask for; raises FhirError(400) naming every bad parameter."""
    supported = (*COMMON_PARAMETERS, *TYPE_PARAMETERS[resource_type])
    problems: list[str] = []
    values: dict[str, list[str]] = {}
    for name, given in params.lists():
        if name not in supported:
            problems.append(
                f"Unknown search parameter '{name}' for {resource_type}. "
                f"Supported: {', '.join(supported)}."
            )
        elif len(given) > REPEATABLE.get(name, 1):
            problems.append(
                f"Give '{name}' once; separate alternatives with commas "
                f"(e.g. {name}=a,b)." if name not in REPEATABLE else
                f"Give '{name}' at most {REPEATABLE[name]} times."
            )  # fmt: skip
        else:
            values[name] = given
    if problems:
        raise bad_request(*problems)
    readers: dict[str, Callable[[str], Any]] = {
        "_id": read_ids,
        "_count": lambda value: read_int("_count", value, 0, MAX_COUNT),
        "_offset": lambda value: read_int("_offset", value, 0, MAX_OFFSET),
        "_format": read_format,
        "near": read_near,
    }
    parsed: dict[str, Any] = {}
    for name, given in values.items():
        try:
            if name == "_lastUpdated":
                parsed[name] = tuple(
                    comparison for value in given for comparison in read_last_updated(value)
                )
            elif name == "_include":
                parsed[name] = tuple(read_include(value) for value in given)
            elif name in readers:
                parsed[name] = readers[name](given[0])
            else:
                parsed[name] = read_alternatives(name, given[0])
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise bad_request(*problems)
    own = TYPE_PARAMETERS[resource_type]
    return FhirQuery(
        resource_type=resource_type,
        ids=parsed.get("_id"),
        last_updated=parsed.get("_lastUpdated", ()),
        count=parsed.get("_count", DEFAULT_COUNT),
        offset=parsed.get("_offset", 0),
        filters={
            name: value
            for name, value in parsed.items()
            if name in own and name not in ("near", "_include")
        },
        near=parsed.get("near"),
        includes=parsed.get("_include", ()),
    )


def read_alternatives(name: str, value: str) -> tuple[str, ...]:
    alternatives = tuple(part.strip() for part in value.split(","))
    if not all(alternatives):
        raise ValueError(f"'{name}' needs a value (alternatives separated by commas).")
    return alternatives


def read_ids(value: str) -> tuple[str, ...]:
    ids = read_alternatives("_id", value)
    for resource_id in ids:
        if not ID_PATTERN.match(resource_id):
            raise ValueError(f"'_id': '{resource_id}' is not a FHIR id ([A-Za-z0-9-.], 1-64).")
    return ids


def read_int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"'{name}' must be a whole number; got '{value}'.") from None
    if not low <= number <= high:
        raise ValueError(f"'{name}' must be from {low} to {high}; got {number}.")
    return number


def read_format(value: str) -> str:
    if value not in JSON_FORMATS:
        raise ValueError(f"'_format': only JSON is served ({', '.join(JSON_FORMATS)}).")
    return value


def read_include(value: str) -> str:
    if value not in INCLUDES:
        raise ValueError(f"'_include': supported are {', '.join(INCLUDES)}; got '{value}'.")
    return value


def read_last_updated(value: str) -> tuple[tuple[Comparison, datetime], ...]:
    """`[prefix]date-or-instant`: the comparisons with `meta.lastUpdated` it means. A date
    covers its whole day (UTC); an instant needs its time zone (`Z` or an offset)."""
    prefix = value[:2] if value[:2] in DATE_PREFIXES else "eq"
    text = value[2:] if value[:2] in DATE_PREFIXES else value
    start, end = read_moment(text)
    comparisons: dict[str, tuple[tuple[Comparison, datetime], ...]] = {
        "eq": (("gte", start), ("lt", end)),
        "gt": (("gte", end),),
        "ge": (("gte", start),),
        "lt": (("lt", start),),
        "le": (("lt", end),),
    }
    return comparisons[prefix]


def read_moment(text: str) -> tuple[datetime, datetime]:
    """The span [start, end) a date or instant names: a whole day, or one microsecond."""
    problem = (
        f"'_lastUpdated': '{text}' is not a date (2026-11-20) or an instant with its time zone "
        "(2026-11-20T10:00:00Z), after an optional prefix eq, gt, ge, lt or le."
    )
    try:
        day = parse_date(text)
        moment = None if day else parse_datetime(text)
    except ValueError:
        raise ValueError(problem) from None
    if day is not None:
        start = datetime.combine(day, time(), tzinfo=UTC)
        return start, start + timedelta(days=1)
    if moment is None or moment.tzinfo is None:
        raise ValueError(problem)
    return moment, moment + timedelta(microseconds=1)


def read_near(value: str) -> Near:
    """`lat|lng|distance|unit` (FHIR's `near`): distance defaults to 25 miles, its unit to km
    as FHIR says; at most 100 miles."""
    parts = value.split("|")
    if len(parts) < 2 or len(parts) > 4:
        raise ValueError(
            f"'near' must be latitude|longitude|distance|unit (e.g. 30.27|-97.74|10|mi); got "
            f"'{value}'."
        )
    lat = read_float("near latitude", parts[0], -90, 90)
    lng = read_float("near longitude", parts[1], -180, 180)
    unit = parts[3] if len(parts) == 4 and parts[3] else "km"
    if unit not in ("mi", "km", "[mi_i]"):
        raise ValueError(f"'near': the unit must be mi or km; got '{unit}'.")
    unit = "mi" if unit == "[mi_i]" else unit
    if len(parts) >= 3 and parts[2]:
        distance = read_float("near distance", parts[2], 0, math.inf)
        if distance <= 0:
            raise ValueError("'near': the distance must be greater than 0.")
        miles = distance if unit == "mi" else distance / KM_PER_MILE
    else:
        miles = DEFAULT_NEAR_MILES
    if miles > MAX_RADIUS_MILES + 1e-9:
        raise ValueError(
            f"'near': the distance must be at most {MAX_RADIUS_MILES:g} miles "
            f"({MAX_RADIUS_MILES * KM_PER_MILE:.0f} km)."
        )
    return Near(lat=lat, lng=lng, radius_miles=min(miles, MAX_RADIUS_MILES), unit=unit)


def read_float(name: str, text: str, low: float, high: float) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"'{name}' must be a number; got '{text}'.") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"'{name}' must be from {low:g} to {high:g}; got '{text}'.")
    return number


def parse_reference(value: str, resource_type: str) -> str:
    """The id of a reference given as `Type/id`, an absolute URL ending so, or a bare id."""
    tail = value.rstrip("/").rsplit("/", 2)
    if len(tail) >= 2 and tail[-2] == resource_type:
        return tail[-1]
    return value
