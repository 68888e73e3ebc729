"""The estimator's inputs and results as the API and pages see them (see `finder.costs`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finder.estimate import DISCLAIMER, Estimate, Network, PriceRange, VisitCost
from providers.lazy_text import Text
from providers.models import InsurancePlan, Procedure, Provider

CoverageType = Literal["insurance", "medicare", "self_pay"]
PriceSource = Literal["provider", "typical"]
AllowedSource = Literal[
    "medicare_locality", "medicare_national", "negotiated_rate", "cash_price", "typical"
]
ALLOWED_SOURCE_WORDS: dict[str, Text] = {
    "medicare_locality": gettext_lazy("Medicare's amount for this locality"),
    "medicare_national": gettext_lazy("Medicare's national amount"),
    "negotiated_rate": gettext_lazy("Your plan's rate from its public file"),
    "cash_price": gettext_lazy("The provider's price"),
    "typical": gettext_lazy("A typical price"),
}

COVERAGE_TYPES: tuple[CoverageType, ...] = ("insurance", "medicare", "self_pay")

NETWORK_LABELS: dict[str, Text] = {
    "in": gettext_lazy("In network"),
    "out": gettext_lazy("Out of network"),
    "self_pay": gettext_lazy("Self-pay (no insurance claim)"),
    "medicare": gettext_lazy("Original Medicare (Part B)"),
}


@dataclass(frozen=True)
class RequestedProcedure:
    """A procedure code performed ``quantity`` times (units) at every visit."""

    code: str
    quantity: int = 1


@dataclass(frozen=True)
class CoverageTerms:
    """The patient's coverage as entered; ``None`` means "not given" (a default is assumed)."""

    type: CoverageType
    plan: InsurancePlan | None = None
    deductible_remaining: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    copay: Decimal | None = None
    deductible_applies: bool = True
    out_of_pocket_max_remaining: Decimal | None = None
    covered_visits_remaining: int | None = None
    out_of_network_deductible_remaining: Decimal | None = None
    out_of_network_coinsurance_percent: Decimal | None = None


class InvalidProcedures(Exception):
    """Some requested codes cannot be estimated; ``errors`` maps list positions to messages."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ProcedureOption:
    """A procedure the patient may choose, with the provider's own price when published."""

    procedure: Procedure
    cash_price: Decimal | None

    @property
    def code(self) -> str:
        return self.procedure.code

    @property
    def label(self) -> str:
        return self.procedure.label

    @property
    def typical_low(self) -> Decimal:
        return self.procedure.typical_price_low

    @property
    def typical_high(self) -> Decimal:
        return self.procedure.typical_price_high


@dataclass(frozen=True)
class PricedLine:
    """One procedure line as priced: ``unit_price`` is the typical midpoint when no own price."""

    code: str
    label: str
    quantity: int
    unit_price: Decimal
    price_source: PriceSource
    per_visit: Decimal  # unit price x quantity, in cents
    typical_low: Decimal
    typical_high: Decimal
    # The approved amount per unit before any reduction; None where the coverage does not
    # cover the line (then the patient pays the unit price).
    allowed_amount: Decimal | None = None
    allowed_source: AllowedSource | None = None
    allowed_as_of: date | None = None  # the payer file's date, for a negotiated rate

    @property
    def allowed_words(self) -> str:
        """Where the approved amount comes from, in words ("Not covered" without one)."""
        if self.allowed_source is None:
            return _("Not covered")
        words = str(ALLOWED_SOURCE_WORDS[self.allowed_source])
        if self.allowed_as_of is not None:
            words = _("%(source)s, dated %(day)s") % {
                "source": words,
                "day": self.allowed_as_of.isoformat(),
            }
        return words


@dataclass(frozen=True)
class CostEstimate:
    """An estimate for a course of visits, ready to display or serialize."""

    provider: Provider | None
    visit_count: int
    lines: list[PricedLine]
    estimate: Estimate
    assumptions: list[str]
    disclaimer: Text = DISCLAIMER
    currency: str = "USD"

    @property
    def network(self) -> Network:
        return self.estimate.network

    @property
    def network_label(self) -> Text:
        return NETWORK_LABELS[self.estimate.network]

    @property
    def visits(self) -> list[VisitCost]:
        return self.estimate.visits

    @property
    def total_billed(self) -> Decimal:
        return self.estimate.total_billed

    @property
    def total_patient_pays(self) -> Decimal:
        return self.estimate.total_patient_pays

    @property
    def total_plan_pays(self) -> Decimal:
        return self.estimate.total_plan_pays

    @property
    def range(self) -> PriceRange | None:
        return self.estimate.range

    @property
    def range_words(self) -> tuple[str, str]:
        """What the pages say before and after the range's two figures."""
        if self.network != "medicare":
            return (
                _("Typical prices were used, so your share could range from"),
                _("; the figures above use the middle of the range."),
            )
        after = (
            _(
                # xgettext:no-python-format
                ": the low end if the provider accepts Medicare's approved amount as full "
                "payment, the high end if it charges up to Medicare's limiting charge (109.25% "
                "of Medicare's amount); typical prices were used for what Medicare does not "
                "cover."
            )
            if self.estimate.uses_typical_prices
            else _(
                # xgettext:no-python-format
                ": the low end if the provider accepts Medicare's approved amount as full "
                "payment, the high end if it charges up to Medicare's limiting charge (109.25% "
                "of Medicare's amount)."
            )
        )
        return (_("Your share could range from"), after)

    @property
    def per_visit_billed(self) -> Decimal:
        return self.estimate.visits[0].billed

    @property
    def offers_good_faith_estimate(self) -> bool:
        """A printable Good Faith Estimate applies to self-pay care from a named provider."""
        return self.network == "self_pay" and self.provider is not None
