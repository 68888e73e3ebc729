"""Turn what a user types into a point: a ZIP, "City, ST", a street address or "lat,lng".

The default geocoder is offline: ZIP centroids from the `zipcodes` package (GeoNames
coordinates, USPS ZIP list), so search works without any network. Setting
`GEOCODER = "nominatim"` sends free text to OpenStreetMap's Nominatim first and falls back to
the offline data whenever Nominatim fails or finds nothing.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import zipcodes
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from providers.geo import MAX_CITY_WORDS as _MAX_CITY_WORDS
from providers.geo import MAX_STATE_WORDS as _MAX_STATE_WORDS
from providers.geo import STATE_BY_WORDS as _STATE_BY_WORDS
from providers.geo import Place as _Place
from providers.geo import PlaceIndex as _Index
from providers.geo import (
    cities_in,
    normalize_zip,
    places_named,
    preload,
    state_display_name,
    zip_centroid,
)
from providers.geo import city_key as _city_key
from providers.geo import largest_cities as _largest_cities
from providers.geo import place_index as _get_index
from providers.geo import words as _words
from providers.states import US_STATES

__all__ = [
    "MAX_QUERY_LENGTH",
    "US_STATES",
    "GeoPoint",
    "NominatimFallbackGeocoder",
    "OfflineGeocoder",
    "cities_like",
    "cities_named",
    "geocode",
    "get_geocoder",
    "largest_cities",
    "names_military_mail",
    "normalize_zip",
    "preload",
    "state_display_name",
    "state_named",
    "zip_centroid",
]

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200

Precision = Literal["zip", "city", "street", "coordinates"]


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A geocoded point in decimal degrees (WGS 84) and how precise it is."""

    lat: float
    lng: float
    label: str
    precision: Precision


# --- Parsing ---

_TRAILING_ZIP_RE = re.compile(r"(?<!\d)(\d{5})(?:[- ]?\d{4})?$")
_COORDINATES_RE = re.compile(r"([+-]?\d{1,3}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)")
_COUNTRY_SUFFIX_RE = re.compile(
    r"[,\s]*\b(?:usa|us|u\.s\.a?\.?|united states(?: of america)?)\s*$", re.IGNORECASE
)


def _format_degrees(value: float) -> str:
    return f"{round(value, 6):g}"


def _zip_location(zip5: str, place: _Place) -> Location:
    raw = {"kind": "zip", "zip_code": zip5, "city": place.city, "state": place.state}
    return Location(f"{place.city}, {place.state} {zip5}", (place.lat, place.lng), raw)


def _city_location(place: _Place) -> Location:
    raw = {"kind": "city", "zip_code": None, "city": place.city, "state": place.state}
    return Location(f"{place.city}, {place.state}", (place.lat, place.lng), raw)


def _city_attempts(text: str) -> Iterator[tuple[list[str], str]]:
    """The (city words, state) pairs that "City, ST", "City State Name" or an address ending
    with them may hold, in the order to try them."""
    segments = _segments(text)
    if not segments:
        return
    last = segments[-1]
    # Longest state name first, so "Charleston West Virginia" is not read as Virginia.
    for size in range(min(_MAX_STATE_WORDS, len(last)), 0, -1):
        state = _STATE_BY_WORDS.get(" ".join(last[-size:]))
        if state is None:
            continue
        before = last[:-size] or (segments[-2] if len(segments) > 1 else [])
        # Longest city first ("Lake Saint Louis" over "Saint Louis"); shorter suffixes skip
        # the street part of an address written without commas.
        for start in range(max(0, len(before) - _MAX_CITY_WORDS), len(before)):
            yield before[start:], state


def _find_city(text: str, index: _Index) -> _Place | None:
    """The place named by "City, ST", "City State Name" or an address ending with them."""
    for words, state in _city_attempts(text):
        key = (_city_key(words), state)
        place = index.cities.get(key) or index.alt_cities.get(key)
        if place is not None:
            return place
    return None


def _named_places(text: str) -> list[_Place]:
    """The places in every state named by the text's last part, when that is a city written
    without its state ("Springfield", "100 Main St, Chicago"), largest first."""
    segments = _segments(text)
    return places_named(segments[-1]) if segments else []


