"""The API's response bodies, declared once.

Each body is a TypedDict. The code that answers builds plain dicts of these types
(`finder.listing`, `finder.api.search`, `finder.api.reference`), so a type checker holds their
keys and values to the declaration, and the OpenAPI schema is generated from the same
declaration (`finder.api.schema.schema_serializer`). Plain dicts rather than DRF serializers
producing the JSON: a page of 20 search results through serializers took longer than the
search itself. The estimate's body is a DRF serializer (`finder.api.estimates`), which
produces the JSON and the schema alike.

What the schema needs beyond the Python type rides along in `Annotated`: the DRF field that
documents a string (a date, a URL, an amount of money), the choices an enum takes (one of the
models' TextChoices), and a `Help` text.
"""

from dataclasses import dataclass
from typing import Annotated, NotRequired, TypedDict

from django.db.models import TextChoices
from rest_framework import serializers

from providers import models
from providers.languages import SPOKEN_LANGUAGES
from providers.scope import Endorsement, ScopeSummary
from providers.verification import STALE_AFTER_DAYS, Verification

MONEY_PATTERN = r"^\d+\.\d{2}$"


@dataclass(frozen=True)
class Help:
    """A field's description in the schema."""

    text: str


class MoneyField(serializers.RegexField):
    """A decimal string with 2 places, e.g. "40.00" (USD)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(MONEY_PATTERN, **kwargs)


Money = Annotated[str, MoneyField]
IsoDate = Annotated[str, serializers.DateField]
IsoDateTime = Annotated[str, serializers.DateTimeField]
Url = Annotated[str, serializers.URLField]
ProfessionValue = Annotated[str, models.Profession]
ServiceValue = Annotated[str, models.Service]
ScopeValue = Annotated[str, models.Scope]


class LanguageCodeField(serializers.ChoiceField):
    """An ISO 639-1 code of the languages listings record (providers/languages.py)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=list(SPOKEN_LANGUAGES), **kwargs)


LanguageCode = Annotated[str, LanguageCodeField]


# --- Providers (search and detail) -----------------------------------------------------------


class Origin(TypedDict):
    lat: float
    lng: float
    label: str
    radius_miles: float


class Location(TypedDict):
    id: int
    address: str
    city: str
    state: str
    zip_code: str
    lat: float | None
    lng: float | None
    phone: str
    wheelchair_accessible: Annotated[
        bool | None, Help("A wheelchair-accessible entrance; null when not reported.")
    ]
    evening_hours: Annotated[bool | None, Help("Open after 6 pm on some weekdays; null: unknown.")]
    weekend_hours: Annotated[bool | None, Help("Open on Saturday or Sunday; null: unknown.")]


class MedicareAmountSource(TextChoices):
    LOCALITY = "locality", "The locality's amount, where its fee schedule was imported"
    NATIONAL = "national", "Medicare's national amount"


class MedicareAmount(TypedDict):
    """Medicare's full fee schedule amount for the code at the listed address (on a detail's
    prices, the provider's first location; each location lists its own), whatever the
    provider's assignment."""

    amount: Money
    locality: Annotated[
        str | None, Help("The Medicare locality's name; null for a national amount.")
    ]
    year: int
    source: Annotated[
        str,
        MedicareAmountSource,
        Help("The locality's amount where its fee schedule was imported, else national."),
    ]


class LocationMedicareAmount(MedicareAmount):
    code: str


class LocationWithScope(Location):
    scope: ScopeSummary
    medicare_amounts: Annotated[
        list[LocationMedicareAmount],
        Help(
            "Medicare's amount at this location for each priced code Medicare covers for the "
            "provider's profession (each location's own locality)."
        ),
    ]


class Price(TypedDict):
    code: str
    label: str
    cash_price: Money
    currency: str
    medicare: Annotated[
        MedicareAmount | None,
        Help(
            "Null when Medicare does not cover the code for the provider's profession "
            "(or no amount is known)."
        ),
    ]


MEDICARE_ASSIGNMENT_HELP = (
    "From CMS's Doctors and Clinicians file or a curator: participating providers accept "
    "Medicare's amount as full payment; non-participating ones may charge up to 109.25% of it; "
    "unknown when no record says."
)
MedicareAssignmentValue = Annotated[str, models.MedicareAssignment, Help(MEDICARE_ASSIGNMENT_HELP)]

VerificationObject = Annotated[
    Verification,
    Help(
        "Who last vouched for the listing and when: `source` is `provider` (the provider "
        "confirmed it), `curator` (our curators verified it or added it), `nppes` (imported "
        "from the national NPI registry, not yet confirmed) or `demo`. `stale` is true when "
        f"`last_verified` is missing or more than {STALE_AFTER_DAYS} days ago."
    ),
]


class PlanEvidence(TypedDict):
    """A plan the provider takes, and where that comes from."""

    slug: str
    name: str
    kind: Annotated[str, models.InsurancePlan.Kind]
    source: Annotated[
        str,
        models.AcceptanceSource,
        Help("A payer's or Medicare's file first, when several say so."),
    ]
    as_of: Annotated[IsoDate | None, Help("The file's own date (last_updated_on); null otherwise.")]


