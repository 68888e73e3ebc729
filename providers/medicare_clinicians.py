"""Record listed providers' Medicare assignment from CMS's Doctors and Clinicians file
(`import_clinicians_file`).

`DAC_NationalDownloadableFile.csv` (or a zip holding it), about 650 MB: one row per clinician x
enrollment x group x address, so many rows per NPI. Headers mix styles (`NPI`, `pri_spec`,
`Telehlth`, `City/Town`, `ZIP Code`); they are matched ignoring case, spaces, `_` and `/`.
`ind_assgn` is `Y` (accepts assignment: participating) or `M` (may accept: non-participating).

Every listing, demo or imported, is matched by NPI; the file's other clinicians are skipped on
their first field, before anything else is read. Per listed provider the import records:
its assignment (`non_participating` if any row says `M`, `participating` if the rows say `Y`,
`unknown` when none says either), telehealth (any row `Y`) and the file's date; and per listed
location whose street and ZIP code match a row, that address's assignment. A participating
provider's listing gains the Original Medicare plan, with the file as its evidence (a
`medicare_file` acceptance, ended when a later file no longer shows it participating). A
curator's row is never overwritten, and a re-run replaces the previous file's rows; a provider
the file no longer lists has none (unknown).

The telehealth flag also answers the listing's own "offers telehealth" (what search filters
on), unless a curator or the provider answered it. A blank flag means "not flagged", not "no":
a listing whose yes came from an earlier file and that this file does not flag goes back to
unknown.
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
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from providers import freshness
from providers.acceptance import sync_plan_links
from providers.import_runs import recorded_import
from providers.models import (
    AcceptanceSource,
    InsurancePlan,
    MedicareAssignment,
    MedicareParticipation,
    PlanAcceptance,
    PracticeLocation,
    Provider,
    TelehealthSource,
)
from providers.search_index import refresh_search_index

PROGRESS_EVERY_ROWS = 100_000
CHUNK = 500  # provider ids per statement: well under SQLite's bound-parameter limit
MEDICARE_PLAN_SLUG = "medicare"
REQUIRED_COLUMNS = {
    "npi": "NPI",
    "indassgn": "ind_assgn",
    "telehlth": "Telehlth",
    "adrln1": "adr_ln_1",
    "zipcode": "ZIP Code",
}
_HEADER_NOISE = re.compile(r"[\s_/]+")
_STREET_NOISE = re.compile(r"[^A-Z0-9]+")
Source = MedicareParticipation.Source


class ClinicianFileError(ValueError):
    """A file that is not a Doctors and Clinicians file; the message says what differs."""


def header_key(name: str) -> str:
    """`City/Town`, `city_town` and `CITY TOWN` are one column: case, spaces, _ and / ignored."""
    return _HEADER_NOISE.sub("", name.strip().lstrip("\ufeff")).lower()


def street_key(line: str, zip_code: str) -> tuple[str, str]:
    """A practice address for matching: the street's letters and digits, and the ZIP5."""
    return _STREET_NOISE.sub("", line.upper()), zip_code.strip()[:5]


@dataclass
class _Seen:
    """What the file's rows say about one listed NPI."""

    answers: set[str] = field(default_factory=set)
    telehealth: bool = False
    by_address: dict[tuple[str, str], set[str]] = field(default_factory=dict)


