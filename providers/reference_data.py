"""Reference data: state practice acts, procedure codes and insurance plans.

Plain data, built once at import without touching the database; `providers.reference` loads it.
Every practice-act fact comes from the project's domain reference (sections 1-3), and each row
lists the URLs of the sources behind it. Where the reference found *no restriction* (its "NRF"),
a scope is recorded as `allowed` with low confidence and a note saying so: that is an absence
of evidence, not a confirmation, and a lawyer should check these before launch.

A finding resting on a copy of a document on a third-party site (a statute on a legal-database
site, a paper on a document-sharing site) is graded one confidence level lower than the
reference grades it; see providers/reference_sources.py.

A practice act has one `confidence` for the whole row. It grades the row's headline fact: for
PTs, spinal manipulation; for chiropractors, the state-specific extremity or MUA finding where
there is one, otherwise the general (low-confidence) statement about chiropractic scope.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from providers.models import Confidence, DirectAccess, InsurancePlan, Profession, Scope
from providers.reference_sources import is_copy
from providers.states import US_STATES

LAST_REVIEWED = date(2026, 11, 27)

CHIRO = Profession.CHIROPRACTOR
PT = Profession.PHYSICAL_THERAPIST
H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW

# The reference's Sources list; an entry with two links ("a ; b") becomes two URLs.
SOURCES: dict[str, tuple[str, ...]] = {
    # PT scope and direct access
    "APTA-M": ("http://www.apta.org/StateIssues/Manipulation/",),
    "APTA-WP": (
        "https://docslib.org/doc/8034593/physical-therapists-and-direction-of-mobilization-"
        "manipulation-an-educational-resource-paper",
    ),
    # The reference also cites a copy of RCW 18.74.190 on instalawyer.io; the Legislature's
    # own chapter page above holds the section, so the copy is left out.
    "WA1": ("https://apps.leg.wa.gov/rcw/default.aspx?cite=18.74",),
    "WA2": (
        "https://ptwa.wordpress.com/2014/03/",
        "https://lawfilesext.leg.wa.gov/biennium/2013-14/Htm/Bills/House%20Bills/2160-S.E.htm",
    ),
    "TN1": ("https://law.justia.com/codes/tennessee/2010/title-63/chapter-4/63-4-101",),
    "TN2": (
        "https://dynamicchiropractic.com/article/36221-tennessee-legislates-who-can-perform-"
        "spinal-manipulation",
    ),
    "WV1": ("https://mailinglists.mpamedia.com/mpacms/dc/article.php?id=37218",),
    "AR1": (
        "https://www.chirobase.org/08Legal/dunning.html",
        "https://www.studicata.com/summaries/supreme-court-of-arkansas/teston-v-ar-board-of-"
        "chiropractic-examiners-2005-33mbcd",
    ),
    "AL1": (
        "https://spinalmanipulation.org/2015/02/20/supreme-court-ruling-in-favor-of-alabama-"
        "physical-therapist-in-spinal-manipulation-case",
    ),
    "ME1": (
        "https://getpocketlaw.com/law/state_maine/section-32--3113-a-license-required-"
        "limitations-and-exceptions_5c722069e827",
        "https://www.maineapta.org/news/current-legislative-items",
    ),
    "CA1": (
        "http://www.leginfo.ca.gov/pub/13-14/bill/sen/sb_0351-0400/"
        "sb_381_cfa_20130411_142827_sen_comm.html",
        "https://www.evidenceinmotion.com/blog/2013/04/16/legislators-made-the-right-choice-"
        "manipulation-bill-sb-381-defeated/",
    ),
    "NH1": (
        "https://rehabpub.com/resource-center/white-paper-resources-on-spinal-manipulation-"
        "offered/",
    ),
    "NYVA": (
        "https://spinalmanipulation.org/2015/05/17/chiropractic-organizations-seek-attorney-"
        "general-opinions-bar-spinal-manipulation-by-physical-therapists",
    ),
    "NY-PT": (
        "https://journals.lww.com/jopte/Fulltext/2019/12000/"
        "The_Utilization_of_Spinal_Thrust_Manipulation_by.4.aspx",
    ),
    "DA19": ("https://info.5y1.org/west-florida-hospital-physical-therapy_1_6e7537.html",),
    "DA16": ("https://www.apta.org/PTinMotion/2016/10/DirectAccess/",),
    "DA24": ("https://www.apta.org/news/2024/05/24/limited-direct-access-end",),
    "DA24b": ("https://apta.org/article/2024/08/30/2024-state-wins-round-up",),
    "DA23": ("https://www.apta.org/article/2023/07/24/state-wins",),
    "MI-SB144": (
        "https://ombudsman.legislature.mi.gov/documents/2025-2026/billanalysis/Senate/htm/"
        "2025-SFA-0144-G.htm",
    ),
    # Chiropractic scope
    "NJ1": (
        "https://casetext.com/statute/new-jersey-statutes/title-45-professions-and-occupations/"
        "chapter-459-state-board-of-medical-examiners-advisory-committee/section-459-145-"
        "definitions-relative-to-practice-of-chiropractic",
    ),
    "NJ2": (
        "https://cetient.com/case/9758390/bedford-v-riello",
        "https://www.njlawyers.com/blog/2007/april/the-appellate-court-limits-chiropractic-"
        "care-in-/",
    ),
    "NJ3": (
        "http://www.newjerseynewsroom.com/healthquest/chiropractors-in-new-jersey-now-face-a-"
        "new-scope-of-practice-thanks-to-new-legislation",
    ),
    "NY1": (
        "https://www.nysca.com/index.php?option=com_dailyplanetblog&view=entry&year=2000"
        "&month=07&day=31&id=452:nysbc-opinion-regarding-chiropractic-care-of-peripheral-"
        "injuries-",
    ),
    "NY2": (
        "https://www.op.nysed.gov/professions/chiropractic/practice-alerts/practice-treating-"
        "peripheral-neuropathy",
    ),
    "MI1": ("https://www.wachlerblog.com/expansion-of-michigans-chiropractic-scope-of-practice/",),
    "MI2": ("https://www.chiromi.com/aws/MAC/pt/sp/resources_scope",),
    "TX1": (
        "https://descrybe.ai/case-details/c5282527",
        "https://cetient.com/case/2955458/",
    ),
    "MA1": (
        "http://www.mass.gov/ocabr/licensee/dpl-boards/ch/regulations/board-policies/"
        "guidelines-on-manipulation-under-anesthesia-mua.html",
    ),
    "TNc": ("https://chiropracticfuture.org/?p=2393",),
    "AR2": ("https://www.law.cornell.edu/regulations/arkansas/029-00-14-Ark-Code-R-SS-002",),
    "CH14": ("https://chiro.org/LINKS/ABSTRACTS/The_Chiropractic_Scope_of_Practice.shtml",),
}

NOT_LEGAL_ADVICE = "Not legal advice."


def source_urls(*keys: str) -> list[str]:
    """The URLs behind source keys, in order, without duplicates."""
    urls: list[str] = []
    for key in keys:
        for url in SOURCES[key]:
            if url not in urls:
                urls.append(url)
    return urls


def _practice_act(
    *,
    state: str,
    profession: str,
    spinal: str,
    extremity: str,
    mua: str,
    direct_access: str,
    confidence: str,
    notes: Iterable[str],
    sources: Iterable[str],
    effective_from: date | None = None,
) -> dict[str, Any]:
    return {
        "state": state,
        "profession": profession,
        "effective_from": effective_from,
        "spinal_manipulation": spinal,
        "extremity_manipulation": extremity,
        "manipulation_under_anesthesia": mua,
        "direct_access": direct_access,
        "note": " ".join([*notes, NOT_LEGAL_ADVICE]),
        "sources": source_urls(*sources),
        "confidence": confidence,
        "last_reviewed": LAST_REVIEWED,
    }


@dataclass(frozen=True)
class Finding:
    """One sourced fact about one state: a scope, its confidence, a note and source keys."""

    scope: str
    confidence: str
    note: str
    sources: tuple[str, ...]


_ONE_LEVEL_LOWER: dict[str, str] = {H: M, M: L, L: L}


def _finding(scope: str, confidence: str, note: str, *sources: str) -> Finding:
    """A finding graded one level lower when any source behind it is a copy of the document
    on a third-party site rather than the publisher's own page (providers.reference_sources)."""
    if any(is_copy(url) for url in source_urls(*sources)):
        confidence = _ONE_LEVEL_LOWER[confidence]
    return Finding(scope, confidence, note, sources)


