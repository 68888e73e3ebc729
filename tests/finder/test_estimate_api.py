"""POST /api/v1/estimates/: contract tests on whole response bodies."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from config.logging import JsonFormatter
from finder.api.errors import flat_field_errors
from finder.estimate import DISCLAIMER
from providers.models import (
    InsurancePlan,
    Procedure,
    Profession,
    Provider,
    ProviderPrice,
    VerificationStatus,
)
from providers.reference import load_reference_data
from tests.factories import ProviderFactory, ProviderPriceFactory

URL = reverse("api:estimate-create")
ALLOWED_NOTE = (
    "The plan's allowed amount is assumed to equal the price shown, because negotiated rates are "
    "not known; the real allowed amount is often lower."
)
SELF_PAY_NOTE = (
    "Self-pay: you pay the provider's price in full. Under the No Surprises Act you can ask the "
    "provider for a written Good Faith Estimate before your visit."
)


@pytest.fixture
def reference(db):
    load_reference_data()


@pytest.fixture
def chiropractor(reference) -> Provider:
    """Jane Doe, DC: $40 for 98940, $30 for 98943; accepts Aetna PPO and Medicare."""
    provider = ProviderFactory(first_name="Jane", last_name="Doe", credential="DC")
    for code, price in (("98940", "40.00"), ("98943", "30.00")):
        ProviderPriceFactory(
            provider=provider, procedure=Procedure.objects.get(code=code), cash_price=Decimal(price)
        )
    provider.insurance_plans.add(*InsurancePlan.objects.filter(slug__in=["aetna-ppo", "medicare"]))
    return provider


def post(client, body: Any):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data, content_type="application/json")


def visit(number: int, billed: str, **parts: str) -> dict[str, Any]:
    """A visit row with allowed = billed and unnamed parts "0.00"."""
    names = ("deductible", "copay", "coinsurance", "not_covered", "patient_pays", "plan_pays")
    return {"number": number, "billed": billed, "allowed": billed} | {
        name: parts.get(name, "0.00") for name in names
    }


def provider_json(provider: Provider) -> dict[str, Any]:
    return {"id": provider.pk, "name": "Jane Doe, DC", "npi": provider.npi}


def test_self_pay_charges_the_providers_price_at_every_visit(client, chiropractor):
    response = post(
        client,
        {
            "provider_id": chiropractor.pk,
            "procedures": [{"code": "98940", "quantity": 1}],
            "visits": 2,
            "coverage": {"type": "self_pay"},
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "currency": "USD",
        "provider": provider_json(chiropractor),
        "network": "self_pay",
        "visits": [
            visit(1, "40.00", not_covered="40.00", patient_pays="40.00"),
            visit(2, "40.00", not_covered="40.00", patient_pays="40.00"),
        ],
        "total": {"billed": "80.00", "patient_pays": "80.00", "plan_pays": "0.00"},
        "range": None,
        "assumptions": [SELF_PAY_NOTE],
        "disclaimer": DISCLAIMER,
        "procedures": [
            {
                "code": "98940",
                "label": "Spinal manipulation, 1-2 regions",
                "quantity": 1,
                "unit_price": "40.00",
                "price_source": "provider",
                "allowed_amount": "40.00",
                "allowed_source": "cash_price",
                "allowed_as_of": None,
            }
        ],
    }
    assert "no-store" in response["Cache-Control"]


def test_insurance_matches_the_contracts_worked_example(client, chiropractor):
    response = post(
        client,
        {
            "provider_id": chiropractor.pk,
            "procedures": [{"code": "98940", "quantity": 1}],
            "visits": 6,
            "coverage": {
                "type": "insurance",
                "plan": "aetna-ppo",
                "deductible_remaining": "100.00",
                "coinsurance_percent": "20",
                "copay": "0.00",
                "deductible_applies": True,
                "out_of_pocket_max_remaining": "1000.00",
                "covered_visits_remaining": 20,
                "out_of_network_deductible_remaining": None,
                "out_of_network_coinsurance_percent": None,
            },
        },
    )
    assert response.status_code == 200
    in_coinsurance = {"coinsurance": "8.00", "patient_pays": "8.00", "plan_pays": "32.00"}
    assert response.json() == {
        "currency": "USD",
        "provider": provider_json(chiropractor),
        "network": "in",
        "visits": [
            visit(1, "40.00", deductible="40.00", patient_pays="40.00"),
            visit(2, "40.00", deductible="40.00", patient_pays="40.00"),
            visit(
                3,
                "40.00",
                deductible="20.00",
                coinsurance="4.00",
                patient_pays="24.00",
                plan_pays="16.00",
            ),
            visit(4, "40.00", **in_coinsurance),
            visit(5, "40.00", **in_coinsurance),
            visit(6, "40.00", **in_coinsurance),
        ],
        "total": {"billed": "240.00", "patient_pays": "128.00", "plan_pays": "112.00"},
        "range": None,
        "assumptions": [
            "This provider's listing says it accepts Aetna PPO, so in-network benefits were used. "
            "Networks change: confirm with the provider and your plan.",
            ALLOWED_NOTE,
        ],
        "disclaimer": DISCLAIMER,
        "procedures": [
            {
                "code": "98940",
                "label": "Spinal manipulation, 1-2 regions",
                "quantity": 1,
                "unit_price": "40.00",
                "price_source": "provider",
                "allowed_amount": "40.00",
                "allowed_source": "cash_price",
                "allowed_as_of": None,
            }
        ],
    }


def test_medicare_pays_spinal_manipulation_but_not_extremity_manipulation(client, chiropractor):
    response = post(
        client,
        {
            "provider_id": chiropractor.pk,
            "procedures": [{"code": "98940"}, {"code": "98943"}],
            "coverage": {"type": "medicare", "deductible_remaining": "0.00"},
        },
    )
    assert response.status_code == 200
    # Without a known locality or assignment: 98940's national $26.72 approved, 20% = $5.34,
    # and 98943 at the provider's $30. At most: 95% approved ($25.38, 20% = $5.08) plus the
    # limiting charge's $3.81 above it (109.25% of $26.72 = $29.19).
    assert response.json() == {
        "currency": "USD",
        "provider": provider_json(chiropractor),
        "network": "medicare",
        "visits": [
            {
                "number": 1,
                "billed": "70.00",
                "allowed": "26.72",
                "deductible": "0.00",
                "copay": "0.00",
                "coinsurance": "5.34",
                "not_covered": "30.00",
                "patient_pays": "35.34",
                "plan_pays": "21.38",
            }
        ],
        "total": {"billed": "70.00", "patient_pays": "35.34", "plan_pays": "21.38"},
        "range": {"patient_pays_low": "35.34", "patient_pays_high": "38.89"},
        "assumptions": [
            "Medicare-approved amounts: Medicare's national amount, 2026.",
            "Medicare Part B: you pay 20% of the Medicare-approved amount after the yearly Part B "
            "deductible ($283.00 in 2026).",
            "Whether this provider accepts Medicare assignment is not known. The total assumes it "
            "does; if it does not, it may charge up to the limiting charge (109.25% of Medicare's "
            "amount), which is the high end of the range.",
            "For chiropractors, Medicare covers only spinal manipulation (CPT 98940-98942) given "
            "as active treatment and billed with the AT modifier; maintenance care, exams, X-rays "
            "and 98943 are not covered.",
            "Not covered by Medicare, so paid in full: 98943.",
        ],
        "disclaimer": DISCLAIMER,
        "procedures": [
            {
                "code": "98940",
                "label": "Spinal manipulation, 1-2 regions",
                "quantity": 1,
                "unit_price": "40.00",
                "price_source": "provider",
                "allowed_amount": "26.72",
                "allowed_source": "medicare_national",
                "allowed_as_of": None,
            },
            {
                "code": "98943",
                "label": "Extremity manipulation (outside the spine), 1 or more regions",
                "quantity": 1,
                "unit_price": "30.00",
                "price_source": "provider",
                "allowed_amount": None,
                "allowed_source": None,
                "allowed_as_of": None,
            },
        ],
    }


def test_without_a_provider_it_uses_the_typical_midpoint_and_gives_the_range(client, reference):
    response = post(client, {"coverage": {"type": "self_pay"}})
    assert response.status_code == 200
    assert response.json() == {
        "currency": "USD",
        "provider": None,
        "network": "self_pay",
        "visits": [visit(1, "40.00", not_covered="40.00", patient_pays="40.00")],
        "total": {"billed": "40.00", "patient_pays": "40.00", "plan_pays": "0.00"},
        "range": {"patient_pays_low": "30.00", "patient_pays_high": "50.00"},
        "assumptions": [
            "No procedures were chosen, so one unit of 98940 (Spinal manipulation, 1-2 regions) "
            "per visit is assumed.",
            "This provider has not published a price for 98940 (Spinal manipulation, 1-2 "
            "regions), so a typical price of $30.00 to $50.00 was used: the total uses the "
            "midpoint, $40.00.",
            SELF_PAY_NOTE,
        ],
        "disclaimer": DISCLAIMER,
        "procedures": [
            {
                "code": "98940",
                "label": "Spinal manipulation, 1-2 regions",
                "quantity": 1,
                "unit_price": "40.00",
                "price_source": "typical",
                "allowed_amount": "40.00",
                "allowed_source": "typical",
                "allowed_as_of": None,
            }
        ],
    }


def test_a_plan_the_provider_does_not_accept_uses_out_of_network_benefits(client, chiropractor):
    response = post(
        client,
        {
            "provider_id": chiropractor.pk,
            "procedures": [{"code": "98940"}],
            "visits": 2,
            "coverage": {
                "type": "insurance",
                "plan": "bcbs-ppo",
                "deductible_remaining": "0.00",
                "coinsurance_percent": "20",
                "copay": "25.00",  # in-network only: ignored out of network
                "out_of_network_deductible_remaining": "50.00",
                "out_of_network_coinsurance_percent": "40",
            },
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "currency": "USD",
        "provider": provider_json(chiropractor),
        "network": "out",
        "visits": [
            visit(1, "40.00", deductible="40.00", patient_pays="40.00"),
            visit(
                2,
                "40.00",
                deductible="10.00",
                coinsurance="12.00",
                patient_pays="22.00",
                plan_pays="18.00",
            ),
        ],
        "total": {"billed": "80.00", "patient_pays": "62.00", "plan_pays": "18.00"},
        "range": None,
        "assumptions": [
            "This provider's listing does not include Blue Cross Blue Shield PPO, so "
            "out-of-network benefits were used.",
            "No out-of-pocket maximum was entered, so no yearly cap was applied.",
            ALLOWED_NOTE,
            "Out-of-network providers may also bill you the difference between their price and "
            "what your plan allows (balance billing); that amount is not included.",
        ],
        "disclaimer": DISCLAIMER,
        "procedures": [
            {
                "code": "98940",
                "label": "Spinal manipulation, 1-2 regions",
                "quantity": 1,
                "unit_price": "40.00",
                "price_source": "provider",
                "allowed_amount": "40.00",
                "allowed_source": "cash_price",
                "allowed_as_of": None,
            }
        ],
    }


def with_coverage(**terms: Any) -> dict[str, Any]:
    return {"procedures": [{"code": "98940"}], "coverage": {"type": "insurance", **terms}}


def number_error(message: str, field: str) -> dict[str, Any]:
    return {"coverage": [f"coverage.{field}: {message}"]}


AT_LEAST_0 = "Ensure this value is greater than or equal to 0."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            with_coverage(deductible_remaining="-1.00"),
            number_error(AT_LEAST_0, "deductible_remaining"),
            id="negative-deductible",
        ),
        pytest.param(
            with_coverage(copay=-5), number_error(AT_LEAST_0, "copay"), id="negative-copay"
        ),
        pytest.param(
            with_coverage(out_of_pocket_max_remaining="-0.01"),
            number_error(AT_LEAST_0, "out_of_pocket_max_remaining"),
            id="negative-oop-max",
        ),
        pytest.param(
            with_coverage(out_of_network_deductible_remaining="-10"),
            number_error(AT_LEAST_0, "out_of_network_deductible_remaining"),
            id="negative-oon-deductible",
        ),
        pytest.param(
            with_coverage(copay="100000.01"),
            number_error("Ensure this value is less than or equal to 100000.", "copay"),
            id="money-over-100000",
        ),
        pytest.param(
            with_coverage(copay="10.125"),
            number_error("Ensure that there are no more than 2 decimal places.", "copay"),
            id="money-with-3-decimals",
        ),
        pytest.param(
            with_coverage(coinsurance_percent="101"),
            number_error("Ensure this value is less than or equal to 100.", "coinsurance_percent"),
            id="coinsurance-101",
        ),
        pytest.param(
            with_coverage(coinsurance_percent=-1),
            number_error(AT_LEAST_0, "coinsurance_percent"),
            id="coinsurance-minus-1",
        ),
        pytest.param(
            with_coverage(out_of_network_coinsurance_percent=150),
            number_error(
                "Ensure this value is less than or equal to 100.",
                "out_of_network_coinsurance_percent",
            ),
            id="oon-coinsurance-150",
        ),
        pytest.param(
            with_coverage(deductible_remaining="abc"),
            number_error("A valid number is required.", "deductible_remaining"),
            id="non-numeric-deductible",
        ),
        pytest.param(
            with_coverage(coinsurance_percent="NaN"),
            number_error("A valid number is required.", "coinsurance_percent"),
            id="nan-coinsurance",
        ),
        pytest.param(
            with_coverage(covered_visits_remaining=-1),
            number_error(AT_LEAST_0, "covered_visits_remaining"),
            id="negative-covered-visits",
        ),
        pytest.param(
            with_coverage(covered_visits_remaining="lots"),
            number_error("A valid integer is required.", "covered_visits_remaining"),
            id="non-numeric-covered-visits",
        ),
        pytest.param(
            with_coverage(deductible_applies="maybe"),
            number_error("Must be a valid boolean.", "deductible_applies"),
            id="non-boolean",
        ),
        pytest.param(
            with_coverage(plan="x"),
            {"coverage": ["coverage.plan: Unknown insurance plan 'x'."]},
            id="unknown-plan",
        ),
        pytest.param(
            {"coverage": {"type": "x"}},
            {"coverage": ['coverage.type: "x" is not a valid choice.']},
            id="bad-type",
        ),
        pytest.param({}, {"coverage": ["This field is required."]}, id="no-coverage"),
        pytest.param(
            {"coverage": "self_pay"},
            {"coverage": ["coverage: Invalid data. Expected a dictionary, but got str."]},
            id="coverage-not-an-object",
        ),
        pytest.param(
            {"visits": 0, "coverage": {"type": "self_pay"}},
            {"visits": ["Ensure this value is greater than or equal to 1."]},
            id="visits-0",
        ),
        pytest.param(
            {"visits": 61, "coverage": {"type": "self_pay"}},
            {"visits": ["Ensure this value is less than or equal to 60."]},
            id="visits-61",
        ),
        pytest.param(
            {"visits": "six", "coverage": {"type": "self_pay"}},
            {"visits": ["A valid integer is required."]},
            id="non-numeric-visits",
        ),
        pytest.param(
            {"provider_id": "abc", "coverage": {"type": "self_pay"}},
            {"provider_id": ["A valid integer is required."]},
            id="non-numeric-provider",
        ),
        pytest.param(
            {"procedures": [{"code": "99999"}], "coverage": {"type": "self_pay"}},
            {"procedures": ["procedures[0].code: Unknown procedure code '99999'."]},
            id="unknown-code",
        ),
        pytest.param(
            {
                "procedures": [{"code": "98940"}, {"code": "98940", "quantity": 2}],
                "coverage": {"type": "self_pay"},
            },
            {
                "procedures": [
                    "procedures[1].code: Code 98940 is listed more than once; "
                    "set its quantity instead."
                ]
            },
            id="duplicate-code",
        ),
        pytest.param(
            {"procedures": [{"code": "98940", "quantity": 0}], "coverage": {"type": "self_pay"}},
            {
                "procedures": [
                    "procedures[0].quantity: Ensure this value is greater than or equal to 1."
                ]
            },
            id="quantity-0",
        ),
        pytest.param(
            {"procedures": [{"code": "98940", "quantity": 11}], "coverage": {"type": "self_pay"}},
            {
                "procedures": [
                    "procedures[0].quantity: Ensure this value is less than or equal to 10."
                ]
            },
            id="quantity-11",
        ),
        pytest.param(
            {"procedures": [{"code": "98940"}] * 21, "coverage": {"type": "self_pay"}},
            {"procedures": ["Ensure this field has no more than 20 elements."]},
            id="21-procedure-lines",
        ),
        pytest.param(
            {"procedures": [], "coverage": {"type": "self_pay"}},
            {"procedures": ["This list may not be empty."]},
            id="empty-procedures",
        ),
        pytest.param(
            {"procedures": "98940", "coverage": {"type": "self_pay"}},
            {"procedures": ['Expected a list of items but got type "str".']},
            id="procedures-not-a-list",
        ),
        pytest.param(
            [{"coverage": {"type": "self_pay"}}],
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
            id="json-list-body",
        ),
        pytest.param(
            json.dumps("hello"),
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
            id="json-string-body",
        ),
        pytest.param(
            "null",
            {"non_field_errors": ["No data provided"]},
            id="json-null-body",
        ),
    ],
)
def test_it_rejects_bad_input_with_field_errors(client, reference, body, expected):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json() == expected
    assert "no-store" in response["Cache-Control"]


def test_it_rejects_malformed_json(client, reference):
    response = post(client, '{"coverage": {"type": "self_pay"')
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["detail"]
    assert body["detail"].startswith("JSON parse error")


def test_it_rejects_a_code_the_providers_profession_does_not_offer(client, reference):
    therapist = ProviderFactory(profession=Profession.PHYSICAL_THERAPIST, credential="DPT")
    response = post(
        client,
        {
            "provider_id": therapist.pk,
            "procedures": [{"code": "97140"}, {"code": "98940"}],
            "coverage": {"type": "self_pay"},
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "procedures": ["procedures[1].code: Code 98940 is not offered by physical therapists."]
    }


def test_a_physical_therapists_default_procedure_is_manual_therapy(client, reference):
    therapist = ProviderFactory(profession=Profession.PHYSICAL_THERAPIST, credential="DPT")
    response = post(client, {"provider_id": therapist.pk, "coverage": {"type": "self_pay"}})
    assert response.status_code == 200
    assert [line["code"] for line in response.json()["procedures"]] == ["97140"]


@pytest.mark.parametrize("provider_id", [987654, 0, -3, 2**70])
def test_an_unknown_provider_is_404(client, reference, provider_id):
    response = post(client, {"provider_id": provider_id, "coverage": {"type": "self_pay"}})
    assert response.status_code == 404
    assert response.json() == {"detail": f"No provider with id {provider_id}."}


def test_a_suspended_provider_is_404(client, reference):
    hidden = ProviderFactory(verification_status=VerificationStatus.SUSPENDED)
    response = post(client, {"provider_id": hidden.pk, "coverage": {"type": "self_pay"}})
    assert response.status_code == 404
    assert response.json() == {"detail": f"No provider with id {hidden.pk}."}


def test_it_stores_nothing(client, chiropractor):
    counts = [m.objects.count() for m in (Provider, ProviderPrice, InsurancePlan, Session)]
    body = {"provider_id": chiropractor.pk, "coverage": {"type": "insurance", "plan": "aetna-ppo"}}
    assert post(client, body).status_code == 200
    assert post(client, {"coverage": {"type": "x"}}).status_code == 400
    assert [m.objects.count() for m in (Provider, ProviderPrice, InsurancePlan, Session)] == counts


def test_it_logs_no_inputs(client, chiropractor, caplog):
    body = {
        "provider_id": chiropractor.pk,
        "procedures": [{"code": "98943"}],
        "coverage": {"type": "insurance", "deductible_remaining": "987.65", "plan": "nope-plan"},
    }
    with caplog.at_level("DEBUG"):
        refused = post(client, body)
        answered = post(client, body | {"coverage": {"type": "self_pay"}})

    assert (refused.status_code, answered.status_code) == (400, 200)
    # What production writes (config/logging.py): the refused request's line is captured, and it
    # says what went wrong where, with the request id, but nothing the patient entered.
    written = [JsonFormatter().format(record) for record in caplog.records]
    lines = [json.loads(line) for line in written]
    assert [{key: line[key] for key in line if key != "time"} for line in lines] == [
        {
            "level": "WARNING",
            "logger": "django.request",
            "message": "Bad Request: /api/v1/estimates/",
            "request_id": refused["X-Request-ID"],
        }
    ]
    logged = "\n".join([caplog.text, *written])
    for entered in ("987.65", "nope-plan", "98943"):
        assert entered not in logged


def test_nested_errors_become_the_contracts_flat_field_lists():
    """CONTRACT.md: 400 `{"field": ["message", ...]}`, whatever the depth of the input."""
    nested = {
        "visits": ["Ensure this value is less than or equal to 60."],
        "coverage": {"plan": ["Unknown insurance plan 'x'."], "non_field_errors": ["Bad."]},
        "procedures": [{}, {"code": ["Unknown procedure code '1'.", "Also wrong."]}],
        "lines": {0: {"quantity": ["Too many."]}},
    }
    assert flat_field_errors(nested) == {
        "visits": ["Ensure this value is less than or equal to 60."],
        "coverage": ["coverage.plan: Unknown insurance plan 'x'.", "coverage: Bad."],
        "procedures": [
            "procedures[1].code: Unknown procedure code '1'.",
            "procedures[1].code: Also wrong.",
        ],
        "lines": ["lines[0].quantity: Too many."],
    }
