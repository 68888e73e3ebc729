from django.urls import path, re_path

from finder.fhir import views
from finder.pages.fhir_guide import fhir_guide_page

app_name = "fhir"

urlpatterns = [
    path("", fhir_guide_page, name="guide"),
    path("metadata", views.FhirMetadataApi.as_view(), name="metadata"),
    path("$export", views.FhirExportApi.as_view(), name="export"),
    path("$export-status/<str:token>", views.FhirExportStatusApi.as_view(), name="export-status"),
    path(
        "$export-file/<str:token>/<str:resource_type>.ndjson",
        views.FhirExportFileApi.as_view(),
        name="export-file",
    ),
    path("<str:resource_type>", views.FhirSearchApi.as_view(), name="search"),
    path("<str:resource_type>/<str:resource_id>", views.FhirReadApi.as_view(), name="read"),
    re_path(r"^.*$", views.fhir_not_found),
]