# --- Physical therapists ---------------------------------------------------------------------

NO_RESTRICTION_FOUND = (
    "Spinal manipulation: no restriction found in the sources consulted; APTA holds that spinal "
    "manipulation is within PT practice."
)
_FAILED_BAN = "A bill backed by chiropractors to bar PTs from spinal manipulation failed."
_NRF = _finding(Scope.ALLOWED, L, NO_RESTRICTION_FOUND, "APTA-M")

PT_SPINAL: dict[str, Finding] = {
    "AL": _finding(
        Scope.ALLOWED,
        M,
        "Spinal manipulation: allowed. On January 20, 2012 the Alabama Supreme Court ruled for a "
        "physical therapist against the state chiropractic board in a case about PT spinal "
        "manipulation.",
        "AL1",
    ),
    "AR": _finding(
        Scope.RESTRICTED,
        M,
        "Spinal manipulation: restricted. In Teston v. Arkansas Board of Chiropractic Examiners, "
        "361 Ark. 300 (2005), the court held that a PT's spinal manipulation was unlicensed "
        "chiropractic and upheld a $10,000 fine.",
        "AR1",
    ),
    "CA": _finding(
        Scope.ALLOWED,
        M,
        f"{NO_RESTRICTION_FOUND} A 2013 bill (SB 381) that would have limited joint manipulation "
        "to chiropractors and physicians was defeated 1-6 in committee.",
        "APTA-M",
        "CA1",
    ),
    "ME": _finding(
        Scope.ALLOWED,
        M,
        "Spinal manipulation: allowed since 2023, when Maine's revision of 32 MRSA §3113-A "
        "struck the requirement of a referral from an MD, DO or chiropractor for spinal thrust. "
        "The sources give only the year 2023, so the January 1, 2023 start date here is "
        "approximate.",
        "ME1",
    ),
    "NH": _finding(
        Scope.ALLOWED,
        M,
        'Spinal manipulation: allowed. A New Hampshire Attorney General memo says PT "joint '
        'mobilization encompasses spinal manipulation".',
        "NH1",
    ),
    "NY": _finding(
        Scope.ALLOWED,
        M,
        f"{NO_RESTRICTION_FOUND} {_FAILED_BAN} A 2019 study in the Journal of Physical Therapy "
        "Education describes New York PTs using spinal thrust manipulation.",
        "APTA-M",
        "NYVA",
        "NY-PT",
    ),
    "TN": _finding(
        Scope.RESTRICTED,
        M,
        "Spinal manipulation: restricted or unclear. Tennessee law (TCA 63-4-101(c), from "
        "HB 1622) bars any licensed health professional other than an MD or DO from "
        "manipulating the spine without legal authority to make a differential diagnosis plus "
        "400 hours of classroom and 800 hours of supervised clinical training at a facility "
        "where manipulation is a primary treatment. The Tennessee Chiropractic Association "
        "says this bars other providers; no PT-side source was found on how it is enforced.",
        "TN1",
        "TN2",
    ),
    "VA": _finding(Scope.ALLOWED, M, f"{NO_RESTRICTION_FOUND} {_FAILED_BAN}", "APTA-M", "NYVA"),
    "WA": _finding(
        Scope.REQUIRES_ENDORSEMENT,
        H,
        "Spinal manipulation: requires an endorsement. Under RCW 18.74.190 (ESHB 2160, in "
        "effect since July 1, 2015) a Washington PT needs a spinal manipulation endorsement: "
        "1 year of full-time orthopedic practice, 100 hours of differential diagnosis, 250 "
        "hours of manipulation coursework and practice, 150 hours of spinal imaging, and 300 "
        "hours of supervised practice (the first 150 under close supervision).",
        "WA1",
        "WA2",
    ),
    "WV": _finding(
        Scope.RESTRICTED,
        M,
        "Spinal manipulation: restricted, though unclear or disputed. A 1998 amendment to West "
        "Virginia's chiropractic act says no one may perform spinal manipulation without 400 "
        "classroom and 800 supervised clinical hours (Tennessee later copied this model). No "
        "PT-side source was found on how it applies to PTs.",
        "WV1",
        "TN2",
    ),
}

