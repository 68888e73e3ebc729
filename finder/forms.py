"""Forms for the HTML pages: validation only; the work is done by finder.costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from finder import costs
from finder.estimate import MEDICARE_PART_B_DEDUCTIBLE_2026, deductible_left
from providers.lazy_text import Text
from providers.models import InsurancePlan, Provider

_MONEY_ATTRS = {"inputmode": "decimal", "placeholder": "0.00"}
_NO_PROVIDER = _(
    "The printed estimate names its provider: choose one from search, then estimate again."
)


def _money_field(label: Text, help_text: Text) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=Decimal("0"),
        max_value=costs.MAX_MONEY,
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(attrs=_MONEY_ATTRS),
    )


def _percent_field(label: Text, help_text: Text) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "20"}),
    )


def _provider_id(raw: object) -> int | None:
    try:
        return int(str(raw))
    except ValueError:
        return None


class CheckboxCodesField(forms.MultipleChoiceField):
    """Checkboxes for procedure codes.

    The choices only draw the checkboxes: codes are checked by finder.costs, so the page and
    the API reject an unknown or not-offered code with the same message.
    """

    widget = forms.CheckboxSelectMultiple

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


@dataclass(frozen=True)
class ProcedureRow:
    """One procedure on the form: its checkbox, its quantity input and its price."""

    option: costs.ProcedureOption
    checkbox: BoundWidget
    quantity: forms.BoundField


# Query parameters that preselect the estimate form's choices without submitting it.
PRESELECTING = {"provider", "plan"}


class EstimateForm(forms.Form):
    """The /estimate/ form, sent by GET so nothing is stored and a result can be shared.

    ``cleaned_data`` holds what finder.costs.estimate_visits takes: ``provider``,
    ``procedures`` (RequestedProcedure list), ``visits`` and ``coverage`` (CoverageTerms).
    """

    provider = forms.IntegerField(required=False, widget=forms.HiddenInput)
    code = CheckboxCodesField(label=_("Procedures at each visit"), required=False)
    visits = forms.IntegerField(
        label=_("Number of visits"),
        min_value=1,
        max_value=costs.MAX_VISITS,
        required=False,
        initial=1,
        help_text=format_lazy(
            _(
                "How many visits to estimate, from 1 to {max}. A course of care is often 6 to 12 "
                "visits."
            ),
            max=costs.MAX_VISITS,
        ),
    )
    coverage_type = forms.ChoiceField(
        label=_("How will you pay?"),
        choices=[
            ("insurance", _("Health insurance")),
            ("medicare", _("Original Medicare (Part B)")),
            ("self_pay", _("Self-pay (no insurance claim)")),
        ],
        initial="insurance",
        widget=forms.RadioSelect,
        help_text=_(
            "Self-pay means you pay the provider directly and no claim is sent to a plan; "
            "you can then print a cost estimate to take to the provider."
        ),
    )
    plan = forms.ModelChoiceField(
        label=_("Insurance plan"),
        queryset=InsurancePlan.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Not sure / not listed"),
        help_text=_(
            "With a plan, we check whether this provider lists it: if not, your "
            "out-of-network benefits apply."
        ),
    )
    deductible = _money_field(
        _("Yearly deductible ($)"),
        format_lazy(
            _(
                "The amount you pay yourself each year before your plan starts sharing costs, "
                "such as $1,500. Medicare Part B's is ${amount} in 2026; leave it blank for "
                "Medicare and we use that."
            ),
            amount=f"{MEDICARE_PART_B_DEDUCTIBLE_2026:,.0f}",
        ),
    )
    deductible_met = _money_field(
        _("Paid toward it so far this year ($)"),
        _(
            "How much of the deductible you have already paid this year. Your plan's website or "
            "app shows it. We work out what is left."
        ),
    )
    # Not on the form: what is left of the deductible, as earlier links to this page gave it.
    deductible_remaining = _money_field(_("Deductible left this year ($)"), "")
    coinsurance_percent = _percent_field(
        _("Coinsurance (%)"),
        _(
            "After the deductible, the share of each bill you pay, such as 20%. The plan pays "
            "the rest."
        ),
    )
    copay = _money_field(
        _("Copay per visit ($)"),
        _(
            "A fixed amount you pay at each visit, such as $30. Plans usually use either a copay "
            "or coinsurance for these visits; leave blank if yours uses coinsurance."
        ),
    )
    deductible_applies = forms.TypedChoiceField(
        label=_("Does your deductible apply to these visits?"),
        choices=[
            ("yes", _("Yes (most plans)")),
            ("no", _("No, my plan covers them before the deductible is met")),
        ],
        coerce=lambda value: value == "yes",
        # Django returns empty_value as given; django-stubs types it as str | None only.
        empty_value=True,  # type: ignore[arg-type]
        required=False,
        initial="yes",
        widget=forms.RadioSelect,
        help_text=_(
            "Some plans charge only a copay for therapy visits, even before the deductible is met."
        ),
    )
    out_of_pocket_max_remaining = _money_field(
        _("Out-of-pocket maximum left this year ($)"),
        _(
            "The most you will pay this year for covered in-network care. Once you reach it, "
            "the plan pays covered costs in full."
        ),
    )
    covered_visits_remaining = forms.IntegerField(
        label=_("Covered visits left this year"),
        min_value=0,
        max_value=costs.MAX_COVERED_VISITS,
        required=False,
        help_text=_(
            "Many plans cover only a set number of chiropractic or therapy visits a year. "
            "Visits past the limit are not covered and you pay the full price. Leave blank if "
            "there is no limit."
        ),
    )
    out_of_network_deductible_remaining = _money_field(
        _("Out-of-network deductible left ($)"),
        _(
            "Used only when the provider is not in your plan's network. Out-of-network care often "
            "has its own, higher deductible."
        ),
    )
    out_of_network_coinsurance_percent = _percent_field(
        _("Out-of-network coinsurance (%)"),
        _(
            "Your share of each bill for out-of-network care, such as 40%. Leave blank if your "
            "plan has no out-of-network benefits: you would then pay the full price."
        ),
    )

    COVERAGE_FIELD_NAMES = (
        "plan",
        "deductible_remaining",  # worked out in clean() from the two fields below
        "coinsurance_percent",
        "copay",
        "deductible_applies",
        "out_of_pocket_max_remaining",
        "covered_visits_remaining",
        "out_of_network_deductible_remaining",
        "out_of_network_coinsurance_percent",
    )
    # The benefit fields as the form shows them, and the coverage types each one is used for:
    # the page hides the others once a coverage type is chosen (a CSS rule, so no script).
    BENEFIT_FIELD_USES = {
        "plan": "insurance",
        "deductible": "insurance medicare",
        "deductible_met": "insurance medicare",
        "coinsurance_percent": "insurance",
        "copay": "insurance",
        "deductible_applies": "insurance",
        "out_of_pocket_max_remaining": "insurance medicare",
        "covered_visits_remaining": "insurance medicare",
        "out_of_network_deductible_remaining": "insurance",
        "out_of_network_coinsurance_percent": "insurance",
    }

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        super().__init__(data, label_suffix="", **kwargs)
        raw = self.data.get("provider") if self.is_bound else self.initial.get("provider")
        self.selected_provider: Provider | None = costs.find_public_provider(_provider_id(raw))
        # An unbound form with an unknown ?provider= shows typical prices and a notice.
        self.provider_not_found = bool(raw) and self.selected_provider is None
        if not self.is_bound and self.selected_provider is not None:
            self.initial["provider"] = self.selected_provider.pk
        self.options = costs.procedure_options(self.selected_provider)
        usual = costs.usual_procedure_code(self.selected_provider)
        code_field = self.fields["code"]
        assert isinstance(code_field, CheckboxCodesField)
        code_field.choices = [(option.code, option.code) for option in self.options]
        code_field.initial = [usual]
        for option in self.options:
            self.fields[f"qty_{option.code}"] = forms.IntegerField(
                label=_("Units of %(code)s per visit") % {"code": option.code},
                min_value=1,
                max_value=costs.MAX_QUANTITY,
                required=False,
                initial=1,
                widget=forms.NumberInput(attrs={"class": "quantity"}),
            )

    @classmethod
    def from_query(cls, query: QueryDict) -> EstimateForm:
        """Bound when the form was submitted; ``?provider=<id>&plan=<slug>`` alone (a search
        result's "Estimate my cost", with the plan searched) only preselects; a Medicare plan
        preselects Medicare."""
        if set(query) - PRESELECTING:
            return cls(query)
        initial = {"provider": query.get("provider")}
        plan = InsurancePlan.objects.filter(slug=query.get("plan", "")).first()
        if plan is not None:
            initial["plan"] = plan.slug
            if plan.kind == InsurancePlan.Kind.MEDICARE:
                initial["coverage_type"] = "medicare"
        return cls(initial=initial)

    @property
    def procedure_rows(self) -> list[ProcedureRow]:
        checkboxes = {widget.data["value"]: widget for widget in self["code"].subwidgets}
        return [
            ProcedureRow(
                option=option,
                checkbox=checkboxes[option.code],
                quantity=self[f"qty_{option.code}"],
            )
            for option in self.options
        ]

    @property
    def benefit_fields(self) -> list[tuple[forms.BoundField, str]]:
        """Each benefit field with the coverage types it is used for ("insurance medicare")."""
        return [(self[name], uses) for name, uses in self.BENEFIT_FIELD_USES.items()]

    def clean_provider(self) -> Provider | None:
        provider_id = self.cleaned_data.get("provider")
        if provider_id is not None and self.selected_provider is None:
            raise forms.ValidationError(_("No provider with id %(id)s.") % {"id": provider_id})
        return self.selected_provider

    def clean_visits(self) -> int:
        return self.cleaned_data.get("visits") or 1

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        procedures = [
            costs.RequestedProcedure(code, data.get(f"qty_{code}") or 1)
            for code in data.get("code", [])
        ]
        if "provider" in data:
            try:
                costs.resolve_procedures(procedures, provider=self.selected_provider)
            except costs.InvalidProcedures as exc:
                for message in exc.errors.values():
                    self.add_error("code", message)
        data["procedures"] = procedures
        data["deductible_remaining"] = self._deductible_remaining(data)
        terms: dict[str, Any] = {name: data.get(name) for name in self.COVERAGE_FIELD_NAMES}
        data["coverage"] = costs.CoverageTerms(type=data.get("coverage_type", "insurance"), **terms)
        return data

    def _deductible_remaining(self, data: dict[str, Any]) -> Decimal | None:
        """What is left of the deductible: the yearly amount (Medicare's by default) less what
        was paid toward it; None when neither was given (the estimate then says what it
        assumed)."""
        deductible, met = data.get("deductible"), data.get("deductible_met")
        if deductible is None and data.get("coverage_type") == "medicare":
            deductible = MEDICARE_PART_B_DEDUCTIBLE_2026 if met is not None else None
        if deductible is None:
            if met is not None:
                self.add_error(
                    "deductible", _("Enter your yearly deductible to work out what is left.")
                )
            return data.get("deductible_remaining")
        if met is not None and met > deductible:
            self.add_error(
                "deductible_met",
                _("Cannot be more than the deductible: enter only what you paid toward it."),
            )
            return None
        return deductible_left(deductible=deductible, met=met)


def encode_procedures(lines: list[costs.PricedLine]) -> str:
    """``98940:1 98943:2``: a priced estimate's lines for a hidden form field."""
    return " ".join(f"{line.code}:{line.quantity}" for line in lines)


class GoodFaithEstimateForm(forms.Form):
    """Patient details plus the estimate's inputs (hidden), sent by POST with CSRF.

    The name and birth date are printed on the estimate and never stored; POST keeps them out
    of URLs, browser history and server access logs.
    """

    patient_name = forms.CharField(
        label=_("Patient's full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("Printed on the estimate; not stored."),
    )
    date_of_birth = forms.DateField(
        label=_("Patient's date of birth"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text=_("Printed on the estimate; not stored."),
    )
    scheduled_date = forms.DateField(
        label=_("Date of the first visit (if scheduled)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    provider = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": _NO_PROVIDER}
    )
    procedures = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)
    visits = forms.IntegerField(
        min_value=1, max_value=costs.MAX_VISITS, initial=1, widget=forms.HiddenInput
    )

    def __init__(self, data: QueryDict | None = None, **kwargs: Any) -> None:
        # Its own ids: on the estimate page this form sits beside the estimate form.
        kwargs.setdefault("auto_id", "gfe_%s")
        super().__init__(data, label_suffix="", **kwargs)

    @classmethod
    def for_estimate(cls, result: costs.CostEstimate) -> GoodFaithEstimateForm:
        return cls(
            initial={
                "provider": result.provider.pk if result.provider else None,
                "procedures": encode_procedures(result.lines),
                "visits": result.visit_count,
            }
        )

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if not date(1900, 1, 1) <= born <= timezone.localdate():
            raise forms.ValidationError(_("Enter a date of birth between 1900 and today."))
        return born

    def clean_provider(self) -> Provider:
        provider = costs.find_public_provider(self.cleaned_data["provider"])
        if provider is None:
            raise forms.ValidationError(_NO_PROVIDER)
        return provider

    def clean_procedures(self) -> list[costs.RequestedProcedure]:
        procedures = []
        for item in self.cleaned_data["procedures"].split():
            code, _colon, quantity = item.partition(":")
            if not quantity.isdigit() or not 1 <= int(quantity) <= costs.MAX_QUANTITY:
                raise forms.ValidationError(
                    _("Invalid procedure line '%(line)s'.") % {"line": item}
                )
            procedures.append(costs.RequestedProcedure(code, int(quantity)))
        if len(procedures) > costs.MAX_PROCEDURE_LINES:
            raise forms.ValidationError(_("Too many procedure lines."))
        return procedures

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "provider" in data and "procedures" in data:
            try:
                costs.resolve_procedures(data["procedures"], provider=data["provider"])
            except costs.InvalidProcedures as exc:
                for message in exc.errors.values():
                    self.add_error("procedures", message)
        return data
