"""The search's hand-written statements: prepared on PostgreSQL, the ORM's queries not."""

import pytest
from django.db import connection

from finder.raw_sql import fetch_rows
from providers.models import Provider
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

COLUMNS_SQL = "p.id, p.npi, p.last_name, p.accepting_new_patients"


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to prepare statements on")


def test_a_statement_run_often_is_prepared_on_the_server(postgresql_only):
    """So PostgreSQL plans the search once per connection, not on every request."""
    saved = ProviderFactory(last_name="Prepared")
    sql = f"SELECT {COLUMNS_SQL} FROM {Provider._meta.db_table} p WHERE p.id = %s AND p.npi = %s"
    answers = [fetch_rows(connection, sql, [saved.id, saved.npi]) for _ in range(7)]
    assert answers == [[(saved.id, saved.npi, "Prepared", True)]] * 7
    assert any("p.id = $1 AND p.npi = $2" in statement for statement in prepared_statements())


def test_the_orms_own_queries_are_not_prepared(postgresql_only):
    """Only the search's statements bind on the server: the ORM's stay plain text, safe
    behind any connection pooler."""
    saved = ProviderFactory(credential="PT")
    for _ in range(7):
        assert Provider.objects.filter(credential="PT", id=saved.id).count() == 1
    assert not any("credential" in statement for statement in prepared_statements())
