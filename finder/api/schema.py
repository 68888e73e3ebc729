"""OpenAPI schema support (drf-spectacular): the Api-Key scheme, the response bodies'
schema from their declarations in finder.api.shapes, examples, and the error responses every
operation shares.

Imported from config/urls.py so the extensions are registered before any schema is built.
"""

from functools import cache
from types import UnionType
from typing import (
    Annotated,
    Any,
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

from django.db.models import Choices
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from finder.api.auth import KEYWORD
from finder.api.shapes import Help, ProviderSearchResponse

SCHEME_NAME = "ApiKeyAuth"


class PartnerApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "finder.api.auth.PartnerApiKeyAuthentication"
    name = SCHEME_NAME

    def get_security_definition(self, auto_schema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"Partner key, sent as `Authorization: {KEYWORD} <key>`. In the Authorize box "
                f"here, enter `{KEYWORD} <key>` (for example `{KEYWORD} AbCd1234.s3cr3t...`) or "
                "the key alone: a bare key is accepted too. Optional: without it a call is "
                "anonymous (lower per-IP rate). An unknown, revoked or expired key is 401, "
                "never anonymous."
            ),
        }


# --- Response bodies -------------------------------------------------------------------------


@cache
def schema_serializer(shape: type) -> type[serializers.Serializer]:
    """The serializer drf-spectacular documents for a body declared in finder.api.shapes.

    Its component takes the TypedDict's name and docstring. For the schema only: the views
    build the dicts themselves. Made once per shape, so that every operation refers to the
    same component."""
    required: frozenset[str] = shape.__required_keys__  # type: ignore[attr-defined]
    fields = {
        name: schema_field(hint, required=name in required)
        for name, hint in get_type_hints(shape, include_extras=True).items()
    }
    return type(
        f"{shape.__name__}Serializer",
        (serializers.Serializer,),
        {"__doc__": shape.__doc__, "__module__": __name__, **fields},
    )


