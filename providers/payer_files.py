"""Reading payers' Transparency-in-Coverage in-network files as a stream (schema 1.x and 2.x).

Files run from megabytes to hundreds of gigabytes (docs: DATA_SOURCES.md section 4), so nothing
is loaded whole: ijson's C parser builds one `provider_references` item or one `in_network`
item at a time, and only the NPIs of listed providers and the codes the site carries are kept.
A file is read in two passes, provider references first, because they may come before or after
the rates that point at them. Parsing two passes in C is faster than one in Python, and each
pass parses only its own array where `find_arrays` can find both (providers/payer_json.py), so
the two passes together tokenize the file about once. Numbers are parsed as floats, not
Decimals (a fifth of the parse): a rate becomes a Decimal from its shortest repr, which is the
file's own text for any amount in cents.

This module reads and filters; `providers.payer_rates` decides plans and writes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import ijson

from providers.payer_json import (
    IN_NETWORK,
    PROVIDER_REFERENCES,
    ArrayLayout,
    CountingReader,
    PayerFileError,
    ProgressCallback,
    open_json,
    open_section,
    parsing_errors,
)

# Skip reasons, counted in the import summary.
REVENUE_CODE = "revenue_code"
OTHER_CODE_TYPE = "other_code_type"
CODE_NOT_CARRIED = "code_not_carried"
NO_LISTED_PROVIDER = "no_listed_provider"
NOT_A_PATIENT_PRICE = "not_a_patient_price"  # derived, per diem
NOT_PROFESSIONAL = "not_professional"
NOT_OFFICE = "not_office"
OUT_OF_RANGE = "rate_out_of_range"
EXPIRED = "expired"
INVALID_PRICE = "invalid_price"
DUPLICATE = "duplicate"

PATIENT_PRICE_TYPES = ("negotiated", "fee schedule", "percentage")
PROFESSIONAL_CLASSES = ("professional", "both")
OFFICE = "11"
ALL_PLACES = "CSTM-00"
ALL_CODES = "CSTM-00"
CODE_TYPES = ("CPT", "HCPCS", "CSTM-ALL")  # the site's codes are CPT codes
# A plausible charge for a chiropractic or therapy code; outside it, a file's junk.
MIN_RATE = Decimal("1")
MAX_RATE = Decimal("1000")
NO_EXPIRY = date(9999, 12, 31)
GROUP_ID_TOLERANCE = Decimal("0.000001")  # 40.0000000001 is group 40
MAX_KEPT_LOCATIONS = 20


@dataclass(frozen=True)
class FileHeader:
    """The root fields of an in-network file. Single-plan files name their plan."""

    reporting_entity_name: str
    last_updated_on: date
    version: str
    plan_name: str = ""
    issuer_name: str = ""
    plan_market_type: str = ""
    # A value before the first big array nests a key named like one: a byte search could take
    # it for the real one, so such a file is parsed whole (see ArrayLayout).
    nests_array_keys: bool = False

    @property
    def major_version(self) -> int:
        match = re.match(r"\s*v?(\d+)", self.version)
        return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class Group:
    """A provider group with at least one listed NPI: those NPIs and its network names."""

    npis: frozenset[str]
    networks: tuple[str, ...]


@dataclass(frozen=True)
class PriceTerms:
    """One negotiated price as stored; `rate` is dollars, or percent for `percentage`."""

    code: str
    negotiated_type: str
    rate: Decimal
    billing_class: str
    places_of_service: str  # "11,22" or "CSTM-00"
    modifiers: str
    expires: date | None


@dataclass
class ReadCounts:
    """What reading one file saw and dropped."""

    bytes_read: int = 0
    provider_groups: int = 0
    npis_read: int = 0
    npis_kept: int = 0
    npi_zero: int = 0
    code_items: int = 0
    prices_read: int = 0
    external_references: int = 0
    networks: set[str] = field(default_factory=set)  # every network the file names
    external_locations: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def add(self, other: ReadCounts) -> None:
        """Adds another read's counts to these (bytes read: the further of the two)."""
        self.bytes_read = max(self.bytes_read, other.bytes_read)
        for name in (item.name for item in fields(self) if item.type == "int"):
            if name != "bytes_read":
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.networks |= other.networks
        room = MAX_KEPT_LOCATIONS - len(self.external_locations)
        self.external_locations.extend(other.external_locations[: max(room, 0)])
        self.skipped.update(other.skipped)


