"""The emails provider accounts receive, through Django's email backend (settings.EMAIL_*)."""

from django.core.mail import send_mail
from django.template.loader import render_to_string

from providers.accounts.links import absolute, confirm_url, verification_url
from providers.accounts.models import ProviderAccount
from providers.models import Provider


def send_verification_email(account: ProviderAccount, email: str) -> None:
    """The one-time link that proves `email` belongs to the account's owner."""
    body = render_to_string(
        "accounts/email/verify_email.txt",
        {"url": verification_url(account, email), "email": email},
    )
    send_mail("Confirm your email for JointCare Finder", body, None, [email])


def send_reminder(account: ProviderAccount, providers: list[Provider]) -> None:
    """One email listing every listing of the account that needs confirming, each with its
    one-click link."""
    listings = [
        {"provider": provider, "url": confirm_url(account, provider)} for provider in providers
    ]
    body = render_to_string(
        "accounts/email/reminder.txt",
        {"listings": listings, "dashboard": absolute("/accounts/")},
    )
    send_mail("Please confirm your JointCare Finder listing", body, None, [account.user.email])
