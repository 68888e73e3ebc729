from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from finder.listing import provider_summary
from finder.medicare_listing import attach_medicare
from finder.search import PageOutOfRange, search_providers
from finder.search.params import PARAMETER_FIELDS, parse_search_query


class Command(BaseCommand):
    help = "Search providers from the shell, with the same validation and search as the API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("near", nargs="?", help="ZIP, 'City, ST' or address")
        for name in ("radius_miles", "profession", "service", "insurance", "max_price",
                     "ordering", "page", "page_size"):  # fmt: skip
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name)

    def handle(self, *args, **options) -> None:
        data = {key: value for key, value in options.items() if key in PARAMETER_FIELDS and value}
        try:
            query = parse_search_query(data)
            result = search_providers(
                origin=query.origin,
                filters=query.filters,
                ordering=query.ordering,
                page=query.page,
                page_size=query.page_size,
            )
        except ValidationError as exc:
            fields = exc.detail if isinstance(exc.detail, dict) else {"query": exc.detail}
            problems = "".join(
                f"\n  {name}: {' '.join(str(message) for message in messages)}"
                for name, messages in fields.items()
            )
            raise CommandError(f"Invalid search:{problems}") from None
        except PageOutOfRange as exc:
            raise CommandError("That page is past the last result.") from exc
        capped = "+" if result.count_capped else ""
        self.stdout.write(f"{result.count}{capped} providers")
        attach_medicare((hit.provider, hit.location) for hit in result.hits)
        today = timezone.localdate()
        for hit in result.hits:
            item = provider_summary(hit, result.acts, lambda p: f"/providers/{p.id}/", today)
            distance = f"{item['distance_miles']:7.2f} mi  " if item["distance_miles"] else ""
            location = item["location"] or {}
            scope = (item["scope"] or {}).get("spinal_manipulation", "unknown")
            self.stdout.write(
                f"{distance}{item['name']} ({item['npi']}), {location.get('city', '')}, "
                f"{location.get('state', '')}  spinal manipulation: {scope}"
            )
