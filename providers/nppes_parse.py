"""Stream the NPPES `npidata_pfile` (CSV or the monthly zip) into provider records.

Reading is constant-memory: one csv.reader over a text wrapper, a header index map for the
~75 columns used out of 330. Each row becomes an `NppesRecord` or a `Skipped` with a reason.
Filters (REFERENCE.md section 7): individuals (entity type 1) with any taxonomy 111N*
(chiropractor) or 2251* (physical therapist; 2252* assistants are not kept), an active NPI with
a valid check digit, and a usable US practice location. The mailing address is never used.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import TextIO

from django.db import models

from providers.geo import normalize_zip, zip_centroid
from providers.models import License, PracticeLocation, Profession, Provider
from providers.states import US_STATES
from providers.taxonomy import specialty_codes
from providers.validators import is_valid_npi

ORGANIZATION = "organization"
OTHER_TAXONOMY = "other_taxonomy"
DEACTIVATED = "deactivated"
INVALID_NPI = "invalid_npi"
NO_PRACTICE_LOCATION = "no_practice_location"
STATE_FILTER = "state_filter"
ERROR = "error"

# Taxonomy code prefixes (NUCC): 111N = chiropractor, 2251 = physical therapist.
PROFESSION_PREFIXES: dict[str, str] = {
    "111N": Profession.CHIROPRACTOR,
    "2251": Profession.PHYSICAL_THERAPIST,
}
_PRACTICE = "Business Practice Location Address"


def _max_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


# Checked before any write: SQLite would store an over-long value silently, PostgreSQL refuses it.
MAX_LENGTHS: dict[str, int] = {
    "first_name": _max_length(Provider, "first_name"),
    "middle_name": _max_length(Provider, "middle_name"),
    "last_name": _max_length(Provider, "last_name"),
    "credential": _max_length(Provider, "credential"),
    "address_line1": _max_length(PracticeLocation, "address_line1"),
    "address_line2": _max_length(PracticeLocation, "address_line2"),
    "city": _max_length(PracticeLocation, "city"),
    "phone": _max_length(PracticeLocation, "phone"),
    "license_number": _max_length(License, "number"),
}


@dataclass(frozen=True, slots=True)
class LocationData:
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str
    phone: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class NppesRecord:
    npi: str
    first_name: str
    middle_name: str
    last_name: str
    credential: str
    profession: str
    location: LocationData
    licenses: frozenset[tuple[str, str]]  # (state, number)
    specialty_codes: list[str]  # NUCC subspecialty codes of the profession, in file order


@dataclass(frozen=True, slots=True)
class Skipped:
    reason: str
    detail: str = ""


class RowError(ValueError):
    """A relevant row whose data cannot be stored; reported with its line number."""


_SKIPS = {
    reason: Skipped(reason)
    for reason in (
        ORGANIZATION,
        OTHER_TAXONOMY,
        DEACTIVATED,
        INVALID_NPI,
        NO_PRACTICE_LOCATION,
        STATE_FILTER,
    )
}


@dataclass(frozen=True, slots=True)
class Columns:
    """Positions of the columns the importer reads, resolved once from the header."""

    width: int
    npi: int
    entity_type: int
    last_name: int
    first_name: int
    middle_name: int
    credential: int
    line1: int
    line2: int
    city: int
    state: int
    postal_code: int
    country: int
    phone: int
    deactivation_date: int
    reactivation_date: int
    # (taxonomy code, primary switch, license number, license state) for slots 1..15
    taxonomy_slots: tuple[tuple[int, int, int, int], ...]
    taxonomy_codes: Callable[[Sequence[str]], tuple[str, ...]]  # the 15 codes, in C

    @classmethod
    def from_header(cls, header: Sequence[str]) -> "Columns":
        index = {name.strip(): i for i, name in enumerate(header)}
        names = {
            "npi": "NPI",
            "entity_type": "Entity Type Code",
            "last_name": "Provider Last Name (Legal Name)",
            "first_name": "Provider First Name",
            "middle_name": "Provider Middle Name",
            "credential": "Provider Credential Text",
            "line1": f"Provider First Line {_PRACTICE}",
            "line2": f"Provider Second Line {_PRACTICE}",
            "city": f"Provider {_PRACTICE} City Name",
            "state": f"Provider {_PRACTICE} State Name",
            "postal_code": f"Provider {_PRACTICE} Postal Code",
            "country": f"Provider {_PRACTICE} Country Code (If outside U.S.)",
            "phone": f"Provider {_PRACTICE} Telephone Number",
            "deactivation_date": "NPI Deactivation Date",
            "reactivation_date": "NPI Reactivation Date",
        }
        slot_names = [
            (
                f"Healthcare Provider Taxonomy Code_{n}",
                f"Healthcare Provider Primary Taxonomy Switch_{n}",
                f"Provider License Number_{n}",
                f"Provider License Number State Code_{n}",
            )
            for n in range(1, 16)
        ]
        wanted = [*names.values(), *(name for slot in slot_names for name in slot)]
        missing = [name for name in wanted if name not in index]
        if missing:
            raise ValueError(f"Not an NPPES npidata file; missing columns: {missing[:5]}")
        return cls(
            width=len(header),
            **{field: index[name] for field, name in names.items()},
            taxonomy_slots=tuple(
                (index[a], index[b], index[c], index[d]) for a, b, c, d in slot_names
            ),
            taxonomy_codes=itemgetter(*(index[slot[0]] for slot in slot_names)),
        )


@contextmanager
def open_nppes(path: str | Path) -> Iterator[TextIO]:
    """Open the data CSV as text: the file itself, or the `npidata_pfile_*.csv` of a zip."""
    # utf-8-sig drops a BOM; "replace" keeps one stray byte from ending a 9 GB read.
    encoding, errors, newline = "utf-8-sig", "replace", ""
    if not zipfile.is_zipfile(path):
        with open(path, encoding=encoding, errors=errors, newline=newline) as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        member = data_member(archive)
        with (
            archive.open(member) as raw,
            io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline=newline) as handle,
        ):
            yield handle


def data_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The main data file of a monthly zip: npidata_pfile_*.csv, not its *fileheader* twin."""
    candidates = [
        info
        for info in archive.infolist()
        if (base := info.filename.rsplit("/", 1)[-1].lower()).startswith("npidata_pfile")
        and base.endswith(".csv")
        and "fileheader" not in base
    ]
    if not candidates:
        raise ValueError("The zip holds no npidata_pfile_*.csv data file.")
    return max(candidates, key=lambda info: info.file_size)


