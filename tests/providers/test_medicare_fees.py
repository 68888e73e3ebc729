"""import_medicare_fees: the CMS PFALL and ZIP5 files, stored rows and refusals, exactly."""

import zipfile
from decimal import Decimal as D
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from providers.models import ImportRun, MedicareFee, MedicareLocality, MedicareZip

FILES = Path(__file__).parent / "medicare_files"
PFALL = FILES / "PFALL26A.TXT"
ZIP5 = FILES / "ZIP5_JAN2026.txt"


def run(*paths: Path) -> str:
    out = StringIO()
    call_command("import_medicare_fees", *(str(p) for p in paths), stdout=out)
    return out.getvalue()


def fee_rows() -> list[tuple]:
    return list(
        MedicareFee.objects.order_by("locality__carrier", "locality__locality", "code").values_list(
            "year",
            "locality__carrier",
            "locality__locality",
            "code",
            "non_facility_amount",
            "facility_amount",
            "therapy_reduction_amount",
            "status",
        )
    )


def copy_with(tmp_path: Path, source: Path, old: str, new: str, name: str | None = None) -> Path:
    text = source.read_bytes().decode("latin-1")
    assert old in text
    target = tmp_path / (name or source.name)
    target.write_bytes(text.replace(old, new, 1).encode("latin-1"))
    return target


EXPECTED_FEES = [
    (2026, "04412", "31", "97110", D("29.35"), D("25.62"), D("23.41"), "A"),
    (2026, "04412", "31", "97140", D("28.04"), D("23.33"), D("22.49"), "A"),
    (2026, "04412", "31", "98940", D("26.95"), D("21.07"), None, "A"),
    (2026, "04412", "31", "98941", D("38.74"), D("30.90"), None, "A"),
    (2026, "13202", "01", "97110", D("34.15"), D("29.80"), D("27.05"), "A"),
    (2026, "13202", "01", "97112", D("38.02"), D("33.10"), D("30.11"), "A"),
    (2026, "13202", "01", "97140", D("32.86"), D("27.15"), D("26.40"), "A"),
    (2026, "13202", "01", "97530", D("40.63"), D("35.62"), D("32.52"), "A"),
    (2026, "13202", "01", "98940", D("31.45"), D("24.30"), None, "A"),
    (2026, "13202", "01", "98941", D("45.21"), D("35.88"), None, "A"),
    (2026, "13202", "01", "98942", D("58.60"), D("47.02"), None, "A"),
    (2026, "13202", "99", "97110", D("28.71"), D("25.04"), D("22.93"), "A"),
    (2026, "13202", "99", "97140", D("27.46"), D("22.80"), D("22.02"), "A"),
    (2026, "13202", "99", "98940", D("26.18"), D("20.49"), None, "A"),
    (2026, "13202", "99", "98941", D("37.66"), D("30.01"), None, "A"),
]


