"""Bad input on every API endpoint and page form: a clear 4xx (or the form re-shown with its
error), never a 5xx. Also: stored markup is escaped on every page that shows it.

The suite runs on SQLite and PostgreSQL; PostgreSQL refuses NUL characters in text, which is
why NUL gets its own cases everywhere.
"""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client, override_settings

from finder import middleware
from providers.models import Profession
from tests.factories import (
    InsurancePlanFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db

NUL = "\x00"
SQL_INJECTION = "' OR '1'='1'; DROP TABLE providers_provider; --"
HTML_INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)>'
LONG = "A" * 10_000
CONTROL = "Austin\x01\x1b[31m\x7f, TX"
UNICODE = "Zürich 東京 🦴 \u202e"
NUL_BODY = {"detail": middleware.NUL_NOT_ALLOWED}
FORM_TYPE = "application/x-www-form-urlencoded"
# More fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (1000): Django raises TooManyFieldsSent on reading.
TOO_MANY_FIELDS = "&".join(["a"] * 1100)
TOO_MANY_FIELDS_BODY = {"detail": "Too many query or form parameters: at most 1000 are accepted."}


@pytest.fixture
def data(world):
    ProcedureFactory()
    ProcedureFactory(
        code="97140",
        label="Manual therapy",
        professions=["physical_therapist"],
        is_manipulation=False,
    )
    InsurancePlanFactory(slug="aetna-ppo", name="Aetna PPO")
    PracticeActFactory(state="TX")
    ProviderPriceFactory(provider=world["in_range"], procedure=ProcedureFactory())
    return world


def assert_clear_400(response, field: str | None = None) -> dict:
    """A 400 in DRF's shapes with a readable message (for `field`, when given)."""
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    if field is None:
        assert isinstance(body.get("detail") or body.get("non_field_errors"), str | list)
    else:
        messages = body[field]
        assert messages and all(isinstance(m, str) and len(m) > 5 for m in flatten(messages))
    return body


def flatten(value) -> list:
    if isinstance(value, dict):
        return [m for item in value.values() for m in flatten(item)]
    if isinstance(value, list):
        return [m for item in value for m in flatten(item)]
    return [value]


def assert_no_raw_markup(response) -> None:
    assert b"<script>alert" not in response.content
    assert b"<img src=x onerror" not in response.content


# --- GET /api/v1/providers/ ------------------------------------------------------------------

SEARCH_CASES = [
    ({"near": LONG}, "near"),
    ({"near": "xyzzy-nowhere"}, "near"),
    ({"near": UNICODE}, "near"),
    ({"near": CONTROL}, "near"),
    ({"near": SQL_INJECTION}, "near"),
    ({"near": HTML_INJECTION}, "near"),
    ({"lat": "abc", "lng": "1"}, "lat"),
    ({"lat": "NaN", "lng": "1"}, "lat"),
    ({"lat": "1e309", "lng": "1"}, "lat"),
    ({"lat": "91", "lng": "1"}, "lat"),
    ({"lat": "30"}, "lng"),
    ({"near": "78701", "radius_miles": "abc"}, "radius_miles"),
    ({"near": "78701", "radius_miles": "-1"}, "radius_miles"),
    ({"near": "78701", "radius_miles": "1e400"}, "radius_miles"),
    ({"near": "78701", "radius_miles": "101"}, "radius_miles"),
    ({"profession": "dentist"}, "profession"),
    ({"profession": SQL_INJECTION}, "profession"),
    ({"service": HTML_INJECTION}, "service"),
    ({"insurance": SQL_INJECTION}, "insurance"),
    ({"insurance": "no-such-plan"}, "insurance"),
    ({"insurance": LONG}, "insurance"),
    ({"accepting_new_patients": "maybe"}, "accepting_new_patients"),
    ({"max_price": "abc"}, "max_price"),
    ({"max_price": "1e100"}, "max_price"),
    ({"max_price": "-5"}, "max_price"),
    ({"ordering": "id; DROP TABLE x"}, "ordering"),
    ({"ordering": "distance"}, "ordering"),
    ({"updated_since": "yesterday"}, "updated_since"),
    ({"page": "0"}, "page"),
    ({"page": "abc"}, "page"),
    ({"page": "99999999999999999999999"}, "page"),
    ({"page_size": "1000"}, "page_size"),
    ({"page_size": "[]"}, "page_size"),
]


