from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

import finder.api.schema  # noqa: F401 - registers the OpenAPI extensions before any schema build
from finder.errors import api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("finder.api.urls")),
    # Unknown /api/ paths: JSON 404s, with DEBUG on too.
    re_path(r"^api/", api_not_found),
    path("", include("finder.urls")),
]

handler404 = "finder.errors.page_not_found"
handler500 = "finder.errors.server_error"
