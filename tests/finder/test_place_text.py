"""Place text is total: whatever a client types as `near`, the parser returns a search or
raises the validation error, and the API and the search page answer 200 or 400."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from finder.search.params import SearchQuery, parse_search_query
from providers.geo import TERRITORIES
from providers.states import US_STATES

STATES_AND_TERRITORIES = {**US_STATES, **TERRITORIES}
MILITARY_CODES = ["AA", "AE", "AP", "APO AE", "FPO AP"]

# Any Unicode text (surrogates cannot be sent as UTF-8, so Hypothesis leaves them out),
# with the control, combining and right-to-left characters and the astral planes that
# fuzzers find, up to past the parser's length limit.
any_text = st.text(max_size=260)
awkward_characters = st.sampled_from(
    ["\x00", "\x85", "\x8a", "\u0301", "\u200f", "\u202e", "\ufeff", "\U0001f600", "\U00010348"]
)
place_words = st.one_of(
    st.sampled_from(sorted(STATES_AND_TERRITORIES)),
    st.sampled_from(sorted(STATES_AND_TERRITORIES.values())),
    st.sampled_from(MILITARY_CODES),
    st.sampled_from(["Austin", "Springfield", "Saint Louis", "Micronesia", "USA", "D.C."]),
    st.from_regex(r"\d{5}(-\d{4})?", fullmatch=True),
    st.text(max_size=12),
)
place_parts = st.lists(
    st.tuples(place_words, awkward_characters | st.just("")).map("".join), max_size=5
)
place_text = st.one_of(
    any_text,
    place_words,
    place_parts.map(", ".join),
    place_parts.map(" ".join),
    st.text(min_size=190, max_size=230),
)


def parse_place(text: str) -> SearchQuery | None:
    """The parser's answer, or None for the validation error, naming `near` or nothing else."""
    try:
        return parse_search_query({"near": text})
    except ValidationError as exc:
        assert set(exc.detail) == {"near"}, exc.detail
        assert all(str(message) for message in exc.detail["near"])
        return None


@given(text=place_text)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(text="FM")
@example(text="fm")
@example(text="Micronesia")
@example(text="\x85Fm\x8a")
@example(text="Federated States of Micronesia")
@example(text="AE")
def test_the_parser_returns_a_place_or_a_validation_error(text):
    query = parse_place(text)
    if query is not None and query.origin is not None:
        assert -90 <= query.origin.lat <= 90
        assert -180 <= query.origin.lng <= 180


@pytest.mark.parametrize("code", sorted(STATES_AND_TERRITORIES))
def test_a_state_or_territory_alone_asks_for_a_smaller_place(code):
    name = STATES_AND_TERRITORIES[code]
    if code == "NY":  # the one state named like its own largest city
        assert parse_search_query({"near": name}).origin.label == "New York, NY"
        return
    with pytest.raises(ValidationError) as raised:
        parse_search_query({"near": name})

    message = str(raised.value.detail["near"][0])
    assert "too large an area" in message or "We have no listings data for" in message


@pytest.mark.parametrize("text", ["FM", "fm", "Micronesia", "Federated States of Micronesia"])
def test_a_territory_without_listings_data_says_so(client, db, text):
    response = client.get("/api/v1/providers/", {"near": text})

    assert response.status_code == 400
    assert response.json() == {
        "near": [
            "We have no listings data for the Federated States of Micronesia. Enter a US ZIP"
            " code or a city instead."
        ]
    }


@pytest.mark.parametrize("code", ["AA", "AE", "AP"])
def test_a_military_mail_code_is_explained(client, db, code):
    response = client.get("/api/v1/providers/", {"near": code})

    assert response.status_code == 400
    assert response.json() == {
        "near": [
            "Military mail codes (AA, AE, AP) name no place to search near. Enter a US ZIP"
            " code or a city instead."
        ]
    }


def test_the_fuzzers_url_answers_400_on_the_api_and_the_page(client, db):
    near = quote("\x85Fm\x8a")
    query = f"accepting_new_patients=true&radius_miles=1.0&near={near}"

    api = client.get(f"/api/v1/providers/?{query}")
    page = client.get(f"/?{query}")

    assert api.status_code == 400
    assert "Federated States of Micronesia" in api.json()["near"][0]
    assert page.status_code == 400
    assert "We have no listings data for the Federated States of Micronesia" in (
        page.content.decode()
    )


@given(text=place_text)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(text="FM")
@example(text="\x85Fm\x8a")
def test_the_api_and_the_search_page_answer_200_or_400(client, world, settings, text):
    settings.API_ANON_RATE = "100000/min"
    api = client.get("/api/v1/providers/", {"near": text})
    page = client.get("/", {"near": text})

    assert api.status_code in (200, 400), api.content
    assert page.status_code in (200, 400), page.content
    if api.status_code == 400:
        assert set(api.json()) <= {"near", "detail"}  # "detail": no place given at all
