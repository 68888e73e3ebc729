"""A small scenario world shared by the suite.

Austin, TX: a chiropractor in range and one just outside 25 miles; a suspended provider.
Wyoming here carries a test-only act that prohibits PT spinal manipulation, so enforcement can
be tested against a real "prohibited" row.
"""

import pytest
from django.core.cache import cache
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from finder import density
from providers import freshness
from providers.models import Profession, Scope, VerificationStatus
from providers.reference import load_reference_data
from tests.factories import PracticeActFactory, PracticeLocationFactory

# Property tests check behaviour, not speed: Hypothesis's per-example deadline (200 ms) and its
# slow-generation check fail on a busy shared machine (a CI run with both suites side by side
# took 407 ms for one geocoder example). Speed is measured by the benchmarks.
hypothesis_settings.register_profile(
    "jointcare", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("jointcare")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    freshness.forget()
    density.forget()
    yield
    cache.clear()
    freshness.forget()
    density.forget()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # A request under /es/ leaves Spanish active on its thread (LocaleMiddleware activates a
    # language per request and never resets it): tests that call code directly get English.
    yield
    translation.deactivate()


@pytest.fixture
def reference_data(db):
    """The shipped practice acts, insurance plans and procedures, as `make run` loads them."""
    return load_reference_data()


@pytest.fixture
def prohibiting_act(db):
    return PracticeActFactory(
        state="WY",
        profession=Profession.PHYSICAL_THERAPIST,
        spinal_manipulation=Scope.PROHIBITED,
        note="Test act: PT spinal manipulation prohibited.",
    )


@pytest.fixture
def world(db, prohibiting_act):
    in_range = PracticeLocationFactory(provider__first_name="Near").provider
    # About 26 miles north of downtown Austin (0.377 degrees of latitude).
    outside = PracticeLocationFactory(
        provider__first_name="Far", latitude=30.2651 + 0.377, longitude=-97.7441
    ).provider
    suspended = PracticeLocationFactory(
        provider__first_name="Hidden",
        provider__verification_status=VerificationStatus.SUSPENDED,
    ).provider
    return {"in_range": in_range, "outside": outside, "suspended": suspended}


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin-1")
    client.force_login(user)
    return client
