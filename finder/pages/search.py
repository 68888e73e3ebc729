"""Patient pages: search results and a provider's page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError

from finder.listing import provider_detail, provider_summary
from finder.listing_queries import load_provider_detail
from finder.medicare_listing import attach_medicare, medicare_words
from finder.plan_evidence import plans_for_patients
from finder.search import DEFAULT_RADIUS_MILES, PageOutOfRange, search_providers
from finder.search.cache import cache_anonymous_search_page
from finder.search.params import PARAMETER_FIELDS, UnknownPlace, parse_search_query
from finder.verification_words import day_text, verification_words
from providers.accounts.forms import ListingReportForm
from providers.models import InsurancePlan, Profession, Provider, Service

RADIUS_CHOICES = [5, 10, 25, 50, 100]
# A patient's search needs a place. Without one the API lists every provider by name (the
# partners' sync list): no use to a patient, and a scan of the whole country per page.
PLACE_FIELDS = {"near", "lat", "lng"}
PLACE_NEEDED = "Enter a ZIP code, city or address, or use your location."
# The fields folded under "More filters and sorting" (templates/finder/search.html): open
# whenever one of them is in use, so a patient always sees what narrowed the results.
FOLDED_FIELDS = (
    "service", "insurance", "max_price", "ordering", "accepting_new_patients",
    "medicare_assignment",
)  # fmt: skip


def page_provider_url(provider: Provider) -> str:
    return reverse("finder:provider", args=[provider.id])


def map_marker(name: str, url: str, location: dict | None) -> dict | None:
    """One pin for static/js/map.js; a location without coordinates gets none."""
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
    }


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
        "searched": bool(request.GET),
        "filters_open": any(request.GET.get(name, "").strip() for name in FOLDED_FIELDS),
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
            context["errors"] = {"page": ["That page is past the last result."]}
            return render(request, "finder/search.html", context, status=400)
        plan_names = {plan.slug: plan.name for plan in plans}
        attach_medicare((hit.provider, hit.location) for hit in result.hits)
        results = [
            for_patients(provider_summary(h, result.acts, page_provider_url), plan_names)
            for h in result.hits
        ]
        markers = [map_marker(item["name"], item["url"], item["location"]) for item in results]
        context.update(
            origin=query.origin,
            # "Use my location" sends coordinates; patients read "your location", not degrees.
            origin_label=(
                None
                if query.origin is None
                else "your location"
                if query.by_coordinates
                else query.origin.label
            ),
            result=result,
            results=results,
            map_markers=[marker for marker in markers if marker],
            next_query=page_query(request, result.page + 1) if result.has_next else None,
            previous_query=page_query(request, result.page - 1) if result.has_previous else None,
        )
    return render(request, "finder/search.html", context)


def for_patients(listing: dict, plan_names: dict[str, str]) -> dict:
    """A listing with the words the pages show for the API's codes: service names ("Spinal
    thrust manipulation") and plan names ("Aetna PPO" for `aetna-ppo`), sorted."""
    return {
        **medicare_words(listing),
        "verification_words": verification_words(listing["verification"], timezone.localdate()),
        "service_labels": [Service(s).label for s in listing["services"]],
        "plan_names": sorted(plan_names.get(slug, slug) for slug in listing["insurance_plans"]),
    }


def place_choices(request: HttpRequest, places: list[str]) -> list[tuple[str, str]]:
    """Each place suggested for place text that gave none, with the query that searches there,
    the patient's other choices kept."""
    return [
        (label, query_with(request, near=label, lat=None, lng=None, page=None)) for label in places
    ]


def page_query(request: HttpRequest, page: int) -> str:
    return query_with(request, page=str(page))


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
    markers = [map_marker(detail["name"], "", location) for location in detail["locations"]]
    plans = plans_for_patients(provider)
    edited = parse_datetime(detail["provider_updated_at"] or "")
    context = {
        "provider": detail,
        "provider_updated_on": day_text(timezone.localdate(edited)) if edited else "",
        "report_form": ListingReportForm(),
        "map_markers": [marker for marker in markers if marker],
        "acts": [acts[key] for key in sorted(acts) if key[1] == provider.profession],
        "plans": plans,
        "shows_plan_rates": any(plan["rates"] for plan in plans),
    }
    return render(request, "finder/provider.html", context)
