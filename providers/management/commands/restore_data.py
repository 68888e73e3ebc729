"""`manage.py restore_data PATH [--flush] [--noinput]`: load a backup_data file (see
docs/operations.md)."""

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, transaction

from providers import freshness
from providers.models import InsurancePlan, PracticeAct, Procedure, Provider, ProviderHistory

CURATED = (Provider, PracticeAct, Procedure, InsurancePlan)


class Command(BaseCommand):
    help = (
        "Load a file written by backup_data, in one transaction: all of it or, on any error, "
        "none of it. Into an empty database, or with --flush to replace everything first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A backup_data file (.json, .json.gz, ...).")
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Delete all current data first (asks for confirmation unless --noinput).",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args: Any, path: str, flush: bool, interactive: bool, **options) -> None:
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        if not flush and any(model.objects.using(DEFAULT_DB_ALIAS).exists() for model in CURATED):
            raise CommandError(
                "The database already holds data. Restore into an empty database, or pass "
                "--flush to delete everything in it first."
            )
        if flush and interactive and not confirmed():
            raise CommandError("Restore cancelled.")
        try:
            with transaction.atomic():
                if flush:
                    call_command("flush", interactive=False, verbosity=0)
                with ProviderHistory.restoring():
                    call_command("loaddata", str(source), verbosity=1, stdout=self.stdout)
        except CommandError:
            raise
        except Exception as exc:  # not a backup (bad JSON, compression, models): rolled back
            raise CommandError(f"{str(exc).rstrip('.')}. Nothing was changed.") from exc
        # Cached search pages and practice-act lookups predate the restore.
        freshness.bump(freshness.LISTINGS)
        freshness.bump(freshness.PRACTICE_ACTS)
        self.stdout.write(self.style.SUCCESS(f"Restored {source}."))


def confirmed() -> bool:
    """Whether the operator typed 'yes'; no answer at all (no terminal) is a no."""
    try:
        answer = input("This deletes ALL data in the database, then loads the backup. Type 'yes': ")
    except EOFError:
        return False
    return answer.strip().lower() == "yes"
