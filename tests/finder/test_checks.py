"""Deploy checks: `manage.py check --deploy` warns when rate limits cannot be shared."""

import pytest
from django.core import checks

from finder.checks import check_shared_cache

REDIS = "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
        "django.core.cache.backends.filebased.FileBasedCache",
        "django.core.cache.backends.db.DatabaseCache",
    ],
)
def test_it_warns_when_the_default_cache_cannot_hold_rate_limits_in_production(settings, backend):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "/tmp/unused"}}
    (warning,) = check_shared_cache()
    assert warning.level == checks.WARNING
    assert warning.id == "finder.W001"
    assert backend.rsplit(".", 1)[-1] in warning.msg
    assert "rate limit" in warning.msg
    assert "REDIS_URL" in warning.hint


def test_it_is_silent_with_a_shared_redis_cache(settings):
    settings.CACHES = {"default": {"BACKEND": REDIS, "LOCATION": "redis://127.0.0.1:6379/0"}}
    assert check_shared_cache() == []


def test_it_runs_only_with_deploy_checks(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    deploy_ids = {message.id for message in checks.run_checks(include_deployment_checks=True)}
    plain_ids = {message.id for message in checks.run_checks()}
    assert "finder.W001" in deploy_ids
    assert "finder.W001" not in plain_ids
