"""Medicare's fee schedule amounts for a place, and a provider's Medicare assignment.

A ZIP code's locality comes from the imported ZIP5 map (`import_medicare_fees`); its amounts
from that locality's latest imported year. Where no locality or no amount is known, the
national amount shipped by `load_reference_data` is used, and the result says which.
A ZIP split by ZIP+4 ranges takes its ZIP5 record's locality.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext as _

from finder.medicare_estimate import Assignment
from providers import freshness
from providers.models import (
    MedicareAssignment,
    MedicareFee,
    MedicareNationalAmount,
    MedicareParticipation,
    MedicareZip,
    PracticeLocation,
    Procedure,
    Provider,
)

AmountSource = Literal["locality", "national"]


@dataclass(frozen=True)
class MedicareAmount:
    """A code's non-facility fee schedule amount per unit, in dollars, and where it is from."""

    code: str
    amount: Decimal
    therapy_reduction_amount: Decimal | None
    year: int
    source: AmountSource
    locality: str  # the locality's label; "" for a national amount
    zip_split: bool = False  # the ZIP code is split by ZIP+4; its ZIP5 record's locality used

    @property
    def description(self) -> str:
        if self.source == "locality":
            return _("Medicare amount for %(locality)s, %(year)s") % {
                "locality": self.locality,
                "year": self.year,
            }
        return _("national amount, %(year)s") % {"year": self.year}


def medicare_amounts_by_zip(
    *, zip_codes: Iterable[str], codes: Iterable[str]
) -> dict[str, dict[str, MedicareAmount]]:
    """Each ZIP code's amounts for the codes: its locality's where imported, else national.

    Every search page asks this for its results' ZIP codes, so this process remembers each ZIP
    code's locality amounts until the listings generation moves (a fee or ZIP import, a
    locality renamed): two queries for ZIP codes it has not seen since, none otherwise.
    """
    zip_codes, codes = set(zip_codes), set(codes)
    national = _national(codes)
    local = _local_amounts(zip_codes)
    return {
        zip_code: national
        | {code: amount for code, amount in local[zip_code].items() if code in codes}
        for zip_code in zip_codes
    }


# Every US ZIP code fits (about 42,000); the bound only stops unchecked growth.
MAX_REMEMBERED_ZIP_CODES = 60_000

# ZIP code -> its locality's latest amount of each code ({} where none is imported).
_remembered: freshness.PerGeneration[dict[str, dict[str, MedicareAmount]]] = (
    freshness.PerGeneration(freshness.LISTINGS)
)


def _local_amounts(zip_codes: set[str]) -> dict[str, dict[str, MedicareAmount]]:
    remembered = _remembered.get(dict)
    missing = zip_codes - remembered.keys()
    if missing:
        if len(remembered) + len(missing) > MAX_REMEMBERED_ZIP_CODES:
            remembered.clear()
        remembered.update(_load_local_amounts(missing))
    return {zip_code: remembered[zip_code] for zip_code in zip_codes}


def _load_local_amounts(zip_codes: set[str]) -> dict[str, dict[str, MedicareAmount]]:
    """Two queries: the ZIP map, and the localities' fees (the latest year of each code)."""
    zip_rows = list(
        MedicareZip.objects.filter(zip_code__in=zip_codes).values_list(
            "zip_code", "locality_id", "split_by_plus4"
        )
    )
    zip_localities = {zip_code: locality for zip_code, locality, _split in zip_rows}
    split = {zip_code for zip_code, _locality, is_split in zip_rows if is_split}
    by_locality: dict[int, dict[str, MedicareAmount]] = {}
    fees = (
        MedicareFee.objects.filter(locality_id__in=set(zip_localities.values()))
        .select_related("locality")
        .order_by("locality_id", "code", "year")
    )
    for fee in fees:  # ordered by year: the latest wins
        by_locality.setdefault(fee.locality_id, {})[fee.code] = MedicareAmount(
            code=fee.code,
            amount=fee.non_facility_amount,
            therapy_reduction_amount=fee.therapy_reduction_amount,
            year=fee.year,
            source="locality",
            locality=fee.locality.label,
        )
    amounts = {}
    for zip_code in zip_codes:
        local = by_locality.get(zip_localities.get(zip_code, -1), {})
        if zip_code in split:
            local = {code: replace(amount, zip_split=True) for code, amount in local.items()}
        amounts[zip_code] = local
    return amounts


