"""JointCare Finder settings: one module, driven by the environment.

Without any environment the project runs on SQLite in the project folder with DEBUG on only
when started through `make run` (which sets DJANGO_DEBUG=1).
"""

import math
import os
import re
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}.") from exc
    if not math.isfinite(value) or value < 0:
        raise ImproperlyConfigured(f"{name} must be a finite number >= 0, got {raw!r}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


RATE_RE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """A DRF rate such as "60/min" (requests per second, minute, hour or day)."""
    value = env_str(name, default).strip()
    if not RATE_RE.match(value):
        raise ImproperlyConfigured(
            f"{name} must look like 60/min (N/s, /min, /h, /day), got {value!r}."
        )
    return value


TESTING = "pytest" in sys.modules or env_bool("DJANGO_TESTING")

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        # A throwaway key for local development and tests only.
        SECRET_KEY = "insecure-dev-key-do-not-use-in-production"
    elif env_bool("DJANGO_THROWAWAY_SECRET_KEY_OK"):
        # Set by manage.py for commands that neither serve nor sign anything that outlives them.
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (see .env.example), "
            "or set DJANGO_DEBUG=1 for local development."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS and browser hardening (docs/operations.md): on by default in production (DEBUG off and
# not under tests), off for local development and tests; each can be set in the environment.
PRODUCTION = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers probe /healthz over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Only behind a TLS-terminating proxy that sets X-Forwarded-Proto and drops clients' own.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "simple_history",
    "providers",
    "providers.accounts",
    "finder",
]
# Developer tooling (devtools/: benchmarks, the soak test, test-data generators) ships with the
# code, but its commands are offered only where asked for, never on a production host.
DEVTOOLS = env_bool("DEVTOOLS", False)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    # First, so every log line of the request carries its id.
    "finder.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Compressed, far-future-cached static files straight from the app servers.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below; the API docs relax it in urls.py,
    # the JSON API gets a fixed deny-all policy): django-csp's middleware, see finder/middleware.py.
    "finder.middleware.ContentSecurityPolicyMiddleware",
    # CORS answers preflights before anything else runs; it applies to /api/ only.
    "corsheaders.middleware.CorsMiddleware",
    # 400 for NUL characters and 413 for oversized bodies, before anything parses them.
    "finder.middleware.RequestGuardMiddleware",
    # A database outage becomes a 503: JSON under /api/, the 503 page elsewhere.
    "finder.middleware.DatabaseUnavailableMiddleware",
    # Outside ConditionalGet so that 304 responses keep the X-RateLimit-* headers.
    "finder.api.throttling.RateLimitHeadersMiddleware",
    # ETags from the rendered body, and 304 for a matching If-None-Match (GET only).
    "django.middleware.http.ConditionalGetMiddleware",
    # "PagesOnly": sessions, logins, messages and history for pages and the admin;
    # the API (keys, no sessions) skips them (finder/middleware.py). CSRF stays: API views
    # are exempt on their own, and forms everywhere else need it.
    "finder.middleware.PagesOnlySession",
    # The page's language from its URL prefix (/es/…); unprefixed paths, the API's too, English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "finder.middleware.PagesOnlyAuthentication",
    # Records which admin user made each change in the models' history (django-simple-history).
    "finder.middleware.pages_only_history",
    "finder.middleware.PagesOnlyMessages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: refuses logins from a locked-out client.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "finder.context_processors.map_tiles",
                "finder.context_processors.languages",
            ],
        },
    },
]


def postgresql_options() -> dict:
    return {
        "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5),
        # The search's own statements (finder/rows.py) bind parameters on the server, and
        # psycopg prepares one after five runs on a connection, so PostgreSQL plans it once
        # per connection instead of on every search. The ORM's queries are never prepared.
        # Behind a transaction-mode pooler without prepared-statement support (PgBouncer
        # before 1.21, or max_prepared_statements = 0), set DATABASE_PREPARED_STATEMENTS=0.
        "prepare_threshold": 5 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None,
    }


def add_postgresql_options(database: dj_database_url.DBConfig) -> None:
    if database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("OPTIONS", {}).update(postgresql_options())


