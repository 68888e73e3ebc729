"""The pure Original Medicare estimator; expected amounts are worked out by hand."""

from decimal import Decimal

import pytest

from finder.estimate import PriceRange, ProcedureLine, VisitCost
from finder.medicare_estimate import MedicareLine, MedicareTerms, estimate_medicare_cost

D = Decimal


def line(
    code: str,
    amount: str | None,
    *,
    price: str | None = "50.00",
    quantity: int = 1,
    reduction: str | None = None,
    covered: bool = True,
) -> MedicareLine:
    return MedicareLine(
        line=ProcedureLine(
            code=code,
            label=f"Procedure {code}",
            quantity=quantity,
            cash_price=None if price is None else D(price),
            typical_low=D("30.00"),
            typical_high=D("50.00"),
            medicare_covered=covered,
        ),
        amount=None if amount is None else D(amount),
        therapy_reduction_amount=None if reduction is None else D(reduction),
    )


def visit(number: int, billed: str, allowed: str, **parts: str) -> VisitCost:
    names = ("deductible", "copay", "coinsurance", "not_covered", "patient_pays", "plan_pays")
    amounts = {name: D(parts.get(name, "0")) for name in names}
    return VisitCost(number=number, billed=D(billed), allowed=D(allowed), **amounts)


def test_mppr_pays_the_highest_therapy_unit_in_full_and_the_rest_at_the_reduced_amount():
    # 97110 $34.15 in full; both 97140 units at $26.40: $86.95 a visit.
    lines = [
        line("97140", "32.86", quantity=2, reduction="26.40", price="60.00"),
        line("97110", "34.15", reduction="27.05", price="55.00"),
    ]
    result = estimate_medicare_cost(
        lines=lines,
        visits=2,
        terms=MedicareTerms(assignment="participating", deductible_remaining=D("150")),
    )
    assert result.visits == [
        visit(1, "175.00", "86.95", deductible="86.95", patient_pays="86.95"),
        # $63.05 of deductible left; 20% of the other $23.90 is $4.78.
        visit(
            2,
            "175.00",
            "86.95",
            deductible="63.05",
            coinsurance="4.78",
            patient_pays="67.83",
            plan_pays="19.12",
        ),
    ]
    assert (result.total_patient_pays, result.total_plan_pays, result.range) == (
        D("154.78"),
        D("19.12"),
        None,
    )
    assert (
        "Medicare's multiple procedure payment reduction: at each visit the therapy unit with the "
        "highest amount is paid in full and each further therapy unit at its reduced amount."
    ) in result.assumptions


def test_a_non_participating_provider_is_approved_95_percent_and_may_charge_the_limiting_charge():
    # 98941: 95% of $45.21 = $42.95 approved; limiting charge 109.25% = $49.39, $6.44 more.
    lines = [
        line("98941", "45.21", price="65.00"),
        line("98943", None, price="35.00", covered=False),
    ]
    result = estimate_medicare_cost(
        lines=lines,
        visits=2,
        terms=MedicareTerms(assignment="non_participating", deductible_remaining=D("50")),
    )
    assert result.visits == [
        visit(1, "100.00", "42.95", deductible="42.95", not_covered="35.00", patient_pays="77.95"),
        # $7.05 of deductible left, 20% of $35.90 = $7.18.
        visit(
            2,
            "100.00",
            "42.95",
            deductible="7.05",
            coinsurance="7.18",
            not_covered="35.00",
            patient_pays="49.23",
            plan_pays="28.72",
        ),
    ]
    assert result.total_patient_pays == D("127.18")
    assert result.range == PriceRange(D("127.18"), D("140.06"))
    assert any("up to $12.88 more over these visits" in note for note in result.assumptions)


