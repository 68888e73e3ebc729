"""Find providers near a point: the one search path behind the API, the pages and the shell.

A search with an origin asks the database for each matching provider's nearest location
(finder/search/sql.py), a slice of them nearest first with how many there are. In a dense
metro the nearest COUNT_CAP providers all lie within a few miles, so a search first tries a
smaller radius (the probe), chosen from the density grid; `nearest_statements` decides which
statements to send, and in which order, and the benchmark times those very statements.
"""

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from django.db.backends.utils import CursorWrapper

from finder.density import density_grid
from finder.listing import SearchHit
from finder.listing_queries import catalogue, listing_builder, load_locations
from finder.raw_sql import read_connection, statement_cursor
from finder.search.filters import filtered_providers
from finder.search.sql import (
    LISTING_START,
    nearest_sql,
    primaries_within_sql,
    slice_facts,
    with_listings_sql,
)
from finder.search.types import (
    COUNT_CAP,
    Ordering,
    Origin,
    PageOutOfRange,
    SearchFilters,
    SearchResult,
)
from finder.search.without_origin import list_without_origin, order_ids
from providers.models import PracticeLocation
from providers.scope import current_practice_acts

# Half-mile steps: whole miles overshot the needed radius by up to a mile, and every extra
# ring is rows PostgreSQL reads and sorts. Measured over the 50 benchmark metros, the probe
# then held 1,189 providers at the least (never too few), and PostgreSQL's CPU per metro
# search fell by a tenth (2.4 -> 2.15 ms).
PROBE_RADII = tuple(step / 2 for step in range(3, 25))  # 1.5, 2.0, ... 12.0 miles
# A probe should hold more locations than the providers it must find: a provider with a second
# location nearby counts twice in the grid, and the dense statement counts primary locations
# only. With the demo generator's data (a fifth of providers with a second location in the
# same metro) a tenth more left 52 of 450 metro searches at 900-990 primaries, each then
# sending a second or third statement (p95 8.1 ms in process); three tenths more settles
# every one with the first (p95 4.2 ms), with the same p50.
PROBE_TARGET = 1.3 * (COUNT_CAP + 1)
FILTERED_SHARE = 0.15  # of all locations, a rough guess at what a filtered search matches
# Where the probe holds more than COUNT_CAP providers, a page's providers come from a smaller
# radius: the smallest of these expected to hold PAGE_SLACK times the providers up to the
# page's end (the grid's estimate runs low near a centre, as above).
PAGE_RADII = (0.5, 0.75, 1.0, 1.25, *PROBE_RADII)
PAGE_SLACK = 2.0


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
        ordered = order_ids(list(by_provider), ordering, filters.service)[start : start + page_size]
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
        locations = {row.location_id: row.location for row in rows if row.location is not None}
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
    With listings, each row's location comes with its provider, plans and prices."""
    connection = read_connection(PracticeLocation)
    statements = nearest_statements(
        origin, filters, acts, offset=offset, limit=limit, with_listings=with_listings
    )
    with statement_cursor(connection) as cursor:
        found, rows = first_settled(cursor, statements)
    build = listing_builder(connection, catalogue()) if with_listings and rows else None
    return Nearest(
        found=found,
        rows=[
            NearestRow(
                provider_id=row[0],
                miles=row[1] / 100,
                location_id=row[2],
                location=build(row[LISTING_START:]) if build else None,
            )
            for row in rows
        ],
    )


@dataclass(frozen=True)
class NearestStatement:
    """A statement of `nearest_statements`: its SQL and parameters, and what settles it."""

    sql: str
    params: list
    radius_miles: float
    end: int  # the slice asked for ends at this provider (offset + limit)
    dense: bool = False  # also counts the primary locations within the probe
    last: bool = False  # within the search's own radius: its answer always stands

    def found(self, rows: Sequence[Sequence]) -> int | None:
        """How many providers the search finds, when these rows of the statement settle it
        (more than COUNT_CAP, and not counted exactly, in a dense area); None when the next
        statement must be sent."""
        found, last_miles, primaries = slice_facts(rows)
        if self.dense:
            if more_than_the_cap(primaries) and page_settles(
                found, last_miles, self.end, self.radius_miles
            ):
                return COUNT_CAP + 1
            return None
        if self.last or probe_settles(found, last_miles, self.radius_miles):
            return found
        return None


def nearest_statements(
    origin: Origin,
    filters: SearchFilters,
    acts,
    *,
    offset: int,
    limit: int,
    with_listings: bool = False,
) -> Iterator[NearestStatement]:
    """The statements a search sends in turn, until one settles it (`first_settled`), for the
    slice [offset, offset + limit) of the matching providers' nearest locations; each is
    built when the one before it has fallen short. With listings, the rows carry what a
    results page shows (finder/search/sql.py `with_listings_sql`).

    1. In a dense area, where the probe should hold more than COUNT_CAP providers: the slice
       from a radius just large enough for it, and "more than COUNT_CAP" from counting the
       providers' primary locations within the probe, a count that needs no grouping and stops
       at the cap (measuring and grouping every location in the probe cost PostgreSQL most of
       a metro search). Both in one statement: the count travels with the slice's rows.
    2. The probe (`probe_radius`), a radius expected to hold more than COUNT_CAP providers.
       Everything outside it is farther than everything inside it, so when it holds that many
       the answer is the same as the full radius's.
    3. The search's own radius.

    The first two are ways to save work: the answer never depends on them.
    """
    vendor = read_connection(PracticeLocation).vendor
    end = offset + limit

    def statement(
        radius: float,
        *,
        side_count: tuple[str, list] | None = None,
        dense: bool = False,
        last: bool = False,
    ) -> NearestStatement:
        sql, params = nearest_sql(
            replace(origin, radius_miles=radius), filters, acts,
            offset=offset, limit=limit, side_count=side_count,
        )  # fmt: skip
        if with_listings:
            sql = with_listings_sql(sql, vendor)
        return NearestStatement(sql, params, radius, end, dense=dense, last=last)

    probe = probe_radius(origin, filters)
    if probe is not None:
        page_radius = dense_page_radius(origin, filters, probe, end)
        if page_radius is not None:
            primaries = primaries_within_sql(
                replace(origin, radius_miles=probe), filters, acts, at_most=COUNT_CAP + 1
            )
            yield statement(page_radius, side_count=primaries, dense=True)
        yield statement(probe)
    yield statement(origin.radius_miles, last=True)


def first_settled(
    cursor: CursorWrapper, statements: Iterable[NearestStatement]
) -> tuple[int, list[tuple]]:
    """Sends `statements` in turn until one settles the search: how many providers it finds,
    and the rows of the statement that settled it."""
    for statement in statements:
        cursor.execute(statement.sql, statement.params)
        rows = cursor.fetchall()
        found = statement.found(rows)
        if found is not None:
            return found, rows
    raise RuntimeError("No statement settled the search; the last one always should.")


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


def more_than_the_cap(primaries: int | None) -> bool:
    """Whether a count of primary locations (finder/search/sql.py `primaries_within_sql`) shows
    more than COUNT_CAP providers. Not more, or not counted (None: the slice had no rows), also
    means "not known": a provider whose primary location is outside the probe (or has no
    coordinates) may still match within it."""
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
