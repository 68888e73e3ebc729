"""Synthetic listings around real ZIP centroids, consistent with each state's practice act.

One generator for the demo data `make run` shows (`seed_demo`) and for the benchmark's
dataset (devtools/benchmark.py), so both look alike: 55% of providers around 50 metro ZIPs and
the rest around any US ZIP, scattered about 8 miles (a normal spread of 0.12°), 20% with a
second location nearby in the same state, 2 to 6 of the plans sold in their state, the cash
prices of their profession's procedures. Every listing is marked `is_demo` and labelled
"(Demo)". It looks like the real thing (tests/providers/test_demo.py checks every rule over the
default set):
- each address's ZIP, city, state and pin agree, and its phone has an area code of its state
  (providers/demo_places.py);
- plans only where their payer sells them (providers/plan_markets.py);
- 12% of providers not taking new patients: 88.9% of office-based primary care physicians
  took new patients in 2015 (NCHS, MMWR 66(28)), the nearest published figure; none is
  published for chiropractors or PTs;
- cash prices in $5 steps around the typical $30-$50 a procedure (REFERENCE.md §3), one price
  level per practice, and spinal manipulation priced by regions: 98940 <= 98941 <= 98942;
- the languages spoken beside English (LANGUAGE_SHARES), telehealth, and each location's
  entrance and evening and weekend hours, each known for most listings and unknown for some;
- every freshness state a patient can meet: listings confirmed by the provider or verified by
  curators within the last 60 days, some last confirmed over 90 days ago (stale), and some
  never (pending); a verified listing always has its date.

Deterministic for a seed: each NPI's listing comes from one seeded sequence, drawn whether or
not the NPI exists, so re-running with the same arguments creates nothing new and a run that
was interrupted completes the rest.

Written in bulk: a batch of providers per transaction, each table's rows in a few statements (COPY
on PostgreSQL), never a save per provider, so 300,000 providers take minutes. Bulk writes send
no signals, so each location's search projection is filled here, from the functions
providers/search_index.py keeps it with, and the listings generation is bumped after each batch.
"""

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import JSONField, Model
from django.utils import timezone

from providers import freshness
from providers.demo_access import (
    TELEHEALTH_SHARES,
    location_access,
    pick_languages,
    yes_no_unknown,
)
from providers.demo_places import DemoAddress, ZipGrid, draw_address
from providers.geo import zip_index
from providers.languages import normalized_languages
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    PracticeAct,
    PracticeLocation,
    Procedure,
    Profession,
    Provider,
    ProviderPrice,
    RecordSource,
    Scope,
    Service,
    TelehealthSource,
    VerificationSource,
    VerificationStatus,
)
from providers.plan_markets import states_selling
from providers.scope import ActKey, current_practice_acts, effective_scope
from providers.search_index import (
    PRICE_COLUMNS,
    search_flags,
    search_languages,
    search_plans,
    search_prices,
)
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
PT_PRICE_CODES = ["97140", "97110", "97112", "97530"]
DEMO_NPI_BASE = 199_000_000  # 9-digit bases 199000000.. give NPIs 199xxxxxxC, easy to spot
METRO_SHARE = 0.55
SPREAD_DEGREES = 0.12  # standard deviation around the anchor ZIP's centroid: about 8 miles
SECOND_LOCATION_SHARE = 0.2
SECOND_LOCATION_SPREAD_DEGREES = 0.05  # about 3.5 miles from the first
NOT_ACCEPTING_SHARE = 0.12
VERIFIED_SHARE = 0.6
VERIFIED_WITHIN_DAYS = 60
STALE_SHARE = 0.2  # of the verified listings: last confirmed 91 to 300 days ago
STALE_DAYS = (91, 300)
PROVIDER_CONFIRMED_SHARE = 0.5  # of the verified listings: confirmed by the provider
BATCH_SIZE = 2000  # providers per transaction (with about 11,000 rows of locations, plans, prices)
PROGRESS_SECONDS = 5.0


@dataclass
class DemoSummary:
    total: int = 0
    created: int = 0
    existing: int = 0
    elapsed_seconds: float = 0.0

    @property
    def done(self) -> int:
        return self.created + self.existing


ProgressCallback = Callable[[DemoSummary], None]