def test_unknown_assignment_ranges_from_participating_to_the_limiting_charge():
    result = estimate_medicare_cost(
        lines=[line("98940", "26.72", price="40.00")],
        visits=1,
        terms=MedicareTerms(assignment="unknown", deductible_remaining=D("0")),
    )
    # Participating: 20% of $26.72 = $5.34. Non-participating at most: 20% of $25.38 = $5.08,
    # plus $29.19 - $25.38 = $3.81.
    assert result.total_patient_pays == D("5.34")
    assert result.range == PriceRange(D("5.34"), D("8.89"))


def test_coinsurance_is_rounded_once_per_visit_half_up():
    # 20% of 3 x $26.72 = $16.032 -> $16.03 once; per unit it would be 3 x $5.34 = $16.02.
    result = estimate_medicare_cost(
        lines=[line("98940", "26.72", quantity=3)],
        visits=1,
        terms=MedicareTerms(assignment="participating", deductible_remaining=D("0")),
    )
    assert result.visits[0].coinsurance == D("16.03")


def test_a_line_without_a_fee_schedule_amount_is_approved_at_the_providers_price():
    result = estimate_medicare_cost(
        lines=[line("97530", None, price="45.00")],
        visits=1,
        terms=MedicareTerms(assignment="participating", deductible_remaining=D("0")),
    )
    assert result.visits == [
        visit(1, "45.00", "45.00", coinsurance="9.00", patient_pays="9.00", plan_pays="36.00")
    ]
    assert (
        "No Medicare amount is known for 97530, so the provider's price was taken as the approved "
        "amount."
    ) in result.assumptions


def test_typical_prices_of_uncovered_lines_widen_the_range():
    result = estimate_medicare_cost(
        lines=[
            line("98940", "26.72", price="40.00"),
            line("98943", None, price=None, covered=False),
        ],
        visits=1,
        terms=MedicareTerms(assignment="participating", deductible_remaining=D("0")),
    )
    # $5.34 coinsurance plus 98943 at $40 typical (range $30-$50).
    assert result.total_patient_pays == D("45.34")
    assert result.range == PriceRange(D("35.34"), D("55.34"))


def test_without_reduced_amounts_it_says_the_mppr_could_not_be_applied():
    result = estimate_medicare_cost(
        lines=[line("97140", "27.72", quantity=2)],
        visits=1,
        terms=MedicareTerms(assignment="participating", deductible_remaining=D("0")),
    )
    assert result.visits[0].allowed == D("55.44")
    assert any("may be a little high" in note for note in result.assumptions)


def test_it_notes_a_course_past_the_kx_threshold():
    lines = [line("97110", "34.15", quantity=3, reduction="27.05")]
    terms = MedicareTerms(assignment="participating", deductible_remaining=D("0"))
    # $34.15 + 2 x $27.05 = $88.25 a visit: 28 visits $2,471.00, 29 visits $2,559.25.
    under = estimate_medicare_cost(lines=lines, visits=28, terms=terms)
    over = estimate_medicare_cost(lines=lines, visits=29, terms=terms)
    assert not any("KX" in note for note in under.assumptions)
    assert (
        "These visits' therapy ($2,559.25 approved) passes Medicare's 2026 KX threshold of "
        "$2,480.00 a year for physical and speech therapy together: beyond it your therapist "
        "must confirm that the care is medically necessary (the KX modifier). It is a threshold, "
        "not a cap."
    ) in over.assumptions


def test_a_covered_visit_limit_makes_later_visits_not_covered():
    result = estimate_medicare_cost(
        lines=[line("98940", "26.72", price="40.00")],
        visits=2,
        terms=MedicareTerms(
            assignment="participating", deductible_remaining=D("0"), covered_visits_remaining=1
        ),
    )
    assert result.visits[1] == visit(2, "40.00", "0.00", not_covered="40.00", patient_pays="40.00")


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"deductible_remaining": D("-1")}, "deductible_remaining must not be negative"),
        ({"covered_visits_remaining": -1}, "covered_visits_remaining must not be negative"),
    ],
)
def test_it_rejects_negative_terms(terms, message):
    with pytest.raises(ValueError, match=message):
        MedicareTerms(assignment="participating", **terms)
