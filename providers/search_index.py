"""The search projection: each practice location carries its provider's filterable facts.

Search filters on a provider's profession, services, endorsement, new-patient status, listing
status, telehealth, languages, insurance plans and entry-level prices, but it finds candidates
by a location's coordinates. Copying those facts onto the location row (`search_flags`,
`search_plans`, `search_languages`, the `search_*price_cents` columns) and into the covering
coordinates index lets the database filter a metro's bounding box from the index alone, instead
of looking up the
provider (and its plans) for every location in the box — most of a filtered search's cost.

Each provider's first location (lowest id) is also its `search_primary`: counting primaries
in a radius counts providers, one row each, so a metro search can tell "more than 1,000" without
grouping every location (finder/search/sql.py). A partial unique index allows at most one primary
per provider, since a second would count a provider twice; a provider with none is merely left
out of that count, and search then counts exactly.

The projection is derived data, never edited by hand. Signals keep it current for ORM saves
and deletes (see providers/apps.py); bulk writers (imports, admin bulk actions) call
`refresh_search_index` for the providers they touched, and the synthetic-listings generator
(providers/demo.py) writes new locations with it, from `search_flags` and `search_plans`.
`stale_locations` finds any drift, and `manage.py refresh_search_index` rebuilds it all.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from providers.entry_level import entry_level_codes
from providers.models import (
    SERVICE_FIELDS,
    PracticeLocation,
    Profession,
    Provider,
    ProviderPrice,
    Service,
    VerificationStatus,
    providers_with_changed_plans,
)

# One bit per filterable fact. A filter is `search_flags & mask = value`, so "accepting new
# patients: no" is as cheap as "yes".
LISTED = 1 << 0  # not suspended
ACCEPTING_NEW_PATIENTS = 1 << 1
PROFESSION_BITS: dict[str, int] = {
    Profession.CHIROPRACTOR: 1 << 2,
    Profession.PHYSICAL_THERAPIST: 1 << 3,
}
SERVICE_BITS: dict[str, int] = {
    service: 1 << (4 + index) for index, service in enumerate(SERVICE_FIELDS)
}
# The spinal manipulation endorsement is on file: where an act asks for it, a service search
# lists the provider only with it (providers/scope.py `is_permitted`).
SPINAL_MANIPULATION_ENDORSED = 1 << (4 + len(SERVICE_FIELDS))
# Offers telehealth (a "no" and an unknown both leave it clear).
TELEHEALTH = SPINAL_MANIPULATION_ENDORSED << 1

# A provider's plan ids as ",3,17,": a plan filter is then `search_plans LIKE '%,17,%'`, one
# string test per index entry on SQLite and PostgreSQL alike. A provider with so many plans
# that the list would not fit an index entry is marked MANY_PLANS, and search checks its plans
# the slow way.
MAX_PLANS_LENGTH = 600
MANY_PLANS = "*"

# The provider's entry-level prices (providers/entry_level.py) in whole cents, one column per
# set of codes a searched service calls for (spinal manipulation and MUA use the no-service
# codes); NULL where the provider posts no price for its code. A `max_price` filter is then
# one comparison per index entry, instead of a lookup in the prices table per location.
PRICE_COLUMNS: dict[str | None, str] = {
    None: "search_price_cents",
    Service.EXTREMITY_MANIPULATION: "search_extremity_price_cents",
    Service.MOBILIZATION: "search_mobilization_price_cents",
}
ENTRY_CODES = sorted({code for key in PRICE_COLUMNS for code in entry_level_codes(key).values()})
PROJECTED = ("search_flags", "search_plans", "search_languages", *PRICE_COLUMNS.values())


def price_column(service: str | None) -> str:
    """The column holding the entry-level price for a search for `service`."""
    return PRICE_COLUMNS.get(service, PRICE_COLUMNS[None])


# A provider's languages as ",en,es,": a language filter is `search_languages LIKE '%,es,%'`,
# like the plans. (A location's own facts, such as its entrance, are its columns already.)
PROVIDER_FIELDS = (
    "id", "profession", "accepting_new_patients", "verification_status", *SERVICE_FIELDS.values(),
    "spinal_manipulation_endorsed", "offers_telehealth", "languages",
)  # fmt: skip
CHUNK = 500  # provider ids per query: well under SQLite's bound-parameter limit


def search_flags(values: dict) -> int:
    """The flag bits for one provider, from its field values (a `values()` row or a dict)."""
    flags = PROFESSION_BITS.get(values["profession"], 0)
    if values["verification_status"] != VerificationStatus.SUSPENDED:
        flags |= LISTED
    if values["accepting_new_patients"]:
        flags |= ACCEPTING_NEW_PATIENTS
    for service, field in SERVICE_FIELDS.items():
        if values[field]:
            flags |= SERVICE_BITS[service]
    if values.get("spinal_manipulation_endorsed"):
        flags |= SPINAL_MANIPULATION_ENDORSED
    if values.get("offers_telehealth"):
        flags |= TELEHEALTH
    return flags


def search_languages(codes: Iterable[str] | None) -> str:
    ids = sorted(set(codes or ()))
    return "," + ",".join(ids) + "," if ids else ""


def search_plans(plan_ids: Iterable[int]) -> str:
    ids = sorted(set(plan_ids))
    if not ids:
        return ""
    text = "," + ",".join(str(plan_id) for plan_id in ids) + ","
    return text if len(text) <= MAX_PLANS_LENGTH else MANY_PLANS


def search_prices(profession: str, prices: Mapping[str, Decimal]) -> dict[str, int | None]:
    """The price columns for a provider of `profession` with these cash prices by code."""
    return {
        column: cents(prices.get(entry_level_codes(service).get(profession, "")))
        for service, column in PRICE_COLUMNS.items()
    }


def cents(price: Decimal | None) -> int | None:
    return None if price is None else int(price * 100)


def projections(
    provider_ids: Iterable[int],
    *,
    provider_model: type[Provider] = Provider,
    price_model: type[ProviderPrice] = ProviderPrice,
    fields: Iterable[str] = PROJECTED,
) -> dict[int, dict[str, Any]]:
    """provider id -> the projection's `fields` (of PROJECTED) and their values, read from the
    database. The models can be a migration's: one from before a column existed reads and gives
    only the columns it has."""
    ids, fields = list(provider_ids), set(fields)
    result: dict[int, dict[str, Any]] = {}
    through = provider_model.insurance_plans.through
    with_prices = bool(fields & set(PRICE_COLUMNS.values()))
    names = {field.name for field in provider_model._meta.concrete_fields}
    wanted = [name for name in PROVIDER_FIELDS if name in names]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        plans: dict[int, list[int]] = defaultdict(list)
        for provider_id, plan_id in through.objects.filter(provider_id__in=chunk).values_list(
            "provider_id", "insuranceplan_id"
        ):
            plans[provider_id].append(plan_id)
        prices: dict[int, dict[str, Decimal]] = defaultdict(dict)
        if with_prices:
            rows = price_model.objects.filter(
                provider_id__in=chunk, procedure__code__in=ENTRY_CODES
            ).values_list("provider_id", "procedure__code", "cash_price")
            for provider_id, code, price in rows:
                prices[provider_id][code] = price
        for values in provider_model.objects.filter(id__in=chunk).values(*wanted):
            provider_id = values["id"]
            projection = {
                "search_flags": search_flags(values),
                "search_plans": search_plans(plans[provider_id]),
                "search_languages": search_languages(values.get("languages")),
                **search_prices(values["profession"], prices[provider_id]),
            }
            result[provider_id] = {name: projection[name] for name in PROJECTED if name in fields}
    return result


def fill_location(location: PracticeLocation) -> None:
    """Sets a location's projection from its provider before it is saved."""
    projection = projections([location.provider_id]).get(location.provider_id)
    for name, value in (projection or {}).items():
        setattr(location, name, value)


