"""`DEVTOOLS=1 manage.py bench_medicare_clinicians [--megabytes 650]`: the Doctors and
Clinicians import's rows/s and peak memory on a generated file.

Writes a CSV in CMS's layout (devtools/medicare_testing.py) of about that many megabytes: a few
rows for each provider listed in the database (the NPIs it matches), the rest other specialties
it must skip. Imports a tenth of it and then all of it with the real importer
(providers/medicare_clinicians.py), and prints rows/s and the peak RSS after each: memory stays
flat when the second figure matches the first. Writes to the configured database (the listed
providers' Medicare participation, replacing an earlier file's): run it on a scratch database
with demo listings (`seed_demo`), e.g. DATABASE_URL=sqlite:////tmp/bench.sqlite3.
"""

import multiprocessing
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from devtools.medicare_testing import dac_row, other_clinicians, write_dac_csv
from providers.medicare_clinicians import import_clinicians_file
from providers.models import MedicareParticipation, Provider

BYTES_PER_ROW = 222  # a generated row of other_clinicians(), measured
ROWS_PER_LISTED = 3  # a listed clinician's rows: enrollments x groups x addresses


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rows_for(listed: list[str], total: int, seed: int) -> Iterator[dict[str, str]]:
    """`total` rows: ROWS_PER_LISTED for each listed NPI (one `M` in ten), spread through the
    other clinicians' rows."""
    rng = random.Random(seed)
    others = other_clinicians(max(total - len(listed) * ROWS_PER_LISTED, 0), seed=seed)
    listed_rows = [
        dac_row(npi, assignment="M" if rng.random() < 0.1 else "Y", telehealth=rng.choice("Y "))
        for npi in listed
        for _ in range(ROWS_PER_LISTED)
    ]
    every = max(total // max(len(listed_rows), 1), 1)
    for index, row in enumerate(others):
        if listed_rows and index % every == 0:
            yield listed_rows.pop()
        yield row
    yield from listed_rows


def write_file(path: Path, listed: list[str], total: int, seed: int) -> int:
    return write_dac_csv(path, rows_for(listed, total, seed))


class Command(BaseCommand):
    help = (
        "Benchmark the Doctors and Clinicians import on a generated file: rows/s scanned and "
        "peak memory at a tenth of the size and at the full size. Writes the listed providers' "
        "Medicare participation to the configured database: use a scratch one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--megabytes", type=int, default=650, help="size of the CSV")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--dir", help="where to write the CSVs (default: the temp dir)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though the database holds a clinicians file's participation rows",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        megabytes: int = options["megabytes"]
        if megabytes < 1:
            raise CommandError("--megabytes must be at least 1.")
        listed = list(Provider.objects.order_by("id").values_list("npi", flat=True))
        if not listed:
            raise CommandError(
                "No listed providers to match: run seed_demo (on a scratch database) first."
            )
        imported = MedicareParticipation.objects.filter(
            source=MedicareParticipation.Source.MEDICARE_FILE
        )
        if imported.exists() and not options["force"]:
            raise CommandError(
                "This database holds participation from a clinicians file, which the benchmark "
                "would replace. Point DATABASE_URL at a scratch database, or pass --force."
            )
        write = self.stdout.write
        write(f"Database: {connection.vendor}; {len(listed):,} listed providers")
        folder = Path(options["dir"] or tempfile.gettempdir())
        total = megabytes * 1_000_000 // BYTES_PER_ROW
        runs = []
        for rows in (total // 10, total):
            path = folder / f"DAC_bench_{rows}_{options['seed']}.csv"
            started = time.perf_counter()
            # In a child process, so this one's peak memory is the importer's alone.
            with multiprocessing.get_context("fork").Pool(1) as pool:
                written = pool.apply(write_file, (path, listed, rows, options["seed"]))
            write(
                f"generated {path.name}: {written:,} rows, {path.stat().st_size / 1e6:,.0f} MB "
                f"in {time.perf_counter() - started:.0f} s"
            )
            runs.append(path)
        for path in runs:
            cpu_started = cpu_seconds()
            summary = import_clinicians_file(path)
            cpu = cpu_seconds() - cpu_started
            providers = {str(key): count for key, count in sorted(summary.providers.items())}
            write(
                f"import {path.stat().st_size / 1e6:,.0f} MB: {summary.rows_read:,} rows scanned "
                f"in {summary.scan_seconds:.1f} s = {summary.rows_per_second_scanned:,.0f} "
                f"rows/s; whole import (with the writes) {summary.elapsed:.1f} s, "
                f"{cpu:.1f} CPU s; "
                f"{summary.rows_listed:,} rows of listed providers, providers {providers}; "
                f"peak RSS {peak_rss_mib():,.0f} MiB"
            )