@pytest.mark.parametrize(("params", "field"), SEARCH_CASES)
def test_the_search_api_rejects_bad_parameters_clearly(client, data, params, field) -> None:
    assert_clear_400(client.get("/api/v1/providers/", params), field)


@pytest.mark.parametrize(
    "params",
    [
        {"near": f"787{NUL}01"},
        {"near": NUL},
        {"insurance": f"aetna{NUL}"},
        {"profession": NUL},
        {"updated_since": f"2026-01-01{NUL}"},
        {f"near{NUL}": "78701"},
    ],
)
def test_nul_characters_are_a_400_on_the_api(client, data, params) -> None:
    response = client.get("/api/v1/providers/", params)
    assert response.status_code == 400
    assert response.json() == NUL_BODY


def test_the_search_api_echoes_unknown_places_as_plain_json(client, data) -> None:
    body = assert_clear_400(client.get("/api/v1/providers/", {"near": HTML_INJECTION}), "near")
    assert body == {"near": [f"Could not find a US location for '{HTML_INJECTION}'."]}
    assert client.get("/api/v1/providers/", {"near": "78701"}).status_code == 200


def test_an_injection_string_does_not_widen_a_search(client, data) -> None:
    response = client.get("/api/v1/providers/", {"near": "78701' OR '1'='1"})
    # "78701' OR ..." still ends in no ZIP it knows and names no city: not found, not "all".
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["count"] <= 1


# --- GET /api/v1/providers/{id}/, practice acts, plans, procedures ---------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/providers/0/",
        "/api/v1/providers/99999999999999999999999/",
        "/api/v1/providers/abc/",
        "/api/v1/providers/%00/",
        "/api/v1/providers/-1/",
        "/api/v1/practice-acts/ZZ/",
        "/api/v1/procedures/98940/",
        "/api/v1/no-such-endpoint/",
    ],
)
def test_unknown_api_paths_and_ids_are_json_404s(client, data, path) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/practice-acts/T1/", "state"),
        ("/api/v1/practice-acts/TEX/", "state"),
        (f"/api/v1/practice-acts/{LONG}/", "state"),
        ("/api/v1/practice-acts/%3Cscript%3E/", "state"),
        ("/api/v1/practice-acts/?on=yesterday", "on"),
        ("/api/v1/practice-acts/TX/?on=2026-13-45", "on"),
        (f"/api/v1/practice-acts/?on={SQL_INJECTION}", "on"),
    ],
)
def test_the_practice_act_api_rejects_bad_input_clearly(client, data, path, field) -> None:
    assert_clear_400(client.get(path), field)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/practice-acts/%00%00/",
        "/api/v1/practice-acts/?on=%00",
        "/api/v1/insurance-plans/?x=%00",
        "/api/v1/procedures/?%00=1",
    ],
)
def test_nul_characters_are_a_400_on_every_reference_endpoint(client, data, path) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.json() == NUL_BODY


@pytest.mark.parametrize("path", ["/api/v1/insurance-plans/", "/api/v1/procedures/"])
def test_reference_lists_ignore_unknown_parameters(client, data, path) -> None:
    response = client.get(path, {"page": "abc", "q": HTML_INJECTION, "x": LONG})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/providers/", "/api/v1/practice-acts/", "/api/v1/procedures/"]
)
def test_read_only_endpoints_refuse_writes_with_405(client, data, path) -> None:
    response = client.post(path, {"a": 1}, content_type="application/json")
    assert response.status_code == 405
    assert "detail" in response.json()


# --- POST /api/v1/estimates/ -------------------------------------------------------------------

ESTIMATE_URL = "/api/v1/estimates/"
GOOD_ESTIMATE = {"visits": 2, "coverage": {"type": "self_pay"}}


