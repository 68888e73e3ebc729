from pathlib import Path

from django.core.management.base import BaseCommand

from finder import reference_text

TARGET = Path(reference_text.__file__).with_name("reference_messages.py")


class Command(BaseCommand):
    help = (
        "Write finder/reference_messages.py: the shipped practice-act sentences and procedure "
        "texts, for makemessages. Run after changing providers/reference_data.py."
    )

    def handle(self, *args, **options) -> None:
        source = reference_text.reference_messages_source()
        TARGET.write_text(source)
        count = len(reference_text.shipped_reference_texts())
        self.stdout.write(f"Wrote {TARGET.name}: {count} texts.")
