"""The Curators group (providers/curators.py) also reviews claims, changes and reports."""

from django.contrib.auth.models import Permission

from providers.curators import ensure_curators_group

CURATOR_PERMISSIONS: dict[str, list[str]] = {
    "claim": ["view", "change"],
    "listingchange": ["view"],
    "listingreport": ["view", "change"],
}


def grant_curators_review(**_kwargs) -> None:
    group = ensure_curators_group()
    codenames = [
        f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions
    ]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
    )
