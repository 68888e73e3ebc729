"""A plan's own rates as the estimator's allowed amounts (payers' Transparency-in-Coverage files).

For a provider in the patient's plan, the allowed amount per unit of a code is the plan's rate:
`fee schedule` when the file gives one (the base for the member's cost-sharing), else
`negotiated`, else `percentage` x the provider's charge. Several different rates for one code
give a range from the lowest to the highest. `allowed_amount` is pure arithmetic;
`apply_plan_rates` reads the provider's current rates and fills the estimator's lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from finder.estimate import ProcedureLine, to_cents
from providers.models import InsurancePlan, NegotiatedRate, PlanAcceptance, Provider

# The order in which a file's rate types answer "what does the plan allow?".
PREFERENCE = (
    NegotiatedRate.Type.FEE_SCHEDULE,
    NegotiatedRate.Type.NEGOTIATED,
    NegotiatedRate.Type.PERCENTAGE,
)


@dataclass(frozen=True)
class Allowed:
    """The plan's allowed amount per unit, lowest and highest, and how it was found."""

    low: Decimal
    high: Decimal
    negotiated_type: str
    percents: tuple[Decimal, ...] = ()  # for `percentage`: the percents applied


def allowed_amount(rates: Sequence[tuple[str, Decimal]], *, charge: Decimal) -> Allowed | None:
    """The allowed amount per unit from a code's rates, given as (negotiated_type, rate):
    dollars, or a percent of `charge` (the provider's price per unit) for `percentage`.
    None without a usable rate. Amounts in dollars, rounded to cents half up."""
    for negotiated_type in PREFERENCE:
        values = sorted({rate for kind, rate in rates if kind == negotiated_type})
        if not values:
            continue
        if negotiated_type == NegotiatedRate.Type.PERCENTAGE:
            amounts = [to_cents(charge * percent / 100) for percent in values]
            return Allowed(min(amounts), max(amounts), negotiated_type, tuple(values))
        return Allowed(to_cents(values[0]), to_cents(values[-1]), negotiated_type)
    return None


def _current_rates(
    provider: Provider, plan: InsurancePlan, codes: Sequence[str], today: date
) -> tuple[dict[str, list[tuple[str, Decimal]]], date | None]:
    rows = NegotiatedRate.objects.filter(
        Q(expires__isnull=True) | Q(expires__gte=today),
        provider=provider,
        plan=plan,
        procedure__code__in=list(codes),
    ).values_list("procedure__code", "negotiated_type", "rate", "file_date")
    found: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    newest: date | None = None
    for code, negotiated_type, rate, file_date in rows:
        found[code].append((negotiated_type, rate))
        newest = file_date if newest is None else max(newest, file_date)
    return found, newest


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


@dataclass(frozen=True)
class PlanRates:
    """Estimator lines with the plan's allowed amounts where the file gives rates (`allowed`
    set), a note for each, and the date of the payer file they come from."""

    lines: list[ProcedureLine]
    notes: list[str]
    as_of: date | None


def apply_plan_rates(
    lines: Sequence[ProcedureLine],
    *,
    provider: Provider,
    plan: InsurancePlan,
    today: date | None = None,
) -> PlanRates:
    """The lines with the plan's allowed amounts where the provider has the plan's rates, and
    a note for each saying where the amount comes from."""
    today = today or timezone.localdate()
    rates, file_date = _current_rates(provider, plan, [line.code for line in lines], today)
    result: list[ProcedureLine] = []
    notes: list[str] = []
    for line in lines:
        allowed = allowed_amount(rates.get(line.code, []), charge=line.unit_price())
        if allowed is None:
            result.append(line)
            continue
        result.append(replace(line, allowed=(allowed.low, allowed.high)))
        notes.append(_rate_note(line, allowed, plan, file_date))
    return PlanRates(result, notes, file_date if notes else None)


def _rate_note(
    line: ProcedureLine, allowed: Allowed, plan: InsurancePlan, file_date: date | None
) -> str:
    source = (
        _("%(payer)s's file dated %(date)s") % {"payer": plan.payer, "date": file_date}
        if file_date
        else _("%(payer)s's file") % {"payer": plan.payer}
    )
    amount = (
        _money(allowed.low)
        if allowed.low == allowed.high
        else _("%(low)s to %(high)s (the file lists several rates; the total uses the midpoint)")
        % {"low": _money(allowed.low), "high": _money(allowed.high)}
    )
    if allowed.negotiated_type == NegotiatedRate.Type.PERCENTAGE:
        percents = _(" or ").join(f"{percent.normalize():f}%" for percent in allowed.percents)
        basis = _("%(percents)s of the provider's charge (%(charge)s)") % {
            "percents": percents,
            "charge": _money(line.unit_price()),
        }
        return _(
            "%(code)s: the plan allows %(amount)s per unit, %(basis)s: a percentage rate from "
            "%(source)s."
        ) % {"code": line.code, "amount": amount, "basis": basis, "source": source}
    kind = (
        _("fee schedule")
        if allowed.negotiated_type == NegotiatedRate.Type.FEE_SCHEDULE
        else _("negotiated rate")
    )
    return _("%(code)s: the plan allows %(amount)s per unit, the %(kind)s from %(source)s.") % {
        "code": line.code,
        "amount": amount,
        "kind": kind,
        "source": source,
    }


def network_evidence(provider: Provider, plan: InsurancePlan) -> str | None:
    """Where "in network" comes from, in words, for the newest current payer-file listing:
    "listed in Open Access (Aetna's file of 2026-11-01)"; None without one."""
    row = (
        PlanAcceptance.objects.filter(
            provider=provider, plan=plan, ended_on__isnull=True, file_date__isnull=False
        )
        .order_by("-file_date")
        .first()
    )
    if row is None:
        return None
    return _("listed in %(plan)s in %(payer)s's file of %(date)s") % {
        "plan": plan.name,
        "payer": plan.payer,
        "date": row.file_date,
    }
