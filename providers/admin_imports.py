"""The admin's imports: the ImportRun log, and NPPES uploads from it."""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from providers.models import ImportRun
from providers.nppes import ImportSummary, import_file
from providers.states import US_STATES


class NppesUploadForm(forms.Form):
    file = forms.FileField(
        help_text="An NPPES npidata_pfile extract (.csv) or a monthly .zip. For the full "
        "9 GB file use the import_nppes command on the server."
    )
    states = forms.CharField(
        required=False, help_text="Optional: only these states, e.g. TX, WA (comma separated)."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".zip"):
            raise ValidationError("Upload a .csv or .zip file from NPPES.")
        return upload

    def clean_states(self) -> list[str]:
        states = [s.strip().upper() for s in self.cleaned_data["states"].split(",") if s.strip()]
        unknown = [state for state in states if state not in US_STATES]
        if unknown:
            raise ValidationError(f"Unknown state codes: {', '.join(unknown)}.")
        return states


def import_upload(form: NppesUploadForm) -> ImportSummary | None:
    """Imports the valid form's file. None when it is not an NPPES file (wrong columns, a zip
    without the data file), with the reason as the file field's error; its ImportRun stays,
    marked failed."""
    upload = form.cleaned_data["file"]
    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / Path(upload.name).name
        with saved.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            return import_file(saved, states=form.cleaned_data["states"] or None)
        except ValueError as exc:
            form.add_error("file", str(exc))
            return None


def import_message(name: str, summary: ImportSummary) -> str:
    skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped.items()))
    return (
        f"Imported {name}: {summary.rows_read} rows read, {summary.created} created, "
        f"{summary.updated} updated, {summary.unchanged} unchanged; "
        f"skipped: {skipped or 'none'}."
    )


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["source_name", "started_at", "finished_at", "status"]
    readonly_fields = ["source_name", "started_at", "finished_at", "status", "summary"]
    change_list_template = "admin/providers/importrun/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="providers_importrun_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Import a small NPPES extract uploaded by a curator, then show its summary."""
        if not request.user.has_perm("providers.add_provider"):
            raise PermissionDenied
        form = NppesUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            summary = import_upload(form)
            if summary is not None:
                self.message_user(request, import_message(form.cleaned_data["file"].name, summary))
                return redirect("admin:providers_importrun_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an NPPES extract",
            "form": form,
            "opts": self.model._meta,
        }
        status = 400 if form.errors else 200
        return TemplateResponse(
            request, "admin/providers/importrun/upload.html", context, status=status
        )
