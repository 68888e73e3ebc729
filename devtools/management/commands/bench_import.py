"""`DEVTOOLS=1 manage.py bench_import [--rows N]`: time the NPPES importer on a synthetic file.

Writes to the configured database: run it against a scratch one, e.g.
DATABASE_URL=sqlite:////tmp/bench.sqlite3 or postgres://.../jointcare_bench.
"""

import resource
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from devtools.nppes_testing import generate_rows, write_nppes_csv
from providers.geo import zip_index
from providers.models import ImportRun, Provider
from providers.nppes import import_file
from providers.nppes_parse import NppesRecord, read_records

MIB = 1024 * 1024


def max_rss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = (
        "Benchmark the NPPES import on N synthetic rows: read-and-filter rows/s (no database), "
        "import providers/s, re-import providers/s and peak memory. Needs an empty provider "
        "table (use a scratch database) unless --force; removes what it imported unless --keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--path", help="CSV to write or reuse (default: in the temp dir).")
        parser.add_argument("--regenerate", action="store_true", help="Rewrite an existing CSV.")
        parser.add_argument("--keep", action="store_true", help="Keep the imported providers.")
        parser.add_argument("--force", action="store_true", help="Run on a non-empty database.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows: int = options["rows"]
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        if Provider.objects.exists() and not options["force"]:
            raise CommandError(
                "The provider table is not empty. Point DATABASE_URL at a scratch database, "
                "or pass --force to add (and afterwards remove) synthetic providers here."
            )
        default = Path(tempfile.gettempdir()) / f"npidata_pfile_bench_{rows}_{options['seed']}.csv"
        path = Path(options["path"] or default)
        write = self.stdout.write
        write(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")

        if options["regenerate"] or not path.exists():
            started = time.perf_counter()
            write_nppes_csv(path, generate_rows(rows, seed=options["seed"]))
            write(f"Generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
        write(f"File: {path} ({path.stat().st_size / MIB:,.0f} MiB)")

        started = time.perf_counter()
        zip_index()  # the one-off ZIP table load (~0.4 s) stays out of the rates below
        write(f"ZIP centroid table loaded in {time.perf_counter() - started:.2f} s")
        rss_before_import = max_rss_mib()

        started = time.perf_counter()
        read = kept = 0
        for _line, outcome in read_records(path):
            read += 1
            kept += isinstance(outcome, NppesRecord)
        elapsed = time.perf_counter() - started
        write(
            f"read + filter (no database): {read:,} rows in {elapsed:.2f} s = "
            f"{read / elapsed:,.0f} rows/s; {kept:,} providers kept"
        )

        bench_started = time.time()
        first = import_file(path, batch_size=options["batch_size"])
        write(
            f"import (creates):   {first.rows_read:,} rows in {first.elapsed:.2f} s = "
            f"{first.rows_per_second:,.0f} rows/s, {first.providers_per_second:,.0f} providers/s "
            f"(created {first.created:,}, errors {first.skipped['error']:,})"
        )

        again = import_file(path, batch_size=options["batch_size"])
        write(
            f"re-import (no changes): {again.elapsed:.2f} s = {again.rows_per_second:,.0f} "
            f"rows/s, {again.providers_per_second:,.0f} providers/s "
            f"(unchanged {again.unchanged:,}, updated {again.updated:,})"
        )

        tracemalloc.start()  # slows Python down a lot: a separate pass, for memory only
        import_file(path, batch_size=options["batch_size"])
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        write(
            f"peak memory: process max RSS {max_rss_mib():,.0f} MiB "
            f"({rss_before_import:,.0f} MiB before the import passes, most of it the ZIP table); "
            f"Python heap peak during a re-import {traced_peak / MIB:,.1f} MiB (tracemalloc)"
        )

        if not options["keep"]:
            started = time.perf_counter()
            self.clean_up(bench_started, path.name)
            write(f"Removed the synthetic providers in {time.perf_counter() - started:.1f} s")

    def clean_up(self, since: float, source_name: str) -> None:
        started_at = datetime.fromtimestamp(since, tz=UTC)
        created = Provider.objects.filter(created_at__gte=started_at)
        while ids := list(created.values_list("id", flat=True)[:5000]):
            Provider.objects.filter(id__in=ids).delete()
        ImportRun.objects.filter(source_name=source_name, started_at__gte=started_at).delete()
