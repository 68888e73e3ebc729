"""The /practice-acts/ page: every jurisdiction, both professions, sources and explanations."""

import re

import pytest
from django.urls import reverse

from providers.reference_data import PT_EXTREMITY_AND_MUA_NOTE, TWENTY_FIRST_STATE_NOTE
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


def state_row(html: str, state: str) -> str:
    """The index's table row of one state."""
    match = re.search(rf'<tr id="state-{state}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {state}"
    return squeeze(match.group(1))


def state_page(client, state: str) -> str:
    response = client.get(reverse("finder:practice-act-state", args=[state]))
    assert response.status_code == 200
    return squeeze(response.content.decode())


def test_it_lists_every_jurisdiction_with_an_anchor_and_a_link_to_its_page(page):
    for code, name in US_STATES.items():
        row = state_row(page, code)
        assert f'<a href="/practice-acts/{code}/">{name}</a>' in row
    assert page.count('<tr id="state-') == 51


def test_the_index_badges_say_what_they_are_about(page):
    washington = state_row(page, "WA")
    assert (
        '<span class="badge badge-requires_endorsement">Spinal: requires endorsement</span>'
        in washington
    )
    assert "Direct access: with provisions" in washington
    texas = state_row(page, "TX")
    assert '<span class="badge badge-prohibited">Under anesthesia: prohibited</span>' in texas
    new_york = state_row(page, "NY")
    assert '<span class="badge badge-restricted">Extremities: restricted or disputed</span>' in (
        new_york
    )


def test_caveats_for_every_state_are_said_once_above_the_table(page):
    text = squeeze(page)
    assert text.count(TWENTY_FIRST_STATE_NOTE) == 1
    assert text.count(PT_EXTREMITY_AND_MUA_NOTE) == 1
    assert text.index(TWENTY_FIRST_STATE_NOTE) < text.index('<table class="practice-acts">')


def test_a_state_page_says_the_rule_in_plain_words_first_then_the_detail_and_sources(
    client, reference_data
):
    washington = state_page(client, "WA")
    assert "<h1>Washington: rules for joint manipulation</h1>" in washington
    for heading in ("Physical therapists in Washington", "Chiropractors in Washington"):
        assert f">{heading}</h2>" in washington
    rule = (
        "<li>Physical therapists in Washington may perform spinal manipulation (a thrust to the "
        "neck, back or pelvis) only with an extra endorsement or certification on top of their "
        "licence.</li>"
    )
    assert rule in washington
    assert "<li>You never need a referral to see a chiropractor.</li>" in washington
    assert washington.index(rule) < washington.index("<h3>Legal detail</h3>")
    assert "RCW 18.74.190" in washington
    assert (
        'Before <time datetime="2015-07-01">1 July 2015</time>:</strong> '
        '<span class="badge badge-prohibited">Spinal manipulation: prohibited</span>'
    ) in washington
    assert "Confidence: High: statute, regulator or court text" in washington
    # Sources by title and publisher, never "Source 1".
    assert (
        '<li lang="en"><a href="https://apps.leg.wa.gov/rcw/default.aspx?cite=18.74" '
        'rel="noopener" hreflang="en">RCW '
        "chapter 18.74: Physical therapy (including 18.74.190, spinal manipulation endorsement)"
        "</a>, Washington State Legislature</li>"
    ) in washington
    assert "Source 1" not in washington
    # Said once at the top, not in each profession's detail.
    assert washington.count(TWENTY_FIRST_STATE_NOTE) == 1
    assert washington.count("Not legal advice.") == 1


def test_a_source_copied_on_a_third_party_site_says_so(client, reference_data):
    maine = state_page(client, "ME")
    assert (
        '</a>, PocketLaw <span class="meta" lang="en">(a copy on a third-party site, not the '
        "original publisher's page)</span>"
    ) in maine


def test_a_pt_rule_where_no_restriction_was_found_says_nothing_confirmed_it(client, reference_data):
    colorado = state_page(client, "CO")
    assert (
        "may perform spinal manipulation (a thrust to the neck, back or pelvis). No restriction "
        "was found in the sources we consulted; none confirmed it either."
    ) in colorado
    assert "You can see a physical therapist without a referral.</li>" in colorado


@pytest.mark.parametrize(("path", "status"), [("wa", 301), ("XX", 404), ("washington", 404)])
def test_a_state_page_needs_a_state_code(client, reference_data, path, status):
    response = client.get(f"/practice-acts/{path}/")
    assert response.status_code == status
    if status == 301:
        assert response["Location"] == "/practice-acts/WA/"


def test_a_state_page_runs_a_constant_number_of_queries(
    client, reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        assert client.get("/practice-acts/WA/").status_code == 200


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
    assert "<caption>" in page
    assert page.count('<th scope="col">') == 3
    assert page.count('<th scope="row">') == 51


def test_states_without_data_still_get_a_row_and_a_page(client, db):
    response = client.get(reverse("finder:practice-acts"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr id="state-') == 51
    assert "No practice-act data is on record" in state_page(client, "WA")


def test_the_page_runs_a_constant_number_of_queries(
    client, reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        assert client.get(reverse("finder:practice-acts")).status_code == 200


def test_a_state_page_writes_its_dates_as_each_language_does(client, reference_data):
    english = client.get("/practice-acts/WA/").content.decode()
    spanish = client.get("/es/practice-acts/WA/").content.decode()
    months = (
        "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    )
    assert re.search(r">\d{1,2} (January|February|March|April|May|June|July|August|September"
                     r"|October|November|December) \d{4}<", english)  # fmt: skip
    assert re.search(rf">\d{{1,2}} de ({months}) de \d{{4}}<", spanish)
    assert not re.search(rf">\d{{1,2}} ({months}) \d{{4}}<", spanish)