# APTA's "Levels of Patient Access" map, July 2019 [DA19]; every other state had provisions.
PT_UNRESTRICTED_2019 = frozenset({
    "AK", "AZ", "CO", "HI", "ID", "IA", "KY", "MD", "MA", "MT",
    "NE", "NV", "NC", "ND", "OR", "SD", "UT", "VT", "WV", "WY",
})  # fmt: skip
PT_LIMITED_2019 = frozenset({"AL", "MO", "MS"})

UNRESTRICTED_NOTE = (
    "Direct access: unrestricted; you can see a PT without a physician's referral (APTA map, "
    "July 2019)."
)
PROVISIONAL_NOTE = (
    "Direct access: with provisions; you can see a PT without a referral, within limits such as "
    "a time or visit cap, or a referral for certain treatments. In some states those provisions "
    "include a referral for spinal manipulation; this state's provisions are not detailed in the "
    "sources consulted."
)
TWENTY_FIRST_STATE_NOTE = (
    "APTA counted 20 unrestricted states in 2019 and 21 by May 2024; which state became the "
    "21st is not sourced here, so this state may now be unrestricted."
)

# Changes after the 2019 map: (extra note, extra source keys).
PT_ACCESS_CHANGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AL": (
        "Alabama was one of three 'limited' states in 2019 and moved to 'with provisions' in 2024.",
        ("DA24", "DA24b"),
    ),
    "MS": (
        "Mississippi was one of three 'limited' states in 2019 and moved to 'with provisions' "
        "in early 2024.",
        ("DA24b", "DA24"),
    ),
    "MO": (
        "Missouri was one of three 'limited' states in 2019 and upgraded its direct access in "
        "2023; by May 2024 APTA counted no 'limited' states. The sources do not say which level "
        "Missouri reached, so 'with provisions' here is an inference.",
        ("DA23", "DA24"),
    ),
    "ME": ("Maine made direct access easier in 2023.", ("DA23",)),
    "TN": ("Tennessee made direct access easier in 2023.", ("DA23",)),
    "VA": ("Virginia made direct access easier in 2023.", ("DA23",)),
    "SC": ("South Carolina clarified by regulation in 2024 what counts as a referral.", ("DA24b",)),
    "MI": (
        "Michigan SB 144 (2025) would expand direct access; it was pending when last checked.",
        ("MI-SB144",),
    ),
}


