"""What a FHIR search matches, one page of it, and the resources of that page.

Each resource type orders its matches by a key (ids; a role by provider and plan) and pages
them by offset, counting them exactly. `near` asks the directory's search
(finder/search/, `nearest_locations`) for the providers within the radius, nearest first, as
the API's search does; a page is then a slice of them, so the order holds across pages. Like
the API's search, `near` reaches the nearest COUNT_CAP (1,000) providers matching the
specialty and network asked for: past that the total is not known and is left out.
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from finder.density import EARTH_RADIUS_MILES
from finder.fhir import resources
from finder.fhir.params import FhirQuery, Near, parse_reference
from finder.fhir.profiles import NPI_SYSTEM, NUCC_TAXONOMY, PROFESSION_CODES
from finder.fhir.resources import NETWORK_ID_PREFIX, Directory, Resource
from finder.listing_queries import load_provider_details
from finder.search import COUNT_CAP, Origin, SearchFilters
from finder.search.service import Nearest, nearest_locations
from providers.models import SERVICE_FIELDS, InsurancePlan, PracticeLocation, Provider

PROFESSION_BY_TAXONOMY = {codes["taxonomy"][0]: name for name, codes in PROFESSION_CODES.items()}


@dataclass
class Match:
    """One match of a search: its key, and its distance from `near` in miles."""

    key: Any
    miles: float | None = None


@dataclass
class SearchPage:
    total: int | None  # None: more than COUNT_CAP providers within a `near` radius
    matches: list[Match]
    has_next: bool
    resources: list[Resource] = field(default_factory=list)  # one per match, in order
    included: list[Resource] = field(default_factory=list)


def search(query: FhirQuery, directory: Directory) -> SearchPage:
    """The page of `query`'s matches, with their resources (and `_include`d ones)."""
    return SEARCHES[query.resource_type](query, directory)


# --- Filters on the ORM ------------------------------------------------------------------------


def last_updated(query: FhirQuery, path: str = "updated_at") -> Q:
    q = Q()
    for comparison, moment in query.last_updated:
        q &= Q(**{f"{path}__{comparison}": moment})
    return q


def int_ids(values: Iterable[str]) -> list[int]:
    """The ids among `values` that could name a row; others match nothing."""
    return [int(value) for value in values if value.isdigit() and len(value) < 19]


def public_providers(query: FhirQuery) -> QuerySet[Provider]:
    return Provider.objects.public().filter(last_updated(query))


def page_of(matches: QuerySet, query: FhirQuery) -> tuple[int, list]:
    total = matches.count()
    keys = list(matches[query.offset : query.offset + query.count]) if query.count else []
    return total, keys


def keyed_page(query: FhirQuery, matches: QuerySet) -> SearchPage:
    total, keys = page_of(matches, query)
    return SearchPage(
        total=total,
        matches=[Match(key) for key in keys],
        has_next=query.offset + len(keys) < total and query.count > 0,
    )


def loaded_providers(ids: Iterable[int]) -> dict[int, Provider]:
    providers = load_provider_details(Provider.objects.public().filter(id__in=set(ids)))
    return {provider.id: provider for provider in providers}


# --- Practitioner -------------------------------------------------------------------------------


def practitioner_filter(query: FhirQuery) -> Q:
    q = Q()
    if query.ids is not None:
        q &= Q(id__in=int_ids(query.ids))
    if "identifier" in query.filters:
        npis = []
        for token in query.filters["identifier"]:
            system, bar, value = token.rpartition("|")
            if not bar or system in ("", NPI_SYSTEM):
                npis.append(value)
        q &= Q(npi__in=npis)
    if "name" in query.filters:
        names = Q()
        for text in query.filters["name"]:
            for part in ("first_name", "middle_name", "last_name"):
                names |= Q(**{f"{part}__istartswith": text})
        q &= names
    return q