def refresh_search_index(
    provider_ids: Iterable[int] | None = None,
    *,
    provider_model: type[Provider] = Provider,
    location_model: type[PracticeLocation] = PracticeLocation,
    price_model: type[ProviderPrice] = ProviderPrice,
) -> int:
    """Brings the locations of these providers (all, when None) up to date; returns how many
    rows changed. Only rows that differ are written. The models can be a migration's."""
    changed = 0
    fields = projected_fields(location_model)
    for stale in _stale_chunks(provider_ids, provider_model, location_model, price_model):
        rows = [
            location_model(id=pk, **dict(zip(fields, target, strict=True))) for pk, target in stale
        ]
        with transaction.atomic():
            # Primaries given up before new ones are taken: one provider never holds two.
            for taking in (False, True):
                batch = [row for row in rows if getattr(row, "search_primary", False) is taking]
                location_model.objects.bulk_update(batch, fields, batch_size=CHUNK)
        changed += len(stale)
    return changed


def projected_fields(location_model: type[PracticeLocation]) -> list[str]:
    """The projection's columns; a migration's model may predate some (the primary, 0007;
    the prices, 0013; the languages, 0014)."""
    names = {field.name for field in location_model._meta.concrete_fields}
    return [name for name in (*PROJECTED, "search_primary") if name in names]


