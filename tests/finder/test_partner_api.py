"""Partner API: keys, authentication, rate limits, CORS, conditional GET, errors and usage."""

import json
import logging
import os
import socket
from datetime import timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
import redis
from django.core.cache import cache, caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from finder.api.throttling import increment, redis_counter
from finder.middleware import NUL_NOT_ALLOWED
from finder.models import ApiKeyDailyUsage, PartnerApiKey
from tests.factories import PracticeLocationFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/providers/"
ESTIMATES = "/api/v1/estimates/"
INVALID = {"detail": "Invalid or revoked API key."}
# A database of its own, which these tests empty; CI gives each concurrent test run another.
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
USAGE_INLINE = {"daily_usage-TOTAL_FORMS": "0", "daily_usage-INITIAL_FORMS": "0"}


def make_key(**fields) -> tuple[PartnerApiKey, str]:
    defaults = {"name": "Acme Health", "owner_contact": "dev@acme.example"}
    return PartnerApiKey.objects.create_key(**{**defaults, **fields})


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


def redis_reachable() -> bool:
    address = urlsplit(REDIS_TEST_URL)
    try:
        with socket.create_connection((address.hostname, address.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def provider(db):
    return PracticeLocationFactory().provider


# --- Key management --------------------------------------------------------------------------


def test_create_api_key_prints_the_key_once_and_stores_only_a_hash():
    out = StringIO()
    call_command(
        "create_api_key",
        "Acme Health",
        "--owner=dev@acme.example",
        "--tier=premium",
        "--origin=https://acme.example",
        "--origin=https://www.acme.example/",
        "--expires=2999-01-31",
        stdout=out,
    )
    lines = out.getvalue().strip().splitlines()
    key = lines[-1]
    assert out.getvalue().count(key) == 1
    api_key = PartnerApiKey.objects.get()
    assert key.startswith(api_key.prefix + ".")
    assert api_key.tier == "premium"
    assert api_key.owner_contact == "dev@acme.example"
    assert api_key.origins == ["https://acme.example", "https://www.acme.example"]
    assert api_key.expiry_date.isoformat() == "2999-01-31T00:00:00+00:00"
    # The plaintext is in no column of the row.
    row = PartnerApiKey.objects.filter(pk=api_key.pk).values().get()
    assert all(key not in str(value) for value in row.values())
    assert api_key.hashed_key.startswith("sha512$$")
    assert PartnerApiKey.objects.is_valid(key)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--owner=not-an-email"], "--owner must be an email address"),
        (["--owner=a@b.example", "--origin=acme.example"], "must look like https://"),
        (["--owner=a@b.example", "--origin=https://acme.example/app"], "no path"),
        (["--owner=a@b.example", "--expires=2000-01-01"], "not in the future"),
        (["--owner=a@b.example", "--expires=tomorrow"], "YYYY-MM-DD"),
    ],
)
def test_create_api_key_rejects_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", "Acme", *args, stdout=StringIO())
    assert not PartnerApiKey.objects.exists()


def test_revoke_api_key_revokes_by_prefix_and_is_idempotent():
    api_key, key = make_key()
    out = StringIO()
    call_command("revoke_api_key", api_key.prefix, stdout=out)
    assert "Revoked API key" in out.getvalue()
    api_key.refresh_from_db()
    assert api_key.revoked
    call_command("revoke_api_key", key, stdout=out)
    assert "already revoked" in out.getvalue()
    with pytest.raises(CommandError, match="No API key"):
        call_command("revoke_api_key", "nope1234", stdout=out)


def test_admin_lists_keys_and_creates_one_showing_it_once(admin_client_logged_in):
    client = admin_client_logged_in
    make_key(name="Listed Partner")
    assert b"Listed Partner" in client.get("/admin/finder/partnerapikey/").content
    response = client.post(
        "/admin/finder/partnerapikey/add/",
        {
            "name": "From Admin",
            "owner_contact": "ops@partner.example",
            "tier": "standard",
            "allowed_origins": "https://partner.example\n",
            "expiry_date_0": "",
            "expiry_date_1": "",
            **USAGE_INLINE,
        },
        follow=True,
    )
    assert response.status_code == 200
    created = PartnerApiKey.objects.get(name="From Admin")
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        f"{created.prefix}." in m and "you will not be able to see it" in m for m in messages
    )


