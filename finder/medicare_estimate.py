"""Original Medicare (Part B) estimates: the fee schedule amount as the approved amount.

Pure arithmetic in the style of :mod:`finder.estimate` (whose :func:`~finder.estimate.to_cents`
rounds, half up): ``Decimal`` dollars in and out, no database. The rules, from CMS's fee
schedule (domain/DATA_SOURCES.md section 1; reference section 4):

- The approved (allowed) amount is the fee schedule amount of the provider's locality (the
  national amount when the locality is not known). A participating provider accepts it as full
  payment: the patient owes the Part B deductible, then 20% coinsurance.
- A non-participating provider is approved 95% of the amount (rounded to the cent per unit) and
  may charge the patient up to the limiting charge, 109.25% of the amount (115% of the 95%).
- Multiple procedure payment reduction (MPPR): of a visit's "always therapy" units, the one with
  the highest full amount is paid in full and every further unit at the therapy reduction
  amount.
- Lines Medicare does not cover (for chiropractors all but 98940-98942) cost the provider's
  price and count toward neither the deductible nor coinsurance.
- Coinsurance is rounded to the cent once per visit, half up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _

from finder.estimate import (
    MEDICARE_COINSURANCE_PERCENT,
    MEDICARE_PART_B_DEDUCTIBLE_2026,
    Estimate,
    PriceRange,
    ProcedureLine,
    VisitCost,
    to_cents,
    visit_cost_share,
)

Assignment = Literal["participating", "non_participating", "unknown"]
PriceMode = Literal["low", "mid", "high"]  # where in its typical range a typical price is taken

NON_PARTICIPATING_PERCENT = Decimal("95")  # of the fee schedule amount [PAR]
LIMITING_CHARGE_PERCENT = Decimal("109.25")  # of the fee schedule amount: 115% of 95%
KX_THRESHOLD_2026 = Decimal("2480.00")  # PT and speech therapy together, per year [KX26]
# "Always therapy" codes: subject to the MPPR and counted toward the KX threshold.
ALWAYS_THERAPY_CODES = frozenset(
    {"97110", "97112", "97140", "97530", "97161", "97162", "97163", "97164"}
)

_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MedicareLine:
    """A procedure line with its fee schedule amounts per unit (None: no amount is known)."""

    line: ProcedureLine
    amount: Decimal | None
    therapy_reduction_amount: Decimal | None = None

    @property
    def covered(self) -> bool:
        return self.line.medicare_covered

    @property
    def is_therapy(self) -> bool:
        return self.line.code in ALWAYS_THERAPY_CODES

    def allowed_per_unit(self, assignment: Assignment) -> Decimal | None:
        """The approved amount per unit before any MPPR reduction; None if not covered."""
        if not self.covered:
            return None
        if self.amount is None:
            return to_cents(self.line.unit_price())
        if assignment == "non_participating":
            return _percent_of(self.amount, NON_PARTICIPATING_PERCENT)
        return self.amount


@dataclass(frozen=True)
class MedicareTerms:
    """The patient's Part B position and the provider's assignment. Amounts in dollars."""

    assignment: Assignment
    deductible_remaining: Decimal = MEDICARE_PART_B_DEDUCTIBLE_2026
    out_of_pocket_max_remaining: Decimal | None = None  # from a supplemental plan, if any
    covered_visits_remaining: int | None = None

    def __post_init__(self) -> None:
        for name in ("deductible_remaining", "out_of_pocket_max_remaining"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        if self.covered_visits_remaining is not None and self.covered_visits_remaining < 0:
            raise ValueError("covered_visits_remaining must not be negative")


@dataclass(frozen=True)
class _Visit:
    cost: VisitCost
    limiting_excess: Decimal  # what a non-participating provider may add above the approval
    therapy_allowed: Decimal
    reduced_units: int  # therapy units paid at the reduction amount


def _percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return to_cents(amount * percent / 100)


def estimate_medicare_cost(
    *, lines: Sequence[MedicareLine], visits: int, terms: MedicareTerms
) -> Estimate:
    """Estimate ``visits`` identical visits under Original Medicare.

    Participating: the total. Non-participating: the total assumes the provider accepts the
    95% approved amount on the claim; ``range`` runs from there to the most it may charge (the
    limiting charge on every covered unit). Unknown assignment: the participating total, with
    a range up to the non-participating high end. Typical-priced lines widen the range too.
    """
    if visits < 1:
        raise ValueError("visits must be at least 1")
    if not lines:
        raise ValueError("at least one procedure line is required")
    basis: Assignment = (
        "non_participating" if terms.assignment == "non_participating" else ("participating")
    )
    runs = _simulate(lines, visits, terms, basis, "mid")
    costs = [run.cost for run in runs]
    uses_typical = any(item.line.cash_price is None for item in lines)
    low = _patient_total(_simulate(lines, visits, terms, basis, "low"))
    high_basis: Assignment = (
        "participating" if terms.assignment == "participating" else ("non_participating")
    )
    high_runs = _simulate(lines, visits, terms, high_basis, "high")
    high = _patient_total(high_runs) + sum((run.limiting_excess for run in high_runs), _ZERO)
    price_range = PriceRange(low, high) if (uses_typical or high != low) else None
    return Estimate(
        network="medicare",
        visits=costs,
        total_billed=sum((cost.billed for cost in costs), _ZERO),
        total_patient_pays=_patient_total(runs),
        total_plan_pays=sum((cost.plan_pays for cost in costs), _ZERO),
        range=price_range,
        assumptions=_assumptions(lines, visits, terms, runs, high_runs),
        uses_typical_prices=uses_typical,
    )


def _patient_total(runs: list[_Visit]) -> Decimal:
    return sum((run.cost.patient_pays for run in runs), _ZERO)


def _units(
    lines: Sequence[MedicareLine], basis: Assignment
) -> tuple[list[tuple[Decimal, Decimal, bool]], int]:
    """(approved, limiting excess, is therapy) for each covered unit of a visit, after the MPPR;
    and how many therapy units the MPPR reduced."""
    units: list[tuple[Decimal, Decimal, bool]] = []
    therapy: list[tuple[Decimal, Decimal | None]] = []
    for item in lines:
        if not item.covered:
            continue
        if item.amount is None:  # no fee schedule amount: the provider's price is approved
            units.append((to_cents(item.line.unit_price() * item.line.quantity), _ZERO, False))
        elif item.is_therapy:
            therapy += [(item.amount, item.therapy_reduction_amount)] * item.line.quantity
        else:
            units += [_unit(item.amount, basis, therapy=False)] * item.line.quantity
    therapy.sort(key=lambda unit: unit[0], reverse=True)
    reduced = 0
    for index, (amount, reduction) in enumerate(therapy):
        if index > 0 and reduction is not None:
            amount, reduced = reduction, reduced + 1
        units.append(_unit(amount, basis, therapy=True))
    return units, reduced


def _unit(amount: Decimal, basis: Assignment, *, therapy: bool) -> tuple[Decimal, Decimal, bool]:
    if basis == "participating":
        return amount, _ZERO, therapy
    approved = _percent_of(amount, NON_PARTICIPATING_PERCENT)
    return approved, _percent_of(amount, LIMITING_CHARGE_PERCENT) - approved, therapy


def _simulate(
    lines: Sequence[MedicareLine],
    visits: int,
    terms: MedicareTerms,
    basis: Assignment,
    mode: PriceMode,
) -> list[_Visit]:
    deductible_left = to_cents(terms.deductible_remaining)
    oop_left = terms.out_of_pocket_max_remaining
    oop_left = None if oop_left is None else to_cents(oop_left)
    limit = terms.covered_visits_remaining
    covered_units, reduced = _units(lines, basis)
    runs = []
    for number in range(1, visits + 1):
        billed = not_covered = _ZERO
        for item in lines:
            charge = to_cents(item.line.unit_price(mode) * item.line.quantity)
            billed += charge
            if not item.covered or (limit is not None and number > limit):
                not_covered += charge
        units = covered_units if limit is None or number <= limit else []
        allowed = sum((approved for approved, _excess, _therapy in units), _ZERO)
        deductible, _copay, coinsurance = visit_cost_share(
            covered=allowed,
            deductible_left=deductible_left,
            copay=_ZERO,  # Original Medicare has none
            coinsurance_percent=MEDICARE_COINSURANCE_PERCENT,
            out_of_pocket_left=oop_left,
        )
        if oop_left is not None:
            oop_left -= deductible + coinsurance
        deductible_left -= deductible
        share = deductible + coinsurance
        cost = VisitCost(
            number=number,
            billed=billed,
            allowed=allowed,
            deductible=deductible,
            copay=_ZERO,
            coinsurance=coinsurance,
            not_covered=not_covered,
            patient_pays=share + not_covered,
            plan_pays=allowed - share,
        )
        runs.append(
            _Visit(
                cost=cost,
                limiting_excess=sum((excess for _a, excess, _t in units), _ZERO),
                therapy_allowed=sum((a for a, _e, therapy in units if therapy), _ZERO),
                reduced_units=reduced if units else 0,
            )
        )
    return runs


def _assumptions(
    lines: Sequence[MedicareLine],
    visits: int,
    terms: MedicareTerms,
    runs: list[_Visit],
    high_runs: list[_Visit],
) -> list[str]:
    notes = [
        _(
            "Medicare Part B: you pay 20%% of the Medicare-approved amount after the yearly "
            "Part B deductible ($%(deductible)s in 2026)."
        )
        % {"deductible": MEDICARE_PART_B_DEDUCTIBLE_2026}
    ]
    limiting_total = sum((run.limiting_excess for run in high_runs), _ZERO)
    if terms.assignment == "participating":
        notes.append(
            _(
                # xgettext:no-python-format
                "This provider accepts Medicare assignment: it takes Medicare's approved amount "
                "as full payment, so for covered services you owe only the deductible and 20%."
            )
        )
    elif terms.assignment == "non_participating":
        notes.append(
            _(
                "This provider does not accept Medicare assignment as a rule (non-participating): "
                "Medicare approves 95%% of its usual amount, and the provider may charge you up "
                "to the limiting charge, 109.25%% of that usual amount. The total assumes the "
                "provider accepts Medicare's approved amount on your claim; the high end of the "
                "range assumes it charges the limiting charge, up to $%(extra)s more over these "
                "visits, which Medicare does not repay."
            )
            % {"extra": f"{limiting_total:,.2f}"}
        )
    else:
        notes.append(
            _(
                # xgettext:no-python-format
                "Whether this provider accepts Medicare assignment is not known. The total "
                "assumes it does; if it does not, it may charge up to the limiting charge "
                "(109.25% of Medicare's amount), which is the high end of the range."
            )
        )
    if any(item.line.code.startswith("989") for item in lines):
        notes.append(
            _(
                "For chiropractors, Medicare covers only spinal manipulation (CPT 98940-98942) "
                "given as active treatment and billed with the AT modifier; maintenance care, "
                "exams, X-rays and 98943 are not covered."
            )
        )
    uncovered = [item.line.code for item in lines if not item.covered]
    if uncovered:
        notes.append(
            _("Not covered by Medicare, so paid in full: %(codes)s.")
            % {"codes": ", ".join(uncovered)}
        )
    unpriced = [item.line.code for item in lines if item.covered and item.amount is None]
    if unpriced:
        notes.append(
            _(
                "No Medicare amount is known for %(codes)s, so the provider's price was taken "
                "as the approved amount."
            )
            % {"codes": ", ".join(unpriced)}
        )
    therapy_units = sum(
        item.line.quantity
        for item in lines
        if item.covered and item.is_therapy and item.amount is not None
    )
    if runs and runs[0].reduced_units:
        notes.append(
            _(
                "Medicare's multiple procedure payment reduction: at each visit the therapy unit "
                "with the highest amount is paid in full and each further therapy unit at its "
                "reduced amount."
            )
        )
    elif therapy_units > 1:
        notes.append(
            _(
                "Medicare pays less for each further therapy unit of a visit (the multiple "
                "procedure payment reduction), but the reduced amounts are known only for "
                "localities whose fee schedule was imported; every unit here is at its full "
                "amount, so the estimate may be a little high."
            )
        )
    therapy_total = sum((run.therapy_allowed for run in runs), _ZERO)
    if therapy_total > KX_THRESHOLD_2026:
        notes.append(
            _(
                "These visits' therapy ($%(total)s approved) passes Medicare's 2026 KX threshold "
                "of $%(threshold)s a year for physical and speech therapy together: beyond it "
                "your therapist must confirm that the care is medically necessary (the KX "
                "modifier). It is a threshold, not a cap."
            )
            % {"total": f"{therapy_total:,.2f}", "threshold": f"{KX_THRESHOLD_2026:,.2f}"}
        )
    limit = terms.covered_visits_remaining
    if limit is not None and visits > limit:
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
    return notes
