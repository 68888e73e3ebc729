"""Partner API keys and their daily usage.

Keys are stored hashed by djangorestframework-api-key: the database keeps the 8-character
prefix and a SHA-512 of the whole key, never the key itself.
"""

import json
import logging
from typing import ClassVar
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

logger = logging.getLogger(__name__)

PARTNER_ORIGINS_CACHE_KEY = "finder:partner-api-key-origins"
# Brief, so a revoked or expired key's origins stop being honoured within a minute even on
# another host; saving a key in the admin clears it at once.
PARTNER_ORIGINS_CACHE_SECONDS = 60


class ApiKeyTier(models.TextChoices):
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


def parse_origins(raw: str) -> list[str]:
    """Origins from a JSON list or one per line; blank lines and trailing slashes dropped."""
    raw = (raw or "").strip()
    if not raw:
        return []
    if raw.startswith("["):
        try:
            values = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError("Allowed origins look like JSON but are not a valid list.") from exc
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError("Allowed origins must be a JSON list of strings.")
    else:
        values = raw.splitlines()
    return [value.strip().rstrip("/") for value in values if value.strip()]


def origin_problem(origin: str) -> str | None:
    """Why `origin` is not a browser Origin (scheme://host[:port]), or None if it is one."""
    try:
        url = urlsplit(origin)
        url.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return f"'{origin}' is not a valid origin."
    if url.scheme not in ("http", "https") or not url.hostname:
        return f"'{origin}' must look like https://example.org (scheme and host)."
    if url.path or url.query or url.fragment or url.username:
        return f"'{origin}' must be an origin only: scheme, host and optional port, no path."
    return None


class PartnerApiKeyManager(APIKeyManager):
    def active(self) -> models.QuerySet:
        """Keys that authenticate now: not revoked and not past their expiry date."""
        return self.filter(revoked=False).filter(
            Q(expiry_date__isnull=True) | Q(expiry_date__gt=timezone.now())
        )

    def allowed_origins(self) -> frozenset[str]:
        """Every origin listed by an active key, cached briefly in the shared cache."""
        try:
            cached = cache.get(PARTNER_ORIGINS_CACHE_KEY)
        except Exception as exc:  # Any cache backend failure: fall back to the database.
            logger.warning("Cache unavailable for partner origins (%s); reading the database", exc)
            return self._origins_from_database()
        if cached is not None:
            return cached
        origins = self._origins_from_database()
        try:
            cache.set(PARTNER_ORIGINS_CACHE_KEY, origins, PARTNER_ORIGINS_CACHE_SECONDS)
        except Exception as exc:
            logger.warning("Could not cache partner origins: %s", exc)
        return origins

    def _origins_from_database(self) -> frozenset[str]:
        origins: set[str] = set()
        for raw in (
            self.active().exclude(allowed_origins="").values_list("allowed_origins", flat=True)
        ):
            try:
                origins.update(parse_origins(raw))
            except ValueError:
                continue  # The admin validates; a hand-edited bad row allows nothing.
        return frozenset(origins)


class PartnerApiKey(AbstractAPIKey):
    """A partner's key, sent as `Authorization: Api-Key <prefix>.<secret>`."""

    owner_contact = models.EmailField(help_text="Who to contact about this key.")
    allowed_origins = models.TextField(
        blank=True,
        help_text="Browser origins allowed to call the API with CORS, one per line "
        "(or a JSON list), e.g. https://partner.example.org. Empty for server-side use only.",
    )
    tier = models.CharField(
        max_length=10,
        choices=ApiKeyTier.choices,
        default=ApiKeyTier.STANDARD,
        help_text="Selects the request rate (API_STANDARD_RATE or API_PREMIUM_RATE).",
    )

    objects: ClassVar[PartnerApiKeyManager] = PartnerApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "partner API key"
        verbose_name_plural = "partner API keys"

    @property
    def origins(self) -> list[str]:
        try:
            return parse_origins(self.allowed_origins)
        except ValueError:
            return []

    def clean(self) -> None:
        super().clean()
        try:
            origins = parse_origins(self.allowed_origins)
        except ValueError as exc:
            raise ValidationError({"allowed_origins": str(exc)}) from exc
        problems = [problem for origin in origins if (problem := origin_problem(origin))]
        if problems:
            raise ValidationError({"allowed_origins": problems})
        self.allowed_origins = "\n".join(origins)

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        forget_partner_origins()


def forget_partner_origins() -> None:
    try:
        cache.delete(PARTNER_ORIGINS_CACHE_KEY)
    except Exception as exc:
        logger.warning("Could not clear cached partner origins: %s", exc)


class ApiKeyDailyUsage(models.Model):
    """Requests authenticated with one key on one UTC day."""

    key = models.ForeignKey(PartnerApiKey, on_delete=models.CASCADE, related_name="daily_usage")
    date = models.DateField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-date"]
        verbose_name = "daily usage"
        verbose_name_plural = "daily usage"
        constraints = [
            models.UniqueConstraint(fields=["key", "date"], name="api_key_daily_usage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} {self.date}: {self.count}"


def allow_partner_origins(sender, request, **kwargs) -> bool:
    """django-cors-headers hook: CORS for an /api/ or /fhir/ request whose Origin an active key
    lists.

    django-cors-headers also uses this signal to decide whether CORS applies to a path at all,
    so it must stay False outside them.
    """
    if not request.path_info.startswith(("/api/", "/fhir/")):
        return False
    origin = request.headers.get("origin", "").rstrip("/")
    if not origin:
        return False
    try:
        return origin in PartnerApiKey.objects.allowed_origins()
    except Exception as exc:  # A database outage must not turn into a 500 here.
        logger.warning("Could not check partner origins: %s", exc)
        return False


def connect_signals() -> None:
    from corsheaders.signals import check_request_enabled

    check_request_enabled.connect(allow_partner_origins, dispatch_uid="finder.partner_origins")


# Connected on import because models load with the app registry, before the first request.
connect_signals()
