"""`DEVTOOLS=1 manage.py soak [--seconds 300] [--concurrency 16]`: a bounded load test.

Starts gunicorn on a free loopback port (devtools.benchmark), then for the given time sends
search, detail, page and estimate traffic from `concurrency` threads while two more threads
write the database the way production does: an NPPES import re-run in rounds (each round
changes the NPPES-owned names), and admin-like edits of curator-owned fields on the same
providers. It reports requests, 5xx responses, lost edits (last value written vs. read back)
and the workers' memory at start and end, then stops gunicorn and removes the providers it
imported (unless --keep-data). Figures are printed, not asserted; 5xx or lost edits make the
command exit non-zero.
"""

import os
import random
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections
from django.utils import timezone

from devtools.benchmark import free_port, get, start_gunicorn, worker_rss_mb
from devtools.nppes_testing import generate_rows, write_nppes_csv
from providers.models import (
    ImportRun,
    License,
    PracticeLocation,
    Procedure,
    Provider,
    ProviderPrice,
)
from providers.nppes import import_file
from providers.reference import load_reference_data
from providers.search_index import refresh_search_index

MAX_SECONDS = 3600
MAX_CONCURRENCY = 64
LAST_NAME = "Provider Last Name (Legal Name)"
SOURCE_PREFIX = "soak-"


@dataclass
class Tally:
    """Shared by the threads; every update holds the lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    connection_errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    import_rounds: int = 0
    import_rows: int = 0
    import_created: int = 0
    import_updated: int = 0
    import_errors: list[str] = field(default_factory=list)
    edits_written: int = 0
    edit_errors: list[str] = field(default_factory=list)
    last_edit: dict[int, tuple[str, bool]] = field(default_factory=dict)
    lost_edits: int = 0
    rss_start: str = "n/a"
    rss_end: str = "n/a"

    def record(self, kind: str, status: int | None, elapsed_ms: float) -> None:
        with self.lock:
            self.kinds[kind] += 1
            if status is None:
                self.connection_errors += 1
            else:
                self.statuses[status] += 1
                self.latencies_ms.append(elapsed_ms)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0


RequestMaker = Callable[[random.Random], tuple[str, str, dict | None]]


def count_lost_edits(tally: Tally) -> int:
    """Edited providers whose stored value is not the last one an edit wrote."""
    stored = {
        pk: (notes, accepting)
        for pk, notes, accepting in Provider.objects.using(DEFAULT_DB_ALIAS)
        .filter(pk__in=tally.last_edit)
        .values_list("pk", "curator_notes", "accepting_new_patients")
    }
    return sum(1 for pk, value in tally.last_edit.items() if stored.get(pk) != value)


def remove_soak_data(ids: list[int]) -> None:
    """The soak's providers, their history and its import runs: nothing of the soak stays."""
    Provider.objects.filter(id__in=ids).delete()
    Provider.history.filter(id__in=ids).delete()
    for model in (PracticeLocation, License, ProviderPrice):
        model.history.filter(provider_id__in=ids).delete()
    ImportRun.objects.filter(source_name__startswith=SOURCE_PREFIX).delete()


