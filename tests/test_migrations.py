import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_are_in_sync():
    # Exits non-zero (SystemExit) when a model change lacks its migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
