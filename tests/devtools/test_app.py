"""Developer commands are offered only when the environment asks for them (DEVTOOLS=1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
DEVELOPER_COMMANDS = {"bench_import", "bench_payer_rates", "bench_search", "soak"}


def listed_commands(**env: str) -> set[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DEVTOOLS"} | env
    environment.pop("DATABASE_URL", None)  # SQLite: listing commands needs no server
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return set(result.stdout.split())


@pytest.mark.parametrize("env", [{}, {"DEVTOOLS": "0"}])
def test_by_default_no_developer_command_is_offered(env):
    commands = listed_commands(**env)
    assert {"seed_demo", "import_nppes", "migrate"} <= commands
    assert commands & DEVELOPER_COMMANDS == set()


@pytest.mark.parametrize("value", ["1", "true"])
def test_devtools_on_offers_the_developer_commands(value):
    assert listed_commands(DEVTOOLS=value) >= DEVELOPER_COMMANDS
