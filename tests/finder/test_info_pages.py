"""The safety pre-screen page (/safety/) and the about page (/about/)."""

import logging
import re
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finder.pages.info import ABOUT_EXTRA_SOURCES, ABOUT_REFERENCE_SOURCES
from finder.safety import QUESTIONS, SOURCES

SAFETY_URL = reverse("finder:safety")
ABOUT_URL = reverse("finder:about")
ALL_NO = {question.key: "no" for question in QUESTIONS}


def csrf_client() -> tuple[Client, str]:
    """A client that enforces CSRF, primed with a token by GETting the form first."""
    client = Client(enforce_csrf_checks=True)
    response = client.get(SAFETY_URL)
    assert response.status_code == 200
    return client, response.cookies["csrftoken"].value


def post_answers(client: Client, token: str, **answers: str):
    return client.post(SAFETY_URL, {**ALL_NO, **answers, "csrfmiddlewaretoken": token})


@pytest.mark.django_db
def test_get_renders_every_question_as_a_fieldset_with_labelled_radios(client):
    response = client.get(SAFETY_URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for question in QUESTIONS:
        assert f"{question.text}</legend>" in html
        assert f'id="{question.key}-help"' in html
        for index, label in enumerate(["Yes", "No", "Not sure"]):
            input_id = f"id_{question.key}_{index}"
            assert re.search(
                rf'<input type="radio" name="{question.key}"[^>]*id="{input_id}"', html
            )
            assert f'<label for="{input_id}">{label}</label>' in html
    assert '<label for="id_age">Your age (optional)</label>' in html
    assert 'type="number" name="age"' in html
    assert html.count("<fieldset") == len(QUESTIONS) + 1
    assert html.count("<legend") == len(QUESTIONS) + 1


@pytest.mark.django_db
def test_get_shows_the_not_a_diagnosis_notice_and_sources(client):
    html = client.get(SAFETY_URL).content.decode()

    assert "This is not a diagnosis, and your answers are not stored." in html
    assert "How we read your answers" in html
    for source in SOURCES.values():
        assert f'href="{source.url}"' in html
    assert 'id="result-heading"' not in html


@pytest.mark.django_db
def test_the_page_is_never_cached(client):
    for response in (client.get(SAFETY_URL), client.post(SAFETY_URL, ALL_NO)):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_post_with_a_valid_token_shows_the_result_on_the_same_page():
    client, token = csrf_client()

    response = post_answers(client, token, osteoporosis="yes")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Your result: Talk to your healthcare professional first" in html
    assert 'role="status"' in html
    assert "Osteoporosis, thin bones or long-term steroids" in html
    assert "Ask about gentle mobilization or other low-force techniques" in html
    assert 'href="#source-PMC"' in html
    assert "<h2" in html and "The questions" in html  # the form stays on the page


@pytest.mark.django_db
def test_post_with_a_red_flag_shows_the_urgent_alert_and_the_region_to_avoid():
    client, token = csrf_client()

    html = post_answers(client, token, bladder_bowel="yes").content.decode()

    assert "Your result: Manipulation of some areas should be avoided" in html
    assert 'role="alert"' in html
    first_heading = re.search(r"<h2[^>]*>([^<]*)</h2>", html.split('class="safety-result')[1])
    assert first_heading.group(1) == "Get medical help now"
    assert "Go to an emergency department now." in html
    assert "Areas where manipulation should be avoided" in html
    assert "The low back" in html


@pytest.mark.django_db
def test_post_with_all_no_answers_says_no_warning_signs():
    client, token = csrf_client()

    html = post_answers(client, token, age="40").content.decode()

    assert "Your result: No warning signs in your answers" in html
    assert "Get medical help now" not in html


@pytest.mark.django_db
def test_post_with_an_older_age_explains_that_the_age_rule_is_our_own_choice():
    client, token = csrf_client()

    html = post_answers(client, token, age="65").content.decode()

    assert "Your result: Talk to your healthcare professional first" in html
    assert "Age 65 or older" in html
    assert "Our sources do not set an age limit." in html


@pytest.mark.django_db
def test_unanswered_questions_are_reported_without_a_result():
    client, token = csrf_client()

    response = client.post(SAFETY_URL, {"osteoporosis": "yes", "csrfmiddlewaretoken": token})
    html = response.content.decode()

    assert response.status_code == 400
    assert 'id="error-summary"' in html
    assert "Please choose Yes, No or Not sure." in html
    assert 'id="result-heading"' not in html
    # The answer already given is kept (in this response only).
    assert re.search(r'<input type="radio" name="osteoporosis" value="yes"[^>]*checked', html)


@pytest.mark.django_db
def test_an_out_of_range_age_is_rejected():
    client, token = csrf_client()

    html = post_answers(client, token, age="200").content.decode()

    assert "Age: Ensure this value is less than or equal to 120." in html
    assert 'id="result-heading"' not in html


@pytest.mark.django_db
def test_post_without_a_csrf_token_is_forbidden():
    client = Client(enforce_csrf_checks=True)
    client.get(SAFETY_URL)

    response = client.post(SAFETY_URL, ALL_NO)

    assert response.status_code == 403


@pytest.mark.django_db
def test_answers_never_travel_in_the_url():
    client = Client()
    response = client.get(SAFETY_URL, {"osteoporosis": "yes"})

    assert response.status_code == 200
    assert 'id="result-heading"' not in response.content.decode()


@pytest.mark.django_db
def test_nothing_is_stored_or_logged(caplog):
    client, token = csrf_client()
    caplog.set_level(logging.DEBUG)

    with CaptureQueriesContext(connection) as queries:
        response = post_answers(
            client, token, osteoporosis="yes", blood_thinners="not_sure", age="73"
        )

    assert response.status_code == 200
    assert "Talk to your healthcare professional first" in response.content.decode()
    # No session: no session cookie and an empty session table.
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0
    # No database writes of any kind.
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
    ]
    assert writes == []
    # No log records from our code, and none anywhere that carry the answers.
    assert [r for r in caplog.records if r.name.startswith("finder")] == []
    for record in caplog.records:
        message = record.getMessage()
        assert "osteoporosis" not in message
        assert "blood_thinners" not in message
        assert "73" not in message