@dataclass(frozen=True)
class RateFound:
    """A price kept for a listed NPI, with the networks that group is listed under."""

    npi: str
    networks: tuple[str, ...]
    terms: PriceTerms


def read_header(path: Path) -> FileHeader:
    """The root fields, read from the top-level keys before the first big array when they come
    first (the usual case); otherwise found further on, each in its own pass."""
    values: dict[str, Any] = {}
    wanted = (
        "reporting_entity_name",
        "last_updated_on",
        "version",
        "plan_name",
        "issuer_name",
        "plan_market_type",
    )
    arrays_seen = nests_array_keys = False
    with open_json(path) as reader, parsing_errors(path, reader):
        for prefix, event, value in ijson.parse(reader, use_float=False):
            if prefix in wanted and event in ("string", "number"):
                values[prefix] = value
            elif event == "map_key" and prefix and value in (IN_NETWORK, PROVIDER_REFERENCES):
                nests_array_keys = True
            elif event == "start_array" and prefix in ("in_network", "provider_references"):
                arrays_seen = True
                break
    if not arrays_seen:
        raise PayerFileError(f"{path.name}: not an in-network rates file: no `in_network` array.")
    for key in ("reporting_entity_name", "last_updated_on", "version"):
        if key not in values:
            with open_json(path) as reader, parsing_errors(path, reader):
                found = next(ijson.items(reader, key, use_float=False), None)
            if found is not None:
                values[key] = found
    for key in ("reporting_entity_name", "last_updated_on", "version"):
        if not str(values.get(key, "")).strip():
            raise PayerFileError(
                f"{path.name}: not an in-network rates file: no `{key}` at the top level."
            )
    try:
        updated = date.fromisoformat(str(values["last_updated_on"]).strip()[:10])
    except ValueError as exc:
        raise PayerFileError(
            f"{path.name}: `last_updated_on` is not a YYYY-MM-DD date: "
            f"{values['last_updated_on']!r}."
        ) from exc
    return FileHeader(
        reporting_entity_name=str(values["reporting_entity_name"]).strip(),
        last_updated_on=updated,
        version=str(values["version"]).strip(),
        plan_name=str(values.get("plan_name", "")).strip(),
        issuer_name=str(values.get("issuer_name", "")).strip(),
        plan_market_type=str(values.get("plan_market_type", "")).strip(),
        nests_array_keys=nests_array_keys,
    )


def group_id(value: Any) -> int | None:
    """A provider group id as an int: 40, 40.0 and 40.0000000001 are group 40."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    nearest = number.to_integral_value()
    return int(nearest) if abs(number - nearest) <= GROUP_ID_TOLERANCE else None


class ListedNpis:
    """The listed providers' NPIs, as strings and as numbers, so a group's NPI list is matched
    by set intersections in C rather than a Python loop per NPI (groups hold thousands)."""

    def __init__(self, npis: Iterable[str]) -> None:
        self.strings = frozenset(npis)
        self.numbers = frozenset(int(npi) for npi in self.strings if npi.isdigit())

    def __contains__(self, npi: object) -> bool:
        return npi in self.strings

    def __len__(self) -> int:
        return len(self.strings)

    def __iter__(self) -> Iterator[str]:
        return iter(self.strings)

    def matches(self, npis: list) -> set[str]:
        # int(): an NPI written as 1234567893.0 equals the int, and is named as the int.
        found = {str(int(npi)) for npi in self.numbers.intersection(npis)}
        found.update(self.strings.intersection(npis))
        return found


def _kept_npis(groups: Any, listed: ListedNpis, counts: ReadCounts) -> set[str]:
    """The listed NPIs among `provider_groups`. NPIs come as numbers or strings; 0 marks a
    TIN-only contract. An NPI failing its check digit is never a listed provider's."""
    kept: set[str] = set()
    if not isinstance(groups, list):
        return kept
    for group in groups:
        npis = group.get("npi") if isinstance(group, dict) else None
        if not isinstance(npis, list):
            continue
        counts.provider_groups += 1
        counts.npis_read += len(npis)
        counts.npi_zero += npis.count(0) + npis.count("0")
        kept |= listed.matches(npis)
    counts.npis_kept += len(kept)
    return kept


