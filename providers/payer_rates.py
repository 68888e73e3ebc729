"""Import payers' in-network files: network participation and negotiated rates
(`import_payer_files`).

Every file of a run is read whole first (providers.payer_files: streamed, filtered to listed
providers and the codes the site carries), then everything is written in one transaction, so a
broken file anywhere leaves the database as it was. Per plan, the run's rates replace the plan's
stored rates, and its acceptances are upserted: a payer-file acceptance of that plan that this
run no longer lists is ended, not deleted. A plan whose stored rates come from a newer file than
this run's is left alone.

A network's rates may span several files of one publication (one `last_updated_on`): read them
in one run, or in several. When the stored rates are of the same date as the run's, the run
replaces only what came from its own files (by base name), so one file's import keeps the
others' rates and listings; a newer date replaces the plan's rates whole. Curator and provider
evidence is never touched; the plan links follow the evidence (providers.acceptance).

Plans: `--plan` names one for every file; else a table of contents gives each file's plans;
else each 2.x `network_name`, or a 1.x file's `plan_name`, is a plan found or created by a
stable slug of payer and name.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from providers.acceptance import sync_plan_links
from providers.import_runs import recorded_import
from providers.models import (
    AcceptanceSource,
    InsurancePlan,
    NegotiatedRate,
    PlanAcceptance,
    Procedure,
    Provider,
)
from providers.payer_files import (
    DUPLICATE,
    FileHeader,
    ListedNpis,
    PayerFileError,
    PriceTerms,
    ProgressCallback,
    ReadCounts,
    read_groups,
    read_header,
    read_rates,
    read_toc,
)
from providers.payer_json import ArrayLayout


def _slug_length() -> int:
    length = InsurancePlan._meta.get_field("slug").max_length
    if length is None:
        raise TypeError("InsurancePlan.slug needs a max_length: slugs are cut to it.")
    return length


SLUG_LENGTH = _slug_length()
NAME_LENGTH = InsurancePlan._meta.get_field("name").max_length
WRITE_BATCH = 2000
# What makes two stored rates of a plan the same rate.
RATE_IDENTITY = (
    "provider_id", "procedure_id", "negotiated_type", "rate", "billing_class",
    "places_of_service", "modifiers", "expires",
)  # fmt: skip


@dataclass(frozen=True)
class PlanRef:
    """A plan as a file names it; `slug` is stable across months of the same payer's files."""

    slug: str
    name: str
    payer: str
    kind: str = InsurancePlan.Kind.COMMERCIAL


def plan_slug(payer: str, name: str) -> str:
    """A stable slug for a payer's network or plan: `aetna-open-access` for Aetna's "Open
    Access"; too long a name keeps its start and gains a short hash, so it stays unique."""
    text = slugify(f"{payer} {name}") or "plan"
    if len(text) <= SLUG_LENGTH:
        return text
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    return f"{text[: SLUG_LENGTH - 9].rstrip('-')}-{digest}"


def _named_plan(payer: str, name: str, market: str = "") -> PlanRef:
    kind = (
        InsurancePlan.Kind.MARKETPLACE if market == "individual" else InsurancePlan.Kind.COMMERCIAL
    )
    return PlanRef(plan_slug(payer, name), name[:NAME_LENGTH], payer[:NAME_LENGTH], kind)


@dataclass
class FileSummary:
    name: str
    version: str = ""
    last_updated_on: date | None = None
    reporting_entity_name: str = ""
    counts: ReadCounts = field(default_factory=ReadCounts)
    plans: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "name": self.name,
            "version": self.version,
            "last_updated_on": self.last_updated_on.isoformat() if self.last_updated_on else None,
            "reporting_entity_name": self.reporting_entity_name,
            "plans": self.plans,
            "bytes_read": counts.bytes_read,
            "provider_groups": counts.provider_groups,
            "npis_read": counts.npis_read,
            "npis_kept": counts.npis_kept,
            "npi_zero": counts.npi_zero,
            "codes_read": counts.code_items,
            "prices_read": counts.prices_read,
            "skipped": dict(sorted(counts.skipped.items())),
            "external_references": counts.external_references,
            "external_locations": counts.external_locations,
        }


