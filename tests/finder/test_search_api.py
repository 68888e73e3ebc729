"""GET /api/v1/providers/ and /api/v1/providers/{id}/ against the public contract."""

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_script_prefix
from django.utils import timezone as django_timezone

from providers.models import InsurancePlan, Profession, Provider, Scope
from tests.factories import (
    InsurancePlanFactory,
    LicenseFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/providers/"
NOT_A_NUMBER = "A valid number is required."


@pytest.fixture
def jane(db):
    PracticeActFactory(state="TX", note="No restriction found.")
    location = PracticeLocationFactory(
        provider__first_name="Jane", provider__last_name="Doe",
        provider__offers_mobilization=True, provider__languages=["es", "en"],
        provider__offers_telehealth=True, wheelchair_accessible=True, evening_hours=False,
    )  # fmt: skip
    provider = location.provider
    provider.insurance_plans.add(
        InsurancePlanFactory(slug="aetna-ppo"), InsurancePlanFactory(slug="medicare")
    )
    ProviderPriceFactory(provider=provider, procedure=ProcedureFactory(), cash_price=Decimal("40"))
    provider.refresh_from_db()
    return location


def expected_result(location, distance_miles):
    provider = location.provider
    return {
        "id": provider.id,
        "npi": provider.npi,
        "name": "Jane Doe, DC",
        "profession": "chiropractor",
        "accepting_new_patients": True,
        "distance_miles": distance_miles,
        "location": {
            "id": location.id, "address": "100 Congress Ave", "city": "Austin", "state": "TX",
            "zip_code": "78701", "lat": 30.2651, "lng": -97.7441, "phone": "512-555-0100",
            "wheelchair_accessible": True, "evening_hours": False, "weekend_hours": None,
        },
        "services": ["spinal_manipulation", "mobilization"],
        "languages": ["en", "es"],
        "telehealth": True,
        "scope": {"state": "TX", "spinal_manipulation": "allowed", "note": "No restriction found."},
        "insurance_plans": ["aetna-ppo", "medicare"],
        # No Medicare amounts are loaded here (tests/finder/test_medicare_listing.py has them).
        "prices": [{"code": "98940", "label": "Spinal manipulation, 1-2 regions",
                    "cash_price": "40.00", "currency": "USD", "medicare": None}],
        "medicare_assignment": "unknown",
        "verification_status": "pending",
        "verification": {
            "status": "pending", "source": "curator", "last_verified": None, "stale": True,
        },
        "is_demo": False,
        "updated_at": provider.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": f"http://testserver/api/v1/providers/{provider.id}/",
    }  # fmt: skip


def test_search_by_zip_matches_the_contract(client, jane):
    response = client.get(URL, {"near": "78701"})
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "origin": {
            "lat": 30.2713,
            "lng": -97.7426,
            "label": "Austin, TX 78701",
            "radius_miles": 25.0,
        },
        "results": [expected_result(jane, 0.44)],
    }


def test_list_without_origin_matches_the_contract(client, jane):
    body = client.get(URL).json()
    assert body == {
        "count": 1, "next": None, "previous": None, "origin": None,
        "results": [expected_result(jane, None)],
    }  # fmt: skip


def test_the_sync_list_has_no_page_limit_short_of_its_last_page(client, jane):
    """Partners sync every provider through the origin-less list, so a page number far past
    10,000 is valid: past the last page it is a 404 like any other, not a 400."""
    PracticeLocationFactory.create_batch(2)
    last = client.get(URL, {"page": "3", "page_size": "1"}).json()
    assert last["next"] is None and len(last["results"]) == 1
    assert client.get(URL, {"page": "10001", "page_size": "1"}).status_code == 404


