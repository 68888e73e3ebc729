"""How a provider listing reads: one builder shared by the API and the pages.

Builds plain dicts from providers prepared by `attach_listing_extras`, so a page of results
costs a fixed number of queries whatever its size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from finder.api.shapes import Location, LocationWithScope, Price, ProviderDetail, ProviderSummary
from finder.rows import fetch_rows, read_connection
from providers import freshness, search_index
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    PracticeLocation,
    Procedure,
    Provider,
    ProviderPrice,
)
from providers.scope import ActKey, ScopeSummary, scope_summary

if TYPE_CHECKING:
    from finder.search import SearchHit

CURRENCY = "USD"

# The columns a listing reads (location_dict, provider_summary, scope_in_state): a results
# page loads only these, so the fields it does not show cost nothing to send or convert.
LOCATION_LISTING_FIELDS = (
    "id", "provider_id", "address_line1", "address_line2", "city", "state", "zip_code",
    "phone", "latitude", "longitude",
)  # fmt: skip
PROVIDER_LISTING_FIELDS = (
    "id", "npi", "first_name", "last_name", "credential", "profession", *SERVICE_FIELDS.values(),
    "spinal_manipulation_endorsed", "accepting_new_patients", "verification_status", "is_demo",
)  # fmt: skip


def location_dict(location: PracticeLocation) -> Location:
    return {
        "id": location.id,
        "address": location.address,
        "city": location.city,
        "state": location.state,
        "zip_code": location.zip_code,
        "lat": location.latitude,
        "lng": location.longitude,
        "phone": location.phone,
    }


def attach_listing_extras(providers: Iterable[Provider]) -> None:
    """Sets `listing_plan_slugs`, `listing_prices` and `listing_updated_at` on each provider,
    in one query.

    Plain rows rather than prefetched model instances: on a results page, building those
    objects cost more than the search query itself. The same columns a results page reads
    with its locations (`listing_extras_columns`), here for providers already loaded.
    """
    by_id = {provider.id: provider for provider in providers}
    if not by_id:
        return
    connection = read_connection(Provider)
    sql = (
        f"SELECT p.id, {listing_extras_columns(connection.vendor, 'p')}"
        f" FROM {Provider._meta.db_table} p"
        f" WHERE p.id IN ({', '.join(['%s'] * len(by_id))})"
    )
    names = catalogue()
    for provider_id, *extras in fetch_rows(connection, sql, list(by_id)):
        set_listing_extras(by_id[provider_id], extras, names)


def money(value: Decimal | float | int | str) -> str:
    """A price as a 2-decimal string. SQLite hands back a DECIMAL column as int or float, so
    go through its shortest repr: prices are whole cents, well within a float's precision."""
    if isinstance(value, str):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        value = Decimal(repr(value))
    return f"{value:.2f}"


# A provider's plans, prices and last change as three columns of a results-page statement
# (see finder/search.py), so a page needs no query of its own for them: ids and amounts only,
# the names come from the catalogue. Joining the plan and procedure tables for every row would
# cost PostgreSQL about half as much again as finding the rows.
# Unordered in SQL (SQLite before 3.44 cannot order inside an aggregate): sorted in Python.
# The last change is written by the database in the API's form, UTC to the second (truncated):
# "2026-11-20T10:00:00Z". Loaded as a timezone-aware datetime, it would go through Django's
# converter in Python on every row only to be formatted back into text.
LISTING_EXTRAS_COLUMNS = {
    "postgresql": (
        "(SELECT string_agg(t.insuranceplan_id::text, ',') FROM {through} t"
        " WHERE t.provider_id = {provider_id})",
        "(SELECT string_agg(price.procedure_id::text || ':' || price.cash_price::text, ',')"
        " FROM {prices} price WHERE price.provider_id = {provider_id})",
        "to_char({updated_at} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
    ),
    "sqlite": (
        "(SELECT group_concat(t.insuranceplan_id, ',') FROM {through} t"
        " WHERE t.provider_id = {provider_id})",
        "(SELECT group_concat(price.procedure_id || ':' || CAST(price.cash_price AS TEXT), ',')"
        " FROM {prices} price WHERE price.provider_id = {provider_id})",
        # Django stores UTC as text here; '%%' as every statement runs with parameters.
        "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {updated_at})",
    ),
}


def listing_extras_columns(
    vendor: str, provider: str, provider_id: str = "", projected_plans: str = ""
) -> str:
    """Three SELECT-list expressions for the provider table aliased `provider`: its plan ids,
    comma-separated; its prices as comma-separated `procedure id:amount`; and when it last
    changed, as the API writes it. `provider_id` is another column holding its id, if one
    lets the plan and price lookups start sooner (default: the provider's own).

    Given `projected_plans`, the column of one of the provider's locations that holds the
    search projection's plan ids (providers/search_index.py), the ids are read from it, and
    from the plans table only for a provider with too many to project: one lookup fewer per
    row of a results page."""
    tables = {
        "through": Provider.insurance_plans.through._meta.db_table,
        "prices": ProviderPrice._meta.db_table,
        "provider_id": provider_id or f"{provider}.id",
        "updated_at": f"{provider}.updated_at",
    }
    plans, prices, updated = LISTING_EXTRAS_COLUMNS.get(vendor, LISTING_EXTRAS_COLUMNS["sqlite"])
    plans = plans.format(**tables)
    if projected_plans:
        plans = (
            f"CASE WHEN {projected_plans} = '{search_index.MANY_PLANS}' THEN {plans}"
            f" ELSE {projected_plans} END"
        )
    return f"{plans}, {prices.format(**tables)}, {updated.format(**tables)}"


