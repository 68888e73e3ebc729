"""`manage.py import_payer_rates PATH [PATH ...] [--plan SLUG] [--toc TOC_PATH]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers.management.progress import every_few_seconds
from providers.models import InsurancePlan
from providers.payer_rates import ImportSummary, PayerFileError, import_payer_files

SHOWN_LOCATIONS = 5


class Command(BaseCommand):
    help = (
        "Import payers' Transparency-in-Coverage in-network rates files (.json, .json.gz or "
        ".zip; schema 1.x and 2.x): which listed providers are in which network, and their "
        "negotiated rates for the codes the site carries. A network's files of one "
        "publication (one last_updated_on) may come in one run or several: each replaces only "
        "its own rows; a newer publication replaces the network's rates whole. Safe to re-run; "
        "curator-entered plans are never removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="in-network rates files")
        parser.add_argument(
            "--plan", metavar="SLUG", help="Count every file for this existing plan."
        )
        parser.add_argument(
            "--toc",
            metavar="TOC_PATH",
            help="A table-of-contents file naming the plans each in-network file serves "
            "(matched by the base name of its location).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(p) for p in options["paths"]]
        missing = [str(p) for p in paths if not p.is_file()]
        toc = Path(options["toc"]) if options["toc"] else None
        if toc is not None and not toc.is_file():
            missing.append(str(toc))
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        plan = None
        if options["plan"]:
            plan = InsurancePlan.objects.filter(slug=options["plan"]).first()
            if plan is None:
                raise CommandError(f"Unknown insurance plan '{options['plan']}'.")

        progress = every_few_seconds(
            self.stdout.write, lambda bytes_read: f"  {bytes_read / 1e6:,.0f} MB of JSON read"
        )

        self.stdout.write(f"Importing {', '.join(str(p) for p in paths)} ...")
        try:
            summary = import_payer_files(paths, plan=plan, toc=toc, progress=progress)
        except PayerFileError as exc:
            raise CommandError(f"{exc} Nothing was written.") from exc
        self.report(summary)

    def report(self, summary: ImportSummary) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS(f"Done in {summary.elapsed:,.1f} s."))
        for item in summary.files:
            write(
                f"  {item.name}: version {item.version}, dated {item.last_updated_on}, "
                f"{item.counts.provider_groups:,} provider groups, "
                f"{item.counts.npis_kept:,} listed NPIs, {item.counts.prices_read:,} prices read"
            )
            if item.counts.external_references:
                write(
                    f"    {item.counts.external_references:,} provider reference(s) point at "
                    "another file and were skipped, e.g.:"
                )
                for location in item.counts.external_locations[:SHOWN_LOCATIONS]:
                    write(f"      {location}")
        write(f"  rates kept: {summary.rates_kept:,}")
        write(f"  prices skipped: {sum(summary.skipped.values()):,}")
        for reason, count in sorted(summary.skipped.items()):
            write(f"    {reason}: {count:,}")
        write(
            f"  network listings: {summary.acceptances_current:,} current "
            f"({summary.acceptances_new:,} new), {summary.acceptances_ended:,} ended"
        )
        if summary.plans_created:
            write(f"  plans created: {', '.join(summary.plans_created)}")
        if summary.plans_updated:
            write(f"  plans updated: {', '.join(summary.plans_updated)}")
        if summary.plans_older_than_stored:
            write(
                "  left alone (a newer file is already imported): "
                f"{', '.join(summary.plans_older_than_stored)}"
            )
        write(f"  speed: {summary.megabytes_per_second:,.1f} MB/s of JSON")
