"""The one-line summary a results page opens with, and the way back to it from a provider.

"12 chiropractors within 25 miles of New York, NY 10001" as the heading, then the choices that
narrowed it ("Spinal manipulation · Medicare · Accepting new patients"), so a patient sees at
once what was searched without the whole form in the way.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.http import QueryDict
from django.urls import reverse

from finder.search.params import PARAMETER_FIELDS
from providers.models import Profession, Service

# What a count of providers is called, by the profession searched ("" = any).
PROFESSION_NOUNS: dict[str, tuple[str, str]] = {
    "": ("provider", "providers"),
    Profession.CHIROPRACTOR: ("chiropractor", "chiropractors"),
    Profession.PHYSICAL_THERAPIST: ("physical therapist", "physical therapists"),
}
ORDERING_WORDS = {"price": "Cheapest first", "name": "By name"}
# The search's own parameter names: the only ones a "Back to results" link keeps.
SEARCH_PARAMETERS: tuple[str, ...] = tuple(PARAMETER_FIELDS.keys())
# The results heading's id: the search form and the page links point at it, so the browser
# opens the page there even without JavaScript (static/js/focus_result.js adds focus).
RESULTS_ANCHOR = "results-heading"


@dataclass(frozen=True)
class SearchSummary:
    heading: str
    facts: list[str]


MEDICARE_ASSIGNMENT_WORDS = {
    "participating": "Accepts Medicare assignment",
    "non_participating": "Does not always accept Medicare assignment",
    "unknown": "Medicare assignment not known",
}


def search_summary(
    *,
    count: int,
    count_capped: bool,
    radius_miles: float,
    place: str,
    profession: str | None,
    service: str | None,
    plan_name: str | None,
    accepting_new_patients: bool | None,
    max_price: Decimal | None,
    ordering: str | None,
    medicare_assignment: str | None = None,
) -> SearchSummary:
    singular, plural = PROFESSION_NOUNS[profession or ""]
    noun = singular if count == 1 and not count_capped else plural
    number = f"{count}+" if count_capped else str(count)
    heading = f"{number} {noun} within {radius_miles:g} miles of {place}"
    facts = []
    if service:
        facts.append(str(Service(service).label))
    if plan_name:
        facts.append(plan_name)
    if accepting_new_patients:
        facts.append("Accepting new patients")
    if max_price is not None:
        facts.append(f"Up to ${max_price:,.2f} a visit")
    if medicare_assignment in MEDICARE_ASSIGNMENT_WORDS:
        facts.append(MEDICARE_ASSIGNMENT_WORDS[medicare_assignment])
    if ordering in ORDERING_WORDS:
        facts.append(ORDERING_WORDS[ordering])
    return SearchSummary(heading=heading, facts=facts)


def results_url(raw_query: str) -> str | None:
    """The results page for a search query carried to a provider's page (`?search=`), or None.

    Only the search's own parameters are kept, and the path is always the search page's, so the
    link cannot be pointed anywhere else.
    """
    given = QueryDict(raw_query)
    kept = QueryDict(mutable=True)
    for name in SEARCH_PARAMETERS:
        if name in given:
            kept.setlist(name, given.getlist(name)[:1])
    if not kept:
        return None
    return f"{reverse('finder:search')}?{kept.urlencode()}#{RESULTS_ANCHOR}"
