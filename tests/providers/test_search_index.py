"""The search projection stays equal to the providers it copies, whatever path writes them."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from devtools.nppes_testing import generate_rows, write_nppes_csv
from finder.search import Origin, SearchFilters, search_providers
from providers import search_index
from providers.demo import seed_demo_providers
from providers.models import PracticeLocation, Profession, Provider, VerificationStatus
from providers.nppes import import_file
from providers.reference import load_reference_data
from providers.search_index import (
    ACCEPTING_NEW_PATIENTS,
    LISTED,
    MANY_PLANS,
    PROFESSION_BITS,
    SERVICE_BITS,
    refresh_search_index,
    stale_locations,
)
from tests.factories import InsurancePlanFactory, PracticeLocationFactory, ProviderFactory

pytestmark = pytest.mark.django_db

AUSTIN = Origin(30.27, -97.74, "Austin", 25)


def projection(location: PracticeLocation) -> tuple[int, str]:
    location.refresh_from_db()
    return location.search_flags, location.search_plans


def test_a_saved_location_carries_its_providers_facts():
    plans = [InsurancePlanFactory(slug="b-plan"), InsurancePlanFactory(slug="a-plan")]
    provider = ProviderFactory(
        profession=Profession.PHYSICAL_THERAPIST,
        offers_spinal_manipulation=False,
        offers_mobilization=True,
        accepting_new_patients=True,
    )
    provider.insurance_plans.set(plans)
    location = PracticeLocationFactory(provider=provider)
    expected_flags = (
        LISTED
        | ACCEPTING_NEW_PATIENTS
        | PROFESSION_BITS[Profession.PHYSICAL_THERAPIST]
        | SERVICE_BITS["mobilization"]
    )
    ids = sorted(plan.id for plan in plans)
    assert projection(location) == (expected_flags, f",{ids[0]},{ids[1]},")


def test_provider_edits_reach_every_location():
    location = PracticeLocationFactory()
    second = PracticeLocationFactory(provider=location.provider)
    provider = location.provider
    provider.verification_status = VerificationStatus.SUSPENDED
    provider.accepting_new_patients = False
    provider.save()
    for row in (location, second):
        flags, _ = projection(row)
        assert not flags & LISTED
        assert not flags & ACCEPTING_NEW_PATIENTS
    assert stale_locations() == []


def test_a_save_of_named_fields_refreshes_only_when_it_names_a_projected_one(
    django_assert_num_queries,
):
    location = PracticeLocationFactory()
    provider = location.provider
    provider.verification_status = VerificationStatus.SUSPENDED
    provider.save(update_fields=["verification_status", "updated_at"])
    assert not projection(location)[0] & LISTED
    provider.curator_notes = "Called the clinic."
    # The UPDATE, its history row and the plans that version keeps (none here); no refresh.
    with django_assert_num_queries(3):
        provider.save(update_fields=["curator_notes"])
    assert stale_locations() == []


def test_plan_changes_from_either_side_reach_the_locations():
    location = PracticeLocationFactory()
    provider = location.provider
    plan, other = InsurancePlanFactory(), InsurancePlanFactory()
    provider.insurance_plans.add(plan)
    assert projection(location)[1] == f",{plan.id},"
    other.providers.add(provider)
    assert projection(location)[1] == f",{plan.id},{other.id},"
    plan.providers.remove(provider)
    assert projection(location)[1] == f",{other.id},"
    other.providers.clear()
    assert projection(location)[1] == ""
    provider.insurance_plans.set([plan])
    provider.insurance_plans.clear()
    assert projection(location)[1] == ""
    assert stale_locations() == []


def test_bulk_writes_are_found_stale_and_refreshed():
    location = PracticeLocationFactory()
    Provider.objects.filter(pk=location.provider_id).update(
        profession=Profession.PHYSICAL_THERAPIST
    )
    assert stale_locations() == [location.id]
    assert refresh_search_index() == 1
    assert stale_locations() == []
    assert refresh_search_index() == 0  # only rows that differ are written


def primaries(provider: Provider) -> list[int]:
    return list(
        PracticeLocation.objects.filter(provider=provider, search_primary=True).values_list(
            "id", flat=True
        )
    )


def test_a_providers_first_location_is_its_primary_and_the_next_takes_over():
    first = PracticeLocationFactory()
    provider = first.provider
    second = PracticeLocationFactory(provider=provider)
    assert primaries(provider) == [first.id]
    first.delete()
    assert primaries(provider) == [second.id]
    second.save()  # a save keeps what the database says, whatever the instance holds
    assert primaries(provider) == [second.id]
    third = PracticeLocationFactory(provider=provider)
    PracticeLocation.objects.filter(pk=second.pk).delete()  # as an import deletes
    assert primaries(provider) == [third.id]
    assert stale_locations() == []


def test_a_location_that_changes_provider_leaves_each_with_one_primary():
    moving = PracticeLocationFactory()
    old_provider = moving.provider
    staying = PracticeLocationFactory(provider=old_provider)
    new_provider = PracticeLocationFactory().provider
    moving.refresh_from_db()
    assert moving.search_primary
    moving.provider = new_provider
    moving.save()  # would break the one-primary rule if it kept its flag
    # Older than the new provider's location, so it is now that provider's first.
    assert primaries(new_provider) == [moving.id]
    assert primaries(old_provider) == [staying.id]
    assert stale_locations() == []


def test_a_stale_instance_cannot_give_a_provider_a_second_primary():
    first = PracticeLocationFactory()
    second = PracticeLocationFactory(provider=first.provider)
    first.refresh_from_db()
    assert first.search_primary
    # Elsewhere, the primary moves (as a refresh might); this instance still says True.
    PracticeLocation.objects.filter(pk=first.pk).update(search_primary=False)
    PracticeLocation.objects.filter(pk=second.pk).update(search_primary=True)
    first.city = "Elsewhere"
    first.save()
    # One primary, never two; and as the first location, the saved one takes it back.
    assert primaries(first.provider) == [first.id]


def test_the_database_refuses_a_second_primary():
    first = PracticeLocationFactory()
    second = PracticeLocationFactory(provider=first.provider)
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeLocation.objects.filter(pk=second.pk).update(search_primary=True)


def test_a_refresh_moves_primaries_without_ever_holding_two():
    first = PracticeLocationFactory()
    second = PracticeLocationFactory(provider=first.provider)
    # As after a bulk write: the later location marked, the first not.
    PracticeLocation.objects.filter(pk=first.pk).update(search_primary=False)
    PracticeLocation.objects.filter(pk=second.pk).update(search_primary=True)
    assert sorted(stale_locations()) == sorted([first.id, second.id])
    assert refresh_search_index() == 2
    assert primaries(first.provider) == [first.id]
    assert stale_locations() == []


def test_the_refresh_command_repairs_and_checks(capsys):
    location = PracticeLocationFactory()
    PracticeLocation.objects.filter(pk=location.pk).update(search_flags=0)
    with pytest.raises(CommandError, match=f"location ids \\[{location.pk}\\]"):
        call_command("refresh_search_index", "--check")
    call_command("refresh_search_index")
    assert "1 location" in capsys.readouterr().out
    call_command("refresh_search_index", "--check")
    assert stale_locations() == []


def test_an_import_and_demo_data_leave_no_stale_rows(tmp_path):
    load_reference_data()
    import_file(write_nppes_csv_path(tmp_path, 60))
    seed_demo_providers(count=40)
    assert PracticeLocation.objects.count() >= 80
    assert stale_locations() == []


def test_a_provider_with_too_many_plans_to_index_is_still_found_by_plan(monkeypatch):
    monkeypatch.setattr(search_index, "MAX_PLANS_LENGTH", 5)
    plans = [InsurancePlanFactory() for _ in range(4)]
    location = PracticeLocationFactory(latitude=30.27, longitude=-97.74)
    location.provider.insurance_plans.set(plans)
    PracticeLocationFactory(latitude=30.28, longitude=-97.74)  # accepts none of them
    assert projection(location)[1] == MANY_PLANS
    for plan in plans:
        result = search_providers(origin=AUSTIN, filters=SearchFilters(insurance=plan.slug))
        assert [hit.provider for hit in result.hits] == [location.provider]
        # Its listing names every plan, read from the plans table rather than the projection.
        assert result.hits[0].provider.listing_plan_slugs == sorted(p.slug for p in plans)


def test_a_results_listing_names_the_plans_the_projection_holds():
    plans = [InsurancePlanFactory(slug="zeta"), InsurancePlanFactory(slug="alpha")]
    location = PracticeLocationFactory(latitude=30.27, longitude=-97.74)
    location.provider.insurance_plans.set(plans)
    result = search_providers(origin=AUSTIN, filters=SearchFilters())
    assert result.hits[0].provider.listing_plan_slugs == ["alpha", "zeta"]
    location.provider.insurance_plans.remove(plans[0])
    result = search_providers(origin=AUSTIN, filters=SearchFilters())
    assert result.hits[0].provider.listing_plan_slugs == ["alpha"]


def test_a_plan_id_is_matched_whole_not_as_a_substring():
    wanted = InsurancePlanFactory(id=7001)
    lookalikes = [InsurancePlanFactory(id=17001), InsurancePlanFactory(id=70011)]
    location = PracticeLocationFactory(latitude=30.27, longitude=-97.74)
    location.provider.insurance_plans.set(lookalikes)
    hits = search_providers(origin=AUSTIN, filters=SearchFilters(insurance=wanted.slug)).hits
    assert hits == []
    for plan in lookalikes:
        hits = search_providers(origin=AUSTIN, filters=SearchFilters(insurance=plan.slug)).hits
        assert [hit.provider for hit in hits] == [location.provider]


def write_nppes_csv_path(tmp_path, rows: int):
    path = tmp_path / "nppes.csv"
    write_nppes_csv(path, generate_rows(rows, seed=3))
    return path


def test_languages_and_telehealth_reach_the_projection_and_follow_edits():
    provider = ProviderFactory(languages=["es", "en"], offers_telehealth=True)
    location = PracticeLocationFactory(provider=provider)
    location.refresh_from_db()
    assert location.search_languages == ",en,es,"
    assert location.search_flags & search_index.TELEHEALTH
    provider.languages, provider.offers_telehealth = ["vi"], None
    provider.save()
    location.refresh_from_db()
    assert location.search_languages == ",vi,"
    assert not location.search_flags & search_index.TELEHEALTH
    PracticeLocation.objects.filter(id=location.id).update(search_languages="")
    assert stale_locations() == [location.id]
