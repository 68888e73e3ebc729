"""Model instances from hand-written SQL rows behave like the ORM's own."""

import pytest
from django.db import connection
from django.db.models import signals

from finder.listing_queries import ModelColumns
from finder.raw_sql import fetch_rows
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


def test_json_columns_come_back_as_lists_of_their_own():
    """Decoded once per text and remembered, each row still gets a list it may change."""
    columns = ModelColumns(Provider, "p", only=("id", "languages"))
    sql = f"SELECT {columns.sql} FROM {Provider._meta.db_table} p ORDER BY p.id"
    ProviderFactory.create_batch(2, languages=["en", "es"])
    build = columns.builder(connection)
    built = [build(row) for row in fetch_rows(connection, sql, [])]

    assert [p.languages for p in built] == [["en", "es"], ["en", "es"]]
    built[0].languages.append("fr")
    assert built[1].languages == ["en", "es"]
    assert build(fetch_rows(connection, sql, [])[1]).languages == ["en", "es"]
