"""backup_data / restore_data: a round trip gives back exactly what was there."""

import gzip
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import CommandError, call_command
from django.utils import timezone

from finder.models import ApiKeyDailyUsage, PartnerApiKey
from providers.curators import CURATORS_GROUP, ensure_curators_group
from providers.management.commands.backup_data import backed_up_models
from providers.models import PracticeAct, Provider, Scope
from tests.factories import (
    InsurancePlanFactory,
    LicenseFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def everything() -> dict[str, list]:
    """Every backed-up row, natural keys for users, groups and permissions, sorted."""
    state = {}
    for model in backed_up_models():
        rows = serializers.serialize(
            "python", model._default_manager.all(), use_natural_foreign_keys=True
        )
        for row in rows:
            if model._meta.label == "auth.Group" or model._meta.label == "auth.User":
                row.pop("pk")  # restored by natural key (name, username)
            row["fields"] = {k: sorted(v) if isinstance(v, list) else v
                             for k, v in row["fields"].items()}  # fmt: skip
        state[model._meta.label] = sorted(rows, key=lambda row: json.dumps(row, default=str))
    return state


@pytest.fixture
def some_data(django_user_model):
    ensure_curators_group()
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw-admin-1")
    curator = django_user_model.objects.create_user("cora", "c@example.org", "pw-cora-12")
    curator.groups.add(Group.objects.get(name=CURATORS_GROUP))
    plan = InsurancePlanFactory(slug="aetna-ppo", name="Aetna PPO")
    for n in range(3):
        location = PracticeLocationFactory(provider__first_name=f"Núñez {n}")
        provider = location.provider
        provider.insurance_plans.add(plan)
        LicenseFactory(provider=provider)
        ProviderPriceFactory(provider=provider, procedure=ProcedureFactory())
        provider._history_user = admin
        provider.curator_notes = f"Checked by phone ({n})"
        provider.save()  # a second history row, with its author
    act = PracticeActFactory(state="WA", spinal_manipulation=Scope.REQUIRES_ENDORSEMENT)
    act.note = "Endorsement under RCW 18.74.190"
    act.save()
    key, _secret = PartnerApiKey.objects.create_key(name="partner", owner_contact="p@example.org")
    ApiKeyDailyUsage.objects.create(key=key, date=timezone.now().date(), count=42)


def test_a_backup_restores_everything_after_a_flush(some_data, tmp_path: Path) -> None:
    before = everything()
    assert len(before["providers.Provider"]) == 3
    # Created, plan added, notes edited: three versions each, and the plans each one kept.
    assert len(before["providers.HistoricalProvider"]) == 9
    assert len(before["providers.HistoricalProvider_insurance_plans"]) == 6
    path = tmp_path / "backup.json.gz"
    out = io.StringIO()
    call_command("backup_data", str(path), stdout=out)
    assert "Backed up" in out.getvalue() and path.stat().st_size > 0
    with gzip.open(path, "rt") as handle:
        labels = {row["model"] for row in json.load(handle)}
    assert "sessions.session" not in labels and "auth.permission" not in labels

    call_command("flush", interactive=False, verbosity=0)
    assert not Provider.objects.exists() and not PartnerApiKey.objects.exists()

    out = io.StringIO()
    call_command("restore_data", str(path), stdout=out)
    assert "Installed" in out.getvalue()
    after = everything()
    assert after == before
    # Passwords and keys still work: they were restored, not re-made.
    assert Provider.objects.get(first_name="Núñez 0").insurance_plans.get().slug == "aetna-ppo"
    assert PartnerApiKey.objects.get().is_valid  # still the same hashed key


def test_restore_replaces_a_database_with_flush(some_data, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    before = everything()
    PracticeAct.objects.update(note="edited after the backup")
    PracticeLocationFactory(provider__first_name="Added after the backup")

    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore_data", str(path), stdout=io.StringIO())
    call_command("restore_data", str(path), "--flush", "--noinput", stdout=io.StringIO())
    assert everything() == before


def test_a_broken_backup_restores_nothing(some_data, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    rows = json.loads(path.read_text())
    rows[-1]["fields"]["no_such_field"] = 1
    rows.append({"model": "providers.nosuchmodel", "pk": 1, "fields": {}})
    path.write_text(json.dumps(rows))
    before = everything()
    with pytest.raises(CommandError, match=r"no_such_field'\. Nothing was changed\.$"):
        call_command("restore_data", str(path), "--flush", "--noinput", stdout=io.StringIO())
    assert everything() == before  # the flush was rolled back too


def test_a_file_that_is_not_a_backup_is_a_command_error(some_data, tmp_path: Path) -> None:
    path = tmp_path / "backup.json.gz"
    path.write_bytes(b"not gzip at all")
    before = everything()
    with pytest.raises(CommandError, match=r"Not a gzipped file .*\. Nothing was changed\.$"):
        call_command("restore_data", str(path), "--flush", "--noinput", stdout=io.StringIO())
    assert everything() == before


def test_a_flush_with_no_one_to_confirm_it_is_cancelled(
    some_data, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "backup.json"
    call_command("backup_data", str(path), stdout=io.StringIO())
    PracticeLocationFactory(provider__first_name="Added after the backup")
    before = everything()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: input() meets EOF
    with pytest.raises(CommandError, match=r"^Restore cancelled\.$"):
        call_command("restore_data", str(path), "--flush", stdout=io.StringIO())
    assert everything() == before


def test_restore_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("restore_data", str(tmp_path / "nope.json"))
