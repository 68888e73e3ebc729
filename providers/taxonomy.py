"""Specialties and credentials as patients read them.

Specialties are the NUCC taxonomy subspecialty codes a provider lists in NPPES (REFERENCE.md
section 7); the plain profession codes (111N00000X, 225100000X) name no specialty. Credentials
are the NPPES "Provider Credential Text" ("PT, DPT, OCS"), each abbreviation spelled out where
it is a common one, and shown as given otherwise.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from providers.lazy_text import Text
from providers.models import Profession

PROFESSION_CODES = {"111N00000X", "225100000X"}
SPECIALTY_LABELS: dict[str, Text] = {
    # Chiropractor subspecialties (111N...)
    "111NI0013X": _("Independent medical examiner"),
    "111NI0900X": _("Internist"),
    "111NN0400X": _("Neurology"),
    "111NN1001X": _("Nutrition"),
    "111NX0100X": _("Occupational health"),
    "111NX0800X": _("Orthopedic"),
    "111NP0017X": _("Pediatric"),
    "111NR0200X": _("Radiology"),
    "111NR0400X": _("Rehabilitation"),
    "111NS0005X": _("Sports physician"),
    "111NT0100X": _("Thermography"),
    # Physical therapist subspecialties (2251...)
    "2251C2600X": _("Cardiopulmonary"),
    "2251E1300X": _("Clinical electrophysiology"),
    "2251E1200X": _("Ergonomics"),
    "2251G0304X": _("Geriatrics"),
    "2251H1200X": _("Hand"),
    "2251H1300X": _("Human factors"),
    "2251N0400X": _("Neurology"),
    "2251X0800X": _("Orthopedic"),
    "2251P0200X": _("Pediatrics"),
    "2251S0007X": _("Sports"),
}
CREDENTIAL_WORDS: dict[str, Text] = {
    "DC": _("Doctor of Chiropractic"),
    "DPT": _("Doctor of Physical Therapy"),
    "PT": _("Physical therapist"),
    "MPT": _("Master of Physical Therapy"),
    "MSPT": _("Master of Science in Physical Therapy"),
    "OCS": _("Orthopaedic Certified Specialist"),
    "SCS": _("Sports Certified Specialist"),
    "FAAOMPT": _("Fellow of the American Academy of Orthopaedic Manual Physical Therapists"),
}
PROFESSION_PREFIX = {Profession.CHIROPRACTOR: "111N", Profession.PHYSICAL_THERAPIST: "2251"}


def specialty_codes(codes: Iterable[str], profession: str) -> list[str]:
    """The profession's subspecialty codes among a provider's taxonomy codes, in order, once."""
    prefix = PROFESSION_PREFIX[Profession(profession)]
    kept: list[str] = []
    for code in codes:
        code = code.strip().upper()
        if code.startswith(prefix) and code not in PROFESSION_CODES and code not in kept:
            kept.append(code)
    return kept


def specialty_labels(codes: Iterable[str]) -> list[str]:
    """Names of known specialty codes; an unknown code (a newer NUCC code) is left out."""
    return [str(SPECIALTY_LABELS[code]) for code in codes if code in SPECIALTY_LABELS]


def credential_words(credential: str) -> list[tuple[str, str]]:
    """ "PT, DPT, OCS" -> [("PT", "Physical therapist"), ("DPT", ...), ("OCS", ...)]; an
    abbreviation not listed here comes with "" for its words."""
    parts = [part.strip() for part in credential.split(",") if part.strip()]
    return [(part, str(CREDENTIAL_WORDS.get(part.upper(), ""))) for part in parts]