@dataclass(frozen=True)
class Listing:
    """One synthetic provider as drawn, before it is written."""

    profession: str
    first_name: str
    last_name: str
    endorsed: bool
    services: dict[str, bool]  # Provider field name -> offered
    accepting: bool
    verified_days_ago: int | None  # verified that many days before it is written; None: not
    verified_by: str  # a VerificationSource: who confirmed it (DEMO where never)
    addresses: list[DemoAddress]  # the primary location first; all in one state
    plan_ids: list[int]
    prices: dict[str, Decimal]  # by procedure code
    languages: list[str]
    telehealth: bool | None
    # (wheelchair-accessible entrance, evening hours, weekend hours) of each location
    access: list[tuple[bool | None, bool | None, bool | None]]


def npi_from_base(base: int) -> str:
    digits = f"{base:09d}"
    for check in range(10):
        if luhn_checksum_is_valid(NPI_PREFIX + digits + str(check)):
            return digits + str(check)
    raise AssertionError("a Luhn check digit always exists")


def seed_demo_providers(
    *, count: int = 3000, seed: int = 42, progress: ProgressCallback | None = None
) -> DemoSummary:
    """Create `count` demo providers (idempotent for the same seed and count)."""
    npis = [npi_from_base(DEMO_NPI_BASE + seed * 100_000 + i) for i in range(count)]
    return create_synthetic_listings(npis=npis, seed=seed, progress=progress)


def create_synthetic_listings(
    *, npis: Sequence[str], seed: int, progress: ProgressCallback | None = None
) -> DemoSummary:
    """A synthetic listing for each of `npis` that does not exist yet, in batches.

    `progress` is called after a batch at most every PROGRESS_SECONDS, and after the last."""
    started = time.perf_counter()
    summary = DemoSummary(total=len(npis))
    reported = started
    procedures = dict(Procedure.objects.values_list("code", "id"))
    today = timezone.localdate()
    for batch in batches(npis, seed):
        with transaction.atomic():
            existing = set(
                Provider.objects.filter(npi__in=[npi for npi, _ in batch]).values_list(
                    "npi", flat=True
                )
            )
            new = [(npi, listing) for npi, listing in batch if npi not in existing]
            write_listings(new, procedures, today)
        freshness.bump_listings()  # once a batch is visible: bulk writes send no signals
        summary.created += len(new)
        summary.existing += len(existing)
        now = time.perf_counter()
        summary.elapsed_seconds = now - started
        if progress and (now - reported >= PROGRESS_SECONDS or summary.done == summary.total):
            progress(summary)
            reported = now
    return summary


def batches(npis: Sequence[str], seed: int) -> Iterator[list[tuple[str, Listing]]]:
    """(NPI, listing) in batches of BATCH_SIZE, drawn in order from one seeded sequence."""
    rng = random.Random(seed)
    zips = zip_index()
    all_zips = sorted(code for code, place in zips.items() if place.state in US_STATES)
    grid = ZipGrid(zips, all_zips)
    acts = current_practice_acts()
    plans = list(InsurancePlan.objects.order_by("slug").values_list("id", "slug"))
    plans_by_state = {
        state: [plan_id for plan_id, slug in plans if state in states_selling(slug)]
        for state in US_STATES
    }
    for start in range(0, len(npis), BATCH_SIZE):
        yield [
            (npi, draw_listing(rng, grid, all_zips, acts, plans_by_state))
            for npi in npis[start : start + BATCH_SIZE]
        ]


def draw_listing(
    rng: random.Random,
    grid: ZipGrid,
    all_zips: list[str],
    acts: dict[ActKey, PracticeAct],
    plans_by_state: dict[str, list[int]],
) -> Listing:
    addresses = draw_addresses(rng, grid, all_zips)
    state = addresses[0].state
    profession = rng.choice(list(Profession))
    endorsed = profession == Profession.PHYSICAL_THERAPIST and rng.random() < 0.5
    plan_ids = plans_by_state[state]
    return Listing(
        profession=profession,
        first_name=rng.choice(FIRST_NAMES),
        last_name=f"{rng.choice(LAST_NAMES)} (Demo)",
        endorsed=endorsed,
        services=pick_services(rng, profession, acts.get((state, profession)), endorsed),
        accepting=rng.random() >= NOT_ACCEPTING_SHARE,
        **draw_verification(rng),
        addresses=addresses,
        plan_ids=rng.sample(plan_ids, min(rng.randint(2, 6), len(plan_ids))),
        prices=draw_prices(rng, profession),
        languages=pick_languages(rng, grid, addresses[0]),
        telehealth=yes_no_unknown(rng, TELEHEALTH_SHARES[profession]),
        access=[location_access(rng) for _ in addresses],
    )


