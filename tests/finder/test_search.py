"""search_providers against a brute-force oracle, plus its edge cases and filters."""

import math
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from geopy.distance import great_circle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finder.listing import provider_summary
from finder.medicare_listing import attach_medicare
from finder.search import (
    COUNT_CAP,
    Origin,
    PageOutOfRange,
    SearchFilters,
    search_providers,
)
from finder.search import service as search
from finder.search.sql import bounding_box
from providers.models import PracticeLocation, Profession, Provider, Scope, VerificationStatus
from providers.search_index import refresh_search_index
from tests.factories import (
    InsurancePlanFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db

EARTH_RADIUS_MILES = 3958.8
# Clusters chosen for the hard cases: the antimeridian (Aleutians), Hawaii, Alaska, Texas.
CLUSTERS = [(51.88, 179.6), (51.88, -179.6), (21.3, -157.85), (61.2, -149.9), (30.27, -97.74)]


def oracle(origin: Origin, providers=None) -> list[tuple[int, float]]:
    """Every public provider whose nearest location is within the radius, nearest first by
    the distance shown (2 decimals), ties by id."""
    best: dict[int, float] = {}
    locations = PracticeLocation.objects.exclude(
        provider__verification_status=VerificationStatus.SUSPENDED
    )
    for location in locations:
        # geopy treats `radius` as kilometres; `.km` then reads back in the radius's unit.
        miles = great_circle(
            (origin.lat, origin.lng),
            (location.latitude, location.longitude),
            radius=EARTH_RADIUS_MILES,
        ).km
        if miles <= origin.radius_miles:
            best[location.provider_id] = min(miles, best.get(location.provider_id, miles))
    return sorted(best.items(), key=lambda item: (round(item[1], 2), item[0]))


def all_pages(origin: Origin, filters: SearchFilters | None = None, ordering=None):
    hits, page = [], 1
    while True:
        result = search_providers(
            origin=origin, filters=filters or SearchFilters(), ordering=ordering,
            page=page, page_size=100,
        )  # fmt: skip
        hits.extend(result.hits)
        if not result.has_next:
            return result, hits
        page += 1


@pytest.fixture
def scattered(db):
    rng = random.Random(20261127)
    for _ in range(160):
        provider = ProviderFactory()
        for _ in range(rng.choice([1, 1, 2])):
            lat, lng = rng.choice(CLUSTERS)
            lng = ((lng + rng.uniform(-0.6, 0.6) + 180) % 360) - 180
            PracticeLocationFactory(
                provider=provider, latitude=lat + rng.uniform(-0.4, 0.4), longitude=lng
            )
    ProviderFactory(verification_status=VerificationStatus.SUSPENDED).locations.create(
        address_line1="x", city="Austin", state="TX", zip_code="78701",
        latitude=30.27, longitude=-97.74,
    )  # fmt: skip


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cluster=st.sampled_from(CLUSTERS),
    dlat=st.floats(-0.5, 0.5),
    dlng=st.floats(-0.8, 0.8),
    radius=st.floats(0.5, 100),
)
def test_it_matches_the_brute_force_oracle(scattered, cluster, dlat, dlng, radius):
    lng = ((cluster[1] + dlng + 180) % 360) - 180
    origin = Origin(cluster[0] + dlat, lng, "test", radius)
    expected = oracle(origin)
    _, hits = all_pages(origin)
    got = [(hit.provider.id, hit.distance_miles) for hit in hits]
    # Ignore providers within a hair of the boundary, where float rounding may differ.
    boundary = {pid for pid, miles in expected if abs(miles - radius) < 1e-6}
    assert [pid for pid, _ in got if pid not in boundary] == [
        pid for pid, _ in expected if pid not in boundary
    ]
    for (_, miles), (_, expected_miles) in zip(got, expected, strict=False):
        assert miles == pytest.approx(round(expected_miles, 2), abs=0.011)


def test_radius_boundary_is_inclusive_up_to_the_radius(db):
    origin = Origin(30.0, -97.0, "test", 10)
    inside = PracticeLocationFactory(latitude=30.0 + 9.99 / 69.093, longitude=-97.0).provider
    PracticeLocationFactory(latitude=30.0 + 10.01 / 69.093, longitude=-97.0)
    result = search_providers(origin=origin, filters=SearchFilters())
    assert [hit.provider for hit in result.hits] == [inside]
    assert result.hits[0].distance_miles == pytest.approx(9.99, abs=0.01)


