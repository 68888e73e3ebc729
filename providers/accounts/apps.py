from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "providers.accounts"
    label = "accounts"
    verbose_name = "Provider accounts and listing reviews"

    def ready(self) -> None:
        from providers.accounts.curators import grant_curators_review

        # After migrate, so the model permissions exist (and after the group is made).
        post_migrate.connect(grant_curators_review, sender=self)
