"""Request rates per client, counted in Django's default cache.

Fixed windows with an atomic counter (a Redis script: INCR, EXPIRE on the first): Redis when
REDIS_URL is set, so every worker process and host shares one count; Django's database cache
otherwise (shared too, but add-then-increment is not atomic there: fine for development). DRF's
own SimpleRateThrottle keeps a list of timestamps that it reads and rewrites, which loses
counts when workers race; a counter does not.
The window number is part of the cache key, so a counter that somehow lost its expiry can
never hold a client back beyond its window.

Rates are read from settings on every request (API_ANON_RATE, API_STANDARD_RATE,
API_PREMIUM_RATE, API_ESTIMATE_RATE), so `override_settings` works in tests.

If the cache fails (Redis down), the request is allowed and a warning logged: an outage of the
rate limiter must not become an outage of the API.
"""

import logging
import math
import os
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from redis.backoff import NoBackoff
from redis.retry import Retry
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from finder.models import ApiKeyTier, PartnerApiKey

if TYPE_CHECKING:  # DRF imports throttle classes while defining APIView itself.
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

DEFAULT_RATES = {
    "API_ANON_RATE": "60/min",
    "API_STANDARD_RATE": "600/min",
    "API_PREMIUM_RATE": "3000/min",
    "API_ESTIMATE_RATE": "20/min",
}
TIER_RATE_SETTINGS: dict[str, str] = {  # by a key's stored tier
    ApiKeyTier.STANDARD: "API_STANDARD_RATE",
    ApiKeyTier.PREMIUM: "API_PREMIUM_RATE",
}
ESTIMATE_SCOPE = "estimates"
ESTIMATE_URL_NAME = "estimate-create"
REQUEST_ATTRIBUTE = "jointcare_rate_limits"


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset_seconds: int


def rate_setting(name: str) -> str:
    return getattr(settings, name, DEFAULT_RATES[name])


class WindowRateThrottle(SimpleRateThrottle):
    """A fixed-window counter per client; subclasses choose the rate and whether to apply."""

    scope = "api"

    def __init__(self) -> None:
        # SimpleRateThrottle reads its rate at construction from DRF settings; ours is read
        # per request from Django settings instead.
        self.wait_seconds: float | None = None

    def rate_for(self, request: Request, view: "APIView") -> str | None:
        raise NotImplementedError

    def get_cache_key(self, request: Request, view: "APIView") -> str:
        return client_ident(request, self)

    def allow_request(self, request: Request, view: "APIView") -> bool:
        rate = self.rate_for(request, view)
        if rate is None:
            return True
        limit, duration = self.parse_rate(rate)
        if limit is None or duration is None:  # parse_rate's answer for no rate
            return True
        now = self.timer()
        window = int(now // duration)
        key = f"throttle:{self.scope}:{self.get_cache_key(request, view)}:{duration}:{window}"
        try:
            count = increment(key, timeout=duration + 1)
        except Exception as exc:  # Redis down or any backend failure: degrade open.
            logger.warning("Rate limiting skipped: the cache is unavailable (%r)", exc)
            return True
        reset = max(1, math.ceil((window + 1) * duration - now))
        remember_state(request, RateLimitState(limit, max(0, limit - count), reset))
        if count > limit:
            self.wait_seconds = reset
            return False
        return True

    def wait(self) -> float | None:
        return self.wait_seconds


# INCR, and EXPIRE when that started the window: atomic on the server, and one command.
# Django's add() and incr() cost three round trips on every API call; this is one. The count
# is a plain Redis integer, as Django stores ints, so cache.get() reads it too.
WINDOW_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def increment(key: str, *, timeout: int) -> int:
    backend = caches["default"]  # `cache` is a proxy: isinstance needs the backend itself
    if isinstance(backend, RedisCache):
        # make_key, not make_and_validate_key: the check is memcached's (these keys pass it), and
        # looping over every character cost a fifth of the call.
        return redis_counter(backend).increment(backend.make_key(key), timeout)
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # The counter expired between add and incr: this request starts the new window.
        cache.set(key, 1, timeout)
        return 1


class RedisWindowCounter:
    """WINDOW_COUNT_SCRIPT on a Redis client of its own, holding one connection.

    Django's cache exposes no Redis client, so this one is built from the same settings: the
    cache's first LOCATION (the server Django writes to) and its OPTIONS. One connection,
    not a pool: it is used by one thread (Django's caches are per thread, and so are these
    counters). The script goes by its SHA1 (EVALSHA) and is loaded again when the server has
    forgotten it (a restart, SCRIPT FLUSH). A connection the server closed (a restart, its idle
    timeout) is replaced at once, with one immediate retry; redis-py's default retries back
    off for seconds, which would hold a request that the rate limiter must not hold."""

    def __init__(self, location: str, options: dict[str, Any]) -> None:
        self.client = redis.Redis.from_url(
            location,
            single_connection_client=True,
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)),
            **options,
        )
        self.count = self.client.register_script(WINDOW_COUNT_SCRIPT)

    def increment(self, full_key: str, timeout: int) -> int:
        return self.count(keys=[full_key], args=[timeout])


