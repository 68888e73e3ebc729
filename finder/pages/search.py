"""Patient pages: search results and a provider's page."""

from collections.abc import Callable, Mapping
from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from finder.access import with_access_words
from finder.listing import SearchHit, provider_detail, provider_summary
from finder.listing_queries import load_provider_detail
from finder.medicare_listing import attach_medicare, medicare_words
from finder.pages.listing_words import price_line, scope_badges
from finder.pages.search_summary import (
    RESULTS_ANCHOR,
    SearchSummary,
    results_url,
    search_summary,
)
from finder.plan_evidence import plans_for_patients
from finder.search import (
    DEFAULT_RADIUS_MILES,
    PageOutOfRange,
    SearchFilters,
    SearchResult,
    search_providers,
)
from finder.search.cache import cache_anonymous_search_page
from finder.search.params import PARAMETER_FIELDS, SearchQuery, UnknownPlace, parse_search_query
from finder.verification_words import day_text, verification_words
from providers.accounts.forms import ListingReportForm
from providers.languages import LANGUAGE_CHOICES, language_name, language_names
from providers.models import InsurancePlan, PracticeAct, Profession, Provider, Service
from providers.scope import ActKey
from providers.taxonomy import credential_words, specialty_labels

RADIUS_CHOICES = [5, 10, 25, 50, 100]
# A patient's search needs a place. Without one the API lists every provider by name (the
# partners' sync list): no use to a patient, and a scan of the whole country per page.
PLACE_FIELDS = {"near", "lat", "lng"}
PLACE_NEEDED = gettext_lazy("Enter a ZIP code, city or address, or use your location.")
# The fields folded under "More filters and sorting" (templates/finder/search.html): open
# whenever one of them is in use, so a patient always sees what narrowed the results.
FOLDED_FIELDS = (
    "service", "insurance", "max_price", "ordering", "accepting_new_patients", "language",
    "telehealth", "accessible", "medicare_assignment",
)  # fmt: skip


def page_provider_url(provider: Provider) -> str:
    return reverse("finder:provider", args=[provider.id])


def provider_url_from_results(request: HttpRequest) -> Callable[[Provider], str]:
    """Provider links that carry this search along, for the provider page's "Back to results"."""
    carried = urlencode({"search": request.GET.urlencode()})
    return lambda provider: f"{page_provider_url(provider)}?{carried}"


def map_marker(
    name: str, url: str, location: dict | None, details: tuple[str, ...] = ()
) -> dict | None:
    """One pin for static/js/map.js; a location without coordinates gets none. `details` are
    extra lines for its popup (distance, price)."""
    if location is None or location["lat"] is None or location["lng"] is None:
        return None
    address = (
        f"{location['address']}, {location['city']}, {location['state']} {location['zip_code']}"
    )
    return {
        "lat": location["lat"],
        "lng": location["lng"],
        "name": name,
        "url": url,
        "address": address,
        "details": [line for line in details if line],
    }


def result_pin(item: dict) -> dict | None:
    """A search result's pin: its popup says how far away it is and its card's price line."""
    distance = item["distance_miles"]
    return map_marker(
        item["name"],
        item["url"],
        item["location"],
        (
            "" if distance is None else f"{distance:g} miles away",
            item["price_line"]["text"] if item["price_line"] else "",
        ),
    )


@cache_anonymous_search_page
def search_page(request: HttpRequest) -> HttpResponse:
    plans = list(InsurancePlan.objects.order_by("name"))
    context = {
        "query": request.GET,
        "radius_choices": RADIUS_CHOICES,
        "default_radius": int(DEFAULT_RADIUS_MILES),
        "professions": Profession.choices,
        "services": Service.choices,
        "plans": plans,
        "languages": LANGUAGE_CHOICES,
        "searched": bool(request.GET),
        "filters_open": any(request.GET.get(name, "").strip() for name in FOLDED_FIELDS),
        "results_anchor": RESULTS_ANCHOR,
    }
    if request.GET:
        # The form sends every field; a blank one ("Any", an empty price) means "not given".
        given = {key: value for key, value in request.GET.dict().items() if value.strip()}
        if not PLACE_FIELDS & given.keys():
            if not PARAMETER_FIELDS.keys() & given.keys():  # a link with only its own parameters
                context["searched"] = False
                return render(request, "finder/search.html", context)
            context["errors"] = {"near": [PLACE_NEEDED]}
            return render(request, "finder/search.html", context, status=400)
        try:
            query = parse_search_query(given)
        except ValidationError as exc:
            context["errors"] = exc.detail
            if isinstance(exc, UnknownPlace):
                context["near_choices"] = place_choices(request, exc.places)
            return render(request, "finder/search.html", context, status=400)
        try:
            result = search_providers(
                origin=query.origin,
                filters=query.filters,
                ordering=query.ordering,
                page=query.page,
                page_size=query.page_size,
            )
        except PageOutOfRange:
            context["errors"] = {"page": [_("That page is past the last result.")]}
            return render(request, "finder/search.html", context, status=400)
        plan_names = {plan.slug: plan.name for plan in plans}
        attach_medicare((hit.provider, hit.location) for hit in result.hits)
        url_for = provider_url_from_results(request)
        today = timezone.localdate()
        results = [
            result_card(hit, result.acts, plan_names, query.filters, url_for, today)
            for hit in result.hits
        ]
        markers = [result_pin(item) for item in results]
        origin_label = (
            None
            if query.origin is None
            else _("your location")
            if query.by_coordinates
            else query.origin.label
        )
        context.update(
            origin=query.origin,
            # "Use my location" sends coordinates; patients read "your location", not degrees.
            origin_label=origin_label,
            summary=summary_for(query, result, origin_label or "", plan_names),
            result=result,
            results=results,
            map_markers=[marker for marker in markers if marker],
            next_query=page_query(request, result.page + 1) if result.has_next else None,
            previous_query=page_query(request, result.page - 1) if result.has_previous else None,
        )
    return render(request, "finder/search.html", context)