def read_records(
    path: str | Path, *, states: Collection[str] | None = None, limit: int | None = None
) -> Iterator[tuple[int, NppesRecord | Skipped]]:
    """Yield (CSV line number, record or skip) for each data row, at most `limit` rows."""
    with open_nppes(path) as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ValueError(f"Not an NPPES npidata file; unreadable header: {exc}") from exc
        if header is None:
            raise ValueError("The NPPES file is empty.")
        columns = Columns.from_header(header)
        rows = 0
        while limit is None or rows < limit:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rows += 1
                yield reader.line_num, Skipped(ERROR, f"unreadable CSV: {exc}")
                continue
            if not fields:  # a blank line is not a row
                continue
            rows += 1
            try:
                yield reader.line_num, parse_row(fields, columns, states)
            except Exception as exc:  # one bad row must not end the import
                yield reader.line_num, Skipped(ERROR, str(exc) or type(exc).__name__)


def parse_row(
    fields: Sequence[str], columns: Columns, states: Collection[str] | None = None
) -> NppesRecord | Skipped:
    """Filter one row (cheapest tests first) and clean what is kept; RowError if unstorable."""
    if len(fields) != columns.width:
        raise RowError(f"{len(fields)} fields where the header has {columns.width}")
    deactivated_on = fields[columns.deactivation_date]
    if deactivated_on and is_deactivated(deactivated_on, fields[columns.reactivation_date]):
        return _SKIPS[DEACTIVATED]
    if fields[columns.entity_type] != "1":
        return _SKIPS[ORGANIZATION]
    profession, licenses = pick_profession(fields, columns)
    if profession is None:
        return _SKIPS[OTHER_TAXONOMY]
    npi = fields[columns.npi].strip()
    if not is_valid_npi(npi):
        return _SKIPS[INVALID_NPI]
    state = fields[columns.state].strip().upper()
    if state not in US_STATES:
        return _SKIPS[NO_PRACTICE_LOCATION]
    if states is not None and state not in states:
        return _SKIPS[STATE_FILTER]
    location = practice_location(fields, columns, state)
    if location is None:
        return _SKIPS[NO_PRACTICE_LOCATION]
    names = {
        "last_name": proper_case(fields[columns.last_name]),
        "first_name": proper_case(fields[columns.first_name]),
        "middle_name": proper_case(fields[columns.middle_name]),
        "credential": tidy_credential(fields[columns.credential]),
    }
    if not names["last_name"] or not names["first_name"]:
        raise RowError("missing first or last name")
    for field, value in names.items():
        _check_length(field, value)
    return NppesRecord(
        npi=npi,
        profession=profession,
        location=location,
        licenses=licenses,
        specialty_codes=specialty_codes(columns.taxonomy_codes(fields), profession),
        **names,
    )


def _check_length(field: str, value: str) -> None:
    if len(value) > MAX_LENGTHS[field]:
        label = field.replace("_", " ")
        raise RowError(f"{label} is {len(value)} characters; the limit is {MAX_LENGTHS[field]}")


