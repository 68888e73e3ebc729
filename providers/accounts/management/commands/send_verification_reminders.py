from django.core.management.base import BaseCommand

from providers.accounts.reminders import (
    REMIND_AFTER_DAYS,
    send_verification_reminders,
)


class Command(BaseCommand):
    help = (
        f"Email provider accounts whose listings were last confirmed more than "
        f"{REMIND_AFTER_DAYS} days ago (or never), at most once a week each, with a one-click "
        "link to confirm each listing. Meant for a daily cron."
    )

    def handle(self, *args, **options) -> None:
        summary = send_verification_reminders()
        self.stdout.write(
            f"Reminded {summary.accounts_reminded} account(s) about {summary.listings_due} "
            f"listing(s); skipped {summary.skipped_reminded_recently} account(s) reminded "
            "within the last week."
        )
