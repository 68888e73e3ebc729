"""Out-of-pocket cost estimates for a course of chiropractic or PT visits.

Pure arithmetic: ``Decimal`` in, ``Decimal`` out, no database. Every amount is in US dollars and
is rounded to whole cents in one place, :func:`to_cents` (half up, as on a bill). The benefit
rules follow the out-of-pocket algorithm in docs reference section 4 ([CALC1][CALC2]); the
Good Faith Estimate wording follows section 5 (45 CFR 149.610 and 149.620).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from providers.lazy_text import Text

Network = Literal["in", "out", "self_pay", "medicare"]
_PriceMode = Literal["low", "mid", "high"]

MEDICARE_PART_B_DEDUCTIBLE_2026 = Decimal("283.00")  # reference section 4, source [DED]
MEDICARE_COINSURANCE_PERCENT = Decimal("20")  # 20% of the approved amount [AARP]

DISCLAIMER = gettext_lazy(
    "This is an informational estimate, not a bill and not a guarantee of coverage or price. "
    "Your actual cost depends on your plan's rules and the services you receive; check with "
    "your plan and the provider before your visit."
)

# The disclaimers 45 CFR 149.610 requires on a Good Faith Estimate, in plain language. The
# printed estimate is made by this site, not the provider: the dispute right attaches to a Good
# Faith Estimate the provider gives, which this one becomes only if the provider adopts it.
GOOD_FAITH_ESTIMATE_DISCLAIMERS: list[Text] = [
    gettext_lazy(
        "This estimate includes only the items and services listed. Other services your "
        "provider recommends must be scheduled separately and are not included."
    ),
    gettext_lazy("This is only an estimate. Your actual charges may be different."),
    gettext_lazy(
        "Once the provider gives you a Good Faith Estimate (their own, or this one confirmed as "
        "theirs), you have the right to dispute a bill from any one provider or facility that "
        "is at least $400 more than it, through the federal patient-provider dispute resolution "
        "process. Start the dispute within 120 calendar days of the date on the bill; the fee "
        "is $25. For help, visit www.cms.gov/nosurprises or call 1-800-985-3059. Starting a "
        "dispute will not affect the quality of the care you receive."
    ),
    gettext_lazy(
        "This estimate is not a contract and does not require you to get these services from "
        "the providers listed."
    ),
]

_ZERO = Decimal("0.00")
_CENT = Decimal("0.01")


def deductible_left(*, deductible: Decimal, met: Decimal | None) -> Decimal:
    """Dollars of a yearly deductible still to pay after `met` dollars were paid toward it
    (nothing met: all of it). Callers refuse `met` above `deductible`; it is never below $0."""
    return max(deductible - (met or Decimal("0")), Decimal("0"))


def to_cents(amount: Decimal) -> Decimal:
    """Round a dollar amount to whole cents, half up (2.505 -> 2.51), as bills are rounded."""
    return Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)


def _check_money(**amounts: Decimal | int | None) -> None:
    for name, amount in amounts.items():
        if amount is not None and amount < 0:
            raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class ProcedureLine:
    """One procedure performed at every visit; prices are dollars per unit."""

    code: str
    label: str
    quantity: int
    cash_price: Decimal | None  # the provider's own price; None -> typical price used
    typical_low: Decimal
    typical_high: Decimal
    medicare_covered: bool  # covered by Medicare for the provider's profession
    # The plan's allowed amount per unit, lowest and highest (finder.negotiated); None: the
    # price is taken as the allowed amount.
    allowed: tuple[Decimal, Decimal] | None = None

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError("quantity must be at least 1")
        _check_money(
            cash_price=self.cash_price, typical_low=self.typical_low, typical_high=self.typical_high
        )
        if self.typical_low > self.typical_high:
            raise ValueError("typical_low must not exceed typical_high")

    def unit_price(self, mode: _PriceMode = "mid") -> Decimal:
        """The provider's price, else the typical price at its low, midpoint or high end."""
        if self.cash_price is not None:
            return self.cash_price
        return {
            "low": self.typical_low,
            "mid": (self.typical_low + self.typical_high) / 2,
            "high": self.typical_high,
        }[mode]

    def allowed_price(self, mode: _PriceMode = "mid") -> Decimal:
        """The plan's allowed amount per unit: its rate (low, midpoint or high of several),
        else the price."""
        if self.allowed is None:
            return self.unit_price(mode)
        low, high = self.allowed
        return {"low": low, "mid": (low + high) / 2, "high": high}[mode]


