"""bench_medicare_clinicians generates Doctors and Clinicians files around the listed providers,
imports them and prints rows/s and peak memory."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from providers.models import MedicareParticipation
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def test_it_imports_a_tenth_and_then_the_whole_file(tmp_path: Path) -> None:
    providers = [ProviderFactory() for _ in range(3)]
    out = StringIO()

    call_command(
        "bench_medicare_clinicians", "--megabytes", "1", "--dir", str(tmp_path), stdout=out
    )

    lines = out.getvalue().splitlines()
    assert re.match(r"Database: (sqlite|postgresql); 3 listed providers$", lines[0])
    assert re.match(r"generated DAC_bench_450_0\.csv: 450 rows, 0 MB in \d+ s", lines[1])
    assert re.match(r"generated DAC_bench_4504_0\.csv: 4,504 rows, 1 MB in \d+ s", lines[2])
    for line, rows in zip(lines[3:], ("450", "4,504"), strict=True):
        assert re.match(
            rf"import \d+ MB: {rows} rows scanned in [\d.]+ s = [\d,]+ rows/s; whole import "
            r"\(with the writes\) [\d.]+ s, [\d.]+ CPU s; 9 rows of listed providers, "
            r"providers \{.*\}; peak RSS [\d,]+ MiB$",
            line,
        )
    assert set(
        MedicareParticipation.objects.filter(location__isnull=True).values_list(
            "provider_id", flat=True
        )
    ) == {provider.id for provider in providers}


def test_it_needs_listed_providers() -> None:
    with pytest.raises(CommandError, match="No listed providers"):
        call_command("bench_medicare_clinicians", "--megabytes", "1")


def test_it_will_not_replace_an_imported_file_without_force(tmp_path: Path) -> None:
    provider = ProviderFactory()
    MedicareParticipation.objects.create(
        provider=provider, assignment="participating", source="medicare_file", as_of="2026-11-01"
    )
    with pytest.raises(CommandError, match="scratch database"):
        call_command("bench_medicare_clinicians", "--megabytes", "1", "--dir", str(tmp_path))