def summary_for(
    query: SearchQuery, result: SearchResult, place: str, plan_names: dict[str, str]
) -> SearchSummary:
    filters = query.filters
    return search_summary(
        count=result.count,
        count_capped=result.count_capped,
        radius_miles=query.origin.radius_miles if query.origin else 0,
        place=place,
        profession=filters.profession,
        service=filters.service,
        plan_name=plan_names.get(filters.insurance or ""),
        accepting_new_patients=filters.accepting_new_patients,
        max_price=filters.max_price,
        ordering=query.ordering,
        medicare_assignment=filters.medicare_assignment,
        language_name=language_name(filters.language) if filters.language else None,
        telehealth=filters.telehealth,
        accessible=filters.accessible,
    )


def result_card(
    hit: SearchHit,
    acts: Mapping[ActKey, PracticeAct],
    plan_names: dict[str, str],
    filters: SearchFilters,
    url_for: Callable[[Provider], str] = page_provider_url,
    today: date | None = None,
) -> dict:
    """A search result as its card shows it: in words, with the state's rule for each service
    the provider offers, its price for the service searched in one line, and its "Estimate my
    cost" query carrying the plan searched."""
    card = for_patients(provider_summary(hit, acts, url_for, today), plan_names)
    state = hit.location.state if hit.location is not None else None
    estimate = {"provider": hit.provider.id, "plan": filters.insurance}
    return {
        **card,
        "scope_badges": scope_badges(hit.provider, state, acts),
        "price_line": price_line(card, filters.service),
        "estimate_query": urlencode({key: value for key, value in estimate.items() if value}),
    }


def for_patients(listing: dict, plan_names: dict[str, str]) -> dict:
    """A listing with the words the pages show for the API's codes: service names ("Spinal
    thrust manipulation"), plan names ("Aetna PPO" for `aetna-ppo`, sorted), language names
    and each location's access features."""
    with_medicare = medicare_words(listing)
    words = {
        **with_medicare,
        # Procedure labels are reference data, in the catalogue whole (finder/reference_text.py).
        "prices": [{**price, "label": _(price["label"])} for price in with_medicare["prices"]],
        "verification_words": verification_words(listing["verification"], timezone.localdate()),
        "service_labels": [Service(s).label for s in listing["services"]],
        "plan_names": sorted(plan_names.get(slug, slug) for slug in listing["insurance_plans"]),
        "language_names": language_names(listing["languages"]),
    }
    if with_medicare.get("location"):
        words["location"] = with_access_words(with_medicare["location"])
    if "locations" in with_medicare:
        words["locations"] = [with_access_words(loc) for loc in with_medicare["locations"]]
    return words


def place_choices(request: HttpRequest, places: list[str]) -> list[tuple[str, str]]:
    """Each place suggested for place text that gave none, with the query that searches there,
    the patient's other choices kept."""
    return [
        (label, query_with(request, near=label, lat=None, lng=None, page=None)) for label in places
    ]


def page_query(request: HttpRequest, page: int) -> str:
    return f"{query_with(request, page=str(page))}#{RESULTS_ANCHOR}"


def query_with(request: HttpRequest, **changes: str | None) -> str:
    """This request's query string with `changes` made (None removes a parameter)."""
    params = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return params.urlencode()


def provider_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    loaded = load_provider_detail(provider_id=provider_id)
    if loaded is None:
        raise Http404("No such provider.")
    provider, acts = loaded.provider, loaded.acts
    plan_names = dict(InsurancePlan.objects.values_list("slug", "name"))
    detail = for_patients(provider_detail(provider, acts, page_provider_url), plan_names)
    for location in detail["locations"]:
        location["scope_badges"] = scope_badges(provider, location["state"], acts)
    markers = [map_marker(detail["name"], "", location) for location in detail["locations"]]
    plans = plans_for_patients(provider)
    edited = parse_datetime(detail["provider_updated_at"] or "")
    context = {
        "provider": detail,
        "results_url": results_url(request.GET.get("search", "")),
        "credentials": credential_words(provider.credential),
        "specialties": specialty_labels(provider.specialty_codes),
        "canonical_url": request.build_absolute_uri(page_provider_url(provider)),
        "provider_updated_on": day_text(timezone.localdate(edited)) if edited else "",
        "report_form": ListingReportForm(),
        "map_markers": [marker for marker in markers if marker],
        "acts": [
            {"act": acts[key], "badges": scope_badges(provider, key[0], acts, in_state=False)}
            for key in sorted(acts)
            if key[1] == provider.profession
        ],
        "plans": plans,
        "shows_plan_rates": any(plan["rates"] for plan in plans),
    }
    return render(request, "finder/provider.html", context)
