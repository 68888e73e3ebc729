"""The whole provider-account flow through HTTP: sign up, verify the email from the outbox,
claim an NPI, a curator approves it in the admin, edit a price and a plan, see them in search
and the API, confirm the listing, see its date; another account is refused everywhere; a
curator reverts the price."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from finder.verification_words import day_text
from providers.accounts.models import Claim, ListingChange
from providers.models import InsurancePlan, Procedure, ProviderPrice, RecordSource
from tests.factories import PracticeLocationFactory, ProviderPriceFactory
from tests.providers.accounts.helpers import (
    approve_in_admin,
    claim,
    edit_form_data,
    sign_up_and_verify,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/providers/"


@pytest.fixture
def jane(reference_data):
    provider = PracticeLocationFactory(
        provider__first_name="Jane", provider__last_name="Doe", source=RecordSource.NPPES
    ).provider
    ProviderPriceFactory(
        provider=provider, procedure=Procedure.objects.get(code="98940"), cash_price="40.00"
    )
    return provider


@pytest.fixture
def curator(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("cur", "c@example.org", "pw"))
    return client


def test_a_provider_claims_edits_and_confirms_and_a_curator_reverts(client, jane, curator):
    sign_up_and_verify(client, "Jane@DoeChiro.example")
    claim(client, jane.npi)
    pending = Claim.objects.get()
    assert pending.status == Claim.Status.PENDING
    # Until a curator approves, the listing is not the account's.
    assert client.get(reverse("accounts:edit", args=[jane.pk])).status_code == 404

    # The curator sees the evidence beside the claim.
    queue = curator.get(reverse("admin:accounts_claim_changelist")).content.decode()
    assert "doechiro.example" in queue and "512-555-0100" in queue
    assert "100 Congress Ave, Austin, TX 78701" in queue
    approve_in_admin(curator, pending)

    data = edit_form_data(
        client, jane.pk, price_98940="55.00", plans=["aetna-ppo"], hours="Mon-Fri 8-6"
    )
    assert client.post(reverse("accounts:edit", args=[jane.pk]), data).status_code == 302

    # Public at once: search, the API detail (plan source `provider`) and the page.
    found = client.get(API, {"near": "78701"}).json()["results"][0]
    assert found["prices"][0]["cash_price"] == "55.00"
    assert found["insurance_plans"] == ["aetna-ppo"]
    detail = client.get(f"{API}{jane.pk}/").json()
    assert [(p["slug"], p["source"]) for p in detail["insurance_plans"]] == [
        ("aetna-ppo", "provider")
    ]
    assert detail["hours"] == "Mon-Fri 8-6"
    today = day_text(timezone.localdate())
    page = client.get(reverse("finder:provider", args=[jane.pk])).content.decode()
    assert f"Updated by the provider on {today}" in page
    assert "$55.00" in page

    # Confirm: "Everything here is correct".
    confirm = reverse("accounts:confirm", args=[jane.pk])
    assert client.post(confirm).status_code == 302
    detail = client.get(f"{API}{jane.pk}/").json()
    assert detail["verification"] == {
        "status": "verified",
        "source": "provider",
        "last_verified": timezone.localdate().isoformat(),
        "stale": False,
    }
    page = client.get(reverse("finder:provider", args=[jane.pk])).content.decode()
    assert f"Confirmed by the provider on {today}" in page

    # A second account is refused everywhere, even with a claim of its own waiting.
    other = Client()
    sign_up_and_verify(other, "someone@else.example")
    claim(other, jane.npi)
    for url in (reverse("accounts:edit", args=[jane.pk]), confirm):
        assert other.get(url).status_code == 404
        assert other.post(url, {"price_98940": "1.00"}).status_code == 404
    assert ProviderPrice.objects.get(provider=jane).cash_price == Decimal("55.00")

    # The curator reverts the price with one click in the review queue.
    price_change = ListingChange.objects.get(provider=jane, field="price:98940")
    assert (price_change.old_value, price_change.new_value) == ("40.00", "55.00")
    review = curator.get(reverse("admin:accounts_listingchange_changelist"))
    assert reverse("admin:accounts_listingchange_revert", args=[price_change.pk]) in (
        review.content.decode()
    )
    curator.post(reverse("admin:accounts_listingchange_revert", args=[price_change.pk]))
    assert client.get(f"{API}{jane.pk}/").json()["prices"][0]["cash_price"] == "40.00"
    price_change.refresh_from_db()
    assert price_change.reverted_at is not None
    # Every step is a version in the listing's history, attributed.
    reasons = list(jane.history.values_list("history_change_reason", flat=True))
    assert "Edited by the provider" in reasons and "Confirmed by the provider" in reasons
    assert "Reverted by a curator" in reasons
    # The plan stays: only the price was reverted.
    assert list(jane.insurance_plans.values_list("slug", flat=True)) == ["aetna-ppo"]
    assert InsurancePlan.objects.filter(slug="aetna-ppo").exists()
