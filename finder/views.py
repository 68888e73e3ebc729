from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from finder.health import database_is_available


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    if database_is_available():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