@dataclass(frozen=True)
class Access:
    """PT direct access in one state: the level, plain-language notes and source keys."""

    level: str
    notes: tuple[str, ...]
    sources: tuple[str, ...]


def _pt_direct_access(state: str) -> Access:
    """Current PT direct access: the 2019 map updated by the later changes above."""
    if state in PT_UNRESTRICTED_2019:
        return Access(DirectAccess.UNRESTRICTED, (UNRESTRICTED_NOTE,), ("DA19",))
    notes = [PROVISIONAL_NOTE]
    sources = ["DA19", "DA16"]
    if state in PT_ACCESS_CHANGES:
        change_note, change_sources = PT_ACCESS_CHANGES[state]
        notes.append(change_note)
        sources.extend(change_sources)
    notes.append(TWENTY_FIRST_STATE_NOTE)
    sources.append("DA24")
    return Access(DirectAccess.PROVISIONAL, tuple(notes), tuple(sources))


@dataclass(frozen=True)
class EarlierRule:
    """The PT rule in force until `superseded_on`, when the state's PT_SPINAL entry took over."""

    superseded_on: date
    spinal: Finding
    access: Access


PT_HISTORY: dict[str, EarlierRule] = {
    "ME": EarlierRule(
        # The reference gives only the year of the revision; January 1 is approximate.
        superseded_on=date(2023, 1, 1),
        spinal=_finding(
            Scope.RESTRICTED,
            H,
            'Spinal manipulation: restricted. The old Maine law (32 MRSA §3113-A) said PTs "may '
            'not apply manipulative thrust to the vertebrae" except on referral from an MD, DO '
            "or chiropractor.",
            "ME1",
        ),
        # The 2019 map predates Maine's 2023 easing.
        access=Access(DirectAccess.PROVISIONAL, (PROVISIONAL_NOTE,), ("DA19", "DA16")),
    ),
    "WA": EarlierRule(
        superseded_on=date(2015, 7, 1),
        spinal=_finding(
            Scope.PROHIBITED,
            H,
            "Spinal manipulation: prohibited. Before ESHB 2160 took effect on July 1, 2015, "
            "Washington PTs could not perform spinal manipulation (RCW 18.74.190 now allows it "
            "with an endorsement).",
            "WA1",
            "WA2",
        ),
        access=Access(
            DirectAccess.UNKNOWN,
            ("Direct access: the sources consulted do not cover Washington before July 2015.",),
            (),
        ),
    ),
}

