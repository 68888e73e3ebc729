"""Validating search input once, for the API, the pages and the command alike."""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.fields import empty

from finder.geocode import (
    MAX_QUERY_LENGTH,
    cities_like,
    cities_named,
    geocode,
    largest_cities,
    names_military_mail,
    state_display_name,
    state_named,
)
from finder.listing_queries import catalogue
from finder.search.types import (
    DEFAULT_RADIUS_MILES,
    MAX_RADIUS_MILES,
    Ordering,
    Origin,
    SearchFilters,
)
from providers.languages import is_known_language
from providers.models import InsurancePlan, MedicareAssignment, Profession, Service

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Partners sync every provider through the origin-less list, at any page size: the page
# number must reach far past the ~400,000 chiropractors and PTs in NPPES even one per page
# (10,000 pages of 20 would strand every provider past the 200,000th).
MAX_PAGE = 10_000_000
MAX_VERIFIED_WITHIN_DAYS = 365


# Messages are lazy translations: English for the API, the page's language on the pages.
RADIUS_TOO_LARGE = format_lazy(
    gettext_lazy("Must be at most {miles} miles; search a closer location instead."),
    miles=f"{MAX_RADIUS_MILES:g}",
)


# What `max_price` and `ordering=price` compare (providers/entry_level.py).
ENTRY_LEVEL_HELP = (
    "The provider's cash price of the entry-level procedure of the service searched, by "
    "profession: spinal manipulation 98940 (chiropractor) or 97140 (physical therapist); "
    "extremity manipulation 98943 or 97140; mobilization 97140; manipulation under anesthesia "
    "and no service as spinal manipulation. A provider without that price does not match."
)


class FiniteFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class SearchParamsSerializer(serializers.Serializer):
    """Query parameters of `GET /api/v1/providers/` (and the search page): their types, limits
    and messages, and their OpenAPI schema. `parse_search_query` validates with these fields."""

    near = serializers.CharField(
        required=False, max_length=MAX_QUERY_LENGTH, trim_whitespace=True,
        help_text=(
            "A 5-digit ZIP (ZIP+4 accepted), 'City, ST', or a street address. A city without"
            " its state is accepted where no other state has a place of that name."
        ),
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
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=ENTRY_LEVEL_HELP,
    )
    language = serializers.CharField(
        required=False, max_length=2, min_length=2,
        help_text="ISO 639-1 code of a language the provider speaks, e.g. 'es'.",
    )  # fmt: skip
    telehealth = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="true: providers who offer telehealth; false: those not known to.",
    )  # fmt: skip
    accessible = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="true: locations with a wheelchair-accessible entrance; false: those not "
        "known to have one.",
    )  # fmt: skip
    ordering = serializers.ChoiceField(
        choices=Ordering.CHOICES,
        required=False,
        help_text="`price` orders by the price `max_price` tests, providers without it last.",
    )
    medicare_assignment = serializers.ChoiceField(
        choices=MedicareAssignment.choices, required=False,
        help_text=(
            "The provider's Medicare assignment: `participating` (accepts Medicare's amount as"
            " full payment), `non_participating`, or `unknown` (no record says)."
        ),
    )  # fmt: skip
    updated_since = serializers.DateTimeField(required=False)
    verified_within_days = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_VERIFIED_WITHIN_DAYS,
        help_text=(
            "Only listings verified (confirmed by the provider or our curators) within this"
            f" many days, 1 to {MAX_VERIFIED_WITHIN_DAYS}."
        ),
    )  # fmt: skip
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )

    def to_internal_value(self, data: Mapping[str, Any]) -> "SearchQuery":
        return parse_search_query(data)


@dataclass(frozen=True)
class SearchQuery:
    """A valid search: what `search_providers` takes, and how the place was given."""

    origin: Origin | None
    filters: SearchFilters
    ordering: str | None
    page: int
    page_size: int
    by_coordinates: bool  # lat and lng rather than `near`


def positive_radius(value: float) -> float:
    if value <= 0:
        raise serializers.ValidationError(_("Must be greater than 0."))
    return value


def known_insurance_plan(value: str) -> str:
    # The plans this process knows (the listings' catalogue, re-read when the listings
    # generation moves) answer without a query; one it does not know may have been added in
    # another process within the last second, so the table has the last word.
    known = value in catalogue().plan_slugs.values()
    if not known and not InsurancePlan.objects.filter(slug=value).exists():
        raise serializers.ValidationError(_("Unknown insurance plan '%(plan)s'.") % {"plan": value})
    return value


def known_language(value: str) -> str:
    code = value.lower()
    if not is_known_language(code):
        raise serializers.ValidationError(
            _("Unknown language code '%(code)s'. Use an ISO 639-1 code, such as 'es' for Spanish.")
            % {"code": value}
        )
    return code


# The serializer's fields, bound once: each checks one value and keeps nothing between calls.
# A serializer instance per request rebuilt and bound all fifteen, and its validation
# machinery cost twice the checks themselves (about a tenth of a search request's CPU).
PARAMETER_FIELDS = SearchParamsSerializer().fields
MORE_CHECKS: dict[str, Callable[[Any], Any]] = {
    "radius_miles": positive_radius,
    "insurance": known_insurance_plan,
    "language": known_language,
}


