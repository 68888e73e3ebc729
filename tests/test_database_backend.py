"""config.postgresql: the health check asks the server only when the connection shows a reason."""

import time

import psycopg
import pytest
from django.db import close_old_connections, connection

from config.postgresql.base import readable

pytestmark = [
    # Outside a test transaction: the checks concern an idle connection between requests.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
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


def last_statement(session: psycopg.Connection, pid: int) -> str:
    row = session.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row[0] if row else ""


def our_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_an_idle_connection_with_nothing_to_read_is_usable_without_a_query(other_session):
    pid = our_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    assert connection.is_usable()
    # Django's own check would have sent SELECT 1.
    assert last_statement(other_session, pid) == "SELECT 'the last statement'"


def test_a_session_the_server_ended_is_replaced_before_the_next_request_queries(other_session):
    pid = our_pid()
    other_session.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while last_statement(other_session, pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not connection.is_usable()
    close_old_connections()  # a request starts: its first query checks the connection
    assert our_pid() != pid  # answered, on a new session


def test_a_connection_with_something_to_read_is_asked_and_stays(other_session):
    pid = our_pid()
    with connection.cursor() as cursor:
        cursor.execute("LISTEN finder_test")
    other_session.execute("NOTIFY finder_test")
    deadline = time.monotonic() + 10
    while not readable(connection.connection.fileno()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert readable(connection.connection.fileno())  # the notification waits on the socket
    assert connection.is_usable()  # asked the server (SELECT 1), which answered
    assert last_statement(other_session, pid) == "SELECT 1"
    assert our_pid() == pid
