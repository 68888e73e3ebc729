"""Which accounts to remind to confirm their listings, and reminding them (a daily cron runs
`manage.py send_verification_reminders`)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from providers.accounts.emails import send_reminder
from providers.accounts.models import Claim, ProviderAccount
from providers.models import Provider, VerificationStatus

# A listing last confirmed more than this many days ago is due: ten days before it turns stale
# at 90 (providers.verification.STALE_AFTER_DAYS), so the provider has time to act.
REMIND_AFTER_DAYS = 80
# An account hears from us at most once in this long, however many listings are due.
REMIND_AT_MOST_EVERY = timedelta(days=7)


@dataclass
class ReminderSummary:
    accounts_reminded: int = 0
    listings_due: int = 0
    skipped_reminded_recently: int = 0
    emailed: list[str] = field(default_factory=list)


def is_due(provider: Provider, today: date) -> bool:
    """Never confirmed, or last confirmed more than REMIND_AFTER_DAYS ago."""
    return provider.last_verified is None or (today - provider.last_verified).days > (
        REMIND_AFTER_DAYS
    )


def due_listings(today: date) -> dict[ProviderAccount, list[Provider]]:
    """Each account with a verified email and an approved claim on a public listing that is
    due, with those listings (by name)."""
    claims = (
        Claim.objects.filter(
            status=Claim.Status.APPROVED,
            account__user__is_active=True,
        )
        .exclude(provider__verification_status=VerificationStatus.SUSPENDED)
        .select_related("account__user", "provider")
        .order_by("account_id", "provider__last_name", "provider__first_name", "provider_id")
    )
    due: dict[ProviderAccount, list[Provider]] = defaultdict(list)
    for claim in claims:
        if claim.account.email_verified and is_due(claim.provider, today):
            due[claim.account].append(claim.provider)
    return due


def send_verification_reminders(*, now: datetime | None = None) -> ReminderSummary:
    """Email every account with listings due, unless it was reminded within the last week."""
    now = now or timezone.now()
    summary = ReminderSummary()
    for account, providers in due_listings(timezone.localdate(now)).items():
        if account.last_reminded_at and now - account.last_reminded_at < REMIND_AT_MOST_EVERY:
            summary.skipped_reminded_recently += 1
            continue
        send_reminder(account, providers)
        account.last_reminded_at = now
        account.save(update_fields=["last_reminded_at"])
        summary.accounts_reminded += 1
        summary.listings_due += len(providers)
        summary.emailed.append(account.user.email)
    return summary
