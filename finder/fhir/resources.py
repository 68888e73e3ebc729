"""The directory's data as FHIR resources: the one place that maps a field to FHIR.

Each builder takes what finder/listing_queries.py `load_provider_details` loads (a provider
with its locations, licenses, plans, prices and Medicare facts) and returns a plain dict in
FHIR R4 JSON, claiming its Plan-Net profile in `meta.profile`. Ids:

- `Practitioner/{provider id}`, `HealthcareService/{provider id}` (the services the provider
  offers at its locations), `Location/{location id}`;
- `PractitionerRole/{provider id}-{plan id}`, one per network the provider is in (Plan-Net
  allows one network per role), or `PractitionerRole/{provider id}` for a provider in none;
- `Organization/network-{plan id}` (a plan's network) and `InsurancePlan/{plan id}`.

A provider's resources change together (`meta.lastUpdated` is the provider's), a plan's
network with the plan. A fact the directory does not hold (structured opening hours, a
practice's organization, a payer's address) is left out, never made up; the opening hours a
provider writes in its own words go to each Location's `availabilityExceptions`, as written.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from finder.fhir import profiles
from providers.models import (
    InsurancePlan,
    PracticeAct,
    PracticeLocation,
    Provider,
    Service,
)
from providers.scope import ActKey, current_practice_acts, effective_scope

Resource = dict[str, Any]

NETWORK_ID_PREFIX = "network-"
DEMO_TAG = "demo"


def own_url(path: str) -> str:
    """The canonical URL of one of the directory's own definitions (profiles.OWN_*)."""
    return f"{settings.FHIR_CANONICAL_BASE.rstrip('/')}/{path}"


def extension_url(name: str) -> str:
    return own_url(f"{profiles.EXTENSION_PATH}{name}")


def code_system_url(name: str) -> str:
    return own_url(f"{profiles.CODE_SYSTEM_PATH}{name}")


@dataclass(frozen=True)
class Directory:
    """What a provider's resources need beyond the provider: the practice acts in force and
    the insurance plans by slug (a few dozen rows, read once per request or export)."""

    acts: Mapping[ActKey, PracticeAct]
    plans: Mapping[str, InsurancePlan]


def load_directory() -> Directory:
    return Directory(
        acts=current_practice_acts(),
        plans={plan.slug: plan for plan in InsurancePlan.objects.order_by("id")},
    )


