from datetime import date

import pytest
from django.urls import reverse

from providers.acceptance import record_curated_plans, sync_plan_links
from providers.models import AcceptanceSource, PlanAcceptance
from tests.factories import InsurancePlanFactory, PracticeLocationFactory
from tests.providers.test_history import change_form_data

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)


@pytest.fixture
def provider():
    return PracticeLocationFactory().provider


def slugs(provider) -> list[str]:
    return sorted(provider.insurance_plans.values_list("slug", flat=True))


def evidence(provider) -> list[tuple[str, str, date | None]]:
    return sorted(
        PlanAcceptance.objects.filter(provider=provider).values_list(
            "plan__slug", "source", "ended_on"
        )
    )


def test_links_follow_current_evidence_and_keep_links_no_evidence_speaks_for(provider) -> None:
    aetna, cigna, hand = (InsurancePlanFactory(slug=s) for s in ("aetna", "cigna", "hand"))
    provider.insurance_plans.add(hand, cigna)  # no evidence row: counts as the curator's
    PlanAcceptance.objects.create(provider=provider, plan=aetna, source="payer_file")
    PlanAcceptance.objects.create(
        provider=provider, plan=cigna, source="payer_file", ended_on=TODAY
    )

    assert sync_plan_links([provider.id]) == 1
    assert slugs(provider) == ["aetna", "hand"]
    location = provider.locations.get()
    assert location.search_plans == f",{aetna.id},{hand.id},"  # the search sees it at once
    assert sync_plan_links([provider.id]) == 0


def test_a_curator_edit_is_recorded_as_evidence(provider) -> None:
    aetna, cigna = (InsurancePlanFactory(slug=s) for s in ("aetna", "cigna"))
    PlanAcceptance.objects.create(provider=provider, plan=aetna, source="payer_file")
    provider.insurance_plans.set([cigna])  # the curator removed aetna and added cigna

    record_curated_plans(provider, today=TODAY)

    assert evidence(provider) == [
        ("aetna", AcceptanceSource.PAYER_FILE, TODAY),
        ("cigna", AcceptanceSource.CURATOR, None),
    ]
    sync_plan_links([provider.id])
    assert slugs(provider) == ["cigna"]


def test_a_plan_added_again_reopens_the_curators_row(provider) -> None:
    aetna = InsurancePlanFactory(slug="aetna")
    PlanAcceptance.objects.create(provider=provider, plan=aetna, source="curator", ended_on=TODAY)
    provider.insurance_plans.set([aetna])

    record_curated_plans(provider, today=TODAY)

    assert evidence(provider) == [("aetna", AcceptanceSource.CURATOR, None)]


def test_the_admin_records_the_curators_plans(admin_client, provider) -> None:
    aetna = InsurancePlanFactory(slug="aetna")
    url = reverse("admin:providers_provider_change", args=[provider.pk])
    data = change_form_data(provider, insurance_plans=[str(aetna.pk)])
    assert admin_client.post(url, data).status_code == 302
    assert evidence(provider) == [("aetna", AcceptanceSource.CURATOR, None)]

    page = admin_client.get(url)
    assert "Aetna: Curator, last seen" in page.content.decode()
