"""Search benchmark: a US-scale synthetic dataset and latency/throughput measurements.

Figures are printed, never asserted: these machines are shared and noisy.
"""

import asyncio
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Q

from finder import density
from finder.estimate import Coverage, ProcedureLine, estimate_cost
from finder.raw_sql import statement_cursor
from finder.search import Origin, SearchFilters, search_providers
from finder.search.service import first_settled, nearest_statements
from providers.demo import METRO_ZIPS, create_synthetic_listings, npi_from_base
from providers.geo import zip_index
from providers.models import Provider
from providers.scope import current_practice_acts

BENCH_NPI_BASE = 180_000_000  # NPIs 18xxxxxxxC: the benchmark's own, never mixed with demo
# The providers ensure_dataset() creates; any other provider is someone's real or demo data.
BENCH_PROVIDERS = Q(npi__startswith="18", is_demo=True)
DENSE_ZIP = "10001"  # Manhattan
RURAL_ZIPS = ["59301", "82190", "69101", "58601", "97720", "88001", "83440", "57501"]


@dataclass
class Figures:
    name: str
    samples_ms: list[float]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def line(self, floor_ms: float | None = None) -> str:
        p50 = self.percentile(50)
        ratio = f"  {p50 / floor_ms:5.1f}x floor" if floor_ms else ""
        return (
            f"{self.name:<44} p50 {p50:7.2f} ms  p95 {self.percentile(95):7.2f} ms  "
            f"p99 {self.percentile(99):7.2f} ms{ratio}"
        )


def bench_provider_count() -> int:
    return Provider.objects.filter(BENCH_PROVIDERS).count()


def other_provider_count() -> int:
    """Providers that are not the benchmark's; 0 for a database not yet migrated."""
    if Provider._meta.db_table not in connection.introspection.table_names():
        return 0
    return Provider.objects.exclude(BENCH_PROVIDERS).count()


def ensure_dataset(locations: int, *, seed: int = 1, log: Callable[[str], None] = print) -> None:
    """Create bench providers until there are about `locations` locations (1.2 per provider):
    the demo data's generator (providers/demo.py), with the benchmark's own NPIs."""
    target_providers = int(locations / 1.2)
    have = bench_provider_count()
    if have >= target_providers:
        log(f"Reusing {have} benchmark providers.")
        return
    create_synthetic_listings(
        npis=[npi_from_base(BENCH_NPI_BASE + i) for i in range(target_providers)],
        seed=seed,
        progress=lambda summary: log(
            f"  {summary.done}/{summary.total} providers ({summary.elapsed_seconds:.0f} s)"
        ),
    )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # VACUUM as well as ANALYZE: index-only scans need the visibility map it sets, and
        # autovacuum may not have run yet on freshly written rows. (VACUUM cannot run inside a
        # transaction, as in a test; it only affects speed.)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def time_calls(name: str, calls: list[Callable[[], object]]) -> Figures:
    samples = []
    for call in calls:
        started = time.perf_counter()
        outcome = call()
        samples.append((time.perf_counter() - started) * 1000)
        if isinstance(outcome, int) and outcome != 200:  # an HTTP status: never time errors
            raise RuntimeError(f"{name}: HTTP {outcome}")
    return Figures(name, samples)


def time_against_floor(
    name: str, floors: list[Callable[[], object]], calls: list[Callable[[], object]]
) -> tuple[Figures, Figures]:
    """The floors of the very queries `calls` make, timed back to back (each statement warm,
    as "the SQL alone" means), then the calls: one right after the other, so that the
    machine's drift (twice as fast one minute as the last, seen here) stays out of the ratio."""
    return time_calls("raw SQL floor", floors), time_calls(name, calls)


def log_against_floor(log: Callable[[str], None], floor: Figures, figures: Figures) -> None:
    log(figures.line(floor.percentile(50)))
    log(f"{'    raw SQL floor':<44} p50 {floor.percentile(50):7.2f} ms")