def test_detail_matches_the_contract(client, jane):
    provider = jane.provider
    confirmed = django_timezone.localdate() - timedelta(days=30)
    provider.last_verified = confirmed
    provider.verification_status = "verified"
    provider.verification_source = "provider"
    provider.hours = "Mon-Fri 8-6"
    provider.save()
    LicenseFactory(provider=provider, number="TX-123")
    body = client.get(f"{URL}{provider.id}/").json()
    location = expected_result(jane, None)["location"] | {
        "scope": {"state": "TX", "spinal_manipulation": "allowed", "note": "No restriction found."},
        "medicare_amounts": [],  # no Medicare amounts loaded (see test_medicare_listing.py)
    }
    assert body == {
        "id": provider.id, "npi": provider.npi, "name": "Jane Doe, DC", "first_name": "Jane",
        "last_name": "Doe", "credential": "DC", "profession": "chiropractor",
        "accepting_new_patients": True, "locations": [location],
        "licenses": [{"state": "TX", "number": "TX-123"}],
        "services": ["spinal_manipulation", "mobilization"], "endorsements": [],
        "languages": ["en", "es"], "telehealth": True,
        "insurance_plans": [
            {"slug": "aetna-ppo", "name": "Aetna Ppo", "kind": "commercial", "source": "curator",
             "as_of": None},
            {"slug": "medicare", "name": "Medicare", "kind": "commercial",
             "source": "curator", "as_of": None},
        ],
        "negotiated_rates": [],
        "prices": expected_result(jane, None)["prices"],
        "medicare_assignment": "unknown",
        "verification_status": "verified", "last_verified": confirmed.isoformat(),
        "verification": {
            "status": "verified", "source": "provider", "last_verified": confirmed.isoformat(),
            "stale": False,
        },
        "hours": "Mon-Fri 8-6", "bio": "", "website": "", "provider_updated_at": None,
        "is_demo": False,
        "updated_at": provider.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": f"http://testserver/api/v1/providers/{provider.id}/",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        # Truncated to the second, never rounded up into the next one (or the next year).
        (datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC), "2026-12-31T23:59:59Z"),
        (datetime(2026, 7, 4, 12, 0, 0, tzinfo=UTC), "2026-07-04T12:00:00Z"),
        # Stored in UTC whatever the zone it was written from.
        (datetime(2026, 3, 1, 1, 30, 5, 250_000, tzinfo=timezone(timedelta(hours=-5))),
         "2026-03-01T06:30:05Z"),
    ],
)  # fmt: skip
def test_updated_at_is_utc_to_the_second_in_every_listing(client, jane, stored, shown):
    Provider.objects.filter(id=jane.provider_id).update(updated_at=stored)
    search = client.get(URL, {"near": "78701"}).json()["results"]
    sync_list = client.get(URL).json()["results"]
    detail = client.get(f"{URL}{jane.provider_id}/").json()
    assert [search[0]["updated_at"], sync_list[0]["updated_at"], detail["updated_at"]] == [
        shown
    ] * 3


def test_provider_urls_follow_the_script_prefix_of_each_request(client, jane):
    """The detail path is worked out once per prefix: a site mounted under a path and the
    same site at the root each get their own URLs, in either order."""
    detail = f"api/v1/providers/{jane.provider_id}/"
    for prefix in ("", "/finder", ""):
        # Django's WSGI handler sets the script prefix from SCRIPT_NAME; its test client not.
        with override_script_prefix(f"{prefix}/"):
            body = client.get(URL, {"near": "78701"}, SCRIPT_NAME=prefix).json()
        assert body["results"][0]["url"] == f"http://testserver{prefix}/{detail}"


def test_detail_of_a_suspended_or_missing_provider_is_404(client, world):
    response = client.get(f"{URL}{world['suspended'].id}/")
    assert response.status_code == 404
    assert client.get(f"{URL}999999/").json() == {"detail": "No provider with id 999999."}


def test_an_endorsed_provider_shows_allowed(client, db):
    PracticeActFactory(
        state="WA", profession=Profession.PHYSICAL_THERAPIST,
        spinal_manipulation=Scope.REQUIRES_ENDORSEMENT, note="Endorsement needed.",
    )  # fmt: skip
    for endorsed in (True, False):
        PracticeLocationFactory(
            state="WA", zip_code="98101", latitude=47.61, longitude=-122.33,
            provider__profession=Profession.PHYSICAL_THERAPIST,
            provider__spinal_manipulation_endorsed=endorsed,
        )  # fmt: skip
    results = client.get(URL, {"near": "98101"}).json()["results"]
    assert [r["scope"]["spinal_manipulation"] for r in results] == [
        "allowed",
        "requires_endorsement",
    ]


