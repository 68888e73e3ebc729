"""The default cache (no REDIS_URL) is shared by every process that uses the database.

A real server (gunicorn, in a subprocess) answers and caches a search; then a management
command run in another process changes the data, as an operator runs `seed_demo` or
`load_reference_data` while the server runs. The server's next answers show the change within
FRESHNESS_RECHECK_SECONDS, long before its cached search would have expired.
"""

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.servers import app_env, fetch, manage, start_server, stop

T = TypeVar("T")
CACHE_TABLE = "jointcare_cache"
SEARCH = "/api/v1/providers/?page_size=5"


def search_count(port: int) -> int:
    status, _headers, body = fetch(port, SEARCH)
    assert status == 200, body[:500]
    return json.loads(body)["count"]


def cached_searches(database: Path) -> int:
    with sqlite3.connect(database) as db:
        (count,) = db.execute(
            f"SELECT count(*) FROM {CACHE_TABLE} WHERE cache_key LIKE '%search:api:%'"
        ).fetchone()
    return count


def first_change(read: Callable[[], T], before: T, seconds: float = 30) -> T:
    """The first value `read` returns that differs from `before` (or `before` after `seconds`).
    It takes about FRESHNESS_RECHECK_SECONDS (1 s) here, where a per-process cache would keep
    the old answer for SEARCH_CACHE_SECONDS (300 s); the bound leaves room for a busy machine."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if value != before or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_a_change_made_by_another_process_reaches_the_servers_cached_answers(tmp_path: Path):
    database = tmp_path / "app.sqlite3"
    # The shipped defaults: a search is cached for 300 s, tokens are re-read every second.
    env = app_env(DATABASE_URL=f"sqlite:///{database}")
    for name in ("SEARCH_CACHE_SECONDS", "FRESHNESS_RECHECK_SECONDS", "CACHE_KEY_PREFIX"):
        env.pop(name, None)
    manage(env, "migrate", "--noinput")  # creates the cache table too
    server, port = start_server(env, tmp_path / "server.log")
    try:
        assert search_count(port) == 0
        assert search_count(port) == 0
        assert cached_searches(database) == 1  # the answer is in the shared cache
        assert fetch(port, "/api/v1/practice-acts/TX/")[0] == 404

        manage(env, "seed_demo", "--providers", "25", "--seed", "3")
        assert first_change(lambda: search_count(port), before=0) == 25

        manage(env, "load_reference_data")
        assert first_change(lambda: fetch(port, "/api/v1/practice-acts/TX/")[0], before=404) == 200
    finally:
        stop(server)
    assert "Internal Server Error" not in (tmp_path / "server.log").read_text()
