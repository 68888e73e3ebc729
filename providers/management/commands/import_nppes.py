"""`manage.py import_nppes PATH [--state XX ...] [--limit N] [--batch-size N]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers.management.progress import every_few_seconds
from providers.nppes import ImportSummary, import_file
from providers.states import US_STATES

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = (
        "Import chiropractors and physical therapists from the CMS NPPES npidata file "
        "(CSV or the monthly zip). Safe to re-run: unchanged providers are left alone and "
        "curator-owned fields are never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="npidata_pfile_*.csv or the NPPES monthly .zip")
        parser.add_argument(
            "--state",
            dest="states",
            action="extend",
            nargs="+",
            metavar="XX",
            help="Only practice locations in these states (repeatable: --state TX CA).",
        )
        parser.add_argument("--limit", type=int, help="Stop after this many data rows.")
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        states = {state.upper() for state in options["states"] or []}
        unknown = sorted(states - US_STATES.keys())
        if unknown:
            raise CommandError(f"Unknown state code(s): {', '.join(unknown)}")
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")

        progress = every_few_seconds(
            self.stdout.write,
            lambda summary: (
                f"  {summary.rows_read:,} rows read ({summary.rows_per_second:,.0f} rows/s), "
                f"{summary.providers:,} providers saved"
            ),
        )

        self.stdout.write(f"Importing {path} ...")
        try:
            summary = import_file(
                path,
                states=states or None,
                limit=options["limit"],
                batch_size=options["batch_size"],
                progress=progress,
            )
        except ValueError as exc:  # not an NPPES file, or a zip without the data file
            raise CommandError(str(exc)) from exc
        self.report(summary)

    def report(self, summary: ImportSummary) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Done in {summary.elapsed:,.1f} s."))
        write(f"  rows read:  {summary.rows_read:,}")
        write(f"  created:    {summary.created:,}")
        write(f"  updated:    {summary.updated:,}")
        write(f"  unchanged:  {summary.unchanged:,}")
        write(f"  skipped:    {sum(summary.skipped.values()):,}")
        for reason, count in sorted(summary.skipped.items()):
            write(f"    {reason}: {count:,}")
        if summary.errors:
            shown = summary.errors[:SHOWN_ERRORS]
            write(f"  errors (first {len(shown)} of {summary.skipped['error']:,}):")
            for line, reason in shown:
                write(f"    line {line}: {reason}")
        write(
            f"  speed: {summary.rows_per_second:,.0f} rows/s, "
            f"{summary.providers_per_second:,.0f} providers/s"
        )
