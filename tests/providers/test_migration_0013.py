"""Migration 0013 fills the search projection's new columns as refresh_search_index would."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from providers.search_index import refresh_search_index, stale_locations

BEFORE = [("providers", "0012_insuranceplan_updated_at")]
AFTER = [("providers", "0013_search_prices_and_price_range")]


@pytest.mark.django_db(transaction=True)
def test_it_fills_the_entry_level_prices_and_the_endorsement_bit():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    provider_model = apps.get_model("providers", "Provider")
    location_model = apps.get_model("providers", "PracticeLocation")
    price_model = apps.get_model("providers", "ProviderPrice")
    codes = {
        code: apps.get_model("providers", "Procedure").objects.create(code=code, label=code)
        for code in ("98940", "98943", "97140")
    }
    for npi, profession, endorsed, prices in (
        ("1234567893", "chiropractor", False, {"98940": "37.50", "98943": "30", "97140": "60"}),
        ("1245319599", "physical_therapist", True, {"97140": "55"}),
        ("1003000126", "physical_therapist", False, {}),
    ):
        provider = provider_model.objects.create(
            npi=npi, first_name="A", last_name="B", profession=profession,
            spinal_manipulation_endorsed=endorsed,
        )  # fmt: skip
        location_model.objects.create(
            provider=provider, address_line1="1 Main St", city="Austin", state="TX",
            zip_code="78701", latitude=30.27, longitude=-97.74,
        )  # fmt: skip
        for code, price in prices.items():
            price_model.objects.create(
                provider=provider, procedure=codes[code], cash_price=Decimal(price)
            )
    # The projection as 0012 had it (historical models send no signals).
    refresh_search_index(provider_model=provider_model, location_model=location_model)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    # The current models read the tables as the latest migrations leave them.
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
    # What the signals and refresh_search_index would have written, row for row.
    assert stale_locations() == []