LISTING_EXTRAS_COUNT = len(LISTING_EXTRAS_COLUMNS["sqlite"])  # listing_extras_columns() gives


@dataclass(frozen=True)
class Catalogue:
    """What a listing shows of the reference tables, by id as the statement returns it (text):
    plan slugs, and procedures' (code, label)."""

    plan_slugs: dict[str, str]
    procedures: dict[str, tuple[str, str]]


_catalogue: freshness.PerGeneration[Catalogue] = freshness.PerGeneration(freshness.LISTINGS)


def catalogue(*, reload: bool = False) -> Catalogue:
    """This process's catalogue, read again when the listings generation moves (saving a
    plan or procedure moves it: providers/apps.py), which is checked at most once a second."""
    return _catalogue.get(_load_catalogue, reload=reload)


def _load_catalogue() -> Catalogue:
    connection = read_connection(InsurancePlan)
    sql = (
        f"SELECT 'plan', id, slug, '' FROM {InsurancePlan._meta.db_table}"
        f" UNION ALL SELECT 'procedure', id, code, label FROM {Procedure._meta.db_table}"
    )
    plans, procedures = {}, {}
    for kind, row_id, name, label in fetch_rows(connection, sql, []):
        if kind == "plan":
            plans[str(row_id)] = name
        else:
            procedures[str(row_id)] = (name, label)
    return Catalogue(plans, procedures)


def set_listing_extras(provider: Provider, extras: Sequence, names: Catalogue) -> None:
    """Sets what `attach_listing_extras` sets, from the `listing_extras_columns` values."""
    plan_ids, prices, provider.listing_updated_at = extras
    # The projection's form (",3,17,") has empty ends; the plans table's ("3,17") has none.
    plan_ids = [plan_id for plan_id in plan_ids.split(",") if plan_id] if plan_ids else []
    priced = [item.partition(":") for item in prices.split(",")] if prices else []
    try:
        slugs = [names.plan_slugs[plan_id] for plan_id in plan_ids]
        listed = [(names.procedures[procedure_id], amount) for procedure_id, _, amount in priced]
    except KeyError:  # added in another process within the last second: not seen here yet
        names = catalogue(reload=True)
        slugs = [names.plan_slugs[i] for i in plan_ids if i in names.plan_slugs]
        listed = [(names.procedures[i], amount) for i, _, amount in priced if i in names.procedures]
    slugs.sort()
    listed.sort()
    provider.listing_plan_slugs = slugs
    listing_prices: list[Price] = [
        {"code": code, "label": label, "cash_price": money(amount), "currency": CURRENCY}
        for (code, label), amount in listed
    ]
    provider.listing_prices = listing_prices


def scope_in_state(provider: Provider, state: str, acts: dict[ActKey, object]) -> ScopeSummary:
    return scope_summary(acts.get((state, provider.profession)), provider, state)


def provider_summary(
    hit: SearchHit, acts: dict[ActKey, object], url_for: Callable[[Provider], str]
) -> ProviderSummary:
    """The contract's search result for one provider at its nearest matching location."""
    provider = hit.provider
    return {
        "id": provider.id,
        "npi": provider.npi,
        "name": provider.display_name,
        "profession": provider.profession,
        "accepting_new_patients": provider.accepting_new_patients,
        "distance_miles": hit.distance_miles,
        "location": location_dict(hit.location) if hit.location else None,
        "services": provider.services,
        "scope": scope_in_state(provider, hit.location.state, acts) if hit.location else None,
        "insurance_plans": provider.listing_plan_slugs,
        "prices": provider.listing_prices,
        "medicare_assignment": provider.medicare_assignment,  # finder.medicare_listing
        "verification_status": provider.verification_status,
        "is_demo": provider.is_demo,
        "updated_at": provider.listing_updated_at,
        "url": url_for(provider),
    }


def provider_detail(
    provider: Provider, acts: dict[ActKey, object], url_for: Callable[[Provider], str]
) -> ProviderDetail:
    """Everything about one provider: every location with its state's scope."""
    locations: list[LocationWithScope] = [
        {**location_dict(location), "scope": scope_in_state(provider, location.state, acts)}
        for location in provider.locations.all()
    ]
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
        "insurance_plans": provider.listing_plan_slugs,
        "prices": provider.listing_prices,
        "medicare_assignment": provider.medicare_assignment,  # finder.medicare_listing
        "verification_status": provider.verification_status,
        "last_verified": provider.last_verified.isoformat() if provider.last_verified else None,
        "is_demo": provider.is_demo,
        "updated_at": provider.listing_updated_at,
        "url": url_for(provider),
    }
