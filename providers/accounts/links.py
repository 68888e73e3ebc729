"""Signed links in emails: verifying an address, and confirming a listing in one click.

Each link names the state it expects, so it works once: a verification link the address it
verified over (`ProviderAccount.verified_email` before), a confirmation link the listing's
last confirmation date. Both expire.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from providers.accounts.models import ProviderAccount
from providers.models import Provider

VERIFY_SALT = "accounts.verify-email"
VERIFY_MAX_AGE_SECONDS = 3 * 24 * 3600
CONFIRM_SALT = "accounts.confirm-listing"
CONFIRM_MAX_AGE_SECONDS = 14 * 24 * 3600


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def verification_url(account: ProviderAccount, email: str) -> str:
    token = signing.dumps(
        {"account": account.pk, "email": email, "was": account.verified_email}, salt=VERIFY_SALT
    )
    return absolute(reverse("accounts:verify-email", args=[token]))


@dataclass(frozen=True)
class VerifiedEmail:
    account: ProviderAccount
    email: str


def read_verification(token: str) -> VerifiedEmail | None:
    """The account and address a verification link proves; None when it is forged, expired or
    used already (the account's verified address has moved on since it was sent)."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    account = ProviderAccount.objects.select_related("user").filter(pk=data["account"]).first()
    if account is None or account.verified_email != data["was"]:
        return None
    if data["email"] not in (account.user.email, account.pending_email):
        return None
    return VerifiedEmail(account, data["email"])


def confirm_token(account: ProviderAccount, provider: Provider) -> str:
    last = provider.last_verified.isoformat() if provider.last_verified else ""
    return signing.dumps(
        {"account": account.pk, "provider": provider.pk, "last": last}, salt=CONFIRM_SALT
    )


def confirm_url(account: ProviderAccount, provider: Provider) -> str:
    path = reverse("accounts:confirm", args=[provider.pk])
    return absolute(f"{path}?token={confirm_token(account, provider)}")


def read_confirm_token(token: str, provider: Provider) -> int | None:
    """The account id a one-click confirmation link was sent to, for this listing; None when it
    is forged, expired, for another listing, or the listing was confirmed since."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    last = provider.last_verified.isoformat() if provider.last_verified else ""
    if data.get("provider") != provider.pk or data.get("last") != last:
        return None
    return data.get("account")
