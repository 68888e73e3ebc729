from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers and reference data"

    def ready(self) -> None:
        from providers.curators import ensure_curators_group

        # After migrate, so the model permissions the group needs exist.
        post_migrate.connect(ensure_curators_group, sender=self)
