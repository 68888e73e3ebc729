"""A listing's freshness in words, for the pages: where its facts come from, and when."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from providers.lazy_text import Text
from providers.models import VerificationSource, VerificationStatus
from providers.verification import Verification

NOT_YET: dict[str, Text] = {
    VerificationSource.NPPES: gettext_lazy("From the national NPI registry; not yet confirmed"),
    VerificationSource.DEMO: gettext_lazy("Demo data; not yet confirmed"),
    VerificationSource.CURATOR: gettext_lazy("Added by our curators; not yet confirmed"),
    VerificationSource.PROVIDER: gettext_lazy("Not yet confirmed"),
}


def day_text(day: date) -> str:
    """3 Nov 2026 (in the page's language)."""
    return date_format(day, _("j M Y"))


def age_text(days: int) -> str:
    """ "4 months ago", "1 year ago": whole months up to two years, then whole years."""
    months = days // 30
    if months < 24:
        return ngettext("%(count)d month ago", "%(count)d months ago", months) % {"count": months}
    years = days // 365
    return ngettext("%(count)d year ago", "%(count)d years ago", years) % {"count": years}


def verification_words(verification: Verification, today: date) -> dict[str, Text]:
    """`source`: who vouches for the listing and since when; `stale`: how long ago it was last
    confirmed, when that is too long ago (empty otherwise)."""
    last = verification["last_verified"]
    day = date.fromisoformat(last) if last else None
    if verification["status"] == VerificationStatus.VERIFIED and day is not None:
        words = (
            _("Confirmed by the provider on %(day)s")
            if verification["source"] == VerificationSource.PROVIDER
            else _("Verified by our curators on %(day)s")
        )
        source: Text = words % {"day": day_text(day)}
    else:
        source = NOT_YET.get(verification["source"], _("Not yet confirmed"))
    stale = ""
    if verification["stale"] and day is not None:
        stale = _("Last confirmed %(age)s") % {"age": age_text((today - day).days)}
    return {"source": source, "stale": stale}
