"""The curators' tool: search, filter, validate and bulk-curate listings."""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from providers import freshness
from providers.acceptance import record_curated_plans
from providers.accounts.editing import PROVIDER_EDITABLE_FIELDS
from providers.admin_keys import KeyCheckedChoices
from providers.admin_safety import SoftDeleteProviderAdmin, VersionedAdmin, record_history
from providers.geo import zip_centroid
from providers.languages import LANGUAGE_CHOICES, normalized_languages
from providers.models import (
    SERVICE_FIELDS,
    InsurancePlan,
    License,
    NegotiatedRate,
    PlanAcceptance,
    PracticeAct,
    PracticeLocation,
    Procedure,
    Profession,
    Provider,
    ProviderPrice,
    TelehealthSource,
    VerificationSource,
    VerificationStatus,
)
from providers.price_checks import region_order_warnings
from providers.scope import check_services
from providers.search_index import refresh_search_index


def services_from_form(provider: Provider) -> list[str]:
    return [service for service, field in SERVICE_FIELDS.items() if getattr(provider, field)]


class PracticeLocationForm(forms.ModelForm):
    """Places a location at its ZIP's centroid when the curator gives no coordinates."""

    class Meta:
        model = PracticeLocation
        fields = "__all__"  # noqa: DJ007 -- the inline's `fields` lists what is shown

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        has_lat = cleaned.get("latitude") is not None
        has_lng = cleaned.get("longitude") is not None
        if has_lat != has_lng:
            raise ValidationError("Give both latitude and longitude, or neither (from the ZIP).")
        if not has_lat and cleaned.get("zip_code"):
            point = zip_centroid(cleaned["zip_code"])
            if point is None:
                self.add_error("zip_code", "Unknown ZIP code; enter coordinates instead.")
            else:
                cleaned["latitude"], cleaned["longitude"] = point
        return cleaned


class ProviderForm(forms.ModelForm):
    """Languages as checkboxes of known ISO 639-1 codes, stored as a list of codes; a curator's
    telehealth answer is recorded as the curator's, which the Medicare import then keeps."""

    languages = forms.MultipleChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The languages the provider speaks with patients. None ticked: not reported.",
    )

    class Meta:
        model = Provider
        fields = "__all__"  # noqa: DJ007 -- the admin's fieldsets list what is shown

    def clean_languages(self) -> list[str]:
        return normalized_languages(self.cleaned_data["languages"])

    def clean(self) -> dict:
        super().clean()
        if "offers_telehealth" in self.changed_data:
            answered = self.cleaned_data.get("offers_telehealth") is not None
            self.instance.telehealth_source = TelehealthSource.CURATOR if answered else ""
        return self.cleaned_data


