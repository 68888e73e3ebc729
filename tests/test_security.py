"""Security settings and controls: deploy checks, HTTPS, CSP, CSRF, admin lock-out, curator
permissions, and API keys kept out of the logs."""

import json
import logging
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.logging import JsonFormatter
from config.settings import csp_source
from finder.middleware import PagesOnlyAuthentication, PagesOnlySession
from finder.models import PartnerApiKey
from providers.curators import CURATORS_GROUP, ensure_curators_group
from providers.models import PracticeAct, Provider, Scope
from tests.factories import PracticeActFactory, PracticeLocationFactory

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = sorted((BASE_DIR / "templates").rglob("*.html"))
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "jointcare.example.org",
}
HARDENING = [
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_TIME",
    "CONTENT_SECURITY_POLICY",
]


def run_with_env(args: list[str], **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=full_env, capture_output=True, text=True
    )


def settings_under(**env: str) -> dict:
    """The hardening settings as a fresh process, configured by `env`, sees them."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {HARDENING!r}}}, default=str))"
    )
    result = run_with_env(["-c", code], DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Deploy checks and HTTPS settings ---------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = run_with_env(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION_ENV,
        REDIS_URL="redis://127.0.0.1:6379/0",  # not connected to: the check reads settings only
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_rate_limits_are_counted_without_redis() -> None:
    result = run_with_env(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION_ENV,
        REDIS_URL="",
    )
    assert result.returncode != 0
    assert "(finder.W001) The default cache (DatabaseCache)" in result.stderr
    assert "REDIS_URL" in result.stderr


def test_production_turns_https_hardening_on_by_default() -> None:
    values = settings_under(**PRODUCTION_ENV)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # only when asked for
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["AXES_FAILURE_LIMIT"] == 5
    assert values["AXES_COOLOFF_TIME"] == "0:15:00"


def test_each_hardening_setting_can_be_set_from_the_environment() -> None:
    values = settings_under(
        **PRODUCTION_ENV,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="0",
        SECURE_PROXY_SSL_HEADER="1",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
        MAP_TILE_URL="https://{s}.tiles.example.net/{z}/{x}/{y}.png",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_TIME"] == "1:00:00"
    img_src = values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]
    assert "https://*.tiles.example.net" in img_src


def test_development_leaves_https_hardening_off() -> None:
    values = settings_under(DJANGO_DEBUG="1")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_tests_leave_https_hardening_off() -> None:
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SESSION_COOKIE_SECURE is False
    assert settings.SECURE_HSTS_SECONDS == 0


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


# --- Content-Security-Policy --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
    ],
)
def test_the_tile_host_becomes_a_csp_source(url, source) -> None:
    assert csp_source(url) == source


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/?near=78701", "/estimate/", "/safety/", "/practice-acts/", "/about/"]
)
def test_pages_carry_a_strict_content_security_policy(client, world, path) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert csp_source(settings.MAP_TILE_URL) in policy["img-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_provider_page_allows_its_map_tiles(client, world) -> None:
    response = client.get(f"/providers/{world['in_range'].id}/")
    assert csp_source(settings.MAP_TILE_URL) in directives(response)["img-src"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_work_under_their_own_looser_policy(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert "blob:" in policy["worker-src"]
    assert policy["object-src"] == ["'none'"]
    static = re.findall(r'src="([^"]+\.js)"', response.content.decode())
    assert static and all(
        src.startswith(settings.STATIC_URL) or src.startswith("/") for src in static
    )


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_templates_have_no_inline_script_or_style(template: Path) -> None:
    """The policy allows no inline code: scripts are static/js/ files, styles static/css/."""
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", text)
    assert not re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE), "inline event handler"
    assert not re.search(r"\sstyle\s*=", text, re.IGNORECASE), "inline style attribute"
    assert "<style" not in text
    assert "javascript:" not in text


def test_every_post_form_carries_a_csrf_token() -> None:
    forms = 0
    for template in TEMPLATES:
        text = template.read_text()
        for match in re.finditer(r"<form[^>]*method=\"?post\"?[^>]*>", text, re.IGNORECASE):
            forms += 1
            closing = text.find("</form>", match.end())
            assert "{% csrf_token %}" in text[match.end() : closing], template
    assert forms >= 4


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/safety/", "/estimate/good-faith/", "/admin/login/"])
def test_post_forms_refuse_a_missing_csrf_token(path) -> None:
    response = Client(enforce_csrf_checks=True).post(path, {"age": "40"})
    assert response.status_code == 403


# --- The admin: login required, lock-out after repeated failures ----------------------------------


@pytest.mark.django_db
def test_the_admin_requires_a_login(client) -> None:
    response = client.get("/admin/providers/provider/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def login(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out_for_the_cool_off(
    client, django_user_model
) -> None:
    django_user_model.objects.create_superuser("curator", "c@example.org", "right-pw-1")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        assert login(client, "curator", "wrong").status_code == 200
    locked = login(client, "curator", "wrong")
    assert locked.status_code == 429
    assert b"too many login attempts" in locked.content.lower()

    # Even the right password is refused now, and no session is opened.
    assert login(client, "curator", "right-pw-1").status_code == 429
    assert client.get("/admin/").status_code == 302

    # Another account from the same address is not affected (username and address together).
    django_user_model.objects.create_superuser("other", "o@example.org", "other-pw-1")
    assert login(Client(), "other", "other-pw-1").status_code == 302

    # After the 15-minute cool-off the right password works again.
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert login(client, "curator", "right-pw-1").status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, django_user_model) -> None:
    django_user_model.objects.create_superuser("curator", "c@example.org", "right-pw-1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "curator", "wrong")
    assert login(client, "curator", "right-pw-1").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "curator", "wrong").status_code == 200


# --- Curators: listings yes, practice acts and API keys no ------------------------------------


@pytest.fixture
def curator_client(db, django_user_model) -> Client:
    ensure_curators_group()
    user = django_user_model.objects.create_user("cora", "cora@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    client = Client()
    client.force_login(user)
    return client


def practice_act_post(act: PracticeAct, **overrides) -> dict:
    data = {
        "state": act.state,
        "profession": act.profession,
        "effective_from": "",
        "spinal_manipulation": Scope.PROHIBITED,
        "extremity_manipulation": act.extremity_manipulation,
        "manipulation_under_anesthesia": act.manipulation_under_anesthesia,
        "direct_access": act.direct_access,
        "note": "changed by a curator",
        "sources": json.dumps(act.sources),
        "confidence": act.confidence,
        "last_reviewed": "2026-11-01",
    }
    data.update(overrides)
    return data


def test_curators_can_read_but_not_change_practice_acts(curator_client) -> None:
    act = PracticeActFactory(state="TX", spinal_manipulation=Scope.ALLOWED)
    url = reverse("admin:providers_practiceact_change", args=[act.pk])
    assert curator_client.get(url).status_code == 200
    assert curator_client.post(url, practice_act_post(act)).status_code == 403
    add = reverse("admin:providers_practiceact_add")
    assert curator_client.post(add, practice_act_post(act, state="WA")).status_code == 403
    act.refresh_from_db()
    assert act.spinal_manipulation == Scope.ALLOWED


def test_curators_cannot_revert_practice_acts_through_their_history(curator_client) -> None:
    act = PracticeActFactory(state="TX", spinal_manipulation=Scope.PROHIBITED)
    act.spinal_manipulation = Scope.ALLOWED
    act.save()
    first = act.history.earliest()
    url = reverse("admin:providers_practiceact_simple_history", args=[act.pk, first.history_id])
    assert curator_client.get(url).status_code == 200  # they may look
    assert curator_client.post(url, practice_act_post(act)).status_code == 403
    act.refresh_from_db()
    assert act.spinal_manipulation == Scope.ALLOWED


@pytest.mark.parametrize(
    "url_name", ["admin:finder_partnerapikey_changelist", "admin:finder_partnerapikey_add"]
)
def test_curators_cannot_see_or_create_partner_api_keys(curator_client, url_name) -> None:
    url = reverse(url_name)
    assert curator_client.get(url).status_code == 403
    data = {"name": "sneaky", "owner_contact": "x@example.org", "tier": "premium"}
    assert curator_client.post(url, data).status_code == 403
    assert not PartnerApiKey.objects.exists()


def test_curators_cannot_change_an_existing_partner_api_key(curator_client) -> None:
    key, _secret = PartnerApiKey.objects.create_key(name="partner", owner_contact="p@example.org")
    url = reverse("admin:finder_partnerapikey_change", args=[key.pk])
    assert curator_client.get(url).status_code == 403
    assert curator_client.post(url, {"name": "x", "revoked": "on"}).status_code == 403
    key.refresh_from_db()
    assert not key.revoked


def test_curators_can_edit_listings_but_not_delete_or_purge_them(curator_client) -> None:
    provider = PracticeLocationFactory().provider
    change = reverse("admin:providers_provider_change", args=[provider.pk])
    assert curator_client.get(change).status_code == 200
    delete = reverse("admin:providers_provider_delete", args=[provider.pk])
    assert curator_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:providers_provider_changelist")
    response = curator_client.post(
        changelist, {"action": "purge", "_selected_action": [provider.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)  # "No action selected": not theirs to run
    assert Provider.objects.filter(pk=provider.pk).exists()


# --- API keys never reach the logs -----------------------------------------------------------


@pytest.mark.django_db
def test_api_keys_never_appear_in_the_logs(client, caplog) -> None:
    _key, secret = PartnerApiKey.objects.create_key(name="partner", owner_contact="p@example.org")
    _revoked, revoked_secret = PartnerApiKey.objects.create_key(
        name="old", owner_contact="p@example.org", revoked=True
    )
    prefix, _, hidden = secret.partition(".")
    wrong = f"{prefix}.{'x' * len(hidden)}"
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    connection.force_debug_cursor = True  # SQL and its parameters are logged at DEBUG too
    try:
        for value in (secret, wrong, revoked_secret, f"{secret}x"):
            for path in ("/api/v1/providers/", "/api/v1/nowhere/", "/api/v1/estimates/"):
                client.get(path, HTTP_AUTHORIZATION=f"Api-Key {value}")
        client.post(
            "/api/v1/estimates/",
            {"coverage": {"type": "bogus"}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {secret}",
        )
    finally:
        connection.force_debug_cursor = False
        django_logger.removeHandler(caplog.handler)
    assert any(r.name == "django.db.backends" for r in caplog.records), "SQL was not captured"
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(r) + repr(vars(r)) for r in caplog.records)
    for leaked in (secret, hidden, wrong.partition(".")[2], revoked_secret.partition(".")[2]):
        assert leaked not in logged


# --- Page-only middleware --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "has_session"), [("/api/v1/providers/", False), ("/", True), ("/admin/", True)]
)
def test_sessions_and_logins_run_for_pages_and_the_admin_not_the_api(rf, path, has_session):
    seen = {}

    def view(request):
        seen["session"] = hasattr(request, "session")
        seen["user"] = hasattr(request, "user")
        return HttpResponse("ok")

    PagesOnlySession(PagesOnlyAuthentication(view))(rf.get(path))
    assert seen == {"session": has_session, "user": has_session}


@pytest.mark.django_db
def test_json_api_responses_carry_a_fixed_deny_all_policy(client, world) -> None:
    for path in ("/api/v1/providers/?near=78701", "/api/v1/nowhere/", "/api/v1/schema/"):
        response = client.get(path)
        assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
    # The API docs are pages: their own (relaxed) policy, built by django-csp.
    docs = directives(client.get("/api/docs/"))
    assert "'unsafe-inline'" in docs["script-src"]