def draw_addresses(rng: random.Random, grid: ZipGrid, all_zips: list[str]) -> list[DemoAddress]:
    """One address near an anchor ZIP, and for SECOND_LOCATION_SHARE a second one nearby in the
    same state (a practice act is per state, so a provider's services hold in both)."""
    anchor = rng.choice(METRO_ZIPS) if rng.random() < METRO_SHARE else rng.choice(all_zips)
    place = grid.zips[anchor]
    first = draw_address(
        rng, grid, zip_near(rng, grid, place.lat, place.lng, SPREAD_DEGREES) or anchor
    )
    if rng.random() >= SECOND_LOCATION_SHARE:
        return [first]
    nearby = zip_near(rng, grid, first.latitude, first.longitude, SECOND_LOCATION_SPREAD_DEGREES)
    if nearby is None or grid.zips[nearby].state != first.state:
        nearby = first.zip_code
    return [first, draw_address(rng, grid, nearby)]


def zip_near(
    rng: random.Random, grid: ZipGrid, lat: float, lng: float, spread_degrees: float
) -> str | None:
    """The ZIP nearest a point scattered about (lat, lng)."""
    return grid.nearest(*scatter(rng, lat, lng, spread_degrees))


def draw_prices(rng: random.Random, profession: str) -> dict[str, Decimal]:
    """Cash prices in $5 steps from one price level per practice ($30 to $45 for its basic
    visit). Spinal manipulation costs at least as much for more regions (98940 <= 98941 <=
    98942, as Medicare's amounts are ordered: REFERENCE.md §3)."""
    base = 30 + 5 * rng.randint(0, 3)
    if profession == Profession.PHYSICAL_THERAPIST:
        return {code: Decimal(base + rng.choice((0, 5, 10))) for code in PT_PRICE_CODES}
    three_to_four = base + rng.choice((0, 5, 5, 10))
    five = three_to_four + rng.choice((0, 5, 5, 10))
    return {
        "98940": Decimal(base),
        "98941": Decimal(three_to_four),
        "98942": Decimal(five),
        "98943": Decimal(base + rng.choice((-5, 0, 0, 5))),
        "97140": Decimal(base + rng.choice((0, 5))),
    }


def scatter(
    rng: random.Random, lat: float, lng: float, spread_degrees: float
) -> tuple[float, float]:
    return (
        max(-90.0, min(90.0, lat + rng.gauss(0, spread_degrees))),
        math.remainder(lng + rng.gauss(0, spread_degrees), 360),
    )


def pick_services(
    rng: random.Random, profession: str, act: PracticeAct | None, endorsed: bool
) -> dict[str, bool]:
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


def write_listings(
    listings: list[tuple[str, Listing]], procedures: dict[str, int], today: date
) -> None:
    """Providers, then their locations (search projection filled in), plans and prices.
    `procedures`: procedure id by code; a code not loaded gets no price. `today`: the date
    verification ages count back from."""
    if not listings:
        return
    providers = [provider_values(npi, listing, today) for npi, listing in listings]
    fields = list(providers[0])
    insert_rows(Provider, fields, [tuple(values[name] for name in fields) for values in providers])
    ids = dict(
        Provider.objects.filter(npi__in=[npi for npi, _ in listings]).values_list("npi", "id")
    )
    locations: list[tuple] = []
    links: list[tuple] = []
    prices: list[tuple] = []
    for values, (npi, listing) in zip(providers, listings, strict=True):
        provider_id = ids[npi]
        flags, plans = search_flags(values), search_plans(listing.plan_ids)
        listed_prices = {
            code: price for code, price in listing.prices.items() if code in procedures
        }
        entry_prices = tuple(search_prices(listing.profession, listed_prices).values())
        languages = search_languages(listing.languages)
        locations.extend(
            (
                provider_id,
                address.street,
                address.city,
                address.state,
                address.zip_code,
                address.phone,
                address.latitude,
                address.longitude,
                RecordSource.DEMO.value,
                *listing.access[index],
                flags,
                plans,
                languages,
                # The first location written has the provider's lowest id: its primary.
                index == 0,
                *entry_prices,
            )
            for index, address in enumerate(listing.addresses)
        )
        links.extend((provider_id, plan_id) for plan_id in listing.plan_ids)
        prices.extend(
            (provider_id, procedures[code], price) for code, price in listed_prices.items()
        )
    insert_rows(PracticeLocation, LOCATION_FIELDS, locations)
    insert_rows(Provider.insurance_plans.through, ["provider_id", "insuranceplan_id"], links)
    insert_rows(ProviderPrice, ["provider_id", "procedure_id", "cash_price"], prices)