def search_practitioners(query: FhirQuery, directory: Directory) -> SearchPage:
    matches = public_providers(query).filter(practitioner_filter(query))
    page = keyed_page(query, matches.order_by("id").values_list("id", flat=True))
    providers = loaded_providers(match.key for match in page.matches)
    page.resources = [resources.practitioner(providers[match.key]) for match in page.matches]
    return page


# --- HealthcareService --------------------------------------------------------------------------


def search_healthcare_services(query: FhirQuery, directory: Directory) -> SearchPage:
    offers_any = Q()
    for field_name in SERVICE_FIELDS.values():
        offers_any |= Q(**{field_name: True})
    matches = public_providers(query).filter(offers_any)
    if query.ids is not None:
        matches = matches.filter(id__in=int_ids(query.ids))
    page = keyed_page(query, matches.order_by("id").values_list("id", flat=True))
    providers = loaded_providers(match.key for match in page.matches)
    page.resources = [resources.healthcare_service(providers[match.key]) for match in page.matches]
    return page


# --- PractitionerRole ---------------------------------------------------------------------------


def role_keys(query: FhirQuery) -> QuerySet:
    """(provider id, plan id or None) of each matching role, by provider and plan.

    A provider's roles are its rows joined to its plans (a LEFT JOIN: one row without a plan
    for a provider in no network). Every condition on the plans goes into one filter() so that
    the join it needs is the very join the plan ids are read from."""
    providers = public_providers(query)
    if "specialty" in query.filters:
        providers = providers.filter(profession__in=role_professions(query))
    if "practitioner" in query.filters:
        ids = [parse_reference(value, "Practitioner") for value in query.filters["practitioner"]]
        providers = providers.filter(id__in=int_ids(ids))
    if "location" in query.filters:
        ids = [parse_reference(value, "Location") for value in query.filters["location"]]
        providers = providers.filter(locations__id__in=int_ids(ids)).distinct()
    on_plans = Q()
    if "network" in query.filters:
        on_plans &= Q(insurance_plans__id__in=network_plan_ids(query))
    if query.ids is not None:
        wanted = Q(pk__in=[])
        for role in query.ids:
            provider_id, _, plan_id = role.partition("-")
            if not provider_id.isdigit() or (plan_id and not plan_id.isdigit()):
                continue
            if plan_id:
                wanted |= Q(id=int(provider_id), insurance_plans__id=int(plan_id))
            else:
                wanted |= Q(id=int(provider_id), insurance_plans__isnull=True)
        on_plans &= wanted
    return (
        providers.filter(on_plans)
        .values_list("id", "insurance_plans__id")
        .order_by("id", "insurance_plans__id")
    )


def role_professions(query: FhirQuery) -> list[str]:
    professions = []
    for token in query.filters.get("specialty", ()):
        system, bar, code = token.rpartition("|")
        if (not bar or system in ("", NUCC_TAXONOMY)) and code in PROFESSION_BY_TAXONOMY:
            professions.append(PROFESSION_BY_TAXONOMY[code])
    return professions


def network_plan_ids(query: FhirQuery) -> list[int]:
    ids = []
    for value in query.filters.get("network", ()):
        network = parse_reference(value, "Organization")
        if network.startswith(NETWORK_ID_PREFIX):
            ids.extend(int_ids([network.removeprefix(NETWORK_ID_PREFIX)]))
    return ids


def search_practitioner_roles(query: FhirQuery, directory: Directory) -> SearchPage:
    keys = role_keys(query)
    if query.near is not None:
        page = near_page(query, nearest_roles(query, query.near, keys, directory))
    else:
        page = keyed_page(query, keys)
    providers = loaded_providers(match.key[0] for match in page.matches)
    plans_by_id = {plan.id: plan for plan in directory.plans.values()}
    for match in page.matches:
        provider_id, plan_id = match.key
        plan = plans_by_id.get(plan_id) if plan_id is not None else None
        page.resources.append(resources.practitioner_role(providers[provider_id], plan, directory))
    page.included = role_includes(query, page.matches, providers)
    return page


