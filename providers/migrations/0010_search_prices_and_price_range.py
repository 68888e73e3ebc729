from django.db import migrations, models

from providers.search_index import refresh_search_index


def fill_projection(apps, schema_editor):
    # The projection gained the entry-level prices and the spinal manipulation endorsement bit.
    refresh_search_index(
        provider_model=apps.get_model("providers", "Provider"),
        location_model=apps.get_model("providers", "PracticeLocation"),
        price_model=apps.get_model("providers", "ProviderPrice"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0009_medicare"),
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