def test_a_provider_with_two_locations_appears_once_at_the_nearest(db):
    far = PracticeLocationFactory(latitude=30.10, longitude=-97.0)
    near = PracticeLocationFactory(provider=far.provider, latitude=30.01, longitude=-97.0)
    result = search_providers(origin=Origin(30.0, -97.0, "t", 25), filters=SearchFilters())
    assert len(result.hits) == 1
    assert result.hits[0].location == near
    assert result.count == 1


def test_it_finds_providers_across_the_antimeridian(db):
    east = PracticeLocationFactory(latitude=51.88, longitude=-179.95).provider
    west = PracticeLocationFactory(latitude=51.88, longitude=179.95).provider
    result = search_providers(origin=Origin(51.88, 179.99, "Adak", 25), filters=SearchFilters())
    assert {hit.provider for hit in result.hits} == {east, west}
    assert result.hits[0].provider == west


def test_bounding_box_splits_at_the_antimeridian_and_opens_at_the_poles():
    box = bounding_box(51.88, 179.99, 25)
    assert len(box.lng_ranges) == 2
    assert box.lng_ranges[0][1] == 180.0 and box.lng_ranges[1][0] == -180.0
    assert bounding_box(89.9, 0, 25).lng_ranges == ()


def test_ties_are_broken_by_provider_id(db):
    first = PracticeLocationFactory(latitude=30.05, longitude=-97.0).provider
    second = PracticeLocationFactory(latitude=30.05, longitude=-97.0).provider
    result = search_providers(origin=Origin(30.0, -97.0, "t", 25), filters=SearchFilters())
    assert [hit.provider.id for hit in result.hits] == sorted([first.id, second.id])


def test_it_excludes_suspended_providers(world):
    result = search_providers(origin=Origin(30.2651, -97.7441, "t", 25), filters=SearchFilters())
    assert world["suspended"] not in [hit.provider for hit in result.hits]
    assert world["in_range"] in [hit.provider for hit in result.hits]
    assert world["outside"] not in [hit.provider for hit in result.hits]


@pytest.fixture
def filter_world(db):
    plan = InsurancePlanFactory(slug="aetna-ppo")
    procedure = ProcedureFactory()
    chiro = PracticeLocationFactory(
        latitude=30.01, longitude=-97.0, provider__last_name="Zed"
    ).provider
    chiro.insurance_plans.add(plan)
    ProviderPriceFactory(provider=chiro, procedure=procedure, cash_price=Decimal("45.00"))
    pt = PracticeLocationFactory(
        latitude=30.02, longitude=-97.0, provider__last_name="Abe",
        provider__profession=Profession.PHYSICAL_THERAPIST, provider__credential="DPT",
        provider__offers_spinal_manipulation=False, provider__offers_mobilization=True,
        provider__accepting_new_patients=False,
    ).provider  # fmt: skip
    manual_therapy = ProcedureFactory(code="97140", label="Manual therapy")
    ProviderPriceFactory(provider=pt, procedure=manual_therapy, cash_price=Decimal("30.00"))
    return {"chiro": chiro, "pt": pt, "origin": Origin(30.0, -97.0, "t", 25)}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(profession="physical_therapist"), ["pt"]),
        (SearchFilters(profession="chiropractor"), ["chiro"]),
        (SearchFilters(service="spinal_manipulation"), ["chiro"]),
        (SearchFilters(service="mobilization"), ["pt"]),
        (SearchFilters(insurance="aetna-ppo"), ["chiro"]),
        (SearchFilters(accepting_new_patients=False), ["pt"]),
        (SearchFilters(accepting_new_patients=True), ["chiro"]),
        (SearchFilters(max_price=Decimal("30.00")), ["pt"]),
        (SearchFilters(max_price=Decimal("29.99")), []),
        (SearchFilters(max_price=Decimal("50")), ["chiro", "pt"]),
    ],
)
def test_each_filter(filter_world, filters, expected):
    result = search_providers(origin=filter_world["origin"], filters=filters)
    assert [hit.provider for hit in result.hits] == [filter_world[key] for key in expected]


def test_updated_since_filter(filter_world):
    cutoff = timezone.now() + timedelta(seconds=1)
    Provider.objects.filter(pk=filter_world["pt"].pk).update(
        updated_at=cutoff + timedelta(minutes=5)
    )
    result = search_providers(origin=None, filters=SearchFilters(updated_since=cutoff))
    assert [hit.provider for hit in result.hits] == [filter_world["pt"]]