def test_detail_lists_the_endorsements_the_acts_ask_for_services_offered(client, db):
    PracticeActFactory(
        state="WA", profession=Profession.PHYSICAL_THERAPIST,
        spinal_manipulation=Scope.REQUIRES_ENDORSEMENT, note="Endorsement needed.",
    )  # fmt: skip
    PracticeActFactory(state="OR", profession=Profession.PHYSICAL_THERAPIST)
    shown = {}
    for endorsed, offers in ((True, True), (False, True), (True, False)):
        location = PracticeLocationFactory(
            state="WA", zip_code="98101", latitude=47.61, longitude=-122.33,
            provider__profession=Profession.PHYSICAL_THERAPIST,
            provider__spinal_manipulation_endorsed=endorsed,
            provider__offers_spinal_manipulation=offers,
        )  # fmt: skip
        PracticeLocationFactory(provider=location.provider, state="OR", zip_code="97201")
        body = client.get(f"{URL}{location.provider.id}/").json()
        shown[endorsed, offers] = (
            body["endorsements"],
            [place["scope"]["spinal_manipulation"] for place in body["locations"]],
        )
    wa = {"state": "WA", "service": "spinal_manipulation"}
    assert shown == {
        (True, True): ([wa | {"held": True}], ["allowed", "allowed"]),
        (False, True): ([wa | {"held": False}], ["requires_endorsement", "allowed"]),
        (True, False): ([], ["allowed", "allowed"]),  # an endorsement for nothing it offers
    }


@pytest.mark.parametrize(
    "near",
    ["78701", "78701-1234", "787011234", "Austin, TX", "austin tx", "AUSTIN, Texas",
     "100 Congress Ave, Austin, TX 78701", "100 Congress Ave, Austin, TX"],
)  # fmt: skip
def test_near_accepts_zip_city_and_address_forms(client, jane, near):
    body = client.get(URL, {"near": near}).json()
    assert [r["id"] for r in body["results"]] == [jane.provider.id]
    assert body["origin"]["label"].startswith("Austin, TX")


# The places suggested come from the bundled ZIP data, largest first; only the largest is
# certain enough to name here (a data update may reorder the small towns after it).
@pytest.mark.parametrize(
    ("near", "start", "listed"),
    [("Austin", "Several US places are named 'Austin'. Add the state, for example 'Austin, TX', ",
      r"'Austin, [A-Z]{2}'"),
     ("100 Main St, springfield", "Several US places are named 'Springfield'. Add the state, "
      "for example ", r"'Springfield, [A-Z]{2}'"),
     ("Texas", "'Texas' is too large an area to search. Enter a ZIP code or a city, such as "
      "'Houston, TX', ", r"'[A-Za-z .]+, TX'")],
)  # fmt: skip
def test_place_text_that_names_no_single_place_suggests_three(client, db, near, start, listed):
    response = client.get(URL, {"near": near})
    assert response.status_code == 400
    [message] = response.json()["near"]
    assert message.startswith(start)
    suggested = re.findall(listed, message)
    assert len(suggested) == len(set(suggested)) == 3
    assert re.search(f"{listed}, {listed} or {listed}\\.$", message)


def test_near_accepts_a_city_without_its_state_where_the_name_is_unique(client, db):
    body = client.get(URL, {"near": "Chicago"}).json()
    assert body["origin"]["label"] == "Chicago, IL"
    assert body["origin"]["lat"] == pytest.approx(41.88, abs=0.1)


@pytest.mark.parametrize(
    ("near", "lat", "lng"), [("96813", 21.31, -157.86), ("Honolulu, HI", 21.31, -157.86),
                             ("99501", 61.22, -149.86), ("Anchorage, AK", 61.2, -149.9)],
)  # fmt: skip
def test_hawaii_and_alaska_origins(client, db, near, lat, lng):
    location = PracticeLocationFactory(
        state=near[-2:] if "," in near else ("HI" if near == "96813" else "AK"),
        latitude=lat, longitude=lng,
    )  # fmt: skip
    body = client.get(URL, {"near": near}).json()
    assert [r["id"] for r in body["results"]] == [location.provider.id]
    assert body["results"][0]["distance_miles"] < 10


