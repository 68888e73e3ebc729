"""FHIR search: `near` nearest first within the radius, paging by `link.next`, the true
`total`, `_lastUpdated` for sync, `_include`, and the type-specific parameters."""

import math
import random
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from finder.fhir.resources import instant
from providers.models import Provider
from tests.factories import PracticeLocationFactory, ProviderFactory
from tests.finder.fhir import profile_check
from tests.finder.fhir.conftest import fhir_get

PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/"

pytestmark = pytest.mark.django_db

EARTH_RADIUS_MILES = 3958.8


def haversine_miles(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance by the haversine formula, written here independently of the
    service (which uses the dot product of unit vectors)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def all_pages(client, path: str) -> tuple[list[dict], list[dict]]:
    """Every page's Bundle from `path` on, following link.next; and every match entry."""
    bundles, entries = [], []
    while path:
        response, bundle = fhir_get(client, path)
        assert response.status_code == 200, bundle
        bundles.append(bundle)
        entries.extend(e for e in bundle.get("entry", []) if e["search"]["mode"] == "match")
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        path = "?".join(urlsplit(following[0])[2:4]) if following else ""
    return bundles, entries


def distance_of(entry: dict) -> float:
    (extension,) = entry["search"]["extension"]
    assert extension["url"] == "http://hl7.org/fhir/StructureDefinition/location-distance"
    return extension["valueDistance"]["value"]


ORIGIN = (40.0, -75.0)


@pytest.fixture
def scattered(db) -> dict[int, tuple[float, float]]:
    """40 providers scattered within 30 miles of ORIGIN, none within 0.05 mile of the 20-mile
    radius the tests use (so rounding cannot decide membership): location id -> point."""
    rng = random.Random(27)
    points = {}
    while len(points) < 40:
        lat = ORIGIN[0] + rng.uniform(-0.43, 0.43)
        lng = ORIGIN[1] + rng.uniform(-0.56, 0.56)
        if abs(haversine_miles(*ORIGIN, lat, lng) - 20) < 0.05:
            continue
        place = PracticeLocationFactory(latitude=lat, longitude=lng, state="PA")
        points[place.id] = (lat, lng)
    return points


def test_near_locations_are_nearest_first_within_the_radius_across_pages(client, scattered):
    bundles, entries = all_pages(client, "/fhir/Location?near=40.0|-75.0|20|mi&_count=7")
    expected = {
        place_id for place_id, point in scattered.items() if haversine_miles(*ORIGIN, *point) <= 20
    }
    assert 10 < len(expected) < 40  # the radius splits the scatter
    assert [int(entry["resource"]["id"]) for entry in entries] == sorted(
        expected,
        key=lambda place_id: (round(haversine_miles(*ORIGIN, *scattered[place_id]), 2), place_id),
    )
    assert all(bundle["total"] == len(expected) for bundle in bundles)
    for entry in entries:
        position = entry["resource"]["position"]
        miles = haversine_miles(*ORIGIN, position["latitude"], position["longitude"])
        assert miles <= 20
        assert distance_of(entry) == pytest.approx(miles, abs=0.011)


def test_near_roles_are_nearest_first_in_kilometres_by_default(client, scattered):
    bundles, entries = all_pages(client, "/fhir/PractitionerRole?near=40.0|-75.0|25&_count=5")
    radius_miles = 25 / 1.609344
    expected = [
        place_id for place_id, point in scattered.items()
        if haversine_miles(*ORIGIN, *point) <= radius_miles
    ]  # fmt: skip
    assert len(entries) == len(expected) == bundles[0]["total"]
    distances = [distance_of(entry) for entry in entries]
    assert distances == sorted(distances)
    for entry in entries:
        (extension,) = entry["search"]["extension"]
        assert extension["valueDistance"]["unit"] == "km"
        assert extension["valueDistance"]["code"] == "km"
        assert distance_of(entry) <= 25


def test_near_reads_latitude_first(client, db):
    """Two providers 0.1 degree from the origin, one east, one north: 5.30 and 6.91 miles.
    Within 6 miles only the eastern one; were latitude and longitude swapped anywhere, the
    answer would differ (the origin would move to the Antarctic, or the degrees of
    longitude would shrink the wrong way)."""
    east = PracticeLocationFactory(latitude=40.0, longitude=-74.9)
    PracticeLocationFactory(latitude=40.1, longitude=-75.0)
    _, bundle = fhir_get(client, "/fhir/Location?near=40.0|-75.0|6|mi")
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [str(east.id)]
    assert distance_of(bundle["entry"][0]) == round(haversine_miles(40.0, -75.0, 40.0, -74.9), 2)
    _, bundle = fhir_get(client, "/fhir/Location?near=40.0|-75.0|7|mi")
    assert bundle["total"] == 2


def test_near_finds_a_providers_other_locations_within_the_radius(client, db):
    provider = ProviderFactory()
    first = PracticeLocationFactory(provider=provider, latitude=40.01, longitude=-75.0)
    second = PracticeLocationFactory(provider=provider, latitude=40.05, longitude=-75.0)
    PracticeLocationFactory(provider=provider, latitude=41.0, longitude=-75.0)  # 69 miles
    _, bundle = fhir_get(client, "/fhir/Location?near=40.0|-75.0|10|mi")
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [str(first.id), str(second.id)]


def test_paging_returns_every_match_once_and_the_true_total(client, directory):
    for index in range(9):
        PracticeLocationFactory(provider__last_name=f"Page{index}")
    public = Provider.objects.public().count()
    bundles, entries = all_pages(client, "/fhir/Practitioner?_count=4")
    ids = [entry["resource"]["id"] for entry in entries]
    assert len(ids) == len(set(ids)) == public == 11
    assert all(bundle["total"] == public for bundle in bundles)
    assert len(bundles) == 3
    relations = [[link["relation"] for link in bundle["link"]] for bundle in bundles]
    assert relations == [["self", "next"], ["self", "next", "previous"], ["self", "previous"]]
    for bundle in bundles:
        for entry in bundle["entry"]:
            resource = entry["resource"]
            assert entry["fullUrl"] == f"http://testserver/fhir/Practitioner/{resource['id']}"


def test_paging_roles_counts_one_per_network(client, directory):
    _, entries = all_pages(client, "/fhir/PractitionerRole?_count=1")
    chiro, therapist = directory["chiro"], directory["therapist"]
    assert [entry["resource"]["id"] for entry in entries] == [
        f"{chiro.id}-{directory['aetna'].id}",
        f"{chiro.id}-{directory['medicaid'].id}",
        f"{therapist.id}",
    ]


def test_last_updated_gt_returns_exactly_the_changed_resources(client, directory):
    _, before = fhir_get(client, "/fhir/Practitioner")
    latest = max(entry["resource"]["meta"]["lastUpdated"] for entry in before["entry"])
    changed = directory["therapist"]
    changed.accepting_new_patients = True
    changed.save()
    _, bundle = fhir_get(client, f"/fhir/Practitioner?_lastUpdated=gt{latest}")
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [str(changed.id)]
    assert bundle["total"] == 1
    assert bundle["entry"][0]["resource"]["meta"]["lastUpdated"] > latest
    _, roles = fhir_get(client, f"/fhir/PractitionerRole?_lastUpdated=gt{latest}")
    assert [entry["resource"]["id"] for entry in roles["entry"]] == [str(changed.id)]
    _, places = fhir_get(client, f"/fhir/Location?_lastUpdated=gt{latest}")
    assert [entry["resource"]["id"] for entry in places["entry"]] == [
        str(place.id) for place in changed.locations.all()
    ]


def test_last_updated_takes_a_range_and_whole_days(client, directory):
    now = timezone.now()
    start, end = instant(now - timedelta(hours=1)), instant(now + timedelta(hours=1))
    _, bundle = fhir_get(client, f"/fhir/Practitioner?_lastUpdated=ge{start}&_lastUpdated=lt{end}")
    assert bundle["total"] == 2
    _, bundle = fhir_get(client, f"/fhir/Practitioner?_lastUpdated={now.date().isoformat()}")
    assert bundle["total"] == 2
    _, bundle = fhir_get(client, f"/fhir/Practitioner?_lastUpdated=lt{now.date().isoformat()}")
    assert bundle["total"] == 0


def test_include_adds_practitioners_and_locations_once(client, directory):
    chiro = directory["chiro"]
    _, bundle = fhir_get(
        client,
        f"/fhir/PractitionerRole?practitioner={chiro.id}"
        "&_include=PractitionerRole:practitioner&_include=PractitionerRole:location",
    )
    modes = [
        (entry["search"]["mode"], entry["resource"]["resourceType"]) for entry in bundle["entry"]
    ]
    assert modes == [
        ("match", "PractitionerRole"),
        ("match", "PractitionerRole"),
        ("include", "Practitioner"),
        ("include", "Location"),
        ("include", "Location"),
    ]
    assert bundle["total"] == 2  # includes are not matches


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("Practitioner?identifier=1234567893", ["chiro"]),
        ("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893", ["chiro"]),
        ("Practitioner?identifier=http://example.org/other|1234567893", []),
        ("Practitioner?name=roe", ["therapist"]),
        ("Practitioner?name=ja,sam", ["chiro", "therapist"]),
        ("PractitionerRole?specialty=225100000X", ["therapist"]),
        (
            "PractitionerRole?specialty=http://nucc.org/provider-taxonomy|111N00000X",
            ["chiro", "chiro"],
        ),
        ("HealthcareService", ["chiro", "therapist"]),
    ],
)
def test_type_parameters_select_providers(client, directory, query, who):
    _, bundle = fhir_get(client, f"/fhir/{query}")
    found = []
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        provider_id = resource["id"].split("-")[0]
        found.append(
            next(name for name in ("chiro", "therapist") if str(directory[name].id) == provider_id)
        )
    assert found == who


