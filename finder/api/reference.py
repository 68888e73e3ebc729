"""Read-only reference catalogues: state practice acts, insurance plans and procedure codes.

These change a few times a year, so successful responses are cacheable for an hour.
"""

import re
from datetime import date
from decimal import Decimal
from typing import cast

from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from finder.api import shapes
from finder.api.schema import schema_serializer
from finder.api.views import ApiView
from finder.practice_acts import PracticeActTimeline, practice_act_timelines
from providers.models import InsurancePlan, PracticeAct, Procedure
from providers.states import US_STATES

CACHE_MAX_AGE_SECONDS = 3600
CENTS = Decimal("0.01")
STATE_CODE_RE = re.compile(r"[A-Za-z]{2}")
MALFORMED_STATE = "Use a two-letter US state code such as 'WA'."


def _rule_fields(act: PracticeAct) -> shapes.PracticeRule:
    return {
        "spinal_manipulation": act.spinal_manipulation,
        "extremity_manipulation": act.extremity_manipulation,
        "manipulation_under_anesthesia": act.manipulation_under_anesthesia,
        "direct_access": act.direct_access,
        "note": act.note,
        "sources": list(act.sources),
        "last_reviewed": act.last_reviewed.isoformat(),
        "confidence": act.confidence,
        "effective_from": act.effective_from.isoformat() if act.effective_from else None,
    }


def state_practice_acts(
    state: str, professions: dict[str, PracticeActTimeline]
) -> shapes.StatePracticeActs:
    """The contract's state object: current rule per profession plus its superseded rules."""
    rules: dict[str, shapes.CurrentRule] = {
        profession: {
            **_rule_fields(timeline.current),
            "history": [
                {**_rule_fields(rule.act), "superseded_on": rule.superseded_on.isoformat()}
                for rule in timeline.history
            ],
        }
        for profession, timeline in professions.items()
    }
    # Keyed by the professions on record for the state, which the shape names one by one.
    return {
        "state": state,
        "name": US_STATES[state],
        "professions": cast(shapes.ProfessionRules, rules),
    }


# --- Views -----------------------------------------------------------------------------------


ON_PARAMETER = OpenApiParameter(
    "on",
    OpenApiTypes.DATE,
    description="Evaluate the rules in force on this date (YYYY-MM-DD); default today.",
)


class OnDateSerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )


def _validated_on(request: Request, errors: dict[str, list[str]]) -> date | None:
    serializer = OnDateSerializer(data=request.query_params)
    if not serializer.is_valid():
        errors.update({field: list(msgs) for field, msgs in serializer.errors.items()})
        return None
    return serializer.validated_data.get("on")


class ReferenceApi(ApiView):
    """Cache successful responses publicly: reference data changes rarely."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == status.HTTP_200_OK:
            patch_cache_control(response, public=True, max_age=CACHE_MAX_AGE_SECONDS)
        return response


class PracticeActListApi(ReferenceApi):
    """Every jurisdiction with practice-act data, ordered by state code.

    `?on=YYYY-MM-DD` evaluates the rules in force on that date (default today).
    """

    @extend_schema(
        operation_id="practice_acts_list",
        tags=["reference"],
        parameters=[ON_PARAMETER],
        responses={200: schema_serializer(shapes.PracticeActList)},
    )
    def get(self, request: Request) -> Response:
        errors: dict[str, list[str]] = {}
        on = _validated_on(request, errors)
        if errors:
            raise ValidationError(errors)
        timelines = practice_act_timelines(on=on)
        results = [state_practice_acts(state, timelines[state]) for state in sorted(timelines)]
        body: shapes.PracticeActList = {"count": len(results), "results": results}
        return Response(body)


class PracticeActDetailApi(ReferenceApi):
    """One jurisdiction's practice acts; the state code is case-insensitive."""

    @extend_schema(
        operation_id="practice_acts_retrieve",
        tags=["reference"],
        parameters=[
            OpenApiParameter(
                "state",
                str,
                OpenApiParameter.PATH,
                description="Two-letter state code (case-insensitive), e.g. WA or DC.",
            ),
            ON_PARAMETER,
        ],
        responses={200: schema_serializer(shapes.StatePracticeActs)},
    )
    def get(self, request: Request, state: str) -> Response:
        errors: dict[str, list[str]] = {}
        if not STATE_CODE_RE.fullmatch(state):
            errors["state"] = [MALFORMED_STATE]
        on = _validated_on(request, errors)
        if errors:
            raise ValidationError(errors)
        code = state.upper()
        if code not in US_STATES:
            raise NotFound(
                f"Unknown state '{code}'. Use a two-letter US state code such as 'WA' or 'DC'."
            )
        timelines = practice_act_timelines(on=on, states=[code])
        if code not in timelines:
            raise NotFound(f"No practice-act data is loaded for {US_STATES[code]} ({code}).")
        return Response(state_practice_acts(code, timelines[code]))


class InsurancePlanListApi(ReferenceApi):
    """Insurance plans providers can list as in-network, ordered by name."""

    @extend_schema(
        operation_id="insurance_plans_list",
        tags=["reference"],
        responses={200: schema_serializer(shapes.InsurancePlanList)},
    )
    def get(self, request: Request) -> Response:
        plans = InsurancePlan.objects.order_by("name", "slug")
        results: list[shapes.InsurancePlan] = [
            {"slug": slug, "name": name, "payer": payer, "kind": kind}
            for slug, name, payer, kind in plans.values_list("slug", "name", "payer", "kind")
        ]
        body: shapes.InsurancePlanList = {"count": len(results), "results": results}
        return Response(body)


def _money(amount: Decimal) -> str:
    return str(amount.quantize(CENTS))


class ProcedureListApi(ReferenceApi):
    """Procedure codes with plain-language labels and typical cash prices (USD), by code."""

    @extend_schema(
        operation_id="procedures_list",
        tags=["reference"],
        responses={200: schema_serializer(shapes.ProcedureList)},
    )
    def get(self, request: Request) -> Response:
        results: list[shapes.Procedure] = [
            {
                "code": procedure.code,
                "label": procedure.label,
                "professions": procedure.professions,
                "medicare_covered_for": procedure.medicare_covered_for,
                "typical_price_low": _money(procedure.typical_price_low),
                "typical_price_high": _money(procedure.typical_price_high),
                "currency": "USD",
                "is_manipulation": procedure.is_manipulation,
                "note": procedure.note,
            }
            for procedure in Procedure.objects.order_by("code")
        ]
        body: shapes.ProcedureList = {"count": len(results), "results": results}
        return Response(body)