def stale_locations(limit: int = 100) -> list[int]:
    """Ids of locations whose projection does not match their provider (at most `limit`)."""
    found: list[int] = []
    for stale in _stale_chunks(None, Provider, PracticeLocation, ProviderPrice):
        found.extend(location_id for location_id, _target in stale)
        if len(found) >= limit:
            break
    return found[:limit]


def _stale_chunks(provider_ids, provider_model, location_model, price_model):
    """Per CHUNK providers: [(location id, the values of `projected_fields` it should have)]
    where it differs."""
    if provider_ids is None:
        provider_ids = provider_model.objects.order_by("id").values_list("id", flat=True)
    ids = list(provider_ids)
    fields = projected_fields(location_model)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        wanted = projections(
            chunk, provider_model=provider_model, price_model=price_model, fields=fields
        )
        rows = list(
            location_model.objects.filter(provider_id__in=chunk).values_list(
                "id", "provider_id", *fields
            )
        )
        first: dict[int, int] = {}
        for location_id, provider_id, *_ in rows:
            first[provider_id] = min(location_id, first.get(provider_id, location_id))
        stale = []
        for location_id, provider_id, *current in rows:
            if provider_id in wanted:
                values = {
                    **wanted[provider_id],
                    "search_primary": first[provider_id] == location_id,
                }
                target = tuple(values[name] for name in fields)
                if tuple(current) != target:
                    stale.append((location_id, target))
        yield stale


def claim_primary(provider_id: int) -> int | None:
    """Makes the provider's first location (lowest id) its primary, taking the mark from any
    other (a location with a lower id can move in from another provider). If a concurrent
    claim marks another location first, the unique constraint refuses this one, which gives
    way: one primary either way, and `refresh_search_index` settles which. The id of the
    location it marked, if any."""
    first = (
        PracticeLocation.objects.filter(provider_id=provider_id)
        .order_by("id")
        .values_list("id", "search_primary")
        .first()
    )
    if first is None or first[1]:
        return None
    try:
        with transaction.atomic():
            # Given up before taken: the provider never holds two.
            PracticeLocation.objects.filter(provider_id=provider_id, search_primary=True).update(
                search_primary=False
            )
            PracticeLocation.objects.filter(id=first[0]).update(search_primary=True)
    except IntegrityError:
        return None
    return first[0]


# Signal receivers (connected in providers/apps.py): ORM saves keep the projection current.
def on_location_saving(sender, instance: PracticeLocation, raw: bool = False, **_kwargs) -> None:
    if raw:  # fixtures (restore_data) carry their projection with them
        return
    fill_location(instance)
    # Whether it is its provider's primary is the database's to say (claim_primary), never a
    # copy held in memory; a location that changes provider starts without it.
    stored = (
        PracticeLocation.objects.filter(pk=instance.pk)
        .values_list("provider_id", "search_primary")
        .first()
        if instance.pk is not None
        else None
    )
    if stored is not None and stored[0] == instance.provider_id:
        instance.search_primary = stored[1]
        instance._search_left_provider = None
    else:
        instance.search_primary = False
        instance._search_left_provider = stored[0] if stored else None


def on_location_saved(sender, instance: PracticeLocation, raw: bool = False, **_kwargs) -> None:
    if raw:
        return
    if not instance.search_primary and claim_primary(instance.provider_id) == instance.pk:
        instance.search_primary = True
    left = getattr(instance, "_search_left_provider", None)
    if left is not None:
        claim_primary(left)


def on_location_deleted(sender, instance: PracticeLocation, **_kwargs) -> None:
    # A queryset delete reads its instances as it deletes, so they say whether each was a
    # primary; only then does the next location take over (an import replacing thousands of
    # addresses runs no query per location here, and refreshes its providers afterwards). An
    # instance older than its row can only leave a provider without a primary: counted
    # exactly instead, and repaired by a refresh.
    if instance.search_primary:
        claim_primary(instance.provider_id)


def on_provider_saved(
    sender, instance: Provider, raw: bool = False, update_fields=None, **_kwargs
) -> None:
    # A save of named fields none of which the projection copies (notes, say) changes nothing.
    if raw or (update_fields is not None and not set(update_fields) & set(PROVIDER_FIELDS)):
        return
    refresh_search_index([instance.pk])


def on_price_changed(sender, instance: ProviderPrice, raw: bool = False, **_kwargs) -> None:
    if not raw:
        refresh_search_index([instance.provider_id])


def on_plans_changed(sender, instance, action: str, reverse: bool, pk_set, **_kwargs) -> None:
    # From either side: provider.insurance_plans.add/remove/set/clear or plan.providers.…
    changed = providers_with_changed_plans(instance, action, reverse, pk_set)
    if changed:
        refresh_search_index(changed)
