"""Curator edits are versioned and can be reverted; deleting is a soft delete, purging is for
superusers only."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from providers.admin_safety import SOFT_DELETE_REASON
from providers.models import (
    License,
    PracticeAct,
    PracticeLocation,
    Provider,
    ProviderPrice,
    Scope,
    VerificationStatus,
)
from tests.factories import (
    InsurancePlanFactory,
    LicenseFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    location = PracticeLocationFactory(
        provider__first_name="Ada", provider__last_name="Lovelace", provider__credential="DC"
    )
    return location.provider


def change_form_data(provider: Provider, **overrides) -> dict:
    """The provider's admin change form as a browser posts it, untouched unless overridden."""
    location = provider.locations.get()
    data = {
        "npi": provider.npi,
        "profession": provider.profession,
        "first_name": provider.first_name,
        "middle_name": provider.middle_name,
        "last_name": provider.last_name,
        "credential": provider.credential,
        "tin": provider.tin,
        "verification_status": provider.verification_status,
        "last_verified": "",
        "curator_notes": provider.curator_notes,
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "1",
        "locations-0-id": str(location.pk),
        "locations-0-provider": str(provider.pk),
        "locations-0-address_line1": location.address_line1,
        "locations-0-address_line2": location.address_line2,
        "locations-0-city": location.city,
        "locations-0-state": location.state,
        "locations-0-zip_code": location.zip_code,
        "locations-0-phone": location.phone,
        "locations-0-latitude": str(location.latitude),
        "locations-0-longitude": str(location.longitude),
        "locations-0-source": location.source,
        "licenses-TOTAL_FORMS": "0",
        "licenses-INITIAL_FORMS": "0",
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
    }
    for field in ("accepting_new_patients", "offers_spinal_manipulation"):
        if getattr(provider, field):
            data[field] = "on"
    data.update(overrides)
    return data


