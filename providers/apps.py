from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Providers and reference data"

    def ready(self) -> None:
        from providers import freshness, search_index
        from providers.cache_table import create_cache_table
        from providers.curators import ensure_curators_group
        from providers.models import (
            InsurancePlan,
            License,
            MedicareLocality,
            MedicareNationalAmount,
            MedicareParticipation,
            PracticeAct,
            PracticeLocation,
            Procedure,
            Provider,
            ProviderPrice,
        )

        # After migrate, so the model permissions the group needs exist.
        post_migrate.connect(ensure_curators_group, sender=self)
        post_migrate.connect(create_cache_table, sender=self)

        # Cache invalidation only (no domain rules): see providers/freshness.py. Listings show
        # plan slugs and procedure codes and labels, so those tables count as listings too.
        # Listings show Medicare's amounts beside the prices (with the locality's name) and
        # the provider's Medicare assignment, which search filters on.
        listed = (Provider, PracticeLocation, License, ProviderPrice, InsurancePlan, Procedure)
        medicare = (MedicareNationalAmount, MedicareLocality, MedicareParticipation)
        for model in (*listed, *medicare):
            post_save.connect(freshness.bump_listings, sender=model, dispatch_uid=f"fresh-{model}")
            post_delete.connect(
                freshness.bump_listings, sender=model, dispatch_uid=f"fresh-del-{model}"
            )
        m2m_changed.connect(
            freshness.bump_listings,
            sender=Provider.insurance_plans.through,
            dispatch_uid="fresh-plans",
        )
        # The search projection (derived data, like the caches): see providers/search_index.py.
        pre_save.connect(
            search_index.on_location_saving, sender=PracticeLocation, dispatch_uid="index-loc"
        )
        post_save.connect(
            search_index.on_location_saved, sender=PracticeLocation, dispatch_uid="index-loc-s"
        )
        post_delete.connect(
            search_index.on_location_deleted, sender=PracticeLocation, dispatch_uid="index-loc-d"
        )
        post_save.connect(search_index.on_provider_saved, sender=Provider, dispatch_uid="index-p")
        post_save.connect(
            search_index.on_price_changed, sender=ProviderPrice, dispatch_uid="index-price"
        )
        post_delete.connect(
            search_index.on_price_changed, sender=ProviderPrice, dispatch_uid="index-price-d"
        )
        m2m_changed.connect(
            search_index.on_plans_changed,
            sender=Provider.insurance_plans.through,
            dispatch_uid="index-plans",
        )
        post_save.connect(freshness.bump_practice_acts, sender=PracticeAct, dispatch_uid="acts")
        post_delete.connect(
            freshness.bump_practice_acts, sender=PracticeAct, dispatch_uid="acts-del"
        )
