"""Tests for the pure cost estimator; expected amounts are worked out by hand in the tables."""

from decimal import Decimal

import pytest

from finder.estimate import (
    DISCLAIMER,
    GOOD_FAITH_ESTIMATE_DISCLAIMERS,
    Coverage,
    PriceRange,
    ProcedureLine,
    VisitCost,
    deductible_left,
    estimate_cost,
    to_cents,
)

D = Decimal


def line(
    price: str | None = "40.00",
    *,
    code: str = "98940",
    quantity: int = 1,
    low: str = "30.00",
    high: str = "50.00",
    medicare_covered: bool = True,
) -> ProcedureLine:
    return ProcedureLine(
        code=code,
        label=f"Procedure {code}",
        quantity=quantity,
        cash_price=None if price is None else D(price),
        typical_low=D(low),
        typical_high=D(high),
        medicare_covered=medicare_covered,
    )


def coverage(network: str = "in", **terms: object) -> Coverage:
    money = {k: D(v) if isinstance(v, str) else v for k, v in terms.items()}
    return Coverage(network=network, **money)


def visit(number: int, billed: str, **parts: str) -> VisitCost:
    """A VisitCost with allowed = billed and unnamed parts zero."""
    names = ("deductible", "copay", "coinsurance", "not_covered", "patient_pays", "plan_pays")
    amounts = {name: D(parts.get(name, "0")) for name in names}
    return VisitCost(number=number, billed=D(billed), allowed=D(billed), **amounts)


@pytest.mark.parametrize(
    ("price", "visits", "terms", "patient_per_visit", "plan_total"),
    [
        pytest.param(
            "40.00",
            6,
            dict(
                deductible_remaining="100",
                coinsurance_percent="20",
                out_of_pocket_max_remaining="1000",
                covered_visits_remaining=20,
            ),
            ["40", "40", "24", "8", "8", "8"],
            "112.00",
            id="worked-example-from-contract",
        ),
        pytest.param(
            "40.00",
            3,
            dict(deductible_remaining="50"),
            ["40", "10", "0"],
            "70",
            id="deductible-spans-visits",
        ),
        pytest.param(
            "40.00", 3, dict(coinsurance_percent="20"), ["8", "8", "8"], "96", id="coinsurance"
        ),
        pytest.param(
            "40.00",
            2,
            dict(copay="25", coinsurance_percent="20"),
            ["25", "25"],
            "30",
            id="copay-replaces-coinsurance",
        ),
        pytest.param(
            "40.00",
            2,
            dict(deductible_remaining="30", copay="25"),
            ["40", "25"],  # visit 1: 30 deductible + copay capped at the 10 left
            "15",
            id="copay-larger-than-remainder-after-deductible",
        ),
        pytest.param("20.00", 2, dict(copay="25"), ["20", "20"], "0", id="copay-larger-than-price"),
        pytest.param(
            "40.00",
            2,
            dict(deductible_remaining="100", coinsurance_percent="20", deductible_applies=False),
            ["8", "8"],
            "64",
            id="deductible-does-not-apply",
        ),
        pytest.param(
            "40.00",
            4,
            dict(coinsurance_percent="20", out_of_pocket_max_remaining="20"),
            ["8", "8", "4", "0"],
            "140",
            id="out-of-pocket-max-reached-in-visit-3",
        ),
        pytest.param(
            "40.00",
            4,
            dict(coinsurance_percent="20", covered_visits_remaining=2),
            ["8", "8", "40", "40"],
            "64",
            id="covered-visit-limit",
        ),
        pytest.param(
            "40.00",
            3,
            dict(
                coinsurance_percent="20",
                out_of_pocket_max_remaining="10",
                covered_visits_remaining=1,
            ),
            ["8", "40", "40"],
            "32",
            id="not-covered-visits-ignore-out-of-pocket-max",
        ),
        pytest.param(
            "40.00",
            2,
            dict(deductible_remaining="100", covered_visits_remaining=0),
            ["40", "40"],
            "0",
            id="no-covered-visits-left",
        ),
    ],
)
def test_it_applies_in_network_benefits_visit_by_visit(
    price, visits, terms, patient_per_visit, plan_total
):
    result = estimate_cost(lines=[line(price)], visits=visits, coverage=coverage("in", **terms))

    assert [v.patient_pays for v in result.visits] == [D(p) for p in patient_per_visit]
    assert result.total_patient_pays == sum(D(p) for p in patient_per_visit)
    assert result.total_plan_pays == D(plan_total)
    assert result.total_billed == D(price) * visits
    assert result.network == "in"
    assert result.range is None
    assert not result.uses_typical_prices


