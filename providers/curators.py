"""The "Curators" group: what day-to-day listing curation needs, and no more.

Curators edit listings and run imports; practice acts, reference data and partner API keys are
read-only to them unless a superuser grants more.
"""

from django.contrib.auth.models import Group, Permission

CURATORS_GROUP = "Curators"

CURATOR_PERMISSIONS: dict[str, list[str]] = {
    "provider": ["view", "add", "change"],
    "practicelocation": ["view", "add", "change", "delete"],
    "license": ["view", "add", "change", "delete"],
    "providerprice": ["view", "add", "change", "delete"],
    "practiceact": ["view"],
    "procedure": ["view"],
    "insuranceplan": ["view"],
    "importrun": ["view"],
    "planacceptance": ["view"],
    "negotiatedrate": ["view"],
}


def ensure_curators_group(**_kwargs) -> Group:
    group, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
    codenames = [
        f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label="providers", codename__in=codenames
    )
    group.permissions.add(*permissions)
    return group
