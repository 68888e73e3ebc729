import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from geopy.location import Location
from hypothesis import given
from hypothesis import strategies as st

from finder.geocode import (
    MAX_QUERY_LENGTH,
    GeoPoint,
    OfflineGeocoder,
    _cache_key,
    cities_like,
    cities_named,
    geocode,
    get_geocoder,
    largest_cities,
    normalize_zip,
    state_named,
    zip_centroid,
)

AUSTIN_78701 = GeoPoint(lat=30.2713, lng=-97.7426, label="Austin, TX 78701", precision="zip")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def assert_near(point: GeoPoint | None, lat: float, lng: float, tolerance: float = 0.3) -> None:
    assert point is not None
    assert point.lat == pytest.approx(lat, abs=tolerance)
    assert point.lng == pytest.approx(lng, abs=tolerance)


class CountingGeocoder(OfflineGeocoder):
    """Offline answers, counted; not in memory as far as caching goes, like a remote one."""

    in_memory = False

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def geocode(self, query: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return super().geocode(query, **kwargs)


# --- ZIP codes ---


def test_it_locates_a_zip_code_at_its_centroid() -> None:
    assert geocode("78701") == AUSTIN_78701


@pytest.mark.parametrize("text", ["78701-1234", "787011234", "78701 1234", "  78701  "])
def test_it_accepts_zip_plus_four_and_surrounding_spaces(text: str) -> None:
    assert geocode(text) == AUSTIN_78701


def test_it_does_not_locate_an_unknown_zip_code() -> None:
    assert geocode("00000") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("78701", "78701"),
        (" 78701-1234 ", "78701"),
        ("787011234", "78701"),
        ("02134", "02134"),
        ("7870", None),
        ("78701-12", None),
        ("7870112345", None),
        ("abcde", None),
        ("", None),
    ],
)
def test_normalize_zip_keeps_the_five_digit_zip(text: str, expected: str | None) -> None:
    assert normalize_zip(text) == expected


def test_zip_centroid_accepts_zip_plus_four() -> None:
    assert zip_centroid("78701") == (30.2713, -97.7426)
    assert zip_centroid("78701-1234") == (30.2713, -97.7426)


def test_zip_centroid_is_none_for_unknown_or_malformed_zips() -> None:
    assert zip_centroid("00000") is None
    assert zip_centroid("Austin") is None


# --- Cities ---


@pytest.mark.parametrize(
    "text",
    ["Austin, TX", "austin, tx", "Austin TX", "Austin, Texas", "AUSTIN texas", "  Austin ,  TX "],
)
def test_it_locates_a_city_written_in_any_common_form(text: str) -> None:
    point = geocode(text)
    assert point is not None
    assert (point.label, point.precision) == ("Austin, TX", "city")
    assert_near(point, 30.27, -97.74)


def test_it_locates_new_york_city() -> None:
    for text in ("new york, ny", "New York New York"):
        point = geocode(text)
        assert point is not None
        assert point.label == "New York, NY"
        assert_near(point, 40.75, -73.99)


@pytest.mark.parametrize(
    "text", ["St. Louis, MO", "Saint Louis MO", "st louis, missouri", "ST. LOUIS MO"]
)
def test_it_reads_st_as_saint(text: str) -> None:
    point = geocode(text)
    assert point is not None
    assert point.label == "Saint Louis, MO"
    assert_near(point, 38.63, -90.24)


def test_it_reads_ste_as_sainte() -> None:
    point = geocode("Ste. Genevieve, MO")
    assert point is not None
    assert point.label == "Sainte Genevieve, MO"


@pytest.mark.parametrize(
    "text",
    ["Washington, DC", "Washington DC", "washington, d.c.", "Washington, District of Columbia"],
)
def test_it_locates_washington_dc(text: str) -> None:
    point = geocode(text)
    assert point is not None
    assert point.label == "Washington, DC"
    assert_near(point, 38.90, -77.03)


def test_it_reads_washington_as_the_state_after_a_city() -> None:
    point = geocode("Seattle, Washington")
    assert point is not None
    assert point.label == "Seattle, WA"