PT_EXTREMITY_AND_MUA_NOTE = (
    "Extremity manipulation: APTA guidance places spinal and peripheral (extremity) "
    "mobilization and manipulation within PT practice, performed by the PT, not an assistant. "
    "Manipulation under anesthesia: no source consulted covers PTs; it is a procedure done under "
    "anesthesia together with physicians."
)


def _pt_row(
    state: str, spinal: Finding, access: Access, effective_from: date | None = None
) -> dict[str, Any]:
    return _practice_act(
        state=state,
        profession=PT,
        effective_from=effective_from,
        spinal=spinal.scope,
        extremity=Scope.ALLOWED,
        mua=Scope.UNKNOWN,
        direct_access=access.level,
        confidence=spinal.confidence,
        notes=[spinal.note, *access.notes, PT_EXTREMITY_AND_MUA_NOTE],
        sources=[*spinal.sources, *access.sources, "APTA-WP"],
    )


def _pt_rows() -> list[dict[str, Any]]:
    rows = []
    for state in US_STATES:
        current_spinal = PT_SPINAL.get(state, _NRF)
        current_access = _pt_direct_access(state)
        earlier = PT_HISTORY.get(state)
        if earlier is None:
            rows.append(_pt_row(state, current_spinal, current_access))
        else:
            rows.append(_pt_row(state, earlier.spinal, earlier.access))
            rows.append(
                _pt_row(state, current_spinal, current_access, effective_from=earlier.superseded_on)
            )
    return rows


# --- Chiropractors ---------------------------------------------------------------------------

CHIRO_SPINAL_NOTE = (
    "Spinal manipulation (adjustment) is the core of chiropractic licensure in every state; it "
    "is not separately sourced per state here."
)
CHIRO_ACCESS_NOTE = (
    "Chiropractors are primary-contact providers, so no referral is needed to see one; this is "
    "not separately sourced here."
)
_EXTREMITY_UNKNOWN_NOTE = "No source consulted states the extremity scope for this state."
_MUA_UNKNOWN_NOTE = (
    "No source consulted says whether chiropractors here may perform manipulation under anesthesia."
)


