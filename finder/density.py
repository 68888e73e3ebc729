"""Where the listings are: locations counted per 0.1° grid cell, kept per process.

Search uses the grid only to choose how far its first probe reaches (finder/search/service.py),
never for what it returns, so a grid that is a little out of date costs speed, not correctness.

Building it is one GROUP BY over every location (70-140 ms at 300,000), too slow for a request
to pay often, and gunicorn recycles busy workers every few minutes. So the grid is shared
through the cache (Redis in production): one process rebuilds it every REFRESH_SECONDS, the
others load it (a few milliseconds) when a new worker starts or the shared copy moves on.
"""

import itertools
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

from finder.raw_sql import fetch_rows, read_connection
from providers.models import PracticeLocation

logger = logging.getLogger(__name__)

CELLS_PER_DEGREE = 10
REFRESH_SECONDS = 900
RECHECK_SECONDS = 60  # how often a process looks whether the shared grid was rebuilt
CACHE_KEY = f"density-grid:v1:{CELLS_PER_DEGREE}"
EARTH_RADIUS_MILES = 3958.8  # the contract's: every distance the service reports uses it
MILES_PER_DEGREE = math.pi * EARTH_RADIUS_MILES / 180

GRID_SQL = """
SELECT {floor_lat} AS cell_lat, {floor_lng} AS cell_lng, COUNT(*)
FROM {table}
WHERE latitude IS NOT NULL AND longitude IS NOT NULL
GROUP BY 1, 2
"""
# Cell numbers are floors. SQLite may lack FLOOR(), and its CAST truncates towards zero, so
# shift every coordinate positive first; PostgreSQL's CAST rounds, so it uses FLOOR().
FLOORS = {
    "postgresql": ("FLOOR(latitude * {n})::integer", "FLOOR(longitude * {n})::integer"),
    "sqlite": (
        "CAST(latitude * {n} + 1000 AS INTEGER) - 1000",
        "CAST(longitude * {n} + 2000 AS INTEGER) - 2000",
    ),
}


def cell_key(cell_lat: int, cell_lng: int) -> int:
    # One int per cell rather than a tuple: the grid holds tens of thousands of cells in every
    # worker, and this halves its memory.
    return cell_lat * 10_000 + cell_lng


@dataclass(frozen=True)
class DensityGrid:
    counts: dict[int, int]  # cell_key -> locations
    built_at: float  # time.time() of the build, shared between processes

    def locations_within(self, lat: float, lng: float, radius_miles: float) -> float:
        """About how many locations lie within `radius_miles` of (lat, lng): the cells
        overlapping the radius's box, each weighted by its share of the box, times the disc's
        share of the box (π/4)."""
        dlat = radius_miles / MILES_PER_DEGREE
        dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
        south, north = (lat - dlat) * CELLS_PER_DEGREE, (lat + dlat) * CELLS_PER_DEGREE
        west, east = (lng - dlng) * CELLS_PER_DEGREE, (lng + dlng) * CELLS_PER_DEGREE
        west_cell, east_cell = math.floor(west), math.floor(east)
        # A row's inner cells lie wholly inside the box: their counts are summed as they are
        # (in C, through map), and only the two edge cells are weighted. This runs up to ten
        # times a search, so the per-cell work stays out of Python's loop.
        west_share, east_share = west_cell + 1 - west, east - east_cell
        get, zeros = self.counts.get, itertools.repeat(0)
        total = 0.0
        for cell_lat in range(math.floor(south), math.floor(north) + 1):
            lat_share = min(north, cell_lat + 1) - max(south, cell_lat)
            row = cell_key(cell_lat, 0)  # keys are linear in the longitude cell
            if west_cell == east_cell:
                in_row = get(row + west_cell, 0) * (east - west)
            else:
                in_row = (
                    get(row + west_cell, 0) * west_share
                    + sum(map(get, range(row + west_cell + 1, row + east_cell), zeros))
                    + get(row + east_cell, 0) * east_share
                )
            total += in_row * lat_share
        return total * math.pi / 4


_grid: DensityGrid | None = None
_checked_at = 0.0  # time.monotonic() when this process last looked at the shared grid


def density_grid() -> DensityGrid:
    """This process's grid: re-read from the cache every RECHECK_SECONDS, rebuilt when the
    shared one is missing or older than REFRESH_SECONDS."""
    global _grid, _checked_at
    now = time.monotonic()
    if _grid is not None and now - _checked_at < RECHECK_SECONDS:
        return _grid
    _checked_at = now
    if (
        _grid is not None
        and time.time() - _grid.built_at < REFRESH_SECONDS
        and _shared_built_at() in (None, _grid.built_at)
    ):
        return _grid
    shared = _shared_grid()
    # One process rebuilds a stale grid; the others keep using the stale one meanwhile.
    if shared is not None and (
        time.time() - shared.built_at < REFRESH_SECONDS or not _claim_rebuild()
    ):
        _grid = shared
    else:
        _grid = build_grid()
        _share(_grid)
    return _grid


def share_fresh_grid() -> DensityGrid:
    """Builds the grid now and shares it, as the process due to rebuild it would."""
    grid = build_grid()
    _share(grid)
    return grid


def _claim_rebuild() -> bool:
    try:
        return cache.add(f"{CACHE_KEY}:rebuilding", True, timeout=RECHECK_SECONDS)
    except Exception:
        return True


def _shared_built_at() -> float | None:
    try:
        return cache.get(f"{CACHE_KEY}:built_at")
    except Exception:  # the cache is down: keep this process's grid
        logger.warning("Cache unavailable; density grid not rechecked", exc_info=True)
        return None


def _shared_grid() -> DensityGrid | None:
    try:
        shared: tuple[float, dict[int, int]] | None = cache.get(CACHE_KEY)
    except Exception:
        logger.warning("Cache unavailable; density grid built locally", exc_info=True)
        return None
    if shared is None:
        return None
    built_at, counts = shared
    return DensityGrid(counts, built_at)


def _share(grid: DensityGrid) -> None:
    try:
        cache.set_many(
            {CACHE_KEY: (grid.built_at, grid.counts), f"{CACHE_KEY}:built_at": grid.built_at},
            timeout=2 * REFRESH_SECONDS,
        )
    except Exception:
        logger.warning("Cache unavailable; density grid not shared", exc_info=True)


def build_grid() -> DensityGrid:
    connection = read_connection(PracticeLocation)
    floor_lat, floor_lng = FLOORS.get(connection.vendor, FLOORS["sqlite"])
    sql = GRID_SQL.format(
        floor_lat=floor_lat.format(n=CELLS_PER_DEGREE),
        floor_lng=floor_lng.format(n=CELLS_PER_DEGREE),
        table=PracticeLocation._meta.db_table,
    )
    rows = fetch_rows(connection, sql, [])
    return DensityGrid({cell_key(lat, lng): n for lat, lng, n in rows}, time.time())


def forget() -> None:
    """Drop this process's grid (tests: the next search reads or rebuilds it)."""
    global _grid, _checked_at
    _grid, _checked_at = None, 0.0
