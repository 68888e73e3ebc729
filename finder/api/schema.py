"""OpenAPI schema support (drf-spectacular): the Api-Key scheme, documented response shapes,
annotations for views that build their JSON by hand, and the shared error responses.

The serializers here only describe responses for the schema; the views build the same shapes
with `finder.listing` and `finder.api.reference`. The view extensions below annotate views
owned by other modules without touching them; when a view module gains its own
`@extend_schema`, delete its extension here (an extension replaces the view for the schema).

Imported from config/urls.py so the extensions are registered before any schema is built.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from finder.api.auth import KEYWORD
from providers.models import (
    AcceptanceSource,
    Confidence,
    DirectAccess,
    InsurancePlan,
    MedicareAssignment,
    NegotiatedRate,
    Profession,
    Scope,
    Service,
    VerificationStatus,
)

SCHEME_NAME = "ApiKeyAuth"
MONEY_PATTERN = r"^\d+\.\d{2}$"


class PartnerApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "finder.api.auth.PartnerApiKeyAuthentication"
    name = SCHEME_NAME

    def get_security_definition(self, auto_schema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                f"Partner key, sent as `Authorization: {KEYWORD} <key>`. Optional: without it a "
                "call is anonymous (lower per-IP rate). An unknown, revoked or expired key is "
                "401, never anonymous."
            ),
        }


# --- Response shapes -------------------------------------------------------------------------


def money(**kwargs: Any) -> serializers.RegexField:
    """A decimal string with 2 places, e.g. "40.00" (USD)."""
    return serializers.RegexField(MONEY_PATTERN, **kwargs)


class OriginSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    label = serializers.CharField()
    radius_miles = serializers.FloatField()


class ScopeSummarySerializer(serializers.Serializer):
    state = serializers.CharField()
    spinal_manipulation = serializers.ChoiceField(choices=Scope.choices)
    note = serializers.CharField(allow_blank=True)


class LocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    address = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField()
    zip_code = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    phone = serializers.CharField(allow_blank=True)


class LocationWithScopeSerializer(LocationSerializer):
    scope = ScopeSummarySerializer()


class MedicareAmountSerializer(serializers.Serializer):
    """Medicare's full fee schedule amount for the code at the listed address (the provider's
    first location in a detail), whatever the provider's assignment."""

    amount = money()
    locality = serializers.CharField(
        allow_null=True, help_text="The Medicare locality's name; null for a national amount."
    )
    year = serializers.IntegerField()
    source = serializers.ChoiceField(
        choices=["locality", "national"],
        help_text="The locality's amount where its fee schedule was imported, else national.",
    )


class PriceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    cash_price = money()
    currency = serializers.CharField()
    medicare = MedicareAmountSerializer(
        allow_null=True,
        help_text="Null when Medicare does not cover the code for the provider's profession "
        "(or no amount is known).",
    )


MEDICARE_ASSIGNMENT_HELP = (
    "From CMS's Doctors and Clinicians file or a curator: participating providers accept "
    "Medicare's amount as full payment; non-participating ones may charge up to 109.25% of it; "
    "unknown when no record says."
)


class LicenseSerializer(serializers.Serializer):
    state = serializers.CharField()
    number = serializers.CharField()


class ProviderSummarySerializer(serializers.Serializer):
    """One search result: the provider at its nearest matching location."""

    id = serializers.IntegerField()
    npi = serializers.CharField()
    name = serializers.CharField()
    profession = serializers.ChoiceField(choices=Profession.choices)
    accepting_new_patients = serializers.BooleanField()
    distance_miles = serializers.FloatField(
        allow_null=True, help_text="Great-circle miles, 2 decimals; null without an origin."
    )
    location = LocationSerializer(allow_null=True)
    services = serializers.ListField(child=serializers.ChoiceField(choices=Service.choices))
    scope = ScopeSummarySerializer(allow_null=True)
    insurance_plans = serializers.ListField(child=serializers.CharField())
    prices = PriceSerializer(many=True)
    medicare_assignment = serializers.ChoiceField(
        choices=MedicareAssignment.choices, help_text=MEDICARE_ASSIGNMENT_HELP
    )
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices)
    is_demo = serializers.BooleanField()
    updated_at = serializers.DateTimeField()
    url = serializers.URLField()


class ProviderSearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="Exact, except with an origin past 1,000 matches (then 1000 and count_capped)."
    )
    count_capped = serializers.BooleanField(
        required=False, help_text="Present and true when count stopped at 1,000."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    origin = OriginSerializer(allow_null=True)
    results = ProviderSummarySerializer(many=True)


class PlanEvidenceSerializer(serializers.Serializer):
    """A plan the provider takes, and where that comes from."""

    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=InsurancePlan.Kind.choices)
    source = serializers.ChoiceField(
        choices=AcceptanceSource.choices,
        help_text="A payer's or Medicare's file first, when several say so.",
    )
    as_of = serializers.DateField(
        allow_null=True, help_text="The file's own date (last_updated_on); null otherwise."
    )


class NegotiatedRateSerializer(serializers.Serializer):
    """A plan's public in-network rate with this provider, from the payer's file."""

    plan = serializers.CharField(help_text="The plan's slug.")
    code = serializers.CharField()
    negotiated_type = serializers.ChoiceField(choices=NegotiatedRate.Type.choices)
    rate = serializers.CharField(
        help_text='Dollars ("27.50"); for `percentage`, the percent of the charge ("65.00").'
    )
    billing_class = serializers.ChoiceField(choices=NegotiatedRate.BillingClass.choices)
    places_of_service = serializers.ListField(
        child=serializers.CharField(), help_text='CMS place-of-service codes; "CSTM-00" = all.'
    )
    expires = serializers.DateField(allow_null=True)
    as_of = serializers.DateField(help_text="The payer file's own date (last_updated_on).")


class ProviderDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    npi = serializers.CharField()
    name = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    credential = serializers.CharField(allow_blank=True)
    profession = serializers.ChoiceField(choices=Profession.choices)
    accepting_new_patients = serializers.BooleanField()
    locations = LocationWithScopeSerializer(many=True)
    licenses = LicenseSerializer(many=True)
    services = serializers.ListField(child=serializers.ChoiceField(choices=Service.choices))
    insurance_plans = PlanEvidenceSerializer(many=True)
    negotiated_rates = NegotiatedRateSerializer(many=True)
    prices = PriceSerializer(many=True)
    medicare_assignment = serializers.ChoiceField(
        choices=MedicareAssignment.choices, help_text=MEDICARE_ASSIGNMENT_HELP
    )
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices)
    last_verified = serializers.DateField(allow_null=True)
    is_demo = serializers.BooleanField()
    updated_at = serializers.DateTimeField()
    url = serializers.URLField()


class PracticeRuleSerializer(serializers.Serializer):
    spinal_manipulation = serializers.ChoiceField(choices=Scope.choices)
    extremity_manipulation = serializers.ChoiceField(choices=Scope.choices)
    manipulation_under_anesthesia = serializers.ChoiceField(choices=Scope.choices)
    direct_access = serializers.ChoiceField(choices=DirectAccess.choices)
    note = serializers.CharField(allow_blank=True)
    sources = serializers.ListField(child=serializers.CharField())
    last_reviewed = serializers.DateField()
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    effective_from = serializers.DateField(allow_null=True)


class SupersededRuleSerializer(PracticeRuleSerializer):
    superseded_on = serializers.DateField()


class CurrentRuleSerializer(PracticeRuleSerializer):
    history = SupersededRuleSerializer(many=True, help_text="Earlier rules, oldest first.")


class ProfessionRulesSerializer(serializers.Serializer):
    """Present for each profession whose act is on record for the state."""

    chiropractor = CurrentRuleSerializer(required=False)
    physical_therapist = CurrentRuleSerializer(required=False)


