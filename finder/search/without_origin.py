"""Searches without an origin (the partners' sync list), and the orders other than distance."""

from django.db.models import Exists, F, OuterRef, QuerySet

from finder.listing import SearchHit
from finder.listing_queries import first_location_by_provider, load_providers
from finder.search.filters import in_scope_locations, with_entry_price
from finder.search.types import Ordering, PageOutOfRange, SearchFilters, SearchResult
from providers.models import PracticeLocation, Provider


def order_ids(provider_ids: list[int], ordering: str, service: str | None = None) -> list[int]:
    """`provider_ids` by entry-level price for `service` (none last) or by name, ties by id."""
    rows: QuerySet[Provider] = Provider.objects.filter(id__in=provider_ids)
    if ordering == Ordering.PRICE:
        rows = with_entry_price(rows, service).order_by(F("entry_price").asc(nulls_last=True), "id")
    else:
        rows = rows.order_by("last_name", "first_name", "id")
    return list(rows.values_list("id", flat=True))


def list_without_origin(
    providers: QuerySet[Provider],
    filters: SearchFilters,
    acts,
    ordering: str | None,
    page: int,
    page_size: int,
) -> SearchResult:
    """A page of `providers` (those with a location where the service is in scope, given a
    service) by name or price, each at its first location."""
    providers = (
        providers.filter(
            Exists(
                PracticeLocation.objects.filter(
                    in_scope_locations(filters, acts), provider=OuterRef("pk")
                )
            )
        )
        if filters.service
        else providers
    )
    if ordering == Ordering.PRICE:
        providers = with_entry_price(providers, filters.service).order_by(
            F("entry_price").asc(nulls_last=True), "id"
        )
    else:
        providers = providers.order_by("last_name", "first_name", "id")
    count = providers.count()
    start = (page - 1) * page_size
    if page > 1 and start >= count:
        raise PageOutOfRange(page)
    page_ids = list(providers.values_list("id", flat=True)[start : start + page_size])
    loaded = load_providers(page_ids)
    first_locations = first_location_by_provider(page_ids)
    hits = [
        SearchHit(provider=loaded[pid], location=first_locations.get(pid), distance_miles=None)
        for pid in page_ids
    ]
    return SearchResult(count, False, hits, page, page_size, acts)
