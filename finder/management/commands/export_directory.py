"""Writes the bulk exports to files, for operators: the same generator as the endpoints."""

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from finder.api.export import provider_lines
from finder.api.search import provider_url_at
from finder.exports import exported_providers
from finder.fhir.bulk import resource_lines
from finder.fhir.profiles import RESOURCE_TYPES

API_FILE = "providers.ndjson"


class Command(BaseCommand):
    help = (
        f"Write every public provider to OUT_DIR: {API_FILE} (each line the API's provider "
        "detail, as GET /api/v1/export/providers.ndjson) and one FHIR NDJSON file per resource "
        "type (<Type>.ndjson, as GET /fhir/$export). Each file is written whole or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path)
        parser.add_argument(
            "--updated-since",
            help="Only what changed at or after this ISO 8601 instant (with its zone).",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="The site's address, for each provider's `url` in the API file.",
        )

    def handle(self, *args, out_dir: Path, updated_since: str | None, base_url: str, **_) -> None:
        since = None
        if updated_since:
            since = parse_datetime(updated_since)
            if since is None or since.tzinfo is None:
                raise CommandError(
                    f"--updated-since: '{updated_since}' is not an ISO 8601 instant with its "
                    "time zone (e.g. 2026-11-20T10:00:00Z)."
                )
        out_dir.mkdir(parents=True, exist_ok=True)
        snapshot = timezone.now()
        providers = exported_providers(updated_since=since, updated_until=snapshot)
        files: dict[str, Iterator[bytes]] = {
            API_FILE: provider_lines(providers, provider_url_at(base_url))
        }
        # FHIR's _since is "changed after"; --updated-since is "at or after", as the API's.
        fhir_since = since - timedelta(microseconds=1) if since else None
        for resource_type in RESOURCE_TYPES:
            files[f"{resource_type}.ndjson"] = resource_lines(
                resource_type, since=fhir_since, until=snapshot
            )
        for name, chunks in files.items():
            started = time.perf_counter()
            lines, size = write_whole(out_dir / name, chunks)
            seconds = time.perf_counter() - started
            self.stdout.write(f"{name}: {lines:,} lines, {size:,} bytes in {seconds:.1f} s")
        self.stdout.write(f"Exported to {out_dir} as of {snapshot.isoformat()}.")


def write_whole(path: Path, chunks: Iterator[bytes]) -> tuple[int, int]:
    """Writes `chunks` to `path` through a temporary file renamed at the end, so a failure
    leaves the previous file (or none), never half of one: (lines, bytes) written."""
    partial = path.with_name(f".{path.name}.partial")
    lines = size = 0
    try:
        with partial.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
                lines += chunk.count(b"\n")
                size += len(chunk)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return lines, size
