"""PostgreSQL connections outlive a request, and one the server ended is replaced before the
next request's first query (CONN_MAX_AGE and CONN_HEALTH_CHECKS in config/settings.py)."""

import time

import psycopg
import pytest
from django.db import close_old_connections, connection

pytestmark = [
    # Outside a test transaction: the checks concern an idle connection between requests.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's sessions"),
]


@pytest.fixture
def other_session():
    """A second session on the test database: the server's view of ours, and a way to end it."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as session:
        yield session


def our_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def session_exists(session: psycopg.Connection, pid: int) -> bool:
    row = session.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row is not None


def test_a_connection_is_kept_for_the_next_request():
    pid = our_pid()
    close_old_connections()  # a request ends, and the next one starts
    assert our_pid() == pid


def test_a_session_the_server_ended_is_replaced_before_the_next_request_queries(other_session):
    pid = our_pid()
    close_old_connections()  # the request ends; the connection is kept
    other_session.execute("SELECT pg_terminate_backend(%s)", [pid])  # a restart, an idle timeout
    deadline = time.monotonic() + 10
    while session_exists(other_session, pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    close_old_connections()  # the next request starts
    assert our_pid() != pid  # its first query answered, on a new session