class NegotiatedRate(TypedDict):
    """A plan's public in-network rate with this provider, from the payer's file."""

    plan: Annotated[str, Help("The plan's slug.")]
    code: str
    negotiated_type: Annotated[str, models.NegotiatedRate.Type]
    rate: Annotated[
        str, Help('Dollars ("27.50"); for `percentage`, the percent of the charge ("65.00").')
    ]
    billing_class: Annotated[str, models.NegotiatedRate.BillingClass]
    places_of_service: Annotated[list[str], Help('CMS place-of-service codes; "CSTM-00" = all.')]
    expires: IsoDate | None
    as_of: Annotated[IsoDate, Help("The payer file's own date (last_updated_on).")]


Languages = Annotated[
    list[LanguageCode],
    Help(
        'ISO 639-1 codes of the languages the provider speaks with patients (["en", "es"]); '
        "empty when not reported."
    ),
]
Telehealth = Annotated[
    bool | None,
    Help(
        "Offers telehealth visits: from a curator, the provider, or CMS's Doctors and Clinicians "
        "file (its telehealth flag); null when unknown."
    ),
]


class License(TypedDict):
    state: str
    number: str


class ProviderSummary(TypedDict):
    """One search result: the provider at its nearest matching location."""

    id: int
    npi: str
    name: str
    profession: ProfessionValue
    accepting_new_patients: bool
    distance_miles: Annotated[
        float | None, Help("Great-circle miles, 2 decimals; null without an origin.")
    ]
    location: Location | None
    services: list[ServiceValue]
    languages: Languages
    telehealth: Telehealth
    scope: ScopeSummary | None
    insurance_plans: list[str]
    prices: list[Price]
    medicare_assignment: MedicareAssignmentValue
    verification_status: Annotated[str, models.VerificationStatus]
    verification: VerificationObject
    is_demo: bool
    updated_at: IsoDateTime
    url: Url


class ProviderSearchResponse(TypedDict):
    count: Annotated[
        int, Help("Exact, except with an origin past 1,000 matches (then 1000 and count_capped).")
    ]
    count_capped: NotRequired[
        Annotated[bool, Help("Present and true when count stopped at 1,000.")]
    ]
    next: Url | None
    previous: Url | None
    origin: Origin | None
    results: list[ProviderSummary]


class ProviderDetail(TypedDict):
    id: int
    npi: str
    name: str
    first_name: str
    last_name: str
    credential: str
    profession: ProfessionValue
    accepting_new_patients: bool
    locations: list[LocationWithScope]
    licenses: list[License]
    services: list[ServiceValue]
    languages: Languages
    telehealth: Telehealth
    endorsements: Annotated[
        list[Endorsement],
        Help(
            "Each endorsement a location's state practice act asks of this profession for a "
            "service the provider offers (e.g. WA spinal manipulation for physical therapists, "
            "RCW 18.74.190), and whether a curator recorded it: without it the location's "
            "`scope` for that service stays `requires_endorsement`, and a search for the service "
            "leaves the location out."
        ),
    ]
    insurance_plans: list[PlanEvidence]
    negotiated_rates: list[NegotiatedRate]
    prices: list[Price]
    medicare_assignment: MedicareAssignmentValue
    verification_status: Annotated[str, models.VerificationStatus]
    last_verified: IsoDate | None
    verification: VerificationObject
    hours: Annotated[str, Help("Opening hours as the provider wrote them; empty if not given.")]
    bio: Annotated[str, Help("The provider's short description of the practice.")]
    website: Annotated[str, Help("The practice's website; empty if not given.")]
    provider_updated_at: Annotated[
        IsoDateTime | None, Help("When the provider last edited the listing; null if never.")
    ]
    is_demo: bool
    updated_at: IsoDateTime
    url: Url


# --- Reference catalogues --------------------------------------------------------------------


class PracticeRule(TypedDict):
    spinal_manipulation: ScopeValue
    extremity_manipulation: ScopeValue
    manipulation_under_anesthesia: ScopeValue
    direct_access: Annotated[str, models.DirectAccess]
    note: str
    sources: list[str]
    last_reviewed: IsoDate
    confidence: Annotated[str, models.Confidence]
    effective_from: IsoDate | None


class SupersededRule(PracticeRule):
    superseded_on: IsoDate


class CurrentRule(PracticeRule):
    history: Annotated[list[SupersededRule], Help("Earlier rules, oldest first.")]


class ProfessionRules(TypedDict, total=False):
    """Present for each profession whose act is on record for the state."""

    chiropractor: CurrentRule
    physical_therapist: CurrentRule


class StatePracticeActs(TypedDict):
    state: str
    name: str
    professions: ProfessionRules


class PracticeActList(TypedDict):
    count: int
    results: list[StatePracticeActs]


class InsurancePlan(TypedDict):
    slug: Annotated[str, serializers.SlugField]
    name: str
    payer: str
    kind: Annotated[str, models.InsurancePlan.Kind]


class InsurancePlanList(TypedDict):
    count: int
    results: list[InsurancePlan]


class Procedure(TypedDict):
    code: str
    label: str
    professions: list[ProfessionValue]
    medicare_covered_for: list[ProfessionValue]
    typical_price_low: Money
    typical_price_high: Money
    currency: str
    is_manipulation: bool
    note: str


class ProcedureList(TypedDict):
    count: int
    results: list[Procedure]
