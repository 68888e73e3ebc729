"""Import the Medicare Physician Fee Schedule by locality (`import_fee_files`).

Two CMS files, both read as streams and checked whole before anything is written:

- `PFALL{YY}{Q}.TXT` (or the `.ZIP` holding it): one quoted, comma-separated record per
  carrier x locality x HCPCS code x modifier, 16 fields: year, carrier, locality, code,
  modifier, non-facility amount, facility amount, filler, PC/TC indicator, status code,
  multiple surgery indicator, therapy reduction amount (non-institutional), therapy reduction
  amount (institutional), OPPS indicator, OPPS non-facility and facility amounts. Amounts are
  `9(7).99` ("0000026.72"). The last record is a trailer whose first field starts with `TRL`.
- `ZIP5_*.txt` (or its `.zip`): fixed width, one record per ZIP; columns 1-2 state, 3-7 ZIP,
  8-12 carrier, 13-14 locality, 15 rural indicator (blank, `R`, `B`), 21 plus-four flag
  (`1`: the ZIP is split by +4 ranges), 76-80 year and quarter.

Only the codes in the procedures table are kept, with the global modifier (blank) and a status
the schedule pays from (A, R, T). A run replaces that year's amounts and the whole ZIP map in one
transaction, so a re-run or a revision file (each revision is a whole file) leaves exactly its
own rows. A file that does not match its layout is refused with its line and field, and nothing
is written.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction

from providers import freshness
from providers.import_runs import recorded_import
from providers.models import MedicareFee, MedicareLocality, MedicareZip, Procedure

PAID_STATUSES = frozenset("ART")  # the status codes paid from the fee schedule
PFALL_FIELDS = 16
ZIP5_WIDTH = 80
PROGRESS_EVERY_ROWS = 50_000

_AMOUNT = re.compile(r"\d{1,7}\.\d{2}")
_ZIP5_RECORD = re.compile(
    r"(?P<state>[A-Z]{2})(?P<zip>\d{5})(?P<carrier>\d{5})(?P<locality>\d{2})(?P<rural>[ RB])"
)
# (0-based index, name) of the PFALL fields the import reads.
_PFALL_NAMES = {
    0: "year",
    1: "carrier number",
    2: "locality",
    3: "HCPCS code",
    4: "modifier",
    5: "non-facility fee schedule amount",
    6: "facility fee schedule amount",
    9: "status code",
    11: "therapy reduction amount (non-institutional)",
}


class FeeFileError(ValueError):
    """A file that does not match its published layout; the message names the line and field."""


@dataclass(frozen=True)
class FeeRow:
    carrier: str
    locality: str
    code: str
    non_facility_amount: Decimal
    facility_amount: Decimal
    therapy_reduction_amount: Decimal | None
    status: str


@dataclass(frozen=True)
class ZipRow:
    zip_code: str
    state: str
    carrier: str
    locality: str
    rural: str
    split_by_plus4: bool
    effective: str


@dataclass
class FeeImportSummary:
    """What an import read and stored. fee_rows_read = fees + sum(fees_skipped)."""

    year: int | None = None
    fee_rows_read: int = 0
    fees: int = 0
    fees_replaced: int = 0
    fees_skipped: Counter[str] = field(default_factory=Counter)
    zip_rows_read: int = 0
    zips: int = 0
    split_zips: int = 0
    localities: int = 0
    localities_created: int = 0
    codes_missing: list[str] = field(default_factory=list)  # carried codes with no paid amount
    elapsed: float = 0.0  # seconds

    @property
    def rows_read(self) -> int:
        return self.fee_rows_read + self.zip_rows_read

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.elapsed if self.elapsed else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "fee_rows_read": self.fee_rows_read,
            "fees": self.fees,
            "fees_replaced": self.fees_replaced,
            "fees_skipped": dict(sorted(self.fees_skipped.items())),
            "zip_rows_read": self.zip_rows_read,
            "zips": self.zips,
            "split_zips": self.split_zips,
            "localities": self.localities,
            "localities_created": self.localities_created,
            "codes_missing": self.codes_missing,
            "elapsed_seconds": round(self.elapsed, 3),
            "rows_per_second": round(self.rows_per_second, 1),
        }


ProgressCallback = Callable[[FeeImportSummary], None]


@contextmanager
def open_member(path: str | Path, *, prefix: str, suffix: str) -> Iterator[TextIO]:
    """Open a text file, or the largest `{prefix}*{suffix}` member of a zip (case ignored)."""
    options: dict[str, Any] = {
        "encoding": "latin-1",
        "newline": "",
    }  # CMS ASCII; latin-1 never fails to decode
    if not zipfile.is_zipfile(path):
        with open(path, **options) as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        members = [
            info
            for info in archive.infolist()
            if (base := info.filename.rsplit("/", 1)[-1].lower()).startswith(prefix.lower())
            and base.endswith(suffix.lower())
        ]
        if not members:
            raise FeeFileError(f"{Path(path).name} holds no {prefix}*{suffix} file.")
        member = max(members, key=lambda info: info.file_size)
        with archive.open(member) as raw, io.TextIOWrapper(raw, **options) as handle:
            yield handle


def _amount(fields: list[str], index: int, where: str, *, blank_ok: bool = False) -> Decimal | None:
    text = fields[index].strip()
    if not text and blank_ok:
        return None
    if not _AMOUNT.fullmatch(text):
        raise FeeFileError(
            f"{where}, field {index + 1} ({_PFALL_NAMES[index]}): {text!r} is not an amount "
            "like 0000026.72."
        )
    return Decimal(text)


def read_fee_rows(
    handle: TextIO,
    *,
    name: str,
    codes: frozenset[str],
    summary: FeeImportSummary,
    tick: Callable[[], None] = lambda: None,
) -> Iterator[FeeRow]:
    """Yield the kept rows of a PFALL file, counting the others; raise FeeFileError on layout."""
    reader = csv.reader(handle)
    for fields in reader:
        if not fields:
            continue
        where = f"{name} line {reader.line_num}"
        if fields[0].startswith("TRL"):
            return
        if len(fields) != PFALL_FIELDS:
            raise FeeFileError(f"{where}: expected {PFALL_FIELDS} fields, found {len(fields)}.")
        summary.fee_rows_read += 1
        tick()
        year_text, carrier, locality, code, modifier = (text.strip() for text in fields[:5])
        if not re.fullmatch(r"\d{4}", year_text):
            raise FeeFileError(f"{where}, field 1 (year): {year_text!r} is not a year.")
        if summary.year is None:
            summary.year = int(year_text)
        elif int(year_text) != summary.year:
            raise FeeFileError(
                f"{where}, field 1 (year): {year_text} differs from the file's {summary.year}."
            )
        if not re.fullmatch(r"\d{5}", carrier):
            raise FeeFileError(f"{where}, field 2 (carrier number): {carrier!r} is not 5 digits.")
        if not re.fullmatch(r"\d{2}", locality):
            raise FeeFileError(f"{where}, field 3 (locality): {locality!r} is not 2 digits.")
        if not re.fullmatch(r"[0-9A-Z]{5}", code):
            raise FeeFileError(f"{where}, field 4 (HCPCS code): {code!r} is not a HCPCS code.")
        non_facility = _amount(fields, 5, where)
        facility = _amount(fields, 6, where)
        reduction = _amount(fields, 11, where, blank_ok=True)
        status = fields[9].strip()
        if code not in codes:
            summary.fees_skipped["other_code"] += 1
        elif modifier:
            summary.fees_skipped["modifier"] += 1
        elif status not in PAID_STATUSES:
            summary.fees_skipped["not_paid_status"] += 1
        else:
            yield FeeRow(
                carrier=carrier,
                locality=locality,
                code=code,
                non_facility_amount=non_facility,  # type: ignore[arg-type]
                facility_amount=facility,  # type: ignore[arg-type]
                # Zero means no reduced amount: the code is not an "always therapy" service.
                therapy_reduction_amount=reduction or None,
                status=status,
            )
    raise FeeFileError(f"{name}: no trailer record (TRL); the file may be cut short.")


def read_zip_rows(
    handle: TextIO,
    *,
    name: str,
    summary: FeeImportSummary,
    tick: Callable[[], None] = lambda: None,
) -> Iterator[ZipRow]:
    """Yield the records of a ZIP5 file; raise FeeFileError naming the line and columns."""
    for number, raw in enumerate(handle, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        where = f"{name} line {number}"
        if len(line) < ZIP5_WIDTH:
            raise FeeFileError(f"{where}: expected {ZIP5_WIDTH} columns, found {len(line)}.")
        match = _ZIP5_RECORD.match(line)
        if match is None:
            raise FeeFileError(f"{where}, {_zip5_column_problem(line)}")
        plus_four = line[20]
        if plus_four not in " 01":
            raise FeeFileError(
                f"{where}, column 21 (plus-four flag): {plus_four!r} is not 1, 0 or blank."
            )
        effective = line[75:80]
        if not re.fullmatch(r"\d{4}[1-4]", effective):
            raise FeeFileError(
                f"{where}, columns 76-80 (year and quarter): {effective!r} is not YYYYQ."
            )
        summary.zip_rows_read += 1
        tick()
        yield ZipRow(
            zip_code=match["zip"],
            state=match["state"],
            carrier=match["carrier"],
            locality=match["locality"],
            rural=match["rural"].strip(),
            split_by_plus4=plus_four == "1",
            effective=effective,
        )


def _zip5_column_problem(line: str) -> str:
    for columns, label, pattern in (
        ((0, 2), "state", r"[A-Z]{2}"),
        ((2, 7), "ZIP code", r"\d{5}"),
        ((7, 12), "carrier", r"\d{5}"),
        ((12, 14), "pricing locality", r"\d{2}"),
        ((14, 15), "rural indicator", r"[ RB]"),
    ):
        text = line[columns[0] : columns[1]]
        if not re.fullmatch(pattern, text):
            return f"columns {columns[0] + 1}-{columns[1]} ({label}): {text!r} does not match."
    return "does not match the ZIP5 layout."  # pragma: no cover - the checks above cover it


def import_fee_files(
    pfall_path: str | Path, zip5_path: str | Path, *, progress: ProgressCallback | None = None
) -> FeeImportSummary:
    """Store the year's fee schedule amounts for the carried codes and the ZIP-to-locality map.

    Both files are read and checked first; then, in one transaction, the year's amounts and the
    ZIP map are replaced and localities added (curators' locality names are kept). Records an
    ImportRun. Raises FeeFileError (a ValueError) for a file that does not match its layout.
    """
    summary = FeeImportSummary()
    pfall, zip5 = Path(pfall_path), Path(zip5_path)
    run = recorded_import(
        source_name=f"{pfall.name} + {zip5.name}",
        summary=summary,
        options={"kind": "medicare_fees"},
    )
    with run as started:
        fees, zips = _read_files(pfall, zip5, summary, progress, started)
        with transaction.atomic():
            _write(fees, zips, summary)
        freshness.bump_listings()  # listings show these amounts; cached pages must not
    return summary


def _read_files(
    pfall: Path,
    zip5: Path,
    summary: FeeImportSummary,
    progress: ProgressCallback | None,
    started: float,
) -> tuple[list[FeeRow], list[ZipRow]]:
    codes = frozenset(Procedure.objects.values_list("code", flat=True))

    def tick() -> None:
        if progress is not None and summary.rows_read % PROGRESS_EVERY_ROWS == 0:
            summary.elapsed = time.perf_counter() - started
            progress(summary)

    fees: dict[tuple[str, str, str], FeeRow] = {}
    with open_member(pfall, prefix="PF", suffix=".txt") as handle:
        for row in read_fee_rows(handle, name=pfall.name, codes=codes, summary=summary, tick=tick):
            key = (row.carrier, row.locality, row.code)
            if key in fees:
                raise FeeFileError(
                    f"{pfall.name}: carrier {row.carrier} locality {row.locality} code "
                    f"{row.code} appears twice."
                )
            fees[key] = row
    if summary.year is None:
        raise FeeFileError(f"{pfall.name}: no fee schedule records.")
    zips: dict[str, ZipRow] = {}
    with open_member(zip5, prefix="ZIP5", suffix=".txt") as handle:
        for zip_row in read_zip_rows(handle, name=zip5.name, summary=summary, tick=tick):
            if zip_row.zip_code in zips:
                raise FeeFileError(f"{zip5.name}: ZIP code {zip_row.zip_code} appears twice.")
            zips[zip_row.zip_code] = zip_row
    if not zips:
        raise FeeFileError(f"{zip5.name}: no ZIP code records.")
    summary.codes_missing = sorted(codes - {code for _carrier, _locality, code in fees})
    return list(fees.values()), list(zips.values())


def _write(fees: list[FeeRow], zips: list[ZipRow], summary: FeeImportSummary) -> None:
    states: dict[tuple[str, str], Counter[str]] = {}
    for row in zips:
        states.setdefault((row.carrier, row.locality), Counter())[row.state] += 1
    wanted = set(states) | {(row.carrier, row.locality) for row in fees}
    localities = {
        (locality.carrier, locality.locality): locality
        for locality in MedicareLocality.objects.select_for_update()
    }
    # A locality's state is the one most of its ZIP codes are in (some span a state line).
    new = [
        MedicareLocality(
            carrier=key[0],
            locality=key[1],
            state=states[key].most_common(1)[0][0] if key in states else "",
        )
        for key in sorted(wanted - localities.keys())
    ]
    MedicareLocality.objects.bulk_create(new)
    summary.localities_created = len(new)
    summary.localities = len(wanted)
    localities = {
        (locality.carrier, locality.locality): locality
        for locality in MedicareLocality.objects.all()
    }
    year = summary.year
    if year is None:  # _read refuses a file without fee records before anything is written
        raise FeeFileError("No fee schedule year to write.")
    summary.fees_replaced, _ = MedicareFee.objects.filter(year=year).delete()
    MedicareFee.objects.bulk_create(
        MedicareFee(
            year=year,
            locality=localities[(row.carrier, row.locality)],
            code=row.code,
            non_facility_amount=row.non_facility_amount,
            facility_amount=row.facility_amount,
            therapy_reduction_amount=row.therapy_reduction_amount,
            status=row.status,
        )
        for row in fees
    )
    summary.fees = len(fees)
    MedicareZip.objects.all().delete()
    MedicareZip.objects.bulk_create(
        (
            MedicareZip(
                zip_code=row.zip_code,
                state=row.state,
                locality=localities[(row.carrier, row.locality)],
                rural=row.rural,
                split_by_plus4=row.split_by_plus4,
                effective=row.effective,
            )
            for row in zips
        ),
        batch_size=2000,
    )
    summary.zips = len(zips)
    summary.split_zips = sum(row.split_by_plus4 for row in zips)
