"""What the pages say of a location's entrance and opening hours."""

from django.utils.translation import gettext as _


def access_words(location: dict) -> list[str]:
    """The known facts of a location (a listing's `location` dict), in words; unknown ones are
    left out, and a known lack of an accessible entrance is said, as it matters most."""
    words = []
    if location.get("wheelchair_accessible") is True:
        words.append(_("Wheelchair-accessible entrance"))
    elif location.get("wheelchair_accessible") is False:
        words.append(_("No wheelchair-accessible entrance"))
    if location.get("evening_hours"):
        words.append(_("Evening hours"))
    if location.get("weekend_hours"):
        words.append(_("Weekend hours"))
    return words


def with_access_words(location: dict) -> dict:
    return {**location, "access_words": access_words(location)}
