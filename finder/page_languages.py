"""Each translated page's address in every language: English unprefixed, others under /xx/."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

# Paths no translation reaches: the partner API (and its guide), the admin, static files.
UNTRANSLATED_PREFIXES = ("/api/", "/admin/", "/static/")


@dataclass(frozen=True)
class PageLanguage:
    code: str
    name: str  # in its own language ("Español"), as settings.LANGUAGES names it
    url: str  # absolute, for hreflang
    path: str  # path and query, for the switch's link
    current: bool


def unprefixed(path: str) -> str:
    """`path` without a language prefix: /es/safety/ -> /safety/, /es/ -> /."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if code != settings.LANGUAGE_CODE and (path.startswith(prefix) or path == prefix[:-1]):
            return "/" + path[len(prefix) :]
    return path


def in_language(path: str, code: str) -> str:
    """An unprefixed path in language `code`."""
    return path if code == settings.LANGUAGE_CODE else f"/{code}{path}"


def page_languages(request: HttpRequest) -> list[PageLanguage]:
    base = unprefixed(request.path_info)
    if base.startswith(UNTRANSLATED_PREFIXES):
        return []
    query = request.META.get("QUERY_STRING", "")
    current = get_language()
    found = []
    for code, name in settings.LANGUAGES:
        path = request.META.get("SCRIPT_NAME", "") + in_language(base, code)
        with_query = f"{path}?{query}" if query else path
        found.append(
            PageLanguage(
                code=code,
                name=name,
                url=request.build_absolute_uri(with_query),
                path=with_query,
                current=code == current,
            )
        )
    return found