def zip_origin(zip_code: str, radius: float) -> Origin:
    place = zip_index()[zip_code]
    return Origin(place.lat, place.lng, zip_code, radius)


def raw_floor(origin: Origin, filters: SearchFilters) -> Callable[[], object]:
    """The search's own SQL alone, compiled beforehand and sent as the search sends it (its
    own `nearest_statements`, in turn until one settles): what the database costs, without
    Python around it. The statements are the very text a first results page sends, listings
    joined, so they share its prepared statements too."""
    statements = list(
        nearest_statements(
            origin, filters, current_practice_acts(), offset=0, limit=20, with_listings=True
        )
    )

    def run() -> object:
        # The search's own cursor: on PostgreSQL its statements are prepared (finder/raw_sql.py).
        with statement_cursor(connection) as cursor:
            _, rows = first_settled(cursor, statements)
        return rows

    return run


def scenarios(samples: int, rng: random.Random) -> dict[str, list[Origin]]:
    metros = [rng.choice(METRO_ZIPS) for _ in range(samples)]
    return {
        "a": [zip_origin(z, 25) for z in metros],
        "b": [zip_origin(z, 25) for z in metros],
        "c": [zip_origin(DENSE_ZIP, 100) for _ in range(samples)],
        "d": [zip_origin(rng.choice(RURAL_ZIPS), 25) for _ in range(samples)],
        "f": [zip_origin(z, 25) for z in metros],
    }


FILTERS = {
    "a": SearchFilters(),
    "b": SearchFilters(insurance="aetna-ppo", service="spinal_manipulation"),
    "c": SearchFilters(),
    "d": SearchFilters(),
    # About half the listings: a price filter that neither empties nor keeps a metro whole.
    "f": SearchFilters(max_price=Decimal("36")),
}
LABELS = {
    "a": "(a) ZIP search, 25 mi",
    "b": "(b) + insurance + service filters",
    "c": "(c) dense metro, 100 mi",
    "d": "(d) rural origin, 25 mi",
    "f": "(f) + max_price, 25 mi",
}


def estimate_call() -> object:
    line = ProcedureLine(
        code="98940", label="Spinal manipulation", quantity=1, cash_price=Decimal("40"),
        typical_low=Decimal("30"), typical_high=Decimal("50"), medicare_covered=True,
    )  # fmt: skip
    coverage = Coverage(
        network="in", deductible_remaining=Decimal("100"), coinsurance_percent=Decimal("20")
    )
    return estimate_cost(lines=[line], visits=6, coverage=coverage)


def measure_domain(samples: int, log: Callable[[str], None]) -> None:
    rng = random.Random(7)
    plan = scenarios(samples, rng)
    for key, origins in plan.items():
        for origin in origins[:10]:  # warm up: connection, practice acts, plans
            search_providers(origin=origin, filters=FILTERS[key])
        floor, figures = time_against_floor(
            LABELS[key],
            [raw_floor(o, FILTERS[key]) for o in origins],
            [lambda o=o, f=FILTERS[key]: search_providers(origin=o, filters=f) for o in origins],
        )
        log_against_floor(log, floor, figures)
    log(time_calls("(e) estimate (pure function)", [estimate_call] * samples).line())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment() -> dict[str, str]:
    """The environment the measured app runs in, gunicorn's or the in-process one's."""
    env = {**os.environ, "DJANGO_DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench")}
    env.setdefault("API_ANON_RATE", "1000000/min")
    env.setdefault("API_ESTIMATE_RATE", "1000000/min")
    # Measure the search itself, not the response cache (repeated metro queries would hit it).
    env.setdefault("SEARCH_CACHE_SECONDS", "0")
    # Plain HTTP on loopback: no TLS terminator in front, so no redirect to https.
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    return env


