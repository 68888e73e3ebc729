"""The OpenAPI schema is valid, warning-free and complete; the docs work offline."""

import re
from io import StringIO

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/providers/", "get"): "providers_search",
    ("/api/v1/providers/{provider_id}/", "get"): "providers_retrieve",
    ("/api/v1/practice-acts/", "get"): "practice_acts_list",
    ("/api/v1/practice-acts/{state}/", "get"): "practice_acts_retrieve",
    ("/api/v1/insurance-plans/", "get"): "insurance_plans_list",
    ("/api/v1/procedures/", "get"): "procedures_list",
    ("/api/v1/estimates/", "post"): "estimates_create",
    ("/api/v1/export/providers.ndjson", "get"): "providers_export",
}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_validates_without_errors_or_warnings(tmp_path):
    GENERATOR_STATS.reset()
    out = tmp_path / "schema.yaml"
    # Raises on any generator error or warning, or if the result is not valid OpenAPI 3.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=StringIO()
    )
    assert yaml.safe_load(out.read_text())["openapi"].startswith("3.")


def test_schema_documents_every_operation(schema):
    found = {
        (path, method): operation["operationId"]
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert found == OPERATIONS


def test_schema_documents_the_api_key_scheme_as_optional(schema):
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["ApiKeyAuth"]["description"],
    }
    search = schema["paths"]["/api/v1/providers/"]["get"]
    assert search["security"] == [{"ApiKeyAuth": []}, {}]


def test_schema_tells_what_to_type_in_the_authorize_box(schema):
    description = schema["components"]["securitySchemes"]["ApiKeyAuth"]["description"]
    assert "enter `Api-Key <key>`" in description
    assert "a bare key is accepted too" in description


def test_schema_documents_the_endorsements_of_a_provider(schema):
    detail = schema["components"]["schemas"]["ProviderDetail"]
    assert "endorsements" in detail["required"]
    assert detail["properties"]["endorsements"]["items"] == {
        "$ref": "#/components/schemas/Endorsement"
    }
    endorsement = schema["components"]["schemas"]["Endorsement"]
    assert set(endorsement["properties"]) == {"state", "service", "held"}
    assert endorsement["properties"]["service"] == {"$ref": "#/components/schemas/ServiceEnum"}


def test_schema_documents_search_parameters_and_errors(schema):
    search = schema["paths"]["/api/v1/providers/"]["get"]
    names = {parameter["name"] for parameter in search["parameters"]}
    assert names == {
        "near", "lat", "lng", "radius_miles", "profession", "service", "insurance",
        "accepting_new_patients", "max_price", "medicare_assignment", "ordering", "updated_since",
        "page", "page_size", "language", "telehealth", "accessible", "verified_within_days",
    }  # fmt: skip
    (assignment,) = [p for p in search["parameters"] if p["name"] == "medicare_assignment"]
    assert assignment["schema"]["enum"] == ["participating", "non_participating", "unknown"]
    assert set(search["responses"]) == {"200", "400", "401", "404", "429", "503"}
    assert "Retry-After" in search["responses"]["429"]["headers"]
    estimate = schema["paths"]["/api/v1/estimates/"]["post"]
    assert estimate["requestBody"]["required"] is True
    assert set(estimate["responses"]) == {"200", "400", "401", "404", "429", "503"}


def test_schema_documents_the_estimate_404_for_an_unknown_provider(schema):
    not_found = schema["paths"]["/api/v1/estimates/"]["post"]["responses"]["404"]
    assert "provider_id" in not_found["description"]
    assert not_found["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
    }


def test_schema_lists_the_estimate_network_values(schema):
    schemas = schema["components"]["schemas"]
    network = schemas["EstimateOutput"]["properties"]["network"]
    assert network == {"$ref": "#/components/schemas/NetworkEnum"}
    assert schemas["NetworkEnum"]["enum"] == ["in", "out", "self_pay", "medicare"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_load_their_assets_from_the_projects_static_files(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr" not in html
    assets = re.findall(r"/static/(drf_spectacular_sidecar/[^\"'?]+)", html)
    assert assets, html
    for asset in assets:
        assert finders.find(asset), f"{asset} is not among the static files"
    assert "/api/v1/schema/" in html


def test_schema_documents_languages_and_access(schema):
    summary = schema["components"]["schemas"]["ProviderSummary"]["properties"]
    assert summary["languages"]["type"] == "array"
    codes = summary["languages"]["items"]
    if "$ref" in codes:
        codes = schema["components"]["schemas"][codes["$ref"].rpartition("/")[2]]
    assert {"en", "es", "vi"} <= set(codes["enum"])
    assert summary["telehealth"]["nullable"] is True
    location = schema["components"]["schemas"]["Location"]["properties"]
    assert {"wheelchair_accessible", "evening_hours", "weekend_hours"} <= location.keys()