def instant(moment: datetime) -> str:
    """A FHIR instant in UTC with its microseconds: `_lastUpdated=gt<this>` finds exactly the
    resources changed after it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def meta(resource_type: str, updated_at: datetime, *, demo: bool = False) -> Resource:
    result: Resource = {
        "profile": [profiles.PROFILES[resource_type]],
        "lastUpdated": instant(updated_at),
    }
    if demo:
        result["tag"] = [
            {
                "system": code_system_url("listing"),
                "code": DEMO_TAG,
                "display": "Demo listing: synthetic data",
            }
        ]
    return result


def reference(resource_type: str, resource_id: object, display: str = "") -> Resource:
    result: Resource = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        result["display"] = display
    return result


def coding(system: str, code: str, display: str = "") -> Resource:
    result = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result


def specialty(provider: Provider) -> Resource:
    code, display = profiles.PROFESSION_CODES[provider.profession]["taxonomy"]
    return {"coding": [coding(profiles.NUCC_TAXONOMY, code, display)], "text": display}


def phone(number: str) -> Resource:
    return {"system": "phone", "value": number, "use": "work"}


def money(amount: str | Decimal) -> Resource:
    # FHIR decimals are JSON numbers; a Decimal keeps the cents exact ("40.00" -> 40.00).
    return {"value": Decimal(amount), "currency": "USD"}


# --- Provider resources ----------------------------------------------------------------------


def practitioner(provider: Provider) -> Resource:
    given = [name for name in (provider.first_name, provider.middle_name) if name]
    name: Resource = {
        "use": "official",
        "text": provider.display_name,
        "family": provider.last_name,
    }
    if given:
        name["given"] = given
    if provider.credential:
        name["suffix"] = [provider.credential]
    resource: Resource = {
        "resourceType": "Practitioner",
        "id": str(provider.id),
        "meta": meta("Practitioner", provider.updated_at, demo=provider.is_demo),
        "identifier": [{"use": "official", "system": profiles.NPI_SYSTEM, "value": provider.npi}],
        "active": True,
        "name": [name],
    }
    qualifications = [license_qualification(provider, lic) for lic in provider.licenses.all()]
    if qualifications:
        resource["qualification"] = qualifications
    return resource


def license_qualification(provider: Provider, lic: Any) -> Resource:
    code, display = profiles.PROFESSION_CODES[provider.profession]["taxonomy"]
    return {
        "identifier": [{"value": lic.number}],
        "code": {
            "coding": [coding(profiles.NUCC_TAXONOMY, code, display)],
            "text": f"{display} license, {lic.state}",
        },
        "issuer": {"display": f"{lic.state} licensing board"},
    }


def location(place: PracticeLocation, provider: Provider) -> Resource:
    lines = [line for line in (place.address_line1, place.address_line2) if line]
    resource: Resource = {
        "resourceType": "Location",
        "id": str(place.id),
        "meta": meta("Location", provider.updated_at, demo=provider.is_demo),
        "status": "active",
        "name": f"{provider.display_name}, {place.city}, {place.state}",
        "address": {
            "use": "work",
            "type": "physical",
            "line": lines,
            "city": place.city,
            "state": place.state,
            "postalCode": place.zip_code,
            "country": "US",
        },
    }
    if place.phone:
        resource["telecom"] = [phone(place.phone)]
    if place.latitude is not None and place.longitude is not None:
        resource["position"] = {"longitude": place.longitude, "latitude": place.latitude}
    if provider.hours:
        # Free text the provider wrote: not days and times that hoursOfOperation could hold.
        resource["availabilityExceptions"] = (
            f"Opening hours, as the provider gives them: {provider.hours}"
        )
    return resource


def new_patients(provider: Provider) -> Resource:
    code, display = (
        ("newpt", "Accepting") if provider.accepting_new_patients else ("nopt", "Not Accepting")
    )
    return {
        "url": profiles.NEW_PATIENTS,
        "extension": [
            {
                "url": "acceptingPatients",
                "valueCodeableConcept": {
                    "coding": [coding(profiles.ACCEPTING_PATIENTS_CS, code, display)]
                },
            }
        ],
    }


def manipulation_scopes(provider: Provider, acts: Mapping[ActKey, PracticeAct]) -> list[Resource]:
    """One extension per state the provider practises in and service it offers."""
    states = sorted({place.state for place in provider.locations.all()})
    return [
        {
            "url": extension_url("manipulation-scope"),
            "extension": [
                {"url": "state", "valueCode": state},
                {"url": "service", "valueCode": service},
                {
                    "url": "scope",
                    "valueCode": effective_scope(
                        acts.get((state, provider.profession)),
                        service,
                        endorsed=provider.spinal_manipulation_endorsed,
                    ),
                },
            ],
        }
        for state in states
        for service in provider.services
    ]


def cash_prices(provider: Provider) -> list[Resource]:
    """One extension per listed price (`listing_prices`, with Medicare's amount attached)."""
    result = []
    for price in provider.listing_prices:
        parts: list[Resource] = [
            {
                "url": "code",
                "valueCoding": coding(profiles.CPT_SYSTEM, price["code"], price["label"]),
            },
            {"url": "amount", "valueMoney": money(price["cash_price"])},
        ]
        medicare = price.get("medicare")
        if medicare is not None:
            parts.append({"url": "medicare-amount", "valueMoney": money(medicare["amount"])})
        result.append({"url": extension_url("cash-price"), "extension": parts})
    return result


def role_id(provider_id: int, plan_id: int | None) -> str:
    return str(provider_id) if plan_id is None else f"{provider_id}-{plan_id}"


def provider_networks(provider: Provider, directory: Directory) -> list[InsurancePlan]:
    return [
        directory.plans[slug] for slug in provider.listing_plan_slugs if slug in directory.plans
    ]


def practitioner_roles(provider: Provider, directory: Directory) -> list[Resource]:
    """One role per network the provider is in, by plan id, or one without a network."""
    plans = sorted(provider_networks(provider, directory), key=lambda plan: plan.id)
    networks: list[InsurancePlan | None] = [*plans] if plans else [None]
    return [practitioner_role(provider, plan, directory) for plan in networks]


def practitioner_role(
    provider: Provider, plan: InsurancePlan | None, directory: Directory
) -> Resource:
    role_code, role_display = profiles.PROFESSION_CODES[provider.profession]["role"]
    places = list(provider.locations.all())
    extensions = [new_patients(provider)]
    if plan is not None:
        extensions.append(
            {
                "url": profiles.NETWORK_REFERENCE,
                "valueReference": reference("Organization", network_id(plan), network_name(plan)),
            }
        )
    extensions.extend(manipulation_scopes(provider, directory.acts))
    extensions.append(
        {"url": extension_url("medicare-assignment"), "valueCode": provider.medicare_assignment}
    )
    extensions.extend(cash_prices(provider))
    resource: Resource = {
        "resourceType": "PractitionerRole",
        "id": role_id(provider.id, plan.id if plan else None),
        "meta": meta("PractitionerRole", provider.updated_at, demo=provider.is_demo),
        "extension": extensions,
        "active": True,
        "practitioner": reference("Practitioner", provider.id, provider.display_name),
        "code": [{"coding": [coding(profiles.PROVIDER_ROLE_CS, role_code, role_display)]}],
        "specialty": [specialty(provider)],
    }
    if places:
        resource["location"] = [reference("Location", place.id, str(place)) for place in places]
    if provider.services:
        resource["healthcareService"] = [reference("HealthcareService", provider.id)]
    phones = [place.phone for place in places if place.phone]
    if phones:
        resource["telecom"] = [phone(phones[0])]
    return resource


def healthcare_service(provider: Provider) -> Resource:
    """The kinds of manipulation the provider offers, at every one of its locations."""
    places = list(provider.locations.all())
    resource: Resource = {
        "resourceType": "HealthcareService",
        "id": str(provider.id),
        "meta": meta("HealthcareService", provider.updated_at, demo=provider.is_demo),
        "extension": [new_patients(provider)],
        "active": True,
        "category": [
            {
                "coding": [
                    coding(profiles.HEALTHCARE_SERVICE_CATEGORY_CS, "prov", "Medical Provider")
                ]
            }
        ],
        "type": [
            {
                # The model's labels are lazy translations; the FHIR directory is in English.
                "coding": [
                    coding(code_system_url("service"), service, str(Service(service).label))
                ],
                "text": str(Service(service).label),
            }
            for service in provider.services
        ],
        "specialty": [specialty(provider)],
        "name": f"Joint manipulation: {provider.display_name}",
    }
    if places:
        resource["location"] = [reference("Location", place.id, str(place)) for place in places]
    phones = [place.phone for place in places if place.phone]
    if phones:
        resource["telecom"] = [phone(phones[0])]
    return resource


def healthcare_services(provider: Provider) -> list[Resource]:
    return [healthcare_service(provider)] if provider.services else []


# Every resource type built from a provider, and how (Bulk Data export).
PROVIDER_BUILDERS: dict[str, Callable[[Provider, Directory], list[Resource]]] = {
    "Practitioner": lambda provider, _directory: [practitioner(provider)],
    "PractitionerRole": practitioner_roles,
    "Location": lambda provider, _directory: [
        location(place, provider) for place in provider.locations.all()
    ],
    "HealthcareService": lambda provider, _directory: healthcare_services(provider),
}


# --- Plans and networks -----------------------------------------------------------------------

# Plan-Net's product types that a plan's kind determines; the others are named in text only.
PRODUCT_TYPES = {
    InsurancePlan.Kind.MEDICAID: ("medi", "Medicaid"),
    InsurancePlan.Kind.MARKETPLACE: ("qhp", "Qualified Health Plan"),
}


def network_id(plan: InsurancePlan) -> str:
    return f"{NETWORK_ID_PREFIX}{plan.id}"


def network_name(plan: InsurancePlan) -> str:
    return f"{plan.name} network"


def plan_identifier(plan: InsurancePlan) -> Resource:
    return {"use": "secondary", "system": code_system_url("insurance-plan"), "value": plan.slug}


def network(plan: InsurancePlan) -> Resource:
    """A plan's provider network (Plan-Net Network); its payer is named, not a resource."""
    return {
        "resourceType": "Organization",
        "id": network_id(plan),
        "meta": meta("Organization", plan.updated_at),
        "identifier": [plan_identifier(plan)],
        "active": True,
        "type": [{"coding": [coding(profiles.ORG_TYPE_CS, "ntwk", "Network")]}],
        "name": network_name(plan),
        "partOf": {"display": plan.payer},
    }


def insurance_plan(plan: InsurancePlan) -> Resource:
    kind = InsurancePlan.Kind(plan.kind)
    codings = [coding(code_system_url("insurance-plan-kind"), kind.value, kind.label)]
    if kind in PRODUCT_TYPES:
        codings.insert(0, coding(profiles.INSURANCE_PRODUCT_TYPE_CS, *PRODUCT_TYPES[kind]))
    return {
        "resourceType": "InsurancePlan",
        "id": str(plan.id),
        "meta": meta("InsurancePlan", plan.updated_at),
        "identifier": [plan_identifier(plan)],
        "status": "active",
        "type": [{"coding": codings, "text": kind.label}],
        "name": plan.name,
        "ownedBy": {"display": plan.payer},
        "administeredBy": {"display": plan.payer},
        "network": [reference("Organization", network_id(plan), network_name(plan))],
    }


def plan_resources(plans: Iterable[InsurancePlan]) -> dict[str, list[Resource]]:
    plans = list(plans)
    return {
        "Organization": [network(plan) for plan in plans],
        "InsurancePlan": [insurance_plan(plan) for plan in plans],
    }
