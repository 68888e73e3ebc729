"""The entry-level code by profession and service, and the projection column that holds it."""

import pytest

from providers.entry_level import entry_level_code
from providers.models import Profession, Service
from providers.search_index import PRICE_COLUMNS, price_column


@pytest.mark.parametrize(
    ("service", "chiropractor", "physical_therapist"),
    [
        (None, "98940", "97140"),
        (Service.SPINAL_MANIPULATION, "98940", "97140"),
        (Service.EXTREMITY_MANIPULATION, "98943", "97140"),
        (Service.MOBILIZATION, "97140", "97140"),
        (Service.MANIPULATION_UNDER_ANESTHESIA, "98940", "97140"),
    ],
)
def test_each_service_names_one_code_per_profession(service, chiropractor, physical_therapist):
    assert entry_level_code(Profession.CHIROPRACTOR, service) == chiropractor
    assert entry_level_code(Profession.PHYSICAL_THERAPIST, service) == physical_therapist


@pytest.mark.parametrize("service", [None, *Service])
def test_a_services_price_column_holds_that_services_codes(service):
    column_service = next(
        key for key, column in PRICE_COLUMNS.items() if column == price_column(service)
    )
    for profession in Profession:
        assert entry_level_code(profession, column_service) == entry_level_code(profession, service)
