"""Synthetic demo providers around real ZIP centroids, consistent with each state's practice act.

Deterministic for a given seed: NPIs, names and places come from a seeded RNG, so re-running
`seed_demo` with the same arguments creates nothing new.
"""

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from providers import freshness
from providers.geo import zip_index
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    PracticeLocation,
    Procedure,
    Profession,
    Provider,
    ProviderPrice,
    RecordSource,
    Scope,
    Service,
    VerificationStatus,
)
from providers.scope import current_practice_acts, effective_scope
from providers.search_index import refresh_search_index
from providers.states import US_STATES
from providers.validators import NPI_PREFIX, luhn_checksum_is_valid

# Metro ZIPs that get most demo listings, so searches in big cities find plenty.
METRO_ZIPS = [
    "10001", "11201", "90012", "90401", "60601", "77002", "85004", "19103", "78205", "92101",
    "75201", "95113", "78701", "32202", "43215", "28202", "46204", "94103", "98101", "80202",
    "20001", "37203", "73102", "89101", "97205", "02108", "38103", "40202", "21201", "53202",
    "87102", "85701", "93721", "95814", "64106", "30303", "80903", "27601", "33101", "55401",
    "70112", "74103", "33602", "67202", "44113", "96813", "99501", "83702", "84101", "04101",
]  # fmt: skip
FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sophia", "Elijah", "Isabella", "James",
    "Mia", "Lucas", "Amelia", "Benjamin", "Harper", "Ethan", "Camila", "Aiden", "Priya", "Wei",
]  # fmt: skip
LAST_NAMES = [
    "Garcia", "Smith", "Nguyen", "Johnson", "Patel", "Williams", "Kim", "Brown", "Martinez",
    "Lee", "Davis", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
]  # fmt: skip
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "Lake Rd"]
PRICE_CODES = {
    Profession.CHIROPRACTOR: ["98940", "98941", "98942", "98943", "97140"],
    Profession.PHYSICAL_THERAPIST: ["97140", "97110", "97112", "97530"],
}
DEMO_NPI_BASE = 199_000_000  # 9-digit bases 199000000.. give NPIs 199xxxxxxC, easy to spot
MILES_PER_DEGREE_LAT = 69.0


@dataclass
class DemoSummary:
    created: int = 0
    existing: int = 0


def npi_from_base(base: int) -> str:
    digits = f"{base:09d}"
    for check in range(10):
        if luhn_checksum_is_valid(NPI_PREFIX + digits + str(check)):
            return digits + str(check)
    raise AssertionError("a Luhn check digit always exists")