@dataclass(frozen=True)
class Coverage:
    """The patient's remaining benefits for the year; percentages are 0-100."""

    network: Network
    deductible_remaining: Decimal = Decimal("0")
    coinsurance_percent: Decimal = Decimal("0")
    copay: Decimal = Decimal("0")
    deductible_applies: bool = True
    out_of_pocket_max_remaining: Decimal | None = None
    covered_visits_remaining: int | None = None
    out_of_network_deductible_remaining: Decimal | None = None
    out_of_network_coinsurance_percent: Decimal | None = None

    def __post_init__(self) -> None:
        _check_money(
            deductible_remaining=self.deductible_remaining,
            copay=self.copay,
            out_of_pocket_max_remaining=self.out_of_pocket_max_remaining,
            out_of_network_deductible_remaining=self.out_of_network_deductible_remaining,
            covered_visits_remaining=self.covered_visits_remaining,
        )
        for percent in (self.coinsurance_percent, self.out_of_network_coinsurance_percent):
            if percent is not None and not 0 <= percent <= 100:
                raise ValueError("coinsurance percent must be between 0 and 100")


@dataclass(frozen=True)
class VisitCost:
    """One visit, in dollars (cents). deductible + copay + coinsurance is the covered share."""

    number: int
    billed: Decimal
    allowed: Decimal
    deductible: Decimal
    copay: Decimal
    coinsurance: Decimal
    not_covered: Decimal
    patient_pays: Decimal
    plan_pays: Decimal


@dataclass(frozen=True)
class PriceRange:
    """The patient's total with every typical-priced line at its low or high end."""

    patient_pays_low: Decimal
    patient_pays_high: Decimal


@dataclass(frozen=True)
class Estimate:
    """The whole course of visits; totals are sums of the per-visit cents."""

    network: Network
    visits: list[VisitCost]
    total_billed: Decimal
    total_patient_pays: Decimal
    total_plan_pays: Decimal
    range: PriceRange | None
    assumptions: list[str]
    uses_typical_prices: bool


def estimate_cost(*, lines: Sequence[ProcedureLine], visits: int, coverage: Coverage) -> Estimate:
    """Estimate what the patient and the plan pay for ``visits`` identical visits.

    Per visit, in order: deductible first (when it applies), then a copay (in network) or else
    coinsurance on the rest, then the out-of-pocket cap (cutting coinsurance, then copay, then
    deductible). Not-covered lines are paid in full and count toward neither deductible nor cap.
    The allowed amount is the plan's rate where a line carries one, else the billed price.
    Typical-priced lines use their midpoint; ``range`` reruns the rules at their low and high.
    """
    if visits < 1:
        raise ValueError("visits must be at least 1")
    if not lines:
        raise ValueError("at least one procedure line is required")
    if coverage.network == "medicare":
        raise ValueError("Original Medicare is estimated by finder.medicare_estimate.")
    costs = _simulate(lines, visits, coverage, "mid")
    uses_typical = any(line.cash_price is None for line in lines)
    price_range = None
    if uses_typical or any(line.allowed and line.allowed[0] != line.allowed[1] for line in lines):
        price_range = PriceRange(
            patient_pays_low=_patient_total(_simulate(lines, visits, coverage, "low")),
            patient_pays_high=_patient_total(_simulate(lines, visits, coverage, "high")),
        )
    return Estimate(
        network=coverage.network,
        visits=costs,
        total_billed=sum((cost.billed for cost in costs), _ZERO),
        total_patient_pays=_patient_total(costs),
        total_plan_pays=sum((cost.plan_pays for cost in costs), _ZERO),
        range=price_range,
        assumptions=_assumptions(lines, visits, coverage, costs),
        uses_typical_prices=uses_typical,
    )


def _patient_total(costs: list[VisitCost]) -> Decimal:
    return sum((cost.patient_pays for cost in costs), _ZERO)


def _is_covered(line: ProcedureLine, number: int, coverage: Coverage) -> bool:
    limit = coverage.covered_visits_remaining
    return not (
        coverage.network == "self_pay"
        or (limit is not None and number > limit)
        or (coverage.network == "out" and coverage.out_of_network_coinsurance_percent is None)
    )


def _take(part: Decimal, excess: Decimal) -> tuple[Decimal, Decimal]:
    """Cut up to ``excess`` from ``part``; return the new part and the excess still to cut."""
    cut = min(part, excess)
    return part - cut, excess - cut


def visit_cost_share(
    *,
    covered: Decimal,
    deductible_left: Decimal,
    copay: Decimal,
    coinsurance_percent: Decimal,
    out_of_pocket_left: Decimal | None,
    deductible_applies: bool = True,
) -> tuple[Decimal, Decimal, Decimal]:
    """A visit's (deductible, copay, coinsurance) in dollars on its covered amount: the
    deductible first, then a copay (which replaces coinsurance) or the coinsurance, to the cent,
    half up; within what is left of the out-of-pocket maximum, the coinsurance is cut first,
    then the copay, then the deductible."""
    deductible = min(deductible_left, covered) if deductible_applies else _ZERO
    rest = covered - deductible
    copay_part = min(copay, rest) if copay > 0 else _ZERO
    coinsurance = _ZERO if copay > 0 else to_cents(rest * coinsurance_percent / 100)
    if out_of_pocket_left is not None:
        excess = max(deductible + copay_part + coinsurance - out_of_pocket_left, _ZERO)
        coinsurance, excess = _take(coinsurance, excess)
        copay_part, excess = _take(copay_part, excess)
        deductible, excess = _take(deductible, excess)
    return deductible, copay_part, coinsurance


