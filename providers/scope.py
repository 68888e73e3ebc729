"""Practice-act enforcement: the one place that decides what a provider may do in a state.

Every interface (search, provider detail, admin validation, demo data) asks this module, so a
change to a state's rule shows everywhere at once.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, TypedDict

from django.db.models import Q
from django.utils import timezone

from providers import freshness
from providers.models import PracticeAct, Provider, Scope, Service

ActKey = tuple[str, str]  # (state, profession)


@dataclass(frozen=True)
class ServiceCheck:
    errors: list[str]
    warnings: list[str]


def current_practice_acts(
    on: date | None = None, *, states: Iterable[str] | None = None
) -> dict[ActKey, PracticeAct]:
    """The rule in force on `on` (default today) for every (state, profession) on record.

    For each pair, the row with the latest `effective_from` not after `on` wins; a row without
    `effective_from` is the original rule and loses to any dated one.
    """
    on = on or timezone.localdate()
    if states is None:
        # Every search asks for all acts; keep them per process until an act changes anywhere.
        return _all_acts.get(lambda: _load_current_acts(on, None), on)
    return _load_current_acts(on, states)


_all_acts: freshness.PerGeneration[dict[ActKey, PracticeAct]] = freshness.PerGeneration(
    freshness.PRACTICE_ACTS
)


def _load_current_acts(on: date, states: Iterable[str] | None) -> dict[ActKey, PracticeAct]:
    acts: dict[ActKey, PracticeAct] = {}
    rows = PracticeAct.objects.filter(Q(effective_from__isnull=True) | Q(effective_from__lte=on))
    if states is not None:
        rows = rows.filter(state__in=list(states))
    for act in rows.order_by("state", "profession", "effective_from"):
        key = (act.state, act.profession)
        current = acts.get(key)
        if current is None or act.effective_from is not None:
            acts[key] = act
    # NULL sorts first on SQLite and last on PostgreSQL; either way a dated row is never
    # replaced by the undated one, and later dated rows replace earlier ones.
    return acts


def practice_act_for(state: str, profession: str, on: date | None = None) -> PracticeAct | None:
    return current_practice_acts(on, states=[state]).get((state, profession))


def effective_scope(act: PracticeAct | None, service: str, *, endorsed: bool = False) -> str:
    """The scope of `service` under `act`; a curator-recorded endorsement satisfies the act."""
    if act is None:
        return Scope.UNKNOWN
    scope = act.scope_for(service)
    if scope == Scope.REQUIRES_ENDORSEMENT and endorsed and service == Service.SPINAL_MANIPULATION:
        return Scope.ALLOWED
    return scope


# What a provider may do in one state, as the API shows it (with the other shapes of the API's
# bodies in finder/api/shapes.py, here so that `providers` need not import `finder`).
class ScopeSummary(TypedDict):
    state: str
    spinal_manipulation: Annotated[str, Scope]
    note: str


def scope_summary(act: PracticeAct | None, provider: Provider, state: str) -> ScopeSummary:
    """The contract's `scope` object for one location of one provider."""
    return {
        "state": state,
        "spinal_manipulation": effective_scope(
            act, Service.SPINAL_MANIPULATION, endorsed=provider.spinal_manipulation_endorsed
        ),
        "note": act.note if act else "No practice-act data is on record for this state.",
    }


def states_where_prohibited(
    service: str, profession: str, acts: dict[ActKey, PracticeAct]
) -> set[str]:
    return {
        state
        for (state, act_profession), act in acts.items()
        if act_profession == profession and act.scope_for(service) == Scope.PROHIBITED
    }


def check_services(
    *,
    profession: str,
    services: Iterable[str],
    states: Iterable[str],
    endorsed: bool,
    acts: dict[ActKey, PracticeAct] | None = None,
) -> ServiceCheck:
    """Errors for services a state's act prohibits; warnings for unmet endorsements."""
    acts = current_practice_acts() if acts is None else acts
    errors: list[str] = []
    warnings: list[str] = []
    for state in sorted(set(states)):
        act = acts.get((state, profession))
        for service in services:
            scope = effective_scope(act, service, endorsed=endorsed)
            label = Service(service).label.lower()
            if scope == Scope.PROHIBITED:
                errors.append(
                    f"The {state} practice act prohibits {label} for this profession. "
                    f"Remove the service or the {state} location."
                )
            elif scope == Scope.REQUIRES_ENDORSEMENT:
                warnings.append(
                    f"In {state}, {label} requires an endorsement for this profession; "
                    "record it once verified."
                )
    return ServiceCheck(errors=errors, warnings=warnings)