@dataclass
class ClinicianImportSummary:
    """What an import did. rows_read = rows_listed + sum(skipped)."""

    as_of: date | None = None
    rows_read: int = 0
    rows_listed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    providers: Counter[str] = field(default_factory=Counter)  # by assignment
    locations: Counter[str] = field(default_factory=Counter)  # by assignment
    telehealth: int = 0
    telehealth_cleared: int = 0  # listings an earlier file flagged and this one does not
    curator_kept: int = 0
    removed: int = 0  # providers an earlier file listed and this one does not
    plans_added: int = 0  # listings that gained Original Medicare
    plans_ended: int = 0  # listings that lost it: no longer participating, and no other word
    elapsed: float = 0.0
    scan_seconds: float = 0.0  # reading and filtering the file, before any write

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.elapsed if self.elapsed else 0.0

    @property
    def rows_per_second_scanned(self) -> float:
        return self.rows_read / self.scan_seconds if self.scan_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "rows_read": self.rows_read,
            "rows_listed": self.rows_listed,
            "skipped": dict(sorted(self.skipped.items())),
            "providers": dict(sorted(self.providers.items())),
            "locations": dict(sorted(self.locations.items())),
            "telehealth": self.telehealth,
            "telehealth_cleared": self.telehealth_cleared,
            "curator_kept": self.curator_kept,
            "removed": self.removed,
            "plans_added": self.plans_added,
            "plans_ended": self.plans_ended,
            "elapsed_seconds": round(self.elapsed, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "scan_seconds": round(self.scan_seconds, 3),
            "rows_per_second_scanned": round(self.rows_per_second_scanned, 1),
        }


ProgressCallback = Callable[[ClinicianImportSummary], None]


@contextmanager
def open_clinicians(path: str | Path) -> Iterator[tuple[TextIO, date]]:
    """The CSV as text and its date: the file's, or its zip member's, modification day."""
    options: dict[str, Any] = {"encoding": "utf-8-sig", "errors": "replace", "newline": ""}
    if not zipfile.is_zipfile(path):
        modified = datetime.fromtimestamp(Path(path).stat().st_mtime).date()
        with open(path, **options) as handle:
            yield handle, modified
        return
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if info.filename.lower().endswith(".csv")]
        if not members:
            raise ClinicianFileError(f"{Path(path).name} holds no .csv file.")
        member = max(members, key=lambda info: info.file_size)
        with archive.open(member) as raw, io.TextIOWrapper(raw, **options) as handle:
            yield handle, date(*member.date_time[:3])


def import_clinicians_file(
    path: str | Path, *, as_of: date | None = None, progress: ProgressCallback | None = None
) -> ClinicianImportSummary:
    """Record the Medicare assignment of every listed provider the file names (see module doc).

    ``as_of`` is the file's date (default: its modification day). Reads the whole file before
    writing, then writes in one transaction. Records an ImportRun. Raises ClinicianFileError (a
    ValueError) for a file without the columns it needs.
    """
    summary = ClinicianImportSummary()
    run = recorded_import(
        source_name=Path(path).name, summary=summary, options={"kind": "medicare_clinicians"}
    )
    with run as started:
        with open_clinicians(path) as (handle, modified):
            file_date = summary.as_of = as_of or modified
            seen = _read(handle, summary, progress, started)
            summary.scan_seconds = time.perf_counter() - started
        with transaction.atomic():
            _write(seen, summary, file_date, Path(path).name)
        freshness.bump_listings()  # listings show the assignment; cached pages must not
    return summary


def _read(
    handle: TextIO,
    summary: ClinicianImportSummary,
    progress: ProgressCallback | None,
    started: float,
) -> dict[str, _Seen]:
    header = next(csv.reader(_records(handle)), None)
    if not header:
        raise ClinicianFileError("The Doctors and Clinicians file is empty.")
    index = {header_key(name): position for position, name in enumerate(header)}
    missing = [label for key, label in REQUIRED_COLUMNS.items() if key not in index]
    if missing:
        raise ClinicianFileError(
            "Not a Doctors and Clinicians file: no column for " + ", ".join(missing) + "."
        )
    npi_at, answer_at, telehealth_at = index["npi"], index["indassgn"], index["telehlth"]
    street_at, zip_at = index["adrln1"], index["zipcode"]
    width = max(index.values()) + 1
    listed = set(Provider.objects.values_list("npi", flat=True))
    seen: dict[str, _Seen] = {}
    rows = not_listed = 0
    for record in _records(handle):
        rows += 1
        if progress is not None and rows % PROGRESS_EVERY_ROWS == 0:
            summary.rows_read, summary.skipped["not_listed"] = rows, not_listed
            summary.elapsed = time.perf_counter() - started
            progress(summary)
        # Most rows are other clinicians: skipped on their first field, the rest unparsed.
        if npi_at == 0 and _first_field(record) not in listed:
            not_listed += 1
            continue
        fields = next(csv.reader((record,)), [])
        if len(fields) < width:
            summary.skipped["short_row"] += 1
            continue
        npi = fields[npi_at].strip()
        if npi not in listed:
            not_listed += 1
            continue
        summary.rows_listed += 1
        entry = seen.setdefault(npi, _Seen())
        answer = fields[answer_at].strip().upper()
        if answer in ("Y", "M"):
            entry.answers.add(answer)
            key = street_key(fields[street_at], fields[zip_at])
            entry.by_address.setdefault(key, set()).add(answer)
        entry.telehealth = entry.telehealth or fields[telehealth_at].strip().upper() == "Y"
    summary.rows_read = rows
    summary.skipped["not_listed"] = not_listed
    return seen


