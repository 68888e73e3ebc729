"""Addresses for synthetic listings that agree with themselves: a pin, the ZIP whose centroid it
sits next to, that ZIP's city and state, and a phone number of that state.

A location is drawn as a point scattered around an anchor ZIP; the ZIP whose centroid is
nearest that point becomes the location's ZIP (so listings spread over a metro area's real
ZIPs, as densely as its ZIPs lie), and the pin is put within PIN_MILES of that centroid. A pin
so placed is always within 3 miles of its ZIP's centroid, the rule the demo data is tested
against, and never in a lake or the sea far from any ZIP.
"""

import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from providers.area_codes import AREA_CODES_BY_STATE
from providers.geo import Place

CELL_DEGREES = 0.05  # grid cells of about 3.5 x 2.6 miles
SEARCH_RINGS = 8  # rings of cells read around a point's own: about 28 miles north and south
PIN_MILES = 0.75
MILES_PER_DEGREE_LATITUDE = 69.0
STREETS = [
    "Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "Lake Rd", "Pine St",
    "Washington Ave", "Church St", "Center St", "Highland Ave", "Mill Rd", "River Rd",
]  # fmt: skip


@dataclass(frozen=True)
class DemoAddress:
    street: str
    city: str
    state: str
    zip_code: str
    phone: str
    latitude: float
    longitude: float


class ZipGrid:
    """ZIP centroids bucketed by grid cell, to find the ZIP nearest a point."""

    def __init__(self, zips: dict[str, Place], codes: Iterable[str]) -> None:
        self.zips = zips
        # (latitude, longitude, ZIP) by cell: plain tuples, read thousands of times a second.
        self.cells: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
        for code in codes:
            place = zips[code]
            self.cells.setdefault(cell(place.lat, place.lng), []).append(
                (place.lat, place.lng, code)
            )

    def nearest(self, lat: float, lng: float) -> str | None:
        """The ZIP whose centroid is nearest (lat, lng) within SEARCH_RINGS cells; None out at
        sea or across a border with no indexed ZIP near.

        Rings of cells outwards from the point's own, until every cell that could hold a
        nearer centroid has been read: a few dozen ZIPs, even in Manhattan."""
        row, column = cell(lat, lng)
        scale = math.cos(math.radians(lat))  # a degree of longitude is this many of latitude
        best_distance, best = math.inf, None
        for ring in range(SEARCH_RINGS + 1):
            for key in ring_cells(row, column, ring):
                for zip_lat, zip_lng, code in self.cells.get(key, ()):
                    distance = (zip_lat - lat) ** 2 + (scale * (zip_lng - lng)) ** 2
                    if distance < best_distance:
                        best_distance, best = distance, code
            # Every point within `ring` cells of the point's cell has been read: a nearer
            # centroid could only lie farther out than that.
            if best_distance <= (ring * CELL_DEGREES * scale) ** 2:
                break
        return best


def ring_cells(row: int, column: int, ring: int) -> Iterator[tuple[int, int]]:
    """The cells `ring` steps from (row, column): the border of a square (itself for 0)."""
    if ring == 0:
        yield row, column
        return
    for step in range(-ring, ring + 1):
        yield row - ring, column + step
        yield row + ring, column + step
    for step in range(-ring + 1, ring):
        yield row + step, column - ring
        yield row + step, column + ring


def cell(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lng / CELL_DEGREES)


def draw_address(rng: random.Random, grid: ZipGrid, zip_code: str) -> DemoAddress:
    """An address in `zip_code`: a street, the ZIP's city and state, a pin within PIN_MILES of
    its centroid and a phone number with one of the state's area codes.

    The number is in 555-0100 to 555-0199, which the numbering plan keeps for fiction: a demo
    listing can never ring anyone."""
    place = grid.zips[zip_code]
    latitude, longitude = near(rng, place.lat, place.lng, PIN_MILES)
    area_code = rng.choice(AREA_CODES_BY_STATE[place.state])
    return DemoAddress(
        street=f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
        city=place.city,
        state=place.state,
        zip_code=zip_code,
        phone=f"{area_code}-555-{rng.randint(100, 199):04d}",
        latitude=latitude,
        longitude=longitude,
    )


def near(rng: random.Random, lat: float, lng: float, miles: float) -> tuple[float, float]:
    """A point uniformly distributed within `miles` of (lat, lng), to 6 decimals (about 4 in)."""
    distance = miles * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    d_lat = distance * math.cos(bearing) / MILES_PER_DEGREE_LATITUDE
    d_lng = distance * math.sin(bearing) / (MILES_PER_DEGREE_LATITUDE * math.cos(math.radians(lat)))
    return round(lat + d_lat, 6), round(lng + d_lng, 6)
