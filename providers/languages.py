"""The languages a provider speaks with patients, as ISO 639-1 codes ("en", "es").

The list holds the languages most spoken at home in the US (Census Bureau, American Community
Survey), each with its name in the page's language: a listing stores codes, pages show names.
A code outside the list is refused, so a filter on it cannot silently find nothing.
"""

from collections.abc import Iterable
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from providers.lazy_text import Text

SPOKEN_LANGUAGES: dict[str, Text] = {
    "en": _("English"),
    "es": _("Spanish"),
    "zh": _("Chinese"),
    "tl": _("Tagalog"),
    "vi": _("Vietnamese"),
    "ar": _("Arabic"),
    "fr": _("French"),
    "ko": _("Korean"),
    "ru": _("Russian"),
    "ht": _("Haitian Creole"),
    "de": _("German"),
    "hi": _("Hindi"),
    "pt": _("Portuguese"),
    "it": _("Italian"),
    "pl": _("Polish"),
    "ur": _("Urdu"),
    "fa": _("Persian"),
    "ja": _("Japanese"),
    "gu": _("Gujarati"),
    "bn": _("Bengali"),
    "pa": _("Punjabi"),
    "te": _("Telugu"),
    "ta": _("Tamil"),
    "el": _("Greek"),
    "he": _("Hebrew"),
    "hy": _("Armenian"),
    "uk": _("Ukrainian"),
    "so": _("Somali"),
    "am": _("Amharic"),
    "yi": _("Yiddish"),
    "th": _("Thai"),
    "km": _("Khmer"),
    "lo": _("Lao"),
    "ne": _("Nepali"),
    "my": _("Burmese"),
    "sw": _("Swahili"),
    "yo": _("Yoruba"),
    "ro": _("Romanian"),
    "sr": _("Serbian"),
    "bs": _("Bosnian"),
    "nl": _("Dutch"),
    "sm": _("Samoan"),
}
LANGUAGE_CHOICES = [(code, name) for code, name in SPOKEN_LANGUAGES.items()]


def is_known_language(code: str) -> bool:
    return code in SPOKEN_LANGUAGES


def validate_language_codes(value: object) -> None:
    """A list of distinct known codes; the model field's and the admin form's check."""
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError('Enter a list of ISO 639-1 language codes, such as ["en", "es"].')
    unknown = [code for code in value if not is_known_language(code)]
    if unknown:
        raise ValidationError(f"Unknown language code(s): {', '.join(unknown)}.")
    if len(set(value)) != len(value):
        raise ValidationError("Each language once.")


def normalized_languages(codes: Iterable[str]) -> list[str]:
    """Distinct codes in the list's order (English, then Spanish, …), as listings store them."""
    return list(normalized_tuple(tuple(codes)))


@lru_cache(maxsize=1024)
def normalized_tuple(codes: tuple[str, ...]) -> tuple[str, ...]:
    """`normalized_languages`, remembered: every results page asks it of the same few lists."""
    wanted = set(codes)
    return tuple(code for code in SPOKEN_LANGUAGES if code in wanted)


def language_names(codes: Iterable[str]) -> list[str]:
    """The codes' names in the active language, in the list's order."""
    return [str(SPOKEN_LANGUAGES[code]) for code in normalized_languages(codes)]


def language_name(code: str) -> str:
    return str(SPOKEN_LANGUAGES[code]) if code in SPOKEN_LANGUAGES else code
