"""An anonymous, informational pre-screen for joint manipulation.

The questions and rules come from the project's domain reference, section 6 (contraindications
and red flags), and every rule names the sources behind it. Where a commonly quoted rule has no
direct source (spinal fusion "within a year", age limits, "impaired judgment") the text says so
rather than inventing one.

Three levels, most serious first:

* ``avoid_region`` - an *absolute* contraindication in [MBPM]/[PMC]: manipulation of that body
  area should be avoided (and for some answers, medical help is needed now: ``urgent``).
* ``talk_first`` - a *relative* contraindication, precaution or red flag in [PMC]/[BP9]/[BMC]/
  [OSU], or an answer of "not sure": talk to a healthcare professional before manipulation.
* ``no_flags`` - nothing on the lists we checked. Not a clearance.

Pure functions, no database, no logging: nothing here stores or records the answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from finder.safety_questions import (  # noqa: F401  (re-exported: the check's public names)
    AVOID_REGION,
    MOBILIZATION_SOURCES,
    NO,
    NO_FLAGS,
    NOT_SURE,
    QUESTIONS,
    QUESTIONS_BY_KEY,
    SOURCES,
    TALK_FIRST,
    YES,
    Answer,
    Level,
    Question,
    Source,
    sources_for,
)

ANSWER_CHOICES: list[tuple[str, str]] = [(YES, "Yes"), (NO, "No"), (NOT_SURE, "Not sure")]
_ANSWER_LABELS = dict(ANSWER_CHOICES)

LEVEL_LABELS: dict[str, str] = {
    AVOID_REGION: "Avoid manipulation of this area",
    TALK_FIRST: "Talk to your healthcare professional first",
    NO_FLAGS: "No warning signs in your answers",
}
_LEVEL_RANK: dict[str, int] = {NO_FLAGS: 0, TALK_FIRST: 1, AVOID_REGION: 2}

# Our own conservative choice, not a sourced rule: none of the section-6 sources sets an age
# limit. See _age_finding for the wording shown to users.
ADULT_AGE = 18
OLDER_ADULT_AGE = 65
MAX_AGE = 120

NOT_A_DIAGNOSIS = (
    "This is not a diagnosis and not medical advice. It is a plain-language summary of "
    "published lists of reasons to avoid or delay joint manipulation. Only a healthcare "
    "professional who knows your history and examines you can say what is safe for you. "
    "Your answers are not stored or logged."
)

MOBILIZATION_NOTE = (
    "Mobilization is a gentler option: the clinician moves a joint slowly and repeatedly within "
    "a comfortable range, with no quick thrust, and can stop at any moment. It sits at the "
    "gentle end of the same range of hands-on techniques as thrust manipulation."
)


_NOT_SURE_LEAD = (
    "You were not sure. Ask a healthcare professional to check this before any manipulation. "
)
_NOT_SURE_URGENT = " If you do have these symptoms, get medical help promptly."
_LOW_FORCE = (
    "Ask about gentle mobilization or other low-force techniques instead of a high-velocity thrust."
)


@dataclass(frozen=True)
class Finding:
    """What one answer means. Only answers that raise a flag become findings."""

    key: str
    title: str
    answer: str  # "yes", "not_sure", or "age"
    answer_label: str
    level: Level
    region: str
    explanation: str
    sources: tuple[Source, ...]
    gentler_option: str = ""
    urgent_advice: str = ""

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def sourced(self) -> bool:
        return bool(self.sources)


@dataclass(frozen=True)
class Assessment:
    level: Level
    urgent: bool
    headline: str
    summary: str
    findings: tuple[Finding, ...]  # most serious first, then in question order
    urgent_advice: tuple[str, ...]
    regions_to_avoid: tuple[str, ...]
    gentler_options: tuple[str, ...]
    sources: tuple[Source, ...]  # every source cited by a finding, without duplicates
    disclaimer: str = NOT_A_DIAGNOSIS
    mobilization_note: str = ""

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


_HEADLINES: dict[str, tuple[str, str]] = {
    AVOID_REGION: (
        "Manipulation of some areas should be avoided",
        "At least one answer is on the published lists of reasons not to manipulate a body "
        "area. The areas are named below. Talk to a healthcare professional before any "
        "hands-on treatment.",
    ),
    TALK_FIRST: (
        "Talk to your healthcare professional first",
        "Some answers are precautions, or you were not sure. Manipulation may still be "
        "possible, but a healthcare professional should check these first and may suggest a "
        "gentler technique.",
    ),
    NO_FLAGS: (
        "No warning signs in your answers",
        "None of your answers are on the published lists we checked. That is not a clearance: "
        "a clinician will still ask about your health and examine you before treating, and "
        "you can ask to stop at any time.",
    ),
}


def _answer_finding(question: Question, answer: str) -> Finding | None:
    if answer == NO:
        return None
    if answer == YES:
        return Finding(
            key=question.key,
            title=question.title,
            answer=YES,
            answer_label=_ANSWER_LABELS[YES],
            level=question.level_if_yes,
            region=question.region,
            explanation=question.explanation,
            sources=question.sources,
            gentler_option=question.gentler_option,
            urgent_advice=question.urgent_advice,
        )
    # "Not sure" is treated as a precaution, never as an all-clear and never as an emergency.
    explanation = _NOT_SURE_LEAD + question.explanation
    if question.urgent:
        explanation += _NOT_SURE_URGENT
    return Finding(
        key=question.key,
        title=question.title,
        answer=NOT_SURE,
        answer_label=_ANSWER_LABELS[NOT_SURE],
        level=TALK_FIRST,
        region=question.region,
        explanation=explanation,
        sources=question.sources,
        gentler_option=question.gentler_option,
    )


def _age_finding(age: int | None) -> Finding | None:
    # No section-6 source sets an age limit; this precaution is our own and says so.
    if age is None or ADULT_AGE <= age < OLDER_ADULT_AGE:
        return None
    if age >= OLDER_ADULT_AGE:
        return Finding(
            key="age",
            title=f"Age {OLDER_ADULT_AGE} or older",
            answer="age",
            answer_label=f"{OLDER_ADULT_AGE} or older",
            level=TALK_FIRST,
            region="any area to be treated",
            explanation=(
                "Our sources do not set an age limit. We suggest checking first as our own "
                "conservative choice, because thinned bone, which the sources list as a "
                "precaution, becomes more common with age."
            ),
            sources=sources_for("PMC", "BP9"),
            gentler_option=_LOW_FORCE,
        )
    return Finding(
        key="age",
        title=f"Under {ADULT_AGE}",
        answer="age",
        answer_label=f"Under {ADULT_AGE}",
        level=TALK_FIRST,
        region="any area to be treated",
        explanation=(
            "Our sources do not set an age limit. For children and teenagers we suggest that a "
            "parent or guardian talks with a healthcare professional first. This is our own "
            "conservative choice, not a rule from the sources."
        ),
        sources=(),
        gentler_option=_LOW_FORCE,
    )


_T = TypeVar("_T")


def _unique(items: list[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def assess(answers: Mapping[str, str], age: int | None = None) -> Assessment:
    """Map pre-screen answers to informational advice.

    ``answers`` maps question keys to ``"yes"``, ``"no"`` or ``"not_sure"``; a question that is
    missing counts as ``"not_sure"`` (we cannot rule it out). ``age`` is in whole years and
    optional. Raises ``ValueError`` for an unknown key, an unknown answer or an age outside
    0-120. The result is advisory, never a diagnosis; nothing is stored or logged.
    """
    unknown = sorted(set(answers) - set(QUESTIONS_BY_KEY))
    if unknown:
        raise ValueError(f"unknown question(s): {', '.join(unknown)}")
    if age is not None and not 0 <= age <= MAX_AGE:
        raise ValueError(f"age must be between 0 and {MAX_AGE}")

    findings: list[Finding] = []
    for question in QUESTIONS:
        answer = answers.get(question.key, NOT_SURE)
        if answer not in _ANSWER_LABELS:
            raise ValueError(f"{question.key}: answer must be yes, no or not_sure")
        finding = _answer_finding(question, answer)
        if finding is not None:
            findings.append(finding)
    age_finding = _age_finding(age)
    if age_finding is not None:
        findings.append(age_finding)

    # Stable sort: most serious first, question order within a level.
    findings.sort(key=lambda finding: -_LEVEL_RANK[finding.level])
    level: Level = findings[0].level if findings else NO_FLAGS
    headline, summary = _HEADLINES[level]
    gentler = _unique([f.gentler_option for f in findings if f.gentler_option])
    return Assessment(
        level=level,
        urgent=any(f.urgent_advice for f in findings),
        headline=headline,
        summary=summary,
        findings=tuple(findings),
        urgent_advice=_unique([f.urgent_advice for f in findings if f.urgent_advice]),
        regions_to_avoid=_unique([f.region for f in findings if f.level == AVOID_REGION]),
        gentler_options=gentler,
        sources=_unique(
            [source for f in findings for source in f.sources]
            + (list(MOBILIZATION_SOURCES) if gentler else [])
        ),
        mobilization_note=MOBILIZATION_NOTE if gentler else "",
    )