def test_admin_refuses_a_malformed_origin(admin_client_logged_in):
    response = admin_client_logged_in.post(
        "/admin/finder/partnerapikey/add/",
        {"name": "Bad", "owner_contact": "a@b.example", "tier": "standard",
         "allowed_origins": "partner.example/path", **USAGE_INLINE},
    )  # fmt: skip
    assert response.status_code == 200
    assert b"must look like https://example.org" in response.content
    assert not PartnerApiKey.objects.exists()


def test_admin_shows_daily_usage_on_the_key(admin_client_logged_in):
    api_key, _ = make_key()
    ApiKeyDailyUsage.objects.create(key=api_key, date=timezone.now().date(), count=42)
    page = admin_client_logged_in.get(f"/admin/finder/partnerapikey/{api_key.pk}/change/")
    assert page.status_code == 200
    assert b"42" in page.content
    listing = admin_client_logged_in.get("/admin/finder/partnerapikey/")
    assert b"Requests (all time)" in listing.content
    usage = admin_client_logged_in.get("/admin/finder/apikeydailyusage/")
    assert usage.status_code == 200
    assert api_key.name.encode() in usage.content


# --- Authentication --------------------------------------------------------------------------


def test_a_valid_key_authenticates(client, provider):
    _api_key, key = make_key()
    response = client.get(SEARCH, **auth(key))
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_no_header_is_anonymous_and_allowed(client, provider):
    assert client.get(SEARCH).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Api-Key nope1234.notasecret", "Api-Key ", "Api-Key garbage", "api-key x.y", "Bearer abc"],
)
def test_a_bad_key_is_401_never_anonymous(client, header):
    response = client.get(SEARCH, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    if header.lower().startswith("api-key"):
        assert response.json() == INVALID


def test_a_bare_key_as_the_docs_authorize_box_sends_it_is_accepted(client, provider):
    api_key, key = make_key()
    response = client.get(SEARCH, HTTP_AUTHORIZATION=key)
    assert response.status_code == 200
    assert ApiKeyDailyUsage.objects.get(key=api_key).count == 1
    bare_but_wrong = client.get(SEARCH, HTTP_AUTHORIZATION=f"{api_key.prefix}.wrongsecret")
    assert (bare_but_wrong.status_code, bare_but_wrong.json()) == (401, INVALID)
    assert client.get(SEARCH, HTTP_AUTHORIZATION="nodot").status_code == 401


def test_a_wrong_secret_for_a_real_prefix_is_401(client):
    api_key, _key = make_key()
    response = client.get(SEARCH, **auth(f"{api_key.prefix}.wrongsecretwrongsecretwrongsecret"))
    assert response.status_code == 401
    assert response.json() == INVALID


def test_a_revoked_key_is_401(client):
    api_key, key = make_key()
    api_key.revoked = True
    api_key.save()
    response = client.get(SEARCH, **auth(key))
    assert response.status_code == 401
    assert response.json() == INVALID
    assert response["WWW-Authenticate"] == "Api-Key"


def test_an_expired_key_is_401(client):
    _api_key, key = make_key(expiry_date=timezone.now() - timedelta(minutes=1))
    response = client.get(SEARCH, **auth(key))
    assert response.status_code == 401
    assert response.json() == INVALID


def test_a_bad_key_is_401_on_estimates_too(client):
    response = client.post(
        ESTIMATES,
        {"coverage": {"type": "self_pay"}},
        content_type="application/json",
        **auth("nope1234.secret"),
    )
    assert response.status_code == 401
    assert response.json() == INVALID


# --- Usage accounting ------------------------------------------------------------------------


def test_usage_counts_each_authenticated_request_per_day(client, provider):
    api_key, key = make_key()
    for _ in range(3):
        assert client.get(SEARCH, **auth(key)).status_code == 200
    client.get(SEARCH)  # anonymous: not counted
    usage = ApiKeyDailyUsage.objects.get()
    assert (usage.key_id, usage.date, usage.count) == (api_key.pk, timezone.now().date(), 3)


def test_a_usage_failure_does_not_fail_the_request(client, provider, monkeypatch, caplog):
    from django.db import DatabaseError
    from django.db.models import QuerySet

    _, key = make_key()

    def broken_update(self, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(QuerySet, "update", broken_update)
    with caplog.at_level(logging.WARNING, logger="finder.api.auth"):
        response = client.get(SEARCH, **auth(key))
    assert response.status_code == 200
    assert "Could not record API usage" in caplog.text


# --- Throttling ------------------------------------------------------------------------------


@override_settings(API_ANON_RATE="3/min")
def test_anonymous_clients_are_throttled_per_ip_with_retry_after(client, provider):
    statuses = [client.get(SEARCH).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get(SEARCH)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Limit"] == "3"
    assert response["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(response["X-RateLimit-Reset"]) <= 60
    assert response.json()["detail"].startswith("Request was throttled.")
    # Another IP has its own allowance.
    assert client.get(SEARCH, REMOTE_ADDR="10.0.0.9").status_code == 200


@override_settings(API_ANON_RATE="5/min")
def test_successful_responses_carry_rate_limit_headers(client, provider):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert (response["X-RateLimit-Limit"], response["X-RateLimit-Remaining"]) == ("5", "4")
    assert response["X-RateLimit-Reset"].isdigit()


@override_settings(API_ANON_RATE="1/min", API_STANDARD_RATE="2/min", API_PREMIUM_RATE="4/min")
def test_keys_get_their_tier_rate_not_the_anonymous_one(client, provider):
    _, standard = make_key()
    _, premium = make_key(name="Big Partner", tier="premium")
    assert [client.get(SEARCH, **auth(standard)).status_code for _ in range(3)] == [200, 200, 429]
    assert [client.get(SEARCH, **auth(premium)).status_code for _ in range(5)] == [200] * 4 + [429]
    # Each key counts on its own, separately from anonymous callers on the same IP.
    assert client.get(SEARCH).status_code == 200


@override_settings(API_ESTIMATE_RATE="2/min", API_ANON_RATE="100/min")
def test_estimates_have_their_own_lower_rate(client, provider):
    ProcedureFactory()
    body = {"provider_id": provider.id, "visits": 2, "coverage": {"type": "self_pay"}}
    statuses = [
        client.post(ESTIMATES, body, content_type="application/json").status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    # A partner key has its own estimate allowance, separate from this IP's.
    _, key = make_key()
    response = client.post(ESTIMATES, body, content_type="application/json", **auth(key))
    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "2"
    # Other endpoints are unaffected by the estimate limit.
    assert client.get(SEARCH).status_code == 200


@pytest.fixture
def redis_cache():
    """Django's cache on the real Redis (as in production), emptied before and after."""
    if not redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_TEST_URL,
        "KEY_PREFIX": "jointcare-test",
    }
    with override_settings(CACHES={"default": backend}):
        cache.clear()
        try:
            yield caches["default"]
        finally:
            cache.clear()


@override_settings(API_ANON_RATE="2/min")
def test_the_limit_is_shared_across_clients_through_the_cache(provider, redis_cache):
    """Two clients (think: two workers) count against one limit held in the shared cache."""
    first, second = Client(), Client()
    assert first.get(SEARCH).status_code == 200
    assert second.get(SEARCH).status_code == 200
    assert first.get(SEARCH).status_code == 429
    assert second.get(SEARCH).status_code == 429


@pytest.fixture
def redis_admin(redis_cache):
    """A plain client on the test database: the server's view of what the counter wrote."""
    with redis.Redis.from_url(REDIS_TEST_URL) as client:
        yield client


def test_redis_counters_count_in_one_window_and_expire_with_it(redis_cache, redis_admin):
    assert [increment("window", timeout=61) for _ in range(3)] == [1, 2, 3]
    full_key = redis_cache.make_and_validate_key("window")
    assert 0 < redis_admin.ttl(full_key) <= 61
    assert cache.get("window") == 3  # readable through Django's cache API too


def test_redis_counters_survive_the_server_forgetting_the_script(redis_cache, redis_admin):
    """After a Redis restart the counting script is gone: it is loaded again, not a failure."""
    assert increment("restarted", timeout=61) == 1
    redis_admin.script_flush()
    assert increment("restarted", timeout=61) == 2


def test_redis_counters_connect_again_when_the_server_drops_them(redis_cache, redis_admin):
    """A Redis restart or idle timeout closes the counter's connection: the next count opens
    a new one and counts, rather than failing (which would let the request through uncounted)."""
    assert increment("dropped", timeout=61) == 1
    counter = redis_counter(redis_cache)
    dropped = counter.client.client_id()
    assert redis_admin.client_kill_filter(_id=dropped) == 1
    assert increment("dropped", timeout=61) == 2
    assert redis_counter(redis_cache) is counter
    assert counter.client.client_id() != dropped


def test_later_requests_never_extend_a_redis_window(redis_cache, redis_admin):
    """Only the window's first request sets the expiry: later ones never extend a window."""
    full_key = redis_cache.make_and_validate_key("window")
    increment("window", timeout=61)
    redis_admin.expire(full_key, 5)
    increment("window", timeout=61)
    assert 0 < redis_admin.ttl(full_key) <= 5


@override_settings(
    API_ANON_RATE="1/min",
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    },
)
def test_requests_succeed_when_the_cache_is_down(client, provider, caplog):
    with caplog.at_level(logging.WARNING, logger="finder.api.throttling"):
        statuses = [client.get(SEARCH).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert "Rate limiting skipped: the cache is unavailable" in caplog.text


# --- CORS ------------------------------------------------------------------------------------


def preflight(client, origin: str, path: str = SEARCH):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )


def test_cors_allows_an_origin_listed_by_an_active_key(client, provider):
    make_key(allowed_origins="https://partner.example\nhttps://other.example")
    response = preflight(client, "https://partner.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://partner.example"
    assert "authorization" in response["Access-Control-Allow-Headers"]
    get = client.get(SEARCH, HTTP_ORIGIN="https://other.example")
    assert get["Access-Control-Allow-Origin"] == "https://other.example"
    assert "X-RateLimit-Remaining" in get["Access-Control-Expose-Headers"]


def test_cors_refuses_an_unknown_origin(client, provider):
    make_key(allowed_origins="https://partner.example")
    response = preflight(client, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in response
    get = client.get(SEARCH, HTTP_ORIGIN="https://evil.example")
    assert get.status_code == 200
    assert "Access-Control-Allow-Origin" not in get


def test_cors_ignores_origins_of_revoked_and_expired_keys(client):
    revoked, _ = make_key(allowed_origins="https://revoked.example")
    revoked.revoked = True
    revoked.save()
    make_key(
        allowed_origins='["https://expired.example"]',
        expiry_date=timezone.now() - timedelta(days=1),
    )
    for origin in ("https://revoked.example", "https://expired.example"):
        assert "Access-Control-Allow-Origin" not in preflight(client, origin)


@override_settings(CORS_ALLOWED_ORIGINS=["https://configured.example"])
def test_cors_allows_origins_from_settings(client):
    response = preflight(client, "https://configured.example")
    assert response["Access-Control-Allow-Origin"] == "https://configured.example"


def test_cors_applies_to_api_paths_only(client):
    make_key(allowed_origins="https://partner.example")
    response = client.get("/practice-acts/", HTTP_ORIGIN="https://partner.example")
    assert "Access-Control-Allow-Origin" not in response


def test_a_new_key_origin_is_honoured_at_once(client):
    assert "Access-Control-Allow-Origin" not in preflight(client, "https://late.example")
    make_key(allowed_origins="https://late.example")
    assert preflight(client, "https://late.example")["Access-Control-Allow-Origin"]


# --- Conditional GET and errors --------------------------------------------------------------


def test_provider_detail_is_cacheable_and_supports_etags(client, provider):
    url = f"/api/v1/providers/{provider.id}/"
    first = client.get(url)
    assert first.status_code == 200
    assert set(first["Cache-Control"].replace(" ", "").split(",")) == {"public", "max-age=300"}
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_reference_data_supports_etags(client):
    first = client.get("/api/v1/insurance-plans/")
    assert first.status_code == 200
    assert (
        client.get("/api/v1/insurance-plans/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    )


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_errors_outside_drf_are_written_like_drfs_own(client, db):
    """Byte for byte as DRF writes JSON (no spaces): a 404 from the URL router beside one
    from a DRF view, and a 400 refused by the middleware."""
    assert client.get("/api/v1/no-such-thing/").content == b'{"detail":"Not found."}'
    assert client.get(f"{SEARCH}?page=999").content == b'{"detail":"Invalid page."}'
    refused = client.get(f"{SEARCH}?near=%00")
    assert refused.status_code == 400
    assert (
        refused.content == json.dumps({"detail": NUL_NOT_ALLOWED}, separators=(",", ":")).encode()
    )


@override_settings(DEBUG=True)
def test_unknown_api_path_is_json_404_with_debug_on_too(client):
    response = client.get("/api/v2/providers/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_api_paths_without_the_trailing_slash(client):
    response = client.get("/api/v1/providers?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/providers/?page=1"
    response = client.post(ESTIMATES.rstrip("/"), {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found. Did you mean /api/v1/estimates/ ?"}


# API clients send no CSRF token; the default test client skips the check, so enforce it here.
@pytest.mark.parametrize(
    ("method", "path", "detail"),
    [
        ("post", "/api/v1/estimates", "Not found. Did you mean /api/v1/estimates/ ?"),
        ("put", "/api/v1/estimates", "Not found. Did you mean /api/v1/estimates/ ?"),
        ("delete", "/api/v1/providers", "Not found. Did you mean /api/v1/providers/ ?"),
        ("post", "/api/v1/no-such-thing/", "Not found."),
        ("patch", "/api/v2/providers/", "Not found."),
    ],
)
def test_api_not_found_answers_writes_without_a_csrf_token(method, path, detail):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path, "{}", content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}


def test_unknown_page_is_friendly_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"<html" in response.content


def test_server_error_handler_answers_json_under_api_and_html_elsewhere(rf):
    from finder.errors import server_error

    api = server_error(rf.get("/api/v1/providers/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    page = server_error(rf.get("/"))
    assert page.status_code == 500
    assert b"Something went wrong" in page.content


def test_wrong_method_and_media_type_are_json(client):
    response = client.delete(SEARCH)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}
    response = client.post(ESTIMATES, "visits=1", content_type="text/plain")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_a_key_costs_at_most_four_queries_per_request(client, provider):
    """The key lookup, and the usage UPDATE inside a savepoint (two more statements)."""
    from django.test.utils import CaptureQueriesContext

    _, key = make_key()
    client.get(SEARCH, **auth(key))  # the day's usage row now exists
    with CaptureQueriesContext(connection) as anonymous:
        client.get(SEARCH)
    with CaptureQueriesContext(connection) as keyed:
        client.get(SEARCH, **auth(key))
    extra = [q["sql"] for q in keyed.captured_queries[len(anonymous.captured_queries) :]]
    assert len(keyed.captured_queries) - len(anonymous.captured_queries) <= 4, extra