def test_worked_example_breaks_down_the_visit_where_the_deductible_is_met():
    terms = coverage(
        deductible_remaining="100",
        coinsurance_percent="20",
        out_of_pocket_max_remaining="1000",
        covered_visits_remaining=20,
    )
    result = estimate_cost(lines=[line("40.00")], visits=6, coverage=terms)

    assert result.visits[0] == visit(1, "40", deductible="40", patient_pays="40")
    assert result.visits[2] == visit(
        3, "40", deductible="20", coinsurance="4", patient_pays="24", plan_pays="16"
    )
    assert result.visits[5] == visit(6, "40", coinsurance="8", patient_pays="8", plan_pays="32")
    assert (result.total_billed, result.total_patient_pays, result.total_plan_pays) == (
        D("240.00"),
        D("128.00"),
        D("112.00"),
    )


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        pytest.param(
            dict(coinsurance_percent="20", out_of_pocket_max_remaining="55"),
            visit(1, "100", deductible="50", coinsurance="5", patient_pays="55", plan_pays="45"),
            id="coinsurance-cut-first",
        ),
        pytest.param(
            dict(coinsurance_percent="20", out_of_pocket_max_remaining="45"),
            visit(1, "100", deductible="45", patient_pays="45", plan_pays="55"),
            id="then-deductible-once-coinsurance-is-gone",
        ),
        pytest.param(
            dict(copay="30", out_of_pocket_max_remaining="60"),
            visit(1, "100", deductible="50", copay="10", patient_pays="60", plan_pays="40"),
            id="copay-cut-before-deductible",
        ),
        pytest.param(
            dict(copay="30", out_of_pocket_max_remaining="40"),
            visit(1, "100", deductible="40", patient_pays="40", plan_pays="60"),
            id="then-deductible-once-copay-is-gone",
        ),
    ],
)
def test_it_caps_the_visit_at_the_out_of_pocket_max_cutting_coinsurance_then_copay_then_deductible(
    terms, expected
):
    terms = coverage(deductible_remaining="50", **terms)

    result = estimate_cost(lines=[line("100.00")], visits=2, coverage=terms)

    assert result.visits[0] == expected
    assert result.visits[1] == visit(2, "100", plan_pays="100")


def test_it_uses_out_of_network_benefits_and_ignores_the_copay():
    terms = coverage(
        "out",
        copay="25",
        coinsurance_percent="10",
        out_of_network_deductible_remaining="50",
        out_of_network_coinsurance_percent="40",
    )

    result = estimate_cost(lines=[line("100.00")], visits=2, coverage=terms)

    assert result.visits == [
        visit(1, "100", deductible="50", coinsurance="20", patient_pays="70", plan_pays="30"),
        visit(2, "100", coinsurance="40", patient_pays="40", plan_pays="60"),
    ]
    assert result.network == "out"
    assert any("balance billing" in note for note in result.assumptions)


def test_it_treats_a_missing_out_of_network_deductible_as_met():
    terms = coverage("out", out_of_network_coinsurance_percent="40")

    result = estimate_cost(lines=[line("100.00")], visits=1, coverage=terms)

    assert result.visits == [visit(1, "100", coinsurance="40", patient_pays="40", plan_pays="60")]


def test_it_covers_nothing_out_of_network_without_out_of_network_benefits():
    terms = coverage("out", coinsurance_percent="20")

    result = estimate_cost(lines=[line("100.00")], visits=2, coverage=terms)

    assert result.visits == [
        visit(1, "100", not_covered="100", patient_pays="100"),
        visit(2, "100", not_covered="100", patient_pays="100"),
    ]
    assert result.total_plan_pays == 0
    assert any("No out-of-network benefits" in note for note in result.assumptions)


def test_it_leaves_original_medicare_to_the_medicare_estimator():
    with pytest.raises(ValueError, match="by finder"):
        estimate_cost(lines=[line()], visits=1, coverage=coverage("medicare"))


@pytest.mark.parametrize(
    ("lines", "terms", "patient_total", "low", "high"),
    [
        pytest.param(
            [line(None)],
            dict(deductible_remaining="100", coinsurance_percent="20"),
            "80",  # midpoint 40: 40 + 40, all deductible
            "60",  # low 30: 30 + 30
            "100",  # high 50: 50 + 50, the deductible met exactly
            id="typical-price-through-the-deductible",
        ),
        pytest.param(
            [line("40.00"), line(None, code="97140")],
            dict(coinsurance_percent="20"),
            "32",  # (40 + 40) x 20% x 2 visits
            "28",  # (40 + 30) x 20% x 2
            "36",  # (40 + 50) x 20% x 2
            id="only-the-typical-priced-line-varies",
        ),
        pytest.param(
            [line(None, low="30.00", high="45.00")],
            dict(),
            "75.00",  # midpoint 37.50 x 2, self-pay
            "60.00",
            "90.00",
            id="midpoint-with-half-dollar",
        ),
    ],
)
def test_it_uses_the_typical_midpoint_and_gives_a_low_high_range(
    lines, terms, patient_total, low, high
):
    network = "in" if terms else "self_pay"

    result = estimate_cost(lines=lines, visits=2, coverage=coverage(network, **terms))

    assert result.uses_typical_prices
    assert result.total_patient_pays == D(patient_total)
    assert result.range == PriceRange(patient_pays_low=D(low), patient_pays_high=D(high))
    assert any("typical price of $30.00 to" in note for note in result.assumptions)


