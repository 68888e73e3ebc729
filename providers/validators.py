"""Validators for identifiers curators and importers type in."""

from decimal import Decimal

from django.core.exceptions import ValidationError

# CMS: the NPI check digit is a Luhn digit computed as if prefixed by 80840 (health, USA).
NPI_PREFIX = "80840"
# A posted cash price outside $1-$1,000 is a typing slip (cents for dollars, an extra digit).
MIN_CASH_PRICE = Decimal("1.00")
MAX_CASH_PRICE = Decimal("1000.00")


def luhn_checksum_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_valid_npi(value: str) -> bool:
    """True for a 10-digit NPI starting with 1 or 2 whose Luhn check digit is right."""
    if not isinstance(value, str) or len(value) != 10 or not value.isascii():
        return False
    if not value.isdigit() or value[0] not in "12":
        return False
    return luhn_checksum_is_valid(NPI_PREFIX + value)


def validate_npi(value: str) -> None:
    if not is_valid_npi(value):
        raise ValidationError(
            "Enter a valid 10-digit NPI (starts with 1 or 2, correct check digit).",
            code="invalid_npi",
        )


def validate_cash_price(value: Decimal) -> None:
    if value is None:
        return
    if value < MIN_CASH_PRICE or value > MAX_CASH_PRICE:
        raise ValidationError("Enter a cash price from $1.00 to $1,000.00.", code="invalid_price")


def validate_tin(value: str) -> None:
    digits = value.replace("-", "")
    if value and (len(digits) != 9 or not digits.isdigit()):
        raise ValidationError("Enter a 9-digit TIN (EIN or SSN format).", code="invalid_tin")
