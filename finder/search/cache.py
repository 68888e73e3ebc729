"""Caching search responses, keyed on the normalised query and the data's generation.

A listing or practice-act change anywhere moves the generation tokens, so cached responses are
never served stale past that change (see providers/freshness.py).
"""

import hashlib
import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from providers import freshness

logger = logging.getLogger(__name__)
T = TypeVar("T")


def search_cache_key(kind: str, request: HttpRequest) -> str:
    query = sorted((key, sorted(values)) for key, values in request.GET.lists())
    raw = json.dumps([request.build_absolute_uri(request.path), query], ensure_ascii=True)
    digest = hashlib.sha256(raw.encode()).hexdigest()
    tokens = freshness.tokens(freshness.LISTINGS, freshness.PRACTICE_ACTS)
    # Practice acts take effect on dates, so the date is part of the generation too.
    generation = ":".join((*tokens, timezone.localdate().isoformat()))
    return f"search:{kind}:{generation}:{digest}"


def caching_enabled() -> bool:
    return settings.SEARCH_CACHE_SECONDS > 0


def cached(kind: str, request: HttpRequest, build: Callable[[], T]) -> T:
    """`build()` once per normalised query and generation; a cache outage only costs the
    rebuild. With SEARCH_CACHE_SECONDS=0 the cache is not consulted at all."""
    if not caching_enabled():
        return build()
    key = search_cache_key(kind, request)
    try:
        hit = cache.get(key)
    except Exception:
        logger.warning("Search cache unavailable", exc_info=True)
        return build()
    if hit is not None:
        return hit
    value = build()
    try:
        cache.set(key, value, timeout=settings.SEARCH_CACHE_SECONDS)
    except Exception:
        logger.warning("Search cache unavailable", exc_info=True)
    return value


def cache_anonymous_search_page(view: Callable) -> Callable:
    """Serve repeated anonymous searches from the cache; only 200s with a query are kept."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if (
            request.method != "GET"
            or not request.GET
            or request.user.is_authenticated
            or not caching_enabled()
        ):
            return view(request, *args, **kwargs)
        key = search_cache_key("page", request)
        try:
            hit = cache.get(key)
        except Exception:
            logger.warning("Search cache unavailable", exc_info=True)
            return view(request, *args, **kwargs)
        if hit is not None:
            return HttpResponse(hit, content_type="text/html; charset=utf-8")
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            try:
                cache.set(key, response.content, timeout=settings.SEARCH_CACHE_SECONDS)
            except Exception:
                logger.warning("Search cache unavailable", exc_info=True)
        return response

    return wrapper
