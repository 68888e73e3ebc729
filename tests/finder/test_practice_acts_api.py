"""Contract tests for /api/v1/practice-acts/ against the real reference data.

Scope values, confidence and dates are asserted literally; the long notes and source lists are
taken from `providers.reference_data.PRACTICE_ACTS`, the data the loader writes.
"""

from datetime import date
from typing import Any

import pytest

from providers.models import Profession
from providers.reference_data import PRACTICE_ACTS
from providers.states import US_STATES

PT = Profession.PHYSICAL_THERAPIST
CHIRO = Profession.CHIROPRACTOR
REVIEWED = "2026-11-27"
CACHE_CONTROL = "public, max-age=3600"


def data_row(state: str, profession: str, effective_from: date | None = None) -> dict[str, Any]:
    return next(
        row
        for row in PRACTICE_ACTS
        if (row["state"], row["profession"], row["effective_from"])
        == (state, profession, effective_from)
    )


def rule(
    state: str,
    profession: str,
    *,
    spinal: str,
    extremity: str,
    mua: str,
    access: str,
    confidence: str,
    effective_from: str | None = None,
) -> dict[str, Any]:
    """The expected rule fields; only the note and sources come from the data module."""
    start = date.fromisoformat(effective_from) if effective_from else None
    row = data_row(state, profession, start)
    return {
        "spinal_manipulation": spinal,
        "extremity_manipulation": extremity,
        "manipulation_under_anesthesia": mua,
        "direct_access": access,
        "note": row["note"],
        "sources": row["sources"],
        "last_reviewed": REVIEWED,
        "confidence": confidence,
        "effective_from": effective_from,
    }


def chiropractor(state: str, *, extremity: str, mua: str, confidence: str) -> dict[str, Any]:
    return {
        **rule(
            state,
            CHIRO,
            spinal="allowed",
            extremity=extremity,
            mua=mua,
            access="unrestricted",
            confidence=confidence,
        ),
        "history": [],
    }


def pt(
    state: str, *, spinal: str, access: str, confidence: str, history: list | None = None
) -> dict[str, Any]:
    return {
        **rule(
            state,
            PT,
            spinal=spinal,
            extremity="allowed",
            mua="unknown",
            access=access,
            confidence=confidence,
            effective_from=None if history is None else history[-1]["superseded_on"],
        ),
        "history": history or [],
    }


WA_PT_BEFORE_2015 = {
    **rule(
        "WA",
        PT,
        spinal="prohibited",
        extremity="allowed",
        mua="unknown",
        access="unknown",
        confidence="H",
    ),
    "superseded_on": "2015-07-01",
}
ME_PT_BEFORE_2023 = rule(
    "ME", PT, spinal="restricted", extremity="allowed", mua="unknown", access="provisional",
    confidence="M",
)  # fmt: skip

# AR, TN and ME (PT) and NJ and TX (chiropractors) are one level below the domain reference's
# grade: their findings rest on copies on third-party sites (providers/reference_sources.py).
EXPECTED: dict[str, dict[str, Any]] = {
    "WA": {
        "state": "WA",
        "name": "Washington",
        "professions": {
            PT: pt(
                "WA",
                spinal="requires_endorsement",
                access="provisional",
                confidence="H",
                history=[WA_PT_BEFORE_2015],
            ),
            CHIRO: chiropractor("WA", extremity="unknown", mua="unknown", confidence="L"),
        },
    },
    "AR": {
        "state": "AR",
        "name": "Arkansas",
        "professions": {
            PT: pt("AR", spinal="restricted", access="provisional", confidence="L"),
            CHIRO: chiropractor("AR", extremity="unknown", mua="unknown", confidence="L"),
        },
    },
    "TN": {
        "state": "TN",
        "name": "Tennessee",
        "professions": {
            PT: pt("TN", spinal="restricted", access="provisional", confidence="L"),
            CHIRO: chiropractor("TN", extremity="allowed", mua="unknown", confidence="L"),
        },
    },
    "WV": {
        "state": "WV",
        "name": "West Virginia",
        "professions": {
            PT: pt("WV", spinal="restricted", access="unrestricted", confidence="M"),
            CHIRO: chiropractor("WV", extremity="unknown", mua="unknown", confidence="L"),
        },
    },
    "ME": {
        "state": "ME",
        "name": "Maine",
        "professions": {
            PT: pt(
                "ME",
                spinal="allowed",
                access="provisional",
                confidence="L",
                history=[{**ME_PT_BEFORE_2023, "superseded_on": "2023-01-01"}],
            ),
            CHIRO: chiropractor("ME", extremity="unknown", mua="unknown", confidence="L"),
        },
    },
    "TX": {
        "state": "TX",
        "name": "Texas",
        "professions": {
            PT: pt("TX", spinal="allowed", access="provisional", confidence="L"),
            CHIRO: chiropractor("TX", extremity="unknown", mua="prohibited", confidence="M"),
        },
    },
    "NY": {
        "state": "NY",
        "name": "New York",
        "professions": {
            PT: pt("NY", spinal="allowed", access="provisional", confidence="M"),
            CHIRO: chiropractor("NY", extremity="restricted", mua="unknown", confidence="H"),
        },
    },
    "NJ": {
        "state": "NJ",
        "name": "New Jersey",
        "professions": {
            PT: pt("NJ", spinal="allowed", access="provisional", confidence="L"),
            CHIRO: chiropractor("NJ", extremity="allowed", mua="unknown", confidence="M"),
        },
    },
    # No known restriction: "allowed" with low confidence, not a confirmation.
    "CO": {
        "state": "CO",
        "name": "Colorado",
        "professions": {
            PT: pt("CO", spinal="allowed", access="unrestricted", confidence="L"),
            CHIRO: chiropractor("CO", extremity="unknown", mua="unknown", confidence="L"),
        },
    },
}


