"""Estimates with a plan's own rates (finder.negotiated), worked by hand."""

from datetime import date
from decimal import Decimal

import pytest

from finder import costs
from finder.costs import CoverageTerms, RequestedProcedure
from finder.estimate import Coverage, ProcedureLine, estimate_cost
from finder.negotiated import Allowed, allowed_amount
from providers.models import InsurancePlan, NegotiatedRate, PlanAcceptance, Procedure
from providers.reference import load_reference_data
from tests.factories import ProviderFactory, ProviderPriceFactory

D = Decimal


def test_a_fee_schedule_answers_before_a_negotiated_rate() -> None:
    rates = [("negotiated", D("31.00")), ("fee schedule", D("27.50"))]
    assert allowed_amount(rates, charge=D("40")) == Allowed(D("27.50"), D("27.50"), "fee schedule")


def test_a_percentage_applies_to_the_providers_charge() -> None:
    assert allowed_amount([("percentage", D("65.00"))], charge=D("40")) == Allowed(
        D("26.00"), D("26.00"), "percentage", (D("65.00"),)
    )


def test_several_rates_give_a_range() -> None:
    rates = [("negotiated", D("31.00")), ("negotiated", D("27.50")), ("negotiated", D("27.50"))]
    assert allowed_amount(rates, charge=D("40")) == Allowed(D("27.50"), D("31.00"), "negotiated")
    assert allowed_amount([], charge=D("40")) is None


def line(allowed=None, quantity=1) -> ProcedureLine:
    return ProcedureLine(
        code="98940",
        label="Spinal manipulation, 1-2 regions",
        quantity=quantity,
        cash_price=D("40.00"),
        typical_low=D("30"),
        typical_high=D("50"),
        medicare_covered=True,
        allowed=allowed,
    )


def test_cost_sharing_applies_to_the_plans_rate() -> None:
    # $40 charged, the plan allows $27.50: $10 of deductible left, then 20% of $17.50 = $3.50.
    # Visit 2: 20% of $27.50 = $5.50. The $12.50 above the rate is not the patient's to pay.
    coverage = Coverage(network="in", deductible_remaining=D("10"), coinsurance_percent=D("20"))
    result = estimate_cost(lines=[line((D("27.50"), D("27.50")))], visits=2, coverage=coverage)
    visits = [
        (v.billed, v.allowed, v.deductible, v.coinsurance, v.patient_pays, v.plan_pays)
        for v in result.visits
    ]
    assert visits == [
        (D("40.00"), D("27.50"), D("10.00"), D("3.50"), D("13.50"), D("14.00")),
        (D("40.00"), D("27.50"), D("0.00"), D("5.50"), D("5.50"), D("22.00")),
    ]
    assert result.range is None
    assert not any("negotiated rates are not known" in note for note in result.assumptions)


def test_a_range_of_rates_gives_a_range_of_totals() -> None:
    coverage = Coverage(network="in", coinsurance_percent=D("20"))
    result = estimate_cost(lines=[line((D("25.00"), D("30.00")), 2)], visits=1, coverage=coverage)
    # Midpoint $27.50 x 2 units = $55.00 allowed; 20% = $11.00; low $10.00, high $12.00.
    assert (result.visits[0].allowed, result.total_patient_pays) == (D("55.00"), D("11.00"))
    assert (result.range.patient_pays_low, result.range.patient_pays_high) == (
        D("10.00"),
        D("12.00"),
    )


@pytest.fixture
def in_network(db):
    load_reference_data()
    provider = ProviderFactory()
    ProviderPriceFactory(
        provider=provider, procedure=Procedure.objects.get(code="98940"), cash_price=D("40.00")
    )
    plan = InsurancePlan.objects.create(
        slug="aetna-open-access", name="Open Access", payer="Aetna", kind="commercial"
    )
    PlanAcceptance.objects.create(
        provider=provider,
        plan=plan,
        source="payer_file",
        source_file="aetna.json.gz",
        file_date=date(2026, 11, 1),
    )
    provider.insurance_plans.add(plan)
    return provider, plan


def add_rate(provider, plan, code: str, negotiated_type: str, rate: str, expires=None) -> None:
    NegotiatedRate.objects.create(
        provider=provider,
        plan=plan,
        procedure=Procedure.objects.get(code=code),
        negotiated_type=negotiated_type,
        rate=D(rate),
        billing_class="professional",
        places_of_service="11",
        expires=expires,
        source_file="aetna.json.gz",
        file_date=date(2026, 11, 1),
    )


