"""`send_verification_reminders`: listings last confirmed more than 80 days ago (or never),
at most one email per account a week, each listing with its one-click link."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from providers.accounts.models import Claim, ProviderAccount
from providers.models import Provider, VerificationSource, VerificationStatus
from tests.factories import PracticeLocationFactory
from tests.providers.accounts.helpers import LINK

pytestmark = pytest.mark.django_db


def account_with_listing(email: str, days_ago: int | None) -> tuple[ProviderAccount, Provider]:
    user = get_user_model().objects.create_user(email, email, "pw-long-enough-1")
    account = ProviderAccount.objects.create(user=user, verified_email=email)
    provider = PracticeLocationFactory(provider__last_name=email.split("@")[0]).provider
    if days_ago is not None:
        provider.verification_status = VerificationStatus.VERIFIED
        provider.verification_source = VerificationSource.PROVIDER
        provider.last_verified = timezone.localdate() - timedelta(days=days_ago)
        provider.save()
    Claim.objects.create(
        account=account, provider=provider, practice_name="P", phone="5125550100",
        status=Claim.Status.APPROVED,
    )  # fmt: skip
    return account, provider


def run() -> str:
    out = StringIO()
    call_command("send_verification_reminders", stdout=out)
    return out.getvalue()


def test_it_reminds_listings_past_80_days_once_a_week():
    account_with_listing("d79@example.org", 79)
    account_with_listing("d81@example.org", 81)
    account_with_listing("d200@example.org", 200)

    assert "Reminded 2 account(s) about 2 listing(s)" in run()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "d200@example.org",
        "d81@example.org",
    ]

    # The next day's run sends nothing: both were reminded within the week.
    mail.outbox.clear()
    assert "skipped 2 account(s)" in run()
    assert mail.outbox == []

    # A week later they are due again (the 79-day listing has turned 86 meanwhile, but a real
    # week has not passed here; moving the last reminder back stands for it).
    ProviderAccount.objects.update(last_reminded_at=timezone.now() - timedelta(days=7, hours=1))
    run()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "d200@example.org",
        "d81@example.org",
    ]


def test_one_email_lists_every_due_listing_of_the_account_and_skips_unverified_emails():
    account, first = account_with_listing("two@example.org", 100)
    second = PracticeLocationFactory(provider__last_name="Second").provider
    Claim.objects.create(
        account=account, provider=second, practice_name="P", phone="5125550100",
        status=Claim.Status.APPROVED,
    )  # fmt: skip
    unverified, _ = account_with_listing("new@example.org", 100)
    unverified.verified_email = ""
    unverified.save()

    run()
    (message,) = mail.outbox
    assert message.to == ["two@example.org"]
    assert first.npi in message.body and second.npi in message.body


def test_the_one_click_link_confirms_the_listing_once_without_signing_in():
    _, provider = account_with_listing("click@example.org", 120)
    run()
    (path,) = [p for p in LINK.findall(mail.outbox[0].body) if "/confirm/" in p]
    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert b"Everything here is correct" in page.content
    token = page.context["token"]
    assert visitor.post(path.split("?")[0], {"token": token}).status_code == 302
    provider.refresh_from_db()
    assert provider.last_verified == timezone.localdate()
    assert provider.verification_source == VerificationSource.PROVIDER
    # Used once: the same link no longer works, and a forged one never did.
    assert visitor.get(path).status_code == 400
    assert visitor.post(path.split("?")[0], {"token": token + "x"}).status_code == 400


def test_a_confirmation_link_works_for_its_own_listing_only():
    account_with_listing("mine@example.org", 120)
    _, other = account_with_listing("theirs@example.org", 120)
    run()
    message = next(m for m in mail.outbox if m.to == ["mine@example.org"])
    (path,) = [p for p in LINK.findall(message.body) if "/confirm/" in p]
    token = path.split("token=")[1]
    stolen = f"/accounts/listings/{other.pk}/confirm/"
    assert Client().post(stolen, {"token": token}).status_code == 400
    other.refresh_from_db()
    assert other.last_verified == timezone.localdate() - timedelta(days=120)
