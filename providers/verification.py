"""How fresh a listing is: who last vouched for it, when, and whether that is too long ago."""

from datetime import date
from typing import Annotated, TypedDict

from rest_framework import serializers

from providers.models import Provider, VerificationSource, VerificationStatus

# Days after which a listing's last confirmation no longer counts as current (the No Surprises
# Act has plans re-verify their directories every 90 days).
STALE_AFTER_DAYS = 90


# The API's `verification` object (with the API's other shapes in finder/api/shapes.py; here so
# that `providers` need not import `finder`).
class Verification(TypedDict):
    """Where a listing's facts come from and when they were last confirmed."""

    status: Annotated[str, VerificationStatus]
    source: Annotated[str, VerificationSource]
    last_verified: Annotated[str, serializers.DateField] | None
    stale: bool


def is_stale(last_verified: date | None, today: date) -> bool:
    """Never verified, or last verified more than STALE_AFTER_DAYS days ago."""
    return last_verified is None or (today - last_verified).days > STALE_AFTER_DAYS


def verification_summary(provider: Provider, today: date) -> Verification:
    return {
        "status": provider.verification_status,
        "source": provider.verification_source,
        "last_verified": provider.last_verified.isoformat() if provider.last_verified else None,
        "stale": is_stale(provider.last_verified, today),
    }