def read_groups(
    path: Path, *, listed: ListedNpis, counts: ReadCounts, layout: ArrayLayout | None = None
) -> dict[int, Group]:
    """Pass one: the provider references that hold listed NPIs, by group id. References to
    another file (`location`, 1.x) cannot be read offline: counted and reported.

    With a `layout`, only the references' section is parsed; if that section is not valid JSON
    on its own, the layout is forgotten and the whole file parsed, so a malformed file's error
    names its position in the whole text."""
    section = layout.section(PROVIDER_REFERENCES) if layout else None
    if layout is not None and section is not None:
        trial = ReadCounts()
        try:
            with open_section(path, section) as reader:
                groups = _read_groups(path, reader, listed, trial)
        except PayerFileError:
            layout.forget()
        else:
            layout.checked = True
            counts.add(trial)
            return groups
    with open_json(path) as reader:
        return _read_groups(path, reader, listed, counts)


def _read_groups(
    path: Path, reader: CountingReader, listed: ListedNpis, counts: ReadCounts
) -> dict[int, Group]:
    groups: dict[int, Group] = {}
    with parsing_errors(path, reader):
        for reference in ijson.items(reader, "provider_references.item", use_float=True):
            if not isinstance(reference, dict):
                continue
            if "provider_groups" not in reference and reference.get("location"):
                counts.external_references += 1
                if len(counts.external_locations) < MAX_KEPT_LOCATIONS:
                    counts.external_locations.append(str(reference["location"])[:300])
                continue
            key = group_id(reference.get("provider_group_id"))
            npis = _kept_npis(reference.get("provider_groups"), listed, counts)
            networks = reference.get("network_name")
            names = tuple(
                sorted({n.strip() for n in networks or [] if isinstance(n, str) and n.strip()})
            )
            counts.networks.update(names)
            if key is None or not npis:
                continue
            previous = groups.get(key)
            if previous is not None:  # a group id listed twice: both halves count
                npis |= previous.npis
                names = tuple(sorted({*names, *previous.networks}))
            groups[key] = Group(frozenset(npis), names)
        counts.bytes_read = max(counts.bytes_read, reader.count)
    return groups


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def price_terms(price: Any, *, code: str, today: date) -> tuple[PriceTerms | None, str | None]:
    """A negotiated price as stored, or None and the reason it is skipped."""
    if not isinstance(price, dict):
        return None, INVALID_PRICE
    negotiated_type = str(price.get("negotiated_type", "")).strip().lower()
    if negotiated_type not in PATIENT_PRICE_TYPES:
        return None, NOT_A_PATIENT_PRICE
    billing_class = str(price.get("billing_class", "")).strip().lower()
    if billing_class not in PROFESSIONAL_CLASSES:
        return None, NOT_PROFESSIONAL
    places = price.get("service_code")
    places = [str(p).strip().upper() for p in places] if isinstance(places, list) else []
    if ALL_PLACES in places:
        places = [ALL_PLACES]
    elif OFFICE not in places:
        return None, NOT_OFFICE
    raw_rate = price.get("negotiated_rate")
    try:
        rate = Decimal(str(raw_rate)) if not isinstance(raw_rate, bool) else None
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        return None, INVALID_PRICE
    low, high = (
        (Decimal("0"), Decimal("100"))
        if negotiated_type == "percentage"
        else (
            MIN_RATE,
            MAX_RATE,
        )
    )
    if not (low < rate <= high if negotiated_type == "percentage" else low <= rate <= high):
        return None, OUT_OF_RANGE
    expires = _date(price.get("expiration_date"))
    if expires is None:
        return None, INVALID_PRICE
    if expires < today:
        return None, EXPIRED
    modifiers = price.get("billing_code_modifier")
    modifiers = (
        sorted({str(m).strip().upper() for m in modifiers}) if isinstance(modifiers, list) else []
    )
    return (
        PriceTerms(
            code=code,
            negotiated_type=negotiated_type,
            rate=rate.quantize(Decimal("0.01")),
            billing_class=billing_class,
            places_of_service=",".join(sorted(set(places))),
            modifiers=",".join(m for m in modifiers if m),
            expires=None if expires == NO_EXPIRY else expires,
        ),
        None,
    )


