"""The table of Django's database cache, the default cache when REDIS_URL is not set.

Created by `migrate` (a post_migrate receiver, like the curators group), so `make run`, `make
serve` and a fresh clone need no extra step; `createcachetable` skips a table that exists and
does nothing when the default cache is not the database one.
"""

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS


def create_cache_table(using: str = DEFAULT_DB_ALIAS, **_signal_kwargs) -> None:
    call_command("createcachetable", database=using, verbosity=0)