@pytest.mark.django_db
def test_about_page_renders_its_sections_and_sources(client):
    response = client.get(ABOUT_URL)
    html = response.content.decode()

    assert response.status_code == 200
    for heading in [
        "About joint manipulation",
        "What joint manipulation is",
        "Thrust manipulation and mobilization",
        "What the “pop” is",
        "What happens in a session",
        "Who may benefit",
        "What it typically costs",
        "Where to go",
        "Sources",
    ]:
        assert f">{heading}</h" in html, heading
    for source in (*ABOUT_REFERENCE_SOURCES, *ABOUT_EXTRA_SOURCES):
        assert f'href="{source.url}"' in html
        assert f'id="source-{source.key}"' in html


@pytest.mark.django_db
def test_about_page_shows_costs_and_links_to_the_other_tools(client):
    html = client.get(ABOUT_URL).content.decode()

    assert "$30 to $50" in html
    for code, amount in [("98940", "$26.72"), ("98941", "$38.41"), ("98942", "$49.77")]:
        assert f'<th scope="row">{code}</th>' in html
        assert amount in html
    for name in ["finder:practice-acts", "finder:search", "finder:estimate", "finder:safety"]:
        assert f'href="{reverse(name)}"' in html
    assert "It is not a diagnosis or medical advice" in " ".join(html.split())


@pytest.mark.django_db
def test_every_inline_citation_on_the_about_page_points_at_a_listed_source(client):
    html = client.get(ABOUT_URL).content.decode()

    cited = set(re.findall(r'href="#source-([^"]+)"', html))
    listed = set(re.findall(r'id="source-([^"]+)"', html))
    assert cited
    assert cited <= listed


@pytest.mark.django_db
def test_the_favicon_is_served_where_browsers_ask_for_it(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    icon = Path(finders.find("favicon.ico")).read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert b"\x89PNG" in icon


@pytest.mark.django_db
def test_every_page_links_its_icon(client):
    html = client.get("/about/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


@pytest.mark.django_db
def test_the_api_guide_is_a_page_partners_can_open(client):
    response = client.get("/api/guide/")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<h1 id="partner-api-quick-start">Partner API quick start</h1>' in html
    assert '<table tabindex="0">' in html  # rendered, and reachable by keyboard when scrolled
    assert '<a href="/api/docs/">interactive API documentation</a>' in html


@pytest.mark.django_db
def test_the_api_description_links_the_guide(client):
    schema = client.get("/api/v1/schema/?format=json").json()

    assert "[/api/guide/](/api/guide/)" in schema["info"]["description"]