def test_it_stores_the_carried_codes_by_locality_and_the_zip_map(reference_data):
    output = run(PFALL, ZIP5)

    assert fee_rows() == EXPECTED_FEES
    assert list(
        MedicareZip.objects.values_list(
            "zip_code",
            "state",
            "locality__carrier",
            "locality__locality",
            "rural",
            "split_by_plus4",
            "effective",
        )
    ) == [
        ("10001", "NY", "13202", "01", "", True, "20261"),
        ("10036", "NY", "13202", "01", "", False, "20261"),
        ("12720", "NY", "13202", "99", "R", False, "20261"),
        ("14850", "NY", "13202", "99", "", False, "20261"),
        ("78610", "TX", "04412", "31", "R", True, "20261"),
        ("78701", "TX", "04412", "31", "", False, "20261"),
        ("79855", "TX", "04412", "99", "B", False, "20261"),
    ]
    assert list(MedicareLocality.objects.values_list("carrier", "locality", "state", "name")) == [
        ("04412", "31", "TX", ""),
        ("04412", "99", "TX", ""),
        ("13202", "01", "NY", ""),
        ("13202", "99", "NY", ""),
    ]
    assert output.splitlines()[2:] == [
        "  year:                2026",
        "  fee rows read:       21",
        "  amounts stored:      15 (replacing 0)",
        "    skipped, modifier: 1",
        "    skipped, not_paid_status: 3",
        "    skipped, other_code: 2",
        "  ZIP codes stored:    7 (2 split by ZIP+4)",
        "  localities:          4 (4 new)",
        "  codes without a paid amount: 98925, 98926, 98927, 98928, 98929, 98943",
        output.splitlines()[-1],
    ]
    assert output.splitlines()[-1].startswith("  speed: ")
    import_run = ImportRun.objects.get()
    assert import_run.source_name == "PFALL26A.TXT + ZIP5_JAN2026.txt"
    assert import_run.status == ImportRun.Status.FINISHED
    summary = {
        k: v
        for k, v in import_run.summary.items()
        if k not in ("elapsed_seconds", "rows_per_second")
    }
    assert summary == {
        "kind": "medicare_fees",
        "year": 2026,
        "fee_rows_read": 21,
        "fees": 15,
        "fees_replaced": 0,
        "fees_skipped": {"modifier": 1, "not_paid_status": 3, "other_code": 2},
        "zip_rows_read": 7,
        "zips": 7,
        "split_zips": 2,
        "localities": 4,
        "localities_created": 4,
        "codes_missing": ["98925", "98926", "98927", "98928", "98929", "98943"],
    }


def test_a_rerun_replaces_the_years_rows_and_keeps_curators_locality_names(reference_data):
    run(PFALL, ZIP5)
    MedicareLocality.objects.filter(carrier="13202", locality="01").update(name="Manhattan, NY")
    first_ids = set(MedicareFee.objects.values_list("id", flat=True))

    output = run(PFALL, ZIP5)

    assert fee_rows() == EXPECTED_FEES
    assert not first_ids & set(MedicareFee.objects.values_list("id", flat=True))
    assert "  amounts stored:      15 (replacing 15)" in output
    assert "  localities:          4 (0 new)" in output
    assert MedicareLocality.objects.get(carrier="13202", locality="01").name == "Manhattan, NY"
    assert MedicareZip.objects.count() == 7


def test_a_revision_file_replaces_the_year_whole(reference_data, tmp_path):
    run(PFALL, ZIP5)
    revision = copy_with(
        tmp_path, PFALL, '"0000031.45","0000024.30"', '"0000031.99","0000024.30"', "PFREV26B.TXT"
    )
    lines = revision.read_text(encoding="latin-1").splitlines(keepends=True)
    # The revision no longer lists Austin's 98941.
    revision.write_text(
        "".join(line for line in lines if '"04412","31","98941"' not in line), encoding="latin-1"
    )

    run(revision, ZIP5)

    expected = [row for row in EXPECTED_FEES if row[1:4] != ("04412", "31", "98941")]
    expected[7] = (2026, "13202", "01", "98940", D("31.99"), D("24.30"), None, "A")
    assert fee_rows() == expected


def test_it_reads_both_files_from_their_zips(reference_data, tmp_path):
    pfall_zip, zip5_zip = tmp_path / "PFALL26A.ZIP", tmp_path / "zipcode-jan2026.zip"
    with zipfile.ZipFile(pfall_zip, "w") as archive:
        archive.writestr("PF26PD.pdf", b"%PDF")
        archive.write(PFALL, "PFALL26A.TXT")
    with zipfile.ZipFile(zip5_zip, "w") as archive:
        archive.writestr("ZIP5lyout.txt", "layout")
        archive.write(ZIP5, "ZIP5_JAN2026.txt")

    run(pfall_zip, zip5_zip)

    assert fee_rows() == EXPECTED_FEES
    assert MedicareZip.objects.count() == 7