@pytest.mark.parametrize(
    ("ordering", "expected"), [("distance", ["chiro", "pt"]), ("price", ["pt", "chiro"]),
                               ("name", ["pt", "chiro"]), (None, ["chiro", "pt"])],
)  # fmt: skip
def test_orderings_with_an_origin(filter_world, ordering, expected):
    result = search_providers(
        origin=filter_world["origin"], filters=SearchFilters(), ordering=ordering
    )
    assert [hit.provider for hit in result.hits] == [filter_world[key] for key in expected]


def test_without_an_origin_it_lists_everyone_by_name(filter_world):
    result = search_providers(origin=None, filters=SearchFilters())
    assert [hit.provider for hit in result.hits] == [filter_world["pt"], filter_world["chiro"]]
    assert all(hit.distance_miles is None for hit in result.hits)
    assert result.hits[0].location.city == "Austin"


def test_a_prohibited_scope_hides_the_provider_for_that_service_only(db, prohibiting_act):
    pt = PracticeLocationFactory(
        state="WY", zip_code="82001", latitude=41.14, longitude=-104.82,
        provider__profession=Profession.PHYSICAL_THERAPIST,
        provider__offers_spinal_manipulation=True, provider__offers_mobilization=True,
    ).provider  # fmt: skip
    origin = Origin(41.14, -104.82, "Cheyenne", 25)
    spinal = search_providers(origin=origin, filters=SearchFilters(service="spinal_manipulation"))
    assert spinal.hits == []
    assert (
        search_providers(origin=None, filters=SearchFilters(service="spinal_manipulation")).hits
        == []
    )
    mobilization = search_providers(origin=origin, filters=SearchFilters(service="mobilization"))
    assert [hit.provider for hit in mobilization.hits] == [pt]


def test_a_service_search_lists_a_pt_in_an_endorsement_state_only_with_the_endorsement(db):
    PracticeActFactory(
        state="WA", profession=Profession.PHYSICAL_THERAPIST,
        spinal_manipulation=Scope.REQUIRES_ENDORSEMENT,
    )  # fmt: skip
    endorsed, not_endorsed = (
        PracticeLocationFactory(
            state="WA", zip_code="98101", latitude=47.61, longitude=-122.33 + offset,
            provider__profession=Profession.PHYSICAL_THERAPIST,
            provider__spinal_manipulation_endorsed=held,
        ).provider
        for offset, held in ((0.0, True), (0.01, False))
    )  # fmt: skip
    seattle = Origin(47.61, -122.33, "Seattle", 25)
    for origin in (seattle, None):  # the nearest-locations SQL and the partners' list alike
        spinal = search_providers(
            origin=origin, filters=SearchFilters(service="spinal_manipulation")
        )
        assert [hit.provider for hit in spinal.hits] == [endorsed]
        anything = search_providers(origin=origin, filters=SearchFilters())
        assert {hit.provider for hit in anything.hits} == {endorsed, not_endorsed}


def test_count_is_capped_at_the_nearest_thousand(db):
    providers = Provider.objects.bulk_create(
        ProviderFactory.build(npi=f"1{i:08d}0"[:10]) for i in range(COUNT_CAP + 5)
    )
    PracticeLocation.objects.bulk_create(
        PracticeLocationFactory.build(provider=p, latitude=30 + i * 1e-5, longitude=-97)
        for i, p in enumerate(providers)
    )
    refresh_search_index()  # bulk_create sends no signals, as in an import
    result = search_providers(
        origin=Origin(30, -97, "t", 25), filters=SearchFilters(), page=10, page_size=100
    )
    assert result.count == COUNT_CAP
    assert result.count_capped is True
    assert not result.has_next
    assert result.hits[-1].provider == providers[COUNT_CAP - 1]
    with pytest.raises(PageOutOfRange):
        search_providers(
            origin=Origin(30, -97, "t", 25), filters=SearchFilters(), page=11, page_size=100
        )


