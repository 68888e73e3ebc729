"""Request hygiene and outage handling, for the API and the pages alike.

`RequestGuardMiddleware` refuses what no view can use before anything parses it: NUL characters
(PostgreSQL cannot store them in text, so they would fail deep inside a query), bodies over
DATA_UPLOAD_MAX_MEMORY_SIZE (DRF's JSON parser does not enforce that limit itself) and more
fields or files than DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES (Django's own answer is an HTML
400, or a 500 with DEBUG on, whose error page reads the fields again).

`DatabaseUnavailableMiddleware` turns a lost database into a 503 with Retry-After: JSON
`{"detail": ...}` under /api/, the friendly 503 page elsewhere. Django opens a fresh connection
for the next request, so service resumes on its own when the database is back.
`server_error` does the same for a database error raised outside a view (handler500).
"""

import json
import logging
import sys
from collections.abc import Awaitable

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.utils.deprecation import MiddlewareMixin
from simple_history.middleware import HistoryRequestMiddleware

from finder import errors

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = "The service is temporarily unavailable. Please retry shortly."
NUL_NOT_ALLOWED = "Requests must not contain NUL characters (\\u0000)."
BODY_TOO_LARGE = "The request body is too large: at most {limit} bytes."
TOO_MANY_FIELDS = "Too many query or form parameters: at most {limit} are accepted."
TOO_MANY_FILES = "Too many uploaded files: at most {limit} are accepted."
UNAVAILABLE_FALLBACK_HTML = (
    "<!doctype html><title>Temporarily unavailable</title><h1>Temporarily unavailable</h1>"
    "<p>JointCare Finder cannot reach its data right now. Please try again in a minute.</p>"
)
OUTAGE_ERRORS = (OperationalError, InterfaceError)

# No request body of this API nests past a handful of levels. The cap leaves DRF's parser,
# which runs deeper in the call stack than this middleware, far from Python's recursion limit.
MAX_JSON_DEPTH = 32
JSON_TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if errors.is_fhir_request(request):
        return errors.fhir_outcome(message, status)
    if errors.is_api_request(request):
        return errors.api_detail(message, status)
    return HttpResponse(
        f"<!doctype html><title>Bad request</title><h1>Bad request</h1><p>{message}</p>",
        status=status,
    )


def _has_nul(values: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


class RequestGuardMiddleware:
    """400 for a NUL character anywhere in the request or too many fields or files, 413 for an
    oversized body."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refusal = self.check(request)
        except TooManyFieldsSent:
            refusal = _refuse(
                request, TOO_MANY_FIELDS.format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS), 400
            )
        except TooManyFilesSent:
            refusal = _refuse(
                request, TOO_MANY_FILES.format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FILES), 400
            )
        return refusal if refusal is not None else self.get_response(request)

    def check(self, request: HttpRequest) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        content_type = request.content_type or ""
        # File uploads (multipart) are bounded by Django per field; uploaded files may be large.
        if limit is not None and not content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return _refuse(request, "Invalid Content-Length header.", 400)
            if length > limit:
                return _refuse(request, BODY_TOO_LARGE.format(limit=limit), 413)
        if "\x00" in request.path_info or _has_nul(request.GET):
            return _refuse(request, NUL_NOT_ALLOWED, 400)
        if any(
            "\x00" in value
            for key, value in request.META.items()
            if key.startswith("HTTP_") and isinstance(value, str)
        ):
            return _refuse(request, NUL_NOT_ALLOWED, 400)
        if request.method in ("POST", "PUT", "PATCH") and request.META.get("CONTENT_LENGTH"):
            if content_type in _FORM_TYPES and _has_nul(request.POST):
                return _refuse(request, NUL_NOT_ALLOWED, 400)
            if content_type == "application/json" or content_type.endswith("+json"):
                problem = _json_problem(request.body)
                if problem is not None:
                    return _refuse(request, problem, 400)
        return None


def _json_problem(body: bytes) -> str | None:
    """NUL in any key or string, or nesting deeper than MAX_JSON_DEPTH.

    Other malformed JSON is left to DRF's parser, which says what is wrong with it.
    """
    try:
        document = json.loads(body)
    except RecursionError:
        return JSON_TOO_DEEP
    except ValueError:
        return None
    pending = [(document, 0)]
    while pending:  # iterative: the document may be nested nearly as deep as the parser allows
        item, depth = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return NUL_NOT_ALLOWED
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                return JSON_TOO_DEEP
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON under /api/, an OperationOutcome under /fhir/, the friendly page
    elsewhere; never cached."""
    if errors.is_fhir_request(request):
        response: HttpResponse = errors.fhir_outcome(DATABASE_UNAVAILABLE, 503)
    elif errors.is_api_request(request):
        response = errors.api_detail(DATABASE_UNAVAILABLE, 503)
    else:
        try:
            response = render(request, "503.html", status=503)
        except Exception:
            # The page itself may need what is down (a context processor, a template tag).
            response = HttpResponse(UNAVAILABLE_FALLBACK_HTML, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is unreachable answers 503, not 500."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OUTAGE_ERRORS):
            return None
        logger.error("Database unavailable while serving %s", request.path, exc_info=exception)
        return database_unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 when a database outage escaped a middleware, else the usual 500."""
    if isinstance(sys.exc_info()[1], OUTAGE_ERRORS):
        return database_unavailable(request)
    return errors.server_error(request)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


class SkipForApi(MiddlewareMixin):
    """Mixin for middleware that only pages and the admin need: API requests go straight past.

    Sessions, logins and messages serve the pages and the admin; the API
    authenticates by key and keeps no session. Under /api/ they would only cost time on every
    request. Subclassing the real middleware keeps Django's and the apps' system checks (which
    look for those classes) satisfied.
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if is_api(request):
            return self.get_response(request)
        return super().__call__(request)


class PagesOnlySession(SkipForApi, SessionMiddleware):
    pass


class PagesOnlyAuthentication(SkipForApi, AuthenticationMiddleware):
    pass


class PagesOnlyMessages(SkipForApi, MessageMiddleware):
    pass


def pages_only_history(get_response):
    """django-simple-history's request middleware (a function), skipped for the API too: it
    records which admin user made an edit, and the API edits nothing."""
    history = HistoryRequestMiddleware(get_response)

    def middleware(request: HttpRequest) -> HttpResponse:
        return get_response(request) if is_api(request) else history(request)

    return middleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp for pages and the API docs; the JSON API gets a fixed deny-all policy.

    JSON is never rendered as a document, so `default-src 'none'; frame-ancestors 'none'` is
    all it needs (OWASP's advice for APIs), and it is a constant, where django-csp would build
    its policy twice on every response.
    """

    API_POLICY = "default-src 'none'; frame-ancestors 'none'"
    JSON_API_PREFIX = "/api/v1/"

    def process_request(self, request: HttpRequest) -> None:
        if not request.path_info.startswith(self.JSON_API_PREFIX):
            super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path_info.startswith(self.JSON_API_PREFIX):
            response.headers.setdefault("Content-Security-Policy", self.API_POLICY)
            return response
        return super().process_response(request, response)
