"""Search and provider detail for partners: thin views over finder.search."""

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import cast

from django.http import Http404
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from finder.api.schema import SEARCH_EXAMPLE, schema_serializer
from finder.api.shapes import ProviderDetail, ProviderSearchResponse, ProviderSummary
from finder.api.views import ApiView
from finder.listing import provider_detail, provider_summary
from finder.listing_queries import load_provider_detail
from finder.medicare_listing import attach_medicare
from finder.plan_evidence import negotiated_rates_by_provider, plans_with_evidence_by_provider
from finder.search import PageOutOfRange, search_providers
from finder.search.cache import cached
from finder.search.params import SearchParamsSerializer, parse_search_query
from providers.models import PracticeAct, Provider
from providers.scope import ActKey


def provider_url(request: Request):
    """A function giving a provider's absolute API URL for this request's host and scheme."""
    path = provider_path_prefix(get_script_prefix(), get_urlconf())
    prefix = request.build_absolute_uri(path)

    def build(provider: Provider) -> str:
        return f"{prefix}{provider.id}/"

    return build


def provider_url_at(base_url: str) -> Callable[[Provider], str]:
    """`provider_url` for a site at `base_url` (e.g. https://jointcare.example.org), outside
    any request: the operators' export command."""
    prefix = base_url.rstrip("/") + provider_path_prefix(get_script_prefix(), get_urlconf())

    def build(provider: Provider) -> str:
        return f"{prefix}{provider.id}/"

    return build


@lru_cache(maxsize=16)
def provider_path_prefix(script_prefix: str, urlconf: str | None) -> str:
    """The detail path up to the id, reversed once rather than for every result or request:
    reverse() walks the URLconf each time, and the path changes only with the script prefix
    (which reverse() reads from the thread, and the key follows) and the URLconf."""
    return reverse("api:provider-detail", args=[0], urlconf=urlconf).removesuffix("0/")


def page_url(request: Request, page: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class ProviderSearchApi(ApiView):
    """Providers near a place (or every provider, for sync), with the contract's filters."""

    @extend_schema(
        operation_id="providers_search",
        summary="Search providers near a place, or list every provider for sync",
        tags=["providers"],
        parameters=[SearchParamsSerializer],
        responses={200: schema_serializer(ProviderSearchResponse)},
        examples=[SEARCH_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        return Response(cached("api", request, lambda: search_body(request)))


def search_body(request: Request) -> ProviderSearchResponse:
    """The search response body; raises ValidationError (400) or Http404 for a bad page."""
    query = parse_search_query(request.query_params.dict())
    origin = query.origin
    try:
        result = search_providers(
            origin=origin,
            filters=query.filters,
            ordering=query.ordering,
            page=query.page,
            page_size=query.page_size,
        )
    except PageOutOfRange as exc:
        raise Http404("Invalid page.") from exc
    url_for = provider_url(request)
    today = timezone.localdate()
    attach_medicare((hit.provider, hit.location) for hit in result.hits)
    # provider_summary() builds plain dicts, shared with the pages; each has the
    # ProviderSummary keys once attach_medicare() above has given every price its `medicare`.
    summaries = cast(
        list[ProviderSummary],
        [provider_summary(hit, result.acts, url_for, today) for hit in result.hits],
    )
    body: ProviderSearchResponse = {
        "count": result.count,
        "next": page_url(request, result.page + 1) if result.has_next else None,
        "previous": page_url(request, result.page - 1) if result.has_previous else None,
        "origin": (
            {
                "lat": round(origin.lat, 4),
                "lng": round(origin.lng, 4),
                "label": origin.label,
                "radius_miles": float(origin.radius_miles),
            }
            if origin
            else None
        ),
        "results": summaries,
    }
    if result.count_capped:
        body["count_capped"] = True
    return body


def detail_bodies(
    providers: list[Provider],
    acts: Mapping[ActKey, PracticeAct],
    url_for: Callable[[Provider], str],
) -> list[ProviderDetail]:
    """The detail bodies of providers loaded by `load_provider_details`, in a fixed number of
    queries: the API's provider detail, and each line of the NDJSON export."""
    ids = [provider.id for provider in providers]
    plans = plans_with_evidence_by_provider(ids)
    rates = negotiated_rates_by_provider(ids)
    bodies = []
    for provider in providers:
        body = provider_detail(provider, acts, url_for)
        body["insurance_plans"] = plans[provider.id]
        body["negotiated_rates"] = rates[provider.id]
        bodies.append(cast(ProviderDetail, body))
    return bodies


class ProviderDetailApi(ApiView):
    """One public provider with every location, licenses, services, plans and prices."""

    @extend_schema(
        operation_id="providers_retrieve",
        summary="One provider with every location, licenses, services, plans and prices",
        tags=["providers"],
        responses={200: schema_serializer(ProviderDetail)},
    )
    def get(self, request: Request, provider_id: int) -> Response:
        loaded = load_provider_detail(provider_id=provider_id)
        if loaded is None:
            raise Http404(f"No provider with id {provider_id}.")
        (body,) = detail_bodies([loaded.provider], loaded.acts, provider_url(request))
        response = Response(body)
        # Shared caches may keep a listing for 5 minutes; the ETag makes revalidation cheap.
        patch_cache_control(response, public=True, max_age=300)
        return response