CHIRO_EXTREMITY: dict[str, Finding] = {
    "NJ": _finding(
        Scope.ALLOWED,
        H,
        'Extremity adjusting: allowed. N.J.S.A. 45:9-14.5 lets chiropractors "adjust, and treat '
        'the articulations of the spinal column and other joints". In 2007 the Appellate '
        "Division held chiropractors were limited to the spine; in 2008 the New Jersey Supreme "
        "Court (Bedford v. Riello) allowed extremity care case by case when linked to the spine; "
        "a 2009/2010 law then allowed extremity care on its own.",
        "NJ1",
        "NJ2",
        "NJ3",
    ),
    "NY": _finding(
        Scope.RESTRICTED,
        H,
        "Extremity adjusting: restricted. Under Educ. Law §6551, treatment away from the spine "
        "is allowed only when aimed at nerve interference related to a subluxation of the "
        "vertebral column. Treating a peripheral joint on its own (for example a torn ACL) or "
        "peripheral neuropathy is out of scope.",
        "NY1",
        "NY2",
    ),
    "MI": _finding(
        Scope.ALLOWED,
        M,
        "Extremity adjusting: allowed since January 2010, when Michigan's scope (MCL 333.16401) "
        'was widened to cover the musculoskeletal system and "joint dysfunctions". Before that '
        'it was called the "most restrictive" chiropractic scope.',
        "MI1",
        "MI2",
    ),
    "TN": _finding(
        Scope.ALLOWED,
        L,
        "Extremity adjusting: allowed, according to a single chiropractic advocacy site's "
        "Tennessee profile.",
        "TNc",
    ),
    "AR": _finding(
        Scope.UNKNOWN,
        L,
        "Extremity adjusting: unknown, possibly spine-focused. Ark. Code 17-81-102 defines "
        'chiropractic around "the spinal column, including its immediate articulations" and '
        "does not state whether other joints are included.",
        "AR2",
    ),
}

CHIRO_MUA: dict[str, Finding] = {
    "TX": _finding(
        Scope.PROHIBITED,
        H,
        "Manipulation under anesthesia: not allowed. In Tex. Bd. of Chiro. Exam'rs v. TMA, "
        "375 S.W.3d 464 (Tex. App. 2012), the court voided the board's rules allowing MUA (and "
        "needle EMG), treating MUA as surgery.",
        "TX1",
    ),
    "MA": _finding(
        Scope.REQUIRES_ENDORSEMENT,
        M,
        "Manipulation under anesthesia: allowed only with certification, in a healthcare "
        "facility, under a licensed anesthesiologist (board policy, 2004).",
        "MA1",
    ),
}

# A survey of 97 chiropractic services (2011 data) [CH14]; its per-state extremity and MUA
# tables were not retrievable, so it only colours the note.
CHIRO_SURVEY_BROADEST = frozenset({"MO", "NM", "KS", "UT", "OK", "IL", "AL"})
CHIRO_SURVEY_NARROWEST = frozenset({"NH", "HI", "MI", "NJ", "MS", "TX"})

_CONFIDENCE_RANK: dict[str, int] = {H: 3, M: 2, L: 1}


def _chiro_row(state: str) -> dict[str, Any]:
    extremity = CHIRO_EXTREMITY.get(state)
    mua = CHIRO_MUA.get(state)
    findings = [finding for finding in (extremity, mua) if finding is not None]
    notes = [
        CHIRO_SPINAL_NOTE,
        extremity.note if extremity else _EXTREMITY_UNKNOWN_NOTE,
        mua.note if mua else _MUA_UNKNOWN_NOTE,
    ]
    sources = [source for finding in findings for source in finding.sources]
    if state in CHIRO_SURVEY_BROADEST | CHIRO_SURVEY_NARROWEST:
        ranking = (
            "allowed the most of 97 listed services"
            if state in CHIRO_SURVEY_BROADEST
            else 'gave the most "cannot perform" answers across 97 listed services'
        )
        notes.append(f"In a survey using 2011 data, this state was among those that {ranking}.")
        sources.append("CH14")
    notes.append(CHIRO_ACCESS_NOTE)
    confidence = max((f.confidence for f in findings), key=_CONFIDENCE_RANK.__getitem__, default=L)
    return _practice_act(
        state=state,
        profession=CHIRO,
        spinal=Scope.ALLOWED,
        extremity=extremity.scope if extremity else Scope.UNKNOWN,
        mua=mua.scope if mua else Scope.UNKNOWN,
        direct_access=DirectAccess.UNRESTRICTED,
        confidence=confidence,
        notes=notes,
        sources=sources,
    )


