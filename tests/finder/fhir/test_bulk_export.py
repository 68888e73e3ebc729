"""The bulk exports: the partner NDJSON export, FHIR's $export, and the operators' command,
all from one streaming generator."""

import gzip
import json
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from finder.fhir.resources import instant
from finder.models import PartnerApiKey
from providers.models import Provider
from tests.factories import PracticeLocationFactory
from tests.finder.fhir import profile_check

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/export/providers.ndjson"


@pytest.fixture
def partner() -> dict[str, str]:
    _, key = PartnerApiKey.objects.create_key(name="Acme", owner_contact="dev@acme.example")
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


def streamed_lines(response) -> list[dict]:
    body = b"".join(response.streaming_content)
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return [json.loads(line) for line in body.splitlines()]


def path_of(url: str) -> str:
    return "?".join(part for part in urlsplit(url)[2:4] if part)


# --- GET /api/v1/export/providers.ndjson ----------------------------------------------------


@override_settings(EXPORT_BATCH_SIZE=2)  # several batches from a few providers
def test_each_line_is_the_api_detail_of_one_public_provider(client, directory, partner):
    for index in range(3):
        PracticeLocationFactory(provider__last_name=f"More{index}")
    response = client.get(EXPORT, **partner)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    assert response.streaming
    lines = streamed_lines(response)
    public = list(Provider.objects.public().order_by("id").values_list("id", flat=True))
    assert [line["id"] for line in lines] == public
    assert directory["hidden"].id not in public
    for line in lines:
        assert line == client.get(f"/api/v1/providers/{line['id']}/").json()


def test_the_export_is_gzipped_when_the_client_accepts_it(client, directory, partner):
    response = client.get(EXPORT, HTTP_ACCEPT_ENCODING="gzip, deflate", **partner)
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert [line["id"] for line in streamed_lines(response)] == [
        directory["chiro"].id,
        directory["therapist"].id,
    ]


def test_updated_since_exports_only_the_changed_providers(client, directory, partner):
    since = timezone.now()
    directory["therapist"].save()
    response = client.get(EXPORT, {"updated_since": since.isoformat()}, **partner)
    assert [line["id"] for line in streamed_lines(response)] == [directory["therapist"].id]


def test_the_export_needs_a_partner_key(client, directory):
    response = client.get(EXPORT)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_bad_updated_since_is_a_400(client, partner):
    response = client.get(EXPORT, {"updated_since": "yesterday"}, **partner)
    assert response.status_code == 400
    assert list(response.json()) == ["updated_since"]


# --- FHIR Bulk Data: GET /fhir/$export ------------------------------------------------------


def kick_off(client, partner, query: str = "") -> str:
    response = client.get(f"/fhir/$export{query}", HTTP_PREFER="respond-async", **partner)
    assert response.status_code == 202, response.content
    return path_of(response["Content-Location"])


def test_bulk_export_kick_off_status_and_files(client, directory, partner):
    status = client.get(kick_off(client, partner), **partner)
    assert status.status_code == 200
    manifest = status.json()
    assert manifest["requiresAccessToken"] is True
    assert manifest["request"] == "http://testserver/fhir/$export"
    assert [output["type"] for output in manifest["output"]] == [
        "Practitioner", "PractitionerRole", "Location", "HealthcareService", "Organization",
        "InsurancePlan",
    ]  # fmt: skip
    found: dict[str, list[dict]] = {}
    for output in manifest["output"]:
        response = client.get(path_of(output["url"]), **partner)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+ndjson"
        found[output["type"]] = streamed_lines(response)
    for resource_type, lines in found.items():
        assert {line["resourceType"] for line in lines} == {resource_type}
        for line in lines:
            assert profile_check.problems(line) == []
    chiro, therapist = directory["chiro"], directory["therapist"]
    assert [line["id"] for line in found["Practitioner"]] == [str(chiro.id), str(therapist.id)]
    assert len(found["PractitionerRole"]) == 3  # two networks, and none
    assert len(found["Location"]) == 3
    assert len(found["Organization"]) == len(found["InsurancePlan"]) == 2