# Connections are kept between requests (CONN_MAX_AGE seconds), and each request's first
# query on a kept one is preceded by Django's health check (`SELECT 1`), so a connection the
# server ended meanwhile (a restart, an idle timeout) is replaced instead of failing a request.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while the import or an admin edit writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
add_postgresql_options(DATABASES["default"])

# Optional read replica for search and detail traffic (see config/db_router.py).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    add_postgresql_options(DATABASES["replica"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "jointcare"),
            # Fail fast when Redis is unreachable: throttles then allow the request and log.
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_CONNECT_TIMEOUT_SECONDS", 1),
                "socket_timeout": env_int("REDIS_TIMEOUT_SECONDS", 1),
            },
        }
    }
elif TESTING:
    # The suite's in-process tests: per process, emptied around every test, and usable by tests
    # without database access. The default below is tested with real processes
    # (tests/test_shared_cache.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Without Redis, a table in the database (created by `migrate`, providers/cache_table.py):
    # shared by every process that uses the database (the server's workers, an import or
    # seed_demo run from the command line), so their changes reach the server's cached searches
    # and generation tokens (providers/freshness.py) at once. A per-process cache would keep
    # serving what was cached before such a change until it expired.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "jointcare_cache",
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "jointcare"),
            # Cached searches and rate-limit counters; expired rows go first when it is full.
            "OPTIONS": {"MAX_ENTRIES": env_int("DATABASE_CACHE_MAX_ENTRIES", 5000)},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it counts failed logins and locks a username at an address out (429).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Username and address together: a stranger cannot lock a curator out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "providers.admin_safety.axes_username"

# Patient pages in English (unprefixed) and Spanish (/es/…): config/urls.py, docs/i18n.md.
# The partner API and the admin stay English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish as written in the US: dates in words ("7 de diciembre de 2026") but dollar amounts and
# numbers as on every bill here ($1,234.50), not with the decimal comma of Spain.
FORMAT_MODULE_PATH = ["config.formats"]
# Provider accounts (providers/accounts): sessions end after SESSION_COOKIE_AGE_SECONDS (default
# 8 hours) and when the browser closes; sign-in links and password resets expire too.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 3 * 3600)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "finder:search"
# Links in emails (verification, reminders) are absolute: this is the site's public address.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reports of a problem with a listing, per client address and hour.
LISTING_REPORTS_PER_HOUR = env_int("LISTING_REPORTS_PER_HOUR", 5)

