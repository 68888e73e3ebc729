"""Provider accounts see and change only their own listings; sign-in is rate limited and
locked out like the admin's; resets and email changes go through emailed links; sessions
expire."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from providers.accounts.models import Claim, ProviderAccount
from tests.factories import PracticeLocationFactory
from tests.providers.accounts.helpers import PASSWORD, claim, last_link, sign_up, sign_up_and_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_and_other(reference_data):
    """Two signed-in accounts, each with an approved claim on its own listing."""
    clients = {}
    for name in ("owner", "other"):
        client = Client()
        sign_up_and_verify(client, f"{name}@example.org")
        provider = PracticeLocationFactory(provider__last_name=name.title()).provider
        claim(client, provider.npi)
        Claim.objects.filter(provider=provider).update(status=Claim.Status.APPROVED)
        clients[name] = (client, provider)
    return clients


OWN_LISTING_VIEWS = ["accounts:edit", "accounts:confirm"]


@pytest.mark.parametrize("view", OWN_LISTING_VIEWS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_accounts_listing_is_a_404(owner_and_other, view, method):
    owner, mine = owner_and_other["owner"]
    _, theirs = owner_and_other["other"]
    url = reverse(view, args=[theirs.pk])
    assert getattr(owner, method)(url).status_code == 404
    assert getattr(owner, method)(reverse(view, args=[999_999])).status_code == 404
    assert owner.get(reverse(view, args=[mine.pk])).status_code == 200
    theirs.refresh_from_db()
    assert theirs.last_verified is None


def test_a_rejected_claim_gives_no_access(owner_and_other):
    owner, mine = owner_and_other["owner"]
    Claim.objects.filter(provider=mine).update(status=Claim.Status.REJECTED)
    assert owner.get(reverse("accounts:edit", args=[mine.pk])).status_code == 404


def test_own_listing_pages_need_a_sign_in(owner_and_other):
    _, mine = owner_and_other["owner"]
    for view in [*OWN_LISTING_VIEWS, "accounts:home"]:
        args = [] if view == "accounts:home" else [mine.pk]
        response = Client().get(reverse(view, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_without_a_provider_account_get_a_404(admin_client_logged_in):
    assert admin_client_logged_in.get(reverse("accounts:home")).status_code == 404


def test_an_unverified_email_cannot_claim(client, reference_data):
    sign_up(client, "new@example.org")
    provider = PracticeLocationFactory().provider
    response = client.post(
        reverse("accounts:claim"),
        {"npis": provider.npi, "practice_name": "X", "phone": "5125550100"},
    )
    assert response.status_code == 302
    assert not Claim.objects.exists()


def test_a_verification_link_works_once(client):
    sign_up(client, "once@example.org")
    link = last_link("once@example.org")
    assert client.get(link).status_code == 302
    assert client.get(link).status_code == 400
    assert client.get("/accounts/verify/forged/").status_code == 400


def test_sign_in_locks_out_after_repeated_failures_like_the_admin(client):
    sign_up_and_verify(Client(), "locked@example.org")
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post(url, {"username": "locked@example.org", "password": "no"}).status_code
            == 200
        )
    assert client.post(url, {"username": "locked@example.org", "password": "no"}).status_code == 429
    right = client.post(url, {"username": "LOCKED@example.org", "password": PASSWORD})
    assert right.status_code == 429
    assert client.get(reverse("accounts:home")).status_code == 302  # not signed in


def test_password_reset_by_emailed_link(client):
    sign_up_and_verify(Client(), "forgot@example.org")
    mail.outbox.clear()
    client.post(reverse("accounts:password-reset"), {"email": "forgot@example.org"})
    link = last_link("forgot@example.org")
    form_page = client.get(link, follow=True)
    new = "another-long-pass-phrase-2"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert get_user_model().objects.get(username="forgot@example.org").check_password(new)


def test_password_reset_sends_nothing_for_staff(client, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    client.post(reverse("accounts:password-reset"), {"email": "boss@example.org"})
    assert mail.outbox == []


def test_changing_the_email_verifies_the_new_one_before_it_counts(client):
    sign_up_and_verify(client, "old@example.org")
    response = client.post(
        reverse("accounts:change-email"), {"email": "new@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    account = ProviderAccount.objects.get()
    assert account.user.email == "old@example.org" and account.pending_email == "new@example.org"
    assert client.get(last_link("new@example.org")).status_code == 302
    account.refresh_from_db()
    assert account.user.email == account.user.username == "new@example.org"
    assert account.email_verified and account.pending_email == ""


def test_changing_the_email_needs_the_password(client):
    sign_up_and_verify(client, "keep@example.org")
    response = client.post(
        reverse("accounts:change-email"), {"email": "thief@example.org", "password": "wrong"}
    )
    assert response.status_code == 400
    assert ProviderAccount.objects.get().pending_email == ""


def test_sessions_expire(client):
    sign_up_and_verify(client, "session@example.org")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert client.session.get_expire_at_browser_close()
