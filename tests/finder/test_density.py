"""The density grid that chooses the search's probe radius."""

import math

import pytest

from finder import density
from finder.density import CELLS_PER_DEGREE, MILES_PER_DEGREE, DensityGrid, build_grid, cell_key
from finder.search import Origin, SearchFilters
from finder.search import service as search
from finder.search.service import PROBE_TARGET, probe_radius
from tests.factories import PracticeLocationFactory

CELL_MILES_LAT = MILES_PER_DEGREE / CELLS_PER_DEGREE


def uniform_grid(per_cell: int, lat: float = 40.0, lng: float = -74.0, span: int = 60):
    """`per_cell` locations in every cell of a square around (lat, lng)."""
    centre_lat, centre_lng = int(lat * CELLS_PER_DEGREE), int(lng * CELLS_PER_DEGREE)
    counts = {
        cell_key(centre_lat + i, centre_lng + j): per_cell
        for i in range(-span, span + 1)
        for j in range(-span, span + 1)
    }
    return DensityGrid(counts, built_at=0.0)


def test_a_uniform_grid_estimates_density_times_the_disc_area():
    grid = uniform_grid(100)
    lat = 40.0
    cell_area = CELL_MILES_LAT * CELL_MILES_LAT * math.cos(math.radians(lat))
    for radius in (3.0, 10.0, 25.0):
        expected = 100 / cell_area * math.pi * radius**2
        assert grid.locations_within(lat, -74.0, radius) == pytest.approx(expected, rel=0.02)


def test_the_probe_is_as_small_as_the_density_allows(monkeypatch):
    def radius_with(grid, origin, filters=None):
        monkeypatch.setattr(search, "density_grid", lambda: grid)
        return probe_radius(origin, filters or SearchFilters())

    origin = Origin(40.0, -74.0, "t", 25)
    dense = uniform_grid(3000)
    radius = radius_with(dense, origin)
    assert radius is not None and radius < 8
    assert dense.locations_within(40.0, -74.0, radius) >= PROBE_TARGET
    assert radius_with(uniform_grid(2), origin) is None
    # A filtered search matches fewer locations, so it probes farther (or not at all).
    filtered = radius_with(dense, origin, SearchFilters(service="mobilization"))
    assert filtered is None or filtered > radius
    # No probe reaches past the search's own radius.
    assert radius_with(uniform_grid(20), Origin(40.0, -74.0, "t", 3)) is None


def test_the_probe_is_the_smallest_radius_whose_estimate_is_enough(monkeypatch):
    """The bisection over PROBE_RADII picks what trying each radius in turn would pick."""
    # A city: dense at the centre, thinning out, so each origin needs a different radius.
    centre_lat, centre_lng = 400, -740
    counts = {
        cell_key(centre_lat + i, centre_lng + j): int(4000 / (1 + i * i + j * j))
        for i in range(-40, 41)
        for j in range(-40, 41)
    }
    grid = DensityGrid(counts, built_at=0.0)
    monkeypatch.setattr(search, "density_grid", lambda: grid)
    chosen = set()
    for step in range(0, 40, 2):
        origin = Origin(40.0 + step / CELLS_PER_DEGREE, -74.0, "t", 25)
        enough = [
            radius
            for radius in search.PROBE_RADII
            if grid.locations_within(origin.lat, origin.lng, radius) >= PROBE_TARGET
        ]
        expected = enough[0] if enough else None
        assert probe_radius(origin, SearchFilters()) == expected
        chosen.add(expected)
    assert len(chosen) >= 3  # the city exercises small, large and no probe alike


@pytest.mark.django_db
def test_the_grid_counts_locations_per_cell_including_west_and_south_of_zero():
    PracticeLocationFactory(latitude=30.27, longitude=-97.74)
    PracticeLocationFactory(latitude=30.21, longitude=-97.71)
    PracticeLocationFactory(latitude=-33.86, longitude=151.21)
    grid = build_grid()
    assert grid.counts == {cell_key(302, -978): 2, cell_key(-339, 1512): 1}


@pytest.mark.django_db
def test_processes_share_one_grid_through_the_cache(monkeypatch, django_assert_num_queries):
    PracticeLocationFactory(latitude=30.27, longitude=-97.74)
    first = density.density_grid()  # built (one query) and shared
    density.forget()  # another process, or a recycled worker
    with django_assert_num_queries(0):
        second = density.density_grid()
    assert second.counts == first.counts and second.built_at == first.built_at


@pytest.mark.django_db
def test_a_stale_grid_is_rebuilt_once_and_the_rebuild_reaches_other_processes(monkeypatch):
    clock = [1_000_000.0]
    monotonic = [0.0]
    monkeypatch.setattr(density.time, "time", lambda: clock[0])
    monkeypatch.setattr(density.time, "monotonic", lambda: monotonic[0])
    PracticeLocationFactory(latitude=30.27, longitude=-97.74)
    old = density.density_grid()
    PracticeLocationFactory(latitude=30.28, longitude=-97.74)
    # Within RECHECK_SECONDS this process does not even look at the cache.
    monotonic[0] += 1
    assert density.density_grid() is old
    # Past REFRESH_SECONDS the grid is rebuilt, with the new location, and shared.
    clock[0] += density.REFRESH_SECONDS + 1
    monotonic[0] += density.RECHECK_SECONDS + 1
    new = density.density_grid()
    assert sum(new.counts.values()) == 2 and new.built_at == clock[0]
    # Another process holding the old grid picks the new one up at its next check.
    density._grid = old
    monotonic[0] += density.RECHECK_SECONDS + 1
    assert density.density_grid().built_at == new.built_at


@pytest.mark.django_db
def test_without_a_cache_each_process_builds_its_own(monkeypatch, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    PracticeLocationFactory(latitude=30.27, longitude=-97.74)
    assert sum(density.density_grid().counts.values()) == 1
