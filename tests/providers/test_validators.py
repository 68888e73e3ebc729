import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from providers.validators import is_valid_npi, validate_cash_price, validate_npi, validate_tin
from tests.factories import ProviderFactory, ProviderPriceFactory


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),  # CMS's worked example
        ("1234567890", False),  # wrong check digit
        ("123456789", False),  # 9 digits
        ("12345678933", False),  # 11 digits
        ("3234567893", False),  # must start with 1 or 2
        ("12345678a3", False),
        ("\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff13", False),  # full-width
        ("", False),
    ],
)
def test_it_validates_npi_check_digits(npi, valid):
    assert is_valid_npi(npi) is valid


def test_validate_npi_raises_a_clear_message():
    with pytest.raises(ValidationError, match="valid 10-digit NPI"):
        validate_npi("1234567890")


@pytest.mark.parametrize("price", ["1.00", "30.00", "1000.00"])
def test_it_accepts_prices_in_range(price):
    validate_cash_price(Decimal(price))


@pytest.mark.parametrize("price", ["0", "0.99", "-5", "1000.01"])
def test_it_rejects_prices_out_of_range(price):
    with pytest.raises(ValidationError, match=re.escape("from $1.00 to $1,000.00")):
        validate_cash_price(Decimal(price))


@pytest.mark.parametrize(
    ("tin", "valid"), [("12-3456789", True), ("123456789", True), ("12", False)]
)
def test_it_validates_tins(tin, valid):
    if valid:
        validate_tin(tin)
    else:
        with pytest.raises(ValidationError):
            validate_tin(tin)


@pytest.mark.django_db
def test_model_full_clean_rejects_bad_npi_and_price():
    provider = ProviderFactory.build(npi="1234567890")
    with pytest.raises(ValidationError) as excinfo:
        provider.full_clean()
    assert "npi" in excinfo.value.message_dict

    price = ProviderPriceFactory(cash_price=Decimal("40.00"))
    price.cash_price = Decimal("1500.00")
    with pytest.raises(ValidationError) as excinfo:
        price.full_clean()
    assert "cash_price" in excinfo.value.message_dict