def revert_form_data(response) -> dict:
    """What the history page's "Revert" form posts: its fields, as filled from that version."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is not None:
            data[name] = str(value)
    return data


def test_an_admin_edit_is_versioned_with_its_author(admin_client_logged_in, listing) -> None:
    url = reverse("admin:providers_provider_change", args=[listing.pk])
    data = change_form_data(listing, last_name="Byron", curator_notes="Name corrected")
    data["locations-0-phone"] = "512-555-0199"
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    newest = listing.history.latest()
    assert (newest.history_type, newest.last_name) == ("~", "Byron")
    assert newest.history_user.username == "admin"
    assert listing.history.earliest().last_name == "Lovelace"
    location = listing.locations.get()
    assert location.history.latest().phone == "512-555-0199"
    assert location.history.latest().history_user.username == "admin"

    history_page = admin_client_logged_in.get(
        reverse("admin:providers_provider_history", args=[listing.pk])
    )
    assert history_page.status_code == 200
    assert b"Byron" in history_page.content


def test_an_admin_edit_can_be_reverted_from_its_history(admin_client_logged_in, listing) -> None:
    url = reverse("admin:providers_provider_change", args=[listing.pk])
    edit = change_form_data(listing, last_name="Byron", accepting_new_patients="")
    del edit["accepting_new_patients"]
    assert admin_client_logged_in.post(url, edit).status_code == 302
    listing.refresh_from_db()
    assert (listing.last_name, listing.accepting_new_patients) == ("Byron", False)

    original = listing.history.earliest()
    revert_url = reverse(
        "admin:providers_provider_simple_history", args=[listing.pk, original.history_id]
    )
    page = admin_client_logged_in.get(revert_url)
    assert page.status_code == 200
    assert b"Revert" in page.content
    response = admin_client_logged_in.post(revert_url, revert_form_data(page))
    assert response.status_code == 302

    listing.refresh_from_db()
    assert (listing.last_name, listing.accepting_new_patients) == ("Lovelace", True)
    assert [h.last_name for h in listing.history.all()] == ["Lovelace", "Byron", "Lovelace"]


def plan_slugs(version) -> set[str]:
    return {row.insuranceplan.slug for row in version.insurance_plans.all()}


def test_plan_changes_are_versioned_with_their_author(admin_client_logged_in, listing) -> None:
    aetna, cigna, medicare = (
        InsurancePlanFactory(slug=slug, name=slug) for slug in ("aetna", "cigna", "medicare")
    )
    listing.insurance_plans.set([aetna, cigna])
    url = reverse("admin:providers_provider_change", args=[listing.pk])
    data = change_form_data(listing, insurance_plans=[str(aetna.pk), str(medicare.pk)])
    assert admin_client_logged_in.post(url, data).status_code == 302

    # Newest first: the admin's save, then each plan removed and added, by the admin; before
    # them, the plans the listing claimed, which the edit does not erase.
    versions = [
        (plan_slugs(version), version.history_user and version.history_user.username)
        for version in listing.history.all()
    ]
    assert versions == [
        ({"aetna", "medicare"}, "admin"),
        ({"aetna"}, "admin"),
        ({"aetna", "cigna"}, "admin"),
        ({"aetna", "cigna"}, None),
        (set(), None),
    ]
    # Saving without touching the plans adds one version, not one per plan.
    before = listing.history.count()
    assert admin_client_logged_in.post(url, data).status_code == 302
    assert listing.history.count() == before + 1


def test_plan_changes_made_from_the_plans_side_are_versioned_too(listing) -> None:
    plan = InsurancePlanFactory(slug="aetna", name="Aetna")
    plan.providers.add(listing)
    assert plan_slugs(listing.history.latest()) == {"aetna"}
    plan.providers.clear()
    assert plan_slugs(listing.history.latest()) == set()
    assert listing.history.count() == 3  # created, plan added, plans cleared


def test_reverting_a_version_brings_back_its_plans(admin_client_logged_in, listing) -> None:
    aetna, cigna = (InsurancePlanFactory(slug=slug, name=slug) for slug in ("aetna", "cigna"))
    listing.insurance_plans.set([aetna])
    url = reverse("admin:providers_provider_change", args=[listing.pk])
    data = change_form_data(listing, insurance_plans=[str(cigna.pk)])
    assert admin_client_logged_in.post(url, data).status_code == 302
    with_aetna = next(v for v in listing.history.all() if plan_slugs(v) == {"aetna"})

    revert_url = reverse(
        "admin:providers_provider_simple_history", args=[listing.pk, with_aetna.history_id]
    )
    page = admin_client_logged_in.get(revert_url)
    assert admin_client_logged_in.post(revert_url, revert_form_data(page)).status_code == 302
    assert set(listing.insurance_plans.values_list("slug", flat=True)) == {"aetna"}
    # The search sees the restored plan at once (the projection follows the m2m signals).
    assert listing.locations.get().search_plans == f",{aetna.id},"


def test_reverting_a_version_without_recorded_plans_keeps_todays(
    admin_client_logged_in, listing
) -> None:
    """Versions from before plans were versioned recorded none: reverting to one must not
    clear the plans a listing has."""
    aetna = InsurancePlanFactory(slug="aetna", name="aetna")
    original = listing.history.earliest()
    listing.insurance_plans.set([aetna])
    revert_url = reverse(
        "admin:providers_provider_simple_history", args=[listing.pk, original.history_id]
    )
    page = admin_client_logged_in.get(revert_url)
    assert admin_client_logged_in.post(revert_url, revert_form_data(page)).status_code == 302
    assert list(listing.insurance_plans.values_list("slug", flat=True)) == ["aetna"]


def test_a_practice_act_edit_can_be_reverted(admin_client_logged_in) -> None:
    act = PracticeActFactory(state="WA", spinal_manipulation=Scope.REQUIRES_ENDORSEMENT)
    url = reverse("admin:providers_practiceact_change", args=[act.pk])
    data = {
        "state": "WA",
        "profession": act.profession,
        "effective_from": "",
        "spinal_manipulation": Scope.PROHIBITED,
        "extremity_manipulation": act.extremity_manipulation,
        "manipulation_under_anesthesia": act.manipulation_under_anesthesia,
        "direct_access": act.direct_access,
        "note": "mistaken edit",
        "sources": json.dumps(act.sources),
        "confidence": act.confidence,
        "last_reviewed": "2026-11-01",
    }
    assert admin_client_logged_in.post(url, data).status_code == 302
    act.refresh_from_db()
    assert act.spinal_manipulation == Scope.PROHIBITED

    original = act.history.earliest()
    revert_url = reverse(
        "admin:providers_practiceact_simple_history", args=[act.pk, original.history_id]
    )
    page = admin_client_logged_in.get(revert_url)
    data = revert_form_data(page)
    data["sources"] = json.dumps(original.sources)
    assert admin_client_logged_in.post(revert_url, data).status_code == 302
    act.refresh_from_db()
    assert (act.spinal_manipulation, act.note) == (Scope.REQUIRES_ENDORSEMENT, "")
    assert act.history.count() == 3


@pytest.mark.parametrize("model", [Provider, PracticeLocation, License, ProviderPrice, PracticeAct])
def test_every_curated_model_keeps_history(model) -> None:
    assert hasattr(model, "history")


def test_licenses_and_prices_keep_their_versions(listing) -> None:
    license_ = LicenseFactory(provider=listing, number="DC001")
    license_.number = "DC002"
    license_.save()
    assert [h.number for h in license_.history.all()] == ["DC002", "DC001"]
    price = ProviderPriceFactory(provider=listing, procedure=ProcedureFactory())
    price.cash_price = 55
    price.save()
    assert [str(h.cash_price) for h in price.history.all()] == ["55.00", "40.00"]


def test_bulk_actions_are_versioned_too(admin_client_logged_in, listing) -> None:
    url = reverse("admin:providers_provider_changelist")
    admin_client_logged_in.post(url, {"action": "mark_verified", "_selected_action": [listing.pk]})
    admin_client_logged_in.post(url, {"action": "suspend", "_selected_action": [listing.pk]})
    statuses = [(h.verification_status, h.history_change_reason) for h in listing.history.all()]
    assert statuses[:2] == [
        (VerificationStatus.SUSPENDED, "Suspended (bulk action)"),
        (VerificationStatus.VERIFIED, "Marked verified (bulk action)"),
    ]
    assert listing.history.latest().history_user.username == "admin"


# --- Soft delete and purge ---------------------------------------------------------------------


def test_deleting_a_provider_in_the_admin_suspends_it(admin_client_logged_in, listing, client):
    url = reverse("admin:providers_provider_delete", args=[listing.pk])
    confirm = admin_client_logged_in.get(url)
    assert confirm.status_code == 200
    assert b"will be suspended, not deleted" in confirm.content
    response = admin_client_logged_in.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert b"Deleting a provider suspends it" in response.content

    listing.refresh_from_db()
    assert listing.verification_status == VerificationStatus.SUSPENDED
    assert listing.locations.count() == 1  # nothing related was deleted
    newest = listing.history.latest()
    assert newest.history_change_reason == SOFT_DELETE_REASON
    assert newest.history_user.username == "admin"
    assert client.get(f"/api/v1/providers/{listing.pk}/").status_code == 404
    assert client.get(f"/providers/{listing.pk}/").status_code == 404


def test_the_bulk_delete_action_suspends_too(admin_client_logged_in, listing) -> None:
    other = PracticeLocationFactory().provider
    url = reverse("admin:providers_provider_changelist")
    response = admin_client_logged_in.post(
        url,
        {"action": "delete_selected", "_selected_action": [listing.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Provider.objects.filter(verification_status=VerificationStatus.SUSPENDED).count() == 2
    assert listing.history.latest().history_change_reason == SOFT_DELETE_REASON


def test_a_soft_deleted_provider_can_be_restored_from_its_history(
    admin_client_logged_in, listing
) -> None:
    admin_client_logged_in.post(
        reverse("admin:providers_provider_delete", args=[listing.pk]), {"post": "yes"}
    )
    before = listing.history.exclude(history_change_reason=SOFT_DELETE_REASON).latest()
    revert_url = reverse(
        "admin:providers_provider_simple_history", args=[listing.pk, before.history_id]
    )
    page = admin_client_logged_in.get(revert_url)
    assert admin_client_logged_in.post(revert_url, revert_form_data(page)).status_code == 302
    listing.refresh_from_db()
    assert listing.verification_status == VerificationStatus.PENDING


def test_a_superuser_can_purge_providers(admin_client_logged_in, listing) -> None:
    url = reverse("admin:providers_provider_changelist")
    selection = {"action": "purge", "_selected_action": [listing.pk]}
    confirm = admin_client_logged_in.post(url, selection)
    assert confirm.status_code == 200
    assert b"Purge providers permanently?" in confirm.content
    assert b"1 location(s)" in confirm.content
    assert Provider.objects.filter(pk=listing.pk).exists()

    response = admin_client_logged_in.post(url, {**selection, "post": "yes"}, follow=True)
    assert response.status_code == 200
    assert b"Purged 1 provider(s) permanently." in response.content
    assert not Provider.objects.filter(pk=listing.pk).exists()
    assert not PracticeLocation.objects.filter(provider_id=listing.pk).exists()
    # The record of what was purged, and by whom, stays.
    gone = Provider.history.filter(id=listing.pk).latest()
    assert (gone.history_type, gone.history_user.username) == ("-", "admin")


def test_staff_who_may_delete_can_only_soft_delete(django_user_model, listing) -> None:
    user = django_user_model.objects.create_user("editor", "e@example.org", "pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="providers",
            codename__in=["view_provider", "change_provider", "delete_provider"],
        )
    )
    client = Client()
    client.force_login(user)
    url = reverse("admin:providers_provider_changelist")
    changelist = client.get(url)
    assert b'value="purge"' not in changelist.content
    assert b'value="delete_selected"' in changelist.content

    response = client.post(
        url, {"action": "purge", "_selected_action": [listing.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert Provider.objects.filter(pk=listing.pk).exists()

    client.post(url, {"action": "delete_selected", "_selected_action": [listing.pk], "post": "yes"})
    listing.refresh_from_db()
    assert listing.verification_status == VerificationStatus.SUSPENDED
