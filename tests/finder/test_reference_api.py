"""Contract tests for /api/v1/insurance-plans/ and /api/v1/procedures/."""

from decimal import Decimal

import pytest

from providers.models import InsurancePlan, Procedure
from providers.reference_data import INSURANCE_PLANS, PROCEDURES
from tests.factories import ProcedureFactory

CACHE_CONTROL = "public, max-age=3600"


def procedure_note(code: str) -> str:
    return next(row["note"] for row in PROCEDURES if row["code"] == code)


def test_insurance_plans_are_listed_by_name(client, reference_data):
    response = client.get("/api/v1/insurance-plans/")
    assert response.status_code == 200
    body = response.json()
    names = [plan["name"] for plan in body["results"]]
    assert body["count"] == len(body["results"]) == len(INSURANCE_PLANS)
    assert names == sorted(names)
    assert body["results"][:2] == [
        {
            "slug": "aetna-hmo",
            "name": "Aetna HMO",
            "payer": "Aetna",
            "kind": "commercial",
        },
        {
            "slug": "aetna-medicare-advantage",
            "name": "Aetna Medicare Advantage",
            "payer": "Aetna",
            "kind": "medicare",
        },
    ]


def test_insurance_plans_have_the_contract_shape(client, reference_data):
    results = {
        plan["slug"]: plan for plan in client.get("/api/v1/insurance-plans/").json()["results"]
    }
    assert results["aetna-ppo"] == {
        "slug": "aetna-ppo",
        "name": "Aetna PPO",
        "payer": "Aetna",
        "kind": "commercial",
    }
    assert results["medicare"] == {
        "slug": "medicare",
        "name": "Original Medicare (Part B)",
        "payer": "Medicare",
        "kind": "medicare",
    }


def test_insurance_plans_with_the_same_name_are_ordered_by_slug(client, db):
    InsurancePlan.objects.create(slug="b-plan", name="Same", payer="P", kind="other")
    InsurancePlan.objects.create(slug="a-plan", name="Same", payer="P", kind="other")
    body = client.get("/api/v1/insurance-plans/").json()
    assert [plan["slug"] for plan in body["results"]] == ["a-plan", "b-plan"]


def test_procedures_are_listed_by_code(client, reference_data):
    response = client.get("/api/v1/procedures/")
    assert response.status_code == 200
    body = response.json()
    codes = [procedure["code"] for procedure in body["results"]]
    assert body["count"] == len(codes) == len(PROCEDURES)
    assert codes == sorted(codes)


def test_extremity_manipulation_is_not_covered_by_medicare(client, reference_data):
    results = {p["code"]: p for p in client.get("/api/v1/procedures/").json()["results"]}
    assert results["98943"] == {
        "code": "98943",
        "label": "Extremity manipulation (outside the spine), 1 or more regions",
        "professions": ["chiropractor"],
        "medicare_covered_for": [],
        "typical_price_low": "30.00",
        "typical_price_high": "50.00",
        "currency": "USD",
        "is_manipulation": True,
        "note": procedure_note("98943"),
    }
    assert results["98940"] == {
        "code": "98940",
        "label": "Spinal manipulation, 1-2 regions",
        "professions": ["chiropractor"],
        "medicare_covered_for": ["chiropractor"],
        "typical_price_low": "30.00",
        "typical_price_high": "50.00",
        "currency": "USD",
        "is_manipulation": True,
        "note": procedure_note("98940"),
    }
    assert results["97140"] == {
        "code": "97140",
        "label": "Hands-on manual therapy (mobilization, manipulation, traction), per 15 minutes",
        "professions": ["chiropractor", "physical_therapist"],
        "medicare_covered_for": ["physical_therapist"],
        "typical_price_low": "30.00",
        "typical_price_high": "50.00",
        "currency": "USD",
        "is_manipulation": True,
        "note": procedure_note("97140"),
    }


def test_prices_are_strings_with_two_decimals(client, db):
    ProcedureFactory(
        code="97110",
        label="Exercise",
        professions=[],
        medicare_covered_for=[],
        is_manipulation=False,
        typical_price_low=Decimal("25"),
        typical_price_high=Decimal("62.5"),
    )
    body = client.get("/api/v1/procedures/").json()
    assert body == {
        "count": 1,
        "results": [
            {
                "code": "97110",
                "label": "Exercise",
                "professions": [],
                "medicare_covered_for": [],
                "typical_price_low": "25.00",
                "typical_price_high": "62.50",
                "currency": "USD",
                "is_manipulation": False,
                "note": "",
            }
        ],
    }
    assert Procedure.objects.count() == 1


@pytest.mark.parametrize("url", ["/api/v1/insurance-plans/", "/api/v1/procedures/"])
def test_catalogues_are_publicly_cacheable_for_an_hour(client, reference_data, url):
    assert client.get(url)["Cache-Control"] == CACHE_CONTROL


@pytest.mark.parametrize("url", ["/api/v1/insurance-plans/", "/api/v1/procedures/"])
def test_catalogues_run_one_query(client, reference_data, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200


def test_empty_catalogues_are_empty_lists(client, db):
    assert client.get("/api/v1/insurance-plans/").json() == {"count": 0, "results": []}
    assert client.get("/api/v1/procedures/").json() == {"count": 0, "results": []}