def role_includes(
    query: FhirQuery, matches: list[Match], providers: dict[int, Provider]
) -> list[Resource]:
    included: list[Resource] = []
    seen: set[int] = set()
    for match in matches:
        provider = providers[match.key[0]]
        if provider.id in seen:
            continue
        seen.add(provider.id)
        if "PractitionerRole:practitioner" in query.includes:
            included.append(resources.practitioner(provider))
        if "PractitionerRole:location" in query.includes:
            included.extend(
                resources.location(place, provider) for place in provider.locations.all()
            )
    return included


def nearest_roles(
    query: FhirQuery, near: Near, keys: QuerySet, directory: Directory
) -> "NearestMatches":
    """The matching roles of the providers within the radius, nearest provider first (by its
    nearest location), a provider's roles by plan id."""
    nearest = nearest_providers(near, search_filters(query, directory), directory)
    roles: dict[int, list[Any]] = {}
    for provider_id, plan_id in keys.filter(id__in=[row.provider_id for row in nearest.rows]):
        roles.setdefault(provider_id, []).append((provider_id, plan_id))
    matches = [
        Match(key, row.miles) for row in nearest.rows for key in roles.get(row.provider_id, [])
    ]
    return NearestMatches(matches, complete=nearest.found <= COUNT_CAP)


def search_filters(query: FhirQuery, directory: Directory) -> SearchFilters:
    """What of `query` the directory's search can filter on itself, so that its nearest
    COUNT_CAP providers are the nearest that match (other filters narrow them afterwards)."""
    professions = role_professions(query) if "specialty" in query.filters else []
    plans = network_plan_ids(query) if "network" in query.filters else []
    slugs = [plan.slug for plan in directory.plans.values() if plan.id in plans]
    since = [moment for comparison, moment in query.last_updated if comparison == "gte"]
    return SearchFilters(
        profession=professions[0] if len(set(professions)) == 1 else None,
        insurance=slugs[0] if len(plans) == 1 and slugs else None,
        updated_since=max(since) if since else None,
    )


# --- Location -----------------------------------------------------------------------------------


def location_matches(query: FhirQuery) -> QuerySet[PracticeLocation]:
    locations = PracticeLocation.objects.filter(provider__in=Provider.objects.public()).filter(
        last_updated(query, "provider__updated_at")
    )
    if query.ids is not None:
        locations = locations.filter(id__in=int_ids(query.ids))
    text_filters = {
        "address-postalcode": "zip_code__startswith",
        "address-state": "state__iexact",
        "address-city": "city__istartswith",
    }
    for name, lookup in text_filters.items():
        if name in query.filters:
            alternatives = Q()
            for value in query.filters[name]:
                alternatives |= Q(**{lookup: value})
            locations = locations.filter(alternatives)
    return locations


def search_locations(query: FhirQuery, directory: Directory) -> SearchPage:
    matches = location_matches(query)
    if query.near is not None:
        page = near_page(query, nearest_locations_within(query.near, matches, query, directory))
    else:
        page = keyed_page(query, matches.order_by("id").values_list("id", flat=True))
    places = dict(
        PracticeLocation.objects.filter(id__in=[m.key for m in page.matches]).values_list(
            "id", "provider_id"
        )
    )
    providers = loaded_providers(places.values())
    by_id = {
        place.id: (place, provider)
        for provider in providers.values()
        for place in provider.locations.all()
    }
    page.resources = [resources.location(*by_id[match.key]) for match in page.matches]
    return page