# Caveats that many rows carry word for word: the pages say them once, above the states.
CAVEATS_FOR_EVERY_STATE = (
    TWENTY_FIRST_STATE_NOTE,
    PT_EXTREMITY_AND_MUA_NOTE,
    CHIRO_SPINAL_NOTE,
    CHIRO_ACCESS_NOTE,
)
# Everything the pages take out of a row's note before showing it: the caveats above, the
# disclaimer (said at the top of the page) and the generic sentences the plain-words rule
# already says (finder/practice_act_words.py).
NOTES_SAID_ONCE = (
    *CAVEATS_FOR_EVERY_STATE,
    NOT_LEGAL_ADVICE,
    UNRESTRICTED_NOTE,
    PROVISIONAL_NOTE,
    NO_RESTRICTION_FOUND,
)

PRACTICE_ACTS: list[dict[str, Any]] = [
    *_pt_rows(),
    *(_chiro_row(state) for state in US_STATES),
]


# --- Procedures ------------------------------------------------------------------------------
# Labels are our own plain-language wording, not AMA descriptor text. The Medicare amounts are
# 2026 national non-facility figures (RVU x $33.4009), given as context only.

_TYPICAL_LOW = Decimal("30.00")
_TYPICAL_HIGH = Decimal("50.00")
_TIMED = "Timed code: each unit is 15 minutes (8-22 minutes = 1 unit, 23-37 = 2)."
_OMT = (
    "Osteopathic manipulation, billed by DOs and MDs; listed for comparison only, since "
    "chiropractors and PTs do not use it. OMT counts body regions differently from chiropractic "
    "codes."
)
_CMT_MEDICARE = (
    "Medicare pays chiropractors for it only as active treatment to correct a subluxation "
    "(AT modifier); maintenance care is not covered."
)


def _procedure(
    code: str,
    label: str,
    *,
    professions: Sequence[Profession],
    medicare_covered_for: Sequence[Profession],
    is_manipulation: bool,
    note: str,
) -> dict[str, Any]:
    return {
        "code": code,
        "label": label,
        "professions": professions,
        "medicare_covered_for": medicare_covered_for,
        "is_manipulation": is_manipulation,
        "typical_price_low": _TYPICAL_LOW,
        "typical_price_high": _TYPICAL_HIGH,
        "note": note,
    }


_BOTH = [CHIRO, PT]
_PT_MEDICARE = (
    "Medicare covers it from a PT (above $2,480 of PT and speech therapy in 2026 the KX modifier "
    "is needed), not from a chiropractor."
)

PROCEDURES: list[dict[str, Any]] = [
    *(
        _procedure(
            code,
            f"Spinal manipulation, {regions} regions",
            professions=[CHIRO],
            medicare_covered_for=[CHIRO],
            is_manipulation=True,
            note=f"Chiropractic adjustment of the spine. {_CMT_MEDICARE} "
            f"Medicare 2026 national amount: about ${amount}.",
        )
        for code, regions, amount in (
            ("98940", "1-2", "26.72"),
            ("98941", "3-4", "38.41"),
            ("98942", "5", "49.77"),
        )
    ),
    _procedure(
        "98943",
        "Extremity manipulation (outside the spine), 1 or more regions",
        professions=[CHIRO],
        medicare_covered_for=[],
        is_manipulation=True,
        note="Chiropractic adjustment of the head, limbs, rib cage or abdomen. Not a Medicare "
        "benefit: Medicare never pays a chiropractor for it (status N in 2026; the RVU-based "
        "figure would be about $26.39).",
    ),
    _procedure(
        "97140",
        "Hands-on manual therapy (mobilization, manipulation, traction), per 15 minutes",
        professions=_BOTH,
        medicare_covered_for=[PT],
        is_manipulation=True,
        note=f"{_TIMED} Billed with chiropractic spinal manipulation on the same day, NCCI "
        "bundles the two; it is billable only for a different body region, with modifier 59. "
        f"{_PT_MEDICARE} Medicare 2026 national amount: about $27.72.",
    ),
    _procedure(
        "97110",
        "Therapeutic exercise, per 15 minutes",
        professions=_BOTH,
        medicare_covered_for=[PT],
        is_manipulation=False,
        note=f"{_TIMED} {_PT_MEDICARE} Medicare 2026 national amount: about $29.06.",
    ),
    _procedure(
        "97112",
        "Balance, coordination and movement retraining, per 15 minutes",
        professions=_BOTH,
        medicare_covered_for=[PT],
        is_manipulation=False,
        note=f"{_TIMED} {_PT_MEDICARE} Medicare 2026 national amount: about $32.73.",
    ),
    _procedure(
        "97530",
        "Functional activity training, per 15 minutes",
        professions=_BOTH,
        medicare_covered_for=[PT],
        is_manipulation=False,
        note=f"{_TIMED} {_PT_MEDICARE} Medicare 2026 national amount: about $35.07.",
    ),
    *(
        _procedure(
            code,
            f"Osteopathic manipulation, {regions} body regions",
            professions=[],
            medicare_covered_for=[],
            is_manipulation=False,
            note=f"{_OMT} Medicare 2026 national amount: about ${amount}.",
        )
        for code, regions, amount in (
            ("98925", "1-2", "32.40"),
            ("98926", "3-4", "46.09"),
            ("98927", "5-6", "60.79"),
            ("98928", "7-8", "73.48"),
            ("98929", "9-10", "85.84"),
        )
    ),
]


