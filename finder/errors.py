"""Site-wide 404 and 500 handlers: JSON under /api/, OperationOutcomes under /fhir/, friendly
pages everywhere else.

DRF views already answer their own errors in JSON (finder.api.errors); these handlers cover
what never reaches a DRF view: an unknown /api/ path, or a crash outside DRF's handling.
"""

import orjson
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from finder.fhir.errors import operation_outcome
from finder.fhir.profiles import FHIR_MEDIA_TYPE

API_PREFIX = "/api/"
FHIR_PREFIX = "/fhir/"
NOT_FOUND = "Not found."
SERVER_ERROR = "A server error occurred. Please retry later."


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def is_fhir_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(FHIR_PREFIX)


def fhir_outcome(message: str, status: int) -> HttpResponse:
    """The FHIR directory's error body, an OperationOutcome, from outside its views."""
    body = orjson.dumps(operation_outcome(status, [message]))
    return HttpResponse(body, status=status, content_type=FHIR_MEDIA_TYPE)


def api_detail(message: str, status: int) -> JsonResponse:
    """`{"detail": message}` written as DRF's renderer writes it (no spaces), so an error
    from outside a DRF view reads byte for byte like one from inside."""
    return JsonResponse(
        {"detail": message}, status=status, json_dumps_params={"separators": (",", ":")}
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_fhir_request(request):
        return fhir_outcome(NOT_FOUND, 404)
    if is_api_request(request):
        return api_detail(NOT_FOUND, 404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_fhir_request(request):
        return fhir_outcome(SERVER_ERROR, 500)
    if is_api_request(request):
        return api_detail(SERVER_ERROR, 500)
    try:
        return render(request, "500.html", status=500)
    except Exception:
        # A broken template or context processor must not hide the original error page.
        heading, message = (
            _("Server error"),
            _("Something went wrong on our side. Please retry later."),
        )
        return HttpResponse(f"<h1>{heading}</h1><p>{message}</p>", status=500)


# Exempt like the DRF views it stands beside: API clients send no CSRF token, so a POST to a
# mistyped API URL would otherwise get Django's HTML 403 page instead of this JSON 404.
@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The last /api/ route: JSON 404 even with DEBUG on (where handler404 is bypassed).

    It also stands in for CommonMiddleware's APPEND_SLASH, which a catch-all route disables:
    GET and HEAD are redirected to the slashed path; other methods get a 404 naming it, since
    a redirect would drop their body.
    """
    path = request.path_info
    if not path.endswith("/"):
        try:
            match = resolve(f"{path}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            if request.method in ("GET", "HEAD"):
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
            return api_detail(f"Not found. Did you mean {path}/ ?", 404)
    return api_detail(NOT_FOUND, 404)