def nearest_locations_within(
    near: Near, matches: QuerySet[PracticeLocation], query: FhirQuery, directory: Directory
) -> "NearestMatches":
    """Every matching location within the radius, nearest first (ties by id). The search finds
    the providers with a location in the radius and the nearest of each; a provider's other
    locations are measured here with the search's own formula (`miles_between`)."""
    since = [moment for comparison, moment in query.last_updated if comparison == "gte"]
    filters = SearchFilters(updated_since=max(since) if since else None)
    nearest = nearest_providers(near, filters, directory)
    miles_by_location = {row.location_id: row.miles for row in nearest.rows}
    found = []
    rows = matches.filter(provider_id__in=[row.provider_id for row in nearest.rows]).values_list(
        "id", "latitude", "longitude"
    )
    for location_id, lat, lng in rows:
        if lat is None or lng is None:
            continue
        miles = miles_by_location.get(location_id)
        if miles is None:
            miles = miles_between(near.lat, near.lng, lat, lng)
        if miles <= near.radius_miles:
            found.append(Match(location_id, miles))
    found.sort(key=lambda match: (match.miles, match.key))
    return NearestMatches(found, complete=nearest.found <= COUNT_CAP)


def miles_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle miles to 2 decimals, as the search's SQL computes them (the angle from the
    dot product of unit vectors, Earth radius 3958.8 miles)."""
    a, b = unit_vector(lat1, lng1), unit_vector(lat2, lng2)
    closeness = min(1.0, sum(x * y for x, y in zip(a, b, strict=True)))
    return round(EARTH_RADIUS_MILES * 100 * math.acos(closeness)) / 100


def unit_vector(lat: float, lng: float) -> tuple[float, float, float]:
    phi, lam = math.radians(lat), math.radians(lng)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


# --- near ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NearestMatches:
    matches: list[Match]  # every match, nearest first
    complete: bool  # False: more than COUNT_CAP providers were within the radius


def nearest_providers(near: Near, filters: SearchFilters, directory: Directory) -> Nearest:
    """The directory's search: each matching provider's nearest location within the radius,
    nearest first, for the nearest COUNT_CAP providers."""
    origin = Origin(lat=near.lat, lng=near.lng, label="", radius_miles=near.radius_miles)
    return nearest_locations(origin, filters, directory.acts, offset=0, limit=COUNT_CAP)


def near_page(query: FhirQuery, nearest: NearestMatches) -> SearchPage:
    matches = nearest.matches
    page = matches[query.offset : query.offset + query.count] if query.count else []
    return SearchPage(
        total=len(matches) if nearest.complete else None,
        matches=page,
        has_next=query.count > 0 and query.offset + len(page) < len(matches),
    )


# --- Networks and plans -------------------------------------------------------------------------


def plan_matches(query: FhirQuery, id_prefix: str = "") -> QuerySet[InsurancePlan]:
    plans = InsurancePlan.objects.filter(last_updated(query))
    if query.ids is not None:
        plans = plans.filter(
            id__in=int_ids(
                value.removeprefix(id_prefix) for value in query.ids if value.startswith(id_prefix)
            )
        )
    if "name" in query.filters:
        names = Q()
        for text in query.filters["name"]:
            names |= Q(name__icontains=text)
        plans = plans.filter(names)
    return plans.order_by("id")


def plan_search(build: Callable[[InsurancePlan], Resource], id_prefix: str = ""):
    def search_plans(query: FhirQuery, directory: Directory) -> SearchPage:
        total, plans = page_of(plan_matches(query, id_prefix), query)
        return SearchPage(
            total=total,
            matches=[Match(plan.id) for plan in plans],
            has_next=query.count > 0 and query.offset + len(plans) < total,
            resources=[build(plan) for plan in plans],
        )

    return search_plans


SEARCHES: dict[str, Callable[[FhirQuery, Directory], SearchPage]] = {
    "Practitioner": search_practitioners,
    "PractitionerRole": search_practitioner_roles,
    "Location": search_locations,
    "HealthcareService": search_healthcare_services,
    "Organization": plan_search(resources.network, NETWORK_ID_PREFIX),
    "InsurancePlan": plan_search(resources.insurance_plan),
}