def test_the_cap_is_exact_when_the_nearest_thousand_reach_past_the_probe(db):
    near = Provider.objects.bulk_create(
        ProviderFactory.build(npi=f"1{i:08d}0"[:10]) for i in range(600)
    )
    far = Provider.objects.bulk_create(
        ProviderFactory.build(npi=f"2{i:08d}0"[:10]) for i in range(600)
    )
    PracticeLocation.objects.bulk_create(
        [PracticeLocationFactory.build(provider=p, latitude=30.001, longitude=-97) for p in near]
        + [PracticeLocationFactory.build(provider=p, latitude=30.29, longitude=-97) for p in far]
    )
    refresh_search_index()
    result = search_providers(
        origin=Origin(30, -97, "t", 25), filters=SearchFilters(), page=7, page_size=100
    )
    assert result.count == COUNT_CAP
    assert result.count_capped is True
    assert {hit.provider.id for hit in result.hits} <= {p.id for p in far}
    first = search_providers(origin=Origin(30, -97, "t", 25), filters=SearchFilters())
    assert {hit.provider.id for hit in first.hits} <= {p.id for p in near}


@pytest.mark.parametrize("size", [20, 100])
def test_a_page_costs_a_constant_number_of_queries(db, django_assert_num_queries, size):
    plan = InsurancePlanFactory()
    procedure = ProcedureFactory()
    for i in range(size):
        location = PracticeLocationFactory(latitude=30 + i * 1e-4, longitude=-97)
        location.provider.insurance_plans.add(plan)
        ProviderPriceFactory(provider=location.provider, procedure=procedure)

    # acts, the density grid and the plan and procedure names (the first search of the test),
    # then one statement: the nearest locations with their providers, plans, prices and
    # Medicare assignments (too few nearby for a probe). Building every listing reads no column
    # the statement left out. Then Medicare: the procedures' coverage and national amounts and
    # the ZIP map (each read once until the listings change; no locality is mapped here, so no
    # locality amounts are read).
    def search_page() -> list:
        result = search_providers(
            origin=Origin(30, -97, "t", 25), filters=SearchFilters(), page_size=size
        )
        attach_medicare((hit.provider, hit.location) for hit in result.hits)
        return [provider_summary(hit, result.acts, str) for hit in result.hits]

    with django_assert_num_queries(7):
        listings = search_page()
    # Then each page: the statement alone.
    with django_assert_num_queries(1):
        assert search_page() == listings
    assert len(listings) == size
    assert all(len(item["insurance_plans"]) == 1 for item in listings)
    assert all(len(item["prices"]) == 1 for item in listings)
    assert all(item["location"]["address"] for item in listings)


MILES_PER_DEGREE_LAT = 2 * math.pi * EARTH_RADIUS_MILES / 360


def provider_north_of(origin: Origin, miles: float):
    return PracticeLocationFactory(
        latitude=origin.lat + miles / MILES_PER_DEGREE_LAT, longitude=origin.lng
    ).provider


def test_equal_distances_as_shown_are_ordered_by_id(db):
    """The contract: distances in 2 decimals, ties by id. A partner sees 5.00 twice and
    expects the lower id first, even when the higher id is a few feet nearer."""
    origin = Origin(30.0, -97.0, "t", 25)
    farther_by_a_hair = provider_north_of(origin, 5.004)
    nearer = provider_north_of(origin, 5.001)
    result = search_providers(origin=origin, filters=SearchFilters())
    assert [(hit.provider, hit.distance_miles) for hit in result.hits] == [
        (farther_by_a_hair, 5.0),
        (nearer, 5.0),
    ]


def test_a_probe_does_not_settle_when_a_tie_may_lie_just_outside_it(db, monkeypatch):
    """A provider just outside the probe can show the same distance as the probe's last
    rows and, with a lower id, rank before them: the full radius is searched then."""
    origin = Origin(30.0, -97.0, "t", 25)
    outside = provider_north_of(origin, 2.002)  # created first: the lowest id
    inside = [provider_north_of(origin, miles) for miles in (0.5, 0.8, 1.2, 1.997, 1.999)]
    monkeypatch.setattr(search, "COUNT_CAP", 4)  # the 2-mile probe holds 5: "enough"
    monkeypatch.setattr(search, "probe_radius", lambda origin, filters: 2.0)
    result = search_providers(origin=origin, filters=SearchFilters(), page_size=4)
    assert [hit.provider for hit in result.hits] == [*inside[:3], outside]
    assert [hit.distance_miles for hit in result.hits] == [0.5, 0.8, 1.2, 2.0]


