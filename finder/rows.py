"""Hand-written SQL on the search's hot path: running it, and model instances from its rows.

Compiling a small ORM query costs about as much as running it; a results page runs several.
`ModelColumns` lists a model's columns once and builds instances from plain cursor rows with
the same conversions the ORM applies (SQLite returns booleans as 0/1, datetimes as text).
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Model, signals
from django.db.models.base import ModelState

Converter = tuple[Callable, Any]  # (function, the column expression it is called with)


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
    from django.db.backends.postgresql.base import ServerBindingCursor

    # What connection.cursor() does, with the server-binding cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


class ModelColumns:
    """Some of a model's columns (all by default, always in the model's field order), selected
    from a table alias, and instances built from rows of them."""

    def __init__(self, model: type[Model], alias: str, only: Iterable[str] | None = None) -> None:
        self.model = model
        wanted = None if only is None else set(only)
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if wanted is None or field.attname in wanted
        ]
        unknown = (wanted or set()) - {field.attname for field in self.fields}
        if unknown:
            raise ValueError(f"Not columns of {model.__name__}: {sorted(unknown)}")
        self.names = [field.attname for field in self.fields]
        self.sql = ", ".join(f"{alias}.{field.column}" for field in self.fields)
        self.alias = alias
        self._converters: dict[str, list[tuple[int, list[Converter]]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def converters(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Converter]]]:
        """(column index, converters) for the columns that need any, per database vendor."""
        if connection.vendor not in self._converters:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                functions = connection.ops.get_db_converters(column) + field.get_db_converters(
                    connection
                )
                if functions:
                    found.append((index, [(function, column) for function in functions]))
            self._converters[connection.vendor] = found
        return self._converters[connection.vendor]

    def builder(self, connection: BaseDatabaseWrapper) -> Callable[[Sequence[Any]], Model]:
        """A function building, from a row of these columns, an instance as the ORM would load
        it with `.only()` them (the others deferred: read from the database if ever accessed).
        The converters, and whether any pre_init or post_init receiver listens, are looked up
        once for a batch of rows (a results page), not per row."""
        model, names, alias = self.model, self.names, connection.alias
        converters = self.converters(connection)

        def converted(values: Sequence[Any]) -> list[Any]:
            values = list(values)
            for index, functions in converters:
                for function, column in functions:
                    values[index] = function(values[index], column, connection)
            return values

        if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):

            def through_from_db(values: Sequence[Any]) -> Model:
                return model.from_db(alias, names, converted(values))

            return through_from_db

        def plain(values: Sequence[Any]) -> Model:
            # What from_db does, without Model.__init__'s pass over every field (measured for
            # a 20-row page: 0.32 ms through from_db, 0.13 ms this way). Only when no pre_init
            # or post_init receiver expects to run, hence the check above.
            instance = model.__new__(model)
            values = converted(values) if converters else values
            instance.__dict__.update(zip(names, values, strict=True))
            state = instance._state = ModelState()
            state.adding = False
            state.db = alias
            return instance

        return plain
