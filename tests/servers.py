"""The real app in a gunicorn subprocess, for tests that need a server: start, fetch, stop;
and management commands run in processes of their own, as an operator runs them."""

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from devtools.benchmark import free_port

BASE_DIR = Path(settings.BASE_DIR)
SECRET = "server-tests-only-" + "k3y" * 20


def app_env(**overrides: str) -> dict[str, str]:
    """A production-like environment (DEBUG off, no Redis: the default cache), without the
    HTTPS redirect: plain HTTP here."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": SECRET,
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "0",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "API_ANON_RATE": "100000/min",
        "API_ESTIMATE_RATE": "100000/min",
    }
    env.pop("DJANGO_TESTING", None)
    env.pop("REDIS_URL", None)
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def fetch(
    port: int, path: str, *, method: str = "GET", body: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def start_server(
    env: dict[str, str], log: Path, *gunicorn_args: str
) -> tuple[subprocess.Popen, int]:
    """gunicorn with one worker on a free port; `gunicorn_args` add to its command line."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60", *gunicorn_args,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=out)
    wait_until_serving(process, log, [port], "/healthz")
    return process, port


def wait_until_serving(
    process: subprocess.Popen, log: Path, ports: list[int], path: str, seconds: float = 40
) -> None:
    """Returns once every port answers `path`; fails with the end of the server's log when
    the server exits first or does not answer within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            for port in ports:
                fetch(port, path)
            return
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise AssertionError(f"the server did not start:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> int:
    """SIGTERM, as a process manager stops gunicorn; the exit status (killed: negative)."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
        return -signal.SIGKILL
