"""Curators' side of provider accounts: claims to approve or reject with their evidence, and
the review queue of providers' changes (one click reverts one) and patients' reports."""

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from providers.accounts.claims import decide_claims, email_domain, registry_location
from providers.accounts.editing import field_label, revert_change
from providers.accounts.models import Claim, ListingChange, ListingReport


def curator(request: HttpRequest) -> User:
    """The signed-in staff user acting (admin views require one)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "provider_link", "account_email", "email_domain", "practice_name", "phone",
        "registry_phone", "registry_address", "status", "created_at",
    ]  # fmt: skip
    list_filter = ["status"]
    list_select_related = ["provider", "account__user"]
    search_fields = [
        "provider__npi",
        "provider__last_name",
        "account__user__email",
        "practice_name",
    ]
    readonly_fields = [
        "account", "provider", "practice_name", "phone", "account_email", "email_domain",
        "registry_phone", "registry_address", "created_at", "decided_at", "decided_by",
    ]  # fmt: skip
    fields = [*readonly_fields[:8], "status", "created_at", "decided_at", "decided_by"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Listing")
    def provider_link(self, claim: Claim) -> str:
        url = reverse("admin:providers_provider_change", args=[claim.provider_id])
        return format_html('<a href="{}">{}</a>', url, claim.provider)

    @admin.display(description="Account email")
    def account_email(self, claim: Claim) -> str:
        return claim.account.user.email

    @admin.display(description="Email domain")
    def email_domain(self, claim: Claim) -> str:
        return email_domain(claim.account.user.email)

    @admin.display(description="NPPES phone")
    def registry_phone(self, claim: Claim) -> str:
        location = registry_location(claim.provider)
        return location.phone if location else "-"

    @admin.display(description="NPPES address")
    def registry_address(self, claim: Claim) -> str:
        location = registry_location(claim.provider)
        return str(location) if location else "-"

    def save_model(self, request: HttpRequest, obj: Claim, form, change: bool) -> None:
        if "status" in form.changed_data:
            obj.decided_at, obj.decided_by = timezone.now(), curator(request)
        super().save_model(request, obj, form, change)

    @admin.action(description="Approve selected claims", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        count = decide_claims(queryset, status=Claim.Status.APPROVED, curator=curator(request))
        self.message_user(request, f"{count} claim(s) approved.")

    @admin.action(description="Reject selected claims", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        count = decide_claims(queryset, status=Claim.Status.REJECTED, curator=curator(request))
        self.message_user(request, f"{count} claim(s) rejected.")


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", "Open"), ("no", "Reverted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(reverted_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(reverted_at__isnull=False)
        return queryset


@admin.register(ListingChange)
class ReviewQueueAdmin(admin.ModelAdmin):
    """The review queue: providers' changes, newest first, each with a one-click revert, and
    above them the open reports from patients."""

    list_display = [
        "changed_at", "provider_link", "account", "what", "old_value", "new_value", "revert",
    ]  # fmt: skip
    list_filter = [OpenFilter, "field"]
    list_select_related = ["provider", "account__user"]
    search_fields = ["provider__npi", "provider__last_name", "account__user__email"]
    change_list_template = "admin/accounts/listingchange/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the rows are a record; a revert is its own action

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def may_revert(self, request: HttpRequest) -> bool:
        return request.user.has_perm("providers.change_provider")

    @admin.display(description="Listing")
    def provider_link(self, change: ListingChange) -> str:
        url = reverse("admin:providers_provider_change", args=[change.provider_id])
        return format_html('<a href="{}">{}</a>', url, change.provider)

    @admin.display(description="Field", ordering="field")
    def what(self, change: ListingChange) -> str:
        return field_label(change.field)

    @admin.display(description="Revert")
    def revert(self, change: ListingChange) -> str:
        if change.reverted_at:
            return f"Reverted {change.reverted_at:%Y-%m-%d %H:%M}"
        url = reverse("admin:accounts_listingchange_revert", args=[change.pk])
        # A submit button of the changelist's own form (which carries the CSRF token),
        # posting to the revert URL: forms cannot nest.
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'aria-label="Revert {} of {}">Revert</button>',
            url, field_label(change.field), change.provider,
        )  # fmt: skip

    def get_urls(self):
        revert = path(
            "<int:change_id>/revert/",
            self.admin_site.admin_view(require_POST(self.revert_view)),
            name="accounts_listingchange_revert",
        )
        return [revert, *super().get_urls()]

    def revert_view(self, request: HttpRequest, change_id: int) -> HttpResponse:
        if not self.may_revert(request):
            raise PermissionDenied
        change = get_object_or_404(ListingChange.objects.select_related("provider"), pk=change_id)
        if change.reverted_at is None:
            revert_change(change, curator=curator(request))
            self.message_user(
                request, f"Reverted {field_label(change.field)} of {change.provider}."
            )
        return HttpResponseRedirect(reverse("admin:accounts_listingchange_changelist"))

    def changelist_view(self, request: HttpRequest, extra_context=None):
        reports = ListingReport.objects.filter(resolved_at__isnull=True).select_related("provider")
        extra = {"open_reports": reports[:50], **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)


@admin.register(ListingReport)
class ListingReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "provider", "problem", "details", "resolved_at"]
    list_filter = ["problem", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["provider"]
    readonly_fields = ["provider", "problem", "details", "created_at", "resolved_at", "resolved_by"]
    actions = ["resolve"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Mark selected reports resolved", permissions=["change"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[ListingReport]) -> None:
        count = queryset.filter(resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=request.user
        )
        self.message_user(request, f"{count} report(s) resolved.", messages.SUCCESS)