# --- Insurance plans -------------------------------------------------------------------------

_Kind = InsurancePlan.Kind


def _plan(slug: str, name: str, payer: str, kind: str) -> dict[str, Any]:
    return {"slug": slug, "name": name, "payer": payer, "kind": kind}


INSURANCE_PLANS: list[dict[str, Any]] = [
    _plan("medicare", "Original Medicare (Part B)", "Medicare", _Kind.MEDICARE),
    _plan("humana-medicare-advantage", "Humana Medicare Advantage", "Humana", _Kind.MEDICARE),
    _plan(
        "unitedhealthcare-medicare-advantage",
        "UnitedHealthcare Medicare Advantage",
        "UnitedHealthcare",
        _Kind.MEDICARE,
    ),
    _plan("aetna-medicare-advantage", "Aetna Medicare Advantage", "Aetna", _Kind.MEDICARE),
    _plan("medicaid", "Medicaid (state program)", "State Medicaid agency", _Kind.MEDICAID),
    _plan("aetna-ppo", "Aetna PPO", "Aetna", _Kind.COMMERCIAL),
    _plan("aetna-hmo", "Aetna HMO", "Aetna", _Kind.COMMERCIAL),
    _plan("bcbs-ppo", "Blue Cross Blue Shield PPO", "Blue Cross Blue Shield", _Kind.COMMERCIAL),
    _plan("bcbs-hmo", "Blue Cross Blue Shield HMO", "Blue Cross Blue Shield", _Kind.COMMERCIAL),
    _plan(
        "bcbs-federal-employee-program",
        "Blue Cross Blue Shield Federal Employee Program",
        "Blue Cross Blue Shield",
        _Kind.COMMERCIAL,
    ),
    _plan("cigna-ppo", "Cigna PPO", "Cigna Healthcare", _Kind.COMMERCIAL),
    _plan("cigna-hmo", "Cigna HMO", "Cigna Healthcare", _Kind.COMMERCIAL),
    _plan("unitedhealthcare-ppo", "UnitedHealthcare PPO", "UnitedHealthcare", _Kind.COMMERCIAL),
    _plan("unitedhealthcare-hmo", "UnitedHealthcare HMO", "UnitedHealthcare", _Kind.COMMERCIAL),
    _plan("humana-ppo", "Humana PPO", "Humana", _Kind.COMMERCIAL),
    _plan("kaiser-permanente-hmo", "Kaiser Permanente HMO", "Kaiser Permanente", _Kind.COMMERCIAL),
    _plan("tricare", "TRICARE", "Defense Health Agency", _Kind.OTHER),
    _plan(
        "va-community-care", "VA Community Care", "U.S. Department of Veterans Affairs", _Kind.OTHER
    ),
    _plan(
        "workers-compensation",
        "Workers' compensation",
        "Workers' compensation insurer",
        _Kind.OTHER,
    ),
    _plan("auto-insurance-pip", "Auto insurance (PIP / MedPay)", "Auto insurer", _Kind.OTHER),
]
