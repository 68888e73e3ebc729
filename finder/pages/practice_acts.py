"""The state-rules pages: an index of every jurisdiction in a compact table, and one page per
state (/practice-acts/WA/) with the rule in plain words, the legal detail and the sources."""

from dataclasses import dataclass
from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finder.practice_act_words import plain_rule, state_specific_note
from finder.practice_acts import PracticeActTimeline, practice_act_timelines
from providers.lazy_text import Text
from providers.models import Confidence, DirectAccess, PracticeAct, Profession, Scope
from providers.reference_data import CAVEATS_FOR_EVERY_STATE
from providers.reference_sources import source_detail
from providers.states import US_STATES

# Physical therapists first: their spinal-manipulation rules are the ones that vary by state.
PROFESSIONS = (Profession.PHYSICAL_THERAPIST, Profession.CHIROPRACTOR)
NO_DATA_NOTE = _("No practice-act data is on record for this profession in this state.")


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str
    is_copy: bool


@dataclass(frozen=True)
class EarlierRuleRow:
    superseded_on: date
    spinal_manipulation: str
    note: str


@dataclass(frozen=True)
class ProfessionRow:
    profession: Text
    profession_code: str
    plain_rule: list[str]
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
    professions: list[ProfessionRow]  # in PROFESSIONS order

    @property
    def physical_therapist(self) -> ProfessionRow:
        return self.professions[PROFESSIONS.index(Profession.PHYSICAL_THERAPIST)]

    @property
    def chiropractor(self) -> ProfessionRow:
        return self.professions[PROFESSIONS.index(Profession.CHIROPRACTOR)]


def _sources(act: PracticeAct) -> list[Source]:
    sources = []
    for url in act.sources:
        detail = source_detail(url)
        sources.append(Source(detail.title, detail.publisher, url, detail.is_copy))
    return sources


def _profession_row(
    profession: str, timeline: PracticeActTimeline | None, state_name: str
) -> ProfessionRow:
    label = Profession(profession).label
    if timeline is None:
        return ProfessionRow(
            profession=label,
            profession_code=profession,
            plain_rule=[],
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
        profession_code=profession,
        plain_rule=plain_rule(act, state_name),
        spinal_manipulation=act.spinal_manipulation,
        extremity_manipulation=act.extremity_manipulation,
        manipulation_under_anesthesia=act.manipulation_under_anesthesia,
        direct_access=act.get_direct_access_display(),
        confidence=act.confidence,
        confidence_label=Confidence(act.confidence).label,
        note=state_specific_note(act.note),
        sources=_sources(act),
        last_reviewed=act.last_reviewed,
        history=[
            EarlierRuleRow(
                rule.superseded_on,
                rule.act.spinal_manipulation,
                state_specific_note(rule.act.note),
            )
            for rule in timeline.history
        ],
    )


def state_rows(code: str, timelines: dict[str, dict[str, PracticeActTimeline]]) -> StateRows:
    """One jurisdiction with a row per profession (data or not)."""
    name = US_STATES[code]
    return StateRows(
        code=code,
        name=name,
        professions=[
            _profession_row(profession, timelines.get(code, {}).get(profession), name)
            for profession in PROFESSIONS
        ],
    )


def practice_act_rows(timelines: dict[str, dict[str, PracticeActTimeline]]) -> list[StateRows]:
    """One entry per jurisdiction, by name."""
    return [
        state_rows(code, timelines)
        for code, _name in sorted(US_STATES.items(), key=lambda item: item[1])
    ]


def practice_acts_page(request: HttpRequest) -> HttpResponse:
    on = timezone.localdate()
    states = practice_act_rows(practice_act_timelines(on=on))
    return render(
        request,
        "finder/practice_acts.html",
        {"states": states, "on": on, "caveats": CAVEATS_FOR_EVERY_STATE},
    )


def practice_act_state_page(request: HttpRequest, state: str) -> HttpResponse:
    code = state.upper()
    if code not in US_STATES:
        raise Http404("No such state.")
    if code != state:
        return redirect("finder:practice-act-state", state=code, permanent=True)
    on = timezone.localdate()
    rows = state_rows(code, practice_act_timelines(on=on, states=[code]))
    return render(
        request,
        "finder/practice_act_state.html",
        {"state": rows, "on": on, "caveats": CAVEATS_FOR_EVERY_STATE},
    )
