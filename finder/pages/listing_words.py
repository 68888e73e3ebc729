"""What the pages say of a listing in words: the state's rule for each service the provider
offers, its endorsements, and its price in one line."""

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from providers.entry_level import entry_level_code
from providers.models import PracticeAct, Provider, Service
from providers.scope import ActKey, Endorsement, ServiceScope, offered_service_scopes

SERVICE_NAMES = {
    Service.SPINAL_MANIPULATION: gettext_lazy("Spinal manipulation"),
    Service.EXTREMITY_MANIPULATION: gettext_lazy("Extremity manipulation"),
    Service.MOBILIZATION: gettext_lazy("Mobilization"),
    Service.MANIPULATION_UNDER_ANESTHESIA: gettext_lazy("Manipulation under anesthesia"),
}
# What a patient calls each entry-level code (providers/entry_level.py).
PRICE_NAMES = {
    "98940": gettext_lazy("Spinal manipulation"),
    "98943": gettext_lazy("Extremity manipulation"),
    "97140": gettext_lazy("Manual therapy"),
}


def endorsement_words(endorsement: Endorsement) -> str:
    """ "Holds the WA spinal manipulation endorsement", or that it is not on file."""
    values = {
        "state": endorsement["state"],
        "service": str(SERVICE_NAMES[Service(endorsement["service"])]).lower(),
    }
    if endorsement["held"]:
        return _("Holds the %(state)s %(service)s endorsement") % values
    return _("The %(state)s %(service)s endorsement is not on file") % values


def scope_badge(rule: ServiceScope, *, in_state: bool) -> dict:
    """One badge of templates/finder/_scope_badge.html, with its endorsement in words."""
    name = SERVICE_NAMES[Service(rule.service)]
    return {
        "label": _("%(service)s in %(state)s") % {"service": name, "state": rule.state}
        if in_state
        else str(name),
        "scope": rule.scope,
        "endorsement": endorsement_words(rule.endorsement) if rule.endorsement else "",
    }


def scope_badges(
    provider: Provider,
    state: str | None,
    acts: Mapping[ActKey, PracticeAct],
    *,
    in_state: bool = True,
) -> list[dict]:
    """A badge for each service the provider offers that `state`'s act rules on (none for
    services it does not offer, nor without a location)."""
    if state is None:
        return []
    act = acts.get((state, provider.profession))
    return [
        scope_badge(rule, in_state=in_state)
        for rule in offered_service_scopes(act, provider, state)
    ]


def price_line(listing: dict, service: str | None) -> dict | None:
    """ "Spinal manipulation from $37 a visit": the price of the entry-level procedure for the
    service searched (the price `max_price` and "sort by price" use), with Medicare's amount in
    words where known (a listing through `for_patients`); None when the provider posts no
    price for that code."""
    code = entry_level_code(listing["profession"], service)
    price = next((p for p in listing["prices"] if p["code"] == code), None)
    if price is None:
        return None
    return {
        "code": code,
        "text": _("%(service)s from %(price)s a visit")
        % {"service": PRICE_NAMES[code], "price": dollars(Decimal(price["cash_price"]))},
        # finder/medicare_listing.py `medicare_words`: the amount, and what a non-participating
        # provider may charge.
        "medicare": price.get("medicare_words", ""),
    }


def dollars(amount: Decimal) -> str:
    """$37 for whole dollars, $37.50 otherwise."""
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"
