"""Fixtures shared by the provider tests."""

import pytest

from tests.factories import PracticeLocationFactory, ProcedureFactory


@pytest.fixture
def listed():
    """Two listed providers, Alice and Bob, each at one location; the codes 98940 and 97110."""
    ProcedureFactory(code="98940")
    ProcedureFactory(code="97110", label="Therapeutic exercise", is_manipulation=False)
    alice = PracticeLocationFactory(provider__last_name="Alice").provider
    bob = PracticeLocationFactory(provider__last_name="Bob").provider
    return alice, bob