@dataclass
class ImportSummary:
    """What a run did. `rates_kept` rows were written; `skipped` counts prices by reason."""

    files: list[FileSummary] = field(default_factory=list)
    rates_kept: int = 0
    acceptances_current: int = 0
    acceptances_new: int = 0
    acceptances_ended: int = 0
    plans_created: list[str] = field(default_factory=list)
    plans_updated: list[str] = field(default_factory=list)
    plans_older_than_stored: list[str] = field(default_factory=list)
    providers_relinked: int = 0
    elapsed: float = 0.0  # seconds

    @property
    def bytes_read(self) -> int:
        return sum(item.counts.bytes_read for item in self.files)

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes_read / 1e6 / self.elapsed if self.elapsed else 0.0

    @property
    def skipped(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for item in self.files:
            total.update(item.counts.skipped)
        return total

    @property
    def external_references(self) -> int:
        return sum(item.counts.external_references for item in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": [item.as_dict() for item in self.files],
            "rates_kept": self.rates_kept,
            "skipped": dict(sorted(self.skipped.items())),
            "external_references": self.external_references,
            "acceptances_current": self.acceptances_current,
            "acceptances_new": self.acceptances_new,
            "acceptances_ended": self.acceptances_ended,
            "plans_created": self.plans_created,
            "plans_updated": self.plans_updated,
            "plans_older_than_stored": self.plans_older_than_stored,
            "providers_relinked": self.providers_relinked,
            "bytes_read": self.bytes_read,
            "elapsed_seconds": round(self.elapsed, 3),
            "megabytes_per_second": round(self.megabytes_per_second, 1),
        }


@dataclass
class _PlanData:
    """What the run found for one plan: its rates and the NPIs it lists."""

    ref: PlanRef
    file_date: date
    rates: dict[tuple[str, PriceTerms], str] = field(default_factory=dict)  # -> source file
    npis: dict[str, tuple[str, date]] = field(default_factory=dict)  # -> (file, its date)
    files: set[str] = field(default_factory=set)  # base names of the run's files for the plan


def import_payer_files(
    paths: Sequence[str | Path],
    *,
    plan: InsurancePlan | None = None,
    toc: str | Path | None = None,
    today: date | None = None,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import in-network rates files (.json, .json.gz, .zip; schema 1.x and 2.x) for listed
    providers and carried codes. Raises PayerFileError for an unreadable file, before anything
    is written. Idempotent: a re-run leaves the same rows. Records an ImportRun."""
    today = today or timezone.localdate()
    files = [Path(p) for p in paths]
    options = {"plan": plan.slug if plan else None, "toc": Path(toc).name if toc else None}
    summary = ImportSummary()
    source_name = ", ".join(p.name for p in files) or "payer files"
    # Ctrl-C too marks the run failed; nothing was written.
    with recorded_import(source_name=source_name, summary=summary, options=options):
        served = read_toc(Path(toc)) if toc else {}
        listed = ListedNpis(Provider.objects.values_list("npi", flat=True))
        carried = set(Procedure.objects.values_list("code", flat=True))
        found: dict[str, _PlanData] = {}
        for path in files:
            summary.files.append(
                _read_file(path, plan, served, listed, carried, today, found, progress)
            )
        with transaction.atomic():
            _write(found, summary, today)
    return summary


def _file_plans(
    path: Path, header: FileHeader, plan: InsurancePlan | None, served: dict
) -> list[PlanRef] | None:
    """The plans every rate of this file counts for, or None: by each group's networks."""
    if plan is not None:
        return [PlanRef(plan.slug, plan.name, plan.payer, plan.kind)]
    if path.name in served or _stem(path) in served:
        entries = served.get(path.name) or served[_stem(path)]
        return [
            _named_plan(e["issuer_name"] or header.reporting_entity_name, e["plan_name"],
                        e["plan_market_type"])
            for e in entries
        ]  # fmt: skip
    return None


def _stem(path: Path) -> str:
    """The name a table of contents would give the uncompressed file (x.json for x.json.gz)."""
    return path.name[: -len(".gz")] if path.name.lower().endswith(".gz") else path.name


def _read_file(
    path: Path,
    plan: InsurancePlan | None,
    served: dict,
    listed: ListedNpis,
    carried: set[str],
    today: date,
    found: dict[str, _PlanData],
    progress: ProgressCallback | None,
) -> FileSummary:
    header = read_header(path)
    item = FileSummary(
        name=path.name,
        version=header.version,
        last_updated_on=header.last_updated_on,
        reporting_entity_name=header.reporting_entity_name,
    )
    counts = item.counts
    payer = header.issuer_name or header.reporting_entity_name
    fixed = _file_plans(path, header, plan, served)
    file_plan = (
        _named_plan(payer, header.plan_name, header.plan_market_type)
        if (header.plan_name)
        else None
    )

    def plans_for(networks: tuple[str, ...]) -> list[PlanRef]:
        if fixed is not None:
            return fixed
        if networks:
            return [_named_plan(payer, network) for network in networks]
        if file_plan is not None:
            return [file_plan]
        raise PayerFileError(
            f"{path.name}: a provider group has no `network_name` and the file no `plan_name`: "
            "name the plan with --plan or give a table of contents with --toc."
        )

    def data_for(ref: PlanRef) -> _PlanData:
        data = found.get(ref.slug)
        if data is None:
            data = found[ref.slug] = _PlanData(ref, header.last_updated_on)
            item.plans.append(ref.slug)
        elif ref.slug not in item.plans:
            item.plans.append(ref.slug)
        data.file_date = max(data.file_date, header.last_updated_on)
        data.files.add(path.name)
        return data

    layout = ArrayLayout.of(path, search=not header.nests_array_keys)
    groups = read_groups(path, listed=listed, counts=counts, layout=layout)
    # Every plan the file speaks for, even with none of the listed providers in it now: its
    # earlier listings of them end.
    for network in sorted(counts.networks) if fixed is None else []:
        data_for(_named_plan(payer, network))
    for ref in fixed or ([file_plan] if file_plan and not counts.networks else []):
        data_for(ref)
    # Membership: a listed NPI in a group of a network is evidence it is in that network.
    for group in groups.values():
        for ref in plans_for(group.networks):
            data = data_for(ref)
            for npi in group.npis:
                data.npis[npi] = (path.name, header.last_updated_on)
    for rate in read_rates(
        path,
        groups=groups,
        listed=listed,
        carried=carried,
        today=today,
        counts=counts,
        progress=progress,
        layout=layout,
    ):
        for ref in plans_for(rate.networks):
            data = data_for(ref)
            data.npis.setdefault(rate.npi, (path.name, header.last_updated_on))
            key = (rate.npi, rate.terms)
            if key in data.rates:
                counts.skipped[DUPLICATE] += 1
            else:
                data.rates[key] = path.name
    return item


def _write(found: dict[str, _PlanData], summary: ImportSummary, today: date) -> None:
    if not found:
        return
    existing = {p.slug: p for p in InsurancePlan.objects.filter(slug__in=list(found))}
    for slug, data in sorted(found.items()):
        if slug not in existing and not data.npis:
            continue  # a network none of the listed providers is in: no plan to create
        if slug not in existing:
            ref = data.ref
            existing[slug] = InsurancePlan.objects.create(
                slug=slug, name=ref.name, payer=ref.payer, kind=ref.kind
            )
            summary.plans_created.append(slug)
    npis = {npi for data in found.values() for npi in data.npis}
    provider_ids = dict(Provider.objects.filter(npi__in=npis).values_list("npi", "id"))
    procedure_ids = dict(Procedure.objects.values_list("code", "id"))
    touched: set[int] = set()
    for slug, data in sorted(found.items()):
        plan = existing.get(slug)
        if plan is None:
            continue
        newest = _newest_stored(plan)
        if newest is not None and newest > data.file_date:
            summary.plans_older_than_stored.append(slug)
            continue
        summary.plans_updated.append(slug)
        # Another file of the same publication keeps its rows; an older publication goes.
        own_files = {"source_file__in": sorted(data.files)} if newest == data.file_date else {}
        NegotiatedRate.objects.filter(plan=plan, **own_files).delete()
        kept = {
            tuple(values)
            for values in NegotiatedRate.objects.filter(plan=plan).values_list(*RATE_IDENTITY)
        }
        rows = [
            row
            for row in (
                NegotiatedRate(
                    provider_id=provider_ids[npi],
                    plan=plan,
                    procedure_id=procedure_ids[terms.code],
                    negotiated_type=terms.negotiated_type,
                    rate=terms.rate,
                    billing_class=terms.billing_class,
                    places_of_service=terms.places_of_service,
                    modifiers=terms.modifiers,
                    expires=terms.expires,
                    source_file=source_file,
                    file_date=data.file_date,
                )
                for (npi, terms), source_file in sorted(
                    data.rates.items(), key=lambda entry: (entry[0][0], _terms_key(entry[0][1]))
                )
            )
            # A rate another file of the publication gave too is stored once.
            if tuple(getattr(row, name) for name in RATE_IDENTITY) not in kept
        ]
        NegotiatedRate.objects.bulk_create(rows, batch_size=WRITE_BATCH)
        summary.rates_kept += len(rows)
        touched |= _write_acceptances(plan, data, provider_ids, summary, today, own_files)
    summary.providers_relinked = sync_plan_links(touched)


def _terms_key(terms: PriceTerms) -> tuple:
    return (terms.code, terms.negotiated_type, terms.rate, terms.places_of_service,
            terms.modifiers, terms.expires or date.max)  # fmt: skip


def _newest_stored(plan: InsurancePlan) -> date | None:
    rates = NegotiatedRate.objects.filter(plan=plan).order_by("-file_date")
    accepted = PlanAcceptance.objects.filter(
        plan=plan, source=AcceptanceSource.PAYER_FILE, file_date__isnull=False
    ).order_by("-file_date")
    dates = [
        value
        for value in (
            rates.values_list("file_date", flat=True).first(),
            accepted.values_list("file_date", flat=True).first(),
        )
        if value is not None
    ]
    return max(dates) if dates else None


def _write_acceptances(
    plan: InsurancePlan,
    data: _PlanData,
    provider_ids: dict[str, int],
    summary: ImportSummary,
    today: date,
    own_files: dict[str, list[str]],
) -> set[int]:
    """Upsert the plan's payer-file acceptances; end those this run no longer lists (of the
    same publication, only those its own files listed: `own_files`, a filter on them)."""
    listed = {provider_ids[npi]: source for npi, source in data.npis.items()}
    rows = {
        row.provider_id: row
        for row in PlanAcceptance.objects.filter(plan=plan, source=AcceptanceSource.PAYER_FILE)
    }
    endable = set(
        PlanAcceptance.objects.filter(
            plan=plan, source=AcceptanceSource.PAYER_FILE, **own_files
        ).values_list("provider_id", flat=True)
    )
    changed: list[PlanAcceptance] = []
    new: list[PlanAcceptance] = []
    for provider_id, (source_file, _file_date) in sorted(listed.items()):
        row = rows.get(provider_id)
        if row is None:
            new.append(
                PlanAcceptance(
                    provider_id=provider_id,
                    plan=plan,
                    source=AcceptanceSource.PAYER_FILE,
                    source_file=source_file,
                    file_date=data.file_date,
                    first_seen=today,
                    last_seen=today,
                )
            )
        else:
            row.source_file, row.file_date = source_file, data.file_date
            row.last_seen, row.ended_on = today, None
            changed.append(row)
    ended = [
        row
        for pid, row in rows.items()
        if pid not in listed and pid in endable and row.ended_on is None
    ]
    for row in ended:
        row.ended_on = today
    PlanAcceptance.objects.bulk_create(new, batch_size=WRITE_BATCH)
    PlanAcceptance.objects.bulk_update(
        [*changed, *ended],
        ["source_file", "file_date", "last_seen", "ended_on"],
        batch_size=WRITE_BATCH,
    )
    summary.acceptances_new += len(new)
    summary.acceptances_current += len(new) + len(changed)
    summary.acceptances_ended += len(ended)
    return set(listed) | {row.provider_id for row in ended}


__all__ = ["ImportSummary", "PayerFileError", "import_payer_files", "plan_slug"]