def post_json(client: Client, body, **extra):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(ESTIMATE_URL, raw, content_type="application/json", **extra)


@pytest.mark.parametrize(
    "raw",
    ["{", '{"visits": 2,}', "not json", '{"visits": NaN', "\ufeff{", b"\xff\xfe\x00{"],
)
def test_malformed_json_is_a_clear_400(client, data, raw) -> None:
    response = post_json(client, raw)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "non_field_errors"),
        ('"a string"', "non_field_errors"),
        ("42", "non_field_errors"),
        ("null", "non_field_errors"),
        ({}, "coverage"),
        ({"coverage": "self_pay"}, "coverage"),
        ({"coverage": {"type": "bogus"}}, "coverage"),
        ({"coverage": {"type": "insurance", "plan": SQL_INJECTION}}, "coverage"),
        ({"coverage": {"type": "insurance", "plan": HTML_INJECTION}}, "coverage"),
        ({"coverage": {"type": "insurance", "coinsurance_percent": "abc"}}, "coverage"),
        ({"coverage": {"type": "insurance", "deductible_remaining": 1e300}}, "coverage"),
        ({"coverage": {"type": "insurance", "deductible_remaining": "NaN"}}, "coverage"),
        ({"coverage": {"type": "insurance", "covered_visits_remaining": -1}}, "coverage"),
        ({**GOOD_ESTIMATE, "visits": "six"}, "visits"),
        ({**GOOD_ESTIMATE, "visits": 61}, "visits"),
        ({**GOOD_ESTIMATE, "visits": 2.5}, "visits"),
        ({**GOOD_ESTIMATE, "visits": True}, "visits"),
        ({**GOOD_ESTIMATE, "provider_id": "abc"}, "provider_id"),
        ({**GOOD_ESTIMATE, "provider_id": [1]}, "provider_id"),
        ({**GOOD_ESTIMATE, "procedures": "98940"}, "procedures"),
        ({**GOOD_ESTIMATE, "procedures": []}, "procedures"),
        ({**GOOD_ESTIMATE, "procedures": [{"code": LONG}]}, "procedures"),
        ({**GOOD_ESTIMATE, "procedures": [{"code": "99999"}]}, "procedures"),
        (
            {**GOOD_ESTIMATE, "procedures": [{"code": "\uff19\uff18\uff19\uff14\uff10"}]},
            "procedures",
        ),
        ({**GOOD_ESTIMATE, "procedures": [{"code": SQL_INJECTION[:10]}]}, "procedures"),
        ({**GOOD_ESTIMATE, "procedures": [{"code": "98940", "quantity": 0}]}, "procedures"),
        ({**GOOD_ESTIMATE, "procedures": [{"code": "98940", "quantity": "x"}]}, "procedures"),
        ({**GOOD_ESTIMATE, "procedures": [{"code": "98940"}] * 21}, "procedures"),
        ({**GOOD_ESTIMATE, "procedures": [["98940"]]}, "procedures"),
    ],
)
def test_the_estimate_api_rejects_wrong_types_and_values_clearly(client, data, body, field):
    assert_clear_400(post_json(client, body), field)


def test_an_unknown_provider_is_a_404_even_with_a_huge_id(client, data) -> None:
    for provider_id in (0, 10**30, -1):
        response = post_json(client, {**GOOD_ESTIMATE, "provider_id": provider_id})
        assert response.status_code in (400, 404)
        assert response.json()


@pytest.mark.parametrize(
    "body",
    [
        {**GOOD_ESTIMATE, "procedures": [{"code": "989\u000040"}]},
        {"visits": 2, "coverage": {"type": "insurance", "plan": "aetna\u0000ppo"}},
        {"visits": 2, "coverage": {"type": "self_pay\u0000"}},
        {**GOOD_ESTIMATE, "note\u0000": 1},
    ],
)
def test_nul_characters_in_json_are_a_400(client, data, body) -> None:
    response = post_json(client, body)
    assert response.status_code == 400
    assert response.json() == NUL_BODY


