"""Freshness for patients and partners: the `verification` object, its words on the pages,
the `verified_within_days` filter, and the rule that a verified listing has a date."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from finder.verification_words import verification_words
from providers.models import Provider, VerificationSource, VerificationStatus
from providers.verification import is_stale
from tests.factories import PracticeLocationFactory

API = "/api/v1/providers/"
TODAY = date(2026, 12, 7)


def words(status: str, source: str, last: date | None) -> dict[str, str]:
    verification = {
        "status": status,
        "source": source,
        "last_verified": last.isoformat() if last else None,
        "stale": is_stale(last, TODAY),
    }
    return verification_words(verification, TODAY)  # type: ignore[arg-type]


def test_the_words_say_who_vouches_and_when():
    assert words("verified", "provider", date(2026, 11, 3)) == {
        "source": "Confirmed by the provider on 3 Nov 2026",
        "stale": "",
    }
    assert words("verified", "curator", date(2026, 11, 3))["source"] == (
        "Verified by our curators on 3 Nov 2026"
    )
    assert words("pending", "nppes", None) == {
        "source": "From the national NPI registry; not yet confirmed",
        "stale": "",
    }


@pytest.mark.parametrize(
    ("days", "stale"),
    [(90, ""), (91, "Last confirmed 3 months ago"), (125, "Last confirmed 4 months ago"),
     (800, "Last confirmed 2 years ago")],
)  # fmt: skip
def test_a_listing_not_confirmed_for_90_days_says_so(days, stale):
    assert words("verified", "provider", TODAY - timedelta(days=days))["stale"] == stale


@pytest.mark.django_db
def test_results_and_detail_carry_the_verification_object(client):
    confirmed = timezone.localdate() - timedelta(days=100)
    provider = PracticeLocationFactory(
        provider__verification_status=VerificationStatus.VERIFIED,
        provider__verification_source=VerificationSource.PROVIDER,
        provider__last_verified=confirmed,
    ).provider
    expected = {
        "status": "verified", "source": "provider", "last_verified": confirmed.isoformat(),
        "stale": True,
    }  # fmt: skip
    assert client.get(API, {"near": "78701"}).json()["results"][0]["verification"] == expected
    assert client.get(API).json()["results"][0]["verification"] == expected
    assert client.get(f"{API}{provider.pk}/").json()["verification"] == expected
    page = client.get(reverse("finder:provider", args=[provider.pk])).content.decode()
    assert "Last confirmed 3 months ago" in page
    results = client.get("/", {"near": "78701"}).content.decode()
    assert "Last confirmed 3 months ago" in results


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"near": "78701"}, {}])
def test_verified_within_days_keeps_recently_verified_listings(client, params):
    today = timezone.localdate()
    for name, days in (("Recent", 10), ("Older", 40)):
        PracticeLocationFactory(
            provider__first_name=name,
            provider__verification_status=VerificationStatus.VERIFIED,
            provider__last_verified=today - timedelta(days=days),
        )
    PracticeLocationFactory(provider__first_name="Never")
    names = [
        r["name"].split()[0]
        for r in client.get(API, {**params, "verified_within_days": "30"}).json()["results"]
    ]
    assert names == ["Recent"]
    within_40 = client.get(API, {**params, "verified_within_days": "40"}).json()
    assert within_40["count"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "366", "-1", "abc", "1.5", ""])
def test_verified_within_days_outside_1_to_365_is_a_400(client, value):
    response = client.get(API, {"verified_within_days": value})
    assert response.status_code == 400
    assert list(response.json()) == ["verified_within_days"]


@pytest.mark.django_db
def test_a_verified_listing_without_a_date_is_refused():
    provider = PracticeLocationFactory().provider
    provider.verification_status = VerificationStatus.VERIFIED
    with pytest.raises(ValidationError, match="needs its verification date"):
        provider.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        provider.save()


@pytest.mark.django_db(transaction=True)
def test_the_migration_dates_verified_listings_and_records_their_origin():
    executor = MigrationExecutor(connection)
    before = [("providers", "0009_medicare")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldProvider = old.get_model("providers", "Provider")
    OldLocation = old.get_model("providers", "PracticeLocation")
    verified = OldProvider.objects.create(
        npi="1234567893", first_name="A", last_name="B", profession="chiropractor",
        verification_status="verified",
    )  # fmt: skip
    imported = OldProvider.objects.create(
        npi="1000000004", first_name="C", last_name="D", profession="chiropractor"
    )
    OldLocation.objects.create(
        provider=imported, address_line1="1 Main", city="Austin", state="TX",
        zip_code="78701", source="nppes",
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    dated = Provider.objects.get(pk=verified.pk)
    assert dated.last_verified == timezone.localtime(dated.created_at).date()
    assert Provider.objects.get(pk=imported.pk).verification_source == "nppes"
    assert dated.verification_source == "curator"
