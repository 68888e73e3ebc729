"""Find providers near a point: the one search path behind the API, the pages and the shell.

Shape of the query (see docs/performance.md for plans): an indexed bounding box on latitude and
longitude bounds the candidate locations in the database, filtered on the search projection
(providers/search_index.py) from the index alone; great-circle closeness (a dot product of unit
vectors) is computed on that bounded set only; each provider keeps its nearest matching
location; a page of results, with its count, is one statement (in a dense area, a lighter
one: see `nearest_in_dense_area`).
"""

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet

from finder.density import EARTH_RADIUS_MILES, density_grid
from finder.listing import (
    LISTING_EXTRAS_COUNT,
    LOCATION_LISTING_FIELDS,
    PROVIDER_LISTING_FIELDS,
    Catalogue,
    attach_listing_extras,
    catalogue,
    listing_extras_columns,
    set_listing_extras,
)
from finder.rows import ModelColumns, fetch_rows, read_connection
from providers import search_index
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    PracticeLocation,
    Provider,
    ProviderPrice,
    VerificationStatus,
)
from providers.scope import ActKey, current_practice_acts, states_where_prohibited

MAX_RADIUS_MILES = 100.0
DEFAULT_RADIUS_MILES = 25.0
# With an origin, a search reaches the nearest providers only; partners sync without one.
COUNT_CAP = 1000
# Half-mile steps: whole miles would overshoot the needed radius by up to a mile, and every
# extra ring is rows PostgreSQL reads and sorts. Over the 50 benchmark metros at 300,000
# locations the probe still holds at least 1,189 providers: never too few.
PROBE_RADII = tuple(step / 2 for step in range(3, 25))  # 1.5, 2.0, ... 12.0 miles
# A probe should hold a tenth more locations than the providers it must find. Measured at
# 300,000 locations, the grid's estimate near a metro centre runs 20-50% under the actual
# count (cells average out the peak), which more than covers providers with two locations.
PROBE_TARGET = 1.1 * (COUNT_CAP + 1)
FILTERED_SHARE = 0.15  # of all locations, a rough guess at what a filtered search matches
# Where the probe holds more than COUNT_CAP providers, a page's providers come from a smaller
# radius: the smallest of these expected to hold PAGE_SLACK times the providers up to the
# page's end (the grid's estimate runs low near a centre, as above).
PAGE_RADII = (0.5, 0.75, 1.0, 1.25, *PROBE_RADII)
PAGE_SLACK = 2.0


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


@dataclass(frozen=True)
class SearchHit:
    provider: Provider
    location: PracticeLocation | None
    distance_miles: float | None


@dataclass
class SearchResult:
    count: int
    count_capped: bool
    hits: list[SearchHit]
    page: int
    page_size: int
    acts: dict[ActKey, object] = field(default_factory=dict)

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


@dataclass(frozen=True)
class BoundingBox:
    lat_min: float
    lat_max: float
    # Longitude ranges as (west, east) pairs; two pairs when the box crosses the antimeridian,
    # none when it spans every longitude (near a pole or a huge radius).
    lng_ranges: tuple[tuple[float, float], ...]


def bounding_box(lat: float, lng: float, radius_miles: float) -> BoundingBox:
    """The smallest lat/lng box holding every point within `radius_miles` of (lat, lng).

    Uses the spherical-cap formula (angular radius r/R): exact for the sphere, so no point
    inside the radius is ever cut, including across the antimeridian and near the poles.
    """
    angular = radius_miles / EARTH_RADIUS_MILES
    dlat = math.degrees(angular)
    lat_min, lat_max = lat - dlat, lat + dlat
    if lat_max >= 90 or lat_min <= -90:
        return BoundingBox(max(lat_min, -90), min(lat_max, 90), ())
    dlng = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(math.radians(lat)))))
    west, east = lng - dlng, lng + dlng
    if dlng >= 180:
        return BoundingBox(lat_min, lat_max, ())
    if west < -180:
        return BoundingBox(lat_min, lat_max, ((west + 360, 180.0), (-180.0, east)))
    if east > 180:
        return BoundingBox(lat_min, lat_max, ((west, 180.0), (-180.0, east - 360)))
    return BoundingBox(lat_min, lat_max, ((west, east),))


