"""The demo listings' languages, telehealth and access facts (providers/demo.py): who speaks
what where, and each fact's share of yes, no and unknown."""

import random

from providers.demo_places import DemoAddress, ZipGrid
from providers.models import Profession

# Languages beside English, by the share of a metro's providers who speak them: Spanish is
# common where Spanish is (Miami, San Antonio, Los Angeles, Houston, New York…), elsewhere by
# state (SPANISH_BY_STATE, else SPANISH_ELSEWHERE). Shaped on the Census Bureau's language
# spoken at home, scaled down for clinicians. Every demo provider speaks English.
LANGUAGE_SHARES: dict[str, dict[str, float]] = {
    "33101": {"es": 0.6, "ht": 0.08, "pt": 0.04},  # Miami
    "78205": {"es": 0.45},  # San Antonio
    "90012": {"es": 0.45, "ko": 0.06, "zh": 0.06, "tl": 0.04},  # Los Angeles
    "77002": {"es": 0.4, "vi": 0.06, "zh": 0.03},  # Houston
    "87102": {"es": 0.35},  # Albuquerque
    "93721": {"es": 0.35, "pa": 0.03},  # Fresno
    "85701": {"es": 0.3},  # Tucson
    "85004": {"es": 0.3},  # Phoenix
    "92101": {"es": 0.3, "tl": 0.04, "vi": 0.02},  # San Diego
    "75201": {"es": 0.3, "vi": 0.02},  # Dallas
    "95113": {"es": 0.3, "vi": 0.08, "zh": 0.08},  # San Jose
    "89101": {"es": 0.3, "tl": 0.04},  # Las Vegas
    "10001": {"es": 0.3, "zh": 0.08, "ru": 0.04, "ko": 0.04},  # New York
    "11201": {"es": 0.25, "ru": 0.08, "zh": 0.06, "ht": 0.04, "yi": 0.02},  # Brooklyn
    "90401": {"es": 0.25, "fa": 0.03},  # Santa Monica
    "78701": {"es": 0.25},  # Austin
    "60601": {"es": 0.25, "pl": 0.04},  # Chicago
    "33602": {"es": 0.25},  # Tampa
    "80202": {"es": 0.2},  # Denver
    "94103": {"es": 0.15, "zh": 0.12, "tl": 0.03},  # San Francisco
    "98101": {"zh": 0.05, "vi": 0.03, "ko": 0.03},  # Seattle
    "02108": {"pt": 0.04, "zh": 0.04, "ht": 0.03},  # Boston
    "96813": {"tl": 0.12, "ja": 0.06, "zh": 0.05, "sm": 0.02},  # Honolulu
    "55401": {"so": 0.04},  # Minneapolis
}
SPANISH_BY_STATE = {"CA": 0.2, "TX": 0.2, "FL": 0.2, "NM": 0.25, "AZ": 0.2, "NV": 0.15}
SPANISH_ELSEWHERE = 0.07
METRO_LANGUAGE_DEGREES = 0.4  # about 25 miles: the metro a listing near one of those ZIPs is in
LANGUAGES_ANYWHERE = {"hi": 0.015, "ar": 0.01, "fr": 0.01, "de": 0.01, "it": 0.005}
LANGUAGES_REPORTED_SHARE = 0.9  # the rest have not said which languages they speak
# (yes, no) shares of each fact; the rest unknown.
TELEHEALTH_SHARES = {
    Profession.CHIROPRACTOR: (0.1, 0.45),
    Profession.PHYSICAL_THERAPIST: (0.3, 0.35),
}
ACCESSIBLE_SHARES = (0.8, 0.08)
EVENING_SHARES = (0.35, 0.45)
WEEKEND_SHARES = (0.25, 0.55)


def pick_languages(rng: random.Random, grid: ZipGrid, address: DemoAddress) -> list[str]:
    """English and the languages drawn for the address's metro (LANGUAGE_SHARES); none for a
    provider who has not reported any."""
    if rng.random() >= LANGUAGES_REPORTED_SHARE:
        return []
    shares = {
        "es": SPANISH_BY_STATE.get(address.state, SPANISH_ELSEWHERE),
        **LANGUAGES_ANYWHERE,
        **metro_language_shares(grid, address),
    }
    return ["en", *(code for code, share in shares.items() if rng.random() < share)]


def metro_language_shares(grid: ZipGrid, address: DemoAddress) -> dict[str, float]:
    """LANGUAGE_SHARES of the metro whose ZIP lies within METRO_LANGUAGE_DEGREES of the
    address (listings are scattered about their metro ZIP), else none."""
    for zip_code, shares in LANGUAGE_SHARES.items():
        metro = grid.zips.get(zip_code)
        if metro is not None and (
            abs(metro.lat - address.latitude) < METRO_LANGUAGE_DEGREES
            and abs(metro.lng - address.longitude) < METRO_LANGUAGE_DEGREES
        ):
            return shares
    return {}


def location_access(rng: random.Random) -> tuple[bool | None, bool | None, bool | None]:
    """(wheelchair-accessible entrance, evening hours, weekend hours) of one location."""
    return (
        yes_no_unknown(rng, ACCESSIBLE_SHARES),
        yes_no_unknown(rng, EVENING_SHARES),
        yes_no_unknown(rng, WEEKEND_SHARES),
    )


def yes_no_unknown(rng: random.Random, shares: tuple[float, float]) -> bool | None:
    draw = rng.random()
    return True if draw < shares[0] else False if draw < shares[0] + shares[1] else None
