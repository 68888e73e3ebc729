"""Model instances from hand-written SQL rows behave like the ORM's own."""

import pytest
from django.db import connection
from django.db.models import signals

from finder.rows import ModelColumns, fetch_rows
from providers.models import Provider
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

COLUMNS = ModelColumns(Provider, "p", only=("id", "npi", "last_name", "accepting_new_patients"))


def load(provider_id: int) -> Provider:
    sql = f"SELECT {COLUMNS.sql} FROM {Provider._meta.db_table} p WHERE p.id = %s"
    (row,) = fetch_rows(connection, sql, [provider_id])
    return COLUMNS.builder(connection)(row)


def test_selected_columns_come_back_converted_like_the_orm():
    saved = ProviderFactory(accepting_new_patients=True)
    built = load(saved.id)
    expected = Provider.objects.only(*COLUMNS.names).get(id=saved.id)
    for name in COLUMNS.names:
        assert getattr(built, name) == getattr(expected, name)
    assert built.accepting_new_patients is True  # SQLite returns 1; the converter makes a bool
    assert built._state.adding is False
    assert built._state.db == connection.alias
    assert built.get_deferred_fields() == expected.get_deferred_fields()


def test_a_column_left_out_is_deferred_and_read_when_accessed(django_assert_num_queries):
    saved = ProviderFactory(first_name="Ada", credential="DC")
    built = load(saved.id)
    assert "first_name" in built.get_deferred_fields()
    with django_assert_num_queries(1):
        assert built.first_name == "Ada"
    with django_assert_num_queries(0):
        assert built.first_name == "Ada"


def test_the_built_instance_saves_like_a_loaded_one():
    saved = ProviderFactory(last_name="Old")
    built = load(saved.id)
    built.last_name = "New"
    built.save(update_fields=["last_name"])
    assert Provider.objects.get(id=saved.id).last_name == "New"


def test_post_init_receivers_still_run():
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.id)

    saved = ProviderFactory()
    signals.post_init.connect(receiver, sender=Provider)
    try:
        built = load(saved.id)
    finally:
        signals.post_init.disconnect(receiver, sender=Provider)
    assert seen == [saved.id]
    assert built.npi == saved.npi


def test_unknown_columns_are_refused():
    with pytest.raises(ValueError, match="nickname"):
        ModelColumns(Provider, "p", only=("id", "nickname"))


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
    sql = f"SELECT {COLUMNS.sql} FROM {Provider._meta.db_table} p WHERE p.id = %s AND p.npi = %s"
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