def test_roles_by_network_and_location(client, directory):
    chiro, medicaid = directory["chiro"], directory["medicaid"]
    _, bundle = fhir_get(
        client, f"/fhir/PractitionerRole?network=Organization/network-{medicaid.id}"
    )
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [f"{chiro.id}-{medicaid.id}"]
    place = directory["therapist"].locations.first()
    _, bundle = fhir_get(client, f"/fhir/PractitionerRole?location=Location/{place.id}")
    assert [entry["resource"]["id"] for entry in bundle["entry"]] == [
        str(directory["therapist"].id)
    ]


def test_locations_by_address(client, directory):
    _, bundle = fhir_get(client, "/fhir/Location?address-city=round&address-state=tx")
    assert [entry["resource"]["address"]["city"] for entry in bundle["entry"]] == ["Round Rock"]
    _, bundle = fhir_get(client, "/fhir/Location?address-postalcode=787")
    assert bundle["total"] == 2


def test_networks_and_plans_by_name(client, directory):
    _, bundle = fhir_get(client, "/fhir/Organization?name=aetna")
    assert [entry["resource"]["name"] for entry in bundle["entry"]] == ["Aetna PPO network"]
    _, bundle = fhir_get(client, "/fhir/InsurancePlan?name=medic")
    assert [entry["resource"]["name"] for entry in bundle["entry"]] == ["Medicaid"]


