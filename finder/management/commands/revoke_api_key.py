"""`manage.py revoke_api_key PREFIX`: the key stops working at once; this cannot be undone."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from finder.models import PartnerApiKey


class Command(BaseCommand):
    help = (
        "Revoke a partner API key by its prefix (the part before the dot; the whole key is "
        "accepted too). Revoking an already revoked key changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The key's prefix, as listed in the admin.")

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = options["prefix"].strip().partition(".")[0]
        api_key = PartnerApiKey.objects.filter(prefix=prefix).first()
        if api_key is None:
            raise CommandError(f"No API key with prefix {prefix!r}.")
        if api_key.revoked:
            self.stdout.write(f"API key {prefix} ({api_key.name}) was already revoked.")
            return
        api_key.revoked = True
        api_key.save()
        self.stdout.write(f"Revoked API key {prefix} ({api_key.name}, {api_key.owner_contact}).")
