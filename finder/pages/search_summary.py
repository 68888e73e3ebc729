"""The one-line summary a results page opens with, and the way back to it from a provider.

"12 chiropractors within 25 miles of New York, NY 10001" as the heading, then the choices that
narrowed it ("Spinal manipulation · Medicare · Accepting new patients"), so a patient sees at
once what was searched without the whole form in the way.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from finder.search.params import PARAMETER_FIELDS
from providers.models import Profession, Service

ORDERING_WORDS = {"price": gettext_lazy("Cheapest first"), "name": gettext_lazy("By name")}
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
    "participating": gettext_lazy("Accepts Medicare assignment"),
    "non_participating": gettext_lazy("Does not always accept Medicare assignment"),
    "unknown": gettext_lazy("Medicare assignment not known"),
}


def count_words(count: int, number: str, profession: str | None, miles: str, place: str) -> str:
    """ "12 chiropractors within 25 miles of Austin, TX": one whole sentence per profession, so
    a translation can agree its words with the noun."""
    values = {"number": number, "miles": miles, "place": place}
    if profession == Profession.CHIROPRACTOR:
        text = ngettext(
            "%(number)s chiropractor within %(miles)s miles of %(place)s",
            "%(number)s chiropractors within %(miles)s miles of %(place)s",
            count,
        )
    elif profession == Profession.PHYSICAL_THERAPIST:
        text = ngettext(
            "%(number)s physical therapist within %(miles)s miles of %(place)s",
            "%(number)s physical therapists within %(miles)s miles of %(place)s",
            count,
        )
    else:
        text = ngettext(
            "%(number)s provider within %(miles)s miles of %(place)s",
            "%(number)s providers within %(miles)s miles of %(place)s",
            count,
        )
    return text % values


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
    language_name: str | None = None,
    telehealth: bool | None = None,
    accessible: bool | None = None,
) -> SearchSummary:
    number = f"{count}+" if count_capped else str(count)
    # "12+" reads as a plural whatever the count.
    heading = count_words(
        count if not count_capped else 2, number, profession, f"{radius_miles:g}", place
    )
    facts = []
    if service:
        facts.append(str(Service(service).label))
    if plan_name:
        facts.append(plan_name)
    if accepting_new_patients:
        facts.append(_("Accepting new patients"))
    if language_name:
        facts.append(_("Speaks %(language)s") % {"language": language_name})
    if telehealth:
        facts.append(_("Offers telehealth visits"))
    if accessible:
        facts.append(_("Wheelchair-accessible entrance"))
    if max_price is not None:
        facts.append(_("Up to $%(price)s a visit") % {"price": f"{max_price:,.2f}"})
    if medicare_assignment in MEDICARE_ASSIGNMENT_WORDS:
        facts.append(str(MEDICARE_ASSIGNMENT_WORDS[medicare_assignment]))
    if ordering in ORDERING_WORDS:
        facts.append(str(ORDERING_WORDS[ordering]))
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
