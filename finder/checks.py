"""System checks for deployments (`manage.py check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

# Backends whose entries other workers cannot see. The file cache is shared by the workers of
# one host only, and CONTRACT.md requires rates to hold across hosts too.
UNSHARED_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "is private to each worker process",
    "django.core.cache.backends.dummy.DummyCache": "stores nothing",
    "django.core.cache.backends.filebased.FileBasedCache": "is shared only within one host",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[CheckMessage]:
    caches: dict[str, dict[str, Any]] = settings.CACHES
    backend = caches.get("default", {}).get("BACKEND", "")
    problem = UNSHARED_CACHES.get(backend)
    if problem is None:
        return []
    return [
        Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) {problem}: API rate limits, "
            "cached searches and generation tokens are not shared between workers, so rate "
            "limits do not hold across workers and an edit may reach the others late.",
            hint="Set REDIS_URL to a Redis server that every worker and host can reach.",
            id="finder.W001",
        )
    ]
