"""What the search's filters match: on the provider table (the ORM), and on the search
projection's flags (providers/search_index.py), which the nearest-locations SQL tests."""

from collections.abc import Mapping
from decimal import Decimal

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from finder.search.types import SearchFilters
from providers import search_index
from providers.entry_level import entry_level_codes
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    MedicareAssignment,
    MedicareParticipation,
    PracticeAct,
    PracticeLocation,
    Provider,
    ProviderPrice,
    VerificationStatus,
)
from providers.scope import ActKey, states_where_not_permitted


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
        providers = providers.filter(entry_price_at_most(filters.service, filters.max_price))
    if filters.updated_since is not None:
        providers = providers.filter(updated_at__gte=filters.updated_since)
    if filters.telehealth is not None:
        offers = Q(offers_telehealth=True)
        providers = providers.filter(offers if filters.telehealth else ~offers)
    if filters.language:
        # The JSON list's text holds each code quoted ('["en", "es"]'): a plain text test,
        # which both databases run alike (JSON containment is PostgreSQL's only).
        providers = providers.filter(languages__icontains=f'"{filters.language}"')
    if filters.accessible is not None:
        # A location's fact: providers with a location that matches, as the search by
        # distance finds each provider at its nearest matching location.
        entrance = Q(wheelchair_accessible=True)
        providers = providers.filter(
            Exists(
                PracticeLocation.objects.filter(
                    entrance if filters.accessible else ~entrance, provider=OuterRef("pk")
                )
            )
        )
    if filters.verified_since is not None:
        providers = providers.filter(
            verification_status=VerificationStatus.VERIFIED,
            last_verified__gte=filters.verified_since,
        )
    if filters.medicare_assignment:
        providers = providers.filter(medicare_assignment_is(filters.medicare_assignment))
    return providers


def entry_price_at_most(service: str | None, max_price: Decimal) -> Q:
    """Providers whose entry-level price for `service` (providers/entry_level.py) is at most
    `max_price`; a provider without that price does not match."""
    q = Q(pk__in=[])
    for profession, code in entry_level_codes(service).items():
        priced = ProviderPrice.objects.filter(
            provider=OuterRef("pk"), procedure__code=code, cash_price__lte=max_price
        )
        q |= Q(Exists(priced), profession=profession)
    return q


def with_entry_price(providers: QuerySet[Provider], service: str | None) -> QuerySet[Provider]:
    """`providers` annotated with `entry_price`, their entry-level price for `service` (None
    where they post none): what "sort by price" orders by, the price `max_price` tests."""
    code = Case(
        *(When(profession=p, then=Value(c)) for p, c in entry_level_codes(service).items()),
        default=Value(""),
    )
    price = ProviderPrice.objects.filter(
        provider=OuterRef("pk"), procedure__code=OuterRef("entry_level_code")
    ).values("cash_price")[:1]
    return providers.annotate(entry_level_code=code, entry_price=Subquery(price))


def excluded_states(
    service: str, profession: str, acts: Mapping[ActKey, PracticeAct]
) -> list[tuple[bool | None, list[str]]]:
    """Where a provider of `profession` may not be listed for `service` (providers/scope.py
    `is_permitted`), as (endorsed, states) pairs: None for states excluded whatever the
    provider's endorsement, False for those excluded only without it."""
    always = states_where_not_permitted(service, profession, acts, endorsed=True)
    # An endorsement only ever widens what is permitted: `always` is within the other set.
    unendorsed = states_where_not_permitted(service, profession, acts, endorsed=False) - always
    pairs: list[tuple[bool | None, list[str]]] = []
    if always:
        pairs.append((None, sorted(always)))
    if unendorsed:
        pairs.append((False, sorted(unendorsed)))
    return pairs


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
    """Excludes locations where the provider may not be listed for the requested service."""
    q = Q()
    if not filters.service:
        return q
    for profession in search_index.PROFESSION_BITS:
        for endorsed, states in excluded_states(filters.service, profession, acts):
            held = {} if endorsed is None else {"provider__spinal_manipulation_endorsed": endorsed}
            q &= ~Q(provider__profession=profession, state__in=states, **held)
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
    if filters.telehealth is not None:
        mask |= search_index.TELEHEALTH
        if filters.telehealth:
            value |= search_index.TELEHEALTH
    return mask, value
