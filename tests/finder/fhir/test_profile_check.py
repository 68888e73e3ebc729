"""The test helper that checks resources against Plan-Net's StructureDefinitions: it accepts
the package's own examples and finds what breaks a profile."""

import copy

import pytest

from tests.finder.fhir import profile_check


@pytest.mark.parametrize(
    "example", profile_check.examples(), ids=lambda example: example["resourceType"]
)
def test_it_accepts_the_packages_own_examples(example):
    assert profile_check.problems(example) == []


def example_of(resource_type: str) -> dict:
    found = [e for e in profile_check.examples() if e["resourceType"] == resource_type]
    return copy.deepcopy(found[0])


def test_it_reports_a_missing_required_element():
    practitioner = example_of("Practitioner")
    del practitioner["identifier"]
    assert profile_check.problems(practitioner) == [
        "Practitioner.identifier: 0 found, at least 1 required"
    ]


def test_it_reports_too_many_of_an_element():
    role = example_of("PractitionerRole")
    network = {
        "url": "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/network-reference",
        "valueReference": {"reference": "Organization/x"},
    }
    # The example is in one network already; Plan-Net allows one per role.
    role["extension"] = [*role["extension"], network]
    assert (
        "PractitionerRole.extension:network-reference: 2 found, at most 1 allowed"
        in profile_check.problems(role)
    )


def test_it_reports_a_code_outside_a_required_value_set():
    location = example_of("Location")
    location["address"]["use"] = "office"
    assert profile_check.problems(location) == [
        "Location.address[0].use: 'office' is not in the required value set "
        "http://hl7.org/fhir/ValueSet/address-use"
    ]


def test_it_checks_a_vendored_extension_against_its_definition():
    role = example_of("PractitionerRole")
    role["extension"] = [
        {
            "url": "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/newpatients",
            "extension": [{"url": "acceptingPatients", "valueCodeableConcept": {"text": "yes"}}],
        }
    ]
    found = profile_check.problems(role)
    assert len(found) == 1 and "AcceptingPatientsVS" in found[0], found


def test_it_reports_a_profile_it_does_not_have():
    practitioner = example_of("Practitioner")
    practitioner["meta"]["profile"] = ["http://example.org/other"]
    assert profile_check.problems(practitioner) == [
        "profile http://example.org/other is not vendored"
    ]
