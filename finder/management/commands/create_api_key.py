"""`manage.py create_api_key NAME --owner EMAIL [--tier T] [--origin URL ...] [--expires DATE]`."""

from datetime import UTC, date, datetime, time
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db.models import CharField
from django.utils import timezone

from finder.models import ApiKeyTier, PartnerApiKey, origin_problem


def _name_max_length() -> int:
    field = PartnerApiKey._meta.get_field("name")
    assert isinstance(field, CharField) and field.max_length is not None
    return field.max_length


NAME_MAX_LENGTH = _name_max_length()


def parse_expiry(value: str) -> datetime:
    """YYYY-MM-DD to the start of that day in UTC: the key stops working on that date."""
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--expires must be a date as YYYY-MM-DD, got {value!r}.") from exc
    expiry = datetime.combine(day, time.min, tzinfo=UTC)
    if expiry <= timezone.now():
        raise CommandError(f"--expires {value} is not in the future.")
    return expiry


class Command(BaseCommand):
    help = (
        "Create a partner API key and print it once. Only a hash is stored: the key cannot be "
        "shown again, so hand it to the partner now (or revoke it and create another)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help=f"Who the key is for (at most {NAME_MAX_LENGTH} chars).")
        parser.add_argument("--owner", required=True, help="Contact email for the key's owner.")
        parser.add_argument(
            "--tier",
            choices=ApiKeyTier.values,
            default=ApiKeyTier.STANDARD,
            help="Rate tier (default: standard).",
        )
        parser.add_argument(
            "--origin",
            action="append",
            default=[],
            dest="origins",
            metavar="URL",
            help="A browser origin allowed to call the API (CORS); repeat for more.",
        )
        parser.add_argument("--expires", help="Date the key stops working (YYYY-MM-DD, UTC).")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name or len(name) > NAME_MAX_LENGTH:
            raise CommandError(f"NAME must be 1 to {NAME_MAX_LENGTH} characters.")
        try:
            validate_email(options["owner"])
        except ValidationError as exc:
            raise CommandError(
                f"--owner must be an email address, got {options['owner']!r}."
            ) from exc
        origins = [origin.strip().rstrip("/") for origin in options["origins"]]
        problems = [problem for origin in origins if (problem := origin_problem(origin))]
        if problems:
            raise CommandError(" ".join(problems))
        expiry = parse_expiry(options["expires"]) if options["expires"] else None

        # The library annotates its manager for AbstractAPIKey; this one creates its own model.
        created, key = PartnerApiKey.objects.create_key(
            name=name,
            owner_contact=options["owner"],
            tier=options["tier"],
            allowed_origins="\n".join(origins),
            expiry_date=expiry,
        )
        api_key = cast(PartnerApiKey, created)
        expires = expiry.strftime("%Y-%m-%d %H:%M UTC") if expiry else "never"
        self.stdout.write(
            f"Created API key {api_key.name!r} for {api_key.owner_contact}: prefix "
            f"{api_key.prefix}, tier {api_key.tier}, expires {expires}, "
            f"origins {', '.join(origins) or 'none'}."
        )
        self.stdout.write("The key is shown once and cannot be recovered; store it now:")
        self.stdout.write(key)