def _codes_of(item: dict, carried: Collection[str], counts: ReadCounts) -> list[str]:
    code_type = str(item.get("billing_code_type", "")).strip().upper()
    code = str(item.get("billing_code", "")).strip().upper()
    if code_type == "RC":
        counts.skipped[REVENUE_CODE] += 1
        return []
    if code_type not in CODE_TYPES:
        counts.skipped[OTHER_CODE_TYPE] += 1
        return []
    if code == ALL_CODES:  # every code of the type: each code the site carries
        return sorted(carried)
    if code not in carried:
        counts.skipped[CODE_NOT_CARRIED] += 1
        return []
    return [code]


def read_rates(
    path: Path,
    *,
    groups: dict[int, Group],
    listed: ListedNpis,
    carried: Collection[str],
    today: date,
    counts: ReadCounts,
    progress: ProgressCallback | None = None,
    layout: ArrayLayout | None = None,
) -> Iterator[RateFound]:
    """Pass two: each kept price for each listed NPI it applies to, by reference to `groups`
    or by provider groups inline in the rate (1.x). With a `layout` that pass one parsed by,
    only the rates' section is parsed."""
    section = layout.section(IN_NETWORK) if layout and layout.checked else None
    opened = (
        open_json(path, progress=progress)
        if section is None
        else open_section(path, section, progress=progress)
    )
    with opened as reader, parsing_errors(path, reader):
        for item in ijson.items(reader, "in_network.item", use_float=True):
            if not isinstance(item, dict):
                continue
            counts.code_items += 1
            codes = _codes_of(item, carried, counts)
            rates = item.get("negotiated_rates")
            if not codes or not isinstance(rates, list):
                continue
            for rate in rates:
                if not isinstance(rate, dict):
                    continue
                prices = rate.get("negotiated_prices")
                prices = prices if isinstance(prices, list) else []
                counts.prices_read += len(prices)
                members = _members(rate, groups, listed, counts)
                if not members:
                    counts.skipped[NO_LISTED_PROVIDER] += len(prices)
                    continue
                for price in prices:
                    for code in codes:
                        terms, reason = price_terms(price, code=code, today=today)
                        if terms is None:
                            counts.skipped[reason or INVALID_PRICE] += 1
                            continue
                        for npi, networks in members:
                            yield RateFound(npi, networks, terms)
        counts.bytes_read = max(counts.bytes_read, reader.count)


def _members(
    rate: dict, groups: dict[int, Group], listed: ListedNpis, counts: ReadCounts
) -> list[tuple[str, tuple[str, ...]]]:
    """The listed NPIs a negotiated rate applies to, each with its networks."""
    found: dict[str, set[str]] = {}
    references = rate.get("provider_references")
    for reference in references if isinstance(references, list) else []:
        group = groups.get(group_id(reference))  # type: ignore[arg-type]
        if group is not None:
            for npi in group.npis:
                found.setdefault(npi, set()).update(group.networks)
    for npi in _kept_npis(rate.get("provider_groups"), listed, counts):
        found.setdefault(npi, set())
    return [(npi, tuple(sorted(networks))) for npi, networks in sorted(found.items())]


def read_toc(path: Path) -> dict[str, list[dict[str, str]]]:
    """A table of contents: for each in-network file's base name (from its `location` URL),
    the plans (`plan_name`, `issuer_name`, `plan_market_type`) it serves."""
    served: dict[str, list[dict[str, str]]] = {}
    with open_json(path) as reader, parsing_errors(path, reader):
        for structure in ijson.items(reader, "reporting_structure.item", use_float=False):
            if not isinstance(structure, dict):
                continue
            plans = [
                {
                    "plan_name": str(plan.get("plan_name", "")).strip(),
                    "issuer_name": str(plan.get("issuer_name", "")).strip(),
                    "plan_market_type": str(plan.get("plan_market_type", "")).strip(),
                }
                for plan in structure.get("reporting_plans") or []
                if isinstance(plan, dict) and str(plan.get("plan_name", "")).strip()
            ]
            for entry in structure.get("in_network_files") or []:
                location = str(entry.get("location", "")) if isinstance(entry, dict) else ""
                name = location.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
                if name and plans:
                    known = served.setdefault(name, [])
                    known.extend(plan for plan in plans if plan not in known)
    if not served:
        raise PayerFileError(
            f"{path.name}: not a table of contents: no `reporting_structure` with plans and "
            "in-network files."
        )
    return served