def test_an_escaped_backslash_before_u0000_is_not_nul(client, data) -> None:
    # The JSON text "\\u0000" is a backslash followed by "u0000": odd, but not a NUL.
    response = post_json(client, '{"visits": 2, "coverage": {"type": "self_pay\\\\u0000"}}')
    assert response.status_code == 400
    assert "coverage" in response.json()


def test_an_oversized_body_is_a_413_json(client, data) -> None:
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = post_json(client, {**GOOD_ESTIMATE, "padding": padding})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "too large" in response.json()["detail"]


# With DEBUG on, Django's error page reads the fields again and fails: a 500 without the guard.
@pytest.mark.parametrize("debug", [False, True])
def test_too_many_query_parameters_are_a_400_json_on_the_api(client, data, debug) -> None:
    with override_settings(DEBUG=debug):
        response = client.get(f"/api/v1/procedures/?{TOO_MANY_FIELDS}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == TOO_MANY_FIELDS_BODY


def test_deeply_nested_json_is_a_400_not_a_recursion_error(client, data) -> None:
    for depth in (40, 100_000):
        raw = '{"visits": 2, "coverage": {"type": "self_pay"}, "x": ' + "[" * depth
        raw += "]" * depth + "}"
        response = post_json(client, raw)
        assert response.status_code == 400
        assert "nested deeper" in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_other_content_types_are_a_415(client, data, content_type) -> None:
    response = client.post(ESTIMATE_URL, "visits=2", content_type=content_type)
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


def test_wrong_methods_on_the_estimate_api_are_405(client, data) -> None:
    assert client.get(ESTIMATE_URL).status_code == 405
    assert client.put(ESTIMATE_URL, "{}", content_type="application/json").status_code == 405


def test_a_bad_authorization_header_is_a_401_not_a_500(client, data) -> None:
    for header in ("Api-Key ", "Api-Key x", f"Api-Key {LONG}", "Api-Key a.b", "Bearer x"):
        response = client.get("/api/v1/providers/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
    response = client.get("/api/v1/providers/", HTTP_AUTHORIZATION=f"Api-Key ab{NUL}cd.ef")
    assert response.status_code == 400


def test_unicode_and_control_characters_pass_through_the_estimate_api(client, data) -> None:
    response = post_json(client, {**GOOD_ESTIMATE, "comment": UNICODE + CONTROL})
    assert response.status_code == 200  # unknown fields are ignored


# --- Pages and their forms -----------------------------------------------------------------------


@pytest.mark.parametrize(("params", "field"), SEARCH_CASES)
def test_the_search_page_shows_bad_parameters_as_a_400(client, data, params, field) -> None:
    response = client.get("/", params)
    assert response.status_code == 400
    assert b"error" in response.content.lower()
    assert_no_raw_markup(response)


def test_the_search_page_escapes_what_it_echoes(client, data) -> None:
    response = client.get("/", {"near": HTML_INJECTION})
    assert response.status_code == 400
    assert_no_raw_markup(response)
    assert b"&lt;script&gt;alert(" in response.content


@pytest.mark.parametrize(
    "path",
    [
        f"/?near=787{NUL}01",
        f"/?near={NUL}",
        "/?near=%00",
        "/estimate/?plan=%00&coverage_type=insurance&visits=1",
        "/estimate/?code=%00&coverage_type=self_pay",
        "/estimate/?provider=%00",
        "/practice-acts/?x=%00",
    ],
)
def test_nul_characters_are_a_400_on_pages(client, data, path) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert middleware.NUL_NOT_ALLOWED.encode() in response.content


@pytest.mark.parametrize(
    "path",
    ["/providers/0/", "/providers/99999999999999999999999/", "/providers/abc/", "/nowhere/"],
)
def test_unknown_pages_are_404(client, data, path) -> None:
    assert client.get(path).status_code == 404


ESTIMATE_PAGE_CASES = [
    ({"visits": "abc", "coverage_type": "self_pay"}, "Enter a whole number"),
    ({"visits": "61", "coverage_type": "self_pay"}, "less than or equal to 60"),
    ({"coverage_type": "bogus"}, "Select a valid choice"),
    ({"coverage_type": "insurance", "plan": SQL_INJECTION}, "Select a valid choice"),
    ({"coverage_type": "insurance", "plan": HTML_INJECTION}, "Select a valid choice"),
    ({"coverage_type": "insurance", "deductible_remaining": "abc"}, "Enter a number"),
    ({"coverage_type": "insurance", "coinsurance_percent": "101"}, "less than or equal to 100"),
    ({"coverage_type": "self_pay", "code": "99999"}, "99999"),
    ({"coverage_type": "self_pay", "code": HTML_INJECTION}, "Unknown procedure code"),
    ({"coverage_type": "self_pay", "code": LONG}, "Unknown procedure code"),
    ({"coverage_type": "self_pay", "provider": "abc"}, "Enter a whole number"),
    ({"coverage_type": "self_pay", "provider": "99999999999999999999"}, "No provider"),
    ({"coverage_type": "self_pay", "visits": UNICODE}, "Enter a whole number"),
]


@pytest.mark.parametrize(("params", "message"), ESTIMATE_PAGE_CASES)
def test_the_estimate_form_shows_bad_input_as_form_errors(client, data, params, message) -> None:
    response = client.get("/estimate/", params)
    # The estimate form is re-shown with its errors, as a 400.
    assert response.status_code == 400
    assert b"Please fix the following" in response.content
    assert message.encode() in response.content
    assert_no_raw_markup(response)


def gfe_data(listed, **overrides) -> dict:
    data = {
        "patient_name": "Pat Example",
        "date_of_birth": "1980-05-01",
        "scheduled_date": "",
        "provider": str(listed.pk),
        "procedures": "98940:1",
        "visits": "3",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides",
    [
        {"date_of_birth": "yesterday"},
        {"date_of_birth": "1800-01-01"},
        {"date_of_birth": "2999-01-01"},
        {"patient_name": ""},
        {"patient_name": LONG},
        {"provider": "abc"},
        {"provider": "99999999999999999999"},
        {"provider": ""},
        {"procedures": "98940:abc"},
        {"procedures": "98940:0"},
        {"procedures": HTML_INJECTION},
        {"procedures": SQL_INJECTION},
        {"procedures": LONG},
        {"procedures": " ".join(["98940:1"] * 30)},
        {"visits": "sixty"},
        {"visits": "0"},
        {"scheduled_date": "13/45/2026"},
    ],
)
def test_the_good_faith_estimate_form_rejects_bad_input_with_a_400(client, data, overrides):
    response = client.post("/estimate/good-faith/", gfe_data(data["in_range"], **overrides))
    assert response.status_code == 400
    assert b"errorlist" in response.content or b"error" in response.content
    assert_no_raw_markup(response)


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_nul_in_the_good_faith_estimate_form_is_a_400(client, data, encoding) -> None:
    fields = gfe_data(data["in_range"], patient_name=f"Pat{NUL}")
    if encoding == "urlencoded":
        response = client.post("/estimate/good-faith/", urlencode(fields), content_type=FORM_TYPE)
    else:
        response = client.post("/estimate/good-faith/", fields)
    assert response.status_code == 400
    assert middleware.NUL_NOT_ALLOWED.encode() in response.content


def test_the_good_faith_estimate_form_needs_its_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/estimate/good-faith/", {"patient_name": "Pat"})
    assert response.status_code == 403


def test_an_oversized_form_post_is_a_4xx(client, data) -> None:
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    fields = gfe_data(data["in_range"], patient_name=padding)
    # What browsers send for these forms: refused before it is read.
    body = urlencode(fields)
    response = client.post("/estimate/good-faith/", body, content_type=FORM_TYPE)
    assert response.status_code == 413
    # Multipart (file uploads) is bounded by Django per field: a 400.
    assert client.post("/estimate/good-faith/", fields).status_code == 400


@pytest.mark.parametrize("debug", [False, True])
def test_too_many_query_parameters_are_a_400_on_pages(client, data, debug) -> None:
    with override_settings(DEBUG=debug):
        response = client.get(f"/?{TOO_MANY_FIELDS}")
    assert response.status_code == 400
    assert TOO_MANY_FIELDS_BODY["detail"].encode() in response.content


def test_too_many_form_fields_are_a_400_on_pages(client, data) -> None:
    response = client.post("/estimate/good-faith/", TOO_MANY_FIELDS, content_type=FORM_TYPE)
    assert response.status_code == 400
    assert TOO_MANY_FIELDS_BODY["detail"].encode() in response.content


@pytest.mark.parametrize(
    "answers",
    [
        {"age": "abc"},
        {"age": "-1"},
        {"age": "1000"},
        {"age": UNICODE},
        {"age": HTML_INJECTION},
        {"recent_trauma": "maybe"},
        {"recent_trauma": SQL_INJECTION},
        {},
    ],
)
def test_the_safety_form_shows_bad_input_as_form_errors(client, answers) -> None:
    response = client.post("/safety/", answers)
    assert response.status_code == 400  # re-shown with its errors
    assert b"error-summary" in response.content
    assert_no_raw_markup(response)


def test_nul_in_the_safety_form_is_a_400(client) -> None:
    response = client.post("/safety/", {"age": f"4{NUL}0"})
    assert response.status_code == 400


def test_admin_login_survives_hostile_usernames(client, django_user_model) -> None:
    django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-1")
    for username in (SQL_INJECTION, HTML_INJECTION, LONG, UNICODE):
        response = client.post(
            "/admin/login/?next=/admin/", {"username": username, "password": "x"}
        )
        assert response.status_code == 200
        assert b"Please enter the correct username and password" in response.content
        assert_no_raw_markup(response)
    response = client.post("/admin/login/", {"username": f"admin{NUL}", "password": "x"})
    assert response.status_code == 400


# --- Stored markup is escaped on every page -----------------------------------------------------


@pytest.fixture
def hostile_provider(db):
    location = PracticeLocationFactory(
        provider__first_name='<script>alert("x")</script>',
        provider__last_name="<img src=x onerror=alert(1)>",
        provider__credential="DC",
        provider__profession=Profession.CHIROPRACTOR,
        address_line1="<script>alert('addr')</script> 1 Main St",
        city="Austin",
    )
    ProviderPriceFactory(provider=location.provider, procedure=ProcedureFactory())
    PracticeActFactory(state="TX", note="<script>alert('act')</script>")
    return location.provider


def assert_escaped(response) -> None:
    assert response.status_code == 200
    content = response.content
    assert b"<script>alert" not in content
    assert b"<img src=x onerror" not in content
    assert b"&lt;script&gt;alert(" in content or b"\\u003Cscript\\u003E" in content


def test_search_results_escape_stored_markup(client, hostile_provider) -> None:
    assert_escaped(client.get("/", {"near": "78701"}))


def test_the_provider_page_escapes_stored_markup(client, hostile_provider) -> None:
    assert_escaped(client.get(f"/providers/{hostile_provider.id}/"))


def test_the_estimate_page_escapes_stored_markup(client, hostile_provider) -> None:
    params = {"provider": hostile_provider.id, "code": "98940", "coverage_type": "self_pay"}
    assert_escaped(client.get("/estimate/", params))


def test_the_good_faith_estimate_escapes_stored_and_typed_markup(client, hostile_provider):
    response = client.post(
        "/estimate/good-faith/",
        gfe_data(hostile_provider, patient_name='<script>alert("patient")</script>'),
    )
    assert_escaped(response)
    assert b"&lt;script&gt;alert(&quot;patient&quot;)" in response.content


def test_the_practice_acts_page_escapes_stored_markup(client, hostile_provider) -> None:
    assert_escaped(client.get("/practice-acts/TX/"))


def test_the_admin_escapes_stored_markup(admin_client_logged_in, hostile_provider) -> None:
    assert_escaped(admin_client_logged_in.get("/admin/providers/provider/"))
    assert_escaped(
        admin_client_logged_in.get(f"/admin/providers/provider/{hostile_provider.id}/change/")
    )
