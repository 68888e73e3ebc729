"""`manage.py backup_data [PATH]`: the database's lasting data in one JSON file (see
docs/operations.md). Restore it with `manage.py restore_data PATH`.

What `dumpdata --natural-foreign --natural-primary` writes, from one consistent snapshot, with
timestamps kept to the microsecond (Django's JSON encoder cuts them to milliseconds).
"""

import datetime
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, models, transaction
from django.utils import timezone

# Rebuilt by `migrate` (content types, permissions), short-lived (sessions, login attempts), or
# unused (the API-key library's own model). Everything else is kept, history included.
EXCLUDED_APPS = {"contenttypes", "sessions", "axes", "rest_framework_api_key"}
EXCLUDED_MODELS = {"auth.permission"}


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder without its rounding of datetimes to milliseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time) and o.tzinfo is None:
            return o.isoformat()
        return super().default(o)


def backed_up_models() -> list[type[models.Model]]:
    """Every model kept, ordered so that rows referenced by natural key come first."""
    app_list = [
        (config, None) for config in apps.get_app_configs() if config.label not in EXCLUDED_APPS
    ]
    return [
        model
        for model in serializers.sort_dependencies(app_list, allow_cycles=True)
        if model._meta.label_lower not in EXCLUDED_MODELS
        and not model._meta.proxy
        and model._meta.managed
    ]


def rows(selected: list[type[models.Model]]) -> Iterator[models.Model]:
    for model in selected:
        # The primary, even when a read replica is configured: the snapshot is taken there.
        queryset = model._default_manager.using(DEFAULT_DB_ALIAS)
        yield from queryset.order_by(model._meta.pk.name).iterator()


def open_output(path: Path) -> IO[str]:
    if path.name.endswith(".json.gz"):
        return gzip.open(path, "wt", encoding="utf-8")
    if path.name.endswith(".json"):
        return path.open("w", encoding="utf-8")
    raise CommandError("The backup file name must end in .json or .json.gz.")


def write_backup(path: Path) -> int:
    """Write the backup; returns the number of rows written."""
    selected = backed_up_models()
    with transaction.atomic(), open_output(path) as handle:
        if connection.vendor == "postgresql":
            # One snapshot for every table, even while imports and admin edits go on.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        count = sum(model._default_manager.using(DEFAULT_DB_ALIAS).count() for model in selected)
        serializers.serialize(
            "json",
            rows(selected),
            stream=handle,
            cls=ExactJSONEncoder,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
    return count


class Command(BaseCommand):
    help = (
        "Write every listing, practice act, reference row, partner key, user, group and change "
        "history to a JSON file (gzip-compressed when PATH ends in .json.gz), from one "
        "consistent snapshot. Restore with restore_data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            help="Output file, .json or .json.gz (default: backup-YYYYMMDD-HHMMSS.json.gz).",
        )

    def handle(self, *args: Any, path: str | None = None, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        output = Path(path or f"backup-{stamp}.json.gz")
        output.parent.mkdir(parents=True, exist_ok=True)
        count = write_backup(output)
        size_kb = output.stat().st_size / 1024
        self.stdout.write(
            self.style.SUCCESS(f"Backed up {count:,} objects to {output} ({size_kb:,.0f} KB).")
        )
