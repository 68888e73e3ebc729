"""System checks for deployments (`manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

# Why each backend falls short of what production needs: rate limits that hold across every
# worker and host (CONTRACT.md), and edits that reach every worker's cached searches at once.
CACHE_SHORTCOMINGS = {
    "django.core.cache.backends.locmem.LocMemCache": (
        "is private to each worker process: API rate limits, cached searches and generation "
        "tokens are not shared, so limits do not hold across workers and an edit may reach "
        "the others late."
    ),
    "django.core.cache.backends.dummy.DummyCache": (
        "stores nothing: API rate limits are not enforced and an edit may reach other workers late."
    ),
    "django.core.cache.backends.filebased.FileBasedCache": (
        "is shared only within one host: API rate limits do not hold across hosts and an edit "
        "may reach other hosts late."
    ),
    "django.core.cache.backends.db.DatabaseCache": (
        "keeps the cache in the database: every cached search and every API call's rate-limit "
        "count is a database write, and counts are not atomic, so concurrent workers lose some "
        "and rate limits do not quite hold."
    ),
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[CheckMessage]:
    caches: dict[str, dict[str, Any]] = settings.CACHES
    backend = caches.get("default", {}).get("BACKEND", "")
    problem = CACHE_SHORTCOMINGS.get(backend)
    if problem is None:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) {problem}",
            hint="Set REDIS_URL to a Redis server that every worker and host can reach.",
            id="finder.W001",
        )
    ]
