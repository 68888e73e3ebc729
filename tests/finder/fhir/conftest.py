"""A small directory for the FHIR tests: two providers in Austin, one in no network, one
suspended (never shown), with licenses, prices, plans and a practice act."""

from decimal import Decimal

import pytest

from providers.models import InsurancePlan, Profession, Scope, VerificationStatus
from tests.factories import (
    InsurancePlanFactory,
    LicenseFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderFactory,
    ProviderPriceFactory,
)


def fhir_get(client, path: str, **headers):
    """A GET of /fhir/…: the response and its JSON body (an OperationOutcome on errors)."""
    response = client.get(path, **headers)
    return response, response.json()


@pytest.fixture
def directory(db):
    PracticeActFactory(state="TX", profession=Profession.CHIROPRACTOR)
    PracticeActFactory(
        state="TX",
        profession=Profession.PHYSICAL_THERAPIST,
        spinal_manipulation=Scope.REQUIRES_ENDORSEMENT,
    )
    aetna = InsurancePlanFactory(slug="aetna-ppo", name="Aetna PPO", payer="Aetna")
    medicaid = InsurancePlanFactory(
        slug="medicaid", name="Medicaid", payer="State", kind=InsurancePlan.Kind.MEDICAID
    )
    chiro = ProviderFactory(
        first_name="Jane", last_name="Doe", npi="1234567893", offers_extremity_manipulation=True
    )
    chiro.insurance_plans.add(aetna, medicaid)
    PracticeLocationFactory(provider=chiro)
    PracticeLocationFactory(
        provider=chiro,
        address_line1="1 Main St",
        city="Round Rock",
        zip_code="78664",
        latitude=30.5083,
        longitude=-97.6789,
        phone="",
    )
    LicenseFactory(provider=chiro, state="TX", number="DC12345")
    ProviderPriceFactory(provider=chiro, procedure=ProcedureFactory(), cash_price=Decimal("45.00"))
    therapist = ProviderFactory(
        first_name="Sam",
        last_name="Roe",
        credential="DPT",
        profession=Profession.PHYSICAL_THERAPIST,
        accepting_new_patients=False,
    )
    PracticeLocationFactory(provider=therapist, latitude=30.30, longitude=-97.70)
    hidden = ProviderFactory(first_name="Hidden", verification_status=VerificationStatus.SUSPENDED)
    hidden.insurance_plans.add(aetna)
    PracticeLocationFactory(provider=hidden)
    return {
        "chiro": chiro,
        "therapist": therapist,
        "hidden": hidden,
        "aetna": aetna,
        "medicaid": medicaid,
    }
