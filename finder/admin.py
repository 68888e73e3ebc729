"""Partner API keys: create (the key is shown once), list, expire and revoke; daily usage."""

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from finder.models import ApiKeyDailyUsage, PartnerApiKey

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

INLINE_USAGE_DAYS = 90

# The library's own concrete APIKey is unused here; partners get PartnerApiKey only.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class DailyUsageInline(admin.TabularInline):
    model = ApiKeyDailyUsage
    fields = ("date", "count")
    readonly_fields = ("date", "count")
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-date",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The last 90 days keep the change page small; the usage list has the full history.
        since = timezone.now().date() - timedelta(days=INLINE_USAGE_DAYS)
        return super().get_queryset(request).filter(date__gte=since)


class KeyUsage(TypedDict):
    _total_requests: int | None  # the key's requests over all days; None before its first


@admin.register(PartnerApiKey)
class PartnerApiKeyAdmin(APIKeyModelAdmin):
    # The library's admin declares these as tuples of its own fixed lengths (types inferred
    # from its values), so mypy refuses longer ones here.
    list_display = (  # type: ignore[assignment]
        "prefix",
        "name",
        "owner_contact",
        "tier",
        "created",
        "expiry_date",
        "_has_expired",
        "revoked",
        "total_requests",
    )
    list_filter = ("tier", "revoked", "created")  # type: ignore[assignment]
    search_fields = ("name", "prefix", "owner_contact")  # type: ignore[assignment]
    fields = (
        "prefix",
        "name",
        "owner_contact",
        "tier",
        "allowed_origins",
        "expiry_date",
        "revoked",
    )
    inlines = [DailyUsageInline]
    actions = ["revoke_keys"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(_total_requests=Sum("daily_usage__count"))

    @admin.display(description="Requests (all time)", ordering="_total_requests")
    def total_requests(self, obj: "WithAnnotations[PartnerApiKey, KeyUsage]") -> int:
        return obj._total_requests or 0

    @admin.action(description="Revoke selected keys (cannot be undone)")
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for key in queryset.filter(revoked=False):
            key.revoked = True
            key.save()
            count += 1
        self.message_user(request, f"Revoked {count} key(s).")


@admin.register(ApiKeyDailyUsage)
class ApiKeyDailyUsageAdmin(admin.ModelAdmin):
    list_display = ("date", "key", "count")
    list_filter = ("date", "key__tier")
    search_fields = ("key__name", "key__prefix")
    date_hierarchy = "date"
    list_select_related = ("key",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