def test_it_prefers_the_longest_state_name() -> None:
    point = geocode("Charleston West Virginia")
    assert point is not None
    assert point.label == "Charleston, WV"


def test_it_locates_honolulu() -> None:
    assert_near(geocode("Honolulu, HI"), 21.31, -157.86)
    assert_near(geocode("96813"), 21.31, -157.86)


def test_it_locates_anchorage() -> None:
    assert_near(geocode("Anchorage, AK"), 61.22, -149.90)
    assert_near(geocode("99501"), 61.22, -149.90)


# --- Street addresses ---


@pytest.mark.parametrize(
    "text",
    [
        "100 Congress Ave, Austin, TX 78701",
        "100 Congress Ave, Austin, TX 78701-1234",
        "100 Congress Ave, Austin, TX 787011234",
        "100 Congress Ave, Austin, TX 78701, USA",
    ],
)
def test_it_locates_a_street_address_by_its_zip(text: str) -> None:
    assert geocode(text) == AUSTIN_78701


@pytest.mark.parametrize(
    "text",
    [
        "100 Congress Ave, Austin, TX",
        "100 Congress Ave Austin TX",
        "100 Congress Ave, Austin, TX 00000",
        "100 Congress Ave, Austin, Texas, United States",
    ],
)
def test_it_locates_a_street_address_without_a_known_zip_by_its_city(text: str) -> None:
    point = geocode(text)
    assert point is not None
    assert (point.label, point.precision) == ("Austin, TX", "city")


# --- Coordinates ---


@pytest.mark.parametrize("text", ["30.27,-97.74", "30.27, -97.74", " 30.27 ,-97.74 "])
def test_it_reads_latitude_and_longitude_text(text: str) -> None:
    assert geocode(text) == GeoPoint(
        lat=30.27, lng=-97.74, label="30.27, -97.74", precision="coordinates"
    )


def test_it_accepts_coordinates_on_the_range_limits() -> None:
    assert geocode("-90, 180") is not None
    assert geocode("90,-180") is not None


@pytest.mark.parametrize("text", ["91,0", "-90.5, 10", "45, 181", "45,-180.01", "nan,5", "5, inf"])
def test_it_rejects_out_of_range_or_non_finite_coordinates(text: str) -> None:
    assert geocode(text) is None


@pytest.mark.parametrize(
    ("text", "label"),
    [("Chicago", "Chicago, IL"), ("new york", "New York, NY"), ("Seattle, USA", "Seattle, WA"),
     ("100 Main St, Chicago", "Chicago, IL")],
)  # fmt: skip
def test_it_locates_a_city_without_its_state_where_only_one_state_has_it(text, label) -> None:
    point = geocode(text)
    assert point is not None
    assert (point.label, point.precision) == (label, "city")


def test_a_city_name_several_states_share_is_not_guessed_but_listed_largest_first() -> None:
    assert geocode("Springfield") is None
    assert geocode("Austin") is None
    austins = cities_named("Austin")
    assert austins[0] == "Austin, TX"  # the most ZIP codes
    assert {"Austin, MN", "Austin, IN"} <= set(austins)
    assert len(austins) == len(set(austins))
    assert cities_named(" portland , USA")[:2] == ["Portland, OR", "Portland, ME"]


@pytest.mark.parametrize(
    ("text", "like"),
    [("Austn, TX", ["Austin, TX"]), ("Huston, Texas", ["Houston, TX"]),
     ("100 Congres Ave Austn TX", ["Austin, TX"]),
     ("San Fransisco, CA, USA", ["San Francisco, CA"]),
     ("Filadelphia, PA 19999", ["Philadelphia, PA"]),
     ("Qqqq, TX", []), ("Austin, ZZ", []), ("Austn", []), ("xyz", []), ("", []), ("x" * 201, [])],
)  # fmt: skip
def test_a_misspelt_city_with_its_state_suggests_the_cities_spelled_like_it(text, like) -> None:
    assert cities_like(text)[: len(like) or None] == like


def test_it_suggests_up_to_three_cities_closest_first() -> None:
    like = cities_like("Pittsburg, PA")
    assert like[0] == "Pittsburgh, PA"
    assert 1 < len(like) <= 3


