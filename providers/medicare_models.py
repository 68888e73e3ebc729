"""Medicare's public facts: fee schedule amounts by locality, the ZIP-to-locality map, national
amounts, and each listed provider's Medicare assignment.

Loaded by `import_medicare_fees`, `load_reference_data` and `import_medicare_clinicians` (CMS's
PFALL, ZIP5 and Doctors and Clinicians files; their layouts are described in
`providers.medicare_fees` and `providers.medicare_clinicians`). Imported by `providers.models`,
so Django registers these models with the providers app.
"""

from django.db import models
from django.db.models import Q

# PFALL's 9(7).99
AMOUNT_MAX_DIGITS = 9
AMOUNT_DECIMAL_PLACES = 2


class MedicareLocality(models.Model):
    """A Medicare payment locality: a carrier (MAC jurisdiction) and its locality number.

    `name` is a curator's plain label ("Manhattan, NY"); the CMS files used here carry none, so
    an unnamed locality is described by its numbers and state.
    """

    carrier = models.CharField(max_length=5)
    locality = models.CharField(max_length=2)
    state = models.CharField(max_length=2, blank=True)
    name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["carrier", "locality"]
        verbose_name_plural = "Medicare localities"
        constraints = [
            models.UniqueConstraint(fields=["carrier", "locality"], name="unique_medicare_locality")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        where = f" ({self.state})" if self.state else ""
        return f"locality {self.carrier}-{self.locality}{where}"


class MedicareFee(models.Model):
    """One year's fee schedule amounts for one code in one locality (PFALL, global modifier)."""

    year = models.PositiveSmallIntegerField()
    locality = models.ForeignKey(MedicareLocality, on_delete=models.CASCADE, related_name="fees")
    code = models.CharField(max_length=5)
    non_facility_amount = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS,
        decimal_places=AMOUNT_DECIMAL_PLACES,
        help_text="The office amount, USD.",
    )
    facility_amount = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES
    )
    therapy_reduction_amount = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS,
        decimal_places=AMOUNT_DECIMAL_PLACES,
        null=True,
        blank=True,
        help_text="Paid for each further therapy unit of a visit (MPPR), non-institutional.",
    )
    status = models.CharField(max_length=1, help_text="PFALL status code (A, R or T).")

    class Meta:
        ordering = ["year", "locality", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "locality", "code"], name="unique_medicare_fee")
        ]
        indexes = [models.Index(fields=["locality", "code", "year"], name="medicare_fee_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.locality_id} {self.code}: ${self.non_facility_amount}"


class MedicareZip(models.Model):
    """The Medicare locality of a 5-digit ZIP code (CMS ZIP5 file)."""

    class Rural(models.TextChoices):
        URBAN = "", "Urban"
        RURAL = "R", "Rural"
        SUPER_RURAL = "B", "Super rural"

    zip_code = models.CharField("ZIP code", max_length=5, unique=True)
    state = models.CharField(max_length=2)
    locality = models.ForeignKey(MedicareLocality, on_delete=models.CASCADE, related_name="zips")
    rural = models.CharField(max_length=1, choices=Rural.choices, blank=True)
    split_by_plus4 = models.BooleanField(
        default=False,
        help_text="Split by ZIP+4 ranges; the ZIP5 record's locality is used for the whole ZIP.",
    )
    effective = models.CharField(max_length=5, help_text="Year and quarter, YYYYQ.")

    class Meta:
        ordering = ["zip_code"]
        verbose_name = "Medicare ZIP code"

    def __str__(self) -> str:
        return f"{self.zip_code} -> {self.locality_id}"


class MedicareNationalAmount(models.Model):
    """A code's national non-facility amount (GPCI 1.0): the default without a locality."""

    year = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=5)
    non_facility_amount = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES
    )
    source = models.CharField(max_length=300, help_text="Where the amount comes from.")

    class Meta:
        ordering = ["year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="unique_medicare_national_amount")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.code}: ${self.non_facility_amount}"


class MedicareAssignment(models.TextChoices):
    PARTICIPATING = "participating", "Participating (accepts assignment)"
    NON_PARTICIPATING = "non_participating", "Non-participating"
    UNKNOWN = "unknown", "Unknown"


class MedicareParticipation(models.Model):
    """A provider's Medicare assignment, for the provider (location empty) or one location.

    From the Doctors and Clinicians file unless a curator set it; the import never overwrites a
    curator's row.
    """

    class Source(models.TextChoices):
        MEDICARE_FILE = "medicare_file", "Medicare Doctors and Clinicians file"
        CURATOR = "curator", "Curator"

    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="medicare_participation"
    )
    location = models.ForeignKey(
        "providers.PracticeLocation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="medicare_participation",
    )
    assignment = models.CharField(max_length=20, choices=MedicareAssignment.choices)
    telehealth = models.BooleanField(default=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.CURATOR)
    as_of = models.DateField(help_text="The file's date, or when a curator checked.")

    class Meta:
        ordering = ["provider", "location"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=Q(location__isnull=True),
                name="unique_medicare_participation_provider",
            ),
            models.UniqueConstraint(
                fields=["provider", "location"],
                condition=Q(location__isnull=False),
                name="unique_medicare_participation_location",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.assignment}"
