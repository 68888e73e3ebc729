"""The partner API guide (docs/api.md) as a page, where partners reading the API docs can open it.

The guide is our own Markdown, rendered once per process: the same text the repository holds,
so the page and the document cannot drift.
"""

from functools import lru_cache
from pathlib import Path

import markdown
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

GUIDE_PATH = Path(settings.BASE_DIR) / "docs" / "api.md"


def guide_html() -> SafeString:
    return markdown_html(GUIDE_PATH)


@lru_cache(maxsize=4)
def markdown_html(path: Path) -> SafeString:
    """One of our Markdown documents as HTML (the FHIR guide is rendered here too)."""
    text = path.read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables", "fenced_code", "toc"])
    # Wide tables and code scroll inside themselves on a phone: keyboard users must reach them.
    html = html.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')
    return mark_safe(html)  # the repository's own document, not user input


@require_safe
def api_guide_page(request: HttpRequest) -> HttpResponse:
    return render(request, "finder/api_guide.html", {"guide": guide_html()})
