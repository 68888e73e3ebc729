from django.core.management.base import BaseCommand, CommandError, CommandParser

from providers.demo import DemoSummary, seed_demo_providers


class Command(BaseCommand):
    help = (
        "Create synthetic demo providers (marked is_demo) around real US ZIP centroids. "
        "Idempotent for the same --seed: providers already present are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--providers", type=int, default=3000, help="How many (default 3000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")

    def handle(self, *args, providers: int, seed: int, **options) -> None:
        if providers < 0:
            raise CommandError("--providers must be zero or more.")
        summary = seed_demo_providers(count=providers, seed=seed, progress=self.progress)
        self.stdout.write(
            f"Demo providers: {summary.created} created, {summary.existing} already present."
        )

    def progress(self, summary: DemoSummary) -> None:
        rate = summary.done / summary.elapsed_seconds if summary.elapsed_seconds else 0
        left = (summary.total - summary.done) / rate if rate else 0
        self.stdout.write(
            f"  {summary.done:,} of {summary.total:,} providers ({summary.done / summary.total:.0%}"
            f", {rate:,.0f}/s, about {left:,.0f} s left)"
        )
