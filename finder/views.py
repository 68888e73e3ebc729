from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from finder.health import database_is_available


# Probes send no CSRF token: any other method gets a plain 405, not the CSRF failure page.
@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    if database_is_available():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Browsers and crawlers ask for /favicon.ico whatever the page links; the file itself is a
    # static file, fingerprinted and cached like the others.
    return HttpResponsePermanentRedirect(static("favicon.ico"))