def manipulation_price_subquery():
    return (
        ProviderPrice.objects.filter(provider=OuterRef("pk"), procedure__is_manipulation=True)
        .values("provider")
        .annotate(low=Min("cash_price"))
        .values("low")
    )


def filtered_providers(filters: SearchFilters) -> QuerySet[Provider]:
    """Public providers matching every filter (location and scope aside)."""
    providers = Provider.objects.exclude(verification_status=VerificationStatus.SUSPENDED)
    if filters.profession:
        providers = providers.filter(profession=filters.profession)
    if filters.service:
        providers = providers.filter(**{SERVICE_FIELDS[filters.service]: True})
    if filters.accepting_new_patients is not None:
        providers = providers.filter(accepting_new_patients=filters.accepting_new_patients)
    if filters.insurance:
        # By plan id, so each check is one lookup in the (provider, plan) unique index instead
        # of a join through every plan the provider accepts.
        plan_id = InsurancePlan.objects.filter(slug=filters.insurance).values("id")[:1]
        providers = providers.filter(insurance_plans__id=plan_id)
    if filters.max_price is not None:
        providers = providers.filter(
            Exists(
                ProviderPrice.objects.filter(
                    provider=OuterRef("pk"),
                    procedure__is_manipulation=True,
                    cash_price__lte=filters.max_price,
                )
            )
        )
    if filters.updated_since is not None:
        providers = providers.filter(updated_at__gte=filters.updated_since)
    return providers


def in_scope_locations(filters: SearchFilters, acts) -> Q:
    """Excludes locations where the state's act prohibits the requested service."""
    q = Q()
    if not filters.service:
        return q
    for profession in ("chiropractor", "physical_therapist"):
        states = states_where_prohibited(filters.service, profession, acts)
        if states:
            q &= ~Q(provider__profession=profession, state__in=sorted(states))
    return q