def _segments(text: str) -> list[list[str]]:
    """The words of each comma-separated part of `text` that has any."""
    return [words for words in map(_words, text.split(",")) if words]


def cities_named(text: str) -> list[str]:
    """The "City, ST" of each US place that `text` could mean when it names a city without
    its state, largest first: what to suggest when that is ambiguous. Empty when it names
    none."""
    text = _place_text(text)
    return [f"{place.city}, {place.state}" for place in _named_places(text)] if text else []


# How alike a typed city and a known one must be (difflib's ratio) to suggest the known one:
# "Austn" and "Austin" score 0.91, "Filadelphia" and "Philadelphia" 0.87.
SIMILAR_CITY_RATIO = 0.8


def cities_like(text: str) -> list[str]:
    """The "City, ST" of up to three cities spelled like the one `text` names with its state
    ("Austn, TX": "Austin, TX"), closest first: what to suggest for a misspelt city. Empty
    when `text` names no state."""
    text = _place_text(text)
    for words, state in _city_attempts(text) if text else ():
        known = cities_in(state)
        close = difflib.get_close_matches(_city_key(words), known, n=3, cutoff=SIMILAR_CITY_RATIO)
        if close:
            return [f"{known[key].city}, {state}" for key in close]
    return []


def state_named(text: str) -> str | None:
    """The state's code when `text` is only a state's name or abbreviation ("Texas", "tx")."""
    return _STATE_BY_WORDS.get(" ".join(_words(_place_text(text))))


# USPS's codes for military mail (APO/FPO/DPO), which routes overseas and names no place.
MILITARY_MAIL_CODES = frozenset({"aa", "ae", "ap"})


def names_military_mail(text: str) -> bool:
    """Whether `text` is only a military mail code ("AE", "APO AE")."""
    words = _words(_place_text(text))
    return bool(words) and words[-1] in MILITARY_MAIL_CODES and len(words) <= 2


def largest_cities(state: str, count: int) -> list[str]:
    """The "City, ST" of up to `count` of the state's largest cities, largest first."""
    return [f"{place.city}, {state}" for place in _largest_cities(state, count)]


def _place_text(text: str) -> str:
    """Place text as the offline lookups read it: spaces collapsed, without a trailing country
    or ZIP; empty for what is not a string or is over MAX_QUERY_LENGTH."""
    if not isinstance(text, str) or len(text) > MAX_QUERY_LENGTH:
        return ""
    text = _COUNTRY_SUFFIX_RE.sub("", " ".join(text.split()))
    trailing = _TRAILING_ZIP_RE.search(text)
    return text[: trailing.start()].strip() if trailing else text


def _names_another_state(text: str, place: _Place) -> bool:
    """Whether `text` is the full name of a state other than the place's own."""
    words = _words(text)
    state = _STATE_BY_WORDS.get(" ".join(words))
    is_code = len(words) == 1 and len(words[0]) == 2  # "LA" is also Los Angeles
    return state is not None and not is_code and state != place.state


def _parse_coordinates(text: str) -> tuple[float, float] | Literal[False] | None:
    """(lat, lng) for valid "lat,lng" text, None for out-of-range pairs, False if not a pair."""
    match = _COORDINATES_RE.fullmatch(text)
    if match is None:
        return False
    lat, lng = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return lat, lng


def _is_structured(text: str) -> bool:
    """Whether the offline data answers this text exactly (a bare ZIP or a coordinate pair)."""
    return normalize_zip(text) is not None or _parse_coordinates(text) is not False


# --- Geocoders ---


