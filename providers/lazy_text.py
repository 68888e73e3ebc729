"""The type of text that may be a lazy translation (gettext_lazy): it reads in the language
active where it is shown, so module-level words serve the English API and the Spanish pages."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # django-stubs' alias, for the type checker only (a development dependency).
    from django_stubs_ext import StrOrPromise as Text
else:
    from django.utils.functional import Promise

    Text = str | Promise

__all__ = ["Text"]
