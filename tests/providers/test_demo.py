import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finder.search import Origin, SearchFilters, search_providers
from providers import demo
from providers.demo import seed_demo_providers
from providers.geo import zip_index
from providers.models import PracticeLocation, Profession, Provider, ProviderPrice, Scope
from providers.scope import check_services, current_practice_acts
from providers.search_index import stale_locations
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
            [
                (loc.address, loc.city, loc.state, loc.zip_code, loc.latitude, loc.longitude)
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
    assert all(listing[7] and listing[8] for listing in whole)  # plans and prices
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
