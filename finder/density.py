"""Where the listings are: locations counted per 0.1° grid cell, kept per process.

Search uses the grid only to choose how far its first probe reaches (finder/search.py), never
for what it returns, so a grid that is a little out of date costs speed, not correctness. It is
rebuilt by the first search after REFRESH_SECONDS (one GROUP BY over the coordinates, tens of
milliseconds at 300,000 locations).
"""

import math
import time
from dataclasses import dataclass

from finder.rows import fetch_rows, read_connection
from providers.models import PracticeLocation

CELLS_PER_DEGREE = 10
REFRESH_SECONDS = 900
EARTH_RADIUS_MILES = 3958.8
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
    built_at: float

    def locations_within(self, lat: float, lng: float, radius_miles: float) -> float:
        """About how many locations lie within `radius_miles` of (lat, lng): the cells
        overlapping the radius's box, each weighted by its share of the box, times the disc's
        share of the box (π/4)."""
        dlat = radius_miles / MILES_PER_DEGREE
        dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
        south, north = (lat - dlat) * CELLS_PER_DEGREE, (lat + dlat) * CELLS_PER_DEGREE
        west, east = (lng - dlng) * CELLS_PER_DEGREE, (lng + dlng) * CELLS_PER_DEGREE
        total = 0.0
        for cell_lat in range(math.floor(south), math.floor(north) + 1):
            lat_share = min(north, cell_lat + 1) - max(south, cell_lat)
            for cell_lng in range(math.floor(west), math.floor(east) + 1):
                count = self.counts.get(cell_key(cell_lat, cell_lng))
                if count:
                    lng_share = min(east, cell_lng + 1) - max(west, cell_lng)
                    total += count * lat_share * lng_share
        return total * math.pi / 4


_grid: DensityGrid | None = None


def density_grid() -> DensityGrid:
    global _grid
    if _grid is None or time.monotonic() - _grid.built_at > REFRESH_SECONDS:
        _grid = build_grid()
    return _grid


def build_grid() -> DensityGrid:
    connection = read_connection(PracticeLocation)
    floor_lat, floor_lng = FLOORS.get(connection.vendor, FLOORS["sqlite"])
    sql = GRID_SQL.format(
        floor_lat=floor_lat.format(n=CELLS_PER_DEGREE),
        floor_lng=floor_lng.format(n=CELLS_PER_DEGREE),
        table=PracticeLocation._meta.db_table,
    )
    rows = fetch_rows(connection, sql, [])
    return DensityGrid({cell_key(lat, lng): n for lat, lng, n in rows}, time.monotonic())


def forget() -> None:
    """Drop this process's grid (tests: the next search rebuilds it)."""
    global _grid
    _grid = None