def start_gunicorn(port: int, workers: int, threads: int = 1) -> subprocess.Popen:
    env = app_environment()
    env.update(
        PORT=str(port),
        WEB_CONCURRENCY=str(workers),
        GUNICORN_THREADS=str(threads),
        GUNICORN_LOG_LEVEL="warning",
    )
    base = Path(settings.BASE_DIR)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=base, env=env, check=True)
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "-c", "config/gunicorn.conf.py", "--access-logfile", "/dev/null",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=base, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:  # exited (its own lines say why): no point waiting
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            get(port, "/healthz")
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start within 30 seconds")


def get(port: int, path: str, body: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        if body is None:
            conn.request("GET", path)
        else:
            conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


# What each HTTP scenario asks for a ZIP code, and the radius the API then searches.
HTTP_QUERIES = {
    "a": ("near={}", 25),
    "b": ("near={}&insurance=aetna-ppo&service=spinal_manipulation", 25),
    "c": ("near={}&radius_miles=100", 100),
    "d": ("near={}", 25),
    "f": ("near={}&max_price=36", 25),
}


def http_zips(samples: int) -> dict[str, list[str]]:
    rng = random.Random(11)
    metros = [rng.choice(METRO_ZIPS) for _ in range(samples)]
    return {
        "a": metros,
        "b": metros,
        "c": [DENSE_ZIP] * samples,
        "d": [rng.choice(RURAL_ZIPS) for _ in range(samples)],
        "f": metros,
    }


def http_paths(samples: int) -> dict[str, list[str]]:
    return {
        key: [f"/api/v1/providers/?{HTTP_QUERIES[key][0].format(z)}" for z in zips]
        for key, zips in http_zips(samples).items()
    }


def http_floors(samples: int) -> dict[str, list[Callable[[], object]]]:
    """The raw SQL floor of each of `http_paths(samples)`, in the same order."""
    return {
        key: [raw_floor(zip_origin(z, HTTP_QUERIES[key][1]), FILTERS[key]) for z in zips]
        for key, zips in http_zips(samples).items()
    }


def measure_http(samples: int, workers: int, log: Callable[[str], None], threads: int = 1) -> None:
    port = free_port()
    process = start_gunicorn(port, workers, threads)
    try:
        # Warm every worker (connections, practice acts) so figures are steady-state.
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda p: get(port, p), http_paths(workers * 10)["a"]))
        floors = http_floors(samples)
        for key, paths in http_paths(samples).items():
            floor, figures = time_against_floor(
                f"HTTP {LABELS[key]}", floors[key], [lambda p=p: get(port, p) for p in paths]
            )
            log_against_floor(log, floor, figures)
        # A request that does almost nothing (one SELECT 1): the fixed cost of HTTP, gunicorn,
        # the middleware and a database round trip, which every search pays on top of its floor.
        log(time_calls("HTTP /healthz (fixed cost)", [lambda: get(port, "/healthz")] * samples)
            .line())  # fmt: skip
        estimate = {"procedures": [{"code": "98940", "quantity": 1}], "visits": 6,
                    "coverage": {"type": "self_pay"}}  # fmt: skip
        log(time_calls("HTTP (e) estimate", [lambda: get(port, "/api/v1/estimates/", estimate)]
                       * samples).line())  # fmt: skip
        paths = http_paths(800)["a"] * 4  # about 10 s per level: steadier on a noisy machine
        # Clients that open a connection per request, then clients that keep theirs open
        # (a load balancer's upstream pool); sync workers close after every response anyway.
        for concurrency, keep_alive in ((8, False), (32, False), (32, True)):
            cpu_before = CpuTicks.read(process.pid)
            started, cpu_started = time.perf_counter(), time.process_time()
            statuses = asyncio.run(load(port, paths, concurrency, keep_alive=keep_alive))
            elapsed = time.perf_counter() - started
            client_cpu = time.process_time() - cpu_started
            cpu = CpuTicks.read(process.pid) - cpu_before
            errors = sum(1 for status in statuses if status != 200)
            log(
                f"throughput at concurrency {concurrency:>2}"
                f"{', keep-alive' if keep_alive else ''}: "
                f"{len(statuses) / elapsed:7.1f} req/s, {errors} non-200 of {len(statuses)} "
                f"(load generator: {client_cpu / elapsed:.0%} of a core)"
            )
            log(cpu.per_request_line(len(statuses), client_cpu))
        log(f"gunicorn worker RSS: {worker_rss_mb(process.pid)}")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


