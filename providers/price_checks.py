"""Checks of a provider's posted prices that warn a curator without refusing the edit."""

from collections.abc import Mapping
from decimal import Decimal
from itertools import pairwise

# Chiropractic spinal manipulation is billed by the regions treated; more regions is more work.
REGION_CODES = {"98940": "1-2 regions", "98941": "3-4 regions", "98942": "5 regions"}


def region_order_warnings(prices: Mapping[str, Decimal]) -> list[str]:
    """A warning for each pair of posted spinal manipulation prices not in region order
    (98940 <= 98941 <= 98942): usually a typing slip, and it would make the 1-2 region price,
    the one search filters and sorts by, look dearer or cheaper than the provider is."""
    posted = [(code, prices[code]) for code in REGION_CODES if code in prices]
    return [
        f"Spinal manipulation prices are not in region order: {lower} ({REGION_CODES[lower]}) "
        f"is ${lower_price:,.2f} but {higher} ({REGION_CODES[higher]}) is ${higher_price:,.2f}. "
        "Check them with the provider."
        for (lower, lower_price), (higher, higher_price) in pairwise(posted)
        if lower_price > higher_price
    ]
