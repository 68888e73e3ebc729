"""bench_export seeds an empty database, streams the exports and prints their figures."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from finder.models import PartnerApiKey
from providers.models import Provider

pytestmark = pytest.mark.django_db


@override_settings(EXPORT_BATCH_SIZE=10)
def test_it_prints_time_lines_and_memory_per_batch() -> None:
    out = StringIO()
    call_command("bench_export", "--providers", "25", stdout=out)
    lines = out.getvalue().splitlines()
    assert Provider.objects.public().count() == 25
    assert "25 public providers, batches of 10 (EXPORT_BATCH_SIZE)" in lines
    export = next(line for line in lines if line.startswith("providers.ndjson"))
    assert re.match(
        r"providers.ndjson \(API detail per line\): 25 lines = the public providers", export
    )
    memory = next(line for line in lines if "tracemalloc" in line)
    assert "held after each of the 3 batches" in memory
    assert any(line.startswith("FHIR PractitionerRole.ndjson: ") for line in lines)
    assert lines[-1].startswith("peak RSS: ")
    assert not PartnerApiKey.objects.exists()  # the run's key is deleted
