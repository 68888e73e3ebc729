"""The entry-level procedure: the one price that stands for a provider's manipulation price.

A provider posts a price per code, and the codes differ by profession: a chiropractor bills
spinal manipulation by regions treated (98940 for 1-2, 98941 for 3-4, 98942 for 5) and
extremity manipulation as 98943; a physical therapist bills any manipulation as manual therapy,
97140 (per 15 minutes). "From $37 a visit", `max_price` and "sort by price" all read the price
of the first code a visit for the service searched would bill, so a provider is never matched
by one code and shown with another.
"""

from providers.models import Profession, Service

CHIROPRACTOR: str = Profession.CHIROPRACTOR
PHYSICAL_THERAPIST: str = Profession.PHYSICAL_THERAPIST
MANUAL_THERAPY = "97140"  # CMS: PTs bill manipulation as manual therapy
NO_SERVICE: dict[str, str] = {CHIROPRACTOR: "98940", PHYSICAL_THERAPIST: MANUAL_THERAPY}
ENTRY_LEVEL_CODES: dict[str, dict[str, str]] = {
    Service.SPINAL_MANIPULATION.value: NO_SERVICE,
    Service.EXTREMITY_MANIPULATION.value: {
        CHIROPRACTOR: "98943",
        PHYSICAL_THERAPIST: MANUAL_THERAPY,
    },
    Service.MOBILIZATION.value: {CHIROPRACTOR: MANUAL_THERAPY, PHYSICAL_THERAPIST: MANUAL_THERAPY},
    # MUA is billed with surgical codes no provider posts a cash price for here: the visit's
    # usual manipulation code stands for it, as when no service is chosen.
    Service.MANIPULATION_UNDER_ANESTHESIA.value: NO_SERVICE,
}


def entry_level_codes(service: str | None) -> dict[str, str]:
    """The entry-level code for each profession, for `service` (None: no service chosen)."""
    return ENTRY_LEVEL_CODES.get(service, NO_SERVICE) if service else NO_SERVICE


def entry_level_code(profession: str, service: str | None = None) -> str:
    """The code whose cash price is the provider's price for `service`: spinal manipulation
    98940 (chiropractor) or 97140 (PT); extremity 98943 or 97140; mobilization 97140; no
    service 98940 or 97140."""
    return entry_level_codes(service)[profession]
