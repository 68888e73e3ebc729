"""Cached search responses never outlive a listing or practice-act change."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from providers import freshness
from providers.models import Provider, Scope
from tests.factories import (
    InsurancePlanFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/providers/"


def names(client, **params):
    return [r["name"] for r in client.get(URL, {"near": "78701", **params}).json()["results"]]


def test_repeated_searches_are_served_from_the_cache(client, world):
    before = names(client)
    # queryset.update() sends no signal: the cached answer stays until the generation moves.
    Provider.objects.filter(pk=world["in_range"].pk).update(first_name="Renamed")
    assert names(client) == before
    freshness.bump_listings()
    assert names(client) == ["Renamed Doe" + world["in_range"].last_name[3:] + ", DC"]


def test_a_saved_listing_invalidates_cached_searches(client, world):
    assert len(names(client)) == 1
    PracticeLocationFactory(provider__first_name="Newcomer")
    assert len(names(client)) == 2


def test_a_practice_act_change_invalidates_cached_searches(client, world):
    scope = client.get(URL, {"near": "78701"}).json()["results"][0]["scope"]
    assert scope["spinal_manipulation"] == "unknown"
    PracticeActFactory(state="TX", spinal_manipulation=Scope.RESTRICTED)
    scope = client.get(URL, {"near": "78701"}).json()["results"][0]["scope"]
    assert scope["spinal_manipulation"] == "restricted"


def test_a_renamed_plan_or_procedure_invalidates_cached_searches(client, world):
    provider = world["in_range"]
    plan = InsurancePlanFactory(slug="old-plan")
    provider.insurance_plans.add(plan)
    price = ProviderPriceFactory(provider=provider, procedure__label="Old label")
    first = client.get(URL, {"near": "78701"}).json()["results"][0]
    assert (first["insurance_plans"], first["prices"][0]["label"]) == (["old-plan"], "Old label")
    plan.slug = "new-plan"
    plan.save()
    price.procedure.label = "New label"
    price.procedure.save()
    again = client.get(URL, {"near": "78701"}).json()["results"][0]
    assert (again["insurance_plans"], again["prices"][0]["label"]) == (["new-plan"], "New label")


def test_admin_bulk_suspend_invalidates_cached_pages(client, admin_client_logged_in, world):
    provider = world["in_range"]
    assert provider.display_name in client.get("/", {"near": "78701"}).content.decode()
    admin_client_logged_in.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "suspend", "_selected_action": [provider.pk]},
    )
    assert provider.display_name not in client.get("/", {"near": "78701"}).content.decode()


def test_errors_are_not_cached(client, db):
    assert client.get(URL, {"near": "xyz"}).status_code == 400
    assert client.get(URL, {"near": "xyz"}).status_code == 400


def test_a_zero_cache_time_turns_the_search_cache_off(client, world, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    names(client)
    Provider.objects.filter(pk=world["in_range"].pk).update(first_name="Renamed")
    assert names(client) == ["Renamed Doe" + world["in_range"].last_name[3:] + ", DC"]
    page = client.get("/", {"near": "78701"}).content.decode()
    assert "Renamed Doe" in page


def test_generation_tokens_are_stable_until_bumped():
    listings, acts = freshness.tokens(freshness.LISTINGS, freshness.PRACTICE_ACTS)
    assert freshness.tokens(freshness.LISTINGS, freshness.PRACTICE_ACTS) == (listings, acts)
    assert freshness.token(freshness.PRACTICE_ACTS) == acts
    freshness.bump_listings()
    new_listings, same_acts = freshness.tokens(freshness.LISTINGS, freshness.PRACTICE_ACTS)
    assert new_listings != listings
    assert same_acts == acts


def test_a_process_rereads_the_tokens_only_after_the_recheck_interval(settings, monkeypatch):
    settings.FRESHNESS_RECHECK_SECONDS = 1.0
    clock = [1000.0]
    monkeypatch.setattr(freshness.time, "monotonic", lambda: clock[0])
    first = freshness.token(freshness.LISTINGS)
    # Another process bumps the token: this one keeps its recent read within the interval...
    cache.set("generation:listings", "bumped-elsewhere", timeout=None)
    clock[0] += 0.5
    assert freshness.token(freshness.LISTINGS) == first
    # ...and sees the change once the interval has passed.
    clock[0] += 0.6
    assert freshness.token(freshness.LISTINGS) == "bumped-elsewhere"
    # A bump in this process is seen by this process at once.
    freshness.bump_listings()
    assert freshness.token(freshness.LISTINGS) not in (first, "bumped-elsewhere")
