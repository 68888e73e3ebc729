from django.db import migrations, models

from providers.entry_level import entry_level_codes
from providers.search_index import PRICE_COLUMNS, SPINAL_MANIPULATION_ENDORSED


def fill_projection(apps, schema_editor):
    """The projection gained the entry-level prices and the endorsement bit: set in a few
    statements over the whole table (the row-by-row refresh took 26 minutes at 300,000
    locations). `manage.py refresh_search_index --check` confirms the result."""
    location = apps.get_model("providers", "PracticeLocation")._meta.db_table
    provider = apps.get_model("providers", "Provider")._meta.db_table
    price = apps.get_model("providers", "ProviderPrice")._meta.db_table
    procedure = apps.get_model("providers", "Procedure")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {location} SET search_flags = search_flags | %s WHERE provider_id IN"
            f" (SELECT id FROM {provider} WHERE spinal_manipulation_endorsed)",
            [SPINAL_MANIPULATION_ENDORSED],
        )
        for service, column in PRICE_COLUMNS.items():
            for profession, code in entry_level_codes(service).items():
                cursor.execute(
                    f"UPDATE {location} SET {column} = (SELECT CAST(ROUND(p.cash_price * 100)"
                    f" AS INTEGER) FROM {price} p JOIN {procedure} c ON c.id = p.procedure_id"
                    f" WHERE p.provider_id = {location}.provider_id AND c.code = %s)"
                    f" WHERE provider_id IN (SELECT id FROM {provider} WHERE profession = %s)",
                    [code, profession],
                )
        if schema_editor.connection.vendor == "postgresql":
            # PostgreSQL refuses to build the index below while the updates' deferred
            # foreign-key checks are pending in this transaction: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0012_insuranceplan_updated_at"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="providerprice",
            name="cash_price_in_range",
        ),
        # A cash price outside $1-$1,000 is a typing slip (providers/validators.py).
        migrations.AddConstraint(
            model_name="providerprice",
            constraint=models.CheckConstraint(
                condition=models.Q(("cash_price__gte", 1), ("cash_price__lte", 1000)),
                name="cash_price_from_1_to_1000",
            ),
        ),
        migrations.RemoveIndex(
            model_name="practicelocation",
            name="location_search_cover_idx",
        ),
        migrations.AddField(
            model_name="practicelocation",
            name="search_extremity_price_cents",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="practicelocation",
            name="search_mobilization_price_cents",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="practicelocation",
            name="search_price_cents",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill_projection, migrations.RunPython.noop, elidable=True),
        # Built once the rows are filled.
        migrations.AddIndex(
            model_name="practicelocation",
            index=models.Index(
                fields=["latitude", "longitude"],
                include=(
                    "provider_id", "id", "search_flags", "search_plans", "state", "unit_x",
                    "unit_y", "unit_z", "search_primary", "search_price_cents",
                    "search_extremity_price_cents", "search_mobilization_price_cents",
                ),
                name="location_search_cover_idx",
            ),
        ),
    ]