def parse_search_query(data: Mapping[str, Any]) -> SearchQuery:
    """The search `data` (parameter name -> text) asks for, geocoded; raises ValidationError
    with DRF's shape, {parameter: [messages]}, as a serializer would."""
    values, errors = {}, {}
    for name, field in PARAMETER_FIELDS.items():
        if name not in data and field.default is empty:
            continue  # optional, not given: nothing to check
        try:
            value = field.run_validation(data.get(name, empty))
            if name in MORE_CHECKS:
                value = MORE_CHECKS[name](value)
        except serializers.ValidationError as exc:
            errors[name] = exc.detail
        else:
            values[name] = value
    if errors:
        raise serializers.ValidationError(errors)
    check_place(values)
    return SearchQuery(
        origin=resolve_origin(values),
        filters=SearchFilters(
            profession=values.get("profession"),
            service=values.get("service"),
            insurance=values.get("insurance"),
            accepting_new_patients=values["accepting_new_patients"],
            max_price=values.get("max_price"),
            updated_since=values.get("updated_since"),
            language=values.get("language"),
            telehealth=values["telehealth"],
            accessible=values["accessible"],
            verified_since=verified_since(values.get("verified_within_days")),
            medicare_assignment=values.get("medicare_assignment"),
        ),
        ordering=values.get("ordering"),
        page=values["page"],
        page_size=values["page_size"],
        by_coordinates="lat" in values,
    )


def verified_since(days: int | None) -> date | None:
    """The earliest verification date `verified_within_days` accepts: today counts as day 0."""
    return None if days is None else timezone.localdate() - timedelta(days=days)


def check_place(values: dict) -> None:
    has_near = bool(values.get("near"))
    has_lat, has_lng = "lat" in values, "lng" in values
    if has_near and (has_lat or has_lng):
        raise serializers.ValidationError(
            {"near": [_("Give either near or lat and lng, not both.")]}
        )
    if has_lat != has_lng:
        missing = "lng" if has_lat else "lat"
        raise serializers.ValidationError({missing: [_("lat and lng must be given together.")]})
    if values.get("ordering") == Ordering.DISTANCE and not (has_near or has_lat):
        raise serializers.ValidationError(
            {"ordering": [_("Ordering by distance needs a location (near, or lat and lng).")]}
        )


# Places offered for place text that named none (the search page links each).
MAX_PLACE_SUGGESTIONS = 6


class UnknownPlace(serializers.ValidationError):
    """A 400 on `near` for text that names no single place: the message says why and what to
    send instead, and `places` are the places it suggests, most likely first."""

    def __init__(self, message: str, places: list[str]) -> None:
        super().__init__({"near": [message]})
        self.places = places


def unknown_place(text: str) -> UnknownPlace:
    """Why `text` gave no place: it names a whole state (or DC, or a territory), several cities
    share that name, or none is known (with the cities spelled like it, if any)."""
    state = state_named(text)
    if state:
        places = largest_cities(state, MAX_PLACE_SUGGESTIONS)
        if not places:
            # A territory whose ZIPs the index does not hold (FM, MH, PW): nothing to offer.
            return UnknownPlace(
                _("We have no listings data for %(place)s. Enter a US ZIP code or a city instead.")
                % {"place": state_display_name(state)},
                [],
            )
        return UnknownPlace(
            _(
                "'%(text)s' is too large an area to search. Enter a ZIP code or a city, such as "
                "%(places)s."
            )
            % {"text": text, "places": or_list(places)},
            places,
        )
    if names_military_mail(text):
        return UnknownPlace(
            _(
                "Military mail codes (AA, AE, AP) name no place to search near. Enter a US ZIP "
                "code or a city instead."
            ),
            [],
        )
    named = cities_named(text)
    if len(named) > 1:
        city = named[0].rpartition(", ")[0]  # as USPS spells it, without a street before it
        return UnknownPlace(
            _("Several US places are named '%(city)s'. Add the state, for example %(places)s.")
            % {"city": city, "places": or_list(named)},
            named[:MAX_PLACE_SUGGESTIONS],
        )
    unknown = _("Could not find a US location for '%(text)s'.") % {"text": text}
    similar = cities_like(text)
    return UnknownPlace(
        _("%(unknown)s Did you mean %(places)s?") % {"unknown": unknown, "places": or_list(similar)}
        if similar
        else unknown,
        similar,
    )


def or_list(labels: list[str]) -> str:
    """'A', 'B' or 'C': at most the first three; empty for none."""
    quoted = [f"'{label}'" for label in labels[:3]]
    if len(quoted) <= 1:
        return "".join(quoted)
    return _("%(first)s or %(last)s") % {"first": ", ".join(quoted[:-1]), "last": quoted[-1]}


def resolve_origin(values: dict) -> Origin | None:
    radius = values["radius_miles"]
    if values.get("near"):
        point = geocode(values["near"])
        if point is None:
            raise unknown_place(values["near"])
        return Origin(point.lat, point.lng, point.label, radius)
    if "lat" in values:
        label = f"{values['lat']:.4f}, {values['lng']:.4f}"
        return Origin(values["lat"], values["lng"], label, radius)
    return None
