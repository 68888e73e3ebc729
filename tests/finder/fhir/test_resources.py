"""Every resource type /fhir/ serves validates with fhir.resources (R4B models) and against
the Plan-Net profile it claims; and says what the directory holds, nothing more."""

import json

import pytest
from fhir.resources.R4B import get_fhir_model_class

from finder.fhir import resources
from tests.finder.fhir import profile_check
from tests.finder.fhir.conftest import fhir_get

pytestmark = pytest.mark.django_db


def every_resource(client, directory) -> list[dict]:
    chiro, aetna = directory["chiro"], directory["aetna"]
    paths = [
        f"/fhir/Practitioner/{chiro.id}",
        f"/fhir/PractitionerRole/{chiro.id}-{aetna.id}",
        f"/fhir/PractitionerRole/{directory['therapist'].id}",
        f"/fhir/Location/{chiro.locations.first().id}",
        f"/fhir/HealthcareService/{chiro.id}",
        f"/fhir/Organization/network-{aetna.id}",
        f"/fhir/InsurancePlan/{aetna.id}",
        f"/fhir/InsurancePlan/{directory['medicaid'].id}",
    ]
    found = []
    for path in paths:
        response, body = fhir_get(client, path)
        assert response.status_code == 200, (path, body)
        assert response["Content-Type"] == "application/fhir+json"
        found.append(body)
    return found


def test_every_resource_type_validates_with_fhir_resources(client, directory):
    served = every_resource(client, directory)
    assert {resource["resourceType"] for resource in served} == set(
        resources.profiles.RESOURCE_TYPES
    )
    for resource in served:
        model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        # What the model reads back is what was served: nothing dropped or renamed.
        assert json.loads(model.model_dump_json()) == resource


def test_every_resource_conforms_to_the_plan_net_profile_it_claims(client, directory):
    for resource in every_resource(client, directory):
        assert resource["meta"]["profile"] == [
            resources.profiles.PROFILES[resource["resourceType"]]
        ]
        assert profile_check.problems(resource) == [], resource["resourceType"]


