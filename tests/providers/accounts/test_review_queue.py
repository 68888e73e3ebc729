"""The curators' side: claims and the review queue, with the Curators group's permissions."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from providers.accounts.editing import edit_listing
from providers.accounts.models import Claim, ListingChange, ProviderAccount
from providers.curators import CURATORS_GROUP
from tests.factories import PracticeLocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(django_user_model) -> ListingChange:
    provider = PracticeLocationFactory().provider
    account = ProviderAccount.objects.create(
        user=django_user_model.objects.create_user("p@example.org", "p@example.org", "pw")
    )
    Claim.objects.create(account=account, provider=provider, practice_name="P", phone="1")
    (made,) = edit_listing(provider=provider, account=account, values={"bio": "New bio"})
    return made


def staff_client(django_user_model, *, curator: bool) -> Client:
    user = django_user_model.objects.create_user("staff", "s@example.org", "pw", is_staff=True)
    if curator:
        user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    client = Client()
    client.force_login(user)
    return client


def test_curators_approve_claims_and_revert_changes(django_user_model, change):
    client = staff_client(django_user_model, curator=True)
    queue = client.get(reverse("admin:accounts_listingchange_changelist"))
    assert queue.status_code == 200 and "New bio" in queue.content.decode()
    client.post(
        reverse("admin:accounts_claim_changelist"),
        {"action": "approve", "_selected_action": [Claim.objects.get().pk]},
    )
    assert Claim.objects.get().status == Claim.Status.APPROVED

    client.post(reverse("admin:accounts_listingchange_revert", args=[change.pk]))
    change.refresh_from_db()
    change.provider.refresh_from_db()
    assert change.provider.bio == "" and change.reverted_at is not None
    # A second click changes nothing more.
    client.post(reverse("admin:accounts_listingchange_revert", args=[change.pk]))
    assert (
        change.provider.history.filter(history_change_reason="Reverted by a curator").count() == 1
    )


def test_staff_who_may_not_edit_listings_cannot_revert(django_user_model, change):
    client = staff_client(django_user_model, curator=False)
    response = client.post(reverse("admin:accounts_listingchange_revert", args=[change.pk]))
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.reverted_at is None


def test_a_revert_must_be_posted(admin_client_logged_in, change):
    url = reverse("admin:accounts_listingchange_revert", args=[change.pk])
    assert admin_client_logged_in.get(url).status_code == 405