def jitter(rng: random.Random, lat: float, lng: float, miles: float) -> tuple[float, float]:
    distance = miles * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / MILES_PER_DEGREE_LAT
    dlng = distance * math.sin(bearing) / (MILES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def pick_services(rng: random.Random, profession: str, act, endorsed: bool) -> dict[str, bool]:
    def permitted(service: str) -> bool:
        return effective_scope(act, service, endorsed=endorsed) in (Scope.ALLOWED, Scope.UNKNOWN)

    if profession == Profession.CHIROPRACTOR:
        wanted = {
            Service.SPINAL_MANIPULATION: True,
            Service.EXTREMITY_MANIPULATION: rng.random() < 0.7,
            Service.MOBILIZATION: rng.random() < 0.5,
            # MUA only where an act affirmatively allows it, never on "unknown".
            Service.MANIPULATION_UNDER_ANESTHESIA: rng.random() < 0.2
            and effective_scope(act, Service.MANIPULATION_UNDER_ANESTHESIA) == Scope.ALLOWED,
        }
    else:
        wanted = {
            Service.SPINAL_MANIPULATION: rng.random() < 0.7,
            Service.EXTREMITY_MANIPULATION: rng.random() < 0.8,
            Service.MOBILIZATION: True,
            Service.MANIPULATION_UNDER_ANESTHESIA: False,
        }
    return {SERVICE_FIELDS[s]: bool(on and permitted(s)) for s, on in wanted.items()}


def seed_demo_providers(*, count: int = 3000, seed: int = 42) -> DemoSummary:
    """Create `count` demo providers (idempotent for the same seed and count)."""
    rng = random.Random(seed)
    zips = zip_index()
    all_zips = sorted(code for code, (_, _, _, state) in zips.items() if state in US_STATES)
    acts = current_practice_acts()
    plans = list(InsurancePlan.objects.order_by("slug"))
    procedures = {p.code: p for p in Procedure.objects.all()}
    npis = [npi_from_base(DEMO_NPI_BASE + seed * 100_000 + i) for i in range(count)]
    existing = set(Provider.objects.filter(npi__in=npis).values_list("npi", flat=True))
    summary = DemoSummary(existing=len(existing))

    created: list[int] = []
    with transaction.atomic():
        for npi in npis:
            # Draw for every NPI, even existing ones, so the sequence does not depend on them.
            spec = draw_provider(rng, zips, all_zips, acts)
            if npi in existing:
                continue
            created.append(create_demo_provider(rng, npi, spec, plans, procedures).id)
            summary.created += 1
        refresh_search_index(created)  # bulk_create sends no signals
    freshness.bump_listings()
    return summary


def draw_provider(rng: random.Random, zips, all_zips, acts) -> dict:
    zip_code = rng.choice(METRO_ZIPS) if rng.random() < 0.6 else rng.choice(all_zips)
    lat, lng, city, state = zips[zip_code]
    profession = rng.choice(list(Profession))
    act = acts.get((state, profession))
    endorsed = profession == Profession.PHYSICAL_THERAPIST and rng.random() < 0.5
    return {
        "zip_code": zip_code,
        "city": city,
        "state": state,
        "point": jitter(rng, lat, lng, miles=8),
        "second_point": jitter(rng, lat, lng, miles=15) if rng.random() < 0.15 else None,
        "profession": profession,
        "endorsed": endorsed,
        "services": pick_services(rng, profession, act, endorsed),
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": rng.choice(LAST_NAMES),
        "street": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
        "phone": f"{rng.randint(201, 989)}-555-{rng.randint(100, 199):04d}",
        "accepting": rng.random() < 0.8,
        "verified": rng.random() < 0.6,
        "plan_count": rng.randint(2, 6),
        "price_seed": rng.random(),
    }


def create_demo_provider(rng, npi: str, spec: dict, plans, procedures) -> Provider:
    profession = spec["profession"]
    provider = Provider.objects.create(
        npi=npi,
        first_name=spec["first_name"],
        last_name=f"{spec['last_name']} (Demo)",
        credential="DC" if profession == Profession.CHIROPRACTOR else "DPT",
        profession=profession,
        spinal_manipulation_endorsed=spec["endorsed"],
        accepting_new_patients=spec["accepting"],
        verification_status=(
            VerificationStatus.VERIFIED if spec["verified"] else VerificationStatus.PENDING
        ),
        is_demo=True,
        **spec["services"],
    )
    points = [spec["point"]] + ([spec["second_point"]] if spec["second_point"] else [])
    PracticeLocation.objects.bulk_create(
        PracticeLocation(
            provider=provider,
            address_line1=spec["street"] if index == 0 else f"{spec['street']}, Suite 2",
            city=spec["city"],
            state=spec["state"],
            zip_code=spec["zip_code"],
            phone=spec["phone"],
            latitude=lat,
            longitude=lng,
            source=RecordSource.DEMO,
        )
        for index, (lat, lng) in enumerate(points)
    )
    if plans:
        # In bulk, like the locations: no signal per provider (seed_demo refreshes the search
        # index and the listings generation once), and no version per plan.
        Provider.insurance_plans.through.objects.bulk_create(
            Provider.insurance_plans.through(provider=provider, insuranceplan=plan)
            for plan in rng.sample(plans, min(spec["plan_count"], len(plans)))
        )
    base = Decimal(30 + int(spec["price_seed"] * 15))
    ProviderPrice.objects.bulk_create(
        ProviderPrice(provider=provider, procedure=procedures[code], cash_price=base + step * 3)
        for step, code in enumerate(PRICE_CODES[profession])
        if code in procedures
    )
    return provider
