"""Pure tests of the safety pre-screen rules (no database)."""

import pytest

from finder.safety import (
    ADULT_AGE,
    AVOID_REGION,
    NO_FLAGS,
    NOT_A_DIAGNOSIS,
    OLDER_ADULT_AGE,
    QUESTIONS,
    QUESTIONS_BY_KEY,
    SOURCES,
    TALK_FIRST,
    assess,
)

ALL_NO = {question.key: "no" for question in QUESTIONS}
REFERENCE_KEYS = {"MBPM", "PMC", "BP9", "BMC", "OSU", "MSK"}


def answers(**overrides: str) -> dict[str, str]:
    return {**ALL_NO, **overrides}


# Each question's "yes": expected level, region, urgency and whether a gentler option is offered.
YES_TABLE = [
    ("fracture_or_dislocation", AVOID_REGION, "the injured area", False, True),
    ("neck_artery_signs", AVOID_REGION, "the neck (no neck thrust manipulation)", True, False),
    (
        "aneurysm",
        AVOID_REGION,
        "the area near that artery (for a neck artery, the neck)",
        False,
        True,
    ),
    ("inflammatory_flare", AVOID_REGION, "the inflamed joints or spine", False, True),
    ("worsening_nerve_symptoms", AVOID_REGION, "the spine", True, False),
    ("bladder_bowel", AVOID_REGION, "the low back", True, False),
    ("osteoporosis", TALK_FIRST, "any area to be treated", False, True),
    ("blood_thinners", TALK_FIRST, "any area to be treated", False, True),
    (
        "spinal_fusion",
        TALK_FIRST,
        "the operated area (a fused segment should not be manipulated at all)",
        False,
        True,
    ),
    ("cannot_give_feedback", TALK_FIRST, "any area to be treated", False, True),
]


def test_the_table_covers_every_question():
    assert [row[0] for row in YES_TABLE] == [question.key for question in QUESTIONS]


@pytest.mark.parametrize(("key", "level", "region", "urgent", "gentler"), YES_TABLE)
def test_each_yes_maps_to_its_level_region_and_urgency(key, level, region, urgent, gentler):
    result = assess(answers(**{key: "yes"}), age=40)

    assert result.level == level
    assert result.urgent is urgent
    [finding] = result.findings
    assert (finding.key, finding.answer, finding.level, finding.region) == (
        key,
        "yes",
        level,
        region,
    )
    assert bool(finding.gentler_option) is gentler
    assert result.regions_to_avoid == ((region,) if level == AVOID_REGION else ())
    assert finding.sources, "every question's rule cites at least one source"


@pytest.mark.parametrize("key", [question.key for question in QUESTIONS])
def test_not_sure_is_treated_as_talk_first_and_never_urgent(key):
    result = assess(answers(**{key: "not_sure"}), age=40)

    assert result.level == TALK_FIRST
    assert result.urgent is False
    assert result.regions_to_avoid == ()
    [finding] = result.findings
    assert finding.answer == "not_sure"
    assert finding.answer_label == "Not sure"
    assert finding.explanation.startswith("You were not sure.")


def test_not_sure_on_a_red_flag_question_still_says_to_get_help_if_symptoms_are_present():
    finding = assess(answers(bladder_bowel="not_sure")).findings[0]
    assert "If you do have these symptoms, get medical help promptly." in finding.explanation


def test_all_no_answers_give_no_flags():
    result = assess(ALL_NO, age=40)

    assert result.level == NO_FLAGS
    assert result.headline == "No warning signs in your answers"
    assert "not a clearance" in result.summary
    assert result.findings == ()
    assert result.urgent is False
    assert result.urgent_advice == ()
    assert result.regions_to_avoid == ()
    assert result.gentler_options == ()
    assert result.mobilization_note == ""
    assert result.sources == ()


def test_all_no_without_an_age_gives_no_flags():
    assert assess(ALL_NO).level == NO_FLAGS


@pytest.mark.parametrize(
    ("age", "level", "title"),
    [
        (0, TALK_FIRST, f"Under {ADULT_AGE}"),
        (ADULT_AGE - 1, TALK_FIRST, f"Under {ADULT_AGE}"),
        (ADULT_AGE, NO_FLAGS, None),
        (40, NO_FLAGS, None),
        (OLDER_ADULT_AGE - 1, NO_FLAGS, None),
        (OLDER_ADULT_AGE, TALK_FIRST, f"Age {OLDER_ADULT_AGE} or older"),
        (120, TALK_FIRST, f"Age {OLDER_ADULT_AGE} or older"),
        (None, NO_FLAGS, None),
    ],
)
def test_age_boundaries(age, level, title):
    result = assess(ALL_NO, age=age)

    assert result.level == level
    assert [finding.title for finding in result.findings] == ([title] if title else [])
    assert result.urgent is False


