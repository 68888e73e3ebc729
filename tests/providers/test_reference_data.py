from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from providers.models import (
    Confidence,
    DirectAccess,
    InsurancePlan,
    PracticeAct,
    Procedure,
    Profession,
    Scope,
)
from providers.reference import load_reference_data
from providers.reference_data import (
    INSURANCE_PLANS,
    PRACTICE_ACTS,
    PROCEDURES,
    PT_HISTORY,
    PT_LIMITED_2019,
    PT_SPINAL,
    SOURCES,
)
from providers.reference_sources import SOURCE_DETAILS
from providers.states import US_STATES

CHIRO = Profession.CHIROPRACTOR
PT = Profession.PHYSICAL_THERAPIST
REVIEWED = date(2026, 11, 27)
APTA_MANIPULATION = "http://www.apta.org/StateIssues/Manipulation/"
ALL_SOURCE_URLS = {url for urls in SOURCES.values() for url in urls}


def act(state: str, profession: str, effective_from: date | None = None) -> PracticeAct:
    return PracticeAct.objects.get(
        state=state, profession=profession, effective_from=effective_from
    )


def current_act(state: str, profession: str, on: date = REVIEWED) -> PracticeAct:
    """The row in force on `on`: the latest dated row not after it, else the undated one."""
    rows = PracticeAct.objects.filter(state=state, profession=profession)
    dated = [row for row in rows if row.effective_from and row.effective_from <= on]
    if dated:
        return max(dated, key=lambda row: row.effective_from)
    return rows.get(effective_from=None)


@pytest.fixture
def loaded(db) -> dict[str, dict[str, int]]:
    return load_reference_data()


# --- The data itself (no database) -----------------------------------------------------------


def test_every_practice_act_key_is_unique():
    keys = [(row["state"], row["profession"], row["effective_from"]) for row in PRACTICE_ACTS]
    assert len(keys) == len(set(keys)) == 104


def test_every_source_is_a_url_from_the_reference_list():
    for row in PRACTICE_ACTS:
        assert set(row["sources"]) <= ALL_SOURCE_URLS, (row["state"], row["profession"])
        assert row["last_reviewed"] == REVIEWED
    assert all(url.startswith(("http://", "https://")) for url in ALL_SOURCE_URLS)
    assert not any(" " in url or ";" in url for url in ALL_SOURCE_URLS)


def test_procedure_codes_and_plan_slugs_are_unique():
    codes = [row["code"] for row in PROCEDURES]
    slugs = [row["slug"] for row in INSURANCE_PLANS]
    assert len(codes) == len(set(codes)) == 13
    assert len(slugs) == len(set(slugs))


# --- Loading ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_loads_a_current_row_for_every_state_and_profession(loaded):
    assert loaded["practice_acts"] == {"created": 104, "updated": 0, "unchanged": 0, "kept": 0}
    assert len(US_STATES) == 51
    for state in US_STATES:
        for profession in (CHIRO, PT):
            assert current_act(state, profession).last_reviewed == REVIEWED


@pytest.mark.django_db
def test_every_restrictive_scope_cites_a_source(loaded):
    open_scopes = {Scope.ALLOWED, Scope.UNKNOWN}
    for row in PracticeAct.objects.all():
        scopes = {row.spinal_manipulation, row.extremity_manipulation}
        scopes.add(row.manipulation_under_anesthesia)
        if scopes - open_scopes:
            assert row.sources, row


@pytest.mark.django_db
def test_the_command_is_idempotent():
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert out.getvalue().splitlines() == [
        "Practice acts: 104 created, 0 updated, 0 unchanged",
        "Procedures: 13 created, 0 updated, 0 unchanged",
        f"Insurance plans: {len(INSURANCE_PLANS)} created, 0 updated, 0 unchanged",
        "Medicare national amounts: 12 created, 0 updated, 0 unchanged",
    ]

    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert out.getvalue().splitlines() == [
        "Practice acts: 0 created, 0 updated, 104 unchanged",
        "Procedures: 0 created, 0 updated, 13 unchanged",
        f"Insurance plans: 0 created, 0 updated, {len(INSURANCE_PLANS)} unchanged",
        "Medicare national amounts: 0 created, 0 updated, 12 unchanged",
    ]
    assert PracticeAct.objects.count() == 104


@pytest.mark.django_db
def test_it_keeps_a_curator_edit_unless_told_to_overwrite(loaded):
    PracticeAct.objects.filter(state="AR", profession=PT).update(
        spinal_manipulation=Scope.ALLOWED, note="edited"
    )
    Procedure.objects.filter(code="98943").update(medicare_covered_for=[CHIRO])

    counts = load_reference_data()

    assert counts["practice_acts"] == {"created": 0, "updated": 0, "unchanged": 103, "kept": 1}
    assert act("AR", PT).note == "edited"