@pytest.mark.parametrize("forced", [None, 0.5, 2.0, 8.0, 30.0])
def test_the_answer_does_not_depend_on_the_probe_radius(scattered, monkeypatch, forced):
    """probe_radius only saves work: a probe that holds too few providers falls back to the
    full radius, and one that holds enough gives the same nearest providers."""
    origin = Origin(51.88, 179.9, "t", 60)
    unprobed = [(h.provider.id, h.distance_miles) for h in all_pages(origin)[1]]
    monkeypatch.setattr(search, "COUNT_CAP", 5)  # so that small probes can hold enough
    capped = search_providers(origin=origin, filters=SearchFilters(), page_size=5)
    monkeypatch.setattr(search, "probe_radius", lambda origin, filters: forced)
    probed = search_providers(origin=origin, filters=SearchFilters(), page_size=5)
    assert [(h.provider.id, h.distance_miles) for h in probed.hits] == unprobed[:5]
    assert (probed.count, probed.count_capped) == (capped.count, capped.count_capped) == (5, True)


def force_dense_path(monkeypatch, cap: int, probe: float, page_radius: float) -> None:
    """Makes every search try the dense-area path with these radii (the density grid of a
    test database never expects enough providers for it)."""
    monkeypatch.setattr(search, "COUNT_CAP", cap)
    monkeypatch.setattr(search, "probe_radius", lambda origin, filters: probe)
    monkeypatch.setattr(search, "dense_page_radius", lambda *args: page_radius)


@pytest.mark.parametrize(
    ("probe", "page_radius"), [(8.0, 0.5), (8.0, 2.0), (30.0, 8.0), (2.0, 1.0)]
)
@pytest.mark.parametrize("filters", [SearchFilters(), SearchFilters(profession="chiropractor")])
def test_the_answer_does_not_depend_on_the_dense_area_path(
    scattered, monkeypatch, probe, page_radius, filters
):
    """Counting primaries and paging from a smaller radius only saves work: where either falls
    short the search runs as usual, and where both hold the answer is the same."""
    origin = Origin(51.88, 179.9, "t", 60)
    monkeypatch.setattr(search, "COUNT_CAP", 8)
    expected = [
        search_providers(origin=origin, filters=filters, page=page, page_size=3) for page in (1, 2)
    ]
    force_dense_path(monkeypatch, 8, probe, page_radius)
    for page, want in zip((1, 2), expected, strict=True):
        got = search_providers(origin=origin, filters=filters, page=page, page_size=3)
        assert [(h.provider.id, h.distance_miles) for h in got.hits] == [
            (h.provider.id, h.distance_miles) for h in want.hits
        ]
        assert (got.count, got.count_capped) == (want.count, want.count_capped)


def test_the_dense_area_path_answers_a_metro_page_with_one_light_statement(
    db, monkeypatch, django_assert_num_queries
):
    origin = Origin(30.0, -97.0, "t", 25)
    providers = [provider_north_of(origin, 0.1 * step) for step in range(1, 13)]
    force_dense_path(monkeypatch, cap=5, probe=2.0, page_radius=0.45)
    search_providers(origin=origin, filters=SearchFilters(), page_size=3)  # warm: acts, names
    with django_assert_num_queries(1) as captured:
        result = search_providers(origin=origin, filters=SearchFilters(), page_size=3)
    assert "search_primary" in captured.captured_queries[0]["sql"]
    assert [hit.provider for hit in result.hits] == providers[:3]
    assert (result.count, result.count_capped) == (5, True)


def test_a_provider_with_many_locations_counts_once_towards_the_cap(db, monkeypatch):
    origin = Origin(30.0, -97.0, "t", 25)
    chain = provider_north_of(origin, 0.1)
    for miles in (0.2, 0.3, 0.4):
        PracticeLocationFactory(
            provider=chain,
            latitude=origin.lat + miles / MILES_PER_DEGREE_LAT,
            longitude=origin.lng,
        )
    others = [provider_north_of(origin, miles) for miles in (0.5, 0.6)]
    force_dense_path(monkeypatch, cap=3, probe=2.0, page_radius=1.0)
    result = search_providers(origin=origin, filters=SearchFilters(), page_size=2)
    assert (result.count, result.count_capped) == (3, False)  # 3 providers, 6 locations
    assert [hit.provider for hit in result.hits] == [chain, others[0]]


def test_a_provider_whose_primary_lies_outside_the_probe_is_still_counted(db, monkeypatch):
    origin = Origin(30.0, -97.0, "t", 25)
    far_first = provider_north_of(origin, 5.0)  # its primary: the first location
    PracticeLocationFactory(
        provider=far_first, latitude=origin.lat + 0.2 / MILES_PER_DEGREE_LAT, longitude=origin.lng
    )
    near = [provider_north_of(origin, miles) for miles in (0.3, 0.4, 0.5)]
    force_dense_path(monkeypatch, cap=3, probe=2.0, page_radius=1.0)
    result = search_providers(origin=origin, filters=SearchFilters(), page_size=2)
    # Only 3 primaries inside the probe: not "more than 3", so the count is made exactly.
    assert (result.count, result.count_capped) == (3, True)
    assert [hit.provider for hit in result.hits] == [far_first, near[0]]
    assert result.hits[0].distance_miles == 0.2


