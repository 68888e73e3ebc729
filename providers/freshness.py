"""Generation tokens that tell caches when listings or practice acts have changed.

Each name maps to a random token in Django's default cache, shared by every process: Redis, or
without REDIS_URL the database cache (config/settings.py), where a bump made inside a
transaction becomes visible with the change it announces.
Writers call `bump(name)`; readers put `token(name)` in their cache keys, so a change makes
every older entry unreachable at once, in every process. Signals cover ORM saves and deletes;
bulk writers (imports, admin bulk actions, demo data) call `bump` themselves.

Reading the tokens is a shared-cache round trip, and every search needs them (practice acts,
cached responses): under load those reads were a tenth of a worker's time. So each process
re-reads a token at most every FRESHNESS_RECHECK_SECONDS (1 s by default, 0 in tests): a
change made in this process is seen at once, one made elsewhere within that interval.
"""

import logging
import time
import uuid
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

LISTINGS = "listings"
PRACTICE_ACTS = "practice_acts"


def _key(name: str) -> str:
    return f"generation:{name}"


def token(name: str) -> str:
    """The current generation of `name`; a fresh one after a cache flush or outage."""
    return tokens(name)[0]


# name -> (token, time.monotonic() when read): this process's recent reads.
_recent: dict[str, tuple[str, float]] = {}


def tokens(*names: str) -> tuple[str, ...]:
    """The current generations of `names`: from this process's recent reads, else read in
    one cache round trip."""
    now = time.monotonic()
    recheck = settings.FRESHNESS_RECHECK_SECONDS
    recent = [_recent.get(name) for name in names]
    fresh = [entry[0] for entry in recent if entry is not None and now - entry[1] < recheck]
    if len(fresh) == len(names):
        return tuple(fresh)
    read = _read(names)
    _recent.update((name, (value, now)) for name, value in zip(names, read, strict=True))
    return read


def forget() -> None:
    """Drop this process's recent reads (tests, after clearing the cache)."""
    _recent.clear()


def _read(names: tuple[str, ...]) -> tuple[str, ...]:
    try:
        found = cache.get_many([_key(name) for name in names])
        missing = {_key(name): uuid.uuid4().hex for name in names if _key(name) not in found}
        if missing:
            # add(), not set(): a concurrent first reader may have created the token already.
            for key, value in missing.items():
                if not cache.add(key, value, timeout=None):
                    missing[key] = cache.get(key, value)
            found.update(missing)
        return tuple(found[_key(name)] for name in names)
    except Exception:  # the cache is down: make every lookup a miss rather than fail
        logger.warning("Cache unavailable; %s treated as changed", ", ".join(names), exc_info=True)
        return tuple(uuid.uuid4().hex for _ in names)


T = TypeVar("T")


class PerGeneration(Generic[T]):
    """A value this process keeps until the generation of `name` moves (or the extra key
    changes): data every request reads, such as the practice acts, loaded once per change."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._loaded: tuple[tuple[Hashable, ...], T] | None = None  # (generation and key, value)

    def get(self, load: Callable[[], T], *key: Hashable, reload: bool = False) -> T:
        current = (token(self.name), *key)
        if reload or self._loaded is None or self._loaded[0] != current:
            self._loaded = (current, load())
        return self._loaded[1]


def bump(name: str, **_signal_kwargs) -> None:
    value = uuid.uuid4().hex
    _recent[name] = (value, time.monotonic())
    try:
        cache.set(_key(name), value, timeout=None)
    except Exception:
        logger.warning("Cache unavailable; could not record a change to %s", name, exc_info=True)


def bump_listings(**_signal_kwargs) -> None:
    bump(LISTINGS)


def bump_practice_acts(**_signal_kwargs) -> None:
    bump(PRACTICE_ACTS)
