import heapq
import io
import math
import re
import statistics
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from finder.search import Origin, SearchFilters, search_providers
from providers import demo
from providers.area_codes import AREA_CODES_BY_STATE
from providers.demo import seed_demo_providers
from providers.geo import zip_index
from providers.models import (
    PracticeLocation,
    Profession,
    Provider,
    ProviderPrice,
    Scope,
    VerificationSource,
    VerificationStatus,
)
from providers.plan_markets import states_selling
from providers.scope import check_services, current_practice_acts
from providers.search_index import stale_locations
from providers.states import US_STATES
from tests.factories import PracticeActFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_listings(reference_data):
    """The demo data `make run` loads (seed_demo's defaults)."""
    seed_demo_providers()


def test_seed_demo_is_idempotent(capsys):
    ProcedureFactory()
    call_command("seed_demo", providers=40, seed=7)
    assert "40 created, 0 already present" in capsys.readouterr().out
    call_command("seed_demo", providers=40, seed=7)
    assert "0 created, 40 already present" in capsys.readouterr().out
    assert Provider.objects.filter(is_demo=True).count() == 40
    assert not Provider.objects.filter(is_demo=False).exists()


def test_demo_providers_are_labelled_geocoded_and_within_scope():
    PracticeActFactory(
        state="TX", profession=Profession.PHYSICAL_THERAPIST, spinal_manipulation=Scope.PROHIBITED
    )
    call_command("seed_demo", providers=300, seed=3)
    acts = current_practice_acts()
    assert not PracticeLocation.objects.filter(latitude__isnull=True).exists()
    for provider in Provider.objects.prefetch_related("locations"):
        assert "(Demo)" in provider.display_name
        states = [location.state for location in provider.locations.all()]
        check = check_services(
            profession=provider.profession,
            services=provider.services,
            states=states,
            endorsed=provider.spinal_manipulation_endorsed,
            acts=acts,
        )
        assert check.errors == [], provider
    texas_pts = Provider.objects.filter(
        profession=Profession.PHYSICAL_THERAPIST, locations__state="TX"
    )
    assert texas_pts.exists()
    assert not texas_pts.filter(offers_spinal_manipulation=True).exists()


def snapshot() -> list[tuple]:
    """Everything seed_demo writes that a listing shows, provider by provider."""
    return [
        (
            provider.npi,
            provider.display_name,
            provider.profession,
            provider.services,
            provider.accepting_new_patients,
            provider.verification_status,
            provider.last_verified,
            [
                (
                    loc.address,
                    loc.city,
                    loc.state,
                    loc.zip_code,
                    loc.phone,
                    loc.latitude,
                    loc.longitude,
                )
                for loc in provider.locations.all()
            ],
            sorted(plan.slug for plan in provider.insurance_plans.all()),
            sorted((price.procedure.code, price.cash_price) for price in provider.prices.all()),
        )
        for provider in Provider.objects.order_by("npi").prefetch_related(
            "locations", "insurance_plans", "prices__procedure"
        )
    ]


def test_the_same_seed_gives_the_same_listings_in_any_batches(reference_data, monkeypatch):
    seed_demo_providers(count=30, seed=5)
    whole = snapshot()
    Provider.objects.all().delete()
    monkeypatch.setattr(demo, "BATCH_SIZE", 7)
    seed_demo_providers(count=12, seed=5)  # an interrupted run, completed by the next
    summary = seed_demo_providers(count=30, seed=5)
    assert (summary.created, summary.existing) == (18, 12)
    assert snapshot() == whole
    assert len({listing[1] for listing in whole}) > 10
    assert all(listing[8] and listing[9] for listing in whole)  # plans and prices
    assert stale_locations() == []
    Provider.objects.all().delete()
    seed_demo_providers(count=30, seed=6)
    assert snapshot() != whole


def test_it_writes_in_bulk_not_provider_by_provider(reference_data):
    with CaptureQueriesContext(connection) as queries:
        seed_demo_providers(count=200, seed=1)
    # Multi-row statements, as many as SQLite's parameter limit needs (PostgreSQL's COPY is
    # not captured here), in one transaction: a savepoint inside the test's own.
    assert len(queries) <= 30
    assert len([query for query in queries if query["sql"].startswith("SAVEPOINT")]) == 1
    assert Provider.objects.count() == 200
    assert PracticeLocation.objects.count() > 200
    assert ProviderPrice.objects.count() > 200
    assert Provider.insurance_plans.through.objects.count() > 200
    assert not Provider.history.exists()  # bulk writes keep no versions


def test_progress_is_reported_after_the_last_batch_at_least(capsys, monkeypatch):
    monkeypatch.setattr(demo, "BATCH_SIZE", 10)
    call_command("seed_demo", providers=25, seed=2)
    out = capsys.readouterr().out
    *_, progress, summary = out.splitlines()
    assert progress.startswith("  25 of 25 providers (100%, ")
    assert summary == "Demo providers: 25 created, 0 already present."


@pytest.mark.parametrize(
    ("city", "zip_code"),
    [("New York", "10001"), ("Miami", "33101"), ("Houston", "77002"), ("Los Angeles", "90012")],
)
def test_the_demo_data_answers_every_access_filter_near_a_big_city(demo_listings, city, zip_code):
    lat, lng, *_ = zip_index()[zip_code]
    near = Origin(lat, lng, city)
    for filters in (
        SearchFilters(language="es"),
        SearchFilters(telehealth=True),
        SearchFilters(accessible=True),
        SearchFilters(language="es", accessible=True),
    ):
        assert search_providers(origin=near, filters=filters).count > 0, (city, filters)