@pytest.mark.parametrize(
    ("text", "state"),
    [("Texas", "TX"), (" tx ", "TX"), ("New York, USA", "NY"), ("District of Columbia", "DC"),
     ("Austin, TX", None), ("xyz", None), ("", None), ("x" * 201, None)],
)  # fmt: skip
def test_it_tells_text_that_is_only_a_state(text: str, state: str | None) -> None:
    assert state_named(text) == state


def test_a_states_largest_cities_leave_out_single_mail_receivers() -> None:
    assert largest_cities("TX", 3)[0] == "Houston, TX"
    assert len(largest_cities("TX", 3)) == 3
    # DC's other USPS "cities" are single large mail receivers (Parcel Return Service).
    assert largest_cities("DC", 6) == ["Washington, DC"]
    assert largest_cities("ZZ", 3) == []


@pytest.mark.parametrize("text", ["xyz", "Austin, TX", "Austin, ZZ", "", "Main Street", "x" * 201])
def test_only_a_bare_city_name_is_listed_as_a_choice(text: str) -> None:
    # "Austin, TX" names one place; the others name no city at all.
    assert cities_named(text) == []


# --- What it cannot locate ---


@pytest.mark.parametrize(
    "text", ["xyz", "Nowhere, ZZ", "Austin", "Texas", "Austin, ZZ", "", "   ", ", ,"]
)
def test_it_returns_none_for_text_that_is_not_a_us_location(text: str) -> None:
    assert geocode(text) is None


def test_it_rejects_text_over_the_length_limit() -> None:
    assert geocode("Austin, TX".ljust(MAX_QUERY_LENGTH)) is not None
    assert geocode("Austin, TX".ljust(MAX_QUERY_LENGTH + 1)) is None


@given(st.text(max_size=MAX_QUERY_LENGTH))
def test_the_offline_geocoder_never_raises_on_any_text(text: str) -> None:
    result = OfflineGeocoder().geocode(text)
    assert result is None or isinstance(result, Location)
    # What an unknown place's 400 suggests is worked out from the same text.
    for suggested in (cities_named(text), cities_like(text)):
        assert all(label.count(", ") == 1 for label in suggested)


# --- The geopy interface ---


def test_the_offline_geocoder_returns_geopy_locations() -> None:
    location = OfflineGeocoder().geocode("Austin, TX 78701")
    assert isinstance(location, Location)
    assert location.address == "Austin, TX 78701"
    assert (location.latitude, location.longitude) == (30.2713, -97.7426)
    assert location.raw == {"kind": "zip", "zip_code": "78701", "city": "Austin", "state": "TX"}


def test_the_offline_geocoder_returns_a_list_when_asked_for_all_matches() -> None:
    locations = OfflineGeocoder().geocode("Austin, TX", exactly_one=False)
    assert isinstance(locations, list)
    assert [location.raw for location in locations] == [
        {"kind": "city", "zip_code": None, "city": "Austin", "state": "TX"}
    ]


# --- Caching ---


def test_it_caches_results_by_normalized_text() -> None:
    geocoder = CountingGeocoder()
    first = geocode("Austin, TX", geocoder=geocoder)
    assert geocode("Austin, TX", geocoder=geocoder) == first
    assert geocode("  AUSTIN,   tx ", geocoder=geocoder) == first
    assert geocoder.calls == 1


def test_the_in_memory_offline_geocoder_bypasses_the_shared_cache() -> None:
    key = _cache_key(OfflineGeocoder(), "austin, tx 78701")
    assert geocode("Austin, TX 78701") == AUSTIN_78701
    assert cache.get(key) is None
    # The same lookup through a geocoder that is not in memory is cached under that key.
    assert geocode("Austin, TX 78701", geocoder=CountingGeocoder()) == AUSTIN_78701
    assert cache.get(key) == (30.2713, -97.7426, "Austin, TX 78701", "zip")


def test_it_caches_misses() -> None:
    geocoder = CountingGeocoder()
    assert geocode("Nowhere, ZZ", geocoder=geocoder) is None
    assert geocode("Nowhere, ZZ", geocoder=geocoder) is None
    assert geocoder.calls == 1


