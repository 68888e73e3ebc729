"""The soak command: bounded, loopback only, reports its figures and cleans up after itself."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

BASE_DIR = Path(settings.BASE_DIR)


def manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_TESTING", "REDIS_URL")}
    env.update(DJANGO_DEBUG="1", DEVTOOLS="1", DATABASE_URL=f"sqlite:///{database}")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_short_soak_reports_requests_edits_and_memory(tmp_path: Path) -> None:
    database = tmp_path / "soak.sqlite3"
    assert manage(database, "migrate", "--noinput").returncode == 0
    result = manage(
        database, "soak", "--seconds", "4", "--concurrency", "2", "--import-rows", "200"
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    out = result.stdout
    assert "on 127.0.0.1:" in out
    for line in ("requests:", "5xx responses:     0", "lost edits: 0", "worker RSS:        start"):
        assert line in out
    assert "Soak passed" in out
    with sqlite3.connect(database) as db:  # the soak's providers and history are gone
        assert db.execute("SELECT COUNT(*) FROM providers_provider").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM providers_historicalprovider").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM providers_procedure").fetchone()[0] > 0


@pytest.mark.parametrize(
    "args", [["--seconds", "0"], ["--seconds", "99999"], ["--concurrency", "500"]]
)
def test_the_soak_is_bounded(args) -> None:
    with pytest.raises(CommandError):
        call_command("soak", *args)
