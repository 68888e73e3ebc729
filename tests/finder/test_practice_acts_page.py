"""The /practice-acts/ page: every jurisdiction, both professions, sources and explanations."""

import re

import pytest
from django.urls import reverse

from providers.states import US_STATES


@pytest.fixture
def page(client, reference_data) -> str:
    response = client.get(reverse("finder:practice-acts"))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == [
        "finder/practice_acts.html",
        "base.html",
    ]
    return response.content.decode()


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def state_section(html: str, state: str) -> str:
    """The <tbody> of one state's rows."""
    match = re.search(rf'<tbody id="state-{state}">(.*?)</tbody>', html, re.S)
    assert match, f"no rows for {state}"
    return squeeze(match.group(1))


def test_it_lists_every_jurisdiction_with_an_anchor(page):
    for code, name in US_STATES.items():
        assert name in page
        assert page.count(f'id="state-{code}"') == 1
    assert page.count("<tbody id=") == 51


def test_each_state_has_a_row_per_profession(page):
    for code in US_STATES:
        rows = state_section(page, code)
        assert rows.count("<tr>") == 2
        assert '<th scope="row">Physical therapist</th>' in rows
        assert '<th scope="row">Chiropractor</th>' in rows


def test_it_shows_the_washington_endorsement_badge_and_history(page):
    washington = state_section(page, "WA")
    assert '<span class="badge badge-requires_endorsement">requires endorsement</span>' in (
        washington
    )
    assert (
        'Before July 1, 2015: <span class="badge badge-prohibited">prohibited</span>' in washington
    )


def test_it_shows_maines_earlier_restriction(page):
    maine = state_section(page, "ME")
    assert (
        'Before January 1, 2023: <span class="badge badge-restricted">restricted or disputed</span>'
        in maine
    )


def test_it_shows_chiropractic_findings(page):
    assert '<span class="badge badge-prohibited">prohibited</span>' in state_section(page, "TX")
    assert '<span class="badge badge-restricted">restricted or disputed</span>' in (
        state_section(page, "NY")
    )


def test_it_links_the_sources(page):
    washington = state_section(page, "WA")
    assert (
        '<a href="https://apps.leg.wa.gov/rcw/default.aspx?cite=18.74" rel="noopener" '
        'hreflang="en">Source 1</a>' in washington
    )
    assert page.count('rel="noopener"') >= 102


def test_it_shows_confidence_and_last_reviewed(page):
    washington = state_section(page, "WA")
    assert '<abbr title="High: statute, regulator or court text">H</abbr>' in washington
    assert '<time datetime="2026-11-27">November 27, 2026</time>' in washington


def test_it_has_the_disclaimer_and_explanations(page):
    text = squeeze(page)
    assert "Not legal advice." in text
    assert "check with the state licensing board" in text
    for heading in (
        "Thrust manipulation and mobilization",
        "Direct access to physical therapists",
        "What the badges mean",
        "Confidence levels",
        "Rules by state",
    ):
        assert f">{heading}</h2>" in text
    assert "high velocity, low amplitude" in text
    assert "gas being released" in text


def test_the_table_is_accessible(page):
    assert '<div class="table-scroll"' in page
    assert "<caption>" in page
    assert page.count('<th scope="col">') == 10
    assert page.count('<th scope="rowgroup" rowspan="2">') == 51


def test_states_without_data_still_get_a_row(client, db):
    response = client.get(reverse("finder:practice-acts"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tbody id=") == 51
    assert "No practice-act data is on record" in state_section(html, "WA")


def test_the_page_runs_a_constant_number_of_queries(
    client, reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        assert client.get(reverse("finder:practice-acts")).status_code == 200
