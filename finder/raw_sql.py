"""Running hand-written SQL on the search's hot path: which connection, which cursor, the rows.

Compiling a small ORM query costs about as much as running it, and a results page runs
several; the search and the listings therefore send plain SQL through these helpers.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Model


def read_connection(model: type[Model]) -> BaseDatabaseWrapper:
    """The connection reads of `model` go to: the replica when one is configured
    (config/db_router.py), as the ORM would choose."""
    return connections[router.db_for_read(model)]


def fetch_rows(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple]:
    """All rows of `sql` (with `%s` placeholders) through Django's cursor wrapper, so the query
    is logged and its errors are Django's like any other."""
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def statement_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor for these statements. On PostgreSQL it binds parameters on the server (the
    ORM's cursors write them into the SQL text), so psycopg prepares a statement run often
    (DATABASES OPTIONS prepare_threshold, config/settings.py) and PostgreSQL plans it once
    per connection rather than on every search: planning took a third of a metro search's
    time in PostgreSQL (EXPLAIN ANALYZE: 0.96 ms planning, 2.28 ms execution)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    # Defined with psycopg 3 (django/db/backends/postgresql/base.py); the stubs omit it.
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    # The steps of connection.cursor(), with psycopg's server-binding cursor class: Django's
    # is client-binding unless every query of the connection binds on the server (OPTIONS
    # server_side_binding), and the ORM's queries should stay plain text.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)
