"""import_medicare_clinicians: Medicare assignment from the Doctors and Clinicians file."""

import zipfile
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from devtools.medicare_testing import DAC_HEADER, dac_row, other_clinicians, write_dac_csv
from finder.search import Origin, SearchFilters, search_providers
from providers.models import (
    ImportRun,
    InsurancePlan,
    MedicareAssignment,
    MedicareParticipation,
    PlanAcceptance,
    PracticeLocation,
    Provider,
    TelehealthSource,
)
from tests.factories import PracticeLocationFactory, ProviderFactory

Source = MedicareParticipation.Source


@pytest.fixture
def listings(reference_data):
    """Three listings: one at two addresses, one at one, one with no Medicare rows at all."""
    two_offices = PracticeLocationFactory(provider__last_name="Two").provider
    PracticeLocationFactory(
        provider=two_offices, address_line1="2 Main St.", city="Round Rock", zip_code="78664"
    )
    one_office = PracticeLocationFactory(
        provider__last_name="One", address_line1="9 Oak Rd", zip_code="78702"
    ).provider
    absent = PracticeLocationFactory(provider__last_name="Absent").provider
    return two_offices, one_office, absent


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_medicare_clinicians", str(path), *args, stdout=out)
    return out.getvalue()


def recorded() -> list[tuple]:
    return list(
        MedicareParticipation.objects.order_by(
            "provider__last_name", F("location_id").asc(nulls_first=True)
        ).values_list(
            "provider__last_name", "location__address_line1", "assignment", "telehealth", "source",
            "as_of",
        )
    )  # fmt: skip


def dac_file(tmp_path: Path, two_offices: Provider, one_office: Provider) -> Path:
    path = tmp_path / "DAC_NationalDownloadableFile.csv"
    write_dac_csv(
        path,
        [
            *other_clinicians(3, seed=7),
            # Y at one address, M at the other: non-participating as a whole.
            dac_row(two_offices.npi, street="100 CONGRESS AVE", zip_code="787010000"),
            dac_row(two_offices.npi, street="2 MAIN ST", zip_code="78664", assignment="M"),
            dac_row(one_office.npi, street="9 OAK RD", zip_code="78702", telehealth="Y"),
            # The same clinician in a second group at an address the listing does not have.
            dac_row(one_office.npi, street="500 ELSEWHERE BLVD", zip_code="78705"),
            *other_clinicians(2, seed=8),
        ],
    )
    return path


def test_it_records_assignment_per_provider_and_matching_address(listings, tmp_path):
    two_offices, one_office, absent = listings
    path = dac_file(tmp_path, two_offices, one_office)

    output = run(path, "--as-of", "2026-11-01")

    as_of = date(2026, 11, 1)
    assert recorded() == [
        ("One", None, "participating", True, "medicare_file", as_of),
        ("One", "9 Oak Rd", "participating", True, "medicare_file", as_of),
        ("Two", None, "non_participating", False, "medicare_file", as_of),
        ("Two", "100 Congress Ave", "participating", False, "medicare_file", as_of),
        ("Two", "2 Main St.", "non_participating", False, "medicare_file", as_of),
    ]
    # A participating provider's listing accepts Original Medicare; no one else gains it.
    assert list(one_office.insurance_plans.values_list("slug", flat=True)) == ["medicare"]
    assert not two_offices.insurance_plans.exists()
    assert not absent.insurance_plans.exists()
    assert PracticeLocation.objects.filter(provider=one_office, search_plans__contains=",").exists()
    assert output.splitlines()[2:] == [
        "  file date:        2026-11-01",
        "  rows read:        9",
        "  rows of listings: 4",
        "    skipped, not_listed: 5",
        "  providers: 2 (non_participating 1, participating 1)",
        "  locations: 3 (non_participating 1, participating 2)",
        "  offering telehealth: 1",
        "  telehealth no longer flagged (now unknown): 0",
        "  kept curators' records: 0",
        "  providers no longer in the file: 0",
        "  listings given Original Medicare: 1",
        "  listings no longer shown taking it: 0",
        output.splitlines()[-1],
    ]
    assert list(
        PlanAcceptance.objects.values_list(
            "provider__last_name", "plan__slug", "source", "source_file", "file_date", "ended_on"
        )
    ) == [("One", "medicare", "medicare_file", path.name, date(2026, 11, 1), None)]
    import_run = ImportRun.objects.get()
    assert (import_run.source_name, import_run.status) == (path.name, "finished")
    assert import_run.summary["providers"] == {"non_participating": 1, "participating": 1}


