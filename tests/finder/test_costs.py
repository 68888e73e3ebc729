"""finder.costs: prices, network and default procedures around the pure estimator."""

from datetime import date
from decimal import Decimal

import pytest

from finder import costs
from finder.costs import CoverageTerms, RequestedProcedure
from finder.estimate import GOOD_FAITH_ESTIMATE_DISCLAIMERS, PriceRange
from finder.good_faith_estimate import good_faith_estimate
from providers.models import InsurancePlan, Procedure, Profession, VerificationStatus
from providers.reference import load_reference_data
from tests.factories import PracticeLocationFactory, ProviderFactory, ProviderPriceFactory

D = Decimal
SELF_PAY = CoverageTerms(type="self_pay")


@pytest.fixture
def reference(db):
    load_reference_data()


@pytest.fixture
def chiropractor(reference):
    provider = ProviderFactory(profession=Profession.CHIROPRACTOR, tin="12-3456789")
    ProviderPriceFactory(
        provider=provider, procedure=Procedure.objects.get(code="98940"), cash_price=D("40.00")
    )
    provider.insurance_plans.add(InsurancePlan.objects.get(slug="aetna-ppo"))
    return provider


@pytest.fixture
def therapist(reference):
    return ProviderFactory(profession=Profession.PHYSICAL_THERAPIST, credential="DPT")


def test_it_prices_lines_from_the_providers_own_prices(chiropractor):
    result = costs.estimate_visits(
        provider=chiropractor,
        procedures=[RequestedProcedure("98940", 2)],
        visits=1,
        coverage=SELF_PAY,
    )
    assert result.lines == [
        costs.PricedLine(
            code="98940",
            label="Spinal manipulation, 1-2 regions",
            quantity=2,
            unit_price=D("40.00"),
            price_source="provider",
            per_visit=D("80.00"),
            typical_low=D("30.00"),
            typical_high=D("50.00"),
            allowed_amount=D("40.00"),
            allowed_source="cash_price",
        )
    ]
    assert result.range is None


def test_it_uses_the_typical_midpoint_when_the_provider_has_no_price(chiropractor):
    result = costs.estimate_visits(
        provider=chiropractor,
        procedures=[RequestedProcedure("98941")],
        visits=1,
        coverage=SELF_PAY,
    )
    assert (result.lines[0].unit_price, result.lines[0].price_source) == (D("40.00"), "typical")
    assert result.range is not None
    assert (result.range.patient_pays_low, result.range.patient_pays_high) == (D("30"), D("50"))


@pytest.mark.parametrize(
    ("profession", "code"),
    [(Profession.CHIROPRACTOR, "98940"), (Profession.PHYSICAL_THERAPIST, "97140"), (None, "98940")],
)
def test_it_defaults_to_one_unit_of_the_professions_usual_code(reference, profession, code):
    provider = ProviderFactory(profession=profession) if profession else None
    result = costs.estimate_visits(provider=provider, procedures=None, visits=1, coverage=SELF_PAY)
    assert [(line.code, line.quantity) for line in result.lines] == [(code, 1)]
    assert result.assumptions[0].startswith(f"No procedures were chosen, so one unit of {code} (")


def test_it_is_in_network_when_the_provider_accepts_the_plan(chiropractor):
    plan = InsurancePlan.objects.get(slug="aetna-ppo")
    coverage, notes = costs.coverage_for(
        CoverageTerms(type="insurance", plan=plan, deductible_remaining=D("0"), copay=D("20")),
        provider=chiropractor,
    )
    assert coverage.network == "in"
    assert notes[0] == (
        "This provider's listing says it accepts Aetna PPO, so in-network benefits were used. "
        "Networks change: confirm with the provider and your plan."
    )


def test_it_is_out_of_network_when_the_provider_does_not_accept_the_plan(chiropractor):
    plan = InsurancePlan.objects.get(slug="cigna-ppo")
    coverage, notes = costs.coverage_for(
        CoverageTerms(type="insurance", plan=plan, out_of_network_coinsurance_percent=D("40")),
        provider=chiropractor,
    )
    assert coverage.network == "out"
    assert coverage.out_of_network_coinsurance_percent == D("40")
    assert notes == [
        "This provider's listing does not include Cigna PPO, so out-of-network benefits were used.",
        "No remaining out-of-network deductible was entered, so it is taken as already met "
        "($0 left).",
        "No out-of-pocket maximum was entered, so no yearly cap was applied.",
    ]


def test_it_assumes_in_network_without_a_plan_and_says_so(chiropractor):
    coverage, notes = costs.coverage_for(CoverageTerms(type="insurance"), provider=chiropractor)
    assert coverage.network == "in"
    assert notes == [
        "No insurance plan was chosen, so the provider is assumed to be in your plan's network.",
        "No remaining deductible was entered, so your deductible is taken as already met "
        "($0 left).",
        "No coinsurance or copay was entered, so the plan is assumed to pay covered costs in "
        "full after the deductible.",
        "No out-of-pocket maximum was entered, so no yearly cap was applied.",
    ]


def test_it_assumes_in_network_with_a_plan_but_no_provider(reference):
    plan = InsurancePlan.objects.get(slug="aetna-ppo")
    coverage, notes = costs.coverage_for(
        CoverageTerms(
            type="insurance",
            plan=plan,
            deductible_remaining=D("0"),
            coinsurance_percent=D("20"),
            out_of_pocket_max_remaining=D("500"),
        ),
        provider=None,
    )
    assert coverage.network == "in"
    assert notes == ["No provider was chosen, so in-network benefits are assumed."]


