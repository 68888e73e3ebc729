"""Import chiropractors and physical therapists from the CMS NPPES file (`import_nppes_file`).

Rows are read as a stream (see `providers.nppes_parse`) and upserted by NPI in batches, each
in one transaction: one query for the batch's existing providers with their locations and
licenses, then bulk writes. NPPES owns names, credential, profession and the locations and
licenses it created (source="nppes"); everything a curator sets is never touched.
"""

import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from providers import freshness
from providers.import_runs import recorded_import
from providers.models import (
    License,
    PracticeLocation,
    Provider,
    RecordSource,
    VerificationSource,
    VerificationStatus,
)
from providers.nppes_parse import ERROR, LocationData, NppesRecord, Skipped, read_records
from providers.search_index import refresh_search_index
from providers.states import US_STATES

DUPLICATE_NPI = "duplicate_npi"  # an earlier row of the same batch, superseded by a later one
MAX_KEPT_ERRORS = 1000
PROGRESS_EVERY_ROWS = 20_000
IN_CHUNK = 2000  # ids per IN (...): SQLite >= 3.32 binds up to 32766 parameters, PostgreSQL 65535
# Provider fields the NPPES file owns; the importer writes no other provider field.
NPPES_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "credential",
    "specialty_codes",
    "profession",
)
LOCATION_FIELDS = LocationData.__slots__