LOCATION_FIELDS = [
    "provider_id", "address_line1", "city", "state", "zip_code", "phone", "latitude",
    "longitude", "source", "wheelchair_accessible", "evening_hours", "weekend_hours",
    "search_flags", "search_plans", "search_languages", "search_primary",
    *PRICE_COLUMNS.values(),
]  # fmt: skip


def draw_verification(rng: random.Random) -> dict[str, Any]:
    """How fresh a demo listing is: never confirmed, confirmed recently, or stale; and by
    whom, the provider or a curator."""
    if rng.random() >= VERIFIED_SHARE:
        return {"verified_days_ago": None, "verified_by": VerificationSource.DEMO}
    days = (
        rng.randint(*STALE_DAYS)
        if rng.random() < STALE_SHARE
        else rng.randint(0, VERIFIED_WITHIN_DAYS)
    )
    by = (
        VerificationSource.PROVIDER
        if rng.random() < PROVIDER_CONFIRMED_SHARE
        else VerificationSource.CURATOR
    )
    return {"verified_days_ago": days, "verified_by": by}


def provider_values(npi: str, listing: Listing, today: date) -> dict[str, object]:
    """A provider's field values, as `search_flags` reads them too. A verified listing always
    carries the date it was verified."""
    days = listing.verified_days_ago
    return {
        "npi": npi,
        "first_name": listing.first_name,
        "last_name": listing.last_name,
        "credential": "DC" if listing.profession == Profession.CHIROPRACTOR else "DPT",
        "profession": listing.profession,
        "spinal_manipulation_endorsed": listing.endorsed,
        "accepting_new_patients": listing.accepting,
        "verification_status": (
            VerificationStatus.PENDING if days is None else VerificationStatus.VERIFIED
        ),
        # A verified listing always has its date (the model's constraint).
        "last_verified": None if days is None else today - timedelta(days=days),
        "verification_source": listing.verified_by,
        "is_demo": True,
        "languages": normalized_languages(listing.languages),
        "offers_telehealth": listing.telehealth,
        "telehealth_source": "" if listing.telehealth is None else TelehealthSource.PROVIDER,
        **listing.services,
    }


def insert_rows(model: type[Model], fields: list[str], rows: list[tuple]) -> None:
    """Rows of values of `fields` (attribute names) into `model`'s table, in order, so that
    ids ascend as given; every other field as a new instance has it (default, timestamps).

    COPY on PostgreSQL: bulk_create, which builds and converts a model instance per row, took
    more than twice as long over the millions of rows of a large seed. bulk_create elsewhere.
    """
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            model(**dict(zip(fields, row, strict=True))) for row in rows
        )
        return
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    others = [
        field
        for attname, field in by_attname.items()
        if not (field.primary_key or field.generated or attname in fields)
    ]
    new = model()
    filler = tuple(
        field.get_db_prep_save(field.pre_save(new, add=True), connection) for field in others
    )
    quote = connection.ops.quote_name
    columns = [by_attname[name] for name in fields] + others
    statement = (
        f"COPY {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in columns)}) FROM STDIN"
    )
    # JSON values (a provider's languages) go through their field, as COPY would otherwise
    # send a list as an array; every other value is written as it comes.
    json_fields = [
        (index, by_attname[name])
        for index, name in enumerate(fields)
        if isinstance(by_attname[name], JSONField)
    ]
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            if json_fields:
                values = list(row)
                for index, field in json_fields:
                    values[index] = field.get_db_prep_save(values[index], connection)
                row = tuple(values)
            copy.write_row(row + filler)