# Email (verification links, password resets, reminders) through Django's backend, chosen by
# EMAIL_BACKEND: the console in development (and whenever unset), SMTP in production with the
# EMAIL_HOST… settings, or the file backend writing each message under EMAIL_FILE_PATH.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 10)
if env_str("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "JointCare Finder <no-reply@localhost>")

TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes and WhiteNoise serves from; CI gives each concurrent test run its own.
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
if not DEBUG and not TESTING:
    # Hashed, compressed names; `make serve` runs collectstatic first.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The search index's INCLUDE columns make it covering on PostgreSQL; SQLite ignores them and
# still uses the index for the coordinates box, which is all it needs there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Request bodies over this size are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

REST_FRAMEWORK = {
    # DRF's JSONRenderer output, written by orjson (finder/api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["finder.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # `Authorization: Api-Key <key>`; no header is anonymous, a bad key is 401.
    "DEFAULT_AUTHENTICATION_CLASSES": ["finder.api.auth.PartnerApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # Rates are read from the API_*_RATE settings below at request time.
    "DEFAULT_THROTTLE_CLASSES": [
        "finder.api.throttling.ClientRateThrottle",
        "finder.api.throttling.EstimateRateThrottle",
    ],
    # Proxies in front of the app that append to X-Forwarded-For; 0 trusts REMOTE_ADDR only,
    # so clients cannot pick their own per-IP bucket.
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "finder.api.errors.api_exception_handler",
}

# Request rates in DRF's N/period form, enforced through the default cache (Redis when
# REDIS_URL is set, so every worker and host shares one count).
API_ANON_RATE = env_rate("API_ANON_RATE", "60/min")
API_STANDARD_RATE = env_rate("API_STANDARD_RATE", "600/min")
API_PREMIUM_RATE = env_rate("API_PREMIUM_RATE", "3000/min")
API_ESTIMATE_RATE = env_rate("API_ESTIMATE_RATE", "20/min")

SPECTACULAR_SETTINGS = {
    "TITLE": "JointCare Finder API",
    "DESCRIPTION": (
        "Find chiropractors and physical therapists who perform joint manipulation, check "
        "state scope of practice and estimate costs. Anonymous calls are allowed at a low "
        "per-IP rate; partners send `Authorization: Api-Key <key>`. The guide, with examples, "
        "limits and error formats: [/api/guide/](/api/guide/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProfessionEnum": "providers.models.Profession",
        "ScopeEnum": "providers.models.Scope",
        "ServiceEnum": "providers.models.Service",
        "VerificationStatusEnum": "providers.models.VerificationStatus",
        "VerificationSourceEnum": "providers.models.VerificationSource",
        # A price's and a location's Medicare amount share it; a plan's evidence has its own.
        "MedicareAmountSourceEnum": "finder.api.shapes.MedicareAmountSource",
        "AcceptanceSourceEnum": "providers.models.AcceptanceSource",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "finder.api.schema.add_error_responses",
    ],
    # Swagger UI and its assets come from drf-spectacular-sidecar via STATIC_URL: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# CORS for the partner API and the FHIR directory only: these origins plus any listed by an
# active partner key.
CORS_URLS_REGEX = r"^/(api|fhir)/.*$"
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS", "POST")
CORS_EXPOSE_HEADERS = (
    "ETag",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)

# Anonymous search responses are cached this long at most; any listing change invalidates them.
SEARCH_CACHE_SECONDS = env_int("SEARCH_CACHE_SECONDS", 300)

# The base of the canonical URLs of the FHIR directory's own extensions and code systems
# (finder/fhir/profiles.py): identifiers partners match on, so set it once and keep it.
FHIR_CANONICAL_BASE = env_str("FHIR_CANONICAL_BASE", "https://jointcare.example.org/fhir")
# Providers loaded per batch by the bulk exports (NDJSON and FHIR $export): memory stays flat
# at one batch whatever the directory's size.
EXPORT_BATCH_SIZE = env_int("EXPORT_BATCH_SIZE", 500)
# How often a process re-reads the shared "has anything changed" tokens (providers/freshness.py):
# changes made in other processes reach this one within this many seconds.
FRESHNESS_RECHECK_SECONDS = env_float("FRESHNESS_RECHECK_SECONDS", 0.0 if TESTING else 1.0)

GEOCODER = env_str("GEOCODER", "offline")
GEOCODER_USER_AGENT = env_str("GEOCODER_USER_AGENT", "jointcare-finder/0.1")
GEOCODER_NOMINATIM_DOMAIN = env_str("GEOCODER_NOMINATIM_DOMAIN", "nominatim.openstreetmap.org")
GEOCODER_NOMINATIM_SCHEME = env_str("GEOCODER_NOMINATIM_SCHEME", "https")
GEOCODER_TIMEOUT_SECONDS = env_int("GEOCODER_TIMEOUT_SECONDS", 5)
GEOCODER_CACHE_SECONDS = env_int("GEOCODER_CACHE_SECONDS", 7 * 24 * 3600)
GEOCODER_MISS_CACHE_SECONDS = env_int("GEOCODER_MISS_CACHE_SECONDS", 3600)

# Map tiles for the search and provider pages' maps (Leaflet). The default is OpenStreetMap's
# public tile server, whose usage policy requires this attribution; the pages work without tiles.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG or TESTING else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own default config would print request errors a second time.
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # urllib3 logs retried URLs, which carry users' geocoding queries (their addresses).
        "urllib3": {"level": "ERROR"},
    },
}


def csp_source(url: str) -> str:
    """A CSP source for a URL template: "https://{s}.tile.example/{z}.png" -> "https://*.tile.example"."""
    parts = urlsplit(url)
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc)
    if not parts.scheme or not host:
        raise ImproperlyConfigured(f"Expected an absolute http(s) URL, got {url!r}.")
    return f"{parts.scheme}://{host}"


# Content-Security-Policy for every response (django-csp): scripts and styles from this site only
# (no inline code: templates load static/js/ files), images from here and the map tile server.
# An empty MAP_TILE_URL turns the map's tiles off (pins and the list still work).
MAP_TILE_SOURCES = [csp_source(MAP_TILE_URL)] if MAP_TILE_URL else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *MAP_TILE_SOURCES],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
