import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0010_provider_accounts_and_freshness"),
    ]

    operations = [
        migrations.AddField(
            model_name="insuranceplan",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
