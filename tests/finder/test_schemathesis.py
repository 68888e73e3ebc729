"""Property-based API tests from the OpenAPI schema (schemathesis), in-process over WSGI.

Every operation gets generated valid and invalid requests; each response must not be a 5xx and
must match the schema documented for its status code. Run alone with `pytest -m schemathesis`.
"""

from decimal import Decimal

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from providers.models import InsurancePlan, Procedure
from tests.factories import LicenseFactory, PracticeLocationFactory, ProviderPriceFactory

# 7 operations: several hundred generated requests in all, plus each operation's examples
# and coverage cases.
MAX_EXAMPLES_PER_OPERATION = 100


@pytest.fixture
def wsgi_keeps_test_connection():
    """Requests go through the real WSGI handler, whose request signals would close the
    test's database connection (and its transaction) on PostgreSQL; Django's own test client
    disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db, settings, wsgi_keeps_test_connection):
    # Generated traffic comes from one test client IP; limits are tested in test_partner_api.
    settings.API_ANON_RATE = "100000/min"
    settings.API_ESTIMATE_RATE = "100000/min"
    call_command("load_reference_data", verbosity=0, stdout=None)
    location = PracticeLocationFactory(
        provider__first_name="Jane", provider__offers_mobilization=True
    )
    provider = location.provider
    provider.insurance_plans.add(*InsurancePlan.objects.all()[:2])
    ProviderPriceFactory(
        provider=provider, procedure=Procedure.objects.get(code="98940"), cash_price=Decimal("40")
    )
    LicenseFactory(provider=provider)
    PracticeLocationFactory(provider=provider, latitude=None, longitude=None)


# Loaded at collection: schema generation touches neither the database nor the rate limits.
# (schemathesis.pytest.from_fixture would defer it, but breaks on pytest 9.2's node ids.)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.mark.schemathesis
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES_PER_OPERATION,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case, api_world):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])


# The stateful phase: sequences of calls that follow the links schemathesis infers from the
# schema (a search's results to each provider's detail, the practice-act list to each state).
class APIWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    def validate_response(self, response, case, additional_checks=None, **kwargs):
        # The same checks as the per-operation test: a filter value the schema allows but the
        # data does not know (an unknown plan's slug) is a correct 400, not a failure.
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@pytest.mark.schemathesis
def test_api_workflows_conform_to_its_schema(api_world):
    APIWorkflow.run(
        settings=settings(
            max_examples=MAX_EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            stateful_step_count=6,
            suppress_health_check=list(HealthCheck),
        )
    )


@pytest.mark.schemathesis
@pytest.mark.parametrize("near", ["FM", "Micronesia", "\x85Fm\x8a"])
def test_a_territory_without_places_is_a_documented_400(api_world, near):
    # What a stateful fuzzing run once found: place text naming a territory that has no places
    # in the index answered 500.
    case = schema["/api/v1/providers/"]["GET"].Case(
        query={"accepting_new_patients": "true", "radius_miles": "1.0", "near": near}
    )

    response = case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

    assert response.status_code == 400
    assert "Federated States of Micronesia" in response.json()["near"][0]
