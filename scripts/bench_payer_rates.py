"""Benchmark the payer-file reader: MB/s of JSON and peak memory on a generated file.

    .venv/bin/python scripts/bench_payer_rates.py --megabytes 1000 --groups 50000

Writes a gzipped in-network file of about that many megabytes of JSON (tests/providers/
payer_generator.py: 2% of the provider groups hold a listed provider), then runs the importer's
two streamed passes (providers/payer_files.py) over it with those NPIs as the listed providers,
in this process, and prints MB/s and peak RSS. Run it at two sizes to see memory stay flat.
The database writes that follow are proportional to the rows kept, not to the file.
"""

import argparse
import gzip
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402
import ijson  # noqa: E402

django.setup()

from providers.payer_files import (  # noqa: E402
    ListedNpis,
    ReadCounts,
    read_groups,
    read_header,
    read_rates,
)
from tests.providers.payer_generator import write_in_network_file  # noqa: E402

CARRIED = ("98940", "98941", "97110", "97140")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=100, help="uncompressed JSON size")
    parser.add_argument("--groups", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--path", help="the .json.gz to write")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also time ijson alone over the same two passes (the parser's own ceiling)",
    )
    args = parser.parse_args()
    default = Path(tempfile.gettempdir()) / f"in-network-bench-{args.megabytes}mb.json.gz"
    path = Path(args.path or default)

    started = time.perf_counter()
    # In a child process, so this one's peak memory is the reader's alone.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        generated = pool.apply(
            write_in_network_file,
            (path,),
            {"target_bytes": args.megabytes * 1_000_000, "groups": args.groups, "seed": args.seed},
        )
    print(
        f"generated {path} in {time.perf_counter() - started:.0f} s: "
        f"{generated.bytes_written / 1e6:,.0f} MB of JSON, {generated.items:,} codes, "
        f"{generated.groups:,} groups, {len(generated.listed_npis):,} listed NPIs, "
        f"{path.stat().st_size / 1e6:,.0f} MB gzipped"
    )
    rss_before = peak_rss_mib()

    counts = ReadCounts()
    listed = ListedNpis(generated.listed_npis)
    started = time.perf_counter()
    read_header(path)
    groups = read_groups(path, listed=listed, counts=counts)
    kept = sum(
        1
        for _rate in read_rates(
            path,
            groups=groups,
            listed=listed,
            carried=CARRIED,
            today=date(2026, 11, 20),
            counts=counts,
        )
    )
    elapsed = time.perf_counter() - started
    print(
        f"read: {counts.bytes_read / 1e6:,.0f} MB of JSON in {elapsed:.1f} s = "
        f"{counts.bytes_read / 1e6 / elapsed:,.1f} MB/s (two passes); "
        f"{counts.npis_read:,} NPIs read, {counts.npis_kept:,} kept; {kept:,} rates kept; "
        f"skipped {dict(sorted(counts.skipped.items()))}"
    )
    if args.baseline:
        started = time.perf_counter()
        for prefix in ("provider_references.item", "in_network.item"):
            with gzip.open(path, "rb") as stream:
                for _item in ijson.items(stream, prefix, use_float=False):
                    pass
        elapsed = time.perf_counter() - started
        speed = counts.bytes_read / 1e6 / elapsed
        print(f"baseline, ijson alone over the same passes: {elapsed:.1f} s = {speed:,.1f} MB/s")
    print(f"peak RSS: {rss_before:,.0f} MiB before reading, {peak_rss_mib():,.0f} MiB after")


if __name__ == "__main__":
    main()
