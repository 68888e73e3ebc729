"""One error contract for the API: `{"field": ["message", ...]}` or `{"detail": "..."}`, and 503
when the database is down."""

import logging
from collections.abc import Iterator

from django.db import DatabaseError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = "The service is temporarily unavailable. Please retry shortly."


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is not None:
        if isinstance(exc, ValidationError) and isinstance(response.data, dict):
            response.data = flat_field_errors(response.data)
        return response
    if isinstance(exc, DatabaseError):
        logger.error("Database error while serving the API", exc_info=exc)
        return Response(
            {"detail": DATABASE_UNAVAILABLE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "30"},
        )
    return None


def flat_field_errors(errors: dict) -> dict[str, list[str]]:
    """The contract's `{"field": ["message", ...]}` for any input, nested included.

    DRF nests the errors of nested input (`{"coverage": {"plan": [...]}}`, list items by
    index); partners read a list of messages under each top-level field, so a nested message
    stays under its field and names its place: `"coverage.plan: Unknown insurance plan 'x'."`,
    `"procedures[0].code: Unknown procedure code '99999'."`.
    """
    return {field: list(_messages(value, field, top=True)) for field, value in errors.items()}


def _messages(value: object, path: str, *, top: bool = False) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            key = str(key)
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                inner_path = path
            elif key.isdigit():
                inner_path = f"{path}[{key}]"
            else:
                inner_path = f"{path}.{key}"
            yield from _messages(inner, inner_path)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            if isinstance(inner, dict | list):
                yield from _messages(inner, f"{path}[{index}]")
            else:
                yield from _messages(inner, path, top=top)
    else:
        yield str(value) if top else f"{path}: {value}"
