"""Production serving pieces: request ids, JSON logs, the replica router, gunicorn config."""

import json
import logging
import runpy

import pytest

from config.db_router import ReplicaRouter
from config.logging import JsonFormatter, RequestIdFilter, request_id


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
    config = runpy.run_path("config/gunicorn.conf.py")
    assert config["workers"] == 3
    assert config["preload_app"] is True
    assert config["timeout"] == 30