def test_a_practitioner_carries_npi_name_and_licenses(client, directory):
    chiro = directory["chiro"]
    _, body = fhir_get(client, f"/fhir/Practitioner/{chiro.id}")
    assert body["identifier"] == [
        {"use": "official", "system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}
    ]
    assert body["name"] == [
        {"use": "official", "text": "Jane Doe, DC", "family": "Doe", "given": ["Jane"],
         "suffix": ["DC"]}
    ]  # fmt: skip
    assert body["qualification"] == [
        {
            "identifier": [{"value": "DC12345"}],
            "code": {
                "coding": [
                    {"system": "http://nucc.org/provider-taxonomy", "code": "111N00000X",
                     "display": "Chiropractor"}
                ],
                "text": "Chiropractor license, TX",
            },
            "issuer": {"display": "TX licensing board"},
        }
    ]  # fmt: skip


def test_a_location_has_its_address_position_and_phone(client, directory):
    place = directory["chiro"].locations.first()
    _, body = fhir_get(client, f"/fhir/Location/{place.id}")
    assert body["address"] == {
        "use": "work", "type": "physical", "line": ["100 Congress Ave"], "city": "Austin",
        "state": "TX", "postalCode": "78701", "country": "US",
    }  # fmt: skip
    assert body["position"] == {"longitude": -97.7441, "latitude": 30.2651}
    assert body["telecom"] == [{"system": "phone", "value": "512-555-0100", "use": "work"}]
    assert "hoursOfOperation" not in body  # the directory holds no structured opening hours
    assert "availabilityExceptions" not in body  # nor, for this provider, any written ones


def test_a_providers_own_opening_hours_are_given_as_written_at_each_location(client, directory):
    provider = directory["chiro"]
    provider.hours = "Mon-Fri 8am-6pm; Sat 9am-noon"
    provider.save()
    for place in provider.locations.all():
        _, body = fhir_get(client, f"/fhir/Location/{place.id}")
        assert body["availabilityExceptions"] == (
            "Opening hours, as the provider gives them: Mon-Fri 8am-6pm; Sat 9am-noon"
        )
        assert "hoursOfOperation" not in body
        assert profile_check.problems(body) == []
        model = get_fhir_model_class("Location").model_validate(body)
        assert json.loads(model.model_dump_json()) == body


def extensions(resource: dict, url_end: str) -> list[dict]:
    return [ext for ext in resource["extension"] if ext["url"].endswith(url_end)]


def test_a_provider_in_two_networks_has_one_role_per_network(client, directory):
    chiro = directory["chiro"]
    _, bundle = fhir_get(client, f"/fhir/PractitionerRole?practitioner=Practitioner/{chiro.id}")
    roles = [entry["resource"] for entry in bundle["entry"]]
    expected = sorted([directory["aetna"].id, directory["medicaid"].id])
    assert [role["id"] for role in roles] == [f"{chiro.id}-{plan_id}" for plan_id in expected]
    for role, plan_id in zip(roles, expected, strict=True):
        (network,) = extensions(role, "/network-reference")
        assert network["valueReference"]["reference"] == f"Organization/network-{plan_id}"
        assert role["specialty"][0]["coding"][0]["code"] == "111N00000X"
        assert role["code"][0]["coding"][0]["code"] == "ch"
        assert [ref["reference"] for ref in role["location"]] == [
            f"Location/{place.id}" for place in chiro.locations.all()
        ]


def test_a_role_carries_new_patients_scope_medicare_and_prices(client, directory):
    chiro = directory["chiro"]
    _, role = fhir_get(client, f"/fhir/PractitionerRole/{chiro.id}-{directory['aetna'].id}")
    (new_patients,) = extensions(role, "/newpatients")
    assert new_patients["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "newpt"
    scopes = [
        {part["url"]: part["valueCode"] for part in ext["extension"]}
        for ext in extensions(role, "/manipulation-scope")
    ]
    assert scopes == [
        {"state": "TX", "service": "spinal_manipulation", "scope": "allowed"},
        {"state": "TX", "service": "extremity_manipulation", "scope": "unknown"},
    ]
    (assignment,) = extensions(role, "/medicare-assignment")
    assert assignment["valueCode"] == "unknown"
    (price,) = extensions(role, "/cash-price")
    parts = {part["url"]: part for part in price["extension"]}
    assert parts["code"]["valueCoding"]["code"] == "98940"
    assert parts["amount"]["valueMoney"] == {"value": 45.0, "currency": "USD"}


def test_money_is_written_with_its_cents(client, directory):
    response = client.get(f"/fhir/PractitionerRole/{directory['chiro'].id}-{directory['aetna'].id}")
    assert b'"valueMoney":{"value":45.00,"currency":"USD"}' in response.content


def test_a_provider_in_no_network_has_one_role_without_one(client, directory):
    therapist = directory["therapist"]
    _, role = fhir_get(client, f"/fhir/PractitionerRole/{therapist.id}")
    assert extensions(role, "/network-reference") == []
    (new_patients,) = extensions(role, "/newpatients")
    assert new_patients["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "nopt"
    assert role["specialty"][0]["coding"][0]["code"] == "225100000X"
    scopes = [
        {part["url"]: part["valueCode"] for part in ext["extension"]}
        for ext in extensions(role, "/manipulation-scope")
    ]
    assert scopes == [
        {"state": "TX", "service": "spinal_manipulation", "scope": "requires_endorsement"}
    ]


def test_networks_and_plans_name_their_payer_without_making_one_up(client, directory):
    aetna = directory["aetna"]
    _, network = fhir_get(client, f"/fhir/Organization/network-{aetna.id}")
    assert network["name"] == "Aetna PPO network"
    assert network["partOf"] == {"display": "Aetna"}
    _, plan = fhir_get(client, f"/fhir/InsurancePlan/{directory['medicaid'].id}")
    assert plan["type"][0]["coding"][0]["code"] == "medi"
    assert plan["network"] == [
        {"reference": f"Organization/network-{directory['medicaid'].id}",
         "display": "Medicaid network"}
    ]  # fmt: skip


def test_a_suspended_provider_is_never_served(client, directory):
    hidden = directory["hidden"]
    for path in (
        f"/fhir/Practitioner/{hidden.id}",
        f"/fhir/PractitionerRole/{hidden.id}-{directory['aetna'].id}",
        f"/fhir/Location/{hidden.locations.first().id}",
        f"/fhir/HealthcareService/{hidden.id}",
    ):
        response, body = fhir_get(client, path)
        assert response.status_code == 404, path
        assert body["resourceType"] == "OperationOutcome"


def test_the_fhir_guide_is_a_page_that_defines_the_extensions(client, settings):
    settings.FHIR_CANONICAL_BASE = "https://directory.example.org/fhir"
    response = client.get("/fhir/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert '<h1 id="fhir-provider-directory">FHIR provider directory</h1>' in html
    assert "<code>https://directory.example.org/fhir</code>" in html
    for name in ("manipulation-scope", "medicare-assignment", "cash-price"):
        assert f"<code>{name}</code>" in html
    assert '<a href="/fhir/metadata">/fhir/metadata</a>' in html
