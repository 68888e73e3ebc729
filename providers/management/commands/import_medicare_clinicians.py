"""`manage.py import_medicare_clinicians DAC_PATH [--as-of YYYY-MM-DD]`."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers.management.progress import every_few_seconds, rows_read_line
from providers.medicare_clinicians import ClinicianImportSummary, import_clinicians_file


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of must be a date like 2026-11-01, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "Record listed providers' Medicare assignment and telehealth from the CMS Doctors and "
        "Clinicians file (DAC_NationalDownloadableFile.csv, or a zip). Matches every listing by "
        "NPI; a participating provider's listing gains Original Medicare. Safe to re-run: the "
        "previous file's records are replaced; curators' records are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="DAC_NationalDownloadableFile.csv or a .zip holding it")
        parser.add_argument(
            "--as-of", help="The file's date (YYYY-MM-DD); default: its modification day."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        as_of = _day(options["as_of"]) if options["as_of"] else None
        # Progress on a terminal only: a log or a test's output gets the summary alone.
        progress = (
            every_few_seconds(self.stdout.write, rows_read_line) if self.stdout.isatty() else None
        )

        self.stdout.write(f"Importing {path} ...")
        try:
            summary = import_clinicians_file(path, as_of=as_of, progress=progress)
        except ValueError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        self.report(summary)

    def report(self, summary: ClinicianImportSummary) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Done in {summary.elapsed:,.1f} s."))
        write(f"  file date:        {summary.as_of}")
        write(f"  rows read:        {summary.rows_read:,}")
        write(f"  rows of listings: {summary.rows_listed:,}")
        for reason, count in sorted(summary.skipped.items()):
            write(f"    skipped, {reason}: {count:,}")
        for label, counts in (("providers", summary.providers), ("locations", summary.locations)):
            parts = ", ".join(f"{name} {count:,}" for name, count in sorted(counts.items()))
            write(f"  {label}: {sum(counts.values()):,}" + (f" ({parts})" if parts else ""))
        write(f"  offering telehealth: {summary.telehealth:,}")
        write(f"  telehealth no longer flagged (now unknown): {summary.telehealth_cleared:,}")
        write(f"  kept curators' records: {summary.curator_kept:,}")
        write(f"  providers no longer in the file: {summary.removed:,}")
        write(f"  listings given Original Medicare: {summary.plans_added:,}")
        write(f"  listings no longer shown taking it: {summary.plans_ended:,}")
        write(f"  speed: {summary.rows_per_second:,.0f} rows/s")
