"""Information pages: the safety pre-screen and "about joint manipulation".

The pre-screen is anonymous by design. Answers arrive by POST (so they never appear in URLs,
browser history or access logs), are validated, passed to :func:`finder.safety.assess` and
rendered straight back. Nothing is written to the session, the database or any log, and the
response is marked uncacheable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from finder.safety import (
    ADULT_AGE,
    ANSWER_CHOICES,
    AVOID_REGION,
    MAX_AGE,
    MOBILIZATION_NOTE,
    NOT_A_DIAGNOSIS,
    OLDER_ADULT_AGE,
    QUESTIONS,
    SOURCES,
    Question,
    Source,
    assess,
)
from providers.lazy_text import Text


class SafetyForm(forms.Form):
    """One required yes / no / not sure field per question, plus an optional age."""

    age = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_AGE,
        label=_("Your age (optional)"),
        help_text=_("In years. Leave blank if you prefer not to say."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "aria-describedby": "age-help"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect(attrs={"aria-describedby": f"{question.key}-help"}),
                label=question.text,
                error_messages={"required": _("Please choose Yes, No or Not sure.")},
            )

    def answers(self) -> dict[str, str]:
        return {question.key: self.cleaned_data[question.key] for question in QUESTIONS}


@dataclass(frozen=True)
class QuestionField:
    question: Question
    field: forms.BoundField


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def safety_page(request: HttpRequest) -> HttpResponse:
    # Deliberately no logging, no session access and no model writes in this view.
    assessment = None
    form = SafetyForm(request.POST) if request.method == "POST" else SafetyForm()
    if form.is_bound and form.is_valid():
        assessment = assess(form.answers(), age=form.cleaned_data["age"])
    context = {
        "form": form,
        "questions": [QuestionField(q, form[q.key]) for q in QUESTIONS],
        "avoid_questions": [q for q in QUESTIONS if q.level_if_yes == AVOID_REGION],
        "talk_first_questions": [q for q in QUESTIONS if q.level_if_yes != AVOID_REGION],
        "assessment": assessment,
        "adult_age": ADULT_AGE,
        "older_adult_age": OLDER_ADULT_AGE,
        "mobilization_note": MOBILIZATION_NOTE,
        "not_a_diagnosis": NOT_A_DIAGNOSIS,
        "sources": list(SOURCES.values()),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "finder/safety.html", context, status=status)


# --- About page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MedicareAmount:
    code: str
    regions: Text
    amount: str  # US dollars, as published: display only


# Reference section 3: 2026 national non-facility amounts (RVU x conversion factor).
MEDICARE_2026_CMT: tuple[MedicareAmount, ...] = (
    MedicareAmount("98940", _("1-2 spinal regions"), "26.72"),
    MedicareAmount("98941", _("3-4 spinal regions"), "38.41"),
    MedicareAmount("98942", _("5 spinal regions"), "49.77"),
)

# The reference's Sources list, for the keys this page cites.
ABOUT_REFERENCE_SOURCES: tuple[Source, ...] = (
    SOURCES["APTA-WP"],
    Source(
        "APTA-M",
        "APTA: spinal manipulation is not exclusive to any one profession",
        "http://www.apta.org/StateIssues/Manipulation/",
    ),
    Source(
        "DA24",
        "APTA (2024): limited direct access ends; every state now allows some direct access",
        "https://www.apta.org/news/2024/05/24/limited-direct-access-end",
    ),
    Source(
        "CMTreg",
        "CPT Assistant Q&A: chiropractic and osteopathic body regions (Find-A-Code)",
        "https://www.findacode.com/newsletters/ama-cpt-assistant/cmt-omt-body-regions-qa-2.html",
    ),
    Source(
        "RVU26",
        "CMS physician fee schedule RVU file, July 2026 (PPRRVU2026_Jul_nonQPP.csv, copy in "
        "the stormchaser-creator/CredentialDOMD repository)",
        "https://github.com/stormchaser-creator/CredentialDOMD/blob/HEAD/scripts/data/"
        "PPRRVU2026_Jul_nonQPP.csv",
    ),
    Source(
        "CF26",
        "2026 Medicare conversion factor (DecisionHealth)",
        "https://pbn.decisionhealth.com/Articles/Detail.aspx?id=549945",
    ),
    Source(
        "NGS",
        "NGS Medicare: chiropractic services",
        "https://ngsmedicare.com/en/web/ngs/chiropractic-services?selectedArticleId=995599",
    ),
    Source(
        "AARP",
        "AARP: does Medicare cover chiropractic care?",
        "http://www.aarp.org/health/medicare-qa-tool/does-medicare-cover-chiropractic-care/",
    ),
    Source(
        "DED",
        "2026 Medicare Part A and B premiums and deductibles (Total Benefits)",
        "https://totalbenefits.net/2026-medicare-parts-a-b-premiums-and-deductibles",
    ),
    Source(
        "HIO",
        "healthinsurance.org: are chiropractic and physical therapy covered under the ACA?",
        "https://www.healthinsurance.org/faqs/are-visits-to-the-chiropractor-or-physical-"
        "therapist-covered-under-the-affordable-care-act/",
    ),
    Source(
        "CASH1",
        "How much is a chiropractic visit without insurance? (clinic page)",
        "https://www.coolspringsfamilychiropractic.com/how-much-is-a-chiropractic-visit-"
        "without-insurance/",
    ),
    Source(
        "CASH2",
        "How much does it cost to get adjusted? (Biology Insights)",
        "https://biologyinsights.com/how-much-does-it-cost-to-get-adjusted",
    ),
    Source(
        "CASH3",
        "Physical therapy cost without insurance (Useful Atlas)",
        "https://usefulatlas.com/guides/physical-therapy-cost-without-insurance-guide/",
    ),
    Source(
        "CASH4",
        "How much does physical therapy cost per visit? (Health or Skin)",
        "https://healthorskin.com/how-much-does-physical-therapy-cost-per-visit",
    ),
    SOURCES["OSU"],
    SOURCES["MBPM"],
    SOURCES["PMC"],
)

# Not in the project reference (which covers law, billing and safety, not how manipulation
# works or whom it helps); added for the "pop" and "who may benefit" sections.
ABOUT_EXTRA_SOURCES: tuple[Source, ...] = (
    Source(
        "CAV",
        "Kawchuk GN et al. Real-time visualization of joint cavitation. PLoS ONE 2015;10(4):"
        "e0119470",
        "https://doi.org/10.1371/journal.pone.0119470",
    ),
    Source(
        "ACP",
        "Qaseem A et al. Noninvasive treatments for acute, subacute, and chronic low back "
        "pain: a clinical practice guideline from the American College of Physicians. Ann "
        "Intern Med 2017;166(7):514-530",
        "https://doi.org/10.7326/M16-2367",
    ),
    Source(
        "SMT-CLBP",
        "Rubinstein SM et al. Benefits and harms of spinal manipulative therapy for the "
        "treatment of chronic low back pain: systematic review and meta-analysis. BMJ 2019;"
        "364:l689",
        "https://doi.org/10.1136/bmj.l689",
    ),
    Source(
        "NECK",
        "Blanpied PR et al. Neck pain: revision 2017 (clinical practice guidelines, APTA "
        "Orthopaedic Section). J Orthop Sports Phys Ther 2017;47(7):A1-A83",
        "https://doi.org/10.2519/jospt.2017.0302",
    ),
)


@require_http_methods(["GET", "HEAD"])
def about_page(request: HttpRequest) -> HttpResponse:
    context = {
        "medicare_amounts": MEDICARE_2026_CMT,
        "reference_sources": ABOUT_REFERENCE_SOURCES,
        "extra_sources": ABOUT_EXTRA_SOURCES,
    }
    return render(request, "finder/about.html", context)