def medicare_amounts(*, zip_code: str | None, codes: Iterable[str]) -> dict[str, MedicareAmount]:
    """The codes' amounts at a ZIP code (national ones without a ZIP code or locality)."""
    if zip_code is None:
        return _national(set(codes))
    return medicare_amounts_by_zip(zip_codes=[zip_code], codes=codes)[zip_code]


@dataclass(frozen=True)
class MedicareReference:
    """Reference data every listing page reads: each code's latest national amount, and the
    professions Medicare covers it for."""

    national: dict[str, MedicareAmount]
    covered_for: dict[str, list[str]]


# Saving a procedure or a national amount moves the listings generation (providers/apps.py).
_reference: freshness.PerGeneration[MedicareReference] = freshness.PerGeneration(freshness.LISTINGS)


def medicare_reference() -> MedicareReference:
    """This process's copy, read again when the listings generation moves."""
    return _reference.get(_load_reference)


def _load_reference() -> MedicareReference:
    national: dict[str, MedicareAmount] = {}
    for row in MedicareNationalAmount.objects.order_by("code", "year"):
        national[row.code] = MedicareAmount(  # ordered by year: the latest wins
            code=row.code,
            amount=row.non_facility_amount,
            therapy_reduction_amount=None,  # the shipped national amounts carry no MPPR amount
            year=row.year,
            source="national",
            locality="",
        )
    covered_for = dict(Procedure.objects.values_list("code", "medicare_covered_for"))
    return MedicareReference(national=national, covered_for=covered_for)


def _national(codes: set[str]) -> dict[str, MedicareAmount]:
    national = medicare_reference().national
    return {code: national[code] for code in codes if code in national}


def amounts_notes(
    *, location: PracticeLocation | None, amounts: dict[str, MedicareAmount]
) -> list[str]:
    """What an estimate says of the amounts it used: whose, which year, and a split ZIP."""
    if not amounts:
        return []
    used = "; ".join(sorted({amount.description for amount in amounts.values()}))
    if all(amount.source == "national" for amount in amounts.values()):
        used = _("Medicare's %(amounts)s") % {"amounts": used}
        if location is not None:
            used += " " + _("(the Medicare locality of this address is not known)")
    if location is None:
        notes = [_("Medicare-approved amounts: %(used)s.") % {"used": used}]
    else:
        place = f"{location.city}, {location.state} {location.zip_code}"
        notes = [
            _("Medicare-approved amounts at %(place)s: %(used)s.") % {"place": place, "used": used}
        ]
    if location is not None and any(amount.zip_split for amount in amounts.values()):
        notes.append(
            _(
                "ZIP code %(zip)s is split between Medicare localities by ZIP+4; the locality of "
                "its 5-digit record was used."
            )
            % {"zip": location.zip_code}
        )
    return notes


def estimate_location(provider: Provider | None) -> PracticeLocation | None:
    """The location whose Medicare amounts an estimate uses: the provider's first listed."""
    if provider is None:
        return None
    return provider.locations.order_by("id").first()


def medicare_assignment(provider: Provider | None) -> Assignment:
    """The provider's Medicare assignment as recorded, "unknown" without a record."""
    if provider is None:
        return "unknown"
    recorded = (
        MedicareParticipation.objects.filter(provider=provider, location__isnull=True)
        .values_list("assignment", flat=True)
        .first()
    )
    if recorded in (MedicareAssignment.PARTICIPATING, MedicareAssignment.NON_PARTICIPATING):
        return recorded  # type: ignore[return-value]
    return "unknown"