async def load(
    port: int, paths: list[str], concurrency: int, *, keep_alive: bool = False
) -> list[int]:
    """GET every path with `concurrency` requests in flight; the statuses.

    asyncio on plain sockets rather than threads with http.client: the generator shares the
    machine's two cores with the server, and this one costs a fraction of the CPU per request.
    With `keep_alive`, each client reuses its connection until the server closes it.
    """
    pending = iter(paths)
    statuses: list[int] = []
    connection_header = "keep-alive" if keep_alive else "close"

    async def client() -> None:
        reader = writer = None
        for path in pending:  # one shared iterator: each path is requested once
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Connection: {connection_header}\r\n\r\n".encode()
            )
            status, closing = await read_response(reader)
            statuses.append(status)
            if closing or not keep_alive:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return statuses


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, whether the server closes the connection) of one response, body consumed."""
    status_line = await reader.readline()
    if not status_line:
        return 0, True
    length, closing = None, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "connection":
            closing = "close" in value.lower()
    if length is None:
        await reader.read()  # no length: the body runs to the end of the connection
        closing = True
    else:
        await reader.readexactly(length)
    return int(status_line.split()[1]), closing


# The load generator's CPU per request is a fixed workload, so it measures the machine's speed
# at that moment: CPU costs divided by it compare across machines and busy spells (they held
# within 1% across alternated runs of the same code). The reference is a 2-core machine of the
# kind the throughput target (300 req/s at concurrency 32) was set on, at its fastest.
REFERENCE_LOAD_GENERATOR_MS = 0.52


@dataclass(frozen=True)
class CpuTicks:
    """CPU time (clock ticks) spent by the gunicorn workers, PostgreSQL and Redis, and the
    machine's steal time: what a request costs, which a noisy machine's req/s hides.

    PostgreSQL's and Redis's processes are those on this machine, as the benchmark runs them
    on 127.0.0.1. A process that has exited counts through its parent (cutime + cstime, once
    reaped): PostgreSQL backends end when a worker's connection reaches CONN_MAX_AGE, and
    without that a run's PostgreSQL figure could even come out negative."""

    workers: int = 0
    postgres: int = 0
    redis: int = 0
    machine_busy: int = 0
    machine_steal: int = 0

    @classmethod
    def read(cls, master_pid: int) -> "CpuTicks":
        roles = {"workers": 0, "postgres": 0, "redis": 0}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            ticks = int(fields[11]) + int(fields[12])  # utime + stime
            reaped = int(fields[13]) + int(fields[14])  # cutime + cstime: exited children
            pid, parent = int(stat.parent.name), int(fields[1])
            if parent == master_pid:
                roles["workers"] += ticks
            elif pid == master_pid:
                roles["workers"] += reaped
            elif name.startswith("postgres"):
                roles["postgres"] += ticks + reaped
            elif name.startswith("redis-server"):
                roles["redis"] += ticks
        # /proc/stat: cpu user nice system idle iowait irq softirq steal ...
        cpu = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
        busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]
        return cls(**roles, machine_busy=busy, machine_steal=cpu[7])

    def __sub__(self, other: "CpuTicks") -> "CpuTicks":
        return CpuTicks(
            *(getattr(self, name) - getattr(other, name) for name in self.__dataclass_fields__)
        )

    def per_request_line(self, requests: int, client_cpu_seconds: float) -> str:
        tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
        workers, postgres, redis = (
            ticks * tick_ms / requests for ticks in (self.workers, self.postgres, self.redis)
        )
        client = client_cpu_seconds * 1000 / requests
        total = workers + postgres + redis + client
        steal = self.machine_steal / max(1, self.machine_busy + self.machine_steal)
        cores = os.cpu_count()
        units = total / client if client else float("nan")
        return (
            f"    CPU per request: workers {workers:.2f} ms, PostgreSQL {postgres:.2f} ms, "
            f"Redis {redis:.2f} ms, load generator {client:.2f} ms; "
            f"{cores} cores at that cost: {cores * 1000 / total:.0f} req/s "
            f"(steal {steal:.0%} of the machine's CPU time)\n"
            f"    the same in load-generator units: workers {workers / client:.2f}, PostgreSQL "
            f"{postgres / client:.2f}, all {units:.2f}; {cores} cores at the reference speed "
            f"({REFERENCE_LOAD_GENERATOR_MS} ms a unit): "
            f"{cores * 1000 / (units * REFERENCE_LOAD_GENERATOR_MS):.0f} req/s"
        )


