"""`DEVTOOLS=1 manage.py bench_export [--providers 3000]`: the bulk exports' time and memory.

Streams `GET /api/v1/export/providers.ndjson` through its view (with a partner key made for
the run and deleted after), and the FHIR Bulk Data files through the generator their view
streams, over the database's public providers (seeding demo data when it has none, as
`make run` does). Prints the time, the lines against the public providers, and memory: the
peak Python allocation (tracemalloc, in a second pass, since tracing slows it), what the
export holds after each batch (flat when it holds one batch at a time), and peak RSS.
"""

import gc
import resource
import time
import tracemalloc
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test import RequestFactory

from finder.api.export import ProviderExportApi
from finder.fhir.bulk import resource_lines
from finder.models import PartnerApiKey
from providers.models import Provider
from providers.reference import load_reference_data

MIB = 1024 * 1024


@dataclass(frozen=True)
class Run:
    lines: int
    size: int
    seconds: float
    held_mib: list[float]  # traced memory after each chunk (a batch), when traced
    peak_mib: float


def consume(chunks: Iterable[bytes], *, traced: bool) -> Run:
    if traced:
        tracemalloc.start()
    lines = size = 0
    held: list[float] = []
    started = time.perf_counter()
    try:
        for chunk in chunks:
            lines += chunk.count(b"\n")
            size += len(chunk)
            if traced:
                # Collected first: a batch's instances link to each other in cycles (a
                # location caches its provider), which the collector frees in its own time.
                gc.collect()
                held.append(tracemalloc.get_traced_memory()[0] / MIB)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / MIB if traced else 0.0
    finally:
        if traced:
            tracemalloc.stop()
    return Run(lines, size, seconds, held, peak)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


class Command(BaseCommand):
    help = (
        "Time the bulk exports (partner NDJSON and FHIR Bulk Data files) over the public "
        "providers and print their memory; seeds demo data into an empty database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--providers",
            type=int,
            default=3000,
            help="Demo providers to seed when the database holds none (seed_demo's default).",
        )

    def handle(self, *args, providers: int, **_) -> None:
        public = Provider.objects.public().count()
        if public == 0:
            load_reference_data()
            call_command("seed_demo", "--providers", str(providers), stdout=self.stdout)
            public = Provider.objects.public().count()
        self.stdout.write(
            f"{public:,} public providers, batches of {settings.EXPORT_BATCH_SIZE} "
            f"(EXPORT_BATCH_SIZE)"
        )
        api_key, key = PartnerApiKey.objects.create_key(
            name="bench_export", owner_contact="bench@localhost"
        )
        try:
            for traced in (False, True):
                run = consume(self.api_export(key), traced=traced)
                self.report("providers.ndjson (API detail per line)", run, public, traced)
        finally:
            api_key.delete()
        for resource_type in ("Practitioner", "PractitionerRole", "Location"):
            run = consume(resource_lines(resource_type), traced=False)
            self.report(f"FHIR {resource_type}.ndjson", run, None, traced=False)
        self.stdout.write(f"peak RSS: {peak_rss_mib():.0f} MiB")

    def api_export(self, key: str) -> Iterable[bytes]:
        request = RequestFactory().get(
            "/api/v1/export/providers.ndjson", HTTP_AUTHORIZATION=f"Api-Key {key}"
        )
        response = ProviderExportApi.as_view()(request)
        assert response.status_code == 200, response.status_code
        return response.streaming_content

    def report(self, name: str, run: Run, public: int | None, traced: bool) -> None:
        if traced:
            held = run.held_mib
            self.stdout.write(
                f"  memory (tracemalloc, traced pass {run.seconds:.1f} s): peak "
                f"{run.peak_mib:.1f} MiB; held after each of the {len(held)} batches: "
                f"{', '.join(f'{mib:.1f}' for mib in held)} MiB"
            )
            return
        matches = ""
        if public is not None:
            matches = " = the public providers" if run.lines == public else " != public providers!"
        self.stdout.write(
            f"{name}: {run.lines:,} lines{matches}, {run.size / MIB:.1f} MiB in "
            f"{run.seconds:.2f} s ({run.lines / run.seconds:,.0f} lines/s)"
        )
