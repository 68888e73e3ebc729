"""The SQL that finds each matching provider's nearest location, per database.

Shape (see docs/performance.md for plans): an indexed bounding box on latitude and longitude
bounds the candidate locations, filtered on the search projection (providers/search_index.py)
from the index alone; great-circle closeness (a dot product of unit vectors) is computed on
that bounded set only; each provider keeps its nearest matching location; a page of results,
with its count, is one statement. Which statements a search sends, at which radii, is decided
in finder/search/service.py.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal

from finder.density import EARTH_RADIUS_MILES
from finder.listing_queries import LOCATION_COLUMNS, PROVIDER_COLUMNS, listing_extras_columns
from finder.raw_sql import read_connection
from finder.search.filters import excluded_states, filtered_providers, flag_filter
from finder.search.types import COUNT_CAP, Origin, SearchFilters
from providers import search_index
from providers.models import InsurancePlan, PracticeLocation, Provider


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


def unit_vector(lat: float, lng: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lng)
    return math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi)


def min_closeness(radius_miles: float) -> float:
    # Within the radius <=> the angle is at most radius / R <=> closeness >= cos(that angle).
    return math.cos(min(math.pi, radius_miles / EARTH_RADIUS_MILES))


# Closeness of the candidate rows (see MEASURED), each provider's nearest location, then the
# requested slice nearest first, with how many providers were found (one pass, no second
# count query). Plain SQL around the candidates (see candidate_locations_sql); the step that
# keeps each provider's nearest location differs by database (see NEAREST_PER_PROVIDER).
# `side_count` is another count the caller needs with the slice (see primaries_within_sql),
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
# Where the listing's own columns start in a row of NEAREST_WITH_LISTINGS_SQL.
LISTING_START = 5
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


def with_listings_sql(nearest: str, vendor: str) -> str:
    """`nearest` (a statement of `nearest_sql`) with each row's listing joined: the location,
    its provider, the provider's plans and prices (finder/listing_queries.py `listing_builder`
    reads them from LISTING_START on), so that a results page takes one statement."""
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
    if filters.language:
        where.append("search_languages LIKE %s")
        params.append(f"%,{filters.language},%")
    if filters.accessible is not None:
        # A location's own column, in the covering index like the projection.
        where.append(
            "wheelchair_accessible = %s"
            if filters.accessible
            else "(wheelchair_accessible IS NULL OR wheelchair_accessible = %s)"
        )
        params.append(filters.accessible)
    if filters.service:
        for profession, bit in search_index.PROFESSION_BITS.items():
            for endorsed, states in excluded_states(filters.service, profession, acts):
                unendorsed = (
                    f" AND (search_flags & {search_index.SPINAL_MANIPULATION_ENDORSED}) = 0"
                    if endorsed is False
                    else ""
                )
                where.append(
                    f"NOT ((search_flags & {bit}) <> 0{unendorsed}"
                    f" AND state IN ({', '.join(['%s'] * len(states))}))"
                )
                params.extend(states)
    if filters.max_price is not None:
        # The entry-level price for the service searched, projected onto the location
        # (providers/search_index.py): a NULL (no such price posted) never matches.
        where.append(f"{search_index.price_column(filters.service)} <= %s")
        params.append(max_price_cents(filters.max_price))
    if (
        filters.updated_since is not None
        or filters.verified_since is not None
        or filters.medicare_assignment
    ):
        # Rare filters on the provider's own row and related records (Medicare
        # participation): checked through the provider table.
        matching = filtered_providers(replace(filters, max_price=None)).values("id")
        provider_sql, provider_params = matching.query.sql_with_params()
        where.append(f"provider_id IN ({provider_sql})")
        params.extend(provider_params)
    if primaries_only:
        where.append("search_primary")
    sql = f"SELECT id, provider_id, unit_x, unit_y, unit_z FROM {location} WHERE " + " AND ".join(
        where
    )
    return sql, params


def max_price_cents(max_price: Decimal) -> int:
    """`max_price` in whole cents, rounded down: prices are whole cents, so a price is at most
    36.999 exactly when it is at most 36.99."""
    return int((max_price * 100).to_integral_value(rounding=ROUND_FLOOR))