@dataclass
class ImportSummary:
    """What an import did. rows_read = created + updated + unchanged + sum(skipped)."""

    source: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)  # first MAX_KEPT_ERRORS
    elapsed: float = 0.0  # seconds

    @property
    def providers(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.elapsed if self.elapsed else 0.0

    @property
    def providers_per_second(self) -> float:
        return self.providers / self.elapsed if self.elapsed else 0.0

    def add_error(self, line: int, reason: str) -> None:
        self.skipped[ERROR] += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append((line, reason[:300]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": dict(sorted(self.skipped.items())),
            "errors": [list(error) for error in self.errors],
            "elapsed_seconds": round(self.elapsed, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "providers_per_second": round(self.providers_per_second, 1),
        }


ProgressCallback = Callable[[ImportSummary], None]


def import_file(
    path: str | Path,
    *,
    states: Collection[str] | None = None,
    limit: int | None = None,
    batch_size: int = 1000,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Upsert the chiropractors and PTs of an NPPES file (CSV or monthly zip) by NPI.

    `states` keeps practice locations in those states only; `limit` stops after that many data
    rows. Re-running a file changes nothing; an interrupted run is safe to re-run because every
    batch commits whole. A later row for the same NPI wins. Records an ImportRun.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    wanted = {state.upper() for state in states} if states else None
    unknown = sorted((wanted or set()) - US_STATES.keys())
    if unknown:
        raise ValueError(f"Unknown state codes: {', '.join(unknown)}")
    summary = ImportSummary(source=str(path))
    options = {"states": sorted(wanted or []), "limit": limit, "batch_size": batch_size}
    rows = read_records(path, states=wanted, limit=limit)
    # Ctrl-C too marks the run failed; committed batches stay.
    with recorded_import(source_name=Path(path).name, summary=summary, options=options) as started:
        _import_rows(rows, summary, batch_size, progress, started)
    if progress is not None:
        progress(summary)
    return summary


def _import_rows(
    rows: Iterable[tuple[int, NppesRecord | Skipped]],
    summary: ImportSummary,
    batch_size: int,
    progress: ProgressCallback | None,
    started: float,
) -> None:
    pending: dict[str, tuple[int, NppesRecord]] = {}
    for line, outcome in rows:
        summary.rows_read += 1
        if isinstance(outcome, Skipped):
            if outcome.reason == ERROR:
                summary.add_error(line, outcome.detail)
            else:
                summary.skipped[outcome.reason] += 1
        else:
            if outcome.npi in pending:
                summary.skipped[DUPLICATE_NPI] += 1
            pending[outcome.npi] = (line, outcome)
            if len(pending) >= batch_size:
                write_batch(list(pending.values()), summary)
                pending.clear()
        if progress is not None and summary.rows_read % PROGRESS_EVERY_ROWS == 0:
            summary.elapsed = time.perf_counter() - started
            progress(summary)
    if pending:
        write_batch(list(pending.values()), summary)


@dataclass
class _Plan:
    """The writes one row needs, decided against the database before the batch writes."""

    line: int
    record: NppesRecord
    provider: Provider | None  # None: create
    provider_changed: bool = False
    stale_location_ids: tuple[int, ...] = ()
    add_location: bool = False
    stale_license_ids: tuple[int, ...] = ()
    add_licenses: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        return (
            self.provider_changed
            or self.add_location
            or bool(self.stale_license_ids)
            or bool(self.add_licenses)
        )


def write_batch(items: list[tuple[int, NppesRecord]], summary: ImportSummary) -> None:
    """Write one batch atomically; if it fails, retry row by row so only bad rows are lost."""
    plans = plan_batch(items)
    try:
        with transaction.atomic():
            _apply(plans)
        applied = plans
    except Exception:  # whatever failed, find the row(s) responsible
        applied = []
        with transaction.atomic():
            for plan in plans:
                try:
                    with transaction.atomic():  # a savepoint per row
                        _apply([plan])
                except Exception as exc:  # reported; the import goes on
                    summary.add_error(plan.line, f"not saved: {type(exc).__name__}: {exc}")
                else:
                    applied.append(plan)
    if any(plan.provider is None or plan.changed for plan in applied):
        freshness.bump_listings()  # bulk writes send no signals
    for plan in applied:
        if plan.provider is None:
            summary.created += 1
        elif plan.changed:
            summary.updated += 1
        else:
            summary.unchanged += 1


def plan_batch(items: list[tuple[int, NppesRecord]]) -> list[_Plan]:
    """Compare a batch with the database: three queries (providers, locations, licenses) per
    IN_CHUNK NPIs, so a large batch_size stays under SQLite's bound-parameter limit."""
    npis = [record.npi for _line, record in items]
    existing: dict[str, Provider] = {}
    for start in range(0, len(npis), IN_CHUNK):
        existing.update(
            (provider.npi, provider)
            for provider in Provider.objects.filter(
                npi__in=npis[start : start + IN_CHUNK]
            ).prefetch_related(
                Prefetch(
                    "locations",
                    queryset=PracticeLocation.objects.filter(source=RecordSource.NPPES),
                    to_attr="nppes_locations",
                ),
                Prefetch("licenses", queryset=License.objects.all(), to_attr="all_licenses"),
            )
        )
    return [_plan_row(line, record, existing.get(record.npi)) for line, record in items]


def _plan_row(line: int, record: NppesRecord, provider: Provider | None) -> _Plan:
    if provider is None:
        return _Plan(line, record, None, add_location=True, add_licenses=tuple(record.licenses))
    plan = _Plan(line, record, provider)
    plan.provider_changed = any(
        getattr(provider, name) != getattr(record, name) for name in NPPES_FIELDS
    )
    locations = provider.nppes_locations  # type: ignore[attr-defined]
    if len(locations) != 1 or _location_values(locations[0]) != _location_values(record.location):
        plan.stale_location_ids = tuple(location.id for location in locations)
        plan.add_location = True
    nppes_licenses: dict[tuple[str, str], int] = {}
    curated: set[tuple[str, str]] = set()
    for held in provider.all_licenses:  # type: ignore[attr-defined]
        key = (held.state, held.number)
        if held.source == RecordSource.NPPES:
            nppes_licenses[key] = held.id
        else:
            curated.add(key)
    # A curator's copy of the same license stands; NPPES must not duplicate it.
    wanted = record.licenses - curated
    plan.stale_license_ids = tuple(
        license_id for key, license_id in nppes_licenses.items() if key not in wanted
    )
    plan.add_licenses = tuple(sorted(wanted - nppes_licenses.keys()))
    return plan


def _location_values(location: PracticeLocation | LocationData) -> tuple[object, ...]:
    return tuple(getattr(location, name) for name in LOCATION_FIELDS)


def _apply(plans: list[_Plan]) -> None:
    """The bulk writes for a list of plans. Builds fresh objects, so it can be retried."""
    now = timezone.now()
    new_providers: list[Provider] = []
    changed: list[Provider] = []
    for plan in plans:
        record = plan.record
        if plan.provider is None:
            new_providers.append(
                Provider(
                    npi=record.npi,
                    verification_status=VerificationStatus.PENDING,
                    verification_source=VerificationSource.NPPES,
                    **{name: getattr(record, name) for name in NPPES_FIELDS},
                )
            )
        elif plan.changed:
            for name in NPPES_FIELDS:
                setattr(plan.provider, name, getattr(record, name))
            plan.provider.updated_at = now
            changed.append(plan.provider)
    Provider.objects.bulk_create(new_providers)
    Provider.objects.bulk_update(changed, [*NPPES_FIELDS, "updated_at"])
    created = iter(new_providers)
    owners = [next(created) if plan.provider is None else plan.provider for plan in plans]

    stale_locations = [pk for plan in plans for pk in plan.stale_location_ids]
    stale_licenses = [pk for plan in plans for pk in plan.stale_license_ids]
    for start in range(0, len(stale_locations), IN_CHUNK):
        PracticeLocation.objects.filter(id__in=stale_locations[start : start + IN_CHUNK]).delete()
    for start in range(0, len(stale_licenses), IN_CHUNK):
        License.objects.filter(id__in=stale_licenses[start : start + IN_CHUNK]).delete()
    PracticeLocation.objects.bulk_create(
        PracticeLocation(provider=owner, source=RecordSource.NPPES, **_location_kwargs(plan))
        for plan, owner in zip(plans, owners, strict=True)
        if plan.add_location
    )
    License.objects.bulk_create(
        License(provider=owner, state=state, number=number, source=RecordSource.NPPES)
        for plan, owner in zip(plans, owners, strict=True)
        for state, number in plan.add_licenses
    )
    refresh_search_index(owner.id for owner in owners)  # bulk writes send no signals


def _location_kwargs(plan: _Plan) -> dict[str, object]:
    location = plan.record.location
    return {name: getattr(location, name) for name in LOCATION_FIELDS}


import_nppes_file = import_file  # the verb-noun name STYLE.md uses for this domain function