def test_lat_lng_origin(client, jane):
    body = client.get(URL, {"lat": "30.2651", "lng": "-97.7441", "radius_miles": "1"}).json()
    assert body["origin"] == {"lat": 30.2651, "lng": -97.7441, "label": "30.2651, -97.7441",
                              "radius_miles": 1.0}  # fmt: skip
    assert body["results"][0]["distance_miles"] == 0.0


def test_pagination_links(client, db):
    for i in range(3):
        PracticeLocationFactory(latitude=30.2651 + i * 0.01)
    body = client.get(URL, {"near": "78701", "page_size": "2"}).json()
    assert body["count"] == 3
    assert body["next"] == "http://testserver/api/v1/providers/?near=78701&page_size=2&page=2"
    page2 = client.get(body["next"]).json()
    assert len(page2["results"]) == 1
    assert page2["previous"] == "http://testserver/api/v1/providers/?near=78701&page_size=2&page=1"
    assert client.get(URL, {"near": "78701", "page": "3", "page_size": "2"}).status_code == 404


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"near": "xyz"}, {"near": ["Could not find a US location for 'xyz'."]}),
        ({"near": "Nowhere, ZZ"}, {"near": ["Could not find a US location for 'Nowhere, ZZ'."]}),
        ({"near": "Austn, TX"}, {"near": [
            "Could not find a US location for 'Austn, TX'. Did you mean 'Austin, TX'?"]}),
        ({"near": "78701", "radius_miles": "0"}, {"radius_miles": ["Must be greater than 0."]}),
        ({"near": "78701", "radius_miles": "-5"}, {"radius_miles": ["Must be greater than 0."]}),
        ({"near": "78701", "radius_miles": "101"},
         {"radius_miles": ["Must be at most 100 miles; search a closer location instead."]}),
        ({"near": "78701", "radius_miles": "far"}, {"radius_miles": [NOT_A_NUMBER]}),
        ({"near": "78701", "radius_miles": "inf"}, {"radius_miles": [NOT_A_NUMBER]}),
        ({"lat": "91", "lng": "0"}, {"lat": ["Ensure this value is less than or equal to 90."]}),
        ({"lat": "0", "lng": "-181"},
         {"lng": ["Ensure this value is greater than or equal to -180."]}),
        ({"lat": "nan", "lng": "0"}, {"lat": ["A valid number is required."]}),
        ({"lat": "30"}, {"lng": ["lat and lng must be given together."]}),
        ({"lng": "-97"}, {"lat": ["lat and lng must be given together."]}),
        ({"near": "78701", "lat": "30", "lng": "-97"},
         {"near": ["Give either near or lat and lng, not both."]}),
        ({"profession": "dentist"}, {"profession": ['"dentist" is not a valid choice.']}),
        ({"service": "massage"}, {"service": ['"massage" is not a valid choice.']}),
        ({"insurance": "no-such-plan"}, {"insurance": ["Unknown insurance plan 'no-such-plan'."]}),
        ({"accepting_new_patients": "maybe"},
         {"accepting_new_patients": ["Must be a valid boolean."]}),
        ({"max_price": "cheap"}, {"max_price": ["A valid number is required."]}),
        ({"max_price": "-1"}, {"max_price": ["Ensure this value is greater than or equal to 0."]}),
        ({"page_size": "101"}, {"page_size": ["Ensure this value is less than or equal to 100."]}),
        ({"page": "0"}, {"page": ["Ensure this value is greater than or equal to 1."]}),
        ({"page": "10000001"},
         {"page": ["Ensure this value is less than or equal to 10000000."]}),
        ({"ordering": "distance"},
         {"ordering": ["Ordering by distance needs a location (near, or lat and lng)."]}),
        ({"updated_since": "yesterday"}, {"updated_since": [
            "Datetime has wrong format. Use one of these formats instead: "
            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}),
        ({"near": "a" * 500}, {"near": ["Ensure this field has no more than 200 characters."]}),
        ({"language": "xx"},
         {"language": ["Unknown language code 'xx'. Use an ISO 639-1 code, such as 'es' for "
                       "Spanish."]}),
        ({"language": "spa"}, {"language": ["Ensure this field has no more than 2 characters."]}),
        ({"telehealth": "sometimes"}, {"telehealth": ["Must be a valid boolean."]}),
        ({"accessible": "ramp"}, {"accessible": ["Must be a valid boolean."]}),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_with_field_messages(client, db, params, errors):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert response.json() == errors


def test_a_known_insurance_plan_costs_no_query_of_its_own(client, jane, settings):
    settings.SEARCH_CACHE_SECONDS = 0  # every request searches

    def queries_for(params):
        client.get(URL, params)  # warm: plan names, practice acts
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, params).json()["count"] == 1
        assert queries  # the search itself
        return len(queries)

    assert queries_for({"near": "78701", "insurance": "aetna-ppo"}) == queries_for(
        {"near": "78701"}
    )


