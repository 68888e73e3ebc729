"""Each API body is declared once, in finder/api/shapes.py: what the API sends has exactly the
keys its shape declares, at every depth, and the schema documents exactly those keys."""

import json
from datetime import date
from decimal import Decimal
from types import UnionType
from typing import Annotated, NotRequired, Required, Union, get_args, get_origin, get_type_hints

import pytest
from django.core.management import call_command

from finder.api import shapes
from finder.api.schema import SEARCH_EXAMPLE_BODY
from providers.models import Procedure
from tests.factories import (
    LicenseFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db


def plain(hint):
    """`hint` without what only the schema reads (Annotated, NotRequired) or None."""
    origin = get_origin(hint)
    if origin in (Annotated, NotRequired, Required):
        return plain(get_args(hint)[0])
    if origin in (Union, UnionType):
        (value,) = [arg for arg in get_args(hint) if arg is not type(None)]
        return plain(value)
    return hint


def mismatches(value, hint, path: str = "body") -> list[str]:
    """Where `value` has a key its shape does not declare, or lacks a required one."""
    hint = plain(hint)
    if value is None:
        return []
    if get_origin(hint) is list:
        (item,) = get_args(hint)
        return [
            problem for i, v in enumerate(value) for problem in mismatches(v, item, f"{path}[{i}]")
        ]
    if not hasattr(hint, "__required_keys__"):  # a plain value
        return []
    declared = get_type_hints(hint, include_extras=True)
    problems = [f"{path}.{key}: not declared" for key in value.keys() - declared.keys()]
    problems += [f"{path}.{key}: missing" for key in hint.__required_keys__ - value.keys()]
    for key in value.keys() & declared.keys():
        problems += mismatches(value[key], declared[key], f"{path}.{key}")
    return problems


@pytest.fixture
def listed(reference_data):
    # A rule that replaced an earlier one, so that the practice acts carry a history.
    PracticeActFactory(state="TX", effective_from=date(2026, 1, 1), note="Amended.")
    provider = PracticeLocationFactory().provider
    LicenseFactory(provider=provider)
    ProviderPriceFactory(
        provider=provider, procedure=Procedure.objects.get(code="98940"), cash_price=Decimal("40")
    )
    return provider


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/api/v1/providers/?near=78701", shapes.ProviderSearchResponse),
        ("/api/v1/providers/", shapes.ProviderSearchResponse),
        ("/api/v1/providers/{id}/", shapes.ProviderDetail),
        ("/api/v1/practice-acts/", shapes.PracticeActList),
        ("/api/v1/practice-acts/TX/", shapes.StatePracticeActs),
        ("/api/v1/insurance-plans/", shapes.InsurancePlanList),
        ("/api/v1/procedures/", shapes.ProcedureList),
    ],
)
def test_every_body_has_exactly_the_keys_of_its_shape(client, listed, path, shape):
    response = client.get(path.format(id=listed.id))
    assert response.status_code == 200
    body = response.json()
    assert mismatches(body, shape) == []
    assert body.get("results") != []  # something at every depth was compared


def test_the_schema_documents_exactly_the_keys_of_each_shape(tmp_path):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(out))
    components = json.loads(out.read_text())["components"]["schemas"]
    for name in (
        "ProviderSearchResponse", "ProviderSummary", "ProviderDetail", "Location",
        "LocationWithScope", "Price", "License", "Origin", "ScopeSummary", "PracticeActList",
        "StatePracticeActs", "ProfessionRules", "CurrentRule", "SupersededRule",
        "InsurancePlanList", "InsurancePlan", "ProcedureList", "Procedure",
    ):  # fmt: skip
        shape = getattr(shapes, name)
        documented = components[name]
        assert list(documented["properties"]) == list(get_type_hints(shape)), name
        assert set(documented.get("required", [])) == shape.__required_keys__, name


def test_the_documented_search_example_has_the_shape_of_a_search_body():
    assert mismatches(SEARCH_EXAMPLE_BODY, shapes.ProviderSearchResponse) == []
