"""A provider's own edits of its listing, a curator's revert of one, and the confirmation.

A listing's editable facts are read and written as JSON values keyed by field
(`listing_values`): the edit form starts from them, a `ListingChange` keeps the old and new
value of each, and a revert writes the old one back through the same `write_values`. Every
write is a history version of its own (django-simple-history), attributed and explained.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from providers.acceptance import record_curated_plans, record_provider_plans
from providers.accounts.models import ListingChange, ProviderAccount
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    Procedure,
    Provider,
    ProviderPrice,
    VerificationSource,
    VerificationStatus,
)

# What a provider may edit of its own listing, and what a curator may lock against those edits
# (Provider.locked_fields): field name -> label.
PROVIDER_EDITABLE_FIELDS: dict[str, str] = {
    "accepting_new_patients": "Accepting new patients",
    "services": "Services offered",
    "prices": "Cash prices",
    "plans": "Insurance plans",
    "hours": "Hours",
    "bio": "Short bio",
    "website": "Website",
}
PRICE_PREFIX = "price:"
TEXT_FIELDS = ("hours", "bio", "website")
EDITED_REASON = "Edited by the provider"
REVERTED_REASON = "Reverted by a curator"
CONFIRMED_REASON = "Confirmed by the provider"


def procedures_for(provider: Provider) -> list[Procedure]:
    """The procedures a provider of this profession bills, whose cash prices it may list."""
    return [
        procedure
        for procedure in Procedure.objects.order_by("code")
        if provider.profession in procedure.professions
    ]


def lock_name(field: str) -> str:
    """The lockable field (PROVIDER_EDITABLE_FIELDS) a value's key belongs to."""
    return "prices" if field.startswith(PRICE_PREFIX) else field


def field_label(field: str) -> str:
    """A value's key in words: "Cash price 98940", "Insurance plans"."""
    if field.startswith(PRICE_PREFIX):
        return f"Cash price {field.removeprefix(PRICE_PREFIX)}"
    return PROVIDER_EDITABLE_FIELDS.get(field, field)


def listing_values(provider: Provider) -> dict[str, Any]:
    """The provider's editable facts as JSON values: booleans, sorted lists of service names
    and plan slugs, text, and each billable code's cash price as a decimal string or None."""
    prices = {
        price.procedure.code: f"{price.cash_price:.2f}"
        for price in provider.prices.select_related("procedure")
    }
    values: dict[str, Any] = {
        "accepting_new_patients": provider.accepting_new_patients,
        "services": sorted(provider.services),
        "plans": sorted(provider.insurance_plans.values_list("slug", flat=True)),
        **{name: getattr(provider, name) for name in TEXT_FIELDS},
    }
    for procedure in procedures_for(provider):
        values[PRICE_PREFIX + procedure.code] = prices.get(procedure.code)
    return values


def attribute_version(provider: Provider, user: AbstractBaseUser | None, reason: str) -> None:
    """Who makes the provider's next history row, and why (django-simple-history's documented
    instance attributes for one save)."""
    provider._history_user = user  # type: ignore[attr-defined]
    provider._change_reason = reason  # type: ignore[attr-defined]


def write_values(
    provider: Provider,
    values: Mapping[str, Any],
    *,
    user: AbstractBaseUser | None,
    reason: str,
    by_provider: bool,
) -> None:
    """Write `values` (keys and JSON values as `listing_values` gives) to the listing. Plans
    are recorded as the provider's evidence or, for a curator, as the curator's."""
    for field, value in values.items():
        if field == "services":
            for service, column in SERVICE_FIELDS.items():
                setattr(provider, column, service in value)
        elif field == "accepting_new_patients" or field in TEXT_FIELDS:
            setattr(provider, field, value)
        elif field.startswith(PRICE_PREFIX):
            write_price(provider, field.removeprefix(PRICE_PREFIX), value)
    if by_provider:
        provider.provider_updated_at = timezone.now()
    attribute_version(provider, user, reason)
    provider.save()
    if "plans" in values:
        plan_ids = InsurancePlan.objects.filter(slug__in=values["plans"]).values_list(
            "id", flat=True
        )
        if by_provider:
            record_provider_plans(provider, plan_ids)
        else:
            provider.insurance_plans.set(list(plan_ids))
            record_curated_plans(provider)


def write_price(provider: Provider, code: str, amount: str | None) -> None:
    procedure = Procedure.objects.get(code=code)
    if amount is None:
        for price in ProviderPrice.objects.filter(provider=provider, procedure=procedure):
            price.delete()  # one by one: each deletion is a history version
        return
    existing = ProviderPrice.objects.filter(provider=provider, procedure=procedure).first()
    price = existing or ProviderPrice(provider=provider, procedure=procedure)
    price.cash_price = Decimal(amount)
    price.full_clean()
    price.save()


def edit_listing(
    *, provider: Provider, account: ProviderAccount, values: Mapping[str, Any]
) -> list[ListingChange]:
    """Apply a provider's edit: the values that differ from the listing's and are not locked
    by a curator are written at once (public immediately) and kept as review-queue rows."""
    before = listing_values(provider)
    changed = {
        field: value
        for field, value in values.items()
        if field in before and before[field] != value and not provider.is_locked(lock_name(field))
    }
    if not changed:
        return []
    with transaction.atomic():
        write_values(provider, changed, user=account.user, reason=EDITED_REASON, by_provider=True)
        return ListingChange.objects.bulk_create(
            ListingChange(
                provider=provider,
                account=account,
                field=field,
                old_value=before[field],
                new_value=value,
            )
            for field, value in changed.items()
        )


def revert_change(change: ListingChange, *, curator: AbstractBaseUser) -> None:
    """Put back the value the provider's change replaced, as a curator's edit."""
    with transaction.atomic():
        write_values(
            change.provider,
            {change.field: change.old_value},
            user=curator,
            reason=REVERTED_REASON,
            by_provider=False,
        )
        change.reverted_at = timezone.now()
        change.reverted_by = curator  # type: ignore[assignment]
        change.save(update_fields=["reverted_at", "reverted_by"])


def confirm_listing(*, provider: Provider, account: ProviderAccount) -> None:
    """ "Everything here is correct": the listing is verified today, by the provider. A
    suspended listing stays suspended (hidden); its date is recorded all the same."""
    if provider.verification_status != VerificationStatus.SUSPENDED:
        provider.verification_status = VerificationStatus.VERIFIED
    provider.last_verified = timezone.localdate()
    provider.verification_source = VerificationSource.PROVIDER
    attribute_version(provider, account.user, CONFIRMED_REASON)
    provider.save()
