"""The queries behind a provider listing: locations with their providers, and each provider's
plans, prices and last change, in a fixed number of statements whatever the page's size.

Plain rows rather than prefetched model instances for the plans and prices: on a results
page, building those objects cost more than the search query itself. The search's own
statement joins the same columns (`listing_extras_columns`, `LOCATION_COLUMNS`,
`PROVIDER_COLUMNS`), so a results page takes one statement.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any, Generic, TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DEFERRED, JSONField, Model, QuerySet

from finder.medicare_listing import attach_location_medicare, attach_medicare
from finder.raw_sql import fetch_rows, read_connection
from providers import freshness, search_index
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    MedicareAssignment,
    MedicareParticipation,
    PracticeAct,
    PracticeLocation,
    Procedure,
    Provider,
    ProviderPrice,
)
from providers.scope import ActKey, current_practice_acts

CURRENCY = "USD"

# The columns a listing reads (finder/listing.py): a results page loads only these, so the
# fields it does not show cost nothing to send or convert.
LOCATION_LISTING_FIELDS = (
    "id", "provider_id", "address_line1", "address_line2", "city", "state", "zip_code",
    "phone", "latitude", "longitude", "wheelchair_accessible", "evening_hours", "weekend_hours",
)  # fmt: skip
PROVIDER_LISTING_FIELDS = (
    "id", "npi", "first_name", "last_name", "credential", "profession", *SERVICE_FIELDS.values(),
    "spinal_manipulation_endorsed", "accepting_new_patients", "verification_status",
    "last_verified", "verification_source", "is_demo", "languages", "offers_telehealth",
)  # fmt: skip


def attach_listing_extras(providers: Iterable[Provider]) -> None:
    """Sets `listing_plan_slugs`, `listing_prices`, `listing_updated_at` and
    `medicare_assignment` on each provider,
    in one query: the same columns a results page reads with its locations, here for
    providers already loaded."""
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
        return money_from_text(value)
    if not isinstance(value, Decimal):
        value = Decimal(repr(value))
    return f"{value:.2f}"


@lru_cache(maxsize=4096)
def money_from_text(text: str) -> str:
    """`money` of a price as the database writes it ("40.00", "40"): a results page's prices
    repeat, and their text is cheaper to look up than to parse and format again."""
    return f"{Decimal(text):.2f}"


# A provider's plans, prices, last change and Medicare assignment as four columns of a
# results-page statement
# (see finder/search/sql.py), so a page needs no query of its own for them: ids and amounts
# only, the names come from the catalogue. Joining the plan and procedure tables for every row
# cost PostgreSQL a third of a millisecond per 20-row page, half as much as finding the rows.
# Unordered in SQL (SQLite before 3.44 cannot order inside an aggregate): sorted in Python.
# The last change is written by the database in the API's form, UTC to the second (truncated):
# "2026-11-20T10:00:00Z". Loading it as a timezone-aware datetime and formatting it in Python
# cost 6% of a search request's CPU.
# The provider's own Medicare record (not a location's), where it says participating or not:
# finder/medicare_listing.py words it. A query of its own per page cost a third of the
# Medicare figures' CPU on a search request.
MEDICARE_ASSIGNMENT_COLUMN = (
    "(SELECT mp.assignment FROM {participation} mp WHERE mp.provider_id = {provider_id}"
    f" AND mp.location_id IS NULL AND mp.assignment <> '{MedicareAssignment.UNKNOWN}'"
    " ORDER BY mp.id DESC LIMIT 1)"
)
LISTING_EXTRAS_COLUMNS = {
    "postgresql": (
        "(SELECT string_agg(t.insuranceplan_id::text, ',') FROM {through} t"
        " WHERE t.provider_id = {provider_id})",
        "(SELECT string_agg(price.procedure_id::text || ':' || price.cash_price::text, ',')"
        " FROM {prices} price WHERE price.provider_id = {provider_id})",
        "to_char({updated_at} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
        MEDICARE_ASSIGNMENT_COLUMN,
    ),
    "sqlite": (
        "(SELECT group_concat(t.insuranceplan_id, ',') FROM {through} t"
        " WHERE t.provider_id = {provider_id})",
        "(SELECT group_concat(price.procedure_id || ':' || CAST(price.cash_price AS TEXT), ',')"
        " FROM {prices} price WHERE price.provider_id = {provider_id})",
        # Django stores UTC as text here; '%%' as every statement runs with parameters.
        "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {updated_at})",
        MEDICARE_ASSIGNMENT_COLUMN,
    ),
}


def listing_extras_columns(
    vendor: str, provider: str, provider_id: str = "", projected_plans: str = ""
) -> str:
    """Four SELECT-list expressions for the provider table aliased `provider`: its plan ids,
    comma-separated; its prices as comma-separated `procedure id:amount`; when it last
    changed, as the API writes it; and its Medicare assignment where its record gives one.
    `provider_id` is another column holding its id, if one lets the plan and price lookups
    start sooner (default: the provider's own).

    Given `projected_plans`, the column of one of the provider's locations that holds the
    search projection's plan ids (providers/search_index.py), the ids are read from it, and
    from the plans table only for a provider with too many to project: one lookup fewer per
    row of a results page."""
    tables = {
        "through": Provider.insurance_plans.through._meta.db_table,
        "prices": ProviderPrice._meta.db_table,
        "participation": MedicareParticipation._meta.db_table,
        "provider_id": provider_id or f"{provider}.id",
        "updated_at": f"{provider}.updated_at",
    }
    plans, prices, updated, assignment = LISTING_EXTRAS_COLUMNS.get(
        vendor, LISTING_EXTRAS_COLUMNS["sqlite"]
    )
    plans = plans.format(**tables)
    if projected_plans:
        plans = (
            f"CASE WHEN {projected_plans} = '{search_index.MANY_PLANS}' THEN {plans}"
            f" ELSE {projected_plans} END"
        )
    return ", ".join(
        [plans, prices.format(**tables), updated.format(**tables), assignment.format(**tables)]
    )


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
    plan_ids, prices, provider.listing_updated_at, assignment = extras
    provider.medicare_assignment = assignment or MedicareAssignment.UNKNOWN
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
    provider.listing_prices = [
        {"code": code, "label": label, "cash_price": money(amount), "currency": CURRENCY}
        for (code, label), amount in listed
    ]


Converter = tuple[Callable, Any]  # (function, the column expression it is called with)
REMEMBERED_VALUES = 1024


def remembering(convert: Callable) -> Callable:
    """A JSON column's converter that decodes each text once: a page's rows repeat a few
    values (a provider's languages: `["en", "es"]`). Only flat lists are remembered, each row
    getting a copy of its own."""
    remembered: dict[Any, list] = {}

    def converter(value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        found = remembered.get(value)
        if found is not None:
            return list(found)
        decoded = convert(value, expression, connection)
        flat = isinstance(decoded, list) and all(
            isinstance(item, (str, int, float, bool)) for item in decoded
        )
        if flat and isinstance(value, str) and len(remembered) < REMEMBERED_VALUES:
            remembered[value] = list(decoded)
        return decoded

    return converter


ModelT = TypeVar("ModelT", bound=Model)


class ModelColumns(Generic[ModelT]):
    """Some of a model's columns (all by default, always in the model's field order), selected
    from a table alias, and instances built from rows of them with the same conversions the
    ORM applies (SQLite returns booleans as 0/1, datetimes as text)."""

    def __init__(self, model: type[ModelT], alias: str, only: Iterable[str] | None = None) -> None:
        self.model = model
        wanted = None if only is None else set(only)
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if wanted is None or field.attname in wanted
        ]
        unknown = (wanted or set()) - {field.attname for field in self.fields}
        if unknown:
            raise ValueError(f"Not columns of {model.__name__}: {sorted(unknown)}")
        self.names = [field.attname for field in self.fields]
        self.sql = ", ".join(f"{alias}.{field.column}" for field in self.fields)
        self.alias = alias
        self._converters: dict[str, list[tuple[int, list[Converter]]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def converters(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Converter]]]:
        """(column index, converters) for the columns that need any, per database vendor."""
        if connection.vendor not in self._converters:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                # Field.get_db_converters() is public Django API; the stubs declare it only on
                # expressions.
                field_converters = field.get_db_converters(connection)  # type: ignore[attr-defined]
                if isinstance(field, JSONField):
                    field_converters = [remembering(function) for function in field_converters]
                functions = connection.ops.get_db_converters(column) + field_converters
                if functions:
                    found.append((index, [(function, column) for function in functions]))
            self._converters[connection.vendor] = found
        return self._converters[connection.vendor]

    def builder(self, connection: BaseDatabaseWrapper) -> Callable[[Sequence[Any]], ModelT]:
        """A function building, from a row of these columns, an instance as the ORM loads it
        with `.only()` them (`Model.from_db`: the others deferred, read from the database if
        ever accessed). The converters are looked up once for a batch of rows (a results
        page), not per row."""
        model, alias, names = self.model, connection.alias, self.names
        converters = self.converters(connection)
        # from_db takes every concrete field's value in order (DEFERRED for a column not
        # selected), or only the selected ones, which it spreads out itself, asking of every
        # field whether it was selected. Spread here in one C call per row instead.
        position = {name: index for index, name in enumerate(names)}
        spread = itemgetter(
            *(position.get(field.attname, len(names)) for field in model._meta.concrete_fields)
        )

        def build(values: Sequence[Any]) -> ModelT:
            if converters:
                values = list(values)
                for index, functions in converters:
                    for function, column in functions:
                        values[index] = function(values[index], column, connection)
            return model.from_db(alias, names, spread((*values, DEFERRED)))

        return build


LOCATION_COLUMNS = ModelColumns(PracticeLocation, "l", only=LOCATION_LISTING_FIELDS)
PROVIDER_COLUMNS = ModelColumns(Provider, "p", only=PROVIDER_LISTING_FIELDS)
LOCATION_PROVIDER = PracticeLocation._meta.get_field("provider")


def load_locations(ids: list[int]) -> dict[int, PracticeLocation]:
    """Locations with their providers and everything a listing shows, in three queries."""
    if not ids:
        return {}
    connection = read_connection(PracticeLocation)
    extras = listing_extras_columns(connection.vendor, "p", "l.provider_id", "l.search_plans")
    sql = (
        f"SELECT {extras}, {LOCATION_COLUMNS.sql}, {PROVIDER_COLUMNS.sql}"
        f" FROM {PracticeLocation._meta.db_table} l"
        f" JOIN {Provider._meta.db_table} p ON p.id = l.provider_id"
        f" WHERE l.id IN ({', '.join(['%s'] * len(ids))})"
    )
    build = listing_builder(connection, catalogue())
    locations = {}
    for row in fetch_rows(connection, sql, ids):
        location = build(row)
        locations[location.id] = location
    return locations


def listing_builder(
    connection: BaseDatabaseWrapper, names: Catalogue
) -> Callable[[Sequence], PracticeLocation]:
    """A function building, from a row of `listing_extras_columns`, LOCATION_COLUMNS and
    PROVIDER_COLUMNS, a location with its provider and the provider's plans and prices."""
    build_location = LOCATION_COLUMNS.builder(connection)
    build_provider = PROVIDER_COLUMNS.builder(connection)
    split = LISTING_EXTRAS_COUNT + len(LOCATION_COLUMNS)

    def build(row: Sequence) -> PracticeLocation:
        location = build_location(row[LISTING_EXTRAS_COUNT:split])
        provider = build_provider(row[split:])
        # As select_related() attaches a row's related instance (its provider_id is a column
        # already): the descriptor's assignment also asks the database routers, on every row.
        LOCATION_PROVIDER.set_cached_value(location, provider)
        set_listing_extras(provider, row[:LISTING_EXTRAS_COUNT], names)
        return location

    return build


def load_providers(ids: Iterable[int]) -> dict[int, Provider]:
    """Providers with everything a listing shows, in three queries."""
    providers = list(Provider.objects.filter(id__in=list(ids)))
    attach_listing_extras(providers)
    return {provider.id: provider for provider in providers}


def first_location_by_provider(provider_ids: list[int]) -> dict[int, PracticeLocation]:
    first: dict[int, PracticeLocation] = {}
    for location in PracticeLocation.objects.filter(provider_id__in=provider_ids).order_by("id"):
        first.setdefault(location.provider_id, location)
    return first


@dataclass(frozen=True)
class ProviderWithActs:
    """A provider loaded for its detail (finder/listing.py `provider_detail`), and the
    practice acts of its locations' states."""

    provider: Provider
    acts: Mapping[ActKey, PracticeAct]


def load_provider_detail(*, provider_id: int) -> ProviderWithActs | None:
    """A public provider with every location, license, plan and price, for the API's detail
    and the provider page alike; None for an unknown or suspended one."""
    loaded = load_provider_details(Provider.objects.public().filter(id=provider_id))
    if not loaded:
        return None
    provider = loaded[0]
    states = {location.state for location in provider.locations.all()}
    return ProviderWithActs(provider, current_practice_acts(states=states))


def load_provider_details(providers: QuerySet[Provider]) -> list[Provider]:
    """The providers of `providers`, each with every location and license, its plans and
    prices (`attach_listing_extras`) and its Medicare facts, in a fixed number of queries
    whatever their number: what a provider detail shows, for one provider or a batch of an
    export."""
    loaded = list(providers.prefetch_related("locations", "licenses"))
    attach_listing_extras(loaded)
    # The prices' own `medicare` is at the provider's first location, as in search results;
    # each location carries its own amounts too.
    attach_medicare((provider, next(iter(provider.locations.all()), None)) for provider in loaded)
    attach_location_medicare(loaded)
    return loaded
