"""A listing's plans and prices: ids from the search statement, names from the catalogue."""

from decimal import Decimal

import pytest

from finder.listing_queries import catalogue
from finder.search import Origin, SearchFilters, search_providers
from providers.models import InsurancePlan, Procedure, Provider, ProviderPrice
from providers.search_index import refresh_search_index
from tests.factories import (
    InsurancePlanFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db
AUSTIN = Origin(30.2672, -97.7431, "Austin", 25)


def only_listing():
    (hit,) = search_providers(origin=AUSTIN, filters=SearchFilters()).hits
    return hit.provider


def test_plans_sort_by_slug_and_prices_by_code_with_two_decimals():
    provider = PracticeLocationFactory(latitude=30.27, longitude=-97.74).provider
    provider.insurance_plans.add(
        InsurancePlanFactory(slug="zeta"), InsurancePlanFactory(slug="alpha")
    )
    ProviderPriceFactory(
        provider=provider, procedure=ProcedureFactory(code="98941", label="3-4 regions"),
        cash_price=Decimal("45.5"),
    )  # fmt: skip
    ProviderPriceFactory(provider=provider, procedure=ProcedureFactory(), cash_price=Decimal("40"))
    listing = only_listing()
    assert listing.listing_plan_slugs == ["alpha", "zeta"]
    assert [(p["code"], p["cash_price"], p["currency"]) for p in listing.listing_prices] == [
        ("98940", "40.00", "USD"),
        ("98941", "45.50", "USD"),
    ]
    assert listing.listing_prices[1]["label"] == "3-4 regions"


def test_a_plan_or_procedure_this_process_has_not_seen_yet_still_shows(settings):
    # Another process added them less than a recheck interval ago: no signal reached this
    # one, and its catalogue (and generation token) are from before.
    settings.FRESHNESS_RECHECK_SECONDS = 60
    provider = PracticeLocationFactory(latitude=30.27, longitude=-97.74).provider
    ProcedureFactory()
    assert only_listing().listing_plan_slugs == []
    before = catalogue()
    (plan,) = InsurancePlan.objects.bulk_create([InsurancePlanFactory.build(slug="brand-new")])
    (procedure,) = Procedure.objects.bulk_create([ProcedureFactory.build(code="97140")])
    Provider.insurance_plans.through.objects.bulk_create(
        [Provider.insurance_plans.through(provider=provider, insuranceplan=plan)]
    )
    ProviderPrice.objects.bulk_create(
        [ProviderPrice(provider=provider, procedure=procedure, cash_price=Decimal("35.00"))]
    )
    refresh_search_index([provider.id])  # as every bulk writer does (the plan ids it lists)
    assert plan.id not in before.plan_slugs
    listing = only_listing()
    assert listing.listing_plan_slugs == ["brand-new"]
    assert [p["code"] for p in listing.listing_prices] == ["97140"]
