"""Evidence that a provider takes a plan, and the plans' public negotiated rates (payer files).

Imported at the end of `providers.models`, so `from providers.models import NegotiatedRate`
keeps working and Django finds the models with the app's others. Relations are named
by string so this module imports nothing of `providers.models`.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class AcceptanceSource(models.TextChoices):
    PAYER_FILE = "payer_file", "Payer's Transparency-in-Coverage file"
    MEDICARE_FILE = "medicare_file", "Medicare clinicians file"
    PROVIDER = "provider", "The provider"
    CURATOR = "curator", "Curator"


class PlanAcceptance(models.Model):
    """Evidence that a provider takes a plan: who says so, from which file of which date, and
    when it was last seen. One row per provider, plan and source; a row that stops being true
    is ended, never deleted, so what a listing once claimed stays explainable.

    `Provider.insurance_plans` holds the plans with current evidence (providers/acceptance.py
    keeps it so): search, listings and the admin read and edit that relation.
    """

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="plan_acceptances"
    )
    plan = models.ForeignKey(
        "providers.InsurancePlan", on_delete=models.CASCADE, related_name="acceptances"
    )
    source = models.CharField(max_length=20, choices=AcceptanceSource.choices)
    source_file = models.CharField(max_length=255, blank=True, help_text="The file's base name.")
    file_date = models.DateField(
        null=True, blank=True, help_text="The file's own date (last_updated_on)."
    )
    first_seen = models.DateField(default=timezone.localdate)
    last_seen = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(
        null=True, blank=True, help_text="Set when a newer file or a curator no longer lists it."
    )

    class Meta:
        ordering = ["plan__name", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "plan", "source"], name="unique_plan_acceptance"
            )
        ]
        indexes = [models.Index(fields=["plan", "source"], name="acceptance_plan_source_idx")]

    def __str__(self) -> str:
        ended = f", ended {self.ended_on}" if self.ended_on else ""
        return f"{self.plan} ({self.get_source_display()}{ended})"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class NegotiatedRate(models.Model):
    """A plan's public in-network rate with a provider for one code, from a payer's file.

    `rate` is dollars, or for `percentage` the percent of the provider's charge (65.00 = 65%).
    Places of service and modifiers are kept as comma-separated text ("11", "CSTM-00" = all).
    """

    class Type(models.TextChoices):
        NEGOTIATED = "negotiated", "Negotiated"
        FEE_SCHEDULE = "fee schedule", "Fee schedule"
        PERCENTAGE = "percentage", "Percentage of charges"

    class BillingClass(models.TextChoices):
        PROFESSIONAL = "professional", "Professional"
        BOTH = "both", "Professional and institutional"

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="negotiated_rates"
    )
    plan = models.ForeignKey(
        "providers.InsurancePlan", on_delete=models.CASCADE, related_name="negotiated_rates"
    )
    procedure = models.ForeignKey(
        "providers.Procedure", on_delete=models.PROTECT, related_name="negotiated_rates"
    )
    negotiated_type = models.CharField(max_length=20, choices=Type.choices)
    rate = models.DecimalField(max_digits=9, decimal_places=2)
    billing_class = models.CharField(max_length=20, choices=BillingClass.choices)
    places_of_service = models.CharField(max_length=200)
    modifiers = models.CharField(max_length=100, blank=True)
    expires = models.DateField(null=True, blank=True, help_text="Empty: no end date.")
    source_file = models.CharField(max_length=255)
    file_date = models.DateField(help_text="The file's own date (last_updated_on).")

    class Meta:
        ordering = ["plan__name", "procedure__code", "negotiated_type", "rate", "id"]
        indexes = [
            models.Index(fields=["provider", "plan"], name="rate_provider_plan_idx"),
            models.Index(fields=["plan", "file_date"], name="rate_plan_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="negotiated_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.procedure.code} {self.negotiated_type} {self.rate}"

    @property
    def places_of_service_list(self) -> list[str]:
        return [code for code in self.places_of_service.split(",") if code]

    @property
    def modifier_list(self) -> list[str]:
        return [code for code in self.modifiers.split(",") if code]