def search_providers(
    *,
    origin: Origin | None,
    filters: SearchFilters,
    ordering: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchResult:
    """Providers matching `filters`, nearest first within `origin.radius_miles` when given.

    Distances are great-circle miles rounded to 2 decimals, ties broken by provider id. With an
    origin, only the nearest COUNT_CAP providers are reachable and `count` is capped there.
    Without one, every matching provider is listed by name (the partners' sync list).
    Raises PageOutOfRange for a page past the last one.
    """
    acts = current_practice_acts()
    if origin is None:
        return list_without_origin(
            filtered_providers(filters), filters, acts, ordering, page, page_size
        )

    start = (page - 1) * page_size
    if page > 1 and start >= COUNT_CAP:
        raise PageOutOfRange(page)
    if ordering in (Ordering.PRICE, Ordering.NAME):
        # Price and name order the nearest COUNT_CAP providers, so all of them are needed.
        nearest = nearest_locations(origin, filters, acts, offset=0, limit=COUNT_CAP)
        by_provider = {row.provider_id: row for row in nearest.rows}
        ordered = order_ids(list(by_provider), ordering)[start : start + page_size]
        rows = [by_provider[provider_id] for provider_id in ordered]
        locations = load_locations([row.location_id for row in rows])
    else:
        # The page's listings (locations, providers, plans, prices) come back with the nearest
        # rows themselves: one statement for the page.
        limit = min(page_size, COUNT_CAP - start)
        nearest = nearest_locations(
            origin, filters, acts, offset=start, limit=limit, with_listings=True
        )
        rows = nearest.rows
        locations = {row.location_id: row.location for row in rows}
    if page > 1 and not rows:
        raise PageOutOfRange(page)
    hits = [
        SearchHit(
            provider=locations[row.location_id].provider,
            location=locations[row.location_id],
            distance_miles=row.miles,
        )
        for row in rows
    ]
    count = min(nearest.found, COUNT_CAP)
    return SearchResult(count, nearest.found > COUNT_CAP, hits, page, page_size, acts)


class NearestRow(NamedTuple):
    provider_id: int
    miles: float
    location_id: int
    location: PracticeLocation | None = None  # with its provider, when asked for listings


@dataclass(frozen=True)
class Nearest:
    found: int  # providers within the radius (all of them, or more than COUNT_CAP)
    rows: list[NearestRow]  # the requested slice, nearest first
    side_count: int | None = None  # the count asked for alongside, when the slice has rows

    @property
    def last_miles(self) -> float | None:
        """The distance of the slice's last row, which decides whether a radius settles it."""
        return self.rows[-1].miles if self.rows else None


# Closeness of the candidate rows (see MEASURED), each provider's nearest location, then the
# requested slice nearest first, with how many providers were found (one pass, no second
# count query). Plain SQL around the candidates (see candidate_locations_sql); the step that
# keeps each provider's nearest location differs by database (see NEAREST_PER_PROVIDER).
# `side_count` is another count the caller needs with the slice (see nearest_in_dense_area),
# or NULL: an uncorrelated subquery, run once, in the same round trip.
NEAREST_SQL = """
SELECT provider_id, {hundredths} AS hundredths, id, COUNT(*) OVER () AS found,
       {side_count} AS side_count
FROM (
    {nearest_per_provider}
) nearest
ORDER BY hundredths, provider_id
LIMIT %s OFFSET %s
"""
# Results are ordered by the distance a partner sees, in hundredths of a mile, then by
# provider id (the contract's "2 decimals; ties by id"): ordering by the exact distance put a
# higher id first between two results showing the same distance. The database rounds, and
# the result shows the database's value, so the order and the figures always agree. Only the
# providers' nearest rows are measured this way, never every candidate.
HUNDREDTHS_OF_A_MILE = (
    f"ROUND({EARTH_RADIUS_MILES * 100!r} * ACOS(CASE WHEN closeness > 1 THEN 1 ELSE closeness END))"
)
# The same with each row's location and provider joined on, for a results page: a page is
# one statement instead of two (joining after the LIMIT touches only the page's rows).
NEAREST_WITH_LISTINGS_SQL = """
SELECT n.provider_id, n.hundredths, n.id, n.found, n.side_count, {extras},
       {location_columns}, {provider_columns}
FROM ({nearest}) n
JOIN {location_table} l ON l.id = n.id
JOIN {provider_table} p ON p.id = n.provider_id
ORDER BY n.hundredths, n.provider_id
"""
# Closeness is the dot product of unit vectors (PracticeLocation.unit_x/y/z): the cosine of
# the angle between the points, larger when nearer, with no trigonometry per row. Miles are
# worked out only for each provider's nearest row (see HUNDREDTHS_OF_A_MILE).
MEASURED = """
    SELECT c.id, c.provider_id, c.unit_x * %s + c.unit_y * %s + c.unit_z * %s AS closeness
    FROM ({candidates}) c
"""
NEAREST_PER_PROVIDER = {
    # DISTINCT ON sorts once (a window function sorted and then scanned again: ≈1 ms more in a
    # dense metro); OFFSET 0 keeps PostgreSQL from computing the distance twice per row.
    "postgresql": """
        SELECT DISTINCT ON (provider_id) provider_id, closeness, id
        FROM ({measured} OFFSET 0) measured
        WHERE closeness >= %s
        ORDER BY provider_id, closeness DESC, id
    """,
    "sqlite": """
        SELECT provider_id, closeness, id FROM (
            SELECT provider_id, id, closeness, ROW_NUMBER() OVER (
                       PARTITION BY provider_id ORDER BY closeness DESC, id
                   ) AS nearest_rank
            FROM ({measured}) measured
            WHERE closeness >= %s
        ) ranked
        WHERE nearest_rank = 1
    """,
}


def nearest_locations(
    origin: Origin,
    filters: SearchFilters,
    acts,
    *,
    offset: int,
    limit: int,
    with_listings: bool = False,
) -> Nearest:
    """Each matching provider's nearest location within the radius: the slice
    [offset, offset + limit) of them nearest first (ties by provider id), and how many there are.

    In a dense metro the nearest COUNT_CAP providers all lie within a few miles: a probe at a
    smaller radius (see `probe_radius`) finds them while measuring a fraction of the box.
    Everything outside the probe is farther than everything inside it, so when the probe holds
    more than COUNT_CAP providers the answer is the same; otherwise the full radius is searched.
    Where the probe is expected to hold that many, a lighter statement is tried first
    (`nearest_in_dense_area`).
    """
    probe = probe_radius(origin, filters)
    if probe is not None:
        dense = nearest_in_dense_area(
            origin, filters, acts, probe, offset=offset, limit=limit, with_listings=with_listings
        )
        if dense is not None:
            return dense
    for radius in radii_from(origin, probe):
        found = nearest_within(
            replace(origin, radius_miles=radius), filters, acts,
            offset=offset, limit=limit, with_listings=with_listings,
        )  # fmt: skip
        if probe_settles(found.found, found.last_miles, radius):
            break
    return found


def probe_settles(found: int, last_miles: float | None, radius: float) -> bool:
    """Whether a search within `radius` that found `found` providers, the last row of its
    slice at `last_miles`, gives the same slice as any larger radius.

    It must hold more than COUNT_CAP providers, so that the count is capped either way; and the
    slice must end short of the edge (`ends_inside`).
    """
    return found > COUNT_CAP and (last_miles is None or ends_inside(last_miles, radius))


def ends_inside(last_miles: float, radius: float) -> bool:
    """Whether a slice whose last row is at `last_miles` is the same within any larger radius:
    a provider just outside could round to the same hundredth as the last row and come first
    by id, and 0.01 mile covers the rounding."""
    return last_miles < radius - 0.01


def nearest_in_dense_area(
    origin: Origin,
    filters: SearchFilters,
    acts,
    probe: float,
    *,
    offset: int,
    limit: int,
    with_listings: bool = False,
) -> Nearest | None:
    """Where the `probe` should hold more than COUNT_CAP providers: the slice from a radius just
    large enough for it, and "more than COUNT_CAP" from counting the providers' primary
    locations within the probe, a count that needs no grouping and stops at the cap. Measuring
    and grouping every location in the probe cost PostgreSQL most of a metro search. Both in
    one statement: the count travels with the slice's rows (a round trip fewer per search).

    None when the area is not that dense, or either part falls short; the caller then
    searches as usual. Like the probe, a way to save work: the answer never depends on it.
    """
    page_radius = dense_page_radius(origin, filters, probe, offset + limit)
    if page_radius is None:
        return None
    page = nearest_within(
        replace(origin, radius_miles=page_radius), filters, acts,
        offset=offset, limit=limit, with_listings=with_listings,
        side_count=primaries_within_sql(
            replace(origin, radius_miles=probe), filters, acts, at_most=COUNT_CAP + 1
        ),
    )  # fmt: skip
    if not more_than_the_cap(page.side_count):
        return None
    if not page_settles(page.found, page.last_miles, offset + limit, page_radius):
        return None
    return Nearest(found=COUNT_CAP + 1, rows=page.rows)


def more_than_the_cap(primaries: int | None) -> bool:
    """Whether a count of primary locations (PRIMARIES_WITHIN_SQL) shows more than COUNT_CAP
    providers. Not more, or not counted (None: the slice had no rows), also means "not
    known": a provider whose primary location is outside the probe (or has no coordinates)
    may still match within it."""
    return primaries is not None and primaries > COUNT_CAP


def page_settles(found: int, last_miles: float | None, end: int, radius: float) -> bool:
    """Whether a slice ending at provider number `end`, from a search within `radius` that
    found `found` providers, the last row of the slice at `last_miles`, is complete and the
    same within any larger radius."""
    return found >= end and last_miles is not None and ends_inside(last_miles, radius)


def dense_page_radius(
    origin: Origin, filters: SearchFilters, probe: float, end: int
) -> float | None:
    """The smallest of PAGE_RADII under the probe expected to hold PAGE_SLACK times `end` matching
    locations; None when only the probe itself is (a page deep into the results)."""
    return smallest_radius_holding(
        origin, filters, [radius for radius in PAGE_RADII if radius < probe], PAGE_SLACK * end
    )


# Providers (at most a limit) whose primary location is a candidate within the radius: a
# lower bound of the providers a search finds there, enough to tell "more than COUNT_CAP".
PRIMARIES_WITHIN_SQL = """
(SELECT COUNT(*) FROM (
    SELECT 1 FROM ({candidates}) c
    WHERE c.unit_x * %s + c.unit_y * %s + c.unit_z * %s >= %s
    LIMIT %s
) primaries)
"""


def primaries_within_sql(
    origin: Origin, filters: SearchFilters, acts, *, at_most: int
) -> tuple[str, list]:
    candidates_sql, candidates_params = candidate_locations_sql(
        bounding_box(origin.lat, origin.lng, origin.radius_miles),
        filters,
        acts,
        primaries_only=True,
    )
    params = [
        *candidates_params,
        *unit_vector(origin.lat, origin.lng),
        min_closeness(origin.radius_miles),
        at_most,
    ]
    return PRIMARIES_WITHIN_SQL.format(candidates=candidates_sql), params


def radii_from(origin: Origin, probe: float | None) -> list[float]:
    """The radii a search tries in turn: the probe (if any), then the search's own radius."""
    return [origin.radius_miles] if probe is None else [probe, origin.radius_miles]


def probe_radius(origin: Origin, filters: SearchFilters) -> float | None:
    """The smallest of PROBE_RADII expected to hold PROBE_TARGET matching locations, from the
    density grid; None when none is (a sparse area, or a rare filter), so the full radius is
    searched at once. A heuristic for speed only: the answer never depends on it."""
    smaller = [radius for radius in PROBE_RADII if radius < origin.radius_miles]
    return smallest_radius_holding(origin, filters, smaller, PROBE_TARGET)


def smallest_radius_holding(
    origin: Origin, filters: SearchFilters, radii: list[float], target: float
) -> float | None:
    """The smallest of `radii` (ascending) within which the density grid expects `target`
    locations matching `filters`; None when none is."""
    grid = density_grid()
    share = 1.0 if filters == SearchFilters() else FILTERED_SHARE

    def enough(radius: float) -> bool:
        return grid.locations_within(origin.lat, origin.lng, radius) * share >= target

    # The estimate grows with the radius, so a bisection finds the smallest one that is enough
    # in 3-4 estimates rather than up to 9 (a rural origin tried them all).
    index = bisect.bisect_left(radii, True, key=enough)
    return radii[index] if index < len(radii) else None


def nearest_within(
    origin: Origin,
    filters: SearchFilters,
    acts,
    *,
    offset: int,
    limit: int,
    with_listings: bool = False,
    side_count: tuple[str, list] | None = None,
) -> Nearest:
    sql, params = nearest_sql(
        origin, filters, acts, offset=offset, limit=limit, side_count=side_count
    )
    connection = read_connection(PracticeLocation)
    if with_listings:
        sql = with_listings_sql(sql, connection.vendor)
    rows = fetch_rows(connection, sql, params)
    build = listing_builder(connection, catalogue()) if with_listings and rows else None
    found, _, side_count = slice_facts(rows)
    return Nearest(
        found=found,
        rows=[
            NearestRow(
                provider_id=row[0],
                miles=row[1] / 100,
                location_id=row[2],
                location=build(row[5:]) if build else None,
            )
            for row in rows
        ],
        side_count=side_count,
    )


def with_listings_sql(nearest: str, vendor: str) -> str:
    """`nearest` (a statement of `nearest_sql`) with each row's listing joined: the location,
    its provider, the provider's plans and prices (`listing_builder` reads them), so that a
    results page takes one statement."""
    return NEAREST_WITH_LISTINGS_SQL.format(
        nearest=nearest,
        extras=listing_extras_columns(
            vendor, "p", provider_id="n.provider_id", projected_plans="l.search_plans"
        ),
        location_columns=LOCATION_COLUMNS.sql,
        provider_columns=PROVIDER_COLUMNS.sql,
        location_table=PracticeLocation._meta.db_table,
        provider_table=Provider._meta.db_table,
    )


def slice_facts(rows: Sequence[Sequence]) -> tuple[int, float | None, int | None]:
    """From rows of NEAREST_SQL: how many providers were found, the miles of the slice's last
    row, and the side count (the last two None for an empty slice)."""
    if not rows:
        return 0, None, None
    return rows[0][3], rows[-1][1] / 100, rows[0][4]


def unit_vector(lat: float, lng: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lng)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def nearest_sql(
    origin: Origin,
    filters: SearchFilters,
    acts,
    *,
    offset: int = 0,
    limit: int = COUNT_CAP + 1,
    side_count: tuple[str, list] | None = None,
) -> tuple[str, list]:
    """NEAREST_SQL around the candidate locations, with its parameters; `side_count` is a
    scalar subquery (SQL and parameters) whose value each row carries."""
    side_sql, side_params = side_count or ("NULL", [])
    candidates_sql, candidates_params = candidate_locations_sql(
        bounding_box(origin.lat, origin.lng, origin.radius_miles), filters, acts
    )
    vendor = read_connection(PracticeLocation).vendor
    measured = MEASURED.format(candidates=candidates_sql)
    per_provider = NEAREST_PER_PROVIDER.get(vendor, NEAREST_PER_PROVIDER["sqlite"])
    sql = NEAREST_SQL.format(
        nearest_per_provider=per_provider.format(measured=measured),
        hundredths=HUNDREDTHS_OF_A_MILE,
        side_count=side_sql,
    )
    params = [
        *side_params,  # the select list comes before the FROM clause
        *unit_vector(origin.lat, origin.lng),
        *candidates_params,
        min_closeness(origin.radius_miles), limit, offset,
    ]  # fmt: skip
    return sql, params


def min_closeness(radius_miles: float) -> float:
    # Within the radius <=> the angle is at most radius / R <=> closeness >= cos(that angle).
    return math.cos(min(math.pi, radius_miles / EARTH_RADIUS_MILES))


def candidate_locations_sql(
    box: BoundingBox, filters: SearchFilters, acts, *, primaries_only: bool = False
) -> tuple[str, list]:
    """Locations in the box whose provider matches the filters (only each provider's primary
    location, if asked), as SQL and parameters.

    Written by hand over the search projection (providers/search_index.py) rather than built
    by the ORM: every common filter is a test on columns of the covering coordinates index, so
    PostgreSQL answers from the index alone, and compiling an ORM query cost about as much as
    running this one.
    """
    location = PracticeLocation._meta.db_table
    where = ["latitude >= %s", "latitude <= %s"]
    params: list = [box.lat_min, box.lat_max]
    if box.lng_ranges:
        where.append(
            "(" + " OR ".join("(longitude >= %s AND longitude <= %s)" for _ in box.lng_ranges) + ")"
        )
        params.extend(value for pair in box.lng_ranges for value in pair)
    mask, value = flag_filter(filters)
    where.append("(search_flags & %s) = %s")
    params.extend([mask, value])
    if filters.insurance:
        plan_id = f"(SELECT id FROM {InsurancePlan._meta.db_table} WHERE slug = %s)"
        through = Provider.insurance_plans.through._meta.db_table
        where.append(
            f"(search_plans LIKE '%%,' || {plan_id} || ',%%'"
            f" OR (search_plans = %s AND provider_id IN"
            f" (SELECT provider_id FROM {through} WHERE insuranceplan_id = {plan_id})))"
        )
        params.extend([filters.insurance, search_index.MANY_PLANS, filters.insurance])
    if filters.service:
        for profession, bit in search_index.PROFESSION_BITS.items():
            states = sorted(states_where_prohibited(filters.service, profession, acts))
            if states:
                where.append(
                    f"NOT ((search_flags & {bit}) <> 0"
                    f" AND state IN ({', '.join(['%s'] * len(states))}))"
                )
                params.extend(states)
    if filters.max_price is not None or filters.updated_since is not None:
        # Rare filters on the provider's own rows: checked through the provider table.
        matching = filtered_providers(filters).values("id")
        provider_sql, provider_params = matching.query.sql_with_params()
        where.append(f"provider_id IN ({provider_sql})")
        params.extend(provider_params)
    if primaries_only:
        where.append("search_primary")
    sql = f"SELECT id, provider_id, unit_x, unit_y, unit_z FROM {location} WHERE " + " AND ".join(
        where
    )
    return sql, params


def flag_filter(filters: SearchFilters) -> tuple[int, int]:
    """(mask, value) such that a location matches when `search_flags & mask == value`."""
    mask = value = search_index.LISTED
    if filters.profession:
        bits = search_index.PROFESSION_BITS[filters.profession]
        mask, value = mask | bits, value | bits
    if filters.service:
        bit = search_index.SERVICE_BITS[filters.service]
        mask, value = mask | bit, value | bit
    if filters.accepting_new_patients is not None:
        mask |= search_index.ACCEPTING_NEW_PATIENTS
        if filters.accepting_new_patients:
            value |= search_index.ACCEPTING_NEW_PATIENTS
    return mask, value


def order_ids(provider_ids: list[int], ordering: str) -> list[int]:
    rows = Provider.objects.filter(id__in=provider_ids)
    if ordering == Ordering.PRICE:
        rows = rows.annotate(low=manipulation_price_subquery()).order_by(
            F("low").asc(nulls_last=True), "id"
        )
    else:
        rows = rows.order_by("last_name", "first_name", "id")
    return list(rows.values_list("id", flat=True))


def list_without_origin(
    providers: QuerySet[Provider], filters, acts, ordering, page: int, page_size: int
) -> SearchResult:
    providers = (
        providers.filter(
            Exists(
                PracticeLocation.objects.filter(
                    in_scope_locations(filters, acts), provider=OuterRef("pk")
                )
            )
        )
        if filters.service
        else providers
    )
    if ordering == Ordering.PRICE:
        providers = providers.annotate(low=manipulation_price_subquery()).order_by(
            F("low").asc(nulls_last=True), "id"
        )
    else:
        providers = providers.order_by("last_name", "first_name", "id")
    count = providers.count()
    start = (page - 1) * page_size
    if page > 1 and start >= count:
        raise PageOutOfRange(page)
    page_ids = list(providers.values_list("id", flat=True)[start : start + page_size])
    loaded = load_providers(page_ids)
    first_locations = first_location_by_provider(page_ids)
    hits = [
        SearchHit(provider=loaded[pid], location=first_locations.get(pid), distance_miles=None)
        for pid in page_ids
    ]
    return SearchResult(count, False, hits, page, page_size, acts)


def load_providers(ids: Iterable[int]) -> dict[int, Provider]:
    """Providers with everything a listing shows, in three queries."""
    providers = list(Provider.objects.filter(id__in=list(ids)))
    attach_listing_extras(providers)
    return {provider.id: provider for provider in providers}


LOCATION_COLUMNS = ModelColumns(PracticeLocation, "l", only=LOCATION_LISTING_FIELDS)
PROVIDER_COLUMNS = ModelColumns(Provider, "p", only=PROVIDER_LISTING_FIELDS)
LOCATION_PROVIDER = PracticeLocation._meta.get_field("provider")


def load_locations(ids: list[int]) -> dict[int, PracticeLocation]:
    """Locations with their providers and everything a listing shows, in three queries."""
    if not ids:
        return {}
    connection = read_connection(PracticeLocation)
    extras = listing_extras_columns(connection.vendor, "p", "l.provider_id", "l.search_plans")
    sql = (
        f"SELECT {extras}, {LOCATION_COLUMNS.sql}, {PROVIDER_COLUMNS.sql}"
        f" FROM {PracticeLocation._meta.db_table} l"
        f" JOIN {Provider._meta.db_table} p ON p.id = l.provider_id"
        f" WHERE l.id IN ({', '.join(['%s'] * len(ids))})"
    )
    build = listing_builder(connection, catalogue())
    locations = {}
    for row in fetch_rows(connection, sql, ids):
        location = build(row)
        locations[location.id] = location
    return locations


def listing_builder(connection, names: Catalogue) -> Callable[[Sequence], PracticeLocation]:
    """A function building, from a row of `listing_extras_columns`, LOCATION_COLUMNS and
    PROVIDER_COLUMNS, a location with its provider and the provider's plans and prices."""
    build_location = LOCATION_COLUMNS.builder(connection)
    build_provider = PROVIDER_COLUMNS.builder(connection)
    split = LISTING_EXTRAS_COUNT + len(LOCATION_COLUMNS)

    def build(row: Sequence) -> PracticeLocation:
        location = build_location(row[LISTING_EXTRAS_COUNT:split])
        provider = build_provider(row[split:])
        # As select_related() attaches a row's related instance (its provider_id is a column
        # already): the descriptor's assignment also asks the database routers, on every row.
        LOCATION_PROVIDER.set_cached_value(location, provider)
        set_listing_extras(provider, row[:LISTING_EXTRAS_COUNT], names)
        return location

    return build


def first_location_by_provider(provider_ids: list[int]) -> dict[int, PracticeLocation]:
    first: dict[int, PracticeLocation] = {}
    for location in PracticeLocation.objects.filter(provider_id__in=provider_ids).order_by("id"):
        first.setdefault(location.provider_id, location)
    return first
