"""Offline US places: ZIP centroids and city centroids from the `zipcodes` package.

Used to place practice locations (providers) and to geocode what users type (finder).
Built once per process, lazily (about a second); lookups are dictionary reads.
"""

from __future__ import annotations

import json
import logging
import math
import re
import subprocess
import sys
import threading
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple

import zipcodes

from providers.states import US_STATES

logger = logging.getLogger(__name__)

# Territories present in the zipcodes data; practice acts cover only US_STATES, but a search
# origin in San Juan is still a valid place.
_TERRITORIES: dict[str, str] = {
    "PR": "Puerto Rico",
    "VI": "Virgin Islands",
    "GU": "Guam",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
    "FM": "Federated States of Micronesia",
    "MH": "Marshall Islands",
    "PW": "Palau",
}
_STATE_ALIASES: dict[str, str] = {
    "us virgin islands": "VI",
    "micronesia": "FM",
}
# Names read after "the" in a sentence ("no listings data for the Marshall Islands").
_NAMES_WITH_ARTICLE = frozenset({"VI", "FM", "MH", "MP"})
# MILITARY ZIPs (APO/FPO/DPO) route mail overseas and have no fixed place.
_INDEXED_ZIP_TYPES = ("STANDARD", "UNIQUE", "PO BOX")
# USPS spells these words out ("Saint Louis", "Fort Worth"); users often abbreviate them.
_CITY_WORD_EXPANSIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "point"}
_MAX_CITY_WORDS = 6  # "Saint Mary Of The Woods" is 5
_MAX_STATE_WORDS = 4  # "Federated States of Micronesia"

_WORD_RE = re.compile(r"[a-z0-9]+")
# "D.C." -> "dc" and "O'Fallon" -> "ofallon": periods and apostrophes join, the rest separates.
_JOINING_PUNCTUATION = str.maketrans("", "", ".'\u2019")


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().translate(_JOINING_PUNCTUATION))


def _city_key(words: list[str]) -> str:
    # Joined without spaces so "Coeur d'Alene" meets USPS's "Coeur D Alene".
    return "".join(_CITY_WORD_EXPANSIONS.get(word, word) for word in words)


_STATE_BY_WORDS: dict[str, str] = {
    **{abbr.lower(): abbr for abbr in (*US_STATES, *_TERRITORIES)},
    **{" ".join(_words(name)): abbr for abbr, name in (*US_STATES.items(), *_TERRITORIES.items())},
    **_STATE_ALIASES,
}


class _Place(NamedTuple):
    lat: float
    lng: float
    city: str
    state: str


class _Index(NamedTuple):
    zips: dict[str, _Place]
    # (city key, state) -> mean of the city's ZIP centroids, by USPS primary city name.
    cities: dict[tuple[str, str], _Place]
    # The same for USPS "acceptable" alternative names, consulted after primary names.
    alt_cities: dict[tuple[str, str], _Place]


def _coordinates(row: dict[str, Any]) -> tuple[float, float] | None:
    try:
        lat, lng = float(row["lat"]), float(row["long"])
    except (KeyError, TypeError, ValueError):
        return None
    # The data marks unknown coordinates as 0, which no US ZIP has.
    if not (math.isfinite(lat) and math.isfinite(lng)) or lat == 0 or lng == 0:
        return None
    return lat, lng


def _centroids(sums: dict[tuple[str, str], list[Any]]) -> dict[tuple[str, str], _Place]:
    # Rounded to the source's 4 decimals (about 11 m); more would be false precision.
    return {
        key: _Place(round(lat_sum / count, 4), round(lng_sum / count, 4), name, key[1])
        for key, (name, lat_sum, lng_sum, count) in sums.items()
    }


def _build_index() -> _Index:
    zips: dict[str, _Place] = {}
    sums: dict[tuple[str, str], list[Any]] = {}
    alt_sums: dict[tuple[str, str], list[Any]] = {}
    # filter_by returns fresh dicts without keeping the package's own ~90 MB list cached.
    for zip_type in _INDEXED_ZIP_TYPES:
        for row in zipcodes.filter_by_zip_code_type(zip_type):
            point = _coordinates(row)
            state = row.get("state") or ""
            city = row.get("city") or ""
            if point is None or not state or not city:
                continue
            lat, lng = point
            zips[row["zip_code"]] = _Place(lat, lng, city, state)
            for names, target in (([city], sums), (row.get("acceptable_cities") or [], alt_sums)):
                for name in names:
                    entry = target.setdefault((_city_key(_words(name)), state), [name, 0.0, 0.0, 0])
                    entry[1] += lat
                    entry[2] += lng
                    entry[3] += 1
    return _Index(zips=zips, cities=_centroids(sums), alt_cities=_centroids(alt_sums))


_index: _Index | None = None
_index_lock = threading.Lock()


def _get_index() -> _Index:
    global _index
    if _index is None:
        with _index_lock:  # concurrent first requests build it once
            if _index is None:
                _index = _load_index()
    return _index


