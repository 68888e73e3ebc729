"""`manage.py import_medicare_fees PFALL_PATH ZIP5_PATH`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers.management.progress import every_few_seconds, rows_read_line
from providers.medicare_fees import FeeImportSummary, import_fee_files

PROGRESS_SECONDS = 2.0


class Command(BaseCommand):
    help = (
        "Import the Medicare Physician Fee Schedule amounts by locality (CMS PFALL file, or the "
        "zip holding it) for the procedure codes the site carries, and the ZIP code to "
        "locality map (CMS ZIP5 file, or its zip). Safe to re-run: the file's year and the ZIP "
        "map are replaced in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pfall_path", help="PFALL26A.TXT (or a revision) or the .ZIP")
        parser.add_argument("zip5_path", help="ZIP5_*.txt or the ZIP code to locality .zip")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(options["pfall_path"]), Path(options["zip5_path"])]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        # Progress on a terminal only: a log or a test's output gets the summary alone.
        progress = (
            every_few_seconds(self.stdout.write, rows_read_line, seconds=PROGRESS_SECONDS)
            if self.stdout.isatty()
            else None
        )

        self.stdout.write(f"Importing {paths[0]} and {paths[1]} ...")
        try:
            summary = import_fee_files(*paths, progress=progress)
        except ValueError as exc:  # a file that does not match its layout; nothing was written
            raise CommandError(f"{exc} Nothing was imported.") from exc
        self.report(summary)

    def report(self, summary: FeeImportSummary) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Done in {summary.elapsed:,.1f} s."))
        write(f"  year:                {summary.year}")
        write(f"  fee rows read:       {summary.fee_rows_read:,}")
        write(f"  amounts stored:      {summary.fees:,} (replacing {summary.fees_replaced:,})")
        for reason, count in sorted(summary.fees_skipped.items()):
            write(f"    skipped, {reason}: {count:,}")
        write(f"  ZIP codes stored:    {summary.zips:,} ({summary.split_zips:,} split by ZIP+4)")
        write(f"  localities:          {summary.localities:,} ({summary.localities_created:,} new)")
        if summary.codes_missing:
            write(f"  codes without a paid amount: {', '.join(summary.codes_missing)}")
        write(f"  speed: {summary.rows_per_second:,.0f} rows/s")
