"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from finder.page_languages import page_languages


def map_tiles(request: HttpRequest) -> dict[str, str]:
    """The tile server the maps load from (``static/js/map.js`` reads it off the map element)."""
    return {
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def languages(request: HttpRequest) -> dict[str, object]:
    """This page in each language (settings.LANGUAGES), for the language switch and the
    hreflang alternates of templates/base.html: the same path and query, its prefix changed.
    Pages outside the translated ones (the API guide, the admin) offer none."""
    return {"page_languages": page_languages(request), "js_messages": js_messages}


def js_messages() -> dict[str, str]:
    """The words static/js/locate.js and map.js say, in the page's language (called by the
    template only when a page includes them)."""
    return {
        "finding": _("Finding your location…"),
        "searching": _("Searching near your location…"),
        "denied": _("Your browser did not share your location. Type a ZIP code or city instead."),
        "failed": _("We could not find your location. Type a ZIP code or city instead."),
        "map_tiles_failed": _(
            "The map background could not load. The pins still show where each place is, and "
            "the list has the same information."
        ),
        "map_shown": _("Showing the map. Each pin opens the provider's name and a link."),
        "list_shown": _("Showing the list."),
    }