def _load_index() -> _Index:
    """The index, built in a child process when possible.

    The zipcodes package parses its whole data set to answer any query: ≈150 MB of short-lived
    objects whose freed memory a long-lived worker keeps. Built in a child and passed back as
    JSON, a worker holds only the index itself (≈30 MB).
    """
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "providers.geo"],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            check=True,
            timeout=120,
        )
        return _index_from_json(completed.stdout)
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        logger.warning("Building the ZIP index in a child process failed; building it here")
        return _build_index()


def _index_to_json(index: _Index) -> str:
    return json.dumps(
        {
            "zips": index.zips,
            "cities": [[*key, *place] for key, place in index.cities.items()],
            "alt_cities": [[*key, *place] for key, place in index.alt_cities.items()],
        },
        separators=(",", ":"),
    )


def _index_from_json(raw: bytes) -> _Index:
    data = json.loads(raw)

    def places(rows: list) -> dict[tuple[str, str], _Place]:
        return {(key, state): _Place(*place) for key, state, *place in rows}

    return _Index(
        zips={zip_code: _Place(*place) for zip_code, place in data["zips"].items()},
        cities=places(data["cities"]),
        alt_cities=places(data["alt_cities"]),
    )


class _CityTables(NamedTuple):
    # City key -> every place with that USPS primary name, one per state: what a city
    # written without its state may mean.
    by_name: dict[str, list[_Place]]
    # State -> city key -> place, for every primary city name in the state.
    by_state: dict[str, dict[str, _Place]]
    # (city key, state) -> how many ZIP codes the city has.
    zip_counts: Counter[tuple[str, str]]


_city_tables: _CityTables | None = None


def _cities() -> _CityTables:
    """The cities by name and by state, each ordered the one with the most ZIP codes (a rough
    measure of size) first. Built from the index once per process (about 0.1 s; preload()
    does it)."""
    global _city_tables
    if _city_tables is None:
        index = _get_index()
        zip_counts = Counter(
            (_city_key(_words(place.city)), place.state) for place in index.zips.values()
        )
        tables = _CityTables({}, {}, zip_counts)
        for (name, state), place in sorted(
            index.cities.items(), key=lambda item: (-zip_counts[item[0]], item[0][1])
        ):
            tables.by_name.setdefault(name, []).append(place)
            tables.by_state.setdefault(state, {})[name] = place
        _city_tables = tables
    return _city_tables


def cities_in(state: str) -> dict[str, _Place]:
    """City key -> place for every USPS primary city name in `state`, largest first."""
    return _cities().by_state.get(state, {})


def largest_cities(state: str, count: int) -> list[_Place]:
    """Up to `count` of the state's largest cities, largest first: those with at least a
    tenth of the largest one's ZIP codes, which leaves out the names of single large mail
    receivers ("Parcel Return Service, DC")."""
    tables = _cities()
    ranked = list(islice(tables.by_state.get(state, {}).items(), count))
    if not ranked:
        return []
    most = tables.zip_counts[(ranked[0][0], state)]
    return [place for name, place in ranked if tables.zip_counts[(name, state)] * 10 >= most]


def places_named(words: list[str]) -> list[_Place]:
    """The places whose name is `words` (a city without its state), largest first."""
    return _cities().by_name.get(_city_key(words), []) if words else []


def preload() -> None:
    """Build the offline indexes now (about half a second) instead of on the first lookup."""
    _get_index()
    _cities()


def zip_index() -> dict[str, _Place]:
    """ZIP5 -> (lat, lng, city, state) for every ZIP with coordinates."""
    return _get_index().zips


_ZIP_RE = re.compile(r"\s*(\d{5})(?:[- ]?\d{4})?\s*")


def normalize_zip(text: str) -> str | None:
    """The 5-digit ZIP in `78701`, `78701-1234` or `787011234`; None if it is not one."""
    if not isinstance(text, str):
        return None
    match = _ZIP_RE.fullmatch(text)
    return match.group(1) if match else None


def zip_centroid(zip_code: str) -> tuple[float, float] | None:
    """(lat, lng) of a ZIP's centroid in decimal degrees; ZIP+4 accepted; None if unknown."""
    zip5 = normalize_zip(zip_code)
    place = _get_index().zips.get(zip5) if zip5 else None
    return (place.lat, place.lng) if place else None


Place = _Place
PlaceIndex = _Index
place_index = _get_index
words = _words
city_key = _city_key
STATE_BY_WORDS = _STATE_BY_WORDS
TERRITORIES = _TERRITORIES
MAX_CITY_WORDS = _MAX_CITY_WORDS
MAX_STATE_WORDS = _MAX_STATE_WORDS


def state_display_name(code: str) -> str:
    """The state's or territory's name as a sentence reads it: "Texas", "the Marshall
    Islands"."""
    name = US_STATES.get(code) or _TERRITORIES.get(code, code)
    return f"the {name}" if code in _NAMES_WITH_ARTICLE else name


if __name__ == "__main__":  # the child process of _load_index()
    sys.stdout.write(_index_to_json(_build_index()))