@pytest.mark.parametrize("state", sorted(EXPECTED))
def test_it_returns_the_state_object_for_both_professions(client, reference_data, state):
    response = client.get(f"/api/v1/practice-acts/{state}/")
    assert response.status_code == 200
    assert response.json() == EXPECTED[state]


def test_it_cites_washingtons_endorsement_statute(client, reference_data):
    body = client.get("/api/v1/practice-acts/WA/").json()
    assert (
        "https://apps.leg.wa.gov/rcw/default.aspx?cite=18.74"
        in (body["professions"][PT]["sources"])
    )


def test_it_evaluates_the_rules_in_force_on_a_past_date(client, reference_data):
    response = client.get("/api/v1/practice-acts/ME/", {"on": "2022-06-01"})
    assert response.status_code == 200
    assert response.json() == {
        "state": "ME",
        "name": "Maine",
        "professions": {
            PT: {**ME_PT_BEFORE_2023, "history": []},
            CHIRO: chiropractor("ME", extremity="unknown", mua="unknown", confidence="L"),
        },
    }


def test_it_switches_to_the_new_rule_on_its_start_date(client, reference_data):
    before = client.get("/api/v1/practice-acts/WA/", {"on": "2015-06-30"}).json()
    on_the_day = client.get("/api/v1/practice-acts/WA/", {"on": "2015-07-01"}).json()
    assert before["professions"][PT]["spinal_manipulation"] == "prohibited"
    assert before["professions"][PT]["history"] == []
    assert on_the_day == EXPECTED["WA"]


def test_it_accepts_a_lower_case_state_code(client, reference_data):
    response = client.get("/api/v1/practice-acts/wa/")
    assert response.status_code == 200
    assert response.json() == EXPECTED["WA"]


def test_it_returns_404_for_an_unknown_state(client, reference_data):
    response = client.get("/api/v1/practice-acts/ZZ/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Unknown state 'ZZ'. Use a two-letter US state code such as 'WA' or 'DC'."
    }


@pytest.mark.parametrize("state", ["W1", "WASH", "W", "12", "w-", "WA%0A"])
def test_it_rejects_a_malformed_state_code(client, reference_data, state):
    response = client.get(f"/api/v1/practice-acts/{state}/")
    assert response.status_code == 400
    assert response.json() == {"state": ["Use a two-letter US state code such as 'WA'."]}


def test_it_returns_404_for_a_known_state_without_data(client, db):
    response = client.get("/api/v1/practice-acts/WY/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No practice-act data is loaded for Wyoming (WY)."}


@pytest.mark.parametrize("on", ["2022-13-01", "yesterday", "06/01/2022", "2022-06-01T00:00"])
@pytest.mark.parametrize("url", ["/api/v1/practice-acts/", "/api/v1/practice-acts/ME/"])
def test_it_rejects_a_malformed_date(client, reference_data, url, on):
    response = client.get(url, {"on": on})
    assert response.status_code == 400
    assert response.json() == {"on": ["Enter a date as YYYY-MM-DD."]}


def test_an_empty_date_means_today(client, reference_data):
    response = client.get("/api/v1/practice-acts/WA/", {"on": ""})
    assert response.status_code == 200
    assert response.json() == EXPECTED["WA"]


def test_it_reports_a_bad_state_and_a_bad_date_together(client, reference_data):
    response = client.get("/api/v1/practice-acts/WASH/", {"on": "soon"})
    assert response.status_code == 400
    assert response.json() == {
        "state": ["Use a two-letter US state code such as 'WA'."],
        "on": ["Enter a date as YYYY-MM-DD."],
    }


def test_the_list_has_one_object_per_jurisdiction_ordered_by_state(client, reference_data):
    response = client.get("/api/v1/practice-acts/")
    assert response.status_code == 200
    body = response.json()
    states = [entry["state"] for entry in body["results"]]
    assert body["count"] == len(body["results"]) == 51
    assert states == sorted(US_STATES)
    assert len(set(states)) == 51
    assert all(set(entry["professions"]) == {PT, CHIRO} for entry in body["results"])


def test_the_list_holds_the_same_objects_as_the_detail_endpoint(client, reference_data):
    results = {
        entry["state"]: entry for entry in client.get("/api/v1/practice-acts/").json()["results"]
    }
    for state, expected in EXPECTED.items():
        assert results[state] == expected


def test_the_list_evaluates_a_past_date(client, reference_data):
    body = client.get("/api/v1/practice-acts/", {"on": "2022-06-01"}).json()
    maine = next(entry for entry in body["results"] if entry["state"] == "ME")
    assert maine["professions"][PT] == {**ME_PT_BEFORE_2023, "history": []}
    assert body["count"] == 51


def test_the_list_runs_a_constant_number_of_queries(
    client, reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/practice-acts/")
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/practice-acts/", "/api/v1/practice-acts/WA/"])
def test_successful_responses_are_publicly_cacheable_for_an_hour(client, reference_data, url):
    assert client.get(url)["Cache-Control"] == CACHE_CONTROL


def test_errors_are_not_marked_cacheable(client, reference_data):
    assert "Cache-Control" not in client.get("/api/v1/practice-acts/WASH/")


def test_it_is_read_only(client, reference_data):
    assert client.post("/api/v1/practice-acts/", {}).status_code == 405
    assert client.delete("/api/v1/practice-acts/WA/").status_code == 405
