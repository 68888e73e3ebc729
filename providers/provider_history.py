"""Provider versions (django-simple-history) that follow plan changes made from either side of
the provider-plan relation."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from simple_history.models import HistoricalRecords


def providers_with_changed_plans(instance, action: str, reverse: bool, pk_set) -> list[int]:
    """The providers whose plans an `m2m_changed` signal of Provider.insurance_plans reports as
    changed: on its post_ actions, [] otherwise. From the plan's side (plan.providers.add/
    remove/clear) they are in pk_set, except on clear, where they are read before they go."""
    if not reverse:
        return [instance.pk] if action.startswith("post_") else []
    if action == "pre_clear":
        instance._providers_before_clear = list(instance.providers.values_list("id", flat=True))
    elif action == "post_clear":
        return instance.__dict__.get("_providers_before_clear", [])
    elif action.startswith("post_"):
        return list(pk_set or ())
    return []


class ProviderHistory(HistoricalRecords):
    """Provider versions that follow plan changes made from the plan's side too: there
    django-simple-history would version the plan, which keeps no history, and fail."""

    _restoring: ContextVar[bool] = ContextVar("restoring_versions", default=False)

    @classmethod
    @contextmanager
    def restoring(cls) -> Iterator[None]:
        """Loading a backup: its rows are restored, not new versions. (Model saves say so
        themselves, raw=True; the plan links loaded after them do not.)"""
        token = cls._restoring.set(True)
        try:
            yield
        finally:
            cls._restoring.reset(token)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if self._restoring.get():
            return None
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        changed = providers_with_changed_plans(instance, action, reverse, pk_set)
        for provider in kwargs["model"]._default_manager.filter(pk__in=changed):
            super().m2m_changed(provider, action, attr, pk_set, False, **kwargs)