def test_it_does_not_call_the_geocoder_for_rejected_text() -> None:
    geocoder = CountingGeocoder()
    assert geocode("", geocoder=geocoder) is None
    assert geocode("x" * (MAX_QUERY_LENGTH + 1), geocoder=geocoder) is None
    assert geocoder.calls == 0


# --- Configuration and the Nominatim fallback ---

# Port 9 (discard) is closed on test machines, so the connection is refused at once: no network.
UNREACHABLE_NOMINATIM = {
    "GEOCODER": "nominatim",
    "GEOCODER_NOMINATIM_DOMAIN": "127.0.0.1:9",
    "GEOCODER_NOMINATIM_SCHEME": "http",
    "GEOCODER_TIMEOUT_SECONDS": 1,
}


def test_the_default_geocoder_is_offline() -> None:
    assert isinstance(get_geocoder(), OfflineGeocoder)


@override_settings(GEOCODER="google")
def test_it_rejects_an_unknown_geocoder_setting() -> None:
    with pytest.raises(ImproperlyConfigured):
        get_geocoder()


@override_settings(**UNREACHABLE_NOMINATIM)
def test_it_falls_back_to_offline_data_when_nominatim_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="finder.geocode"):
        point = geocode("100 Congress Ave, Austin, TX 78701")
    assert point == AUSTIN_78701
    assert "Nominatim failed" in caplog.text
    # The query is a user's address: it must not reach the logs.
    assert "Congress" not in caplog.text


@override_settings(**UNREACHABLE_NOMINATIM)
def test_it_answers_zip_codes_and_coordinates_offline_even_with_nominatim(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="finder.geocode"):
        assert geocode("78701") == AUSTIN_78701
        assert geocode("30.27,-97.74") is not None
    assert caplog.text == ""


class FakeNominatim:
    """A local HTTP server answering /search with canned JSON: the online path, no network."""

    def __init__(self) -> None:
        self.results: list[dict[str, Any]] = []
        self.requests: list[tuple[dict[str, list[str]], str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(
                    (parse_qs(urlsplit(self.path).query), self.headers["User-Agent"])
                )
                body = json.dumps(fake.results).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.domain = f"127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    fake = FakeNominatim()
    thread = threading.Thread(
        target=fake.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    # A fresh port per test also means a fresh RateLimiter, so no test waits a second.
    with override_settings(
        GEOCODER="nominatim",
        GEOCODER_NOMINATIM_DOMAIN=fake.domain,
        GEOCODER_NOMINATIM_SCHEME="http",
        GEOCODER_USER_AGENT="jointcare-tests",
        GEOCODER_TIMEOUT_SECONDS=2,
    ):
        yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_it_uses_nominatim_street_results_restricted_to_the_us(nominatim: FakeNominatim) -> None:
    nominatim.results = [
        {
            "lat": "30.2651",
            "lon": "-97.7441",
            "display_name": "100, Congress Avenue, Austin, Texas, 78701, United States",
            "class": "building",
            "type": "yes",
            "addresstype": "building",
        }
    ]
    point = geocode("100 Congress Ave, Austin, TX")
    assert point == GeoPoint(
        lat=30.2651,
        lng=-97.7441,
        label="100, Congress Avenue, Austin, Texas, 78701, United States",
        precision="street",
    )
    [(params, user_agent)] = nominatim.requests
    assert params["q"] == ["100 Congress Ave, Austin, TX"]
    assert params["countrycodes"] == ["us"]
    assert user_agent == "jointcare-tests"


@pytest.mark.parametrize(
    "results",
    [
        [],
        [
            {
                "lat": "31.2639",
                "lon": "-98.5457",
                "display_name": "Texas, United States",
                "class": "boundary",
                "type": "administrative",
                "addresstype": "state",
            }
        ],
    ],
    ids=["no-result", "state-only"],
)
def test_it_falls_back_to_offline_data_when_nominatim_has_no_usable_result(
    nominatim: FakeNominatim, results: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    nominatim.results = results
    with caplog.at_level(logging.WARNING, logger="finder.geocode"):
        point = geocode("100 Congress Ave, Austin, TX 78701")
    assert point == AUSTIN_78701
    assert len(nominatim.requests) == 1
    assert "no usable US match" in caplog.text
