"""The cost estimate page and its printable Good Faith Estimate; nothing here is stored.

The estimate form is sent by GET (shareable, nothing kept). The Good Faith Estimate carries a
patient's name and birth date, so it is sent by POST with CSRF and rendered straight away:
never saved, logged or put in a URL. Both pages are marked ``Cache-Control: no-store``.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from finder import costs
from finder.forms import EstimateForm, GoodFaithEstimateForm
from finder.good_faith_estimate import good_faith_estimate


@never_cache
@require_GET
def estimate_page(request: HttpRequest) -> HttpResponse:
    form = EstimateForm.from_query(request.GET)
    result = gfe_form = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = costs.estimate_visits(
            provider=data["provider"],
            procedures=data["procedures"],
            visits=data["visits"],
            coverage=data["coverage"],
        )
        if result.offers_good_faith_estimate:
            gfe_form = GoodFaithEstimateForm.for_estimate(result)
    context = {"form": form, "result": result, "gfe_form": gfe_form}
    # Bad input re-shows the form with its field errors, as a 400; a link to a provider that
    # is not listed still offers typical prices, under a 404 that says so.
    status = 400 if form.is_bound and form.errors else 404 if form.provider_not_found else 200
    return render(request, "finder/estimate.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def good_faith_estimate_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # the estimate is only made from the form's POST
        return redirect("finder:estimate")
    form = GoodFaithEstimateForm(request.POST)
    if not form.is_valid():
        return render(request, "finder/good_faith_estimate.html", {"form": form}, status=400)
    data = form.cleaned_data
    estimate = good_faith_estimate(
        provider=data["provider"], procedures=data["procedures"], visits=data["visits"]
    )
    context = {
        "gfe": estimate,
        "patient_name": data["patient_name"],
        "date_of_birth": data["date_of_birth"],
        "scheduled_date": data["scheduled_date"],
    }
    return render(request, "finder/good_faith_estimate.html", context)
