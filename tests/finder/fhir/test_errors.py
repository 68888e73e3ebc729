"""Every /fhir/ error is an OperationOutcome (application/fhir+json) with the right status."""

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from finder.fhir.params import COMMON_PARAMETERS, TYPE_PARAMETERS
from finder.models import PartnerApiKey
from tests.finder.fhir.conftest import fhir_get

pytestmark = pytest.mark.django_db


def assert_outcome(response, body, status: int, code: str, words: str) -> None:
    assert response.status_code == status, body
    assert response["Content-Type"] == "application/fhir+json"
    assert body["resourceType"] == "OperationOutcome"
    assert [issue["code"] for issue in body["issue"]] == [code] * len(body["issue"])
    assert any(words in issue["diagnostics"] for issue in body["issue"]), body


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("Practitioner?bogus=1", "Unknown search parameter 'bogus' for Practitioner"),
        ("Practitioner?name:exact=Doe", "Unknown search parameter 'name:exact'"),
        ("Location?specialty=111N00000X", "Unknown search parameter 'specialty' for Location"),
        ("Practitioner?_count=abc", "'_count' must be a whole number; got 'abc'"),
        ("Practitioner?_count=101", "'_count' must be from 0 to 100"),
        ("Practitioner?_offset=-1", "'_offset' must be from 0"),
        ("Practitioner?name=a&name=b", "Give 'name' once"),
        ("Practitioner?name=", "'name' needs a value"),
        ("Practitioner?_id=bad$id", "is not a FHIR id"),
        ("Practitioner?_format=xml", "only JSON is served"),
        ("Location?near=91|-97.7|5|mi", "'near latitude' must be from -90 to 90; got '91'"),
        ("Location?near=-90.5|-97.7", "'near latitude' must be from -90 to 90"),
        ("Location?near=30.2|181|5|mi", "'near longitude' must be from -180 to 180"),
        ("PractitionerRole?near=30.2|-97.7|5|ft", "the unit must be mi or km; got 'ft'"),
        ("Location?near=30.2|-97.7|0|mi", "the distance must be greater than 0"),
        ("Location?near=30.2|-97.7|101|mi", "at most 100 miles"),
        ("Location?near=30.2|-97.7|200", "at most 100 miles"),
        ("Location?near=30.2|-97.7|nan|mi", "'near distance' must be from 0"),
        ("Location?near=austin", "'near' must be latitude|longitude|distance|unit"),
        ("Practitioner?_lastUpdated=gt2026-13-01", "'_lastUpdated': '2026-13-01' is not a date"),
        ("Practitioner?_lastUpdated=2026-11-20T10:00:00", "with its time zone"),
        ("Practitioner?_lastUpdated=ab2026-11-20", "is not a date"),
        ("PractitionerRole?_include=PractitionerRole:network", "'_include': supported are"),
        ("Practitioner/1?name=x", "A read takes no parameters"),
    ],
)
def test_bad_input_is_a_400_operation_outcome(client, path, words):
    response, body = fhir_get(client, f"/fhir/{path}")
    assert_outcome(response, body, 400, "invalid", words)


def test_every_bad_parameter_is_named_at_once(client):
    response, body = fhir_get(client, "/fhir/Location?near=91|0&_count=abc")
    assert_outcome(response, body, 400, "invalid", "near latitude")
    assert len(body["issue"]) == 2


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("Practitioner/999999", "not-found", "No Practitioner with id '999999'"),
        ("PractitionerRole/1-999999", "not-found", "No PractitionerRole with id '1-999999'"),
        ("Organization/acme", "not-found", "No Organization with id 'acme'"),
        ("Patient", "not-supported", "Unknown resource type 'Patient'"),
        ("Patient/1", "not-supported", "Unknown resource type 'Patient'"),
        ("Practitioner/1/_history/2", "not-found", "Nothing at /fhir/Practitioner/1/_history/2"),
    ],
)
def test_unknown_ids_types_and_paths_are_404_operation_outcomes(client, path, code, words):
    response, body = fhir_get(client, f"/fhir/{path}")
    assert_outcome(response, body, 404, code, words)


@override_settings(API_ANON_RATE="2/min")
def test_too_many_requests_is_a_429_operation_outcome_with_retry_after(client):
    assert client.get("/fhir/metadata").status_code == 200
    assert client.get("/fhir/metadata").status_code == 200
    response, body = fhir_get(client, "/fhir/metadata")
    assert_outcome(response, body, 429, "throttled", "Request was throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Remaining"] == "0"


def test_a_bad_key_is_a_401_operation_outcome(client):
    response, body = fhir_get(client, "/fhir/metadata", HTTP_AUTHORIZATION="Api-Key nope.nope")
    assert_outcome(response, body, 401, "login", "Invalid or revoked API key")
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_database_outage_is_a_503_operation_outcome(client, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response, body = fhir_get(client, "/fhir/Practitioner")
    assert_outcome(response, body, 503, "transient", "temporarily unavailable")
    assert response["Retry-After"] == "30"


def test_a_nul_character_is_a_400_operation_outcome(client):
    response, body = fhir_get(client, "/fhir/Practitioner?name=a%00b")
    assert_outcome(response, body, 400, "invalid", "NUL")


def test_browsers_of_a_partners_origin_may_call_the_directory(client):
    PartnerApiKey.objects.create_key(
        name="Acme", owner_contact="dev@acme.example", allowed_origins="https://partner.example"
    )
    response = client.get("/fhir/metadata", HTTP_ORIGIN="https://partner.example")
    assert response["Access-Control-Allow-Origin"] == "https://partner.example"
    other = client.get("/fhir/metadata", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


HOSTILE = [
    "' OR '1'='1'; DROP TABLE providers_provider; --",
    '<script>alert("x")</script>',
    "A" * 10_000,
    "Austin\x01\x1b[31m\x7f",
    "Zürich 東京 🦴 \u202e",
    "9" * 40,
    "-1",
    "1e308",
    "|||",
    "gt",
    "Organization/",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_of_every_parameter_never_cause_a_5xx(client, value):
    for resource_type, own in TYPE_PARAMETERS.items():
        for name in (*COMMON_PARAMETERS, *own):
            response = client.get(f"/fhir/{resource_type}", {name: value})
            assert response.status_code in (200, 400), (resource_type, name, response.content[:300])
            body = response.json()
            expected = "Bundle" if response.status_code == 200 else "OperationOutcome"
            assert body["resourceType"] == expected
    response = client.get(f"/fhir/Practitioner/{value[:60]}")
    assert response.status_code in (400, 404)
