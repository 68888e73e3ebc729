"""A provider's edits: validated like the admin's, blocked where a curator locked a field,
kept as reviewable changes, and never overwritten by an NPPES or payer-file import."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from devtools.nppes_testing import provider_row, write_nppes_csv
from providers import freshness
from providers.acceptance import sync_plan_links
from providers.accounts.editing import edit_listing
from providers.accounts.models import Claim, ListingChange, ProviderAccount
from providers.models import (
    AcceptanceSource,
    InsurancePlan,
    PlanAcceptance,
    PracticeAct,
    Procedure,
    Profession,
    ProviderPrice,
    Scope,
)
from providers.nppes import import_file
from tests.factories import PracticeLocationFactory, ProviderPriceFactory
from tests.providers.accounts.helpers import claim, edit_form_data, sign_up_and_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(reference_data) -> Client:
    client = Client()
    sign_up_and_verify(client, "pt@example.org")
    return client


def own(client: Client, provider) -> None:
    claim(client, provider.npi)
    Claim.objects.filter(provider=provider).update(status=Claim.Status.APPROVED)


def test_services_are_checked_against_the_states_practice_act(signed_in):
    # A Wyoming act that prohibits spinal manipulation for physical therapists (a test rule).
    PracticeAct.objects.filter(state="WY", profession=Profession.PHYSICAL_THERAPIST).update(
        spinal_manipulation=Scope.PROHIBITED
    )
    freshness.bump_practice_acts()  # update() sends no signals
    pt = PracticeLocationFactory(
        provider__profession=Profession.PHYSICAL_THERAPIST,
        provider__offers_spinal_manipulation=False,
        provider__offers_mobilization=True,
        state="WY", city="Cheyenne", zip_code="82001",
    ).provider  # fmt: skip
    own(signed_in, pt)
    url = reverse("accounts:edit", args=[pt.pk])
    data = edit_form_data(signed_in, pt.pk, services=["spinal_manipulation", "mobilization"])
    response = signed_in.post(url, data)
    assert response.status_code == 400
    assert "The WY practice act prohibits spinal thrust manipulation" in response.content.decode()
    pt.refresh_from_db()
    assert not pt.offers_spinal_manipulation
    assert not ListingChange.objects.exists()


@pytest.mark.parametrize("price", ["0", "-5", "1000.01", "12.345", "abc"])
def test_a_bad_price_is_a_400_with_its_message(signed_in, price):
    provider = PracticeLocationFactory().provider
    own(signed_in, provider)
    data = edit_form_data(signed_in, provider.pk, price_98940=price)
    response = signed_in.post(reverse("accounts:edit", args=[provider.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["price_98940"]
    assert not ProviderPrice.objects.exists()


def test_locked_fields_cannot_be_changed_by_the_provider(signed_in):
    provider = PracticeLocationFactory().provider
    ProviderPriceFactory(provider=provider, procedure=Procedure.objects.get(code="98940"))
    provider.locked_fields = ["prices", "accepting_new_patients"]
    provider.save()
    own(signed_in, provider)
    data = edit_form_data(
        signed_in, provider.pk, price_98940="99.00", accepting_new_patients=None, bio="Hello"
    )
    page = signed_in.get(reverse("accounts:edit", args=[provider.pk])).content.decode()
    assert "Locked by our curators" in page
    assert signed_in.post(reverse("accounts:edit", args=[provider.pk]), data).status_code == 302
    provider.refresh_from_db()
    assert provider.prices.get().cash_price == Decimal("40.00")
    assert provider.accepting_new_patients is True
    assert provider.bio == "Hello"
    assert list(ListingChange.objects.values_list("field", flat=True)) == ["bio"]


def test_an_nppes_import_keeps_the_providers_own_edits(tmp_path, django_user_model):
    location = PracticeLocationFactory(provider__npi="1234567893")
    provider = location.provider
    account = ProviderAccount.objects.create(
        user=django_user_model.objects.create_user("a@example.org", "a@example.org", "pw")
    )
    edit_listing(
        provider=provider,
        account=account,
        values={
            "accepting_new_patients": False,
            "hours": "Mon 9-5",
            "website": "https://x.example",
        },
    )
    path = tmp_path / "npi.csv"
    write_nppes_csv(path, [provider_row("1234567893", last="DOE", first="JANE")])
    import_file(path)
    provider.refresh_from_db()
    assert provider.last_name == "Doe"  # the registry's own field is refreshed
    assert (provider.accepting_new_patients, provider.hours, provider.website) == (
        False,
        "Mon 9-5",
        "https://x.example",
    )


def test_a_payer_file_does_not_bring_back_a_plan_the_provider_removed(
    reference_data, django_user_model
):
    provider = PracticeLocationFactory().provider
    plan, other = (
        InsurancePlan.objects.get(slug="aetna-ppo"),
        InsurancePlan.objects.get(slug="medicare"),
    )
    # A payer's file lists the provider for both plans.
    for listed in (plan, other):
        PlanAcceptance.objects.create(
            provider=provider, plan=listed, source=AcceptanceSource.PAYER_FILE
        )
    sync_plan_links([provider.pk])
    assert set(provider.insurance_plans.values_list("slug", flat=True)) == {"aetna-ppo", "medicare"}

    account = ProviderAccount.objects.create(
        user=django_user_model.objects.create_user("b@example.org", "b@example.org", "pw")
    )
    edit_listing(provider=provider, account=account, values={"plans": ["medicare"]})
    # The payer's next file still lists it: the provider's word stands.
    sync_plan_links([provider.pk])
    assert list(provider.insurance_plans.values_list("slug", flat=True)) == ["medicare"]