def _simulate(
    lines: Sequence[ProcedureLine], visits: int, coverage: Coverage, mode: _PriceMode
) -> list[VisitCost]:
    if coverage.network == "out":  # copays apply in network only
        deductible_left = to_cents(coverage.out_of_network_deductible_remaining or _ZERO)
        percent, copay = coverage.out_of_network_coinsurance_percent or _ZERO, _ZERO
    else:
        deductible_left = to_cents(coverage.deductible_remaining)
        percent, copay = coverage.coinsurance_percent, to_cents(coverage.copay)
    oop_left = coverage.out_of_pocket_max_remaining
    oop_left = None if oop_left is None else to_cents(oop_left)
    costs = []
    for number in range(1, visits + 1):
        billed = covered = allowed = not_covered = _ZERO
        for line in lines:
            amount = to_cents(line.unit_price(mode) * line.quantity)
            line_allowed = to_cents(line.allowed_price(mode) * line.quantity)
            billed += amount
            allowed += line_allowed
            if _is_covered(line, number, coverage):
                covered += line_allowed  # cost-sharing applies to the allowed amount
            else:
                not_covered += amount
        deductible, copay_part, coinsurance = visit_cost_share(
            covered=covered,
            deductible_left=deductible_left,
            copay=copay,
            coinsurance_percent=percent,
            out_of_pocket_left=oop_left,
            deductible_applies=coverage.deductible_applies,
        )
        share = deductible + copay_part + coinsurance
        deductible_left -= deductible
        if oop_left is not None:
            oop_left -= share
        costs.append(
            VisitCost(
                number=number,
                billed=billed,
                allowed=allowed,
                deductible=deductible,
                copay=copay_part,
                coinsurance=coinsurance,
                not_covered=not_covered,
                patient_pays=share + not_covered,
                plan_pays=covered - share,
            )
        )
    return costs


def _assumptions(
    lines: Sequence[ProcedureLine], visits: int, coverage: Coverage, costs: list[VisitCost]
) -> list[str]:
    network = coverage.network
    notes = []
    if network != "self_pay" and any(line.allowed is None for line in lines):
        notes.append(
            _(
                "The plan's allowed amount is assumed to equal the price shown, because "
                "negotiated rates are not known; the real allowed amount is often lower."
            )
        )
    for line in lines:
        if line.cash_price is None:
            notes.append(
                _(
                    "This provider has not published a price for %(code)s (%(label)s), so a "
                    "typical price of $%(low)s to $%(high)s was used: the total uses the "
                    "midpoint, $%(mid)s."
                )
                % {
                    "code": line.code,
                    "label": _(line.label),
                    "low": f"{line.typical_low:,.2f}",
                    "high": f"{line.typical_high:,.2f}",
                    "mid": f"{to_cents(line.unit_price()):,.2f}",
                }
            )
    if network == "self_pay":
        notes.append(
            _(
                "Self-pay: you pay the provider's price in full. Under the No Surprises Act you "
                "can ask the provider for a written Good Faith Estimate before your visit."
            )
        )
    elif network == "out" and coverage.out_of_network_coinsurance_percent is None:
        notes.append(
            _(
                "No out-of-network benefits were given, so nothing is treated as covered and "
                "you pay the full price."
            )
        )
    elif network == "out":
        notes.append(
            _(
                "Out-of-network providers may also bill you the difference between their price "
                "and what your plan allows (balance billing); that amount is not included."
            )
        )
    limit = coverage.covered_visits_remaining
    if network != "self_pay" and limit is not None and visits > limit:
        first = limit + 1
        span = (
            _("visit %(first)s") % {"first": first}
            if first == visits
            else _("visits %(first)s to %(last)s") % {"first": first, "last": visits}
        )
        notes.append(
            _(
                "Covered-visit limit: your plan covers %(limit)s more visit(s), so %(span)s are "
                "not covered and paid in full."
            )
            % {"limit": limit, "span": span}
        )
    oop_max = coverage.out_of_pocket_max_remaining
    covered_share = sum((c.patient_pays - c.not_covered for c in costs), _ZERO)
    if oop_max is not None and covered_share >= oop_max:
        notes.append(
            _(
                "Your out-of-pocket maximum is reached within these visits; after that the plan "
                "pays covered costs in full."
            )
        )
    return notes