@pytest.mark.django_db
def test_overwrite_restores_a_changed_row(loaded):
    PracticeAct.objects.filter(state="AR", profession=PT).update(
        spinal_manipulation=Scope.ALLOWED, note="edited"
    )
    Procedure.objects.filter(code="98943").update(medicare_covered_for=[CHIRO])

    counts = load_reference_data(overwrite=True)

    assert counts["practice_acts"] == {"created": 0, "updated": 1, "unchanged": 103, "kept": 0}
    assert counts["procedures"] == {"created": 0, "updated": 1, "unchanged": 12, "kept": 0}
    assert act("AR", PT).spinal_manipulation == Scope.RESTRICTED
    assert Procedure.objects.get(code="98943").medicare_covered_for == []


@pytest.mark.django_db
def test_a_curator_added_row_survives_a_rerun(loaded):
    curated = PracticeAct.objects.create(
        state="TX",
        profession=PT,
        effective_from=date(2027, 1, 1),
        spinal_manipulation=Scope.PROHIBITED,
        note="Recorded by a curator.",
        sources=["https://example.org/tx-2027"],
        confidence=Confidence.HIGH,
    )
    plan = InsurancePlan.objects.create(
        slug="local-coop", name="Local Co-op", payer="Co-op", kind="commercial"
    )

    counts = load_reference_data()

    assert counts["practice_acts"] == {"created": 0, "updated": 0, "unchanged": 104, "kept": 0}
    curated.refresh_from_db()
    assert curated.spinal_manipulation == Scope.PROHIBITED
    assert curated.note == "Recorded by a curator."
    assert InsurancePlan.objects.filter(pk=plan.pk).exists()
    assert current_act("TX", PT, on=date(2027, 6, 1)) == curated
    assert current_act("TX", PT).spinal_manipulation == Scope.ALLOWED


# --- Specific facts --------------------------------------------------------------------------


@pytest.mark.django_db
def test_washington_pts_need_an_endorsement_since_july_2015(loaded):
    before = act("WA", PT)
    assert before.spinal_manipulation == Scope.PROHIBITED
    assert before.confidence == Confidence.HIGH
    assert "ESHB 2160" in before.note

    since = act("WA", PT, date(2015, 7, 1))
    assert since.spinal_manipulation == Scope.REQUIRES_ENDORSEMENT
    assert since.confidence == Confidence.HIGH
    assert since.direct_access == DirectAccess.PROVISIONAL
    assert "RCW 18.74.190" in since.note
    assert "https://apps.leg.wa.gov/rcw/default.aspx?cite=18.74" in since.sources
    # The Legislature's own page, not the copy of the section on a document-mirror site.
    assert not any("instalawyer" in url for url in since.sources)
    assert current_act("WA", PT) == since
    assert PracticeAct.objects.filter(state="WA", profession=PT).count() == 2


@pytest.mark.parametrize(
    ("state", "cited", "direct_access", "confidence"),
    [
        # Medium in the reference; each rests partly on a copy on a third-party site.
        ("AR", "Teston", DirectAccess.PROVISIONAL, Confidence.LOW),
        ("TN", "63-4-101(c)", DirectAccess.PROVISIONAL, Confidence.LOW),
        ("WV", "1998", DirectAccess.UNRESTRICTED, Confidence.MEDIUM),
    ],
)
@pytest.mark.django_db
def test_arkansas_tennessee_and_west_virginia_restrict_pt_manipulation(
    loaded, state, cited, direct_access, confidence
):
    row = act(state, PT)
    assert row.spinal_manipulation == Scope.RESTRICTED
    assert row.confidence == confidence
    assert row.direct_access == direct_access
    assert cited in row.note
    assert row.sources


@pytest.mark.django_db
def test_tennessee_and_west_virginia_notes_explain_the_training_hours(loaded):
    assert "400 hours of classroom and 800 hours" in act("TN", PT).note
    assert "no PT-side source" in act("TN", PT).note
    assert "unclear or disputed" in act("WV", PT).note


@pytest.mark.django_db
def test_maine_dropped_the_referral_for_pt_spinal_thrust_in_2023(loaded):
    before = act("ME", PT)
    assert before.spinal_manipulation == Scope.RESTRICTED
    assert "§3113-A" in before.note
    assert "referral" in before.note

    since = act("ME", PT, date(2023, 1, 1))
    assert since.spinal_manipulation == Scope.ALLOWED
    assert "approximate" in since.note
    assert current_act("ME", PT) == since
    assert current_act("ME", PT, on=date(2022, 12, 31)) == before


