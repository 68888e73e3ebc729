"""The /fhir/ endpoint: thin views over finder.fhir's search, resources and bulk export.

They are the partner API's views (finder/api/views.py), so keys, rates and their headers
work the same way; only the body differs: FHIR JSON as `application/fhir+json`, whatever the
Accept header asks (there is one format), and every error an OperationOutcome.
"""

from typing import Any

import orjson
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from finder.api.export import PartnerKeyRequired, streamed
from finder.api.views import ApiView
from finder.errors import fhir_outcome
from finder.exports import json_default
from finder.fhir import bulk, resources
from finder.fhir.bundle import searchset
from finder.fhir.capability import capability_statement
from finder.fhir.errors import FhirError, operation_outcome
from finder.fhir.params import FhirQuery, parse_query
from finder.fhir.profiles import FHIR_MEDIA_TYPE, FHIR_NDJSON_MEDIA_TYPE, RESOURCE_TYPES
from finder.fhir.search import search
from finder.models import PartnerApiKey

RETRY_AFTER_SECONDS = "30"


class FhirJsonRenderer(BaseRenderer):
    media_type = FHIR_MEDIA_TYPE
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=json_default)


class OneFormat(BaseContentNegotiation):
    """FHIR JSON whatever the Accept header says: a client asking for `application/json` or
    `*/*` gets it, rather than a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def outcome_response(status: int, messages: list[str], code: str = "", **headers: str) -> Response:
    return Response(operation_outcome(status, messages, code), status=status, headers=headers)


def fhir_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as an OperationOutcome with its status (the API's handler writes
    `{"detail": ...}` for the same cases)."""
    if isinstance(exc, FhirError):
        return outcome_response(exc.status, exc.messages, exc.code)
    if isinstance(exc, Http404):
        return outcome_response(404, [str(exc) or "Not found."], "not-found")
    if isinstance(exc, exceptions.Throttled):
        # Throttled.wait is set in its __init__; the stubs do not declare it.
        wait = str(int(getattr(exc, "wait", None) or 1))
        return outcome_response(429, [str(exc.detail)], "throttled", **{"Retry-After": wait})
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = "Api-Key"
        return outcome_response(exc.status_code, [str(exc.detail)], **headers)
    if isinstance(exc, DatabaseError):
        return outcome_response(
            503,
            ["The service is temporarily unavailable. Please retry shortly."],
            **{"Retry-After": RETRY_AFTER_SECONDS},
        )
    return None


class FhirView(ApiView):
    renderer_classes = [FhirJsonRenderer]
    content_negotiation_class = OneFormat
    # Described by its CapabilityStatement (/fhir/metadata), not the JSON API's OpenAPI schema.
    schema = None

    def get_exception_handler(self):
        return fhir_exception_handler


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:guide"))


def known_type(resource_type: str) -> str:
    if resource_type not in RESOURCE_TYPES:
        raise FhirError(
            404,
            f"Unknown resource type '{resource_type}'. Served: {', '.join(RESOURCE_TYPES)}.",
            code="not-supported",
        )
    return resource_type


class FhirMetadataApi(FhirView):
    def get(self, request: Request) -> Response:
        return Response(capability_statement(base_url(request)))


class FhirSearchApi(FhirView):
    def get(self, request: Request, resource_type: str) -> Response:
        query = parse_query(known_type(resource_type), request.query_params)
        page = search(query, resources.load_directory())
        return Response(searchset(request, base_url(request), query, page))


class FhirReadApi(FhirView):
    def get(self, request: Request, resource_type: str, resource_id: str) -> Response:
        known_type(resource_type)
        if any(name != "_format" for name in request.query_params):
            raise FhirError(400, "A read takes no parameters; search with _id instead.")
        query = FhirQuery(resource_type=resource_type, ids=(resource_id,), count=1)
        page = search(query, resources.load_directory())
        if not page.resources:
            raise FhirError(404, f"No {resource_type} with id '{resource_id}'.")
        return Response(page.resources[0])


class FhirExportApi(FhirView):
    """The Bulk Data kick-off: 202 with the status URL in Content-Location."""

    permission_classes = [PartnerKeyRequired]

    def get(self, request: Request) -> Response:
        prefix = partner_prefix(request)
        if "respond-async" not in request.headers.get("Prefer", ""):
            raise FhirError(400, "Send 'Prefer: respond-async' to start a Bulk Data export.")
        job = bulk.read_kick_off(
            request.query_params,
            key_prefix=prefix,
            now=timezone.now(),
            request_url=request.build_absolute_uri(),
        )
        status_url = request.build_absolute_uri(
            reverse("fhir:export-status", args=[bulk.status_token(job)])
        )
        return Response(status=202, headers={"Content-Location": status_url})


class FhirExportStatusApi(FhirView):
    """The manifest, complete at once: each file is written as it is downloaded."""

    permission_classes = [PartnerKeyRequired]

    def get(self, request: Request, token: str) -> HttpResponse:
        job = bulk.read_status_token(token, key_prefix=partner_prefix(request))

        def file_url(resource_type: str) -> str:
            path = reverse("fhir:export-file", args=[token, resource_type])
            return request.build_absolute_uri(path)

        body = orjson.dumps(bulk.manifest(job, file_url))
        response = HttpResponse(body, content_type="application/json")
        response.headers["Expires"] = "0"
        response.headers["Cache-Control"] = "private, no-store"
        return response

    def delete(self, request: Request, token: str) -> Response:
        bulk.read_status_token(token, key_prefix=partner_prefix(request))
        return Response(status=202)  # nothing runs in the background: nothing to cancel


class FhirExportFileApi(FhirView):
    permission_classes = [PartnerKeyRequired]

    def get(self, request: Request, token: str, resource_type: str) -> StreamingHttpResponse:
        job = bulk.read_status_token(token, key_prefix=partner_prefix(request))
        if resource_type not in job.types:
            raise FhirError(404, f"This export has no {resource_type} file.")
        lines = bulk.resource_lines(resource_type, since=job.since, until=job.transaction_time)
        return streamed(request, lines, FHIR_NDJSON_MEDIA_TYPE)


def partner_prefix(request: Request) -> str:
    """The prefix of the partner key a request came with (PartnerKeyRequired let it in)."""
    assert isinstance(request.auth, PartnerApiKey)
    return request.auth.prefix


@csrf_exempt
def fhir_not_found(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """The last /fhir/ route: an OperationOutcome 404 for any other path."""
    return fhir_outcome(f"Nothing at {request.path}.", 404)