class PracticeLocationFormSet(BaseInlineFormSet):
    """Refuses services that a location's state practice act prohibits for the profession.

    The admin applies the provider form to `self.instance` before validating inlines, so the
    services checked here are the ones being saved.
    """

    def clean(self) -> None:
        super().clean()
        states = [
            form.cleaned_data["state"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("state")
        ]
        provider = self.instance
        if not states or not provider.profession:
            return
        result = check_services(
            profession=provider.profession,
            services=services_from_form(provider),
            states=states,
            endorsed=provider.spinal_manipulation_endorsed,
        )
        if result.errors:
            raise ValidationError(result.errors)


class PracticeLocationInline(admin.StackedInline):
    model = PracticeLocation
    form = PracticeLocationForm
    formset = PracticeLocationFormSet
    extra = 0
    fields = [
        ("address_line1", "address_line2"),
        ("city", "state", "zip_code"),
        "phone",
        ("latitude", "longitude"),
        ("wheelchair_accessible", "evening_hours", "weekend_hours"),
        "source",
    ]


class LicenseInline(admin.TabularInline):
    model = License
    extra = 0


class ProviderPriceInline(KeyCheckedChoices, admin.TabularInline):
    model = ProviderPrice
    extra = 0
    autocomplete_fields = ["procedure"]


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        from providers.states import STATE_CHOICES

        return STATE_CHOICES

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(locations__state=self.value()).distinct()
        return queryset


class ProviderAdminForm(ProviderForm):
    """Locked fields as checkboxes: what a provider account may no longer change (and, from
    ProviderForm, languages as checkboxes and the curator's telehealth answer)."""

    locked_fields = forms.MultipleChoiceField(
        choices=list(PROVIDER_EDITABLE_FIELDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Checked fields cannot be changed by the provider's own account.",
    )
    website = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Provider
        fields = "__all__"  # noqa: DJ007 -- the admin's fieldsets list what is shown


@admin.register(Provider)
class ProviderAdmin(KeyCheckedChoices, SoftDeleteProviderAdmin):
    form = ProviderAdminForm
    list_display = [
        "display_name",
        "npi",
        "profession",
        "verification_status",
        "accepting_new_patients",
        "is_demo",
        "updated_at",
    ]
    list_filter = ["profession", StateFilter, "verification_status", "is_demo"]
    search_fields = ["npi", "first_name", "last_name", "locations__city", "locations__zip_code"]
    readonly_fields = [
        "created_at", "updated_at", "plan_evidence", "rates_link", "provider_updated_at",
        "verification_source", "telehealth_source",
    ]  # fmt: skip
    filter_horizontal = ["insurance_plans"]
    inlines = [PracticeLocationInline, LicenseInline, ProviderPriceInline]
    actions = ["mark_verified", "suspend", "export_csv", "purge"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": [("npi", "profession"), ("first_name", "middle_name", "last_name")]}),
        (
            None,
            {
                "fields": [
                    "credential",
                    "specialty_codes",
                    "tin",
                    "accepting_new_patients",
                    "is_demo",
                ]
            },
        ),
        ("Services", {"fields": [*SERVICE_FIELDS.values(), "spinal_manipulation_endorsed"]}),
        (
            "Languages and telehealth",
            {"fields": ["languages", ("offers_telehealth", "telehealth_source")]},
        ),
        ("Insurance", {"fields": ["insurance_plans", "plan_evidence", "rates_link"]}),
        ("From the provider", {"fields": ["hours", "bio", "website", "provider_updated_at"]}),
        (
            "Curation",
            {
                "fields": [
                    ("verification_status", "last_verified", "verification_source"),
                    "locked_fields",
                    "curator_notes",
                ]
            },
        ),
        ("Timestamps", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def save_model(self, request, obj: Provider, form, change: bool) -> None:
        if {"verification_status", "last_verified"} & set(form.changed_data):
            # A curator who marks a listing verified (or re-dates it) is the one vouching.
            obj.verification_source = VerificationSource.CURATOR
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        provider = form.instance
        record_curated_plans(provider)
        states = provider.locations.values_list("state", flat=True)
        for warning in check_services(
            profession=provider.profession,
            services=provider.services,
            states=states,
            endorsed=provider.spinal_manipulation_endorsed,
        ).warnings:
            self.message_user(request, warning, level=messages.WARNING)
        prices = dict(provider.prices.values_list("procedure__code", "cash_price"))
        for warning in region_order_warnings(prices):
            self.message_user(request, warning, level=messages.WARNING)

    @admin.display(description="Where the plans come from")
    def plan_evidence(self, provider: Provider) -> str:
        if provider.pk is None:
            return "-"
        rows = PlanAcceptance.objects.filter(provider=provider).select_related("plan")
        return (
            format_html_join(
                "\n",
                "<div>{}</div>",
                ((evidence_text(row),) for row in rows),
            )
            or "No evidence recorded."
        )

    @admin.display(description="Negotiated rates")
    def rates_link(self, provider: Provider) -> str:
        if provider.pk is None:
            return "-"
        count = NegotiatedRate.objects.filter(provider=provider).count()
        url = reverse("admin:providers_negotiatedrate_changelist")
        return format_html(
            '<a href="{}?provider__id__exact={}">{} rate(s)</a>', url, provider.pk, count
        )

    @admin.action(description="Mark selected providers verified (today)")
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        queryset = Provider.objects.filter(pk__in=list(queryset.values_list("pk", flat=True)))
        count = queryset.update(
            verification_status=VerificationStatus.VERIFIED,
            last_verified=timezone.localdate(),
            verification_source=VerificationSource.CURATOR,
            updated_at=timezone.now(),
        )
        refresh_search_index(queryset.values_list("pk", flat=True))
        freshness.bump_listings()  # queryset.update() sends no signals
        record_history(request, queryset, "Marked verified (bulk action)")
        self.message_user(request, f"{count} provider(s) marked verified.")

    @admin.action(description="Suspend selected providers (hide from search)")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Provider]) -> None:
        queryset = Provider.objects.filter(pk__in=list(queryset.values_list("pk", flat=True)))
        count = queryset.update(
            verification_status=VerificationStatus.SUSPENDED, updated_at=timezone.now()
        )
        refresh_search_index(queryset.values_list("pk", flat=True))
        freshness.bump_listings()
        record_history(request, queryset, "Suspended (bulk action)")
        self.message_user(request, f"{count} provider(s) suspended.")

    @admin.action(description="Export selected providers as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Provider]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="providers.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["npi", "name", "profession", "services", "status", "city", "state", "zip_code"]
        )
        for provider in queryset.prefetch_related("locations"):
            first = next(iter(provider.locations.all()), None)
            writer.writerow(
                [
                    provider.npi,
                    provider.display_name,
                    provider.profession,
                    " ".join(provider.services),
                    provider.verification_status,
                    first.city if first else "",
                    first.state if first else "",
                    first.zip_code if first else "",
                ]
            )
        return response


class PracticeActForm(forms.ModelForm):
    class Meta:
        model = PracticeAct
        fields = [
            "state",
            "profession",
            "effective_from",
            "spinal_manipulation",
            "extremity_manipulation",
            "manipulation_under_anesthesia",
            "direct_access",
            "note",
            "sources",
            "confidence",
            "last_reviewed",
        ]

    def clean_sources(self) -> list[str]:
        sources = self.cleaned_data.get("sources") or []
        if not isinstance(sources, list) or not sources:
            raise ValidationError('Give at least one source URL, as a JSON list: ["https://…"].')
        validator = forms.URLField(assume_scheme="https")
        for source in sources:
            validator.clean(source)
        return sources


@admin.register(PracticeAct)
class PracticeActAdmin(VersionedAdmin):
    form = PracticeActForm
    list_display = [
        "state",
        "profession",
        "effective_from",
        "spinal_manipulation",
        "extremity_manipulation",
        "manipulation_under_anesthesia",
        "direct_access",
        "confidence",
        "last_reviewed",
    ]
    list_filter = ["profession", "spinal_manipulation", "confidence", "state"]
    search_fields = ["state", "note"]


def profession_checkboxes(help_text: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=Profession.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
    )


class ProcedureForm(forms.ModelForm):
    """Professions as checkboxes. As JSON text boxes, an emptied box (or `null`) failed on
    saving, and any JSON at all was accepted."""

    professions = profession_checkboxes("The professions that bill this code.")
    medicare_covered_for = profession_checkboxes("The professions Medicare covers this code for.")

    class Meta:
        model = Procedure
        fields = [
            "code",
            "label",
            "professions",
            "medicare_covered_for",
            "is_manipulation",
            "typical_price_low",
            "typical_price_high",
            "note",
        ]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    form = ProcedureForm
    list_display = ["code", "label", "is_manipulation", "typical_price_low", "typical_price_high"]
    search_fields = ["code", "label"]


def evidence_text(row: PlanAcceptance) -> str:
    """One acceptance row in words: "Aetna PPO: payer's file x.json of 2026-11-01, last seen
    2026-11-20"."""
    parts = [f"{row.plan.name}: {row.get_source_display()}"]
    if row.source_file:
        parts.append(f" {row.source_file}")
    if row.file_date:
        parts.append(f" of {row.file_date}")
    parts.append(f", last seen {row.last_seen}")
    if row.ended_on:
        parts.append(f", ended {row.ended_on}")
    return "".join(parts)


@admin.register(InsurancePlan)
class InsurancePlanAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "payer", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "payer"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["source_files"]

    @admin.display(description="Source files (name, date, rates)")
    def source_files(self, plan: InsurancePlan) -> str:
        if plan.pk is None:
            return "-"
        files = (
            NegotiatedRate.objects.filter(plan=plan)
            .values_list("source_file", "file_date")
            .annotate(rates=Count("id"))
            .order_by("-file_date", "source_file")
        )
        return (
            format_html_join(
                "\n", "<div>{} of {}: {} rate(s)</div>", ((name, day, n) for name, day, n in files)
            )
            or "No payer file imported."
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Imported evidence: shown to curators, changed only by re-importing its file."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(NegotiatedRate)
class NegotiatedRateAdmin(ReadOnlyAdmin):
    list_display = [
        "provider",
        "plan",
        "procedure",
        "negotiated_type",
        "rate",
        "billing_class",
        "places_of_service",
        "expires",
        "source_file",
        "file_date",
    ]
    list_filter = ["negotiated_type", "plan"]
    list_select_related = ["provider", "plan", "procedure"]
    search_fields = ["provider__npi", "provider__last_name", "procedure__code"]
    raw_id_fields = ["provider"]


@admin.register(PlanAcceptance)
class PlanAcceptanceAdmin(ReadOnlyAdmin):
    list_display = [
        "provider", "plan", "source", "source_file", "file_date", "last_seen", "ended_on",
    ]  # fmt: skip
    list_filter = ["source", "plan"]
    list_select_related = ["provider", "plan"]
    search_fields = ["provider__npi", "provider__last_name", "plan__name"]


from providers import admin_imports, admin_medicare  # noqa: E402, F401  (register their admins)
