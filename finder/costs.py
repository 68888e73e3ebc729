"""Cost estimates from the directory's data: the glue between the models and finder.estimate.

This module turns a provider (or none), requested procedure codes and the patient's coverage
terms into the pure estimator's inputs, runs it, and returns what the API and the pages show.
All arithmetic is :mod:`finder.estimate`'s; here live the directory rules around it: which
codes a profession offers, which price applies (the provider's own, else the typical range),
whether the provider is in the plan's network, and the plain-language notes on what was
assumed. Nothing is stored: estimator inputs and results never reach the database or the logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finder.cost_types import (  # noqa: F401  (re-exported: the estimator's public types)
    ALLOWED_SOURCE_WORDS,
    COVERAGE_TYPES,
    NETWORK_LABELS,
    AllowedSource,
    CostEstimate,
    CoverageTerms,
    CoverageType,
    InvalidProcedures,
    PricedLine,
    PriceSource,
    ProcedureOption,
    RequestedProcedure,
)
from finder.estimate import (
    MEDICARE_PART_B_DEDUCTIBLE_2026,
    Coverage,
    Network,
    ProcedureLine,
    estimate_cost,
    to_cents,
)
from finder.medicare_amounts import (
    MedicareAmount,
    amounts_notes,
    estimate_location,
    medicare_amounts,
    medicare_assignment,
)
from finder.medicare_estimate import MedicareLine, MedicareTerms, estimate_medicare_cost
from finder.negotiated import apply_plan_rates, network_evidence
from providers.entry_level import entry_level_codes
from providers.lazy_text import Text
from providers.models import (
    PracticeLocation,
    Procedure,
    Profession,
    Provider,
    ProviderPrice,
)

DEFAULT_PROCEDURE_CODE = "98940"  # no provider: the most common manipulation code

# Input bounds shared by the API serializer and the page form.
MAX_PROCEDURE_LINES = 20
MAX_QUANTITY = 10
MAX_VISITS = 60
MAX_MONEY = Decimal("100000")
MAX_COVERED_VISITS = 1000

PROFESSION_PLURAL: dict[str, Text] = {
    Profession.CHIROPRACTOR: gettext_lazy("chiropractors"),
    Profession.PHYSICAL_THERAPIST: gettext_lazy("physical therapists"),
}

_MAX_ID = 2**63 - 1  # BigAutoField; larger ids cannot exist and would overflow the driver


def find_public_provider(provider_id: int | None) -> Provider | None:
    """The listed (not suspended) provider with this id, or None."""
    if provider_id is None or not 1 <= provider_id <= _MAX_ID:
        return None
    return Provider.objects.public().filter(pk=provider_id).first()


def usual_procedure_code(provider: Provider | None) -> str:
    """The code assumed when none is chosen: the profession's entry-level code with no service
    chosen (providers/entry_level.py), the price its listing shows."""
    if provider is None:
        return DEFAULT_PROCEDURE_CODE
    return entry_level_codes(None).get(provider.profession, DEFAULT_PROCEDURE_CODE)


def _offers(procedure: Procedure, provider: Provider | None) -> bool:
    if provider is None:
        return bool(procedure.professions)
    return provider.profession in procedure.professions


def procedure_options(provider: Provider | None) -> list[ProcedureOption]:
    """The procedures the provider's profession performs (any profession without a provider).

    The usual code comes first, then the other manipulation codes, then the rest, by code.
    """
    prices = _provider_prices(provider)
    usual = usual_procedure_code(provider)
    procedures = sorted(
        (p for p in Procedure.objects.all() if _offers(p, provider)),
        key=lambda p: (p.code != usual, not p.is_manipulation, p.code),
    )
    return [ProcedureOption(procedure=p, cash_price=prices.get(p.code)) for p in procedures]


def resolve_procedures(
    requested: Sequence[RequestedProcedure], *, provider: Provider | None
) -> list[tuple[Procedure, int]]:
    """Look up the requested codes; raise InvalidProcedures naming each bad position.

    A code must exist, be offered by the provider's profession (by chiropractors or physical
    therapists when no provider is chosen) and appear once (quantity counts the units).
    """
    found = {p.code: p for p in Procedure.objects.filter(code__in={r.code for r in requested})}
    if provider is None:
        offered_by: Text = _("chiropractors or physical therapists")
    else:
        offered_by = PROFESSION_PLURAL.get(provider.profession, provider.profession)
    errors: dict[int, str] = {}
    seen: set[str] = set()
    for index, item in enumerate(requested):
        procedure = found.get(item.code)
        if procedure is None:
            errors[index] = _("Unknown procedure code '%(code)s'.") % {"code": item.code}
        elif not _offers(procedure, provider):
            errors[index] = _("Code %(code)s is not offered by %(professions)s.") % {
                "code": item.code,
                "professions": offered_by,
            }
        elif item.code in seen:
            errors[index] = _(
                "Code %(code)s is listed more than once; set its quantity instead."
            ) % {"code": item.code}
        seen.add(item.code)
    if errors:
        raise InvalidProcedures(errors)
    return [(found[item.code], item.quantity) for item in requested]


def estimate_visits(
    *,
    provider: Provider | None,
    procedures: Sequence[RequestedProcedure] | None,
    visits: int,
    coverage: CoverageTerms,
) -> CostEstimate:
    """Estimate ``visits`` identical visits; amounts in dollars (cents) via finder.estimate.

    Without procedures, one unit of the profession's usual manipulation code is assumed. Lines
    without the provider's own price use the procedure's typical range (its midpoint for the
    totals). Raises InvalidProcedures for codes that cannot be estimated.
    """
    notes: list[str] = []
    defaulted = not procedures
    if not procedures:
        procedures = [RequestedProcedure(usual_procedure_code(provider))]
    resolved = resolve_procedures(procedures, provider=provider)
    if defaulted:
        usual = resolved[0][0]
        notes.append(
            _(
                "No procedures were chosen, so one unit of %(code)s (%(label)s) per visit is "
                "assumed."
            )
            % {"code": usual.code, "label": _(usual.label)}
        )
    lines = _procedure_lines(resolved, provider)
    if coverage.type == "medicare":
        return _estimate_medicare(provider, lines, visits, coverage, notes)
    coverage_model, coverage_notes = coverage_for(coverage, provider=provider)
    rates_as_of = None
    if coverage_model.network == "in" and coverage.plan is not None and provider is not None:
        plan_rates = apply_plan_rates(lines, provider=provider, plan=coverage.plan)
        lines, rates_as_of = plan_rates.lines, plan_rates.as_of
        coverage_notes.extend(plan_rates.notes)
    estimate = estimate_cost(lines=lines, visits=visits, coverage=coverage_model)
    return CostEstimate(
        provider=provider,
        visit_count=visits,
        lines=[_priced(line, rates_as_of=rates_as_of) for line in lines],
        estimate=estimate,
        assumptions=[*notes, *coverage_notes, *estimate.assumptions],
    )


def coverage_for(terms: CoverageTerms, *, provider: Provider | None) -> tuple[Coverage, list[str]]:
    """The estimator's Coverage for these terms, and notes on what was assumed.

    Network: self-pay and Medicare are their own; for insurance the provider is in network iff
    its listing accepts the chosen plan, and assumed in network without a plan or a provider.
    """
    if terms.type == "self_pay":
        return Coverage(network="self_pay"), []
    if terms.type == "medicare":
        raise ValueError("Medicare has its own estimator: finder.medicare_estimate.")
    return _insurance_terms(terms, provider)


def _provider_prices(provider: Provider | None) -> dict[str, Decimal]:
    if provider is None:
        return {}
    rows = ProviderPrice.objects.filter(provider=provider).values_list(
        "procedure__code", "cash_price"
    )
    return dict(rows)


def _procedure_lines(
    resolved: list[tuple[Procedure, int]], provider: Provider | None
) -> list[ProcedureLine]:
    prices = _provider_prices(provider)
    return [
        ProcedureLine(
            code=procedure.code,
            label=procedure.label,
            quantity=quantity,
            cash_price=prices.get(procedure.code),
            typical_low=procedure.typical_price_low,
            typical_high=procedure.typical_price_high,
            # Without a provider, assume the profession Medicare pays for this code.
            medicare_covered=(
                bool(procedure.medicare_covered_for)
                if provider is None
                else provider.profession in procedure.medicare_covered_for
            ),
        )
        for procedure, quantity in resolved
    ]


def _priced(
    line: ProcedureLine,
    allowed: tuple[Decimal | None, AllowedSource | None] | None = None,
    *,
    rates_as_of: date | None = None,
) -> PricedLine:
    """A line for display; ``allowed`` overrides the approved amount (default: the plan's
    rate where the line carries one, from the payer file of ``rates_as_of``, else the price).
    Several rates for a code give their midpoint, as the totals use."""
    unit_price = to_cents(line.unit_price())
    own_price = line.cash_price is not None
    allowed_as_of = None
    if allowed is not None:
        allowed_amount, allowed_source = allowed
    elif line.allowed is not None:
        allowed_amount, allowed_source = to_cents(line.allowed_price()), "negotiated_rate"
        allowed_as_of = rates_as_of
    else:
        allowed_amount, allowed_source = unit_price, "cash_price" if own_price else "typical"
    return PricedLine(
        code=line.code,
        label=line.label,
        quantity=line.quantity,
        unit_price=unit_price,
        price_source="provider" if own_price else "typical",
        per_visit=to_cents(line.unit_price() * line.quantity),
        typical_low=line.typical_low,
        typical_high=line.typical_high,
        allowed_amount=allowed_amount,
        allowed_source=allowed_source,
        allowed_as_of=allowed_as_of,
    )


def _estimate_medicare(
    provider: Provider | None,
    lines: list[ProcedureLine],
    visits: int,
    terms: CoverageTerms,
    notes: list[str],
) -> CostEstimate:
    """Original Medicare: the fee schedule amount of the provider's first location (national
    without a provider or a known locality) as the approved amount; assignment as recorded."""
    location = estimate_location(provider)
    amounts = medicare_amounts(
        zip_code=location.zip_code if location else None, codes=[line.code for line in lines]
    )
    assignment = medicare_assignment(provider)
    medicare_lines = [
        MedicareLine(
            line=line,
            amount=amounts[line.code].amount if line.code in amounts else None,
            therapy_reduction_amount=(
                amounts[line.code].therapy_reduction_amount if line.code in amounts else None
            ),
        )
        for line in lines
    ]
    estimate = estimate_medicare_cost(
        lines=medicare_lines,
        visits=visits,
        terms=MedicareTerms(
            assignment=assignment,
            deductible_remaining=(
                MEDICARE_PART_B_DEDUCTIBLE_2026
                if terms.deductible_remaining is None
                else terms.deductible_remaining
            ),
            out_of_pocket_max_remaining=terms.out_of_pocket_max_remaining,
            covered_visits_remaining=terms.covered_visits_remaining,
        ),
    )
    priced = []
    for item in medicare_lines:
        allowed = item.allowed_per_unit(assignment)
        source: AllowedSource | None = None
        if allowed is not None:
            amount = amounts.get(item.line.code)
            if amount is not None:
                source = "medicare_locality" if amount.source == "locality" else "medicare_national"
            else:
                source = "cash_price" if item.line.cash_price is not None else "typical"
        priced.append(_priced(item.line, (allowed, source)))
    return CostEstimate(
        provider=provider,
        visit_count=visits,
        lines=priced,
        estimate=estimate,
        assumptions=[
            *notes,
            *_medicare_notes(terms, provider, location, amounts),
            *estimate.assumptions,
        ],
    )


def _medicare_notes(
    terms: CoverageTerms,
    provider: Provider | None,
    location: PracticeLocation | None,
    amounts: dict[str, MedicareAmount],
) -> list[str]:
    notes = []
    if terms.deductible_remaining is None:
        notes.append(
            _(
                "No remaining Part B deductible was entered, so the full 2026 deductible "
                "($%(amount)s) is assumed."
            )
            % {"amount": MEDICARE_PART_B_DEDUCTIBLE_2026}
        )
    if terms.coinsurance_percent is not None or terms.copay is not None:
        notes.append(
            _(
                # xgettext:no-python-format
                "Medicare's 20% coinsurance was used; the coinsurance and copay you entered "
                "apply to private insurance only."
            )
        )
    if provider is None:
        notes.append(
            _(
                "No provider was chosen, so each service is assumed to come from a profession "
                "Medicare pays for it (spinal manipulation from a chiropractor, therapy from a "
                "physical therapist)."
            )
        )
    notes.extend(amounts_notes(location=location, amounts=amounts))
    return notes


def _insurance_terms(terms: CoverageTerms, provider: Provider | None) -> tuple[Coverage, list[str]]:
    notes = []
    network: Network = "in"
    if terms.plan is None:
        notes.append(
            _(
                "No insurance plan was chosen, so the provider is assumed to be in your plan's "
                "network."
            )
        )
    elif provider is None:
        notes.append(_("No provider was chosen, so in-network benefits are assumed."))
    elif provider.insurance_plans.filter(pk=terms.plan.pk).exists():
        evidence = network_evidence(provider, terms.plan)
        says = (
            _("This provider is %(evidence)s") % {"evidence": evidence}
            if evidence
            else _("This provider's listing says it accepts %(plan)s") % {"plan": terms.plan.name}
        )
        notes.append(
            _(
                "%(says)s, so in-network benefits were used. Networks change: confirm with the "
                "provider and your plan."
            )
            % {"says": says}
        )
    else:
        network = "out"
        notes.append(
            _(
                "This provider's listing does not include %(plan)s, so out-of-network benefits "
                "were used."
            )
            % {"plan": terms.plan.name}
        )
    if network == "in":
        if terms.deductible_remaining is None:
            notes.append(
                _(
                    "No remaining deductible was entered, so your deductible is taken as already "
                    "met ($0 left)."
                )
            )
        if terms.coinsurance_percent is None and terms.copay is None:
            notes.append(
                _(
                    "No coinsurance or copay was entered, so the plan is assumed to pay covered "
                    "costs in full after the deductible."
                )
            )
    elif (
        terms.out_of_network_coinsurance_percent is not None
        and terms.out_of_network_deductible_remaining is None
    ):
        notes.append(
            _(
                "No remaining out-of-network deductible was entered, so it is taken as already "
                "met ($0 left)."
            )
        )
    if terms.out_of_pocket_max_remaining is None:
        notes.append(_("No out-of-pocket maximum was entered, so no yearly cap was applied."))
    coverage = Coverage(
        network=network,
        deductible_remaining=terms.deductible_remaining or Decimal("0"),
        coinsurance_percent=terms.coinsurance_percent or Decimal("0"),
        copay=terms.copay or Decimal("0"),
        deductible_applies=terms.deductible_applies,
        out_of_pocket_max_remaining=terms.out_of_pocket_max_remaining,
        covered_visits_remaining=terms.covered_visits_remaining,
        out_of_network_deductible_remaining=terms.out_of_network_deductible_remaining,
        out_of_network_coinsurance_percent=terms.out_of_network_coinsurance_percent,
    )
    return coverage, notes
