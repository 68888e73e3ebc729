"""A listing's freshness in words, for the pages: where its facts come from, and when."""

from datetime import date

from providers.models import VerificationSource, VerificationStatus
from providers.verification import Verification

NOT_YET: dict[str, str] = {
    VerificationSource.NPPES: "From the national NPI registry; not yet confirmed",
    VerificationSource.DEMO: "Demo data; not yet confirmed",
    VerificationSource.CURATOR: "Added by our curators; not yet confirmed",
    VerificationSource.PROVIDER: "Not yet confirmed",
}


def day_text(day: date) -> str:
    """3 Nov 2026."""
    return f"{day.day} {day:%b %Y}"


def age_text(days: int) -> str:
    """ "4 months ago", "1 year ago": whole months up to two years, then whole years."""
    months = days // 30
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''} ago"
    years = days // 365
    return f"{years} years ago"


def verification_words(verification: Verification, today: date) -> dict[str, str]:
    """`source`: who vouches for the listing and since when; `stale`: how long ago it was last
    confirmed, when that is too long ago (empty otherwise)."""
    last = verification["last_verified"]
    day = date.fromisoformat(last) if last else None
    if verification["status"] == VerificationStatus.VERIFIED and day is not None:
        who = (
            "Confirmed by the provider"
            if verification["source"] == VerificationSource.PROVIDER
            else "Verified by our curators"
        )
        source = f"{who} on {day_text(day)}"
    else:
        source = NOT_YET.get(verification["source"], "Not yet confirmed")
    stale = ""
    if verification["stale"] and day is not None:
        stale = f"Last confirmed {age_text((today - day).days)}"
    return {"source": source, "stale": stale}
