from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from providers.reference import load_reference_data

LABELS = {
    "practice_acts": "Practice acts",
    "procedures": "Procedures",
    "insurance_plans": "Insurance plans",
    "medicare_national_amounts": "Medicare national amounts",
}


class Command(BaseCommand):
    help = (
        "Create or update the reference data: practice acts for the 50 states and DC, procedure "
        "codes, insurance plans and Medicare's national fee schedule amounts. Idempotent; "
        "keeps curators' edits unless --overwrite; never deletes rows curators added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Reset rows a curator edited to the shipped reference data.",
        )

    def handle(self, *args: Any, overwrite: bool = False, **options: Any) -> None:
        counts = load_reference_data(overwrite=overwrite)
        for kind, label in LABELS.items():
            kind_counts = counts[kind]
            self.stdout.write(
                f"{label}: {kind_counts['created']} created, {kind_counts['updated']} updated, "
                f"{kind_counts['unchanged']} unchanged"
                + (
                    f", {kind_counts['kept']} edited by curators kept"
                    if kind_counts["kept"]
                    else ""
                )
            )
