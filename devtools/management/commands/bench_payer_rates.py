"""`DEVTOOLS=1 manage.py bench_payer_rates [--megabytes 100] [--groups 50000]`: the payer-file
reader's MB/s of JSON and peak memory on a generated file.

Writes a gzipped in-network file of about that many megabytes of JSON (devtools/
payer_testing.py: 2% of the provider groups hold a listed provider), then runs the importer's
two streamed passes (providers/payer_files.py) over it with those NPIs as the listed providers,
in this process, and prints MB/s and peak RSS. Run it at two sizes to see memory stay flat.
The database writes that follow are proportional to the rows kept, not to the file; this
command writes none.
"""

import gzip
import multiprocessing
import resource
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import ijson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.payer_testing import write_in_network_file
from providers.payer_files import (
    ListedNpis,
    ReadCounts,
    read_groups,
    read_header,
    read_rates,
)
from providers.payer_json import ArrayLayout

CARRIED = ("98940", "98941", "97110", "97140")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def cpu_seconds() -> float:
    """This process's CPU time: on a shared machine, MB per CPU second is the figure that does
    not depend on what else runs."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Command(BaseCommand):
    help = (
        "Benchmark the payer-file reader on a generated in-network file: MB/s of JSON over "
        "its two streamed passes and peak memory. Writes nothing to the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--megabytes", type=int, default=100, help="uncompressed JSON size")
        parser.add_argument("--groups", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--path", help="the .json.gz to write")
        parser.add_argument(
            "--baseline",
            action="store_true",
            help="also time ijson tokenizing the file once (the floor of any ijson-based reader)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        megabytes: int = options["megabytes"]
        if megabytes < 1 or options["groups"] < 1:
            raise CommandError("--megabytes and --groups must be at least 1.")
        default = Path(tempfile.gettempdir()) / f"in-network-bench-{megabytes}mb.json.gz"
        path = Path(options["path"] or default)
        write = self.stdout.write

        started = time.perf_counter()
        # In a child process, so this one's peak memory is the reader's alone.
        with multiprocessing.get_context("fork").Pool(1) as pool:
            generated = pool.apply(
                write_in_network_file,
                (path,),
                {
                    "target_bytes": megabytes * 1_000_000,
                    "groups": options["groups"],
                    "seed": options["seed"],
                },
            )
        write(
            f"generated {path} in {time.perf_counter() - started:.0f} s: "
            f"{generated.bytes_written / 1e6:,.0f} MB of JSON, {generated.items:,} codes, "
            f"{generated.groups:,} groups, {len(generated.listed_npis):,} listed NPIs, "
            f"{path.stat().st_size / 1e6:,.0f} MB gzipped"
        )
        rss_before = peak_rss_mib()

        counts = ReadCounts()
        listed = ListedNpis(generated.listed_npis)
        started, cpu_started = time.perf_counter(), cpu_seconds()
        header = read_header(path)
        layout = ArrayLayout.of(path, search=not header.nests_array_keys)
        groups = read_groups(path, listed=listed, counts=counts, layout=layout)
        kept = sum(
            1
            for _rate in read_rates(
                path,
                groups=groups,
                listed=listed,
                carried=CARRIED,
                today=date(2026, 11, 20),
                counts=counts,
                layout=layout,
            )
        )
        elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
        write(
            f"read: {counts.bytes_read / 1e6:,.0f} MB of JSON in {elapsed:.1f} s = "
            f"{counts.bytes_read / 1e6 / elapsed:,.1f} MB/s (two passes; "
            f"{counts.bytes_read / 1e6 / cpu:,.1f} MB per CPU second); "
            f"{counts.npis_read:,} NPIs read, {counts.npis_kept:,} kept; {kept:,} rates kept; "
            f"skipped {dict(sorted(counts.skipped.items()))}"
        )
        if options["baseline"]:
            # The floor of any ijson-based reader: tokenizing every byte of the file once.
            started, cpu_started = time.perf_counter(), cpu_seconds()
            with gzip.open(path, "rb") as stream:
                for _event in ijson.basic_parse(stream, use_float=True):
                    pass
            elapsed, floor_cpu = time.perf_counter() - started, cpu_seconds() - cpu_started
            write(
                f"floor, ijson tokenizing the file once: {elapsed:.1f} s = "
                f"{counts.bytes_read / 1e6 / elapsed:,.1f} MB/s "
                f"({counts.bytes_read / 1e6 / floor_cpu:,.1f} MB per CPU second); "
                f"the reader takes {cpu / floor_cpu:.2f}x the floor's CPU"
            )
        write(f"peak RSS: {rss_before:,.0f} MiB before reading, {peak_rss_mib():,.0f} MiB after")
