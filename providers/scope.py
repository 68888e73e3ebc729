"""Practice-act enforcement: the one place that decides what a provider may do in a state.

Every interface (search, provider detail, admin validation, demo data) asks this module, so a
change to a state's rule shows everywhere at once.
"""

from collections.abc import Iterable, Mapping
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


# Services a practice act rules on; mobilization is core practice everywhere (scope_for).
GOVERNED_SERVICES = (
    Service.SPINAL_MANIPULATION,
    Service.EXTREMITY_MANIPULATION,
    Service.MANIPULATION_UNDER_ANESTHESIA,
)


def endorsement_held(provider: Provider, service: str) -> bool:
    """Whether a curator recorded the endorsement `service` needs. Only the spinal manipulation
    endorsement is recorded (`spinal_manipulation_endorsed`, e.g. Washington PTs under RCW
    18.74.190); any other endorsement an act asks for counts as not on file."""
    return service == Service.SPINAL_MANIPULATION and provider.spinal_manipulation_endorsed


def provider_scope(act: PracticeAct | None, provider: Provider, service: str) -> str:
    """What `provider` may do of `service` under `act`: the act's rule, with a rule that asks
    for an endorsement reading "allowed" only when the endorsement is on file. The badge, the
    state box, search and the API all read this."""
    return effective_scope(act, service, endorsed=endorsement_held(provider, service))


def is_permitted(scope: str) -> bool:
    """Whether a provider may be listed for a service with this (effective) scope: not where
    the act prohibits it, nor where it needs an endorsement that is not on file."""
    return scope not in (Scope.PROHIBITED, Scope.REQUIRES_ENDORSEMENT)


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
        "spinal_manipulation": provider_scope(act, provider, Service.SPINAL_MANIPULATION),
        "note": act.note if act else "No practice-act data is on record for this state.",
    }


class Endorsement(TypedDict):
    """A state endorsement the provider's practice act asks for, for a service it offers."""

    state: str
    service: Annotated[str, Service]
    held: bool


@dataclass(frozen=True)
class ServiceScope:
    """One service the provider offers that the state's act rules on, and what the provider
    may do of it there."""

    state: str
    service: str
    scope: str
    endorsement: Endorsement | None  # when the act asks for one


def offered_service_scopes(
    act: PracticeAct | None, provider: Provider, state: str
) -> list[ServiceScope]:
    """The act's rule for each service the provider offers (none for those it does not)."""
    offered = set(provider.services)
    return [
        ServiceScope(
            state=state,
            service=service,
            scope=provider_scope(act, provider, service),
            endorsement=(
                {"state": state, "service": service, "held": endorsement_held(provider, service)}
                if act is not None and act.scope_for(service) == Scope.REQUIRES_ENDORSEMENT
                else None
            ),
        )
        for service in GOVERNED_SERVICES
        if service in offered
    ]


def endorsements(
    provider: Provider, states: Iterable[str], acts: Mapping[ActKey, PracticeAct]
) -> list[Endorsement]:
    """The endorsements the acts of `states` ask of the provider for services it offers, each
    with whether it is on file; by state, then service."""
    return [
        rule.endorsement
        for state in sorted(set(states))
        for rule in offered_service_scopes(acts.get((state, provider.profession)), provider, state)
        if rule.endorsement is not None
    ]


def states_where_not_permitted(
    service: str, profession: str, acts: Mapping[ActKey, PracticeAct], *, endorsed: bool
) -> set[str]:
    """The states where a provider of `profession` (holding the spinal manipulation
    endorsement, or not) may not be listed for `service` (`is_permitted`). A state without an
    act on record is unknown, and permitted."""
    return {
        state
        for (state, act_profession), act in acts.items()
        if act_profession == profession
        and not is_permitted(effective_scope(act, service, endorsed=endorsed))
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
