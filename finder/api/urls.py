from django.urls import path

from finder.api import estimates, export, reference, search

app_name = "api"

urlpatterns = [
    path("providers/", search.ProviderSearchApi.as_view(), name="provider-list"),
    path(
        "providers/<int:provider_id>/", search.ProviderDetailApi.as_view(), name="provider-detail"
    ),
    path("practice-acts/", reference.PracticeActListApi.as_view(), name="practice-act-list"),
    path(
        "practice-acts/<str:state>/",
        reference.PracticeActDetailApi.as_view(),
        name="practice-act-detail",
    ),
    path("insurance-plans/", reference.InsurancePlanListApi.as_view(), name="insurance-plan-list"),
    path("procedures/", reference.ProcedureListApi.as_view(), name="procedure-list"),
    path("export/providers.ndjson", export.ProviderExportApi.as_view(), name="provider-export"),
    path("estimates/", estimates.EstimateCreateApi.as_view(), name="estimate-create"),
]