def pick_profession(
    fields: Sequence[str], columns: Columns
) -> tuple[str | None, frozenset[tuple[str, str]]]:
    """The profession of the row's 111N/2251 taxonomies and the licenses listed with them.

    With both professions present, the one whose primary switch is Y wins, else the first.
    """
    codes = columns.taxonomy_codes(fields)
    # Most of the ~9M rows are other professions: one substring test rejects them quickly.
    joined = "|" + "|".join(codes)
    if "|111N" not in joined and "|2251" not in joined:
        return None, frozenset()
    matches: list[tuple[str, int]] = []  # (profession, slot)
    for slot, code in enumerate(codes):
        profession = PROFESSION_PREFIXES.get(code[:4])
        if profession is not None:
            matches.append((profession, slot))
    if not matches:
        return None, frozenset()
    chosen = matches[0][0]
    for profession, slot in matches:
        if fields[columns.taxonomy_slots[slot][1]].strip().upper() == "Y":
            chosen = profession
            break
    licenses: set[tuple[str, str]] = set()
    for profession, slot in matches:
        _code, _switch, number_at, state_at = columns.taxonomy_slots[slot]
        number = clean(fields[number_at])
        license_state = fields[state_at].strip().upper()
        if profession == chosen and number and license_state in US_STATES:
            _check_length("license_number", number)
            licenses.add((license_state, number))
    return chosen, frozenset(licenses)


def practice_location(fields: Sequence[str], columns: Columns, state: str) -> LocationData | None:
    """The practice location (never the mailing address), or None when it is unusable."""
    line1 = address_case(fields[columns.line1])
    city = proper_case(fields[columns.city])
    zip_code = normalize_zip(fields[columns.postal_code])
    country = fields[columns.country].strip().upper()
    if not line1 or not city or zip_code is None or country not in ("", "US"):
        return None
    line2 = address_case(fields[columns.line2])
    for field, value in (("address_line1", line1), ("address_line2", line2), ("city", city)):
        _check_length(field, value)
    latitude, longitude = zip_centroid(zip_code) or (None, None)
    return LocationData(
        address_line1=line1,
        address_line2=line2,
        city=city,
        state=state,
        zip_code=zip_code,
        phone=format_phone(fields[columns.phone]),
        latitude=latitude,
        longitude=longitude,
    )


def _parse_date(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None


def is_deactivated(deactivated_on: str, reactivated_on: str) -> bool:
    """Deactivated unless reactivated on or after the deactivation date (MM/DD/YYYY)."""
    if not deactivated_on.strip():
        return False
    ended, restarted = _parse_date(deactivated_on), _parse_date(reactivated_on)
    if restarted is None:
        return True
    return ended is not None and restarted < ended


_WORD = re.compile(r"[^\W_]+")
_MC = re.compile(r"\bMc([a-z])(?=[a-z])")
_POSSESSIVE = re.compile(r"'S\b")
_ORDINAL = re.compile(r"\d+(ST|ND|RD|TH)")
# Kept upper in addresses: directions, post office boxes, route designators.
_ADDRESS_UPPER = frozenset({"NE", "NW", "SE", "SW", "PO", "US", "FM", "RR", "HC", "APO", "FPO"})


def clean(text: str) -> str:
    """Trim, collapse inner whitespace, drop NUL bytes (PostgreSQL rejects them)."""
    return " ".join(text.replace("\x00", " ").split())


def proper_case(text: str) -> str:
    """'MARY O'NEIL-SMITH' -> 'Mary O'Neil-Smith'; 'MCDONALD' -> 'McDonald'.

    Only all-upper or all-lower text is recased: mixed case is kept as the provider typed it
    ('DeVries'). Mc is followed by a capital (McDonald, McAllen); Mac is left alone because
    'Machado' and 'Mackey' are not Mac-names.
    """
    text = clean(text)
    if not (text.isupper() or text.islower()):
        return text
    text = _WORD.sub(lambda m: m.group().capitalize(), text)
    text = _MC.sub(lambda m: "Mc" + m.group(1).upper(), text)
    return _POSSESSIVE.sub("'s", text)


def _address_word(match: re.Match[str]) -> str:
    word = match.group()
    if word in _ADDRESS_UPPER or (word[0].isdigit() and not _ORDINAL.fullmatch(word)):
        return word  # "NW", "PO", "12B" stay; "1ST" becomes "1st"
    return word.capitalize()


def address_case(text: str) -> str:
    """'100 NW 23RD AVE STE 5' -> '100 NW 23rd Ave Ste 5'; mixed case kept as given."""
    text = clean(text)
    if not (text.isupper() or text.islower()):
        return text
    return _POSSESSIVE.sub("'s", _WORD.sub(_address_word, text.upper()))


def tidy_credential(text: str) -> str:
    """'D.C.' -> 'DC'; 'pt; d.p.t.' -> 'PT, DPT'. Dots go, separators become ', '."""
    text = clean(text).replace(".", "")
    if text.islower():
        text = text.upper()
    parts = [part.strip() for part in re.split(r"[,;]", text)]
    return ", ".join(part for part in parts if part)


def format_phone(text: str) -> str:
    """Ten digits (or 1 + ten) -> '512-555-0100'; other text kept if it fits, else dropped."""
    text = clean(text)
    digits = "".join(char for char in text if char in "0123456789")
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    # A cut-off number would ring someone else: drop rather than truncate.
    return text if len(text) <= MAX_LENGTHS["phone"] else ""