# Per cache backend (so per thread, and anew when a test overrides CACHES) and per process
# (a forked worker must not share its parent's connection).
_counters: "weakref.WeakKeyDictionary[RedisCache, tuple[int, RedisWindowCounter]]" = (
    weakref.WeakKeyDictionary()
)


def redis_counter(backend: RedisCache) -> RedisWindowCounter:
    pid = os.getpid()
    owner, counter = _counters.get(backend, (0, None))
    if counter is None or owner != pid:
        cache_settings: dict[str, Any] = settings.CACHES[DEFAULT_CACHE_ALIAS]
        servers = cache_settings["LOCATION"]
        if isinstance(servers, str):
            servers = servers.split(",")
        counter = RedisWindowCounter(servers[0], cache_settings.get("OPTIONS", {}))
        _counters[backend] = (pid, counter)
    return counter


def client_ident(request: Request, throttle: SimpleRateThrottle) -> str:
    """A partner key's prefix, or the caller's IP address (see REST_FRAMEWORK NUM_PROXIES)."""
    if isinstance(request.auth, PartnerApiKey):
        return f"key:{request.auth.prefix}"
    return f"ip:{throttle.get_ident(request)}"


class ClientRateThrottle(WindowRateThrottle):
    """Every API call: API_ANON_RATE per IP, or the key's tier rate per partner key."""

    scope = "client"

    def rate_for(self, request: Request, view: "APIView") -> str | None:
        if isinstance(request.auth, PartnerApiKey):
            return rate_setting(TIER_RATE_SETTINGS.get(request.auth.tier, "API_STANDARD_RATE"))
        return rate_setting("API_ANON_RATE")


class EstimateRateThrottle(WindowRateThrottle):
    """Estimates on top of the client rate: API_ESTIMATE_RATE per key or IP.

    Applies to views with `throttle_scope = "estimates"`, and to the `api:estimate-create`
    route either way.
    """

    scope = ESTIMATE_SCOPE

    def rate_for(self, request: Request, view: "APIView") -> str | None:
        match = getattr(request, "resolver_match", None)
        is_estimate = getattr(view, "throttle_scope", None) == ESTIMATE_SCOPE or (
            match is not None and match.url_name == ESTIMATE_URL_NAME
        )
        return rate_setting("API_ESTIMATE_RATE") if is_estimate else None


def remember_state(request: Request, state: RateLimitState) -> None:
    # The list RateLimitHeadersMiddleware put on the HttpRequest, which DRF's Request reads
    # through; absent when the middleware is not installed.
    states = getattr(request, REQUEST_ATTRIBUTE, None)
    if states is not None:
        states.append(state)


class RateLimitHeadersMiddleware:
    """Adds X-RateLimit-Limit/-Remaining/-Reset to responses of throttled views.

    When several limits apply (the client rate and the estimate rate), the headers describe
    the one closest to running out. Reset is in seconds from now, like Retry-After.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        states: list[RateLimitState] = []
        setattr(request, REQUEST_ATTRIBUTE, states)
        response = self.get_response(request)
        if states:
            tightest = min(states, key=lambda s: (s.remaining, s.limit))
            response.headers.setdefault("X-RateLimit-Limit", str(tightest.limit))
            response.headers.setdefault("X-RateLimit-Remaining", str(tightest.remaining))
            response.headers.setdefault("X-RateLimit-Reset", str(tightest.reset_seconds))
        return response
