"""Patient pages: search results and a provider's page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from finder.listing import provider_detail, provider_summary
from finder.search import DEFAULT_RADIUS_MILES, PageOutOfRange, search_providers
from finder.search_params import SearchParamsSerializer
from providers.models import InsurancePlan, Profession, Provider, Service, VerificationStatus
from providers.scope import current_practice_acts

RADIUS_CHOICES = [5, 10, 25, 50, 100]


def page_provider_url(provider: Provider) -> str:
    return reverse("finder:provider", args=[provider.id])


def search_page(request: HttpRequest) -> HttpResponse:
    context = {
        "query": request.GET,
        "radius_choices": RADIUS_CHOICES,
        "default_radius": int(DEFAULT_RADIUS_MILES),
        "professions": Profession.choices,
        "services": Service.choices,
        "plans": InsurancePlan.objects.order_by("name"),
        "searched": bool(request.GET),
    }
    if request.GET:
        params = SearchParamsSerializer(data=request.GET.dict())
        if not params.is_valid():
            context["errors"] = params.errors
            return render(request, "finder/search.html", context, status=400)
        data = params.validated_data
        try:
            result = search_providers(
                origin=data["origin"],
                filters=params.filters(),
                ordering=data.get("ordering"),
                page=data["page"],
                page_size=data["page_size"],
            )
        except PageOutOfRange:
            context["errors"] = {"page": ["That page is past the last result."]}
            return render(request, "finder/search.html", context, status=400)
        context.update(
            origin=data["origin"],
            result=result,
            results=[provider_summary(h, result.acts, page_provider_url) for h in result.hits],
            next_query=page_query(request, result.page + 1) if result.has_next else None,
            previous_query=page_query(request, result.page - 1) if result.has_previous else None,
        )
    return render(request, "finder/search.html", context)


def page_query(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return params.urlencode()


def provider_page(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = (
        Provider.objects.exclude(verification_status=VerificationStatus.SUSPENDED)
        .prefetch_related("locations", "licenses", "insurance_plans", "prices__procedure")
        .filter(id=provider_id)
        .first()
    )
    if provider is None:
        raise Http404("No such provider.")
    states = {location.state for location in provider.locations.all()}
    acts = current_practice_acts(states=states)
    context = {
        "provider": provider_detail(provider, acts, page_provider_url),
        "acts": [acts[key] for key in sorted(acts) if key[1] == provider.profession],
        "plan_names": sorted(plan.name for plan in provider.insurance_plans.all()),
    }
    return render(request, "finder/provider.html", context)