def test_bulk_export_since_and_types(client, directory, partner):
    since = timezone.now()
    directory["chiro"].save()
    status = client.get(
        kick_off(client, partner, f"?_type=Practitioner&_since={instant(since)}"), **partner
    )
    (output,) = status.json()["output"]
    lines = streamed_lines(client.get(path_of(output["url"]), **partner))
    assert [line["id"] for line in lines] == [str(directory["chiro"].id)]


def test_bulk_export_leaves_out_what_changed_after_its_transaction_time(client, directory, partner):
    status_path = kick_off(client, partner)
    directory["therapist"].save()  # after the kick-off: for the next export
    manifest = client.get(status_path, **partner).json()
    practitioners = next(o for o in manifest["output"] if o["type"] == "Practitioner")
    lines = streamed_lines(client.get(path_of(practitioners["url"]), **partner))
    assert [line["id"] for line in lines] == [str(directory["chiro"].id)]
    changed = Provider.objects.get(id=directory["therapist"].id)
    assert instant(changed.updated_at) > manifest["transactionTime"]


def test_bulk_export_is_for_its_partner_only(client, directory, partner):
    status_path = kick_off(client, partner)
    _, other = PartnerApiKey.objects.create_key(name="Other", owner_contact="o@example.org")
    response = client.get(status_path, HTTP_AUTHORIZATION=f"Api-Key {other}")
    assert response.status_code == 404
    assert client.get(status_path).status_code == 401
    tampered = status_path[:-3] + ("abc" if not status_path.endswith("abc") else "xyz")
    assert client.get(tampered, **partner).status_code == 404


@pytest.mark.parametrize(
    ("query", "prefer", "status", "words"),
    [
        ("", "", 400, "Prefer: respond-async"),
        ("?_type=Patient", "respond-async", 400, "not exported: Patient"),
        ("?_since=last-week", "respond-async", 400, "'_since'"),
        ("?_outputFormat=csv", "respond-async", 400, "'_outputFormat'"),
        ("?_typeFilter=x", "respond-async", 400, "Unknown $export parameter '_typeFilter'"),
    ],
)
def test_bad_kick_offs_are_operation_outcomes(client, partner, query, prefer, status, words):
    response = client.get(f"/fhir/$export{query}", HTTP_PREFER=prefer, **partner)
    assert response.status_code == status
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert any(words in issue["diagnostics"] for issue in body["issue"]), body


def test_bulk_export_needs_a_partner_key(client):
    response = client.get("/fhir/$export", HTTP_PREFER="respond-async")
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


# --- manage.py export_directory ----------------------------------------------------------------


def test_the_command_writes_the_same_files(client, directory, partner, tmp_path):
    out = StringIO()
    call_command("export_directory", str(tmp_path), "--base-url", "http://testserver", stdout=out)
    api_lines = [
        json.loads(line) for line in (tmp_path / "providers.ndjson").read_text().splitlines()
    ]
    assert api_lines == streamed_lines(client.get(EXPORT, **partner))
    practitioners = (tmp_path / "Practitioner.ndjson").read_text().splitlines()
    assert [json.loads(line)["id"] for line in practitioners] == [
        str(directory["chiro"].id),
        str(directory["therapist"].id),
    ]
    assert "providers.ndjson: 2 lines" in out.getvalue()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["providers.ndjson", "Practitioner.ndjson", "PractitionerRole.ndjson", "Location.ndjson",
         "HealthcareService.ndjson", "Organization.ndjson", "InsurancePlan.ndjson"]
    )  # fmt: skip


def test_the_command_refuses_a_bad_instant(tmp_path):
    with pytest.raises(CommandError, match="not an ISO 8601 instant"):
        call_command("export_directory", str(tmp_path), "--updated-since", "2026-11-20T10:00")


def test_the_command_exports_changes_since(directory, tmp_path):
    since = timezone.now() - timedelta(microseconds=1)
    directory["chiro"].save()
    call_command(
        "export_directory", str(tmp_path), "--updated-since", since.isoformat(), stdout=StringIO()
    )
    lines = (tmp_path / "providers.ndjson").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [directory["chiro"].id]
    roles = (tmp_path / "PractitionerRole.ndjson").read_text().splitlines()
    assert len(roles) == 2
