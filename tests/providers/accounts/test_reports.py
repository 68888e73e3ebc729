""" "Report a problem with this listing": anonymous, short, rate limited, and in the curators'
review queue."""

import pytest
from django.urls import reverse

from providers.accounts.models import ListingReport
from providers.models import VerificationStatus
from tests.factories import PracticeLocationFactory

pytestmark = pytest.mark.django_db


def report(client, provider, **data):
    return client.post(
        reverse("accounts:report", args=[provider.pk]),
        {"problem": "prices", "details": "The 98940 price is $60 now.", **data},
    )


def test_the_provider_page_offers_the_report_form(client):
    provider = PracticeLocationFactory().provider
    page = client.get(reverse("finder:provider", args=[provider.pk])).content.decode()
    assert "Report a problem with this listing" in page
    assert reverse("accounts:report", args=[provider.pk]) in page
    assert "Please do not include any health information" in page
    assert f"?npi={provider.npi}" in page  # "Are you this provider? Manage this listing"


def test_a_report_is_stored_for_curators_and_shown_in_the_review_queue(
    client, admin_client_logged_in
):
    provider = PracticeLocationFactory().provider
    assert report(client, provider).status_code == 302
    stored = ListingReport.objects.get()
    assert (stored.provider, stored.problem) == (provider, "prices")
    queue = admin_client_logged_in.get(reverse("admin:accounts_listingchange_changelist"))
    assert "The 98940 price is $60 now." in queue.content.decode()


@pytest.mark.parametrize("data", [{"problem": ""}, {"problem": "nonsense"}, {"details": "x" * 501}])
def test_a_bad_report_is_a_400_with_its_message(client, data):
    provider = PracticeLocationFactory().provider
    response = report(client, provider, **data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not ListingReport.objects.exists()


def test_reports_are_rate_limited_per_address(client, settings):
    provider = PracticeLocationFactory().provider
    for _ in range(settings.LISTING_REPORTS_PER_HOUR):
        assert report(client, provider).status_code == 302
    limited = report(client, provider)
    assert limited.status_code == 429 and limited["Retry-After"] == "3600"
    assert ListingReport.objects.count() == settings.LISTING_REPORTS_PER_HOUR


def test_a_suspended_listing_takes_no_reports(client):
    provider = PracticeLocationFactory(
        provider__verification_status=VerificationStatus.SUSPENDED
    ).provider
    assert report(client, provider).status_code == 404
