import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from providers.curators import CURATORS_GROUP
from providers.models import (
    ImportRun,
    InsurancePlan,
    PracticeAct,
    Procedure,
    Profession,
    Provider,
    Scope,
    VerificationStatus,
)
from providers.search_index import stale_locations
from tests.factories import (
    InsurancePlanFactory,
    LicenseFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [Provider, PracticeAct, Procedure, InsurancePlan, ImportRun]


def provider_form_data(**overrides) -> dict:
    """A complete admin change-form POST for a PT with one location in `state`."""
    state = overrides.pop("state", "WY")
    data = {
        "npi": "1234567893",
        "profession": Profession.PHYSICAL_THERAPIST,
        "first_name": "Pat",
        "last_name": "Lee",
        "credential": "DPT",
        "accepting_new_patients": "on",
        "verification_status": VerificationStatus.PENDING,
        "offers_mobilization": "on",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
        "locations-0-address_line1": "1 Main St",
        "locations-0-city": "Cheyenne",
        "locations-0-state": state,
        "locations-0-zip_code": "82001",
        "locations-0-source": "curator",
        "licenses-TOTAL_FORMS": "0",
        "licenses-INITIAL_FORMS": "0",
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_every_changelist_renders(admin_client_logged_in, world, model):
    url = reverse(f"admin:providers_{model._meta.model_name}_changelist")
    assert admin_client_logged_in.get(url).status_code == 200


def test_every_change_form_renders(admin_client_logged_in, world):
    provider = world["in_range"]
    LicenseFactory(provider=provider)
    ProviderPriceFactory(provider=provider)
    plan = InsurancePlanFactory(slug="aetna-ppo")
    run = ImportRun.objects.create(source_name="npidata.csv")
    objects = [provider, PracticeAct.objects.first(), Procedure.objects.first(), plan, run]
    for obj in objects:
        url = reverse(f"admin:providers_{obj._meta.model_name}_change", args=[obj.pk])
        response = admin_client_logged_in.get(url)
        assert response.status_code == 200, url
    for model in ADMIN_MODELS[:-1]:
        url = reverse(f"admin:providers_{model._meta.model_name}_add")
        assert admin_client_logged_in.get(url).status_code == 200


def test_changelist_searches_by_city_zip_and_npi(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_changelist")
    for term in ("Austin", "78701", world["in_range"].npi):
        response = admin_client_logged_in.get(url, {"q": term})
        assert world["in_range"].npi in response.content.decode()


def test_changelist_filters_by_state(admin_client_logged_in, world):
    PracticeLocationFactory(provider__first_name="Nevadan", state="NV", zip_code="89101")
    url = reverse("admin:providers_provider_changelist")
    body = admin_client_logged_in.get(url, {"state": "NV"}).content.decode()
    assert "Nevadan" in body
    assert "Near" not in body


def test_admin_refuses_a_service_the_practice_act_prohibits(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_add")
    data = provider_form_data(offers_spinal_manipulation="on")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "The WY practice act prohibits spinal thrust manipulation" in response.content.decode()
    assert not Provider.objects.filter(npi="1234567893").exists()


def test_admin_saves_the_same_provider_without_the_prohibited_service(
    admin_client_logged_in, world
):
    url = reverse("admin:providers_provider_add")
    response = admin_client_logged_in.post(url, provider_form_data())
    assert response.status_code == 302
    assert Provider.objects.get(npi="1234567893").locations.get().state == "WY"


def test_admin_places_a_location_at_its_zip_centroid(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_add")
    assert admin_client_logged_in.post(url, provider_form_data()).status_code == 302
    location = Provider.objects.get(npi="1234567893").locations.get()
    assert location.latitude == pytest.approx(41.14, abs=0.2)
    assert location.longitude == pytest.approx(-104.8, abs=0.3)


def test_admin_rejects_an_unknown_zip_without_coordinates(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_add")
    data = provider_form_data(**{"locations-0-zip_code": "00000"})
    response = admin_client_logged_in.post(url, data)
    assert "Unknown ZIP code; enter coordinates instead." in response.content.decode()


def test_admin_rejects_a_bad_npi(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_add")
    response = admin_client_logged_in.post(url, provider_form_data(npi="1234567890"))
    assert "Enter a valid 10-digit NPI" in response.content.decode()


@pytest.mark.parametrize("price", ["1500.00", "0.50"])
def test_admin_refuses_a_price_outside_1_to_1000_dollars(admin_client_logged_in, world, price):
    procedure = Procedure.objects.create(code="97140", label="Manual therapy, each 15 minutes")
    url = reverse("admin:providers_provider_add")
    data = provider_form_data(
        **{
            "prices-TOTAL_FORMS": "1",
            "prices-0-procedure": str(procedure.pk),
            "prices-0-cash_price": price,
        }
    )
    response = admin_client_logged_in.post(url, data)
    assert "Enter a cash price from $1.00 to $1,000.00." in response.content.decode()
    assert not Provider.objects.filter(npi=data["npi"]).exists()


def test_admin_warns_when_prices_are_not_in_region_order(admin_client_logged_in, world):
    codes = [
        Procedure.objects.create(code=code, label=code) for code in ("98940", "98941", "98942")
    ]
    prices = {"98940": "99.00", "98941": "40.00", "98942": "50.00"}
    data = provider_form_data(
        profession=Profession.CHIROPRACTOR,
        **{"prices-TOTAL_FORMS": "3"},
        **{f"prices-{i}-procedure": str(code.pk) for i, code in enumerate(codes)},
        **{f"prices-{i}-cash_price": prices[code.code] for i, code in enumerate(codes)},
    )
    url = reverse("admin:providers_provider_add")
    response = admin_client_logged_in.post(url, data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert [m for m in messages if "region order" in m] == [
        "Spinal manipulation prices are not in region order: 98940 (1-2 regions) is $99.00 "
        "but 98941 (3-4 regions) is $40.00. Check them with the provider."
    ]
    assert Provider.objects.get(npi=data["npi"]).prices.count() == 3  # saved all the same


def test_admin_warns_when_an_endorsement_is_not_recorded(admin_client_logged_in, world):
    PracticeActFactory(
        state="WA",
        profession=Profession.PHYSICAL_THERAPIST,
        spinal_manipulation=Scope.REQUIRES_ENDORSEMENT,
    )
    url = reverse("admin:providers_provider_add")
    data = provider_form_data(
        state="WA", offers_spinal_manipulation="on", **{"locations-0-zip_code": "98101"}
    )
    response = admin_client_logged_in.post(url, data, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("In WA, spinal thrust manipulation requires an endorsement" in m for m in messages)


def test_bulk_actions_verify_and_suspend(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_changelist")
    ids = [world["in_range"].pk, world["outside"].pk]
    admin_client_logged_in.post(url, {"action": "mark_verified", "_selected_action": ids})
    statuses = Provider.objects.filter(pk__in=ids).values_list("verification_status", flat=True)
    assert set(statuses) == {"verified"}
    assert Provider.objects.get(pk=ids[0]).last_verified is not None
    admin_client_logged_in.post(url, {"action": "suspend", "_selected_action": ids[:1]})
    assert Provider.objects.get(pk=ids[0]).verification_status == "suspended"
    assert stale_locations() == []  # queryset.update() sends no signals; the action refreshes


def test_csv_export_of_selected_providers(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_changelist")
    provider = world["in_range"]
    response = admin_client_logged_in.post(
        url, {"action": "export_csv", "_selected_action": [provider.pk]}
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == "npi,name,profession,services,status,city,state,zip_code"
    assert lines[1] == (
        f'{provider.npi},"{provider.display_name}",chiropractor,spinal_manipulation,'
        "pending,Austin,TX,78701"
    )


def test_practice_act_admin_requires_sources(admin_client_logged_in):
    url = reverse("admin:providers_practiceact_add")
    data = {
        "state": "CO",
        "profession": "chiropractor",
        "effective_from": "2027-01-01",
        "spinal_manipulation": "allowed",
        "extremity_manipulation": "unknown",
        "manipulation_under_anesthesia": "unknown",
        "direct_access": "unrestricted",
        "note": "New rule",
        "sources": "[]",
        "confidence": "H",
        "last_reviewed": "2026-11-27",
    }
    response = admin_client_logged_in.post(url, data)
    assert "Give at least one source URL" in response.content.decode()
    data["sources"] = '["https://example.org/co-act"]'
    assert admin_client_logged_in.post(url, data).status_code == 302


def test_curators_group_can_edit_listings_but_not_practice_acts():
    group = Group.objects.get(name=CURATORS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_provider", "add_providerprice", "view_practiceact"} <= codenames
    assert "change_practiceact" not in codenames
    assert "delete_provider" not in codenames


def test_curator_uploads_an_nppes_extract(admin_client_logged_in, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from devtools.nppes_testing import make_npi, provider_row, write_nppes_csv

    csv_path = tmp_path / "npidata_pfile_small.csv"
    write_nppes_csv(csv_path, [provider_row(make_npi("100000001")), {"NPI": "123"}])
    url = reverse("admin:providers_importrun_upload")
    assert admin_client_logged_in.get(url).status_code == 200
    upload = SimpleUploadedFile(csv_path.name, csv_path.read_bytes(), "text/csv")
    response = admin_client_logged_in.post(url, {"file": upload, "states": "tx"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0].startswith(
        "Imported npidata_pfile_small.csv: 2 rows read, 1 created, 0 updated, 0 unchanged"
    )
    assert Provider.objects.filter(npi=make_npi("100000001"), last_name="Smith").exists()
    run = ImportRun.objects.get()
    assert run.source_name == "npidata_pfile_small.csv"
    assert run.summary["created"] == 1
    changelist = admin_client_logged_in.get(reverse("admin:providers_importrun_changelist"))
    assert "Import an NPPES extract" in changelist.content.decode()


def test_nppes_upload_rejects_other_files_and_states(admin_client_logged_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:providers_importrun_upload")
    upload = SimpleUploadedFile("notes.txt", b"hello", "text/plain")
    body = admin_client_logged_in.post(url, {"file": upload, "states": "ZZ"}).content.decode()
    assert "Upload a .csv or .zip file from NPPES." in body
    assert "Unknown state codes: ZZ." in body


def zip_holding(name: str, data: bytes) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("contacts.csv", b"NPI,Phone\n1234567893,555\n", "Not an NPPES npidata file; missing"),
        ("broken.zip", b"not a zip", "Not an NPPES npidata file; missing"),
        # A header the csv module cannot read (a field past its size limit).
        ("huge.csv", b'"' + b"x" * 200_000, "Not an NPPES npidata file; unreadable header"),
        (
            "monthly.zip",
            zip_holding("readme.txt", b"hello"),
            "The zip holds no npidata_pfile_*.csv data file.",
        ),
    ],
)
def test_an_uploaded_file_that_is_not_nppes_is_refused_with_the_reason(
    admin_client_logged_in, name, data, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:providers_importrun_upload")
    response = admin_client_logged_in.post(url, {"file": SimpleUploadedFile(name, data)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Provider.objects.exists()
    run = ImportRun.objects.get()  # the attempt stays on record
    assert (run.source_name, run.status) == (name, ImportRun.Status.FAILED)


@pytest.mark.parametrize("key", ["abc", "-0.0", "9" * 30])
def test_a_hand_edited_procedure_or_plan_key_is_a_field_error(admin_client_logged_in, key):
    url = reverse("admin:providers_provider_add")
    data = provider_form_data(
        **{
            "prices-TOTAL_FORMS": "1",
            "prices-0-procedure": key,  # an autocomplete, re-shown with the value on error
            "prices-0-cash_price": "40.00",
            "insurance_plans": [key],
        }
    )

    response = admin_client_logged_in.post(url, data)

    assert response.status_code == 200  # the form again, as the admin shows one
    body = response.content.decode()
    assert "Select a valid choice." in body
    assert f"“{key}” is not a valid value." in body
    assert not Provider.objects.exists()


def test_procedure_professions_are_checkboxes_and_may_be_left_empty(admin_client_logged_in):
    procedure = Procedure.objects.create(
        code="97140", label="Manual therapy", professions=["physical_therapist"]
    )
    url = reverse("admin:providers_procedure_change", args=[procedure.pk])
    form = admin_client_logged_in.get(url).content.decode()
    assert 'type="checkbox" name="professions" value="chiropractor"' in form
    data = {
        "code": "97140",
        "label": "Manual therapy",
        "typical_price_low": "30",
        "typical_price_high": "50",
        "medicare_covered_for": ["physical_therapist"],
    }  # no profession ticked

    response = admin_client_logged_in.post(url, data)

    assert response.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.professions, procedure.medicare_covered_for) == ([], ["physical_therapist"])
    data["professions"] = ["chiropractor", "acupuncturist"]
    body = admin_client_logged_in.post(url, data).content.decode()
    assert "Select a valid choice. acupuncturist is not one of the available choices." in body


def test_a_curator_records_languages_telehealth_and_each_entrance(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_add")
    data = provider_form_data(
        languages=["es", "en"],
        offers_telehealth="true",
        **{"locations-0-wheelchair_accessible": "true", "locations-0-weekend_hours": "false"},
    )
    assert admin_client_logged_in.post(url, data).status_code == 302
    provider = Provider.objects.get(npi="1234567893")
    assert provider.languages == ["en", "es"]
    assert (provider.offers_telehealth, provider.telehealth_source) == (True, "curator")
    location = provider.locations.get()
    assert (location.wheelchair_accessible, location.evening_hours, location.weekend_hours) == (
        True, None, False,
    )  # fmt: skip
    assert location.search_languages == ",en,es,"
    assert stale_locations() == []


def test_admin_refuses_an_unknown_language_code(admin_client_logged_in, world):
    url = reverse("admin:providers_provider_add")
    response = admin_client_logged_in.post(url, provider_form_data(languages=["xx"]))
    assert response.status_code == 200
    assert not Provider.objects.filter(npi="1234567893").exists()
    assert "Select a valid choice. xx is not one of the available choices." in response.text
