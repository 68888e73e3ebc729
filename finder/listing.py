"""How a provider listing reads: one builder shared by the API and the pages.

Builds plain dicts from providers loaded by finder/listing_queries.py (their plans and prices
attached), so a page of results costs a fixed number of queries whatever its size.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from providers.languages import normalized_languages
from providers.models import PracticeAct, PracticeLocation, Provider
from providers.scope import ActKey, ScopeSummary, endorsements, scope_summary
from providers.verification import verification_summary


@dataclass(frozen=True)
class SearchHit:
    """A provider found by the search: at its nearest matching location and that distance; in
    a search without an origin, at its first location (if any) and no distance."""

    provider: Provider
    location: PracticeLocation | None
    distance_miles: float | None


def location_dict(location: PracticeLocation) -> dict:
    return {
        "id": location.id,
        "address": location.address,
        "city": location.city,
        "state": location.state,
        "zip_code": location.zip_code,
        "lat": location.latitude,
        "lng": location.longitude,
        "phone": location.phone,
        "wheelchair_accessible": location.wheelchair_accessible,
        "evening_hours": location.evening_hours,
        "weekend_hours": location.weekend_hours,
    }


def scope_for_location(
    provider: Provider, location: PracticeLocation | None, acts: Mapping[ActKey, PracticeAct]
) -> ScopeSummary | None:
    if location is None:
        return None
    return scope_summary(acts.get((location.state, provider.profession)), provider, location.state)


def provider_summary(
    hit: SearchHit,
    acts: Mapping[ActKey, PracticeAct],
    url_for: Callable[[Provider], str],
    today: date | None = None,
) -> dict:
    """The contract's search result for one provider at its nearest matching location.
    A page of them passes `today` (the local date), which is worth reading once a page."""
    provider = hit.provider
    return {
        "id": provider.id,
        "npi": provider.npi,
        "name": provider.display_name,
        "profession": provider.profession,
        "accepting_new_patients": provider.accepting_new_patients,
        "distance_miles": hit.distance_miles,
        "location": location_dict(hit.location) if hit.location is not None else None,
        "services": provider.services,
        "languages": normalized_languages(provider.languages),
        "telehealth": provider.offers_telehealth,
        "scope": scope_for_location(provider, hit.location, acts),
        "insurance_plans": provider.listing_plan_slugs,
        "prices": provider.listing_prices,
        "medicare_assignment": provider.medicare_assignment,  # finder.medicare_listing
        "verification_status": provider.verification_status,
        "verification": verification_summary(provider, today or timezone.localdate()),
        "is_demo": provider.is_demo,
        "updated_at": provider.listing_updated_at,
        "url": url_for(provider),
    }


def provider_detail(
    provider: Provider, acts: Mapping[ActKey, PracticeAct], url_for: Callable[[Provider], str]
) -> dict:
    """Everything about one provider: every location with its state's scope."""
    locations = []
    for location in provider.locations.all():
        entry = location_dict(location)
        entry["scope"] = scope_for_location(provider, location, acts)
        entry["medicare_amounts"] = provider.location_medicare.get(location.id, [])
        locations.append(entry)
    states = [location["state"] for location in locations]
    return {
        "id": provider.id,
        "npi": provider.npi,
        "name": provider.display_name,
        "first_name": provider.first_name,
        "last_name": provider.last_name,
        "credential": provider.credential,
        "profession": provider.profession,
        "accepting_new_patients": provider.accepting_new_patients,
        "locations": locations,
        "licenses": [{"state": lic.state, "number": lic.number} for lic in provider.licenses.all()],
        "services": provider.services,
        "languages": normalized_languages(provider.languages),
        "telehealth": provider.offers_telehealth,
        "endorsements": endorsements(provider, states, acts),
        "insurance_plans": provider.listing_plan_slugs,
        "prices": provider.listing_prices,
        "medicare_assignment": provider.medicare_assignment,  # finder.medicare_listing
        "verification_status": provider.verification_status,
        "last_verified": provider.last_verified.isoformat() if provider.last_verified else None,
        "verification": verification_summary(provider, timezone.localdate()),
        "hours": provider.hours,
        "bio": provider.bio,
        "website": provider.website,
        "provider_updated_at": (
            provider.provider_updated_at.isoformat() if provider.provider_updated_at else None
        ),
        "is_demo": provider.is_demo,
        "updated_at": provider.listing_updated_at,
        "url": url_for(provider),
    }