def test_a_dense_page_does_not_settle_when_a_tie_may_lie_just_outside_it(db, monkeypatch):
    origin = Origin(30.0, -97.0, "t", 25)
    outside = provider_north_of(origin, 1.002)  # created first: the lowest id
    inside = [provider_north_of(origin, miles) for miles in (0.5, 0.8, 0.997, 0.999)]
    [provider_north_of(origin, miles) for miles in (1.5, 1.6)]
    force_dense_path(monkeypatch, cap=5, probe=2.0, page_radius=1.0)
    result = search_providers(origin=origin, filters=SearchFilters(), page_size=3)
    assert [hit.provider for hit in result.hits] == [inside[0], inside[1], outside]
    assert [hit.distance_miles for hit in result.hits] == [0.5, 0.8, 1.0]


@pytest.fixture
def priced_world(db):
    """A chiropractor whose 1-2 region price is $99 though its 3-4 region price is $40, and a
    PT whose manual therapy (97140) is $50: each profession's entry-level codes differ."""
    codes = {
        code: ProcedureFactory(code=code, label=code)
        for code in ("98940", "98941", "98943", "97140")
    }
    chiro = PracticeLocationFactory(
        latitude=30.01, longitude=-97.0,
        provider__offers_extremity_manipulation=True, provider__offers_mobilization=True,
    ).provider  # fmt: skip
    pt = PracticeLocationFactory(
        latitude=30.02, longitude=-97.0,
        provider__profession=Profession.PHYSICAL_THERAPIST,
        provider__offers_extremity_manipulation=True, provider__offers_mobilization=True,
    ).provider  # fmt: skip
    for provider, prices in (
        (chiro, {"98940": "99", "98941": "40", "98943": "30", "97140": "60"}),
        (pt, {"97140": "50"}),
    ):
        for code, price in prices.items():
            ProviderPriceFactory(provider=provider, procedure=codes[code], cash_price=price)
    return {"chiro": chiro, "pt": pt}


@pytest.mark.parametrize("origin", [Origin(30.0, -97.0, "t", 25), None])
@pytest.mark.parametrize(
    ("service", "max_price", "matched", "by_price"),
    [
        # No service, or spinal manipulation: 98940 for a chiropractor, 97140 for a PT.
        (None, "50", ["pt"], ["pt", "chiro"]),
        ("spinal_manipulation", "98.99", ["pt"], ["pt", "chiro"]),
        ("spinal_manipulation", "99", ["chiro", "pt"], ["pt", "chiro"]),
        # Extremity: 98943 for a chiropractor, 97140 for a PT.
        ("extremity_manipulation", "45", ["chiro"], ["chiro", "pt"]),
        # Mobilization: 97140 for both.
        ("mobilization", "55", ["pt"], ["pt", "chiro"]),
    ],
)
def test_max_price_and_price_order_read_the_entry_level_price_of_the_service_searched(
    priced_world, origin, service, max_price, matched, by_price
):
    filtered = search_providers(
        origin=origin, filters=SearchFilters(service=service, max_price=Decimal(max_price))
    )
    assert {hit.provider for hit in filtered.hits} == {priced_world[key] for key in matched}
    ordered = search_providers(
        origin=origin, filters=SearchFilters(service=service), ordering="price"
    )
    assert [hit.provider for hit in ordered.hits] == [priced_world[key] for key in by_price]


def test_a_price_change_reaches_the_price_filter_at_once(priced_world):
    origin, filters = Origin(30.0, -97.0, "t", 25), SearchFilters(max_price=Decimal("50"))
    chiro = priced_world["chiro"]
    price = chiro.prices.get(procedure__code="98940")
    price.cash_price = Decimal("45")
    price.save()
    found = search_providers(origin=origin, filters=filters)
    assert {hit.provider for hit in found.hits} == {chiro, priced_world["pt"]}
    price.delete()  # no entry-level price posted: never matched by a price filter
    found = search_providers(origin=origin, filters=filters)
    assert [hit.provider for hit in found.hits] == [priced_world["pt"]]