def assert_refused(*paths: Path, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        run(*paths)
    assert str(caught.value) == f"{message} Nothing was imported."
    assert not MedicareFee.objects.exists()
    assert not MedicareZip.objects.exists()
    assert not MedicareLocality.objects.exists()
    import_run = ImportRun.objects.get()
    assert (import_run.status, import_run.summary["failure"]) == ("failed", message)


def test_it_refuses_a_bad_amount_naming_the_line_and_field(reference_data, tmp_path):
    bad = copy_with(tmp_path, PFALL, '"0000032.86"', '"00000 2.86"')
    assert_refused(
        bad,
        ZIP5,
        message="PFALL26A.TXT line 5, field 6 (non-facility fee schedule amount): '00000 2.86' "
        "is not an amount like 0000026.72.",
    )


def test_it_refuses_a_bad_amount_even_on_a_row_it_would_skip(reference_data, tmp_path):
    bad = copy_with(tmp_path, PFALL, '"0000012.40","0000012.40"', '"0000012.40","12,40"')
    assert_refused(
        bad,
        ZIP5,
        message="PFALL26A.TXT line 2, field 7 (facility fee schedule amount): '12,40' is not an "
        "amount like 0000026.72.",
    )


def test_it_refuses_a_record_with_missing_fields(reference_data, tmp_path):
    bad = copy_with(
        tmp_path,
        PFALL,
        ',"0000000.00","0000000.00"\r\n"2026","13202","01","97110"',
        '\r\n"2026","13202","01","97110"',
    )
    assert_refused(bad, ZIP5, message="PFALL26A.TXT line 2: expected 16 fields, found 14.")


def test_it_refuses_a_file_of_two_years(reference_data, tmp_path):
    bad = copy_with(tmp_path, PFALL, '"2026","13202","99"', '"2025","13202","99"')
    assert_refused(
        bad,
        ZIP5,
        message="PFALL26A.TXT line 12, field 1 (year): 2025 differs from the file's 2026.",
    )


def test_it_refuses_a_file_cut_short_before_its_trailer(reference_data, tmp_path):
    text = PFALL.read_text(encoding="latin-1")
    cut = tmp_path / "PFALL26A.TXT"
    cut.write_text(text[: text.index('"TRL')], encoding="latin-1")
    assert_refused(
        cut, ZIP5, message="PFALL26A.TXT: no trailer record (TRL); the file may be cut short."
    )


def test_it_refuses_a_zip5_record_off_its_columns(reference_data, tmp_path):
    bad = copy_with(tmp_path, ZIP5, "TX787010441231", "TX78701441231 ")
    assert_refused(
        PFALL,
        bad,
        message="ZIP5_JAN2026.txt line 5, columns 13-14 (pricing locality): '1 ' does not match.",
    )


def test_it_refuses_a_short_zip5_record(reference_data, tmp_path):
    bad = copy_with(tmp_path, ZIP5, "20261\r\nNY10036", "\r\nNY10036")
    assert_refused(PFALL, bad, message="ZIP5_JAN2026.txt line 1: expected 80 columns, found 75.")


def test_it_refuses_a_zip_archive_without_the_data_file(reference_data, tmp_path):
    empty = tmp_path / "PFALL26A.ZIP"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("README.txt", "no data")
    assert_refused(empty, ZIP5, message="PFALL26A.ZIP holds no PF*.txt file.")


@pytest.mark.parametrize(
    "model", ["medicarelocality", "medicarefee", "medicarezip", "medicarenationalamount"]
)
def test_the_admin_lists_the_imported_rows(admin_client_logged_in, reference_data, model):
    run(PFALL, ZIP5)
    response = admin_client_logged_in.get(reverse(f"admin:providers_{model}_changelist"))
    assert response.status_code == 200


def test_a_curator_names_a_locality_in_the_admin(admin_client_logged_in, reference_data):
    run(PFALL, ZIP5)
    locality = MedicareLocality.objects.get(carrier="13202", locality="01")
    response = admin_client_logged_in.post(
        reverse("admin:providers_medicarelocality_change", args=[locality.pk]),
        {"name": "Manhattan, NY"},
    )
    assert response.status_code == 302
    assert MedicareLocality.objects.get(pk=locality.pk).label == "Manhattan, NY"
