"""bench_search writes its listings only to a database of its own, unless told otherwise."""

import asyncio
import http.server
import os
import subprocess
import sys
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devtools.benchmark import (
    BENCH_NPI_BASE,
    REFERENCE_LOAD_GENERATOR_MS,
    CpuTicks,
    bench_provider_count,
    ensure_dataset,
    free_port,
    http_paths,
    http_zips,
    load,
    other_provider_count,
    raw_floor,
    start_gunicorn,
    time_against_floor,
)
from finder.search import Origin, SearchFilters, search_providers
from providers.demo import create_synthetic_listings, npi_from_base
from providers.models import PracticeLocation, Provider
from providers.search_index import stale_locations
from tests.factories import PracticeLocationFactory, ProviderFactory

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


def test_the_floor_runs_the_statements_a_search_sends():
    """The floor is the search's own SQL: the same text, listings joined, not a lighter
    statement that would flatter the database's share (and not share its prepared plan)."""
    for miles in (1, 2, 3):
        PracticeLocationFactory(latitude=30.0 + miles / 69.093, longitude=-97.0)
    origin, filters = Origin(30.0, -97.0, "test", 25), SearchFilters()
    search_providers(origin=origin, filters=filters)  # warm: practice acts, plan names, grid
    with CaptureQueriesContext(connection) as searched:
        result = search_providers(origin=origin, filters=filters)
    floor = raw_floor(origin, filters)
    with CaptureQueriesContext(connection) as floored:
        rows = floor()
    assert result.count == len(rows) == 3
    assert [query["sql"] for query in floored] == [query["sql"] for query in searched]


def test_the_floors_are_timed_right_before_the_calls_they_stand_under():
    order = []
    floor, figures = time_against_floor(
        "search",
        [lambda i=i: order.append(f"floor {i}") for i in range(2)],
        [lambda i=i: order.append(f"call {i}") for i in range(2)],
    )
    assert order == ["floor 0", "floor 1", "call 0", "call 1"]
    assert (floor.name, len(floor.samples_ms)) == ("raw SQL floor", 2)
    assert (figures.name, len(figures.samples_ms)) == ("search", 2)


def test_each_http_path_asks_for_the_zip_its_floor_searches():
    zips, paths = http_zips(5), http_paths(5)
    assert zips.keys() == paths.keys() == {"a", "b", "c", "d", "f"}
    for key, path_list in paths.items():
        assert [path.split("near=")[1][:5] for path in path_list] == zips[key]


def test_a_server_that_exits_at_start_is_reported_at_once(monkeypatch):
    monkeypatch.setenv("GUNICORN_TIMEOUT", "soon")  # the config file cannot read it: exit 1
    with pytest.raises(RuntimeError, match="gunicorn exited with status 1"):
        start_gunicorn(free_port(), workers=1)


def test_only_its_own_providers_count_as_benchmark_providers():
    create_synthetic_listings(npis=[npi_from_base(BENCH_NPI_BASE)], seed=1)
    assert other_provider_count() == 0
    ProviderFactory(is_demo=True)  # demo data is someone's, not the benchmark's
    assert other_provider_count() == 1


def test_its_dataset_is_demo_data_under_its_own_npis(reference_data):
    logged = []
    ensure_dataset(120, log=logged.append)
    assert bench_provider_count() == Provider.objects.count() == 100
    assert len(logged) == 1
    assert logged[0].startswith("  100/100 providers (")
    assert 100 < PracticeLocation.objects.count() < 160  # a fifth have a second location
    assert not Provider.objects.filter(is_demo=False).exists()
    assert all(
        name.endswith("(Demo)") for name in Provider.objects.values_list("last_name", flat=True)
    )
    assert stale_locations() == []
    ensure_dataset(120, log=logged.append)
    assert logged[-1] == "Reusing 100 benchmark providers."


def test_cpu_ticks_format_a_cost_per_request():
    line = CpuTicks(workers=250, postgres=100, redis=10).per_request_line(100, 0.4)
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    assert f"workers {250 * tick_ms / 100:.2f} ms" in line
    assert f"PostgreSQL {100 * tick_ms / 100:.2f} ms" in line
    assert "load generator 4.00 ms" in line
    units = (360 * tick_ms / 100 + 4) / 4  # workers, PostgreSQL and Redis, then the generator
    assert f"all {units:.2f};" in line
    reference = os.cpu_count() * 1000 / (units * REFERENCE_LOAD_GENERATOR_MS)
    assert line.endswith(f"({REFERENCE_LOAD_GENERATOR_MS} ms a unit): {reference:.0f} req/s")


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


def test_cpu_ticks_keep_an_exited_worker():
    # Like a PostgreSQL backend closed at CONN_MAX_AGE: its CPU stays in the count.
    before = CpuTicks.read(os.getpid()).workers
    subprocess.run(
        [sys.executable, "-c", "import time\nend = time.process_time() + 0.5\n"
         "while time.process_time() < end: pass"],
        check=True,
    )  # fmt: skip
    spent = CpuTicks.read(os.getpid()).workers - before
    assert spent * 1000 / os.sysconf("SC_CLK_TCK") >= 400


class CountingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the client asks to close
    connections: list[int] = []

    def setup(self) -> None:
        super().setup()
        self.connections.append(1)

    def do_GET(self) -> None:
        body = b"{}" if self.path != "/missing" else b"no"
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.mark.parametrize("keep_alive", [False, True])
def test_the_load_generator_reuses_connections_only_when_asked(keep_alive):
    CountingHandler.connections = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        paths = ["/ok"] * 30 + ["/missing"]
        statuses = asyncio.run(load(server.server_port, paths, 3, keep_alive=keep_alive))
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(statuses) == [200] * 30 + [404]
    opened = len(CountingHandler.connections)
    assert opened <= 3 if keep_alive else opened == 31


def test_counting_instructions_without_valgrind_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(CommandError, match="needs valgrind"):
        call_command("bench_search", *SMALL_RUN, "--instructions", stdout=StringIO())
    assert Provider.objects.count() == 0