def test_a_rerun_replaces_the_files_records_and_keeps_a_curators(listings, tmp_path):
    two_offices, one_office, _absent = listings
    run(dac_file(tmp_path, two_offices, one_office))
    MedicareParticipation.objects.filter(provider=two_offices, location=None).update(
        source=Source.CURATOR, assignment=MedicareAssignment.PARTICIPATING
    )
    later = tmp_path / "later.csv"
    write_dac_csv(later, [dac_row(two_offices.npi, assignment="M")])

    output = run(later, "--as-of", "2026-12-01")

    as_of = date(2026, 12, 1)
    assert [row[:5] for row in recorded()] == [
        ("Two", None, "participating", False, "curator"),
        ("Two", "100 Congress Ave", "non_participating", False, "medicare_file"),
    ]
    assert MedicareParticipation.objects.get(source=Source.MEDICARE_FILE).as_of == as_of
    assert "  kept curators' records: 1" in output
    assert "  providers no longer in the file: 1" in output


def test_it_matches_headers_ignoring_case_spaces_underscores_and_slashes(listings, tmp_path):
    two_offices, _one_office, _absent = listings
    path = tmp_path / "dac.csv"
    header = ",".join(name.upper().replace("_", " ").replace("/", "_") for name in DAC_HEADER)
    values = dac_row(two_offices.npi)
    path.write_text(
        header + "\n" + ",".join(values.get(name, "") for name in DAC_HEADER) + "\n",
        encoding="utf-8",
    )

    run(path)

    assert MedicareParticipation.objects.get(location=None).assignment == "participating"


def test_it_reads_the_csv_from_a_zip(listings, tmp_path):
    two_offices, one_office, _absent = listings
    archive_path = tmp_path / "dac.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.write(
            dac_file(tmp_path, two_offices, one_office), "DAC_NationalDownloadableFile.csv"
        )

    run(archive_path, "--as-of", "2026-11-01")

    assert len(recorded()) == 5


