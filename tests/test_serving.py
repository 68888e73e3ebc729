"""Production serving pieces: request ids, JSON logs, the replica router, gunicorn config."""

import json
import logging
import os
import runpy
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import gunicorn.config
import pytest

from config import gunicorn_workers
from config.db_router import ReplicaRouter
from config.gunicorn_logging import JsonLogger
from config.logging import JsonFormatter, RequestIdFilter, request_id
from tests.servers import fetch, free_port, start_server, stop, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
# The sync worker woken one at a time where the OS has it (tests/test_gunicorn_workers.py).
SYNC_WORKER = (
    "config.gunicorn_workers.ExclusiveWakeupSyncWorker" if gunicorn_workers.AVAILABLE else "sync"
)


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_plain_upstream_request_id_is_kept_and_an_odd_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == (
        "lb-1234abcd"
    )
    injected = client.get("/healthz", HTTP_X_REQUEST_ID="x\nfake log line")["X-Request-ID"]
    assert "\n" not in injected and len(injected) == 32


@pytest.mark.django_db
def test_djangos_own_line_for_an_error_response_carries_its_request_id(client):
    seen = []
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())
    handler.emit = seen.append
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no-such-page/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert [(r.getMessage(), r.request_id) for r in seen] == [
        ("Not Found: /no-such-page/", response["X-Request-ID"])
    ]
    assert request_id.get() == "-"  # and none once the request is over


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("finder", logging.WARNING, __file__, 1, "db slow", None, None)
    token = request_id.set("abc12345")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc12345"
    assert line["level"] == "WARNING"
    assert line["message"] == "db slow"


def test_replica_router_reads_from_the_replica_and_writes_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(None) == "replica"
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica", "providers") is False


def test_gunicorn_config_loads_with_sane_values(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    config = runpy.run_path("config/gunicorn.conf.py")
    assert config["workers"] == 3
    assert config["preload_app"] is True
    assert config["timeout"] == 30
    assert (config["worker_class"], config["threads"]) == (SYNC_WORKER, 1)


@pytest.mark.parametrize(
    ("log_format", "logger_class"),
    [(None, "config.gunicorn_logging.JsonLogger"), ("json", "config.gunicorn_logging.JsonLogger"),
     ("text", None)],
)  # fmt: skip
def test_gunicorn_logs_as_the_app_does(monkeypatch, log_format, logger_class):
    if log_format is None:
        monkeypatch.delenv("LOG_FORMAT", raising=False)
    else:
        monkeypatch.setenv("LOG_FORMAT", log_format)
    config = runpy.run_path("config/gunicorn.conf.py")
    assert config.get("logger_class") == logger_class
    assert ("access_log_format" in config) == (logger_class is None)  # text: the stock line


def test_gunicorn_threads_mean_gthread_workers(monkeypatch):
    monkeypatch.setenv("GUNICORN_THREADS", "2")
    config = runpy.run_path("config/gunicorn.conf.py")
    assert (config["worker_class"], config["threads"]) == ("gthread", 2)


FREEZE_COUNT_APP = """
import gc

def application(environ, start_response):
    body = str(gc.get_freeze_count()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""


def test_workers_fork_with_the_preloaded_app_out_of_the_cycle_collectors_reach(tmp_path):
    (tmp_path / "freeze_count.py").write_text(FREEZE_COUNT_APP)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "1"}
    command = [
        sys.executable, "-m", "gunicorn", "freeze_count:application",
        "--config", "config/gunicorn.conf.py", "--pythonpath", str(tmp_path),
    ]  # fmt: skip
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    wait_until_serving(server, log, [port], "/")
    try:
        status, _, body = fetch(port, "/")
    finally:
        assert stop(server) == 0
    assert status == 200
    assert int(body) > 1000  # the worker's objects from before the fork: frozen


# Imports config.wsgi as gunicorn's master does (preload_app), then serves one API search
# through the WSGI callable: the first request must find every module already loaded.
FIRST_REQUEST = """
import sys
from config.wsgi import application
loaded = set(sys.modules)
environ = {
    "REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/providers/", "QUERY_STRING": "near=78701",
    "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
    "wsgi.input": __import__("io").BytesIO(), "wsgi.errors": sys.stderr,
}
statuses = []
b"".join(application(environ, lambda status, headers: statuses.append(status)))
print(statuses[0])
print(" ".join(sorted(set(sys.modules) - loaded)))
"""


def test_workers_fork_with_every_view_and_library_a_request_needs(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "test",
        "DJANGO_DEBUG": "0",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    result = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    status, imported = result.stdout.splitlines()
    assert status == "200 OK"
    assert imported == ""


def test_gunicorn_writes_json_lines_without_the_searched_location(tmp_path):
    """Served as `make serve` serves (config/gunicorn.conf.py): every line on stdout is a JSON
    object, one per request in the access log, and a searched-for place is never written."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LOG_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "test",
        "DJANGO_DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
    }
    env.pop("REDIS_URL", None)
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300
        )
    log = tmp_path / "serve.log"
    server, port = start_server(env, log, "--config", "config/gunicorn.conf.py")
    try:
        status, headers, body = fetch(port, "/api/v1/providers/?near=78701&radius_miles=10")
        assert status == 200
        # A static file goes out through sendfile(), whose bytes gunicorn does not count.
        static_status, _, stylesheet = fetch(port, "/static/css/site.css")
        assert static_status == 200 and stylesheet
    finally:
        stop(server)
    lines = log.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line: JSON, or this fails
    assert {"gunicorn.error", "gunicorn.access"} <= {entry["logger"] for entry in entries}
    access = {e["path"]: e for e in entries if e["logger"] == "gunicorn.access"}
    assert access["/static/css/site.css"]["bytes"] == len(stylesheet)
    search = [e for e in entries if e.get("path") == "/api/v1/providers/"]
    assert len(search) == 1
    assert search[0]["query"] == "near=redacted&radius_miles=10"
    assert search[0]["request_id"] == headers["x-request-id"]
    assert (search[0]["status"], search[0]["bytes"]) == (200, len(body))
    assert search[0]["duration_ms"] > 0
    assert "78701" not in log.read_text()


def test_the_access_log_never_raises_into_the_request(capsys):
    """gunicorn calls it in a `finally`: an exception there would replace the request's own."""
    config = gunicorn.config.Config()
    config.set("accesslog", "-")
    config.set("errorlog", "-")
    logger = JsonLogger(config)
    logger.access(None, None, {}, timedelta(milliseconds=5))  # nothing to read a line from
    errors = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(e["logger"], e["message"]) for e in errors] == [
        ("gunicorn.error", "Could not write an access log line")
    ]
    assert "Traceback" in errors[0]["exception"]
