"""POST /api/v1/estimates/: what a course of visits may cost, computed and never stored.

Errors are the API's (finder/api/errors.py): 400 maps each top-level field to a flat list of
messages, ``{"visits": ["Ensure this value is less than or equal to 60."]}``, and a message
about a nested field names its place: ``{"coverage": ["coverage.plan: Unknown insurance plan
'x'."]}``, ``{"procedures": ["procedures[0].code: Unknown procedure code '99999'."]}``. A
list-wide problem is a message of its own: ``{"procedures": ["Ensure this field has no more
than 20 elements."]}``. A body that is not a JSON object gets ``{"non_field_errors": ["Invalid
data. Expected a dictionary, but got list."]}``, and one that is not JSON ``{"detail": "JSON
parse error - ..."}``. An unknown or suspended provider is 404 ``{"detail": "No provider with
id 123."}``.

Inputs and results may describe someone's health care: nothing here is logged or persisted,
and every response carries ``Cache-Control: no-store``.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from finder import costs
from finder.api.schema import ESTIMATE_REQUEST_EXAMPLE
from finder.api.views import ApiView
from providers.models import InsurancePlan


def _money(**kwargs: Any) -> serializers.DecimalField:
    """A dollar amount in: at most 2 decimals, 0 to 100,000."""
    return serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0"), max_value=costs.MAX_MONEY, **kwargs
    )


def _percent(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), **kwargs
    )


class MoneyOutputField(serializers.DecimalField):
    """A dollar amount out: a string with exactly 2 decimals ("40.00"), never a float."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_digits=None,
            decimal_places=2,
            coerce_to_string=True,
            rounding=ROUND_HALF_UP,
            **kwargs,
        )


class ProcedureInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10)
    quantity = serializers.IntegerField(min_value=1, max_value=costs.MAX_QUANTITY, default=1)


class CoverageInputSerializer(serializers.Serializer):
    """Optional amounts may be omitted or null; the estimate then states what it assumed."""

    type = serializers.ChoiceField(choices=costs.COVERAGE_TYPES)
    plan = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=InsurancePlan.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "Unknown insurance plan '{value}'."},
    )
    deductible_remaining = _money(required=False, allow_null=True)
    coinsurance_percent = _percent(required=False, allow_null=True)
    copay = _money(required=False, allow_null=True)
    deductible_applies = serializers.BooleanField(default=True)
    out_of_pocket_max_remaining = _money(required=False, allow_null=True)
    covered_visits_remaining = serializers.IntegerField(
        min_value=0, max_value=costs.MAX_COVERED_VISITS, required=False, allow_null=True
    )
    out_of_network_deductible_remaining = _money(required=False, allow_null=True)
    out_of_network_coinsurance_percent = _percent(required=False, allow_null=True)


class EstimateInputSerializer(serializers.Serializer):
    """Without ``provider_id``, typical prices; without ``procedures``, the usual code.

    A line of ``procedures`` with an error is named by its position:
    ``procedures[0].code: Unknown procedure code '99999'.``
    """

    provider_id = serializers.IntegerField(required=False, allow_null=True)
    procedures = serializers.ListField(
        child=ProcedureInputSerializer(),
        required=False,
        allow_empty=False,
        max_length=costs.MAX_PROCEDURE_LINES,
    )
    visits = serializers.IntegerField(min_value=1, max_value=costs.MAX_VISITS, default=1)
    coverage = CoverageInputSerializer()


class ProviderOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    npi = serializers.CharField()


class VisitOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    billed = MoneyOutputField()
    allowed = MoneyOutputField()
    deductible = MoneyOutputField()
    copay = MoneyOutputField()
    coinsurance = MoneyOutputField()
    not_covered = MoneyOutputField()
    patient_pays = MoneyOutputField()
    plan_pays = MoneyOutputField()


class TotalOutputSerializer(serializers.Serializer):
    billed = MoneyOutputField(source="total_billed")
    patient_pays = MoneyOutputField(source="total_patient_pays")
    plan_pays = MoneyOutputField(source="total_plan_pays")


class RangeOutputSerializer(serializers.Serializer):
    patient_pays_low = MoneyOutputField()
    patient_pays_high = MoneyOutputField()


class ProcedureOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    # A declared field named like Field.label: DRF's metaclass takes it out of the class
    # attributes, which the stubs cannot know.
    label = serializers.CharField()  # type: ignore[assignment]
    quantity = serializers.IntegerField()
    unit_price = MoneyOutputField()
    price_source = serializers.CharField()
    allowed_amount = MoneyOutputField(
        allow_null=True,
        help_text="The approved amount per unit before any multiple-procedure reduction; null "
        "where the coverage does not cover the line (the patient pays the unit price).",
    )
    allowed_source = serializers.ChoiceField(
        choices=list(costs.ALLOWED_SOURCE_WORDS),
        allow_null=True,
        help_text="Where the approved amount comes from: Medicare's fee schedule for the "
        "provider's locality or nationally, the plan's rate from its payer file "
        "(`negotiated_rate`; several rates give their midpoint), or the provider's own or the "
        "typical price.",
    )
    allowed_as_of = serializers.DateField(
        allow_null=True,
        help_text="For a `negotiated_rate`, the payer file's own date (`last_updated_on`); "
        "null otherwise.",
    )


class EstimateOutputSerializer(serializers.Serializer):
    """Reads a finder.costs.CostEstimate. ``range`` is null unless a typical price was used."""

    currency = serializers.CharField()
    provider = ProviderOutputSerializer(allow_null=True)
    network = serializers.ChoiceField(choices=list(costs.NETWORK_LABELS.items()))
    visits = VisitOutputSerializer(many=True)
    total = TotalOutputSerializer(source="*")
    range = RangeOutputSerializer(allow_null=True)
    assumptions = serializers.ListField(child=serializers.CharField())
    disclaimer = serializers.CharField()
    procedures = ProcedureOutputSerializer(many=True, source="lines")


@method_decorator(never_cache, name="dispatch")
class EstimateCreateApi(ApiView):
    """Estimate what the patient and the plan pay; inputs and results are never stored."""

    throttle_scope = "estimates"  # API_ESTIMATE_RATE on top of the client's own rate

    @extend_schema(
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
    def post(self, request: Request) -> Response:
        serializer = EstimateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        provider = None
        if data.get("provider_id") is not None:
            provider = costs.find_public_provider(data["provider_id"])
            if provider is None:
                raise NotFound(f"No provider with id {data['provider_id']}.")
        try:
            result = costs.estimate_visits(
                provider=provider,
                procedures=[
                    costs.RequestedProcedure(**line) for line in data.get("procedures", [])
                ],
                visits=data["visits"],
                coverage=costs.CoverageTerms(**data["coverage"]),
            )
        except costs.InvalidProcedures as exc:
            errors = {str(i): {"code": [message]} for i, message in exc.errors.items()}
            raise ValidationError({"procedures": errors}) from None
        return Response(EstimateOutputSerializer(result).data)