def test_count_zero_gives_the_total_only(client, directory):
    _, bundle = fhir_get(client, "/fhir/Location?_count=0")
    assert bundle["total"] == 3
    assert "entry" not in bundle


def test_metadata_lists_exactly_what_is_supported(client):
    response, statement = fhir_get(client, "/fhir/metadata", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/fhir+json"
    assert statement["fhirVersion"] == "4.0.1"
    by_type = {entry["type"]: entry for entry in statement["rest"][0]["resource"]}
    assert sorted(by_type) == sorted(
        ["Practitioner", "PractitionerRole", "Location", "HealthcareService", "Organization",
         "InsurancePlan"]
    )  # fmt: skip
    role = by_type["PractitionerRole"]
    assert [param["name"] for param in role["searchParam"]] == [
        "_id", "_lastUpdated", "_count", "_offset", "_format",
        "specialty", "location", "practitioner", "network", "near",
    ]  # fmt: skip
    assert role["searchInclude"] == ["PractitionerRole:practitioner", "PractitionerRole:location"]
    assert statement["rest"][0]["operation"] == [
        {
            "name": "export",
            "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
        }
    ]


def test_metadata_cites_plan_nets_own_search_parameters(client):
    _, statement = fhir_get(client, "/fhir/metadata")
    cited = 0
    for entry in statement["rest"][0]["resource"]:
        for param in entry["searchParam"]:
            definition = profile_check.definitions().get(param.get("definition", ""))
            if param.get("definition", "").startswith(PLAN_NET):
                assert definition is not None, param
                assert (definition["code"], definition["type"]) == (param["name"], param["type"])
                assert entry["type"] in definition["base"]
                cited += 1
    assert cited == 10


def test_last_updated_finds_the_changed_plans_and_their_networks(client, directory):
    _, before = fhir_get(client, "/fhir/InsurancePlan")
    latest = max(entry["resource"]["meta"]["lastUpdated"] for entry in before["entry"])
    medicaid = directory["medicaid"]
    medicaid.name = "Medicaid (state program)"
    medicaid.save()
    _, plans = fhir_get(client, f"/fhir/InsurancePlan?_lastUpdated=gt{latest}")
    assert [entry["resource"]["name"] for entry in plans["entry"]] == ["Medicaid (state program)"]
    _, networks = fhir_get(client, f"/fhir/Organization?_lastUpdated=gt{latest}")
    assert [entry["resource"]["id"] for entry in networks["entry"]] == [f"network-{medicaid.id}"]
