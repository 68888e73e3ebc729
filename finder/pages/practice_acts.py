"""The state-rules page: every jurisdiction's practice acts in one table."""

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finder.practice_acts import PracticeActTimeline, practice_act_timelines
from providers.lazy_text import Text
from providers.models import Confidence, DirectAccess, PracticeAct, Profession, Scope
from providers.states import US_STATES

# Physical therapists first: their spinal-manipulation rules are the ones that vary by state.
PROFESSIONS = (Profession.PHYSICAL_THERAPIST, Profession.CHIROPRACTOR)
NO_DATA_NOTE = _("No practice-act data is on record for this profession in this state.")


@dataclass(frozen=True)
class Source:
    label: str
    url: str


@dataclass(frozen=True)
class EarlierRuleRow:
    superseded_on: date
    spinal_manipulation: str
    note: str


@dataclass(frozen=True)
class ProfessionRow:
    profession: Text
    spinal_manipulation: str
    extremity_manipulation: str
    manipulation_under_anesthesia: str
    direct_access: Text
    confidence: str
    confidence_label: Text
    note: Text  # as stored, in English: the template translates it sentence by sentence
    sources: list[Source]
    last_reviewed: date | None
    history: list[EarlierRuleRow]


@dataclass(frozen=True)
class StateRows:
    code: str
    name: str
    professions: list[ProfessionRow]


def _sources(act: PracticeAct) -> list[Source]:
    return [
        Source(_("Source %(number)d") % {"number": number}, url)
        for number, url in enumerate(act.sources, start=1)
    ]


def _profession_row(profession: str, timeline: PracticeActTimeline | None) -> ProfessionRow:
    label = Profession(profession).label
    if timeline is None:
        return ProfessionRow(
            profession=label,
            spinal_manipulation=Scope.UNKNOWN,
            extremity_manipulation=Scope.UNKNOWN,
            manipulation_under_anesthesia=Scope.UNKNOWN,
            direct_access=DirectAccess.UNKNOWN.label,
            confidence="",
            confidence_label="",
            note=NO_DATA_NOTE,
            sources=[],
            last_reviewed=None,
            history=[],
        )
    act = timeline.current
    return ProfessionRow(
        profession=label,
        spinal_manipulation=act.spinal_manipulation,
        extremity_manipulation=act.extremity_manipulation,
        manipulation_under_anesthesia=act.manipulation_under_anesthesia,
        direct_access=act.get_direct_access_display(),
        confidence=act.confidence,
        confidence_label=Confidence(act.confidence).label,
        note=act.note,
        sources=_sources(act),
        last_reviewed=act.last_reviewed,
        history=[
            EarlierRuleRow(rule.superseded_on, rule.act.spinal_manipulation, rule.act.note)
            for rule in timeline.history
        ],
    )


def practice_act_rows(timelines: dict[str, dict[str, PracticeActTimeline]]) -> list[StateRows]:
    """One entry per jurisdiction, by name, each with a row per profession (data or not)."""
    return [
        StateRows(
            code=code,
            name=name,
            professions=[
                _profession_row(profession, timelines.get(code, {}).get(profession))
                for profession in PROFESSIONS
            ],
        )
        for code, name in sorted(US_STATES.items(), key=lambda item: item[1])
    ]


def practice_acts_page(request: HttpRequest) -> HttpResponse:
    on = timezone.localdate()
    states = practice_act_rows(practice_act_timelines(on=on))
    return render(
        request,
        "finder/practice_acts.html",
        {"states": states, "on": on, "profession_count": len(PROFESSIONS)},
    )