def _records(handle: TextIO) -> Iterator[str]:
    """The file's CSV records as text, blank lines left out. A record whose quotes are
    unbalanced has a quoted line break: it runs on to the next line (an escaped quote, "",
    keeps the balance)."""
    for line in handle:
        while line.count('"') % 2:
            more = next(handle, None)
            if more is None:
                break
            line += more
        if line.strip():
            yield line


def _first_field(record: str) -> str:
    """The first CSV field of a record, unquoted, without parsing the rest."""
    if record.startswith('"'):
        return record[1 : record.find('"', 1)].strip()
    return record[: record.find(",")].strip()


def _assignment(answers: set[str]) -> str:
    """`M` anywhere wins: where one answer is needed, "may accept" is the safe one."""
    if "M" in answers:
        return MedicareAssignment.NON_PARTICIPATING
    if "Y" in answers:
        return MedicareAssignment.PARTICIPATING
    return MedicareAssignment.UNKNOWN


def _write(
    seen: dict[str, _Seen], summary: ClinicianImportSummary, file_date: date, file_name: str
) -> None:
    providers = dict(Provider.objects.filter(npi__in=seen).values_list("npi", "id"))
    curated = set(
        MedicareParticipation.objects.filter(source=Source.CURATOR).values_list(
            "provider_id", "location_id"
        )
    )
    summary.removed = (
        MedicareParticipation.objects.filter(source=Source.MEDICARE_FILE)
        .exclude(provider_id__in=providers.values())
        .values("provider_id")
        .distinct()
        .count()
    )
    MedicareParticipation.objects.filter(source=Source.MEDICARE_FILE).delete()
    locations: dict[int, list[tuple[int, tuple[str, str]]]] = {}
    for location_id, provider_id, street, zip_code in PracticeLocation.objects.filter(
        provider_id__in=providers.values()
    ).values_list("id", "provider_id", "address_line1", "zip_code"):
        locations.setdefault(provider_id, []).append((location_id, street_key(street, zip_code)))
    rows: list[MedicareParticipation] = []
    participating: list[int] = []
    for npi, entry in seen.items():
        provider_id = providers[npi]
        assignment = _assignment(entry.answers)
        summary.telehealth += entry.telehealth
        if (provider_id, None) in curated:
            summary.curator_kept += 1
        else:
            summary.providers[assignment] += 1
            rows.append(_row(provider_id, None, assignment, entry.telehealth, file_date))
            if assignment == MedicareAssignment.PARTICIPATING:
                participating.append(provider_id)
        for location_id, key in locations.get(provider_id, []):
            if key not in entry.by_address:
                continue
            if (provider_id, location_id) in curated:
                summary.curator_kept += 1
                continue
            here = _assignment(entry.by_address[key])
            summary.locations[here] += 1
            rows.append(_row(provider_id, location_id, here, entry.telehealth, file_date))
    MedicareParticipation.objects.bulk_create(rows, batch_size=1000)
    _record_medicare_plan(participating, summary, source_file=file_name, file_date=file_date)
    _record_telehealth([providers[npi] for npi, entry in seen.items() if entry.telehealth], summary)


