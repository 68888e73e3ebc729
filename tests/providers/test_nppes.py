"""The NPPES importer: filters, cleaning, idempotent upserts, curator-owned data, the command."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from devtools.nppes_testing import (
    NPPES_COLUMNS,
    deactivated_row,
    generate_rows,
    make_npi,
    organization_row,
    provider_row,
    write_nppes_csv,
    zip_nppes_csv,
)
from providers import nppes
from providers.geo import zip_centroid
from providers.models import (
    ImportRun,
    InsurancePlan,
    License,
    PracticeLocation,
    Procedure,
    Profession,
    Provider,
    ProviderPrice,
    RecordSource,
    VerificationStatus,
)
from providers.nppes import import_file
from providers.nppes_parse import (
    NppesRecord,
    Skipped,
    format_phone,
    is_deactivated,
    proper_case,
    read_records,
    tidy_credential,
)

CHIRO = ("111N00000X", "Y", "TX", "DC1234")
PT = ("225100000X", "Y", "TX", "PT5678")


def npi(n: int) -> str:
    return make_npi(f"1{n:08d}")


def bad_npi(n: int) -> str:
    good = npi(n)
    return good[:9] + str((int(good[9]) + 1) % 10)


# (name, row): names let tests find a row's CSV line (header = line 1, first row = line 2).
SCENARIO: list[tuple[str, dict[str, str]]] = [
    ("chiro", provider_row(npi(1), first="MARY", last="O'NEIL-SMITH", credential="D.C.")),
    (
        "pt_secondary",
        provider_row(
            npi(2),
            first="ALAN",
            last="MCDONALD",
            credential="PT, D.P.T.",
            taxonomies=[("207Q00000X", "Y", "TX", "MD999"), ("2251X0800X", "N", "TX", "PT2")],
        ),
    ),
    ("pta", provider_row(npi(3), taxonomies=[("225200000X", "Y", "TX", "PTA3")])),
    ("organization", provider_row(npi(4), **organization_row(name="SPINE CENTER LLC"))),
    ("other_taxonomy", provider_row(npi(5), taxonomies=[("207Q00000X", "Y", "TX", "MD5")])),
    ("deactivated_blank", deactivated_row(npi(6), "03/01/2021")),
    ("deactivated", provider_row(npi(7), **{"NPI Deactivation Date": "03/01/2021"})),
    (
        "reactivated",
        provider_row(
            npi(8),
            last="BACK",
            **{"NPI Deactivation Date": "01/01/2020", "NPI Reactivation Date": "02/01/2020"},
        ),
    ),
    (
        "reactivated_earlier",
        provider_row(
            npi(9),
            **{"NPI Deactivation Date": "03/01/2021", "NPI Reactivation Date": "02/01/2020"},
        ),
    ),
    ("invalid_npi", provider_row(bad_npi(10))),
    ("no_city", provider_row(npi(11), address=("1 MAIN ST", "", "", "TX", "78701"))),
    ("no_state", provider_row(npi(12), address=("1 CALLE SOL", "", "SAN JUAN", "PR", "00901"))),
    ("bad_zip", provider_row(npi(13), address=("1 MAIN ST", "", "AUSTIN", "TX", "787"))),
    (
        "utf8",
        provider_row(
            npi(14),
            first="JOSÉ",
            last="NÚÑEZ",
            credential="DPT",
            taxonomies=[PT],
            address=("1200 NW 23RD AVE", "SUITE 5, BLDG A", "PORTLAND", "OR", "97210"),
            phone="(503) 555-0199 ext 4",
        ),
    ),
    ("duplicate_first", provider_row(npi(15), last="EARLIER")),
    (
        "both_professions",
        provider_row(
            npi(16),
            taxonomies=[("225100000X", "N", "CA", "PT16"), ("111NS0005X", "Y", "CA", "DC16")],
            address=("9 OCEAN AVE", "", "SAN FRANCISCO", "CA", "94112"),
        ),
    ),
    (
        "neither_primary",
        provider_row(
            npi(17),
            taxonomies=[("2251S0007X", "N", "CA", "PT17"), ("111N00000X", "N", "CA", "DC17")],
            address=("9 OCEAN AVE", "", "SAN FRANCISCO", "CA", "94112"),
        ),
    ),
    ("long_name", provider_row(npi(18), last="X" * 300)),
    ("duplicate_later", provider_row(npi(15), last="LATER")),
    ("long_credential", provider_row(npi(19), credential="D" * 50)),
    ("last_good", provider_row(npi(20), first="ZOE", last="LEE", credential="dc")),
]
LINE = {name: index + 2 for index, (name, _row) in enumerate(SCENARIO)}
KEPT_NPIS = {npi(n) for n in (1, 2, 8, 14, 15, 16, 17, 20)}


def write_scenario(path: Path) -> Path:
    write_nppes_csv(path, [row for _name, row in SCENARIO])
    return path


@pytest.fixture
def scenario_csv(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "npidata_pfile_20050523-20250608.csv")


# --- Pure helpers ------------------------------------------------------------------------


def test_make_npi_matches_the_cms_worked_example() -> None:
    assert make_npi("123456789") == "1234567893"


def test_the_header_is_the_real_nppes_layout() -> None:
    assert len(NPPES_COLUMNS) == 330
    assert NPPES_COLUMNS[:3] == ["NPI", "Entity Type Code", "Replacement NPI"]
    assert NPPES_COLUMNS.index(
        "Provider First Line Business Mailing Address"
    ) < NPPES_COLUMNS.index("Provider First Line Business Practice Location Address")
    for n in range(1, 16):
        assert f"Healthcare Provider Taxonomy Code_{n}" in NPPES_COLUMNS
        assert f"Provider License Number State Code_{n}" in NPPES_COLUMNS
        assert f"Healthcare Provider Taxonomy Group_{n}" in NPPES_COLUMNS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MARY O'NEIL-SMITH", "Mary O'Neil-Smith"),
        ("MCDONALD", "McDonald"),
        ("MACHADO", "Machado"),
        ("  JOSÉ   NÚÑEZ ", "José Núñez"),
        ("DeVries", "DeVries"),
        ("", ""),
    ],
)
def test_proper_case(raw: str, expected: str) -> None:
    assert proper_case(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("D.C.", "DC"), ("PT, D.P.T.", "PT, DPT"), ("pt;dpt", "PT, DPT"), ("PhD", "PhD"), ("", "")],
)
def test_tidy_credential(raw: str, expected: str) -> None:
    assert tidy_credential(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5125550100", "512-555-0100"),
        ("1-512-555-0100", "512-555-0100"),
        ("555-0100", "555-0100"),
        ("5125550100 ext 12345678", ""),
    ],
)
def test_format_phone(raw: str, expected: str) -> None:
    assert format_phone(raw) == expected


def test_is_deactivated_unless_reactivated_on_or_after() -> None:
    assert is_deactivated("03/01/2021", "")
    assert is_deactivated("03/01/2021", "02/01/2020")
    assert not is_deactivated("03/01/2021", "03/01/2021")
    assert not is_deactivated("", "")


def test_generated_rows_are_a_realistic_mix(tmp_path: Path) -> None:
    path = tmp_path / "generated.csv"
    write_nppes_csv(path, generate_rows(600, seed=3))
    outcomes = [outcome for _line, outcome in read_records(path)]
    kept = [outcome for outcome in outcomes if isinstance(outcome, NppesRecord)]
    reasons = {outcome.reason for outcome in outcomes if isinstance(outcome, Skipped)}
    assert 0.5 < len(kept) / len(outcomes) < 0.75
    assert {"organization", "other_taxonomy", "deactivated", "invalid_npi"} <= reasons
    assert {record.profession for record in kept} == set(Profession.values)


# --- Importing ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_chiropractors_and_pts_and_counts_every_skip_reason(scenario_csv: Path) -> None:
    summary = import_file(scenario_csv, batch_size=5)

    assert set(Provider.objects.values_list("npi", flat=True)) == KEPT_NPIS
    # batch_size=5 puts the duplicate NPI's later row in the next batch: it updates the first.
    assert (summary.rows_read, summary.created, summary.updated, summary.unchanged) == (
        len(SCENARIO),
        8,
        1,
        0,
    )
    assert summary.skipped == {
        "organization": 1,
        "other_taxonomy": 2,  # an MD and a PT assistant (2252)
        "deactivated": 3,
        "invalid_npi": 1,
        "no_practice_location": 3,
        "error": 2,
    }
    assert summary.errors == [
        (LINE["long_name"], "last name is 300 characters; the limit is 100"),
        (LINE["long_credential"], "credential is 50 characters; the limit is 40"),
    ]
    assert summary.rows_per_second > 0 and summary.providers_per_second > 0


@pytest.mark.django_db
def test_it_uses_the_practice_address_not_the_mailing_address(scenario_csv: Path) -> None:
    import_file(scenario_csv)

    provider = Provider.objects.get(npi=npi(1))
    assert (provider.first_name, provider.last_name, provider.credential) == (
        "Mary",
        "O'Neil-Smith",
        "DC",
    )
    assert provider.profession == Profession.CHIROPRACTOR
    assert provider.verification_status == VerificationStatus.PENDING
    assert provider.services == []
    location = provider.locations.get()
    assert (location.address_line1, location.city, location.state, location.zip_code) == (
        "100 Congress Ave",
        "Austin",
        "TX",
        "78701",  # from the ZIP+4 787011234
    )
    assert location.phone == "512-555-0100"
    assert location.source == RecordSource.NPPES
    assert (location.latitude, location.longitude) == zip_centroid("78701")
    assert list(provider.licenses.values_list("state", "number", "source")) == [
        ("TX", "DC1234", "nppes")
    ]


@pytest.mark.django_db
def test_it_keeps_a_pt_listed_under_a_secondary_taxonomy(scenario_csv: Path) -> None:
    import_file(scenario_csv)

    provider = Provider.objects.get(npi=npi(2))
    assert provider.profession == Profession.PHYSICAL_THERAPIST
    assert (provider.last_name, provider.credential) == ("McDonald", "PT, DPT")
    # Only the license listed with the PT taxonomy, not the MD one.
    assert list(provider.licenses.values_list("number", flat=True)) == ["PT2"]
    assert provider.specialty_codes == ["2251X0800X"]  # orthopedic; the MD code is not a PT's
    chiropractor = Provider.objects.get(npi=npi(1))
    assert chiropractor.specialty_codes == []  # only the profession's own code


@pytest.mark.django_db
def test_it_prefers_the_primary_profession_when_both_appear(scenario_csv: Path) -> None:
    import_file(scenario_csv)

    both = Provider.objects.get(npi=npi(16))
    assert both.profession == Profession.CHIROPRACTOR
    assert list(both.licenses.values_list("number", flat=True)) == ["DC16"]
    neither_primary = Provider.objects.get(npi=npi(17))
    assert neither_primary.profession == Profession.PHYSICAL_THERAPIST  # the first listed
    assert list(neither_primary.licenses.values_list("number", flat=True)) == ["PT17"]


@pytest.mark.django_db
def test_it_reads_quoted_commas_and_utf8(scenario_csv: Path) -> None:
    import_file(scenario_csv)

    provider = Provider.objects.get(npi=npi(14))
    assert (provider.first_name, provider.last_name) == ("José", "Núñez")
    location = provider.locations.get()
    assert (location.address_line1, location.address_line2, location.city) == (
        "1200 NW 23rd Ave",
        "Suite 5, Bldg A",
        "Portland",
    )
    assert location.phone == "(503) 555-0199 ext 4"


@pytest.mark.django_db
def test_a_later_row_for_the_same_npi_wins(scenario_csv: Path) -> None:
    # batch_size=2 puts the two rows in different batches; the default puts them in one.
    for batch_size in (2, 1000):
        Provider.objects.all().delete()
        import_file(scenario_csv, batch_size=batch_size)
        assert Provider.objects.get(npi=npi(15)).last_name == "Later"


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(scenario_csv: Path) -> None:
    import_file(scenario_csv)
    before = list(PracticeLocation.objects.values_list("id", flat=True))

    summary = import_file(scenario_csv)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 8)
    assert list(PracticeLocation.objects.values_list("id", flat=True)) == before


@pytest.mark.django_db
def test_a_newer_file_updates_nppes_data_and_keeps_curator_owned_data(tmp_path: Path) -> None:
    import_file(write_nppes_csv_at(tmp_path / "old.csv", [provider_row(npi(1))]))
    provider = Provider.objects.get(npi=npi(1))
    plan = InsurancePlan.objects.create(
        slug="aetna-ppo", name="Aetna PPO", payer="Aetna", kind="commercial"
    )
    procedure = Procedure.objects.create(code="98940", label="Spinal manipulation, 1-2 regions")
    Provider.objects.filter(pk=provider.pk).update(
        offers_spinal_manipulation=True,
        verification_status=VerificationStatus.VERIFIED,
        last_verified=date(2025, 1, 2),
        accepting_new_patients=False,
        curator_notes="Called the clinic.",
        spinal_manipulation_endorsed=True,
    )
    provider.insurance_plans.add(plan)
    ProviderPrice.objects.create(provider=provider, procedure=procedure, cash_price=Decimal("55"))
    curator_location = PracticeLocation.objects.create(
        provider=provider, address_line1="5 Side St", city="Austin", state="TX", zip_code="78702"
    )
    License.objects.create(provider=provider, state="OK", number="C-9", source="curator")

    newer = provider_row(
        npi(1),
        first="JOHN",
        last="SMITH-JONES",
        address=("200 LAMAR BLVD", "", "AUSTIN", "TX", "78703"),
        taxonomies=[("111N00000X", "Y", "TX", "DC7777")],
    )
    summary = import_file(write_nppes_csv_at(tmp_path / "new.csv", [newer]))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    provider.refresh_from_db()
    assert provider.last_name == "Smith-Jones"
    assert provider.offers_spinal_manipulation and provider.spinal_manipulation_endorsed
    assert provider.verification_status == VerificationStatus.VERIFIED
    assert provider.last_verified == date(2025, 1, 2)
    assert not provider.accepting_new_patients
    assert provider.curator_notes == "Called the clinic."
    assert list(provider.insurance_plans.all()) == [plan]
    assert provider.prices.get().cash_price == Decimal("55")
    locations = {(loc.address_line1, loc.source) for loc in provider.locations.all()}
    assert locations == {("200 Lamar Blvd", "nppes"), ("5 Side St", "curator")}
    assert PracticeLocation.objects.filter(pk=curator_location.pk).exists()
    licenses = set(provider.licenses.values_list("state", "number", "source"))
    assert licenses == {("TX", "DC7777", "nppes"), ("OK", "C-9", "curator")}


def write_nppes_csv_at(path: Path, rows: list[dict[str, str]]) -> Path:
    write_nppes_csv(path, rows)
    return path


@pytest.mark.django_db
def test_a_row_the_database_refuses_loses_only_that_row(
    scenario_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = nppes._location_kwargs

    def location_kwargs(plan: nppes._Plan) -> dict[str, object]:
        kwargs = original(plan)
        if plan.record.npi == npi(14):
            kwargs["address_line1"] = None  # NOT NULL: the database rejects the whole batch
        return kwargs

    monkeypatch.setattr(nppes, "_location_kwargs", location_kwargs)

    summary = import_file(scenario_csv, batch_size=1000)

    assert set(Provider.objects.values_list("npi", flat=True)) == KEPT_NPIS - {npi(14)}
    assert summary.created == 7
    line, reason = summary.errors[-1]
    assert line == LINE["utf8"] and reason.startswith("not saved: IntegrityError")


@pytest.mark.django_db
def test_an_interrupted_import_keeps_whole_batches_and_is_safe_to_rerun(
    scenario_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = nppes.write_batch
    calls = []

    def interrupted(*args: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(nppes, "write_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_file(scenario_csv, batch_size=3)
    assert Provider.objects.count() == 3  # the first batch, whole
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED

    monkeypatch.setattr(nppes, "write_batch", original)
    summary = import_file(scenario_csv, batch_size=3)

    assert set(Provider.objects.values_list("npi", flat=True)) == KEPT_NPIS
    assert (summary.created, summary.unchanged) == (5, 3)
    assert PracticeLocation.objects.count() == len(KEPT_NPIS)


@pytest.mark.django_db
def test_a_batch_larger_than_one_query_chunk(
    scenario_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nppes, "IN_CHUNK", 3)
    import_file(scenario_csv)
    address = ("1 NEW ST", "", "AUSTIN", "TX", "78701")
    moved = [provider_row(npi(n), address=address) for n in (1, 8, 15, 20)]

    summary = import_file(write_nppes_csv_at(scenario_csv.parent / "moved.csv", moved))

    assert summary.updated == 4
    moved_to = PracticeLocation.objects.filter(address_line1="1 New St")
    assert set(moved_to.values_list("provider__npi", flat=True)) == {npi(n) for n in (1, 8, 15, 20)}
    assert PracticeLocation.objects.count() == len(KEPT_NPIS)


@pytest.mark.django_db
def test_state_filter_and_limit(scenario_csv: Path) -> None:
    summary = import_file(scenario_csv, states={"ca"})
    assert set(Provider.objects.values_list("npi", flat=True)) == {npi(16), npi(17)}
    # Every row practising elsewhere in the US, whatever else is wrong with it.
    assert summary.skipped["state_filter"] == 11

    limited = import_file(scenario_csv, limit=3)
    assert limited.rows_read == 3
    assert Provider.objects.count() == 4  # + the chiropractor and the PT of rows 1-2


@pytest.mark.django_db
def test_it_reads_the_monthly_zip(scenario_csv: Path, tmp_path: Path) -> None:
    archive = tmp_path / "NPPES_Data_Dissemination_June_2025.zip"
    zip_nppes_csv(scenario_csv, archive)

    summary = import_file(archive)

    assert summary.created == 8
    assert set(Provider.objects.values_list("npi", flat=True)) == KEPT_NPIS


@pytest.mark.django_db
def test_it_records_an_import_run(scenario_csv: Path) -> None:
    import_file(scenario_csv)

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FINISHED and run.finished_at is not None
    assert run.source_name == scenario_csv.name
    assert run.summary["created"] == 8
    assert [line for line, _reason in run.summary["errors"]] == [
        LINE["long_name"],
        LINE["long_credential"],
    ]


@pytest.mark.django_db
def test_a_file_that_is_not_nppes_fails_the_run(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")

    with pytest.raises(ValueError, match="Not an NPPES"):
        import_file(path)

    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


# --- The management command --------------------------------------------------------------


@pytest.mark.django_db
def test_import_nppes_command_prints_the_summary(scenario_csv: Path) -> None:
    out = io.StringIO()
    call_command("import_nppes", str(scenario_csv), "--batch-size", "4", stdout=out)

    text = out.getvalue()
    assert f"rows read:  {len(SCENARIO)}" in text
    assert "created:    8" in text
    assert "no_practice_location: 3" in text
    assert f"line {LINE['long_name']}: last name is 300 characters" in text
    assert "providers/s" in text


@pytest.mark.django_db
def test_import_nppes_command_prints_progress(
    scenario_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.management import progress

    monkeypatch.setattr(nppes, "PROGRESS_EVERY_ROWS", 10)
    monkeypatch.setattr(progress, "PROGRESS_SECONDS", 0)
    out = io.StringIO()
    call_command("import_nppes", str(scenario_csv), stdout=out)

    assert "  10 rows read (" in out.getvalue()
    assert "rows/s)" in out.getvalue()


@pytest.mark.django_db
def test_import_nppes_command_filters_states_and_limits_rows(scenario_csv: Path) -> None:
    out = io.StringIO()
    args = ["--state", "or", "CA", "--limit", "16"]
    call_command("import_nppes", str(scenario_csv), *args, stdout=out)

    assert set(Provider.objects.values_list("npi", flat=True)) == {npi(14), npi(16)}
    assert "rows read:  16" in out.getvalue()


@pytest.mark.django_db
def test_import_nppes_command_rejects_bad_arguments(tmp_path: Path, scenario_csv: Path) -> None:
    with pytest.raises(CommandError, match="Unknown state"):
        call_command("import_nppes", str(scenario_csv), "--state", "XX")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_nppes", str(tmp_path / "missing.csv"))
