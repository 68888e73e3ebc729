"""Admin for Medicare's data: locality names (which the CMS files do not carry), curators'
participation records, and read-only views of the imported fee schedule and ZIP map."""

from django.contrib import admin
from django.http import HttpRequest

from providers.models import (
    MedicareFee,
    MedicareLocality,
    MedicareNationalAmount,
    MedicareParticipation,
    MedicareZip,
)


class ImportedAdmin(admin.ModelAdmin):
    """Rows an import owns: a re-run replaces them, so hand edits would be lost."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(MedicareLocality)
class MedicareLocalityAdmin(admin.ModelAdmin):
    list_display = ["carrier", "locality", "state", "name"]
    list_editable = ["name"]
    list_filter = ["state"]
    search_fields = ["carrier", "locality", "name"]
    readonly_fields = ["carrier", "locality", "state"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # localities come from the fee schedule import


@admin.register(MedicareFee)
class MedicareFeeAdmin(ImportedAdmin):
    list_display = ["year", "locality", "code", "non_facility_amount", "therapy_reduction_amount"]
    list_filter = ["year", "code"]
    search_fields = ["code", "locality__name", "locality__carrier"]
    list_select_related = ["locality"]


@admin.register(MedicareZip)
class MedicareZipAdmin(ImportedAdmin):
    list_display = ["zip_code", "state", "locality", "rural", "split_by_plus4", "effective"]
    list_filter = ["state", "rural", "split_by_plus4"]
    search_fields = ["zip_code"]
    list_select_related = ["locality"]


@admin.register(MedicareNationalAmount)
class MedicareNationalAmountAdmin(admin.ModelAdmin):
    list_display = ["year", "code", "non_facility_amount", "source"]
    list_filter = ["year"]


@admin.register(MedicareParticipation)
class MedicareParticipationAdmin(admin.ModelAdmin):
    """A curator's record (source "curator") is never overwritten by the file's import."""

    list_display = ["provider", "location", "assignment", "telehealth", "source", "as_of"]
    list_filter = ["assignment", "source", "telehealth"]
    search_fields = ["provider__npi", "provider__last_name"]
    raw_id_fields = ["provider", "location"]
    list_select_related = ["provider", "location"]