def _record_telehealth(flagged: list[int], summary: ClinicianImportSummary) -> None:
    """The listings' telehealth answer from this file (see the module's doc)."""
    answered_by_people = [TelehealthSource.CURATOR, TelehealthSource.PROVIDER]
    flagged_set = set(flagged)
    cleared = [
        pk
        for pk in Provider.objects.filter(
            telehealth_source=TelehealthSource.MEDICARE_FILE
        ).values_list("id", flat=True)
        if pk not in flagged_set
    ]
    now, newly = timezone.now(), list[int]()
    for start in range(0, len(flagged), CHUNK):
        answerable = Provider.objects.filter(id__in=flagged[start : start + CHUNK]).exclude(
            telehealth_source__in=answered_by_people
        )
        newly.extend(answerable.exclude(offers_telehealth=True).values_list("id", flat=True))
        answerable.update(offers_telehealth=True, telehealth_source=TelehealthSource.MEDICARE_FILE)
    for ids, values in (
        (newly, {"updated_at": now}),
        (cleared, {"offers_telehealth": None, "telehealth_source": "", "updated_at": now}),
    ):
        for start in range(0, len(ids), CHUNK):
            Provider.objects.filter(id__in=ids[start : start + CHUNK]).update(**values)
    summary.telehealth_cleared = len(cleared)
    refresh_search_index([*newly, *cleared])  # bulk writes send no signals


def _row(
    provider_id: int, location_id: int | None, assignment: str, telehealth: bool, as_of: date
) -> MedicareParticipation:
    return MedicareParticipation(
        provider_id=provider_id,
        location_id=location_id,
        assignment=assignment,
        telehealth=telehealth,
        source=Source.MEDICARE_FILE,
        as_of=as_of,
    )


def _record_medicare_plan(
    provider_ids: list[int], summary: ClinicianImportSummary, *, source_file: str, file_date: date
) -> None:
    """Participating providers accept Original Medicare, with this file as the evidence: a
    current `medicare_file` acceptance each; one this file no longer shows participating is
    ended, not deleted. A Medicare link no evidence spoke for (a curator's, or demo data's) is
    recorded as the curator's first, so ending the file's evidence never takes it away. The
    plan links then follow the evidence (providers.acceptance)."""
    plan = InsurancePlan.objects.filter(slug=MEDICARE_PLAN_SLUG).first()
    if plan is None:
        return
    today = timezone.localdate()
    participating = set(provider_ids)
    through = Provider.insurance_plans.through
    linked_before = set(
        through.objects.filter(insuranceplan=plan).values_list("provider_id", flat=True)
    )
    spoken_for = set(PlanAcceptance.objects.filter(plan=plan).values_list("provider_id", flat=True))
    PlanAcceptance.objects.bulk_create(
        [
            PlanAcceptance(provider_id=pk, plan=plan, source=AcceptanceSource.CURATOR)
            for pk in sorted(linked_before - spoken_for)
        ],
        batch_size=1000,
    )
    rows = {
        row.provider_id: row
        for row in PlanAcceptance.objects.filter(plan=plan, source=AcceptanceSource.MEDICARE_FILE)
    }
    new, changed = [], []
    for pk in sorted(participating):
        row = rows.get(pk)
        if row is None:
            row = PlanAcceptance(
                provider_id=pk, plan=plan, source=AcceptanceSource.MEDICARE_FILE, first_seen=today
            )
            new.append(row)
        else:
            changed.append(row)
        row.source_file, row.file_date, row.last_seen, row.ended_on = (
            source_file, file_date, today, None,
        )  # fmt: skip
    ended = [row for pk, row in rows.items() if pk not in participating and row.ended_on is None]
    for row in ended:
        row.ended_on = today
    PlanAcceptance.objects.bulk_create(new, batch_size=1000)
    PlanAcceptance.objects.bulk_update(
        [*changed, *ended], ["source_file", "file_date", "last_seen", "ended_on"], batch_size=1000
    )
    sync_plan_links(participating | set(rows))
    linked_after = set(
        through.objects.filter(insuranceplan=plan).values_list("provider_id", flat=True)
    )
    summary.plans_added = len(linked_after - linked_before)
    summary.plans_ended = len(linked_before - linked_after)