def test_a_plan_another_process_just_added_is_known_at_once(client, jane):
    assert client.get(URL, {"near": "78701", "insurance": "aetna-ppo"}).status_code == 200
    # bulk_create sends no signal: this process's plan names stay as they were, as they do
    # for up to a second after another process adds a plan.
    InsurancePlan.objects.bulk_create(
        [InsurancePlan(slug="new-plan", name="New plan", payer="Example", kind="commercial")]
    )
    response = client.get(URL, {"near": "78701", "insurance": "new-plan"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_updated_since_accepts_iso_datetimes(client, jane):
    body = client.get(URL, {"updated_since": "2000-01-01T00:00:00Z"}).json()
    assert body["count"] == 1
    assert client.get(URL, {"updated_since": "2999-01-01T00:00:00Z"}).json()["count"] == 0


@pytest.fixture
def languages_and_access(db):
    """Three providers near Austin: Spanish-speaking on telehealth at an accessible entrance;
    English-only with steps at one address and a ramp at another; one who reported nothing."""
    PracticeActFactory(state="TX")
    ana = PracticeLocationFactory(
        provider__first_name="Ana", provider__languages=["en", "es"],
        provider__offers_telehealth=True, wheelchair_accessible=True,
    )  # fmt: skip
    bo = PracticeLocationFactory(
        provider__first_name="Bo", provider__languages=["en"], wheelchair_accessible=False
    )
    PracticeLocationFactory(
        provider=bo.provider, address_line1="9 Ramp Rd", latitude=30.30, longitude=-97.75,
        wheelchair_accessible=True,
    )  # fmt: skip
    cy = PracticeLocationFactory(provider__first_name="Cy", provider__offers_telehealth=False)
    return {"ana": ana.provider, "bo": bo.provider, "cy": cy.provider}


def found(client, **params) -> list[str]:
    body = client.get(URL, params).json()
    return sorted(result["name"].split()[0] for result in body["results"])


@pytest.mark.parametrize("near", [{"near": "78701"}, {}], ids=["near Austin", "sync list"])
@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"language": "es"}, ["Ana"]),
        ({"language": "ES"}, ["Ana"]),
        ({"language": "en"}, ["Ana", "Bo"]),
        ({"language": "vi"}, []),
        ({"telehealth": "true"}, ["Ana"]),
        ({"telehealth": "false"}, ["Bo", "Cy"]),
        ({"accessible": "true"}, ["Ana", "Bo"]),
        ({"accessible": "false"}, ["Bo", "Cy"]),
        ({"language": "en", "telehealth": "true", "accessible": "true"}, ["Ana"]),
    ],
)
def test_language_telehealth_and_access_filters(client, languages_and_access, near, params, names):
    assert found(client, **near, **params) == names


def test_an_accessible_search_shows_the_accessible_address(client, languages_and_access):
    body = client.get(URL, {"near": "78701", "accessible": "true"}).json()
    bo = next(result for result in body["results"] if result["id"] == languages_and_access["bo"].id)
    assert bo["location"]["address"] == "9 Ramp Rd"
    assert bo["location"]["wheelchair_accessible"] is True
