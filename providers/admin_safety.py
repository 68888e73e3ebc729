"""Curation you can undo: versioned admin edits, soft delete, and a superuser-only purge.

Every admin save of a provider, location, license, price or practice act is kept by
django-simple-history; the admin's History page shows the versions and reverts to one.
Deleting a provider in the admin suspends it instead (hidden from search, recorded in its
history); only a superuser can purge providers for good, through the "purge" action.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from providers.models import Provider, VerificationStatus

SOFT_DELETE_REASON = "Deleted in the admin: suspended (soft delete)"
SOFT_DELETE_NOTE = (
    "Deleting a provider suspends it: it is hidden from search and the API, and its history "
    "keeps every version. A superuser can purge it for good with the “Purge” action."
)


AXES_USERNAME_LENGTH = 255  # django-axes' AccessAttempt.username column


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username django-axes records for a login attempt, cut to fit its column.

    django-axes stores it as typed; a longer one fails the insert on PostgreSQL (a 500).
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    return username[:AXES_USERNAME_LENGTH] if isinstance(username, str) else username


def record_history(request: HttpRequest, providers: QuerySet[Provider], reason: str) -> None:
    """History rows for a bulk admin action: queryset.update() sends no signals."""
    Provider.history.bulk_history_create(
        list(providers), update=True, default_user=request.user, default_change_reason=reason
    )


def attribute_next_version(provider: Provider, request: HttpRequest, reason: str) -> None:
    """Who makes the provider's next history row, and why.

    django-simple-history reads these two instance attributes when it records a version (its
    documented way to set them for one save); the model does not declare them.
    """
    provider._history_user = request.user  # type: ignore[attr-defined]
    provider._change_reason = reason  # type: ignore[attr-defined]


class VersionedAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose revert needs the change permission.

    django-simple-history lets anyone who may *view* the history POST its revert form; here a
    revert is an edit like any other, so view-only users (curators, for practice acts) get 403.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class SoftDeleteProviderAdmin(VersionedAdmin):
    """The admin's delete (page and bulk action) suspends; `purge` deletes, for superusers.

    Reverting to a version brings back that version's insurance plans too (the form would
    otherwise show today's). Versions from before plans were versioned recorded none; for
    those the form keeps today's plans rather than clearing them.
    """

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        version = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if version is None:
            return form
        plan_ids = [row.insuranceplan_id for row in version.insurance_plans.all()]
        if not plan_ids:
            return form

        # A subclass of the form the admin generated for this request: mypy cannot check a
        # class whose base is only known at run time.
        class VersionForm(form):  # type: ignore[valid-type, misc]
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                self.initial["insurance_plans"] = plan_ids

        return VersionForm

    def delete_model(self, request: HttpRequest, obj: Provider) -> None:
        self._suspend(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        with transaction.atomic():
            for provider in queryset:
                self._suspend(request, provider)

    def _suspend(self, request: HttpRequest, provider: Provider) -> None:
        provider.verification_status = VerificationStatus.SUSPENDED
        attribute_next_version(provider, request, SOFT_DELETE_REASON)
        # A plain save: it records the history row and invalidates cached listings (signals).
        provider.save(update_fields=["verification_status", "updated_at"])

    def get_deleted_objects(self, objs, request: HttpRequest):
        """Only the providers themselves: a soft delete removes none of their related rows."""
        providers = list(objs)
        names = [f"{provider} — will be suspended, not deleted" for provider in providers]
        return names, {Provider._meta.verbose_name_plural: len(providers)}, set(), []

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id) -> HttpResponse:
        self.message_user(request, SOFT_DELETE_NOTE, messages.INFO)
        return super().response_delete(request, obj_display, obj_id)

    def has_purge_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    @admin.action(
        permissions=["purge"],
        description="Purge selected providers permanently (superusers only; cannot be undone)",
    )
    def purge(self, request: HttpRequest, queryset: QuerySet[Provider]) -> HttpResponse | None:
        # Checked again here: the action list is not the only way to post an action.
        if not self.has_purge_permission(request):
            raise PermissionDenied
        if request.POST.get("post") == "yes":
            purged = list(queryset)
            with transaction.atomic():
                self.log_deletions(request, purged)
                for provider in purged:
                    attribute_next_version(provider, request, "Purged by a superuser")
                    provider.delete()
            self.message_user(request, f"Purged {len(purged)} provider(s) permanently.")
            return None
        providers = queryset.annotate(
            location_count=Count("locations", distinct=True),
            license_count=Count("licenses", distinct=True),
            price_count=Count("prices", distinct=True),
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Purge providers permanently?",
            "opts": self.model._meta,
            "providers": providers,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(
            request, "admin/providers/provider/purge_confirmation.html", context
        )
