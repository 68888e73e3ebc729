from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers import freshness
from providers.search_index import refresh_search_index, stale_locations


class Command(BaseCommand):
    help = (
        "Rebuild the search projection (each location's copy of its provider's filterable "
        "facts) wherever it differs. Safe to run at any time; --check only reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Exit with an error if any row is stale."
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if check:
            stale = stale_locations()
            if stale:
                raise CommandError(f"Stale search projection, e.g. location ids {stale[:10]}.")
            self.stdout.write("The search projection is current.")
            return
        changed = refresh_search_index()
        if changed:
            freshness.bump_listings()
        self.stdout.write(f"Refreshed {changed} location(s).")