def schema_field(hint: Any, **options: Any) -> serializers.Field:
    """The DRF field that documents a value of type `hint` (see finder.api.shapes)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (NotRequired, Required):  # requiredness comes from the TypedDict's keys
        return schema_field(args[0], **options)
    if origin is Annotated:
        value, *notes = args
        kinds = []
        for note in notes:
            if isinstance(note, Help):
                options["help_text"] = note.text
            else:
                kinds.append(note)
        if not kinds:
            return schema_field(value, **options)
        (kind,) = kinds  # a DRF field class, or the TextChoices of an enum
        if isinstance(kind, type) and issubclass(kind, Choices):
            return serializers.ChoiceField(choices=kind.choices, **options)
        return kind(**options)
    if origin in (Union, UnionType):
        (value,) = [arg for arg in args if arg is not type(None)]
        return schema_field(value, allow_null=True, **options)
    if origin is list:
        (item,) = args
        if is_typeddict(item):
            return schema_serializer(item)(many=True, **options)
        return serializers.ListField(child=schema_field(item), **options)
    if is_typeddict(hint):
        return schema_serializer(hint)(**options)
    return BASIC_FIELDS[hint](**options)


BASIC_FIELDS: dict[type, type[serializers.Field]] = {
    bool: serializers.BooleanField,
    int: serializers.IntegerField,
    float: serializers.FloatField,
    str: serializers.CharField,
}


# --- Examples --------------------------------------------------------------------------------

SEARCH_EXAMPLE_BODY: ProviderSearchResponse = {
    "count": 1,
    "next": None,
    "previous": None,
    "origin": {
        "lat": 30.2713,
        "lng": -97.7426,
        "label": "Austin, TX 78701",
        "radius_miles": 25.0,
    },
    "results": [
        {
            "id": 17,
            "npi": "1234567893",
            "name": "Jane Doe, DC",
            "profession": "chiropractor",
            "accepting_new_patients": True,
            "distance_miles": 1.42,
            "location": {
                "id": 31,
                "address": "100 Congress Ave",
                "city": "Austin",
                "state": "TX",
                "zip_code": "78701",
                "lat": 30.2651,
                "lng": -97.7441,
                "phone": "512-555-0100",
                "wheelchair_accessible": True,
                "evening_hours": True,
                "weekend_hours": None,
            },
            "services": ["spinal_manipulation", "mobilization"],
            "languages": ["en", "es"],
            "telehealth": False,
            "scope": {"state": "TX", "spinal_manipulation": "allowed", "note": ""},
            "insurance_plans": ["aetna-ppo", "medicare"],
            "prices": [
                {
                    "code": "98940",
                    "label": "Spinal manipulation, 1-2 regions",
                    "cash_price": "40.00",
                    "currency": "USD",
                    "medicare": {
                        "amount": "26.95",
                        "locality": "Austin, TX",
                        "year": 2026,
                        "source": "locality",
                    },
                }
            ],
            "medicare_assignment": "participating",
            "verification_status": "verified",
            "verification": {
                "status": "verified",
                "source": "provider",
                "last_verified": "2026-11-03",
                "stale": False,
            },
            "is_demo": False,
            "updated_at": "2026-11-20T10:00:00Z",
            "url": "https://jointcare.example.org/api/v1/providers/17/",
        }
    ],
}
SEARCH_EXAMPLE = OpenApiExample(
    "Chiropractors near Austin", response_only=True, value=SEARCH_EXAMPLE_BODY
)

ESTIMATE_REQUEST_EXAMPLE = OpenApiExample(
    "Six visits with a PPO plan",
    request_only=True,
    value={
        "provider_id": 17,
        "procedures": [{"code": "98940", "quantity": 1}],
        "visits": 6,
        "coverage": {
            "type": "insurance",
            "plan": "aetna-ppo",
            "deductible_remaining": "100.00",
            "coinsurance_percent": "20",
            "copay": "0.00",
            "deductible_applies": True,
            "out_of_pocket_max_remaining": "1000.00",
            "covered_visits_remaining": 20,
            "out_of_network_deductible_remaining": None,
            "out_of_network_coinsurance_percent": None,
        },
    },
)


# --- Error responses shared by every operation -----------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": 'A single message: `{"detail": "..."}`.',
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "description": (
        'Invalid input. Field errors map each top-level field to its messages, `{"radius_miles": '
        '["Must be greater than 0."]}`; a message about a nested field names its place, '
        '`{"coverage": ["coverage.plan: Unknown insurance plan \'x\'."]}`, '
        '`{"procedures": ["procedures[0].code: Unknown procedure code \'99999\'."]}`. Errors not '
        'tied to a field are `{"detail": "..."}` or `{"non_field_errors": ["..."]}`.'
    ),
}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": ("integer", "Requests allowed in the current window."),
    "X-RateLimit-Remaining": ("integer", "Requests left in the current window."),
    "X-RateLimit-Reset": ("integer", "Seconds until the current window ends."),
}
RETRY_AFTER_HEADER = ("integer", "Seconds to wait before retrying.")


def _header(kind: str, description: str) -> dict[str, Any]:
    return {"schema": {"type": kind}, "description": description}


def _error(description: str, schema: str = "Error", **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        response["headers"] = {
            name: {"$ref": f"#/components/headers/{ref}"} for name, ref in headers.items()
        }
    return response


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the error contract on every operation.

    401 for a bad key, 429 with Retry-After, 503 when the database is down; 400 where the
    operation takes input; 404 where it takes a path parameter or a page number. Successful
    responses document the rate-limit headers. An error response an operation declares itself
    with only a description (`OpenApiResponse(description=...)`) gets the `Error` body.
    """
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
    headers = components.setdefault("headers", {})
    for name, (kind, description) in RATE_LIMIT_HEADERS.items():
        headers[name] = _header(kind, description)
    headers["Retry-After"] = _header(*RETRY_AFTER_HEADER)
    rate_headers = {name: name for name in RATE_LIMIT_HEADERS}

    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in responses.items():
                if str(code).startswith("2"):
                    response["description"] = response.get("description") or "OK"
                    response.setdefault("headers", {}).update(
                        {
                            name: {"$ref": f"#/components/headers/{ref}"}
                            for name, ref in rate_headers.items()
                        }
                    )
                elif str(code)[0] in "45" and "content" not in response:
                    response["content"] = _error(response["description"])["content"]
            parameters = operation.get("parameters", [])
            takes_input = bool(parameters) or "requestBody" in operation
            if takes_input:
                responses.setdefault("400", _error("Invalid input.", "ValidationError"))
            if "{" in path or any(p.get("name") == "page" for p in parameters):
                responses.setdefault("404", _error("Not found (or a page past the end)."))
            responses.setdefault(
                "401", _error("Unknown, revoked or expired API key (`WWW-Authenticate: Api-Key`).")
            )
            responses.setdefault(
                "429",
                _error("Too many requests.", **{"Retry-After": "Retry-After"}, **rate_headers),
            )
            responses.setdefault(
                "503",
                _error(
                    "The database is unavailable; retry later.", **{"Retry-After": "Retry-After"}
                ),
            )
    return result