@pytest.mark.django_db
def test_texas_chiropractors_may_not_perform_mua(loaded):
    row = act("TX", CHIRO)
    assert row.manipulation_under_anesthesia == Scope.PROHIBITED
    assert row.spinal_manipulation == Scope.ALLOWED
    # High in the reference; the court opinion was read from copies on third-party sites.
    assert row.confidence == Confidence.MEDIUM
    assert "375 S.W.3d 464" in row.note
    assert "https://cetient.com/case/2955458/" in row.sources


@pytest.mark.django_db
def test_massachusetts_chiropractors_need_certification_for_mua(loaded):
    assert act("MA", CHIRO).manipulation_under_anesthesia == Scope.REQUIRES_ENDORSEMENT


@pytest.mark.django_db
def test_new_york_restricts_chiropractic_extremity_adjusting(loaded):
    row = act("NY", CHIRO)
    assert row.extremity_manipulation == Scope.RESTRICTED
    assert row.confidence == Confidence.HIGH
    assert "§6551" in row.note


@pytest.mark.django_db
def test_new_jersey_allows_chiropractic_extremity_adjusting(loaded):
    row = act("NJ", CHIRO)
    assert row.extremity_manipulation == Scope.ALLOWED
    assert row.confidence == Confidence.MEDIUM  # the statute and the case from copies
    assert "45:9-14.5" in row.note
    assert len(row.sources) >= 3


@pytest.mark.django_db
def test_colorado_has_no_known_pt_restriction(loaded):
    row = act("CO", PT)
    assert row.spinal_manipulation == Scope.ALLOWED
    assert row.extremity_manipulation == Scope.ALLOWED
    assert row.manipulation_under_anesthesia == Scope.UNKNOWN
    assert row.direct_access == DirectAccess.UNRESTRICTED
    assert row.confidence == Confidence.LOW
    assert "no restriction found in the sources consulted" in row.note
    assert row.note.endswith("Not legal advice.")
    assert APTA_MANIPULATION in row.sources

    chiro = act("CO", CHIRO)
    assert chiro.spinal_manipulation == Scope.ALLOWED
    assert chiro.extremity_manipulation == Scope.UNKNOWN
    assert chiro.direct_access == DirectAccess.UNRESTRICTED
    assert chiro.confidence == Confidence.LOW


@pytest.mark.django_db
def test_no_state_keeps_limited_pt_direct_access(loaded):
    assert not PracticeAct.objects.filter(direct_access=DirectAccess.LIMITED).exists()
    for state in PT_LIMITED_2019:
        assert act(state, PT).direct_access == DirectAccess.PROVISIONAL


# --- Procedures and plans --------------------------------------------------------------------


@pytest.mark.django_db
def test_medicare_covers_only_spinal_cmt_for_chiropractors(loaded):
    covered = {
        code: Procedure.objects.get(code=code).medicare_covered_for
        for code in ("98940", "98941", "98942", "98943", "97140", "98925")
    }
    assert covered == {
        "98940": [CHIRO],
        "98941": [CHIRO],
        "98942": [CHIRO],
        "98943": [],
        "97140": [PT],
        "98925": [],
    }


@pytest.mark.django_db
def test_procedures_have_plain_labels_and_typical_prices(loaded):
    spinal = Procedure.objects.get(code="98940")
    assert spinal.label == "Spinal manipulation, 1-2 regions"
    assert spinal.is_manipulation
    assert (spinal.typical_price_low, spinal.typical_price_high) == (
        Decimal("30.00"),
        Decimal("50.00"),
    )
    manual = Procedure.objects.get(code="97140")
    assert manual.is_manipulation
    assert manual.professions == [CHIRO, PT]
    assert "15 minutes" in manual.note
    assert not Procedure.objects.get(code="97110").is_manipulation
    assert Procedure.objects.get(code="98929").professions == []


@pytest.mark.django_db
def test_contract_plans_exist(loaded):
    assert InsurancePlan.objects.get(slug="aetna-ppo").kind == InsurancePlan.Kind.COMMERCIAL
    assert InsurancePlan.objects.get(slug="medicare").kind == InsurancePlan.Kind.MEDICARE
    assert InsurancePlan.objects.filter(kind=InsurancePlan.Kind.MEDICAID).exists()


def test_every_shipped_source_has_a_title_and_a_publisher():
    urls = {url for entry in SOURCES.values() for url in entry}
    assert urls == set(SOURCE_DETAILS)


def test_a_finding_resting_on_a_copy_is_graded_one_level_lower():
    assert PT_HISTORY["ME"].spinal.confidence == Confidence.MEDIUM  # statute text from a copy
    assert PT_SPINAL["ME"].confidence == Confidence.LOW
    assert PT_SPINAL["WA"].confidence == Confidence.HIGH  # the Legislature's own pages
