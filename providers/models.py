"""The directory's data: providers, where they practise, what they charge, what they may do."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cos, Radians, Sin
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from providers.languages import validate_language_codes
from providers.provider_history import ProviderHistory, providers_with_changed_plans  # noqa: F401
from providers.states import STATE_CHOICES
from providers.validators import validate_cash_price, validate_npi, validate_tin

zip_code_validator = RegexValidator(r"^\d{5}$", "Enter a 5-digit ZIP code.")


class Profession(models.TextChoices):
    CHIROPRACTOR = "chiropractor", _("Chiropractor")
    PHYSICAL_THERAPIST = "physical_therapist", _("Physical therapist")


class Service(models.TextChoices):
    SPINAL_MANIPULATION = "spinal_manipulation", _("Spinal thrust manipulation")
    EXTREMITY_MANIPULATION = "extremity_manipulation", _("Extremity manipulation")
    MOBILIZATION = "mobilization", _("Mobilization")
    MANIPULATION_UNDER_ANESTHESIA = (
        "manipulation_under_anesthesia",
        _("Manipulation under anesthesia"),
    )


class Scope(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    REQUIRES_ENDORSEMENT = "requires_endorsement", _("Requires endorsement")
    RESTRICTED = "restricted", _("Restricted or disputed")
    PROHIBITED = "prohibited", _("Prohibited")
    UNKNOWN = "unknown", _("Unknown")


class DirectAccess(models.TextChoices):
    UNRESTRICTED = "unrestricted", _("Unrestricted")
    PROVISIONAL = "provisional", _("With provisions")
    LIMITED = "limited", _("Limited")
    UNKNOWN = "unknown", _("Unknown")


class Confidence(models.TextChoices):
    HIGH = "H", _("High: statute, regulator or court text")
    MEDIUM = "M", _("Medium: reputable secondary sources")
    LOW = "L", _("Low: single source, inference or no restriction found")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    SUSPENDED = "suspended", "Suspended"


class RecordSource(models.TextChoices):
    NPPES = "nppes", "NPPES import"
    CURATOR = "curator", "Curator"
    DEMO = "demo", "Demo data"


class TelehealthSource(models.TextChoices):
    MEDICARE_FILE = "medicare_file", "Medicare clinicians file"
    PROVIDER = "provider", "The provider"
    CURATOR = "curator", "Curator"


class VerificationSource(models.TextChoices):
    """Who last vouched for a listing: for a verified one, who confirmed it; for one not yet
    confirmed, where it came from."""

    PROVIDER = "provider", "The provider"
    CURATOR = "curator", "Curator"
    NPPES = "nppes", "NPPES import"
    DEMO = "demo", "Demo data"


# Provider boolean field for each service, so search filters stay plain indexed columns.
SERVICE_FIELDS: dict[str, str] = {
    Service.SPINAL_MANIPULATION: "offers_spinal_manipulation",
    Service.EXTREMITY_MANIPULATION: "offers_extremity_manipulation",
    Service.MOBILIZATION: "offers_mobilization",
    Service.MANIPULATION_UNDER_ANESTHESIA: "offers_manipulation_under_anesthesia",
}


class InsurancePlan(models.Model):
    class Kind(models.TextChoices):
        COMMERCIAL = "commercial", "Commercial"
        MEDICARE = "medicare", "Medicare"
        MEDICAID = "medicaid", "Medicaid"
        MARKETPLACE = "marketplace", "Marketplace (ACA individual)"
        OTHER = "other", "Other"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    payer = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # When the plan last changed: the FHIR directory's meta.lastUpdated of the plan and its
    # network, which partners sync on with _lastUpdated.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(max_length=5, unique=True)
    label = models.CharField(max_length=120, help_text="Plain language, not AMA descriptor text.")
    professions = models.JSONField(default=list, blank=True)
    medicare_covered_for = models.JSONField(default=list, blank=True)
    is_manipulation = models.BooleanField(
        default=False, help_text="Counts as a manipulation price for search filters."
    )
    typical_price_low = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("30"))
    typical_price_high = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("50"))
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def typical_price_mid(self) -> Decimal:
        return (self.typical_price_low + self.typical_price_high) / 2


class ProviderQuerySet(models.QuerySet):
    def public(self) -> "ProviderQuerySet":
        """The providers the public may see (search, provider pages, the API, the estimator):
        every one not suspended. `Provider.is_public` is the same rule for one instance."""
        return self.exclude(verification_status=VerificationStatus.SUSPENDED)


class Provider(models.Model):
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    credential = models.CharField(max_length=40, blank=True, help_text="e.g. DC, DPT, PT")
    specialty_codes = models.JSONField(
        default=list, blank=True,
        help_text="NUCC taxonomy subspecialty codes from NPPES, e.g. 2251X0800X (orthopedic).",
    )  # fmt: skip
    profession = models.CharField(max_length=20, choices=Profession.choices, db_index=True)
    offers_spinal_manipulation = models.BooleanField("spinal thrust manipulation", default=False)
    offers_extremity_manipulation = models.BooleanField("extremity manipulation", default=False)
    offers_mobilization = models.BooleanField("mobilization", default=False)
    offers_manipulation_under_anesthesia = models.BooleanField(
        "manipulation under anesthesia", default=False
    )
    spinal_manipulation_endorsed = models.BooleanField(
        default=False,
        help_text="A curator confirmed the state endorsement for spinal manipulation "
        "(e.g. Washington PTs, RCW 18.74.190).",
    )
    accepting_new_patients = models.BooleanField(default=True)
    # What a patient can ask for before booking. Languages and telehealth are the clinician's
    # (NPPES and Medicare describe a person; they go wherever the clinician practises);
    # entrances and opening hours belong to a building (PracticeLocation).
    languages = models.JSONField(
        default=list, blank=True, validators=[validate_language_codes],
        help_text="ISO 639-1 codes of the languages the provider speaks with patients, "
        "e.g. en, es. Empty: not reported.",
    )  # fmt: skip
    offers_telehealth = models.BooleanField(
        "offers telehealth", null=True, blank=True,
        help_text="Unknown when empty. Medicare's clinicians file sets it to yes where it flags "
        "telehealth, unless a curator or the provider answered.",
    )  # fmt: skip
    telehealth_source = models.CharField(
        max_length=20, blank=True, choices=TelehealthSource.choices,
        help_text="Who answered the telehealth question; empty while unknown.",
    )  # fmt: skip
    tin = models.CharField(
        "TIN", max_length=11, blank=True, validators=[validate_tin],
        help_text="Optional; printed on Good Faith Estimates.",
    )  # fmt: skip
    verification_status = models.CharField(
        max_length=10, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    last_verified = models.DateField(null=True, blank=True)
    verification_source = models.CharField(
        max_length=10, choices=VerificationSource.choices, default=VerificationSource.CURATOR,
        help_text="Who confirmed the listing; for one not yet confirmed, where it came from.",
    )  # fmt: skip
    hours = models.TextField(blank=True, max_length=500, help_text="Opening hours, as written.")
    bio = models.TextField("short bio", blank=True, max_length=600)
    website = models.URLField(blank=True, max_length=200)
    provider_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the provider last edited the listing themselves."
    )
    locked_fields = models.JSONField(
        default=list, blank=True,
        help_text="Fields a curator has locked: the provider cannot change them.",
    )  # fmt: skip
    is_demo = models.BooleanField(default=False, help_text="Synthetic listing for demonstration.")
    curator_notes = models.TextField(blank=True)
    insurance_plans = models.ManyToManyField(InsurancePlan, blank=True, related_name="providers")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Every save (admin edits, reverts, soft deletes) is kept; bulk writes (imports) are not.
    # Each version also keeps the provider's plans, and adding or removing one is a version of
    # its own: which plans a listing claimed, and who changed them, is never lost.
    history = ProviderHistory(m2m_fields=[insurance_plans])

    objects = ProviderQuerySet.as_manager()

    # Not columns: set on the instances a listing shows, by finder.listing_queries
    # (plans, prices, last change as the API writes it) and finder.medicare_listing.
    listing_plan_slugs: list[str]
    listing_prices: list[dict[str, Any]]
    listing_updated_at: str
    medicare_assignment: str
    # A detail's: per location id, the Medicare amounts there (finder.medicare_listing).
    location_medicare: dict[int, list[dict[str, Any]]]

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="provider_name_idx"),
            models.Index(fields=["verification_status"], name="provider_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(verification_status="verified", last_verified__isnull=True),
                name="verified_has_date",
                violation_error_message="A verified listing needs its verification date.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.npi})"

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name}, {self.credential}" if self.credential else name

    @property
    def services(self) -> list[str]:
        return [service for service, field in SERVICE_FIELDS.items() if getattr(self, field)]

    @property
    def is_public(self) -> bool:
        return self.verification_status != VerificationStatus.SUSPENDED

    def is_locked(self, field: str) -> bool:
        return field in (self.locked_fields or [])


# What the covering search index carries beside the coordinates (providers/search_index.py).
SEARCH_COVER_INCLUDE = (
    "provider_id", "id", "search_flags", "search_plans", "search_languages",
    "wheelchair_accessible", "state", "unit_x", "unit_y", "unit_z", "search_primary",
    "search_price_cents", "search_extremity_price_cents", "search_mobilization_price_cents",
)  # fmt: skip


class PracticeLocation(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="locations")
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    zip_code = models.CharField("ZIP code", max_length=5, validators=[zip_code_validator])
    phone = models.CharField(max_length=20, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    source = models.CharField(
        max_length=10, choices=RecordSource.choices, default=RecordSource.CURATOR
    )
    # Facts of the building, which can differ between a provider's locations. Empty: unknown.
    wheelchair_accessible = models.BooleanField(
        "wheelchair-accessible entrance", null=True, blank=True
    )
    evening_hours = models.BooleanField("open evenings (after 6 pm)", null=True, blank=True)
    weekend_hours = models.BooleanField("open on weekends", null=True, blank=True)
    # The search projection: the provider's filterable facts, kept current by
    # providers/search_index.py. Derived, so neither editable nor kept in history.
    search_flags = models.PositiveIntegerField(default=0, editable=False)
    search_plans = models.TextField(blank=True, default="", editable=False)
    search_languages = models.TextField(blank=True, default="", editable=False)
    # One location per provider (its first, the lowest id) is its search primary, so that a
    # search can tell "more than 1,000 providers nearby" by counting rows, one per provider,
    # instead of grouping every location in a metro (providers/search_index.py).
    search_primary = models.BooleanField(default=False, editable=False)
    # The provider's entry-level prices in cents, by service searched (providers/entry_level.py).
    search_price_cents = models.PositiveIntegerField(null=True, editable=False)
    search_extremity_price_cents = models.PositiveIntegerField(null=True, editable=False)
    search_mobilization_price_cents = models.PositiveIntegerField(null=True, editable=False)
    # The point as a unit vector, computed by the database: the dot product of two points
    # orders them by great-circle distance with plain arithmetic, where haversine took a
    # third of a dense search's database time in trigonometry on every row.
    unit_x = models.GeneratedField(
        expression=Cos(Radians("latitude")) * Cos(Radians("longitude")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    unit_y = models.GeneratedField(
        expression=Cos(Radians("latitude")) * Sin(Radians("longitude")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    unit_z = models.GeneratedField(
        expression=Sin(Radians("latitude")), output_field=models.FloatField(), db_persist=True
    )
    history = HistoricalRecords(
        excluded_fields=[
            "search_flags", "search_plans", "search_languages", "search_primary",
            "unit_x", "unit_y", "unit_z",
            "search_price_cents", "search_extremity_price_cents", "search_mobilization_price_cents",
        ]
    )  # fmt: skip
    # Not a column: the provider a location is moving away from, between its pre_save and
    # post_save handlers (providers/search_index.py).
    _search_left_provider: int | None

    class Meta:
        ordering = ["id"]
        indexes = [
            # Covering on PostgreSQL: the search's bounding box and every common filter are
            # answered from the index alone (index-only scan), not from the heap or providers.
            models.Index(
                fields=["latitude", "longitude"],
                include=SEARCH_COVER_INCLUDE,
                name="location_search_cover_idx",
            )
        ]
        constraints = [
            # Counting primaries counts providers only while no provider has two of them.
            models.UniqueConstraint(
                fields=["provider"],
                condition=models.Q(search_primary=True),
                name="location_one_search_primary",
            )
        ]

    def __str__(self) -> str:
        return f"{self.address_line1}, {self.city}, {self.state} {self.zip_code}"

    @property
    def address(self) -> str:
        return ", ".join(part for part in (self.address_line1, self.address_line2) if part)


class License(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="licenses")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    number = models.CharField(max_length=40)
    source = models.CharField(
        max_length=10, choices=RecordSource.choices, default=RecordSource.CURATOR
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["state", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "state", "number"], name="unique_provider_license"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.number}"


class ProviderPrice(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="prices")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="prices")
    cash_price = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[validate_cash_price]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure__code"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "procedure"], name="unique_provider_price"),
            models.CheckConstraint(
                condition=Q(cash_price__gte=1) & Q(cash_price__lte=1000),
                name="cash_price_from_1_to_1000",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code}: ${self.cash_price}"


class PracticeAct(models.Model):
    """One state's rule for one profession, in force from `effective_from`.

    Rows are never overwritten when the law changes: a new row with a later
    `effective_from` supersedes the old one, which stays as history.
    """

    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    profession = models.CharField(max_length=20, choices=Profession.choices)
    effective_from = models.DateField(
        null=True, blank=True,
        help_text="Leave empty for the rule in force before any recorded change.",
    )  # fmt: skip
    spinal_manipulation = models.CharField(
        max_length=20, choices=Scope.choices, default=Scope.UNKNOWN
    )
    extremity_manipulation = models.CharField(
        max_length=20, choices=Scope.choices, default=Scope.UNKNOWN
    )
    manipulation_under_anesthesia = models.CharField(
        max_length=20, choices=Scope.choices, default=Scope.UNKNOWN
    )
    direct_access = models.CharField(
        max_length=20, choices=DirectAccess.choices, default=DirectAccess.UNKNOWN
    )
    note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="Source URLs.")
    confidence = models.CharField(max_length=1, choices=Confidence.choices, default="L")
    last_reviewed = models.DateField(default=date.today)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["state", "profession", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "profession", "effective_from"], name="unique_practice_act_date"
            ),
            models.UniqueConstraint(
                fields=["state", "profession"],
                condition=Q(effective_from__isnull=True),
                name="unique_practice_act_original",
            ),
        ]

    def __str__(self) -> str:
        since = f" from {self.effective_from}" if self.effective_from else ""
        return f"{self.state} {self.get_profession_display()}{since}"

    def scope_for(self, service: str) -> str:
        if service == Service.MOBILIZATION:
            # Non-thrust mobilization is core practice for both professions; no act restricts it.
            return Scope.ALLOWED
        return getattr(self, service)


class ImportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    source_name = models.CharField(max_length=255)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source_name} ({self.started_at:%Y-%m-%d %H:%M})"


# Payer evidence and Medicare's fee schedule, localities and participation live in their own
# modules.
from providers.medicare_models import (  # noqa: E402, F401
    MedicareAssignment,
    MedicareFee,
    MedicareLocality,
    MedicareNationalAmount,
    MedicareParticipation,
    MedicareZip,
)
from providers.payer_models import (  # noqa: E402, F401
    AcceptanceSource,
    NegotiatedRate,
    PlanAcceptance,
)