def estimate(provider, plan, code: str = "98940"):
    return costs.estimate_visits(
        provider=provider,
        procedures=[RequestedProcedure(code)],
        visits=1,
        coverage=CoverageTerms(
            type="insurance", plan=plan, deductible_remaining=D("0"), coinsurance_percent=D("20")
        ),
    )


def test_the_estimate_uses_the_plans_negotiated_rate_and_says_so(in_network) -> None:
    provider, plan = in_network
    add_rate(provider, plan, "98940", "negotiated", "27.50")
    add_rate(provider, plan, "98940", "negotiated", "22.00", expires=date(2020, 1, 1))  # expired

    result = estimate(provider, plan)

    assert (result.visits[0].allowed, result.total_patient_pays) == (D("27.50"), D("5.50"))
    assert result.assumptions[0] == (
        "This provider is listed in Open Access in Aetna's file of 2026-11-01, so in-network "
        "benefits were used. Networks change: confirm with the provider and your plan."
    )
    assert result.assumptions[2] == (
        "98940: the plan allows $27.50 per unit, the negotiated rate from Aetna's file dated "
        "2026-11-01."
    )


def test_a_percentage_rate_names_its_percent(in_network) -> None:
    provider, plan = in_network
    add_rate(provider, plan, "98940", "percentage", "65.00")

    result = estimate(provider, plan)

    assert (result.visits[0].allowed, result.total_patient_pays) == (D("26.00"), D("5.20"))
    assert result.assumptions[2] == (
        "98940: the plan allows $26.00 per unit, 65% of the provider's charge ($40.00): a "
        "percentage rate from Aetna's file dated 2026-11-01."
    )


def test_without_the_plans_rate_the_price_is_the_allowed_amount(in_network) -> None:
    provider, plan = in_network
    add_rate(provider, plan, "98941", "negotiated", "35.00")  # another code

    result = estimate(provider, plan)

    assert (result.visits[0].allowed, result.total_patient_pays) == (D("40.00"), D("8.00"))


def test_the_api_says_each_lines_allowed_amount_comes_from_the_plans_file(
    client, in_network
) -> None:
    provider, plan = in_network
    ProviderPriceFactory(
        provider=provider, procedure=Procedure.objects.get(code="98941"), cash_price=D("50.00")
    )
    add_rate(provider, plan, "98940", "fee schedule", "24.00")
    add_rate(provider, plan, "98940", "negotiated", "27.50")  # the fee schedule answers first

    response = client.post(
        "/api/v1/estimates/",
        {
            "provider_id": provider.pk,
            "procedures": [{"code": "98940"}, {"code": "98941"}],
            "coverage": {
                "type": "insurance",
                "plan": plan.slug,
                "deductible_remaining": "0",
                "coinsurance_percent": "20",
            },
        },
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    # $24.00 from the file + $50.00 (no rate for 98941: the price) = $74.00; 20% = $14.80.
    assert (body["visits"][0]["allowed"], body["total"]["patient_pays"]) == ("74.00", "14.80")
    assert [
        (line["code"], line["allowed_amount"], line["allowed_source"], line["allowed_as_of"])
        for line in body["procedures"]
    ] == [
        ("98940", "24.00", "negotiated_rate", "2026-11-01"),
        ("98941", "50.00", "cash_price", None),
    ]


def test_the_estimate_page_names_the_plans_rate_as_the_approved_amount(client, in_network) -> None:
    provider, plan = in_network
    add_rate(provider, plan, "98940", "negotiated", "27.50")

    response = client.get(
        "/estimate/",
        {"provider": provider.pk, "code": "98940", "visits": "1", "coverage_type": "insurance",
         "plan": plan.slug, "deductible_remaining": "0", "coinsurance_percent": "20",
         "deductible_applies": "yes"},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<td class="amount" data-label="Approved per unit">$27.50</td>'
        '<td data-label="Approved amount from">Your plan&#x27;s rate from its public file, dated '
        "2026-11-01</td></tr>"
    ) in html
    assert "<div><dt>You pay</dt><dd>$5.50</dd></div>" in html
