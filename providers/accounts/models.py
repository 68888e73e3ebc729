"""Provider accounts: who may manage which listing, what they changed, and patients' reports.

An account is a Django user (username = the email, lower-cased) with a `ProviderAccount`
beside it. It manages the listings of its approved claims only; everything it changes is kept
as a `ListingChange` for curators' review queue, where one click reverts it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from providers.models import Provider


class ProviderAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_account"
    )
    # The address the owner proved they read; the account's email is verified while it is
    # the user's current email. A verification link names the value it expects here, so it
    # works once.
    verified_email = models.EmailField(blank=True)
    # A new address asked for and not yet verified: the old one stays until the link is used.
    pending_email = models.EmailField(blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.user.email

    @property
    def email_verified(self) -> bool:
        return bool(self.user.email) and self.verified_email == self.user.email


class Claim(models.Model):
    """An account's claim to be (or to manage) the provider with this NPI."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a curator"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    account = models.ForeignKey(ProviderAccount, on_delete=models.CASCADE, related_name="claims")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="claims")
    practice_name = models.CharField(max_length=200)
    phone = models.CharField("practice phone", max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "provider"], name="one_claim_per_listing")
        ]

    def __str__(self) -> str:
        return f"{self.account} claims {self.provider.npi}"


class ListingChange(models.Model):
    """One field of a listing as a provider changed it: the review queue's row.

    `field` is one of PROVIDER_EDITABLE_FIELDS, or `price:<code>` for one procedure's cash
    price; the values are JSON (a list of slugs for plans, a decimal string or null for a
    price), as `providers.accounts.editing` reads and writes them.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="changes")
    account = models.ForeignKey(
        ProviderAccount, null=True, on_delete=models.SET_NULL, related_name="changes"
    )
    field = models.CharField(max_length=40)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider.npi} {self.field}"


class ListingReport(models.Model):
    """A visitor's report that something on a listing is wrong. Anonymous: no name, email or
    address is kept, and the form asks for no health information."""

    class Problem(models.TextChoices):
        CLOSED = "closed", _("The practice has closed or moved")
        PHONE = "phone", _("The phone number or address is wrong")
        PRICES = "prices", _("The prices are wrong")
        INSURANCE = "insurance", _("The insurance plans are wrong")
        NEW_PATIENTS = "new_patients", _("They are not taking new patients")
        OTHER = "other", _("Something else")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="reports")
    problem = models.CharField(max_length=20, choices=Problem.choices)
    details = models.TextField(blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider.npi}: {self.get_problem_display()}"
