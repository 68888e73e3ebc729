"""Partner authentication: `Authorization: Api-Key <key>`, and per-key daily usage.

A bare key (`Authorization: <key>`) is accepted too: that is what the API docs' "Authorize"
box sends when a partner pastes only the key. A key is `prefix.secret` with no space, so it
cannot be taken for a scheme; anything else without the keyword is refused as before.

No Authorization header is an anonymous call (allowed, at the anonymous rate). A header that
names an API key which is unknown, revoked or expired is a 401, never a silent fallback to
anonymous: a partner with a broken key should find out at once, not from a lower rate limit.
"""

import logging
from datetime import date
from typing import cast

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from finder.models import ApiKeyDailyUsage, PartnerApiKey

logger = logging.getLogger(__name__)

KEYWORD = "Api-Key"
INVALID_KEY = "Invalid or revoked API key."
# Schemes a proxy in front of the site may use for itself; anything else is a client mistake.
IGNORED_SCHEMES = {"basic"}
UNSUPPORTED_SCHEME = f"Unsupported authorization scheme. Send 'Authorization: {KEYWORD} <key>'."


class PartnerApiKeyAuthentication(BaseAuthentication):
    """Authenticates a partner key; `request.auth` is the PartnerApiKey, `request.user` None."""

    def authenticate(self, request: Request) -> tuple[None, PartnerApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "").strip()
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if not key and is_bare_key(scheme):
            scheme, key = KEYWORD, scheme
        if scheme.lower() in IGNORED_SCHEMES:
            return None
        if scheme.lower() != KEYWORD.lower():
            raise exceptions.AuthenticationFailed(UNSUPPORTED_SCHEME)
        api_key = find_active_key(key.strip())
        if api_key is None:
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        record_usage(api_key, timezone.now().date())
        return None, api_key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) with `WWW-Authenticate: Api-Key`.
        return KEYWORD


def is_bare_key(token: str) -> bool:
    """Whether a header value without a scheme has a key's shape (`prefix.secret`)."""
    prefix, dot, secret = token.partition(".")
    return bool(dot and prefix and secret)


def find_active_key(key: str) -> PartnerApiKey | None:
    """The key's row if it exists, matches its hash, is not revoked and has not expired."""
    if not key or "." not in key or len(key) > 100:
        return None
    try:
        # The library annotates its manager for AbstractAPIKey; this one returns its own model.
        api_key = cast(PartnerApiKey, PartnerApiKey.objects.get_from_key(key))
    except PartnerApiKey.DoesNotExist:
        return None
    if api_key.has_expired:
        return None
    return api_key


def record_usage(api_key: PartnerApiKey, on: date) -> None:
    """Adds one request to the key's count for the day; never fails the request.

    One UPDATE in the common case; the day's first request inserts the row. The savepoint keeps
    a failure here from poisoning the request's transaction on PostgreSQL.
    """
    try:
        with transaction.atomic():
            rows = ApiKeyDailyUsage.objects.filter(key=api_key, date=on)
            if rows.update(count=F("count") + 1):
                return
            try:
                with transaction.atomic():
                    ApiKeyDailyUsage.objects.create(key=api_key, date=on, count=1)
            except IntegrityError:
                # Another worker inserted the day's row between our UPDATE and INSERT.
                rows.update(count=F("count") + 1)
    except DatabaseError as exc:
        logger.warning("Could not record API usage for key %s: %s", api_key.prefix, exc)