def test_boundary_ages_match_the_documented_thresholds():
    assert (ADULT_AGE, OLDER_ADULT_AGE) == (18, 65)


def test_the_age_precaution_says_it_is_our_own_choice_not_a_sourced_rule():
    older = assess(ALL_NO, age=70).findings[0]
    younger = assess(ALL_NO, age=12).findings[0]

    assert "Our sources do not set an age limit" in older.explanation
    assert "conservative choice" in older.explanation
    assert "not a rule from the sources" in younger.explanation
    assert younger.sources == ()
    assert younger.sourced is False


def test_spinal_fusion_is_honest_that_the_twelve_month_window_is_not_sourced():
    finding = assess(answers(spinal_fusion="yes")).findings[0]

    assert "none of our sources states" in finding.explanation
    assert "fused segment should not be manipulated" in finding.explanation
    assert "MSK" in {source.key for source in finding.sources}


@pytest.mark.parametrize(
    ("key", "phrase"),
    [
        ("bladder_bowel", "Go to an emergency department now."),
        ("neck_artery_signs", "Call 911"),
        ("worsening_nerve_symptoms", "contact your doctor today or go to urgent care"),
    ],
)
def test_red_flags_are_urgent_with_emergency_advice(key, phrase):
    result = assess(answers(**{key: "yes"}))

    assert result.urgent is True
    assert result.level == AVOID_REGION
    assert any(phrase in advice for advice in result.urgent_advice)


def test_the_most_serious_answer_decides_the_level_and_comes_first():
    result = assess(
        answers(osteoporosis="yes", inflammatory_flare="yes", blood_thinners="not_sure"), age=70
    )

    assert result.level == AVOID_REGION
    assert [finding.key for finding in result.findings] == [
        "inflammatory_flare",
        "osteoporosis",
        "blood_thinners",
        "age",
    ]
    assert result.regions_to_avoid == ("the inflamed joints or spine",)


def test_gentler_options_and_sources_are_listed_once():
    result = assess(answers(osteoporosis="yes", blood_thinners="yes"))

    assert len(result.gentler_options) == 1
    assert "gentle mobilization" in result.gentler_options[0]
    assert "Mobilization is a gentler option" in result.mobilization_note
    keys = [source.key for source in result.sources]
    assert len(keys) == len(set(keys))
    assert "APTA-WP" in keys


def test_no_gentler_option_is_suggested_for_emergencies():
    result = assess(answers(bladder_bowel="yes", neck_artery_signs="yes"))

    assert result.gentler_options == ()
    assert result.mobilization_note == ""


def test_missing_answers_count_as_not_sure():
    result = assess({}, age=40)

    assert result.level == TALK_FIRST
    assert {finding.answer for finding in result.findings} == {"not_sure"}
    assert len(result.findings) == len(QUESTIONS)


def test_every_result_carries_the_not_a_diagnosis_disclaimer():
    disclaimer = assess(ALL_NO).disclaimer
    assert disclaimer == NOT_A_DIAGNOSIS
    assert disclaimer.startswith("This is not a diagnosis")
    assert "not stored" in disclaimer


@pytest.mark.parametrize(
    ("given", "age", "message"),
    [
        ({"favourite_color": "yes"}, None, "unknown question"),
        ({"osteoporosis": "maybe"}, None, "answer must be yes, no or not_sure"),
        ({}, -1, "age must be between 0 and 120"),
        ({}, 121, "age must be between 0 and 120"),
    ],
)
def test_it_rejects_bad_input(given, age, message):
    with pytest.raises(ValueError, match=message):
        assess({**ALL_NO, **given}, age=age)


def test_rules_cite_only_sources_from_the_reference_list():
    cited = {source.key for question in QUESTIONS for source in question.sources}

    assert cited <= REFERENCE_KEYS
    assert cited == REFERENCE_KEYS  # and each contraindication source is used somewhere
    for key in REFERENCE_KEYS:
        assert SOURCES[key].url.startswith("https://")


def test_question_keys_are_unique_and_indexed():
    assert len(QUESTIONS_BY_KEY) == len(QUESTIONS)