@pytest.mark.parametrize(
    ("price", "percent", "coinsurance"),
    [
        ("33.33", "15", "5.00"),  # 4.9995
        ("16.70", "15", "2.51"),  # 2.505: half up, not half even (2.50)
        ("0.05", "50", "0.03"),  # 0.025
        ("33.33", "20", "6.67"),  # 6.666
        ("10.01", "10", "1.00"),  # 1.001
    ],
)
def test_it_rounds_coinsurance_to_the_cent_half_up(price, percent, coinsurance):
    result = estimate_cost(
        lines=[line(price)], visits=1, coverage=coverage(coinsurance_percent=percent)
    )

    assert result.visits[0].coinsurance == D(coinsurance)
    assert result.visits[0].plan_pays == D(price) - D(coinsurance)


def test_it_bills_price_times_quantity():
    result = estimate_cost(lines=[line("33.33", quantity=3)], visits=1, coverage=coverage())

    assert result.total_billed == D("99.99")


@pytest.mark.parametrize(
    ("amount", "cents"), [("2.505", "2.51"), ("2.504", "2.50"), ("0.125", "0.13"), ("7", "7.00")]
)
def test_to_cents_rounds_half_up(amount, cents):
    assert str(to_cents(D(amount))) == cents


def test_self_pay_patient_pays_the_full_price_and_is_told_about_the_good_faith_estimate():
    result = estimate_cost(
        lines=[line("40.00", quantity=2)], visits=3, coverage=coverage("self_pay", copay="25")
    )

    assert result.visits == [visit(n, "80", not_covered="80", patient_pays="80") for n in (1, 2, 3)]
    assert (result.total_patient_pays, result.total_plan_pays) == (D("240"), D("0"))
    assert any("Good Faith Estimate" in note for note in result.assumptions)
    assert not any("allowed amount" in note for note in result.assumptions)


def test_it_explains_the_allowed_amount_and_the_covered_visit_limit():
    terms = coverage(coinsurance_percent="20", covered_visits_remaining=2)

    result = estimate_cost(lines=[line("40.00")], visits=4, coverage=terms)

    assert any("negotiated rates are not known" in note for note in result.assumptions)
    assert any("visits 3 to 4" in note for note in result.assumptions)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(
            lambda: estimate_cost(lines=[line()], visits=0, coverage=coverage()), id="zero-visits"
        ),
        pytest.param(lambda: estimate_cost(lines=[], visits=1, coverage=coverage()), id="no-lines"),
        pytest.param(lambda: line("-1.00"), id="negative-cash-price"),
        pytest.param(lambda: line(quantity=0), id="zero-quantity"),
        pytest.param(lambda: line(low="60.00", high="50.00"), id="low-above-high"),
        pytest.param(lambda: coverage(deductible_remaining="-5"), id="negative-deductible"),
        pytest.param(lambda: coverage(copay="-1"), id="negative-copay"),
        pytest.param(lambda: coverage(coinsurance_percent="101"), id="coinsurance-over-100"),
        pytest.param(lambda: coverage(covered_visits_remaining=-1), id="negative-visit-limit"),
    ],
)
def test_it_rejects_impossible_inputs(build):
    with pytest.raises(ValueError):
        build()


def test_the_disclaimers_cover_what_45_cfr_149_610_requires():
    text = " ".join(str(disclaimer) for disclaimer in GOOD_FAITH_ESTIMATE_DISCLAIMERS)

    for phrase in (
        "scheduled separately",
        "only an estimate",
        "at least $400 more",
        "120 calendar days",
        "$25",
        "will not affect the quality",
        "not a contract",
    ):
        assert phrase in text
    assert "not a guarantee of coverage" in DISCLAIMER


@pytest.mark.parametrize(
    ("deductible", "met", "left"),
    [("1500", "400", "1100"), ("1500", None, "1500"), ("283", "283", "0"), ("0", None, "0")],
)
def test_deductible_left_is_the_deductible_less_what_was_paid(deductible, met, left):
    assert deductible_left(
        deductible=Decimal(deductible), met=None if met is None else Decimal(met)
    ) == Decimal(left)