@contextmanager
def plain_http_environment():
    """gunicorn here speaks plain HTTP on loopback: no HTTPS redirect, no Secure cookies."""
    overrides = {
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
    }
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Command(BaseCommand):
    help = (
        "Load-test the site on 127.0.0.1 for a bounded time while an import and curator edits "
        "write the database; report requests, 5xx responses, lost edits and worker memory. "
        "Writes synthetic NPPES providers to the configured database and removes them after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=int, default=300, help="How long (max 3600).")
        parser.add_argument("--concurrency", type=int, default=16, help="Client threads.")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument(
            "--import-rows", type=int, default=3000, help="Rows in the synthetic NPPES file."
        )
        parser.add_argument("--seed", type=int, default=4242, help="Seed of the NPPES rows.")
        parser.add_argument(
            "--keep-data", action="store_true", help="Keep the imported (demo-marked) providers."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seconds, concurrency = options["seconds"], options["concurrency"]
        if not 1 <= seconds <= MAX_SECONDS:
            raise CommandError(f"--seconds must be between 1 and {MAX_SECONDS}.")
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise CommandError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}.")
        if not 1 <= options["workers"] <= 16 or options["import_rows"] < 10:
            raise CommandError("--workers must be 1 to 16 and --import-rows at least 10.")

        with tempfile.TemporaryDirectory() as folder:
            rows = list(generate_rows(options["import_rows"], seed=options["seed"]))
            npis = {row["NPI"] for row in rows}
            if Provider.objects.filter(npi__in=npis, is_demo=False).exists():
                raise CommandError(
                    "Some generated NPIs belong to providers already in the database; "
                    "choose another --seed."
                )
            if not Procedure.objects.exists():
                self.stdout.write("No procedures yet: loading the reference data first.")
                load_reference_data()
            source = Path(folder) / f"{SOURCE_PREFIX}npidata.csv"
            write_nppes_csv(source, rows)
            import_file(source)
            soak_ids = list(Provider.objects.filter(npi__in=npis).values_list("id", flat=True))
            # Curator-owned and never touched by the importer: leftovers stay labelled demo.
            Provider.objects.filter(id__in=soak_ids).update(is_demo=True)
            try:
                tally = self.run(options, rows, source, soak_ids)
            finally:
                if not options["keep_data"]:
                    remove_soak_data(soak_ids)
        self.report(tally, options)

    def run(self, options: dict, rows: list, source: Path, soak_ids: list[int]) -> Tally:
        tally = Tally()
        zips = list(
            Provider.objects.filter(id__in=soak_ids)
            .values_list("locations__zip_code", flat=True)
            .distinct()
        )
        port = free_port()
        with plain_http_environment():
            process = start_gunicorn(port, options["workers"])
        self.stdout.write(
            f"Soak: {options['seconds']} s, {options['concurrency']} client threads, "
            f"{options['workers']} gunicorn workers on 127.0.0.1:{port}, "
            f"{connection.vendor}, {len(soak_ids)} soak providers."
        )
        try:
            tally.rss_start = worker_rss_mb(process.pid)
            deadline = time.monotonic() + options["seconds"]
            writers = [
                threading.Thread(target=self.importer, args=(deadline, rows, source, tally)),
                threading.Thread(target=self.editor, args=(deadline, soak_ids, tally)),
            ]
            for writer in writers:
                writer.start()
            requests = self.request_makers(zips, soak_ids)
            with ThreadPoolExecutor(options["concurrency"]) as pool:
                for n in range(options["concurrency"]):
                    pool.submit(self.client, port, deadline, requests, tally, random.Random(n))
            for writer in writers:
                writer.join()
            tally.rss_end = worker_rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
        tally.lost_edits = count_lost_edits(tally)
        return tally

    def request_makers(self, zips: list[str], ids: list[int]) -> list[RequestMaker]:
        """Weighted request kinds: (kind, path, JSON body or None) from a random generator."""
        estimate = {"visits": 6, "coverage": {"type": "insurance", "coinsurance_percent": "20"}}
        makers = [
            (40, lambda r: ("search", f"/api/v1/providers/?near={r.choice(zips)}", None)),
            (10, lambda r: ("search", f"/api/v1/providers/?page={r.randint(1, 5)}", None)),
            (20, lambda r: ("detail", f"/api/v1/providers/{r.choice(ids)}/", None)),
            (15, lambda r: ("estimate", "/api/v1/estimates/",
                            {**estimate, "provider_id": r.choice(ids)})),
            (10, lambda r: ("page", f"/?near={r.choice(zips)}", None)),
            (5, lambda r: ("page", f"/providers/{r.choice(ids)}/", None)),
        ]  # fmt: skip
        return [maker for weight, maker in makers for _ in range(weight)]

    def client(
        self, port: int, deadline: float, requests: list, tally: Tally, rng: random.Random
    ) -> None:
        while time.monotonic() < deadline:
            kind, path, body = rng.choice(requests)(rng)
            started = time.perf_counter()
            try:
                status: int | None = get(port, path, body)
            except OSError:
                status = None
            tally.record(kind, status, (time.perf_counter() - started) * 1000)

    def importer(self, deadline: float, rows: list, source: Path, tally: Tally) -> None:
        """Re-import the file in rounds; each round renames every provider (NPPES-owned)."""
        try:
            round_number = 0
            while time.monotonic() < deadline:
                round_number += 1
                suffix = "" if round_number % 2 == 0 else "-SOAK"
                changed = [
                    {**row, LAST_NAME: row[LAST_NAME] + suffix} if row.get(LAST_NAME) else row
                    for row in rows
                ]
                write_nppes_csv(source, changed)
                try:
                    summary = import_file(source, batch_size=500)
                except Exception as exc:  # reported, and the next round tries again
                    with tally.lock:
                        tally.import_errors.append(repr(exc)[:200])
                    continue
                with tally.lock:
                    tally.import_rounds += 1
                    tally.import_rows += summary.rows_read
                    tally.import_created += summary.created
                    tally.import_updated += summary.updated
        finally:
            connections.close_all()

    def editor(self, deadline: float, ids: list[int], tally: Tally) -> None:
        """Curator edits: notes and accepting-new-patients, half by save(), half by update()."""
        rng = random.Random(7)
        n = 0
        try:
            while time.monotonic() < deadline:
                n += 1
                provider_id = rng.choice(ids)
                notes, accepting = f"soak edit {n} at {timezone.now():%H:%M:%S.%f}", n % 3 != 0
                try:
                    if n % 2:
                        provider = Provider.objects.using(DEFAULT_DB_ALIAS).get(pk=provider_id)
                        provider.curator_notes, provider.accepting_new_patients = notes, accepting
                        provider.save(
                            update_fields=["curator_notes", "accepting_new_patients", "updated_at"]
                        )
                    else:
                        Provider.objects.filter(pk=provider_id).update(
                            curator_notes=notes,
                            accepting_new_patients=accepting,
                            updated_at=timezone.now(),
                        )
                        refresh_search_index([provider_id])  # update() sends no signals
                except Exception as exc:  # reported; an edit that failed was not written
                    with tally.lock:
                        tally.edit_errors.append(repr(exc)[:200])
                    close_old_connections()
                    continue
                with tally.lock:
                    tally.edits_written += 1
                    tally.last_edit[provider_id] = (notes, accepting)
                time.sleep(0.005)
        finally:
            connections.close_all()

    def report(self, tally: Tally, options: dict) -> None:
        total = sum(tally.kinds.values())
        errors_5xx = sum(count for status, count in tally.statuses.items() if status >= 500)
        seconds = options["seconds"]
        write = self.stdout.write
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(tally.kinds.items()))
        statuses = ", ".join(f"{s}: {c:,}" for s, c in sorted(tally.statuses.items()))
        write(f"requests:          {total:,} ({total / seconds:,.1f}/s): {kinds}")
        write(f"status codes:      {statuses}")
        write(f"5xx responses:     {errors_5xx:,}")
        write(f"connection errors: {tally.connection_errors:,}")
        write(
            f"latency:           p50 {tally.percentile(50):.1f} ms, p95 {tally.percentile(95):.1f}"
            f" ms, p99 {tally.percentile(99):.1f} ms, max {tally.percentile(100):.1f} ms"
        )
        write(
            f"import:            {tally.import_rounds} rounds, {tally.import_rows:,} rows read, "
            f"{tally.import_created:,} created, {tally.import_updated:,} updated, "
            f"{len(tally.import_errors)} failed rounds"
        )
        write(
            f"edits:             {tally.edits_written:,} written to {len(tally.last_edit):,} "
            f"providers, {len(tally.edit_errors)} failed, lost edits: {tally.lost_edits}"
        )
        write(f"worker RSS:        start {tally.rss_start}; end {tally.rss_end}")
        for problem in [*tally.import_errors[:3], *tally.edit_errors[:3]]:
            write(f"  {problem}")
        if errors_5xx or tally.lost_edits or tally.connection_errors:
            raise CommandError("Soak found 5xx responses, connection errors or lost edits.")
        write(self.style.SUCCESS("Soak passed: no 5xx responses and no lost edits."))
