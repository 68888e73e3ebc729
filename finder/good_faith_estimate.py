"""Good Faith Estimates for self-pay patients (No Surprises Act, 45 CFR 149.610).

The charges come from finder.costs (the same prices and arithmetic as every estimate); this
module adds what the printed estimate must show. The patient's name and birth date are never
passed here: the page prints them and nothing stores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from finder.costs import CoverageTerms, PriceSource, RequestedProcedure, estimate_visits
from finder.estimate import GOOD_FAITH_ESTIMATE_DISCLAIMERS
from providers.lazy_text import Text
from providers.models import PracticeLocation, Provider


@dataclass(frozen=True)
class GoodFaithEstimateLine:
    code: str
    label: str
    quantity: int
    unit_price: Decimal
    price_source: PriceSource
    per_visit: Decimal
    course_total: Decimal  # per_visit x the number of visits


@dataclass(frozen=True)
class GoodFaithEstimate:
    """What 45 CFR 149.610 asks a Good Faith Estimate to show, bar the patient's own details."""

    provider: Provider
    location: PracticeLocation | None
    lines: list[GoodFaithEstimateLine]
    visits: int
    per_visit_total: Decimal
    total: Decimal
    issued: date
    uses_typical_prices: bool
    disclaimers: list[Text] = field(default_factory=lambda: list(GOOD_FAITH_ESTIMATE_DISCLAIMERS))
    currency: str = "USD"


def good_faith_estimate(
    *,
    provider: Provider,
    procedures: Sequence[RequestedProcedure] | None,
    visits: int,
    issued: date | None = None,
) -> GoodFaithEstimate:
    """The self-pay charges for a Good Faith Estimate (No Surprises Act, 45 CFR 149.610).

    Charges are the provider's own prices; where it has published none, the typical midpoint
    is shown and flagged. The patient's name and birth date are not taken here: they are only
    printed by the page, never passed to the domain or stored.
    """
    result = estimate_visits(
        provider=provider,
        procedures=procedures,
        visits=visits,
        coverage=CoverageTerms(type="self_pay"),
    )
    return GoodFaithEstimate(
        provider=provider,
        location=provider.locations.order_by("id").first(),
        lines=[
            GoodFaithEstimateLine(
                code=line.code,
                label=line.label,
                quantity=line.quantity,
                unit_price=line.unit_price,
                price_source=line.price_source,
                per_visit=line.per_visit,
                course_total=line.per_visit * visits,
            )
            for line in result.lines
        ],
        visits=visits,
        per_visit_total=result.per_visit_billed,
        total=result.total_billed,
        issued=issued or timezone.localdate(),
        uses_typical_prices=result.estimate.uses_typical_prices,
    )
