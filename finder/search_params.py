"""Validating search input once, for the API and the pages alike."""

import copy
import math
from decimal import Decimal

from rest_framework import serializers

from finder.geocode import MAX_QUERY_LENGTH, geocode
from finder.search import (
    DEFAULT_RADIUS_MILES,
    MAX_RADIUS_MILES,
    Ordering,
    Origin,
    SearchFilters,
)
from providers.models import InsurancePlan, Profession, Service

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Partners sync every provider through the origin-less list, at any page size: the page
# number must reach far past the ~400,000 chiropractors and PTs in NPPES even one per page.
# (It was 10,000, which stranded every provider past 200,000 at the default page size.)
MAX_PAGE = 10_000_000


RADIUS_TOO_LARGE = f"Must be at most {MAX_RADIUS_MILES:g} miles; search a closer location instead."


class FiniteFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class SearchParamsSerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/providers/` (and the search page)."""

    near = serializers.CharField(
        required=False, max_length=MAX_QUERY_LENGTH, trim_whitespace=True,
        help_text="A 5-digit ZIP (ZIP+4 accepted), 'City, ST', or a street address.",
    )  # fmt: skip
    lat = FiniteFloatField(required=False, min_value=-90, max_value=90)
    lng = FiniteFloatField(required=False, min_value=-180, max_value=180)
    radius_miles = FiniteFloatField(
        required=False, default=DEFAULT_RADIUS_MILES, max_value=MAX_RADIUS_MILES,
        error_messages={"max_value": RADIUS_TOO_LARGE},
        help_text=f"Miles, greater than 0 and at most {MAX_RADIUS_MILES:g}.",
    )  # fmt: skip
    profession = serializers.ChoiceField(choices=Profession.choices, required=False)
    service = serializers.ChoiceField(choices=Service.choices, required=False)
    insurance = serializers.SlugField(required=False, max_length=60)
    accepting_new_patients = serializers.BooleanField(required=False, allow_null=True, default=None)
    max_price = serializers.DecimalField(
        required=False, max_digits=7, decimal_places=2, min_value=Decimal("0")
    )
    ordering = serializers.ChoiceField(choices=Ordering.CHOICES, required=False)
    updated_since = serializers.DateTimeField(required=False)
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # DRF rebuilds every declared field from its arguments for each serializer (a deep
        # copy), a tenth of a search request's CPU. These fields keep no state of their own
        # beyond what bind() sets on the copy, so a shallow copy serves as well.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def validate_radius_miles(self, value: float) -> float:
        if value <= 0:
            raise serializers.ValidationError("Must be greater than 0.")
        return value

    def validate_insurance(self, value: str) -> str:
        if not InsurancePlan.objects.filter(slug=value).exists():
            raise serializers.ValidationError(f"Unknown insurance plan '{value}'.")
        return value

    def validate(self, attrs: dict) -> dict:
        has_near = bool(attrs.get("near"))
        has_lat, has_lng = "lat" in attrs, "lng" in attrs
        if has_near and (has_lat or has_lng):
            raise serializers.ValidationError(
                {"near": ["Give either near or lat and lng, not both."]}
            )
        if has_lat != has_lng:
            missing = "lng" if has_lat else "lat"
            raise serializers.ValidationError({missing: ["lat and lng must be given together."]})
        if attrs.get("ordering") == Ordering.DISTANCE and not (has_near or has_lat):
            raise serializers.ValidationError(
                {"ordering": ["Ordering by distance needs a location (near, or lat and lng)."]}
            )
        attrs["origin"] = self.resolve_origin(attrs)
        return attrs

    def resolve_origin(self, attrs: dict) -> Origin | None:
        radius = attrs["radius_miles"]
        if attrs.get("near"):
            point = geocode(attrs["near"])
            if point is None:
                raise serializers.ValidationError(
                    {"near": [f"Could not find a US location for '{attrs['near']}'."]}
                )
            return Origin(point.lat, point.lng, point.label, radius)
        if "lat" in attrs:
            label = f"{attrs['lat']:.4f}, {attrs['lng']:.4f}"
            return Origin(attrs["lat"], attrs["lng"], label, radius)
        return None

    def filters(self) -> SearchFilters:
        data = self.validated_data
        return SearchFilters(
            profession=data.get("profession"),
            service=data.get("service"),
            insurance=data.get("insurance"),
            accepting_new_patients=data.get("accepting_new_patients"),
            max_price=data.get("max_price"),
            updated_since=data.get("updated_since"),
        )
