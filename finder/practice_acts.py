"""A state's practice-act rules over time: the rule in force on a date and the ones it replaced.

Shared by the reference API and the practice-acts page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from django.db.models import Q
from django.utils import timezone

from providers.models import PracticeAct
from providers.scope import current_practice_acts


@dataclass(frozen=True)
class SupersededRule:
    """An earlier rule, in force until `superseded_on` (the next row's `effective_from`)."""

    act: PracticeAct
    superseded_on: date


@dataclass(frozen=True)
class PracticeActTimeline:
    """The rule in force for one state and profession, and the rules it replaced, oldest first."""

    current: PracticeAct
    history: list[SupersededRule]


def practice_act_timelines(
    *, on: date | None = None, states: Iterable[str] | None = None
) -> dict[str, dict[str, PracticeActTimeline]]:
    """state -> profession -> timeline of the rules in force on `on` (default today).

    The current rule comes from `providers.scope.current_practice_acts`, the one place that
    decides which row applies; rows starting after `on` are left out. Two queries in all.
    """
    on = on or timezone.localdate()
    states = None if states is None else list(states)
    current = current_practice_acts(on, states=states)
    rows = PracticeAct.objects.filter(Q(effective_from__isnull=True) | Q(effective_from__lte=on))
    if states is not None:
        rows = rows.filter(state__in=states)
    earlier: dict[tuple[str, str], list[PracticeAct]] = {}
    current_ids = {act.pk for act in current.values()}
    for act in rows:
        if act.pk not in current_ids:
            earlier.setdefault((act.state, act.profession), []).append(act)

    timelines: dict[str, dict[str, PracticeActTimeline]] = {}
    for (state, profession), act in sorted(current.items()):
        # The undated original rule comes first, then dated rows by start date.
        older = sorted(
            earlier.get((state, profession), []),
            key=lambda row: (row.effective_from is not None, row.effective_from or date.min),
        )
        history = []
        for row, successor in pairwise([*older, act]):
            # Only the first rule may be undated (constraint unique_practice_act_original).
            assert successor.effective_from is not None
            history.append(SupersededRule(act=row, superseded_on=successor.effective_from))
        timelines.setdefault(state, {})[profession] = PracticeActTimeline(act, history)
    return timelines