def test_spanish_is_spoken_more_in_miami_than_in_minneapolis(demo_listings):
    def spanish_share(zip_code: str) -> float:
        lat, lng, *_ = zip_index()[zip_code]
        near = Origin(lat, lng, zip_code, 15)
        everyone = search_providers(origin=near, filters=SearchFilters()).count
        spanish = search_providers(origin=near, filters=SearchFilters(language="es")).count
        return spanish / everyone

    assert spanish_share("33101") > 0.4 > 0.15 > spanish_share("55401")


# --- The default demo set looks like the real thing ----------------------------------------

KAISER_STATES = {"CA", "CO", "GA", "HI", "MD", "OR", "VA", "WA", "DC"}  # issue #26's list
PHONE_RE = re.compile(r"(\d{3})-555-01\d\d")  # 555-0100..0199: reserved for fiction


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, Earth radius 3958.8 miles)."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 3958.8 * math.asin(math.sqrt(h))


def three_nearest_zips(point: tuple[float, float]) -> list[str]:
    zips = zip_index().items()
    return [
        code for code, _ in heapq.nsmallest(3, zips, key=lambda z: miles_between(point, z[1][:2]))
    ]


def test_the_default_demo_set_meets_every_demo_rule(reference_data):
    """`make run`'s demo data (seed_demo's defaults), rule by rule."""
    call_command("seed_demo", stdout=io.StringIO())
    providers = list(
        Provider.objects.prefetch_related("locations", "insurance_plans", "prices__procedure")
    )
    assert len(providers) == 3000
    check_addresses_agree_with_their_pins_zips_and_states(providers)
    check_plans_are_only_where_their_payer_sells_them(providers)
    check_a_realistic_share_take_no_new_patients(providers)
    check_prices_keep_region_order_around_the_typical_range(providers)
    check_a_verified_listing_always_has_its_date(providers)


def check_addresses_agree_with_their_pins_zips_and_states(providers: list[Provider]) -> None:
    zips = zip_index()
    locations = [location for provider in providers for location in provider.locations.all()]
    assert len(locations) > 3000
    for location in locations:
        place = zips[location.zip_code]
        pin = (location.latitude, location.longitude)
        assert miles_between(
            pin, (place.lat, place.lng)
        ) <= 3 or location.zip_code in three_nearest_zips(pin), location
        assert (location.city, location.state) == (place.city, place.state), location
        area_code = PHONE_RE.fullmatch(location.phone).group(1)
        assert area_code in AREA_CODES_BY_STATE[location.state], location
    assert len({(location.city, location.state) for location in locations}) > 500
    assert len({location.state for location in locations}) == len(US_STATES)


def check_plans_are_only_where_their_payer_sells_them(providers: list[Provider]) -> None:
    listed = Counter()
    for provider in providers:
        states = {location.state for location in provider.locations.all()}
        for plan in provider.insurance_plans.all():
            listed[plan.slug] += 1
            assert states <= states_selling(plan.slug), (provider, plan.slug, states)
            if plan.payer == "Kaiser Permanente":
                assert states <= KAISER_STATES, (provider, states)
    assert listed["kaiser-permanente-hmo"] > 0
    assert listed["humana-ppo"] == 0  # Humana sells no employer plans any more
    assert listed["medicare"] > 0


def check_a_realistic_share_take_no_new_patients(providers: list[Provider]) -> None:
    share = sum(not provider.accepting_new_patients for provider in providers) / len(providers)
    assert 0.08 <= share <= 0.16


def check_prices_keep_region_order_around_the_typical_range(providers: list[Provider]) -> None:
    by_code: dict[str, list[Decimal]] = {}
    for provider in providers:
        prices = {price.procedure.code: price.cash_price for price in provider.prices.all()}
        assert prices, provider
        if provider.profession == Profession.CHIROPRACTOR:
            assert prices["98940"] <= prices["98941"] <= prices["98942"], (provider, prices)
        for code, price in prices.items():
            assert Decimal(25) <= price <= Decimal(65), (provider, code, price)
            by_code.setdefault(code, []).append(price)
    for code, prices in by_code.items():
        assert Decimal(30) <= statistics.median(prices) <= Decimal(50), code
    assert statistics.median(by_code["98940"]) < statistics.median(by_code["98942"])


def check_a_verified_listing_always_has_its_date(providers: list[Provider]) -> None:
    """Every freshness state a patient can meet is in the demo set: confirmed by the provider
    and verified by curators, recently and over 90 days ago (stale), and never."""
    today = timezone.localdate()
    states = Counter()
    for provider in providers:
        if provider.verification_status == VerificationStatus.VERIFIED:
            assert provider.last_verified is not None, provider
            assert provider.last_verified <= today, provider
            age = "stale" if today - provider.last_verified > timedelta(days=90) else "recent"
            states[(provider.verification_source, age)] += 1
        else:
            assert provider.last_verified is None, provider
            assert provider.verification_source == VerificationSource.DEMO, provider
            states["never"] += 1
    for source in (VerificationSource.PROVIDER, VerificationSource.CURATOR):
        for age in ("recent", "stale"):
            assert states[(source, age)] > 0, (source, age)
    assert states["never"] > 0
