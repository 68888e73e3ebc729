from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

import finder.api.schema  # noqa: F401 - registers the OpenAPI extensions before any schema build
from finder.errors import api_not_found
from finder.pages.api_guide import api_guide_page

# Swagger UI and Redoc (drf-spectacular's templates) start from inline scripts and styles, and
# Redoc renders in a blob: worker: a looser policy for these two read-only pages only.
api_docs_csp = csp_update(
    {
        "script-src": [UNSAFE_INLINE],
        "style-src": [UNSAFE_INLINE],
        "worker-src": ["blob:"],
    }
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        api_docs_csp(SpectacularSwaggerView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        api_docs_csp(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
    path("api/guide/", api_guide_page, name="api-guide"),
    path("api/v1/", include("finder.api.urls")),
    # Unknown /api/ paths: JSON 404s, with DEBUG on too.
    re_path(r"^api/", api_not_found),
    path("fhir/", include("finder.fhir.urls")),
    # Provider accounts: for providers, in English.
    path("", include("providers.accounts.urls")),
]
# Patient pages in English without a prefix and in Spanish under /es/ (settings.LANGUAGES).
urlpatterns += i18n_patterns(path("", include("finder.urls")), prefix_default_language=False)

handler404 = "finder.errors.page_not_found"
# A database outage outside any view is a 503 too (finder.middleware).
handler500 = "finder.middleware.server_error"
