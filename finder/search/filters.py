"""What the search's filters match: on the provider table (the ORM), and on the search
projection's flags (providers/search_index.py), which the nearest-locations SQL tests."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from finder.search.types import SearchFilters
from providers import search_index
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    MedicareAssignment,
    MedicareParticipation,
    Provider,
    ProviderPrice,
    VerificationStatus,
)
from providers.scope import states_where_prohibited


def filtered_providers(filters: SearchFilters) -> QuerySet[Provider]:
    """Public providers matching every filter (location and scope aside)."""
    providers = Provider.objects.public()
    if filters.profession:
        providers = providers.filter(profession=filters.profession)
    if filters.service:
        providers = providers.filter(**{SERVICE_FIELDS[filters.service]: True})
    if filters.accepting_new_patients is not None:
        providers = providers.filter(accepting_new_patients=filters.accepting_new_patients)
    if filters.insurance:
        # By plan id, so each check is one lookup in the (provider, plan) unique index instead
        # of a join through every plan the provider accepts.
        plan_id = InsurancePlan.objects.filter(slug=filters.insurance).values("id")[:1]
        providers = providers.filter(insurance_plans__id=plan_id)
    if filters.max_price is not None:
        providers = providers.filter(
            Exists(
                ProviderPrice.objects.filter(
                    provider=OuterRef("pk"),
                    procedure__is_manipulation=True,
                    cash_price__lte=filters.max_price,
                )
            )
        )
    if filters.updated_since is not None:
        providers = providers.filter(updated_at__gte=filters.updated_since)
    if filters.verified_since is not None:
        providers = providers.filter(
            verification_status=VerificationStatus.VERIFIED,
            last_verified__gte=filters.verified_since,
        )
    if filters.medicare_assignment:
        providers = providers.filter(medicare_assignment_is(filters.medicare_assignment))
    return providers


def medicare_assignment_is(assignment: str) -> Q:
    """Providers whose Medicare assignment, as listings show it (the provider's own record,
    finder/medicare_listing.py), is `assignment`: `unknown` is every provider without a
    participating or non-participating record."""
    known = MedicareParticipation.objects.filter(provider=OuterRef("pk"), location__isnull=True)
    if assignment == MedicareAssignment.UNKNOWN:
        return ~Q(
            Exists(
                known.filter(
                    assignment__in=[
                        MedicareAssignment.PARTICIPATING,
                        MedicareAssignment.NON_PARTICIPATING,
                    ]
                )
            )
        )
    return Q(Exists(known.filter(assignment=assignment)))


def in_scope_locations(filters: SearchFilters, acts) -> Q:
    """Excludes locations where the state's act prohibits the requested service."""
    q = Q()
    if not filters.service:
        return q
    for profession in ("chiropractor", "physical_therapist"):
        states = states_where_prohibited(filters.service, profession, acts)
        if states:
            q &= ~Q(provider__profession=profession, state__in=sorted(states))
    return q


def flag_filter(filters: SearchFilters) -> tuple[int, int]:
    """(mask, value) such that a location matches when `search_flags & mask == value`."""
    mask = value = search_index.LISTED
    if filters.profession:
        bits = search_index.PROFESSION_BITS[filters.profession]
        mask, value = mask | bits, value | bits
    if filters.service:
        bit = search_index.SERVICE_BITS[filters.service]
        mask, value = mask | bit, value | bit
    if filters.accepting_new_patients is not None:
        mask |= search_index.ACCEPTING_NEW_PATIENTS
        if filters.accepting_new_patients:
            value |= search_index.ACCEPTING_NEW_PATIENTS
    return mask, value
