"""GET /api/v1/export/providers.ndjson: every public provider, one API detail per line.

For partners who mirror the directory: partner keys only, streamed (finder/exports.py, a batch
of providers at a time, so memory stays flat), gzip when the client accepts it, and
`updated_since` for incremental sync. Each line is exactly the body of
`GET /api/v1/providers/{id}/`.
"""

import re
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_sequence
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from finder.api.search import detail_bodies, provider_url
from finder.api.views import ApiView
from finder.exports import exported_providers, ndjson, provider_batches
from finder.models import PartnerApiKey
from providers.scope import current_practice_acts

NDJSON_MEDIA_TYPE = "application/x-ndjson"
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


NEEDS_KEY = "Exports need a partner key: send 'Authorization: Api-Key <key>'."


class PartnerKeyRequired(BasePermission):
    """Partner keys only: without one, 401 with `WWW-Authenticate: Api-Key` (in the view's
    error shape: the API's `{"detail": ...}`, or an OperationOutcome under /fhir/)."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, PartnerApiKey):
            raise NotAuthenticated(NEEDS_KEY)
        return True


class ExportParamsSerializer(serializers.Serializer):
    updated_since = serializers.DateTimeField(
        required=False, help_text="Only providers changed at or after this ISO 8601 instant."
    )


def streamed(request: Request, chunks: Iterable[bytes], content_type: str) -> StreamingHttpResponse:
    """A streaming response of `chunks`, gzipped when the client accepts it."""
    gzip = bool(ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
    response = StreamingHttpResponse(
        compress_sequence(chunks) if gzip else chunks, content_type=content_type
    )
    if gzip:
        response.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding", "Authorization"])
    response.headers["Cache-Control"] = "private, no-store"
    return response


class ProviderExportApi(ApiView):
    """Every public provider as NDJSON, one provider detail per line."""

    permission_classes = [PartnerKeyRequired]

    @extend_schema(
        operation_id="providers_export",
        summary="Every public provider as NDJSON (partner keys only)",
        tags=["providers"],
        parameters=[ExportParamsSerializer],
        responses={
            (200, NDJSON_MEDIA_TYPE): OpenApiResponse(
                OpenApiTypes.STR,
                description="One provider per line, each the body of "
                "`GET /api/v1/providers/{id}/`; gzip with `Accept-Encoding: gzip`.",
            )
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        params = ExportParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        providers = exported_providers(updated_since=params.validated_data.get("updated_since"))
        return streamed(
            request, provider_lines(providers, provider_url(request)), NDJSON_MEDIA_TYPE
        )


def provider_lines(providers, url_for) -> Iterator[bytes]:
    acts = current_practice_acts()
    for batch in provider_batches(providers):
        yield ndjson(detail_bodies(batch, acts, url_for))