class OfflineGeocoder(Geocoder):
    """A geopy geocoder answering from the bundled US ZIP data; makes no network calls."""

    cache_namespace = f"offline:{zipcodes.__version__}"
    # Answers from memory in microseconds: a round trip to the shared cache would cost more.
    in_memory = True

    def geocode(
        self, query: Any, *, exactly_one: bool = True, timeout: Any = None
    ) -> Location | list[Location] | None:
        location = self._locate(" ".join(str(query).split()))
        if location is None or exactly_one:
            return location
        return [location]

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = None) -> None:
        raise NotImplementedError("OfflineGeocoder does not reverse-geocode.")

    def _locate(self, text: str) -> Location | None:
        if not text:
            return None
        coordinates = _parse_coordinates(text)
        if coordinates is not False:
            if coordinates is None:
                return None
            lat, lng = coordinates
            raw = {"kind": "coordinates", "zip_code": None, "city": None, "state": None}
            return Location(f"{_format_degrees(lat)}, {_format_degrees(lng)}", (lat, lng), raw)

        index = _get_index()
        zip5 = normalize_zip(text)
        if zip5 is not None:  # a bare ZIP that is unknown is not a city either
            place = index.zips.get(zip5)
            return _zip_location(zip5, place) if place else None

        text = _COUNTRY_SUFFIX_RE.sub("", text)
        trailing = _TRAILING_ZIP_RE.search(text)
        if trailing is not None:
            place = index.zips.get(trailing.group(1))
            if place is not None:
                return _zip_location(trailing.group(1), place)
            text = text[: trailing.start()]  # an unknown ZIP; the city may still be right
        place = _find_city(text, index)
        if place is None:
            # A city without its state: only where the name is unique ("Chicago"); one that
            # several states share ("Springfield") is left to the caller to ask about.
            named = _named_places(text)
            place = named[0] if len(named) == 1 else None
            if place is not None and _names_another_state(text, place):
                place = None  # "Ohio" is the state, not Ohio, IL; "New York" is New York, NY
        return _city_location(place) if place else None


# Nominatim results coarser than a city make a useless search origin.
_NOMINATIM_CITY_TYPES = {
    "city",
    "town",
    "village",
    "hamlet",
    "municipality",
    "borough",
    "suburb",
    "neighbourhood",
    "quarter",
    "city_district",
}
_NOMINATIM_COARSE_TYPES = {"state", "county", "country", "region", "state_district", "continent"}


def _precision_from_raw(raw: dict[str, Any]) -> Precision | None:
    kind = raw.get("kind")
    if kind in ("zip", "city", "coordinates", "street"):
        return kind
    place_type = raw.get("addresstype") or raw.get("type")
    if place_type == "postcode":
        return "zip"
    if place_type in _NOMINATIM_CITY_TYPES:
        return "city"
    if place_type in _NOMINATIM_COARSE_TYPES or raw.get("type") == "administrative":
        return None
    return "street"


class NominatimFallbackGeocoder(Geocoder):
    """Nominatim for free text; the offline data for bare ZIPs, coordinates and any failure."""

    def __init__(
        self, *, domain: str, scheme: str, user_agent: str, timeout: float, offline: Geocoder
    ) -> None:
        super().__init__(scheme=scheme, timeout=timeout, user_agent=user_agent)
        self.cache_namespace = f"nominatim:{domain}"
        self.offline = offline
        nominatim = Nominatim(domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout)
        # Nominatim's usage policy allows one request per second. No retries: a failing
        # upstream should cost a user one timeout, then the offline answer.
        self._search = RateLimiter(
            nominatim.geocode, min_delay_seconds=1, max_retries=0, swallow_exceptions=False
        )

    def geocode(
        self, query: Any, *, exactly_one: bool = True, timeout: Any = None
    ) -> Location | list[Location] | None:
        text = " ".join(str(query).split())
        if _is_structured(text):
            return self.offline.geocode(text, exactly_one=exactly_one)
        try:
            found = self._search(text, exactly_one=True, country_codes="us")
        # geopy wraps transport errors and timeouts in GeopyError; the others guard against a
        # malformed response, since this backend must never be what breaks a search.
        except (GeopyError, OSError, ValueError) as exc:
            # The query is a user's location, so it stays out of the logs.
            logger.warning("Nominatim failed (%s); using offline ZIP data.", type(exc).__name__)
            found = None
        else:
            if found is None or _precision_from_raw(found.raw) is None:
                logger.warning("Nominatim found no usable US match; using offline ZIP data.")
                found = None
        if found is not None:
            return found if exactly_one else [found]
        fallback = self.offline.geocode(text)
        if fallback is None:
            return None
        # Marked so geocode() caches it only briefly and asks Nominatim again later.
        marked = Location(fallback.address, fallback.point, {**fallback.raw, "fallback": True})
        return marked if exactly_one else [marked]

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: Any = None) -> None:
        raise NotImplementedError("NominatimFallbackGeocoder does not reverse-geocode.")


@lru_cache(maxsize=1)
def _offline_geocoder() -> OfflineGeocoder:
    return OfflineGeocoder()


