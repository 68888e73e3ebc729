import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0011_provider_specialty_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="insuranceplan",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
