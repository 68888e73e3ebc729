"""What a listing shows of Medicare: the provider's assignment, and beside each cash price the
Medicare amount at the listed address.

`attach_medicare` prepares a page of providers with the amounts of `finder.medicare_amounts`
(remembered per ZIP code); the provider's assignment comes with its listing extras
(`finder.listing_queries`). `medicare_for_price` and `provider.medicare_assignment` are then
read by `finder.listing`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finder.estimate import to_cents
from finder.medicare_amounts import (
    MedicareAmount,
    medicare_amounts,
    medicare_amounts_by_zip,
    medicare_reference,
)
from finder.medicare_estimate import LIMITING_CHARGE_PERCENT
from providers.models import (
    MedicareAssignment,
    PracticeLocation,
    Provider,
)

ASSIGNMENT_WORDS = {
    MedicareAssignment.PARTICIPATING: gettext_lazy(
        "Medicare: accepts Medicare's amount as full payment"
    ),
    MedicareAssignment.NON_PARTICIPATING: gettext_lazy(
        # xgettext:no-python-format
        "Medicare: does not always accept Medicare's amount as full payment, and may charge up "
        "to 109.25% of it"
    ),
    MedicareAssignment.UNKNOWN: gettext_lazy(
        "Medicare: whether this provider accepts Medicare's amount as full payment is not known"
    ),
}


def attach_medicare(listed: Iterable[tuple[Provider, PracticeLocation | None]]) -> None:
    """Sets a `medicare` entry on each of a provider's `listing_prices` for the location given
    with it. The providers come with their listing extras (finder/listing_queries.py), which
    carry their `medicare_assignment` too."""
    listed = list(listed)
    if not listed:
        return
    codes = {price["code"] for provider, _location in listed for price in provider.listing_prices}
    covered_for = medicare_reference().covered_for
    zip_codes = {location.zip_code for _provider, location in listed if location is not None}
    amounts = medicare_amounts_by_zip(zip_codes=zip_codes, codes=codes)
    if any(location is None for _provider, location in listed):
        amounts[""] = medicare_amounts(zip_code=None, codes=codes)
    # A page's providers share a few localities' amounts: each written out once, and the
    # same (read-only) object given to every price it applies to.
    written: dict[MedicareAmount, dict] = {}
    for provider, location in listed:
        here = amounts[location.zip_code if location is not None else ""]
        for price in provider.listing_prices:
            covered = provider.profession in covered_for.get(price["code"], [])
            amount = here.get(price["code"]) if covered else None
            if amount is None:
                price["medicare"] = None
                continue
            if amount not in written:
                written[amount] = medicare_for_price(amount)
            price["medicare"] = written[amount]


def attach_location_medicare(providers: Sequence[Provider]) -> None:
    """Sets `location_medicare` on providers whose `listing_prices` are set and whose
    locations are prefetched: per location id, the Medicare amount at that location (its
    locality's, else national) of each priced code Medicare covers for the provider's
    profession, in the prices' order. One lookup for every provider and location (at most
    three queries)."""
    covered_for = medicare_reference().covered_for
    covered_codes = {
        provider.id: [
            price["code"]
            for price in provider.listing_prices
            if provider.profession in covered_for.get(price["code"], [])
        ]
        for provider in providers
    }
    amounts = medicare_amounts_by_zip(
        zip_codes={
            location.zip_code for provider in providers for location in provider.locations.all()
        },
        codes={code for codes in covered_codes.values() for code in codes},
    )
    for provider in providers:
        provider.location_medicare = {
            location.id: [
                {"code": code, **medicare_for_price(amounts[location.zip_code][code])}
                for code in covered_codes[provider.id]
                if code in amounts[location.zip_code]
            ]
            for location in provider.locations.all()
        }


def medicare_for_price(amount: MedicareAmount) -> dict:
    """The contract's `medicare` object of a price: the full fee schedule amount."""
    return {
        "amount": f"{amount.amount:.2f}",
        "locality": amount.locality or None,
        "year": amount.year,
        "source": amount.source,
    }


VARIES_BY_LOCATION = gettext_lazy("Varies by location: see each location above")


def medicare_words(listing: dict) -> dict:
    """What the pages say of a listing's Medicare facts: the assignment in words, and beside
    each covered price the Medicare amount (and, for a non-participating provider, the
    limiting charge: 109.25% of the amount, to the cent, half up).

    Where a detail's locations (each with its `medicare_amounts`) lie in localities whose
    amounts differ, a price says so instead of giving the first location's, and each location
    gets its own amounts in words."""
    assignment = listing["medicare_assignment"]
    locations = listing.get("locations", [])
    differing = codes_differing_by_location(locations)
    prices = []
    for price in listing["prices"]:
        medicare = price.get("medicare")
        words = ""
        if price["code"] in differing:
            words = str(VARIES_BY_LOCATION)
        elif medicare is not None:
            words = amount_words(medicare, assignment)
        prices.append({**price, "medicare_words": words})
    shown = {**listing, "prices": prices, "medicare_assignment_words": ASSIGNMENT_WORDS[assignment]}
    if locations:
        shown["locations"] = [
            {
                **location,
                "medicare_words": [
                    f"{amount['code']}: {amount_words(amount, assignment, whose=True)}"
                    for amount in location["medicare_amounts"]
                    if amount["code"] in differing
                ],
            }
            for location in locations
        ]
    return shown


def codes_differing_by_location(locations: list[dict]) -> set[str]:
    """The codes whose Medicare amount is not the same at every location."""
    amounts: dict[str, set[tuple[str, str]]] = {}
    for location in locations:
        for amount in location["medicare_amounts"]:
            amounts.setdefault(amount["code"], set()).add((amount["amount"], amount["source"]))
    return {code for code, found in amounts.items() if len(found) > 1}


def amount_words(medicare: dict, assignment: str, *, whose: bool = False) -> str:
    """ "Medicare pays about $26.72 here (2026; that includes your 20% share)", what a
    non-participating provider may charge, and with `whose`, whose amount it is: the
    locality's (its curator-given name, or its number and state), or the national one where
    the address's locality is not known."""
    amount = Decimal(medicare["amount"])
    values = {"amount": f"{amount:,.2f}", "year": medicare["year"]}
    if medicare["source"] == "national":
        words = (
            _(
                "Medicare pays about $%(amount)s nationally (Medicare's national amount, "
                "%(year)s: this address's locality is not known)"
            )
            if whose
            else _(
                "Medicare pays about $%(amount)s nationally (%(year)s; that includes your 20%% "
                "share)"
            )
        ) % values
    elif whose:
        words = _(
            "Medicare pays about $%(amount)s here (Medicare amount for %(locality)s, %(year)s)"
        ) % {
            **values,
            "locality": medicare["locality"],
        }
    else:
        words = (
            _("Medicare pays about $%(amount)s here (%(year)s; that includes your 20%% share)")
            % values
        )
    if assignment == MedicareAssignment.NON_PARTICIPATING:
        limit = to_cents(amount * LIMITING_CHARGE_PERCENT / 100)
        words += _("; this provider may charge up to $%(limit)s") % {"limit": f"{limit:,.2f}"}
    return words
