import pytest
from django.core.management import call_command

from providers.models import PracticeLocation, Profession, Provider, Scope
from providers.scope import check_services, current_practice_acts
from tests.factories import PracticeActFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(capsys):
    ProcedureFactory()
    call_command("seed_demo", providers=40, seed=7)
    assert "40 created, 0 already present" in capsys.readouterr().out
    call_command("seed_demo", providers=40, seed=7)
    assert "0 created, 40 already present" in capsys.readouterr().out
    assert Provider.objects.filter(is_demo=True).count() == 40
    assert not Provider.objects.filter(is_demo=False).exists()


def test_demo_providers_are_labelled_geocoded_and_within_scope():
    PracticeActFactory(
        state="TX", profession=Profession.PHYSICAL_THERAPIST, spinal_manipulation=Scope.PROHIBITED
    )
    call_command("seed_demo", providers=300, seed=3)
    acts = current_practice_acts()
    assert not PracticeLocation.objects.filter(latitude__isnull=True).exists()
    for provider in Provider.objects.prefetch_related("locations"):
        assert "(Demo)" in provider.display_name
        states = [location.state for location in provider.locations.all()]
        check = check_services(
            profession=provider.profession,
            services=provider.services,
            states=states,
            endorsed=provider.spinal_manipulation_endorsed,
            acts=acts,
        )
        assert check.errors == [], provider
    texas_pts = Provider.objects.filter(
        profession=Profession.PHYSICAL_THERAPIST, locations__state="TX"
    )
    assert texas_pts.exists()
    assert not texas_pts.filter(offers_spinal_manipulation=True).exists()
