"""bench_search writes its listings only to a database of its own, unless told otherwise."""

import os
import random
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from finder.benchmark import BENCH_NPI_BASE, CpuTicks, bench_provider, other_provider_count
from providers.demo import npi_from_base
from providers.models import Provider
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

# Tiny, so that a run the guard lets through generates 10 providers rather than 250,000.
SMALL_RUN = ["--locations", "12", "--samples", "1", "--skip-http"]


def test_it_refuses_a_database_that_holds_other_providers():
    ProviderFactory()
    out = StringIO()
    with pytest.raises(CommandError, match="holds 1 provider besides the benchmark's own"):
        call_command("bench_search", *SMALL_RUN, stdout=out)
    assert Provider.objects.count() == 1
    assert out.getvalue() == ""


def test_it_runs_on_a_mixed_database_when_allowed():
    ProviderFactory()
    out = StringIO()
    call_command("bench_search", *SMALL_RUN, "--allow-mixed-database", stdout=out)
    assert Provider.objects.count() == 11
    assert "Domain function" in out.getvalue()


def test_only_its_own_providers_count_as_benchmark_providers():
    bench_provider(random.Random(1), npi_from_base(BENCH_NPI_BASE)).save()
    assert other_provider_count() == 0
    ProviderFactory(is_demo=True)  # demo data is someone's, not the benchmark's
    assert other_provider_count() == 1


def test_cpu_ticks_format_a_cost_per_request():
    line = CpuTicks(workers=250, postgres=100, redis=10).per_request_line(100, 0.4)
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    assert f"workers {250 * tick_ms / 100:.2f} ms" in line
    assert f"PostgreSQL {100 * tick_ms / 100:.2f} ms" in line
    assert "load generator 4.00 ms" in line


def test_cpu_ticks_see_a_live_worker():
    child = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.process_time() + 0.5\n"
         "while time.process_time() < end: pass\ntime.sleep(30)"],
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if CpuTicks.read(os.getpid()).workers * 1000 / os.sysconf("SC_CLK_TCK") >= 400:
                break
            time.sleep(0.1)
        assert CpuTicks.read(os.getpid()).workers * 1000 / os.sysconf("SC_CLK_TCK") >= 400
    finally:
        child.kill()
        child.wait()
