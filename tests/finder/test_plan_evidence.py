"""The provider detail's plans with their evidence and the plans' negotiated rates."""

from datetime import date
from decimal import Decimal

import pytest

from providers.models import InsurancePlan, NegotiatedRate, PlanAcceptance
from tests.factories import InsurancePlanFactory, PracticeLocationFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def test_detail_names_each_plans_source_and_the_plans_rates(client) -> None:
    provider = PracticeLocationFactory().provider
    open_access = InsurancePlanFactory(slug="aetna-open-access", name="Open Access")
    hand = InsurancePlanFactory(slug="bcbs-ppo", name="Blue Cross PPO")
    gone = InsurancePlanFactory(slug="cigna-ppo", name="Cigna PPO")
    for plan, source, ended in ((open_access, "curator", None), (open_access, "payer_file", None),
                                (gone, "payer_file", date(2026, 10, 1))):  # fmt: skip
        PlanAcceptance.objects.create(
            provider=provider, plan=plan, source=source, source_file="a.json",
            file_date=date(2026, 11, 1), ended_on=ended,
        )  # fmt: skip
    provider.insurance_plans.add(open_access, hand)
    code = ProcedureFactory(code="98940")
    for plan, negotiated_type, rate, expires in (
        (open_access, "negotiated", "27.50", None),
        (open_access, "percentage", "65", date(2027, 6, 30)),
        (open_access, "negotiated", "20.00", date(2020, 1, 1)),  # expired: not shown
        (gone, "negotiated", "30.00", None),  # a plan the provider no longer takes
    ):
        NegotiatedRate.objects.create(
            provider=provider, plan=plan, procedure=code, negotiated_type=negotiated_type,
            rate=Decimal(rate), billing_class="professional", places_of_service="11,22",
            expires=expires, source_file="a.json", file_date=date(2026, 11, 1),
        )  # fmt: skip

    body = client.get(f"/api/v1/providers/{provider.id}/").json()

    assert body["insurance_plans"] == [
        {"slug": "bcbs-ppo", "name": "Blue Cross PPO", "kind": InsurancePlan.Kind.COMMERCIAL,
         "source": "curator", "as_of": None},
        {"slug": "aetna-open-access", "name": "Open Access", "kind": "commercial",
         "source": "payer_file", "as_of": "2026-11-01"},
    ]  # fmt: skip
    assert body["negotiated_rates"] == [
        {"plan": "aetna-open-access", "code": "98940", "negotiated_type": "negotiated",
         "rate": "27.50", "billing_class": "professional", "places_of_service": ["11", "22"],
         "expires": None, "as_of": "2026-11-01"},
        {"plan": "aetna-open-access", "code": "98940", "negotiated_type": "percentage",
         "rate": "65.00", "billing_class": "professional", "places_of_service": ["11", "22"],
         "expires": "2027-06-30", "as_of": "2026-11-01"},
    ]  # fmt: skip
    search = client.get("/api/v1/providers/").json()
    assert search["results"][0]["insurance_plans"] == ["aetna-open-access", "bcbs-ppo"]


def test_the_provider_page_says_where_a_plan_comes_from_and_its_rates(client) -> None:
    provider = PracticeLocationFactory().provider
    plan = InsurancePlanFactory(slug="aetna-open-access", name="Open Access", payer="Aetna")
    PlanAcceptance.objects.create(
        provider=provider, plan=plan, source="payer_file", file_date=date(2026, 11, 1)
    )
    provider.insurance_plans.add(plan, InsurancePlanFactory(slug="bcbs-ppo", name="Blue PPO"))
    code = ProcedureFactory(code="98940")
    for negotiated_type, rate in (("negotiated", "27.50"), ("percentage", "65")):
        NegotiatedRate.objects.create(
            provider=provider, plan=plan, procedure=code, negotiated_type=negotiated_type,
            rate=Decimal(rate), billing_class="professional", places_of_service="11",
            source_file="a.json", file_date=date(2026, 11, 1),
        )  # fmt: skip

    page = client.get(f"/providers/{provider.id}/").content.decode()

    assert (
        '<li>Blue PPO</li><li>Open Access <span class="meta">(listed in Aetna&#x27;s file of '
        "2026-11-01)</span>\n  <ul><li>Your plan's rate for 98940 Spinal manipulation, 1-2 "
        "regions: $27.50</li><li>Your plan's rate for 98940 Spinal manipulation, 1-2 regions: "
        "65% of the provider&#x27;s charge</li></ul></li>"
    ) in page
    assert "Plan rates are the public in-network rates" in page