def test_self_pay_is_its_own_network_and_ignores_plan_terms(chiropractor):
    coverage, notes = costs.coverage_for(
        CoverageTerms(type="self_pay", deductible_remaining=D("100"), coinsurance_percent=D("20")),
        provider=chiropractor,
    )
    assert coverage.network == "self_pay"
    assert coverage.deductible_remaining == 0
    assert notes == []


def test_medicare_uses_medicare_terms_and_the_2026_deductible_by_default(chiropractor):
    result = costs.estimate_visits(
        provider=chiropractor,
        procedures=None,
        visits=1,
        coverage=CoverageTerms(type="medicare", coinsurance_percent=D("50")),
    )
    assert result.assumptions == [
        "No procedures were chosen, so one unit of 98940 (Spinal manipulation, 1-2 regions) per "
        "visit is assumed.",
        "No remaining Part B deductible was entered, so the full 2026 deductible ($283.00) is "
        "assumed.",
        "Medicare's 20% coinsurance was used; the coinsurance and copay you entered apply to "
        "private insurance only.",
        "Medicare-approved amounts: Medicare's national amount, 2026.",
        "Medicare Part B: you pay 20% of the Medicare-approved amount after the yearly Part B "
        "deductible ($283.00 in 2026).",
        "Whether this provider accepts Medicare assignment is not known. The total assumes it "
        "does; if it does not, it may charge up to the limiting charge (109.25% of Medicare's "
        "amount), which is the high end of the range.",
        "For chiropractors, Medicare covers only spinal manipulation (CPT 98940-98942) given as "
        "active treatment and billed with the AT modifier; maintenance care, exams, X-rays and "
        "98943 are not covered.",
    ]
    # The national 98940 amount, $26.72, all toward the deductible; at most the limiting
    # charge, 109.25% of it: $29.19.
    assert result.visits[0].allowed == D("26.72")
    assert (result.total_patient_pays, result.range) == (
        D("26.72"),
        PriceRange(patient_pays_low=D("26.72"), patient_pays_high=D("29.19")),
    )


def test_medicare_covers_a_code_only_for_the_professions_medicare_pays(reference):
    therapist = ProviderFactory(profession=Profession.PHYSICAL_THERAPIST)
    chiropractor = ProviderFactory(profession=Profession.CHIROPRACTOR)
    terms = CoverageTerms(type="medicare", deductible_remaining=D("0"))
    # The therapist: 97140's national $27.72 approved, 20% ($5.54) is the patient's.
    for provider, plan_pays in ((therapist, D("22.18")), (chiropractor, D("0.00"))):
        result = costs.estimate_visits(
            provider=provider, procedures=[RequestedProcedure("97140")], visits=1, coverage=terms
        )
        assert result.total_plan_pays == plan_pays


@pytest.mark.parametrize(
    ("requested", "errors"),
    [
        ([RequestedProcedure("99999")], {0: "Unknown procedure code '99999'."}),
        (
            [RequestedProcedure("97140"), RequestedProcedure("98940")],
            {1: "Code 98940 is not offered by physical therapists."},
        ),
        (
            [RequestedProcedure("97140"), RequestedProcedure("97140", 2)],
            {1: "Code 97140 is listed more than once; set its quantity instead."},
        ),
    ],
)
def test_it_names_each_procedure_it_cannot_estimate(therapist, requested, errors):
    with pytest.raises(costs.InvalidProcedures) as caught:
        costs.resolve_procedures(requested, provider=therapist)
    assert caught.value.errors == errors


def test_without_a_provider_it_rejects_codes_no_listed_profession_offers(reference):
    with pytest.raises(costs.InvalidProcedures) as caught:
        costs.resolve_procedures([RequestedProcedure("98925")], provider=None)
    assert caught.value.errors == {
        0: "Code 98925 is not offered by chiropractors or physical therapists."
    }


def test_procedure_options_list_the_professions_codes_with_own_prices(chiropractor, therapist):
    options = {option.code: option.cash_price for option in costs.procedure_options(chiropractor)}
    assert options["98940"] == D("40.00")
    assert options["98943"] is None
    assert "98925" not in options
    chiropractor_codes = [option.code for option in costs.procedure_options(chiropractor)]
    assert chiropractor_codes[:5] == ["98940", "97140", "98941", "98942", "98943"]
    therapist_codes = [option.code for option in costs.procedure_options(therapist)]
    assert therapist_codes == ["97140", "97110", "97112", "97530"]  # usual code first


def test_find_public_provider_hides_suspended_and_impossible_ids(reference):
    listed = ProviderFactory()
    hidden = ProviderFactory(verification_status=VerificationStatus.SUSPENDED)
    assert costs.find_public_provider(listed.pk) == listed
    assert costs.find_public_provider(hidden.pk) is None
    assert costs.find_public_provider(0) is None
    assert costs.find_public_provider(2**80) is None
    assert costs.find_public_provider(None) is None


def test_good_faith_estimate_itemizes_charges_for_the_course(chiropractor):
    location = PracticeLocationFactory(provider=chiropractor)
    gfe = good_faith_estimate(
        provider=chiropractor,
        procedures=[RequestedProcedure("98940"), RequestedProcedure("97110", 2)],
        visits=3,
        issued=date(2026, 12, 1),
    )
    assert gfe.location == location
    assert [
        (line.code, line.quantity, line.unit_price, line.per_visit, line.course_total)
        for line in gfe.lines
    ] == [
        ("98940", 1, D("40.00"), D("40.00"), D("120.00")),
        ("97110", 2, D("40.00"), D("80.00"), D("240.00")),
    ]
    assert (gfe.per_visit_total, gfe.total) == (D("120.00"), D("360.00"))
    assert gfe.uses_typical_prices is True
    assert gfe.issued == date(2026, 12, 1)
    assert gfe.disclaimers == GOOD_FAITH_ESTIMATE_DISCLAIMERS
