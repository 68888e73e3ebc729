import os
import shutil

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.template.defaultfilters import pluralize

from devtools.benchmark import (
    ensure_dataset,
    measure_domain,
    measure_http,
    measure_instructions,
    other_provider_count,
)
from providers.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "Generate (or reuse) a US-scale dataset and print search latency (p50/p95/p99), "
        "the raw-SQL floor, and HTTP throughput through gunicorn. Run it against a database "
        "of its own: it refuses one that holds other providers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--locations", type=int, default=300_000)
        parser.add_argument("--samples", type=int, default=200)
        parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="Threads per gunicorn worker (GUNICORN_THREADS); above 1, gthread workers.",
        )
        parser.add_argument("--skip-http", action="store_true")
        parser.add_argument(
            "--instructions",
            action="store_true",
            help="Also count the app's instructions per API search under valgrind (callgrind): "
            "a figure that does not move with the machine's load. Takes a few minutes.",
        )
        parser.add_argument(
            "--allow-mixed-database",
            action="store_true",
            help="Add the benchmark providers even to a database that holds other providers.",
        )

    def handle(
        self,
        *args,
        locations: int,
        samples: int,
        workers: int,
        threads: int,
        skip_http: bool,
        instructions: bool,
        allow_mixed_database: bool,
        **_,
    ):
        log = self.stdout.write
        # Checked before anything is written: the generated listings are public (demo) ones, so
        # in a development or production database they would flood every search.
        others = 0 if allow_mixed_database else other_provider_count()
        if others:
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} already holds {others} "
                f"provider{pluralize(others)} besides the benchmark's own, and the benchmark "
                'would add its "Bench Provider" listings to their public search. Point '
                "DATABASE_URL at a database of its own, or pass --allow-mixed-database."
            )
        if instructions and shutil.which("valgrind") is None:
            raise CommandError("--instructions needs valgrind (apt-get install valgrind).")
        # A fresh benchmark database needs the schema first; on a migrated one this is a no-op.
        call_command("migrate", interactive=False, verbosity=0)
        load_reference_data()
        log(f"Database: {connection.vendor}")
        ensure_dataset(locations, log=log)
        log(f"Domain function ({samples} samples each):")
        measure_domain(samples, log)
        if not skip_http:
            kind = f"{workers} workers" + (f" x {threads} threads" if threads > 1 else "")
            log(f"HTTP through gunicorn ({kind}, {samples} samples each):")
            measure_http(samples, workers, log, threads)
        if instructions:
            count = min(samples, 100)  # under valgrind a request takes about 50 times longer
            log(f"Instructions per request (valgrind, {count} requests each, in process):")
            measure_instructions(count, log)
