"""Load the reference data (practice acts, procedures, insurance plans, Medicare national
amounts) into the database."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models, transaction

from providers.medicare_reference import MEDICARE_NATIONAL_AMOUNTS
from providers.models import InsurancePlan, MedicareNationalAmount, PracticeAct, Procedure
from providers.reference_data import INSURANCE_PLANS, PRACTICE_ACTS, PROCEDURES

Counts = dict[str, int]

# (summary key, model, rows, natural key). Practice acts are keyed by their start date too, so
# each recorded change is its own row.
_KINDS: list[tuple[str, type[models.Model], Sequence[Mapping[str, Any]], tuple[str, ...]]] = [
    ("practice_acts", PracticeAct, PRACTICE_ACTS, ("state", "profession", "effective_from")),
    ("procedures", Procedure, PROCEDURES, ("code",)),
    ("insurance_plans", InsurancePlan, INSURANCE_PLANS, ("slug",)),
    (
        "medicare_national_amounts",
        MedicareNationalAmount,
        MEDICARE_NATIONAL_AMOUNTS,
        ("year", "code"),
    ),
]


def load_reference_data(*, overwrite: bool = False) -> dict[str, Counts]:
    """Create missing reference rows; return created/updated/unchanged/kept counts per kind.

    Idempotent, in one transaction. Rows are matched on their natural key. A row that differs
    from `providers.reference_data` was edited by a curator in the admin and is kept ("kept")
    unless `overwrite` is set (then "updated"): `make run` loads the data on every start and
    must never lose an admin's work. Rows that are not in the data (say, a newer practice-act
    row a curator recorded) are never touched or deleted.
    """
    with transaction.atomic():
        return {
            kind: _upsert(model, rows, key_fields, overwrite=overwrite)
            for kind, model, rows, key_fields in _KINDS
        }


def _upsert(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    key_fields: tuple[str, ...],
    *,
    overwrite: bool,
) -> Counts:
    counts: Counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
    existing = {
        tuple(getattr(obj, field) for field in key_fields): obj
        for obj in model._default_manager.select_for_update()
    }
    for row in rows:
        obj = existing.get(tuple(row[field] for field in key_fields))
        if obj is None:
            obj = model(**row)
            counts["created"] += 1
        else:
            changed = {field: value for field, value in row.items() if getattr(obj, field) != value}
            if not changed:
                counts["unchanged"] += 1
                continue
            if not overwrite:
                counts["kept"] += 1
                continue
            for field, value in changed.items():
                setattr(obj, field, value)
            counts["updated"] += 1
        # Catch a bad choice or an over-long label in the data before it reaches the database;
        # uniqueness is the database's job.
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
    return counts
