"""Template filters for the translated patient pages."""

from datetime import date

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext

from finder.reference_text import note_html

register = template.Library()


@register.filter
def translated_note(text: str) -> SafeString:
    """A practice-act note in the page's language, sentence by sentence (finder.reference_text)."""
    return note_html(text)


@register.filter
def translated(text: str) -> str:
    """Reference text the catalogue holds whole (a procedure's label), in the page's language."""
    return gettext(text) if text else text


@register.filter
def as_date(value: object) -> object:
    """An ISO date string ("2026-11-01", as listings carry dates) as a date, so that `|date`
    writes it in the page's language; anything else unchanged."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


@register.filter
def long_date(value: object) -> str:
    """A date with its month in words, as the page's language writes it: "December 7, 2026",
    "7 de diciembre de 2026". (The format itself is in the catalogue.)"""
    value = as_date(value)
    if not isinstance(value, date):
        return "" if value is None else str(value)
    return date_format(value, pgettext("long date format", "F j, Y"))
