"""bench_payer_rates generates a file, reads it as the importer does and prints its figures."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from providers.models import NegotiatedRate

pytestmark = pytest.mark.django_db


def test_it_reads_the_file_it_generates_and_writes_nothing(tmp_path: Path) -> None:
    out = StringIO()
    path = tmp_path / "in-network.json.gz"
    call_command(
        "bench_payer_rates", "--megabytes", "1", "--groups", "200", "--path", str(path),
        "--baseline", stdout=out,
    )  # fmt: skip
    lines = out.getvalue().splitlines()
    assert path.stat().st_size > 0
    assert lines[0].startswith(f"generated {path} in ")
    assert re.match(
        r"read: 1 MB of JSON in [\d.]+ s = [\d.,]+ MB/s \(two passes; [\d.,]+ MB per CPU "
        r"second\); ",
        lines[1],
    )
    assert lines[2].startswith("floor, ijson tokenizing the file once: ")
    assert lines[3].startswith("peak RSS: ")
    assert not NegotiatedRate.objects.exists()


def test_it_refuses_an_empty_file():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("bench_payer_rates", "--megabytes", "0")