# What `measure_instructions` runs under valgrind: `count` API searches of one scenario through
# Django's full request path (middleware, DRF, the search, JSON), in process.
REQUESTS_PROGRAM = """
import sys
import django
django.setup()
from django.test import Client
from finder import density
from devtools.benchmark import http_paths
# The grid is re-read and rebuilt on the clock, not per request: under valgrind a run lasts
# minutes, and a rebuild inside one of the two runs compared moved the figure by a quarter.
# Both runs read the copy shared just before them (measure_instructions) and keep it.
density.REFRESH_SECONDS = density.RECHECK_SECONDS = float("inf")
scenario, count = sys.argv[1], int(sys.argv[2])
paths = http_paths(count + 20)[scenario]
client = Client()
for path in paths[:20]:  # warm: connection, acts, density grid, first-use imports
    assert client.get(path).status_code == 200, path
for path in paths[20:]:
    client.get(path)
"""


def instructions(scenario: str, count: int) -> int:
    env = {
        **app_environment(),
        "ALLOWED_HOSTS": "testserver",  # Django's test client host
        # One connection for the whole run: under valgrind a run takes minutes, and each
        # reconnection at CONN_MAX_AGE added millions of instructions, more on a busier machine.
        "CONN_MAX_AGE": "86400",
    }
    result = subprocess.run(
        [
            "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
            sys.executable, "-c", REQUESTS_PROGRAM, scenario, str(count),
        ],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(result.stderr.rsplit("Collected : ", 1)[1].split()[0])


def measure_instructions(samples: int, log: Callable[[str], None]) -> None:
    """Instructions the app executes per API search (valgrind's count, not seconds): the same
    for the same code and data whatever else the machine is doing, so a change's effect on
    the app's CPU can be read off one run. PostgreSQL's and Redis's own work is not counted."""
    for key, label in LABELS.items():
        density.share_fresh_grid()  # shared for 30 minutes: both runs read this copy
        per_request = (instructions(key, samples) - instructions(key, 0)) / samples
        log(f"{'API ' + label:<44} {per_request / 1e6:6.2f} M instructions per request")


def worker_rss_mb(master_pid: int) -> str:
    """RSS and PSS of each worker: with preload_app the ZIP index pages are shared, which RSS
    counts in full for every worker and PSS splits between them."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            if f"PPid:\t{master_pid}\n" not in text:
                continue
            rollup = (status.parent / "smaps_rollup").read_text()
        except OSError:
            continue
        rss = next(line for line in text.splitlines() if line.startswith("VmRSS"))
        pss = next((line for line in rollup.splitlines() if line.startswith("Pss:")), "Pss: 0 kB")
        sizes.append((int(rss.split()[1]) / 1024, int(pss.split()[1]) / 1024))
    return ", ".join(f"RSS {rss:.0f} MB / PSS {pss:.0f} MB" for rss, pss in sizes) or "n/a"