# One instance per configuration, so its RateLimiter spaces out every request in the process.
@lru_cache(maxsize=4)
def _nominatim_geocoder(
    domain: str, scheme: str, user_agent: str, timeout: float
) -> NominatimFallbackGeocoder:
    return NominatimFallbackGeocoder(
        domain=domain,
        scheme=scheme,
        user_agent=user_agent,
        timeout=timeout,
        offline=_offline_geocoder(),
    )


def get_geocoder() -> Geocoder:
    """The geocoder chosen by `settings.GEOCODER`: "offline" (default) or "nominatim"."""
    backend = getattr(settings, "GEOCODER", "offline")
    if backend == "offline":
        return _offline_geocoder()
    if backend == "nominatim":
        return _nominatim_geocoder(
            getattr(settings, "GEOCODER_NOMINATIM_DOMAIN", "nominatim.openstreetmap.org"),
            getattr(settings, "GEOCODER_NOMINATIM_SCHEME", "https"),
            getattr(settings, "GEOCODER_USER_AGENT", "jointcare-finder"),
            float(getattr(settings, "GEOCODER_TIMEOUT_SECONDS", 5)),
        )
    raise ImproperlyConfigured(f"GEOCODER must be 'offline' or 'nominatim', not {backend!r}.")


# --- The entry point ---

_CACHE_VERSION = 1
_DEFAULT_CACHE_SECONDS = 7 * 24 * 3600
_DEFAULT_MISS_CACHE_SECONDS = 3600


def _cache_key(geocoder: Geocoder, normalized: str) -> str:
    namespace = getattr(geocoder, "cache_namespace", type(geocoder).__qualname__)
    digest = hashlib.sha256(normalized.encode()).hexdigest()
    return f"geocode:v{_CACHE_VERSION}:{namespace}:{digest}"


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # a cache outage must not fail a search; geocode uncached instead
        logger.warning("Geocode cache unavailable; looking up without it.", exc_info=True)
        return None


def _cache_set(key: str, value: tuple[Any, ...], timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # see _cache_get
        logger.warning("Geocode cache unavailable; result not cached.", exc_info=True)


def geocode(text: str, *, geocoder: Geocoder | None = None) -> GeoPoint | None:
    """Locate US location text with the configured geocoder; None when it cannot.

    Accepts a ZIP (ZIP+4 too), "City, ST", "City, State", a street address (resolved to its
    ZIP, else its city) and "lat,lng". Empty text and text over MAX_QUERY_LENGTH characters
    give None. Results, misses included, are cached by the normalized text.
    """
    if not isinstance(text, str) or len(text) > MAX_QUERY_LENGTH:
        return None
    query = " ".join(text.split())
    if not query:
        return None
    geocoder = geocoder if geocoder is not None else get_geocoder()
    if getattr(geocoder, "in_memory", False):
        return _locate(geocoder, query)[0]
    key = _cache_key(geocoder, query.lower())
    # Stored as plain tuples, () for a miss: pickles stay valid if GeoPoint changes shape.
    cached = _cache_get(key)
    if cached is not None:
        return GeoPoint(*cached) if cached else None

    point, fallback = _locate(geocoder, query)
    hit_seconds = getattr(settings, "GEOCODER_CACHE_SECONDS", _DEFAULT_CACHE_SECONDS)
    miss_seconds = getattr(settings, "GEOCODER_MISS_CACHE_SECONDS", _DEFAULT_MISS_CACHE_SECONDS)
    if point is None:
        _cache_set(key, (), miss_seconds)
    else:
        value = (point.lat, point.lng, point.label, point.precision)
        _cache_set(key, value, miss_seconds if fallback else hit_seconds)
    return point


def _locate(geocoder: Geocoder, query: str) -> tuple[GeoPoint | None, bool]:
    """The point for `query`, and whether it is a fallback answer (the remote geocoder
    failed), which is cached only as briefly as a miss."""
    location = geocoder.geocode(query)
    if isinstance(location, list):
        location = location[0] if location else None
    if location is None:
        return None, False
    precision = _precision_from_raw(location.raw)
    if precision is None:
        return None, False
    point = GeoPoint(location.latitude, location.longitude, location.address, precision)
    return point, bool(location.raw.get("fallback"))