def test_it_refuses_a_file_without_the_columns_it_needs(listings, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("NPI,Provider Last Name,assignment\n1234567893,DOE,Y\n", encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        run(path)

    assert str(caught.value) == (
        "Not a Doctors and Clinicians file: no column for ind_assgn, Telehlth, adr_ln_1, "
        "ZIP Code. Nothing was imported."
    )
    assert not MedicareParticipation.objects.exists()
    assert ImportRun.objects.get().status == "failed"


def test_it_refuses_a_bad_date(tmp_path):
    with pytest.raises(CommandError, match="--as-of must be a date like 2026-11-01, not 'soon'"):
        run(Path(__file__), "--as-of", "soon")


def test_a_demo_listing_is_matched_by_npi_too(reference_data, tmp_path):
    demo = ProviderFactory(is_demo=True)
    path = tmp_path / "dac.csv"
    write_dac_csv(path, [dac_row(demo.npi)])
    run(path)
    assert MedicareParticipation.objects.get().provider == demo


def test_a_quoted_line_break_does_not_split_a_record(listings, tmp_path):
    two_offices, one_office, _absent = listings
    path = tmp_path / "dac.csv"
    write_dac_csv(
        path,
        [
            {**dac_row("1234567893"), "Facility Name": "Spine\nCenter"},
            {**dac_row(one_office.npi, assignment="M"), "Facility Name": 'The "Back"\nShop'},
            dac_row(two_offices.npi),
        ],
    )

    output = run(path)

    assert "  rows read:        3" in output
    assert sorted(
        MedicareParticipation.objects.filter(location=None).values_list(
            "provider__last_name", "assignment"
        )
    ) == [("One", "non_participating"), ("Two", "participating")]


def test_the_telehealth_flag_answers_the_listing_unless_a_person_did(listings, tmp_path):
    two_offices, one_office, absent = listings
    absent.offers_telehealth, absent.telehealth_source = False, TelehealthSource.CURATOR
    absent.save()
    path = tmp_path / "dac.csv"
    write_dac_csv(
        path,
        [
            dac_row(one_office.npi, street="9 OAK RD", zip_code="78702", telehealth="Y"),
            dac_row(absent.npi, telehealth="Y"),  # the curator's "no" stands
            dac_row(two_offices.npi),
        ],
    )
    run(path)

    def answers():
        return {
            provider.last_name: (provider.offers_telehealth, provider.telehealth_source)
            for provider in Provider.objects.all()
        }

    assert answers() == {
        "One": (True, TelehealthSource.MEDICARE_FILE),
        "Absent": (False, TelehealthSource.CURATOR),
        "Two": (None, ""),  # blank is "not flagged", not "no"
    }
    austin, telehealth = Origin(30.2672, -97.7431, "Austin"), SearchFilters(telehealth=True)

    def found() -> list[str]:
        result = search_providers(origin=austin, filters=telehealth)
        return [hit.provider.last_name for hit in result.hits]

    assert found() == ["One"]

    # The next file no longer flags it: back to unknown, and out of a telehealth search.
    write_dac_csv(path, [dac_row(one_office.npi, street="9 OAK RD", zip_code="78702")])
    assert "telehealth no longer flagged (now unknown): 1" in run(path)
    assert answers()["One"] == (None, "")
    assert found() == []


def test_a_later_file_ends_the_medicare_evidence_and_keeps_a_curators_link(listings, tmp_path):
    two_offices, one_office, absent = listings
    medicare = InsurancePlan.objects.get(slug="medicare")
    absent.insurance_plans.add(medicare)  # a curator's word, with no evidence row
    november = tmp_path / "nov.csv"
    write_dac_csv(november, [dac_row(one_office.npi), dac_row(absent.npi)])
    run(november, "--as-of", "2026-11-01")
    december = tmp_path / "dec.csv"
    write_dac_csv(december, [dac_row(one_office.npi, assignment="M"), dac_row(two_offices.npi)])

    output = run(december, "--as-of", "2026-12-01")

    today = timezone.localdate()
    assert sorted(
        PlanAcceptance.objects.values_list(
            "provider__last_name", "source", "source_file", "file_date", "ended_on"
        )
    ) == [
        ("Absent", "curator", "", None, None),
        ("Absent", "medicare_file", "nov.csv", date(2026, 11, 1), today),
        ("One", "medicare_file", "nov.csv", date(2026, 11, 1), today),
        ("Two", "medicare_file", "dec.csv", date(2026, 12, 1), None),
    ]
    linked = set(medicare.providers.values_list("last_name", flat=True))
    assert linked == {"Absent", "Two"}  # One is non-participating now; the curator kept Absent
    assert "  listings given Original Medicare: 1" in output
    assert "  listings no longer shown taking it: 1" in output


def test_the_api_shows_medicare_from_the_file_with_its_date(client, listings, tmp_path):
    _two_offices, one_office, _absent = listings
    path = tmp_path / "dac.csv"
    write_dac_csv(path, [dac_row(one_office.npi)])
    run(path, "--as-of", "2026-11-01")

    detail = client.get(f"/api/v1/providers/{one_office.id}/").json()

    assert detail["medicare_assignment"] == "participating"
    assert detail["insurance_plans"] == [
        {"slug": "medicare", "name": "Original Medicare (Part B)", "kind": "medicare",
         "source": "medicare_file", "as_of": "2026-11-01"},
    ]  # fmt: skip