class StatePracticeActsSerializer(serializers.Serializer):
    state = serializers.CharField()
    name = serializers.CharField()
    professions = ProfessionRulesSerializer()


class PracticeActListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = StatePracticeActsSerializer(many=True)


class InsurancePlanSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    payer = serializers.CharField()
    kind = serializers.ChoiceField(choices=InsurancePlan.Kind.choices)


class InsurancePlanListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = InsurancePlanSerializer(many=True)


class ProcedureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    professions = serializers.ListField(child=serializers.ChoiceField(choices=Profession.choices))
    medicare_covered_for = serializers.ListField(
        child=serializers.ChoiceField(choices=Profession.choices)
    )
    typical_price_low = money()
    typical_price_high = money()
    currency = serializers.CharField()
    is_manipulation = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class ProcedureListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ProcedureSerializer(many=True)


# --- Examples --------------------------------------------------------------------------------

SEARCH_EXAMPLE = OpenApiExample(
    "Chiropractors near Austin",
    response_only=True,
    value={
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
                },
                "services": ["spinal_manipulation", "mobilization"],
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
                "is_demo": False,
                "updated_at": "2026-11-20T10:00:00Z",
                "url": "https://jointcare.example.org/api/v1/providers/17/",
            }
        ],
    },
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


def _on_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "on",
        OpenApiTypes.DATE,
        description="Evaluate the rules in force on this date (YYYY-MM-DD); default today.",
    )


# --- Annotations for views defined elsewhere -------------------------------------------------


def _annotated(target: type, method: str = "get", **schema: Any) -> type:
    subclass = type(target.__name__, (target,), {"__doc__": target.__doc__})
    return extend_schema_view(**{method: extend_schema(**schema)})(subclass)


class PracticeActListApiSchema(OpenApiViewExtension):
    target_class = "finder.api.reference.PracticeActListApi"

    def view_replacement(self) -> type:
        return _annotated(
            self.target_class,
            operation_id="practice_acts_list",
            tags=["reference"],
            parameters=[_on_parameter()],
            responses={200: PracticeActListSerializer},
        )


class PracticeActDetailApiSchema(OpenApiViewExtension):
    target_class = "finder.api.reference.PracticeActDetailApi"

    def view_replacement(self) -> type:
        return _annotated(
            self.target_class,
            operation_id="practice_acts_retrieve",
            tags=["reference"],
            parameters=[
                OpenApiParameter(
                    "state",
                    str,
                    OpenApiParameter.PATH,
                    description="Two-letter state code (case-insensitive), e.g. WA or DC.",
                ),
                _on_parameter(),
            ],
            responses={200: StatePracticeActsSerializer},
        )


class InsurancePlanListApiSchema(OpenApiViewExtension):
    target_class = "finder.api.reference.InsurancePlanListApi"

    def view_replacement(self) -> type:
        return _annotated(
            self.target_class,
            operation_id="insurance_plans_list",
            tags=["reference"],
            responses={200: InsurancePlanListSerializer},
        )


class ProcedureListApiSchema(OpenApiViewExtension):
    target_class = "finder.api.reference.ProcedureListApi"

    def view_replacement(self) -> type:
        return _annotated(
            self.target_class,
            operation_id="procedures_list",
            tags=["reference"],
            responses={200: ProcedureListSerializer},
        )


class EstimateCreateApiSchema(OpenApiViewExtension):
    target_class = "finder.api.estimates.EstimateCreateApi"

    def view_replacement(self) -> type:
        from finder.api.estimates import EstimateInputSerializer, EstimateOutputSerializer

        return _annotated(
            self.target_class,
            "post",
            operation_id="estimates_create",
            tags=["estimates"],
            request=EstimateInputSerializer,
            responses={
                200: EstimateOutputSerializer,
                404: OpenApiResponse(
                    description="No public provider with that `provider_id` (unknown or "
                    'suspended): `{"detail": "No provider with id 123."}`.'
                ),
            },
            examples=[ESTIMATE_REQUEST_EXAMPLE],
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
