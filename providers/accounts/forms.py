"""The account pages' forms: validation only; the work is done by the modules they feed."""

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from providers.accounts.editing import (
    PRICE_PREFIX,
    PROVIDER_EDITABLE_FIELDS,
    TEXT_FIELDS,
    procedures_for,
)
from providers.accounts.models import ListingReport
from providers.models import (
    InsurancePlan,
    Provider,
    Service,
)
from providers.scope import check_services
from providers.validators import validate_npi

MAX_NPIS_PER_CLAIM = 10
LOCKED_HELP = "Locked by our curators: email us if it needs changing."


class NoColon:
    """Labels without Django's trailing colon, as the site's other forms read."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def normalized_email(value: str) -> str:
    return value.strip().lower()


class SignupForm(NoColon, forms.Form):
    email = forms.EmailField(max_length=150, help_text="We send a link to confirm it.")
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def clean_email(self) -> str:
        email = normalized_email(self.cleaned_data["email"])
        if get_user_model().objects.filter(username__iexact=email).exists():
            raise ValidationError(
                "An account with this email exists: sign in, or reset its password."
            )
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first and cleaned.get("email"):
            user = get_user_model()(username=cleaned["email"], email=cleaned["email"])
            try:
                password_validation.validate_password(first, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class EmailLoginForm(NoColon, AuthenticationForm):
    """Sign in with the email: it is the account's username, lower-cased."""

    username = forms.CharField(label="Email", max_length=150)

    def clean_username(self) -> str:
        return normalized_email(self.cleaned_data["username"])


class EmailChangeForm(NoColon, forms.Form):
    email = forms.EmailField(label="New email", max_length=150)
    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = normalized_email(self.cleaned_data["email"])
        taken = get_user_model().objects.filter(username__iexact=email).exclude(pk=self.user.pk)
        if taken.exists():
            raise ValidationError("Another account uses this email.")
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That is not your password.")
        return password


class ClaimForm(NoColon, forms.Form):
    npis = forms.CharField(
        label="NPI numbers",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Your 10-digit NPI, or several separated by commas or lines.",
    )
    practice_name = forms.CharField(max_length=200, label="Practice name")
    phone = forms.CharField(
        max_length=20, label="Practice phone", help_text="The number patients call."
    )

    def clean_npis(self) -> list[Provider]:
        npis = list(dict.fromkeys(re.split(r"[\s,;]+", self.cleaned_data["npis"].strip())))
        npis = [npi for npi in npis if npi]
        if len(npis) > MAX_NPIS_PER_CLAIM:
            raise ValidationError(f"Claim at most {MAX_NPIS_PER_CLAIM} NPIs at a time.")
        errors = []
        for npi in npis:
            try:
                validate_npi(npi)
            except ValidationError:
                errors.append(f"{npi} is not a valid NPI.")
        if errors:
            raise ValidationError(errors)
        providers = {p.npi: p for p in Provider.objects.public().filter(npi__in=npis)}
        missing = [npi for npi in npis if npi not in providers]
        if missing:
            raise ValidationError(f"No listing here has NPI {', '.join(missing)}.")
        return [providers[npi] for npi in npis]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if len(re.sub(r"\D", "", phone)) < 10:
            raise ValidationError("Enter the 10-digit phone number.")
        return phone


class ListingEditForm(NoColon, forms.Form):
    """A provider's own facts: the fields a curator locked are shown but cannot change."""

    accepting_new_patients = forms.BooleanField(required=False)
    services = forms.MultipleChoiceField(
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Services offered",
    )
    plans = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Insurance plans accepted"
    )
    hours = forms.CharField(
        required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. Mon-Fri 8am-6pm; Sat 9am-noon",
    )  # fmt: skip
    bio = forms.CharField(
        label="Short bio", required=False, max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Up to 600 characters about your practice. No patient information.",
    )  # fmt: skip
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")

    def __init__(self, *args, provider: Provider, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        plans = cast(forms.MultipleChoiceField, self.fields["plans"])
        plans.choices = list(InsurancePlan.objects.values_list("slug", "name"))
        self.price_fields: list[str] = []
        for procedure in procedures_for(provider):
            name = f"price_{procedure.code}"
            self.fields[name] = forms.DecimalField(
                label=f"{procedure.code} {procedure.label}",
                required=False,
                max_digits=7,
                decimal_places=2,
                min_value=Decimal("0.01"),
                max_value=Decimal("1000"),
                help_text="US dollars per visit for patients paying themselves; empty: not listed.",
            )
            self.price_fields.append(name)
        for name, field in self.fields.items():
            lock = "prices" if name in self.price_fields else name
            if lock in PROVIDER_EDITABLE_FIELDS and provider.is_locked(lock):
                field.disabled = True
                field.help_text = LOCKED_HELP

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.warnings: list[str] = []
        if "services" in cleaned:
            states = self.provider.locations.values_list("state", flat=True)
            result = check_services(
                profession=self.provider.profession,
                services=cleaned["services"],
                states=states,
                endorsed=self.provider.spinal_manipulation_endorsed,
            )
            for error in result.errors:
                self.add_error("services", error)
            self.warnings = result.warnings
        return cleaned

    def listing_values(self) -> dict[str, Any]:
        """The cleaned form as `providers.accounts.editing.listing_values` writes values."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "accepting_new_patients": data["accepting_new_patients"],
            "services": sorted(data["services"]),
            "plans": sorted(data["plans"]),
            **{name: data[name] for name in TEXT_FIELDS},
        }
        for name in self.price_fields:
            amount = data.get(name)
            values[PRICE_PREFIX + name.removeprefix("price_")] = (
                f"{amount:.2f}" if amount is not None else None
            )
        return values


class ListingReportForm(NoColon, forms.ModelForm):
    class Meta:
        model = ListingReport
        fields = ["problem", "details"]
        widgets = {
            "problem": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        }
        labels = {"problem": _("What is wrong?"), "details": _("Details (optional)")}
        help_texts = {
            "details": _(
                "What should it say instead? Please do not include any health information or "
                "your contact details."
            )
        }


def edit_form_initial(values: dict[str, Any]) -> dict[str, Any]:
    """The edit form's initial data from `editing.listing_values`."""
    initial = {name: value for name, value in values.items() if not name.startswith(PRICE_PREFIX)}
    for name, value in values.items():
        if name.startswith(PRICE_PREFIX):
            initial["price_" + name.removeprefix(PRICE_PREFIX)] = value
    return initial


class ProviderPasswordResetForm(NoColon, PasswordResetForm):
    """Resets for provider accounts only: staff reset their passwords with a superuser."""

    def get_users(self, email: str):
        return (user for user in super().get_users(email) if hasattr(user, "provider_account"))
