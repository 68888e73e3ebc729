"""The FHIR directory's partner guide (docs/fhir.md) as the page /fhir/: the endpoint, its
search parameters, and the definitions of the directory's own extensions."""

from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from finder.pages.api_guide import markdown_html

FHIR_GUIDE_PATH = Path(settings.BASE_DIR) / "docs" / "fhir.md"


@require_safe
def fhir_guide_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "finder/fhir_guide.html",
        {"guide": markdown_html(FHIR_GUIDE_PATH), "canonical_base": settings.FHIR_CANONICAL_BASE},
    )
