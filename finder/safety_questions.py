"""The safety check's questions, the rule each "yes" triggers, and the sources behind them.

Plain data from the project's domain reference, section 6 (contraindications and red flags);
`finder.safety` turns answers into an assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["avoid_region", "talk_first", "no_flags"]
Answer = Literal["yes", "no", "not_sure"]

AVOID_REGION: Level = "avoid_region"
TALK_FIRST: Level = "talk_first"
NO_FLAGS: Level = "no_flags"

YES: Answer = "yes"
NO: Answer = "no"
NOT_SURE: Answer = "not_sure"


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str


SOURCES: dict[str, Source] = {
    source.key: source
    for source in (
        Source(
            "MBPM",
            "Medicare Benefit Policy Manual, chiropractic services (section 240.1), archived copy",
            "https://old.bansdoc.gov.bd/eBook/42/files/basic-html/page244.html",
        ),
        Source(
            "PMC",
            "Table of contraindications to spinal manipulation (CMS-derived), PubMed Central "
            "PMC1116959",
            "https://pmc.ncbi.nlm.nih.gov/articles/PMC1116959/table/array1",
        ),
        Source(
            "BP9",
            "Best-practice recommendations for chiropractic care, Table 9 (chiro.org)",
            "https://chiro.org/Graphics_Box_RESEARCH/GRAPHICS_19/BEST_PRACTICES/Table_9.html",
        ),
        Source(
            "BMC",
            "BMC Musculoskeletal Disorders (2019), article s12891-019-2871-y, Table 3",
            "https://bmcmusculoskeletdisord.biomedcentral.com/articles/"
            "10.1186/s12891-019-2871-y/tables/3",
        ),
        Source(
            "OSU",
            "Cervical manipulation clinical practice guidelines (document copy)",
            "https://vdocument.in/cervical-manipulation-clinical-practice-guidelines.html",
        ),
        Source(
            "MSK",
            "The nonmanipulable subluxation (Musculoskeletal Key)",
            "https://musculoskeletalkey.com/the-nonmanipulable-subluxation",
        ),
        Source(
            "APTA-WP",
            "Physical therapists and the direction of mobilization/manipulation: an educational "
            "resource paper (APTA)",
            "https://docslib.org/doc/8034593/physical-therapists-and-direction-of-mobilization-"
            "manipulation-an-educational-resource-paper",
        ),
    )
}


def sources_for(*keys: str) -> tuple[Source, ...]:
    return tuple(SOURCES[key] for key in keys)


# APTA describes mobilization and thrust manipulation as one continuum of skilled passive
# movement ("non-thrust" and "thrust") [APTA-WP].
MOBILIZATION_SOURCES = sources_for("APTA-WP")


@dataclass(frozen=True)
class Question:
    """One yes / no / not sure question and the rule its "yes" triggers."""

    key: str
    title: str  # short name shown in the result
    text: str  # the question, in plain language
    help: str
    level_if_yes: Level
    region: str  # which body area the advice is about
    explanation: str  # why, in plain language, with the sourced basis
    sources: tuple[Source, ...]
    gentler_option: str = ""  # a gentler alternative, where one is appropriate
    urgent_advice: str = ""  # set only for red flags that need medical help now

    @property
    def urgent(self) -> bool:
        return bool(self.urgent_advice)


QUESTIONS: tuple[Question, ...] = (
    Question(
        key="fracture_or_dislocation",
        title="Recent fracture, dislocation or unstable joint",
        text=(
            "Have you recently broken a bone or dislocated a joint in the area you want "
            "treated, or been told that a joint or ligament there is unstable or torn?"
        ),
        help=(
            "Include a break or dislocation that has healed but left the joint loose, and any "
            "recent serious injury to that area, such as from a fall or a car crash."
        ),
        level_if_yes=AVOID_REGION,
        region="the injured area",
        explanation=(
            "A fresh fracture or dislocation, a healed one that left the joint unstable, and "
            "torn or loose ligaments are on the published lists of reasons not to manipulate "
            "that area at all. Recent injury is also listed as a red flag. A clinician should "
            "check the injury, sometimes with imaging, before any hands-on treatment there."
        ),
        sources=sources_for("MBPM", "PMC", "BMC", "OSU"),
        gentler_option=(
            "Once a clinician has confirmed that the area has healed and is stable, gentle "
            "mobilization or guided exercise may be an option."
        ),
    ),
    Question(
        key="neck_artery_signs",
        title="Possible signs of a neck-artery problem",
        text=(
            "Have you recently had sudden, severe neck pain or a headache unlike any before, "
            "especially with dizziness, double or blurred vision, trouble speaking or "
            "swallowing, a drooping face, numbness on one side, or fainting?"
        ),
        help=(
            "These can be signs of a tear in an artery in the neck or of reduced blood flow to "
            "the brain."
        ),
        level_if_yes=AVOID_REGION,
        region="the neck (no neck thrust manipulation)",
        explanation=(
            "Reduced blood flow through the arteries at the back of the neck (vertebrobasilar "
            "insufficiency) is listed as a reason not to manipulate the neck, and a suspected "
            "tear of a neck artery is a red flag."
        ),
        sources=sources_for("MBPM", "PMC", "BMC", "OSU"),
        urgent_advice=(
            "Sudden symptoms like these can be signs of a stroke or a torn neck artery. Call "
            "911 (or your local emergency number) or go to an emergency department now. Do not "
            "wait for a manipulation appointment."
        ),
    ),
    Question(
        key="aneurysm",
        title="Known aneurysm or artery disease",
        text=(
            "Has a doctor told you that you have an aneurysm (a bulging artery), or a tear or "
            "narrowing of an artery in your neck?"
        ),
        help=(
            "For example an aneurysm of the aorta in the chest or belly, or a problem with the "
            "carotid or vertebral arteries in the neck."
        ),
        level_if_yes=AVOID_REGION,
        region="the area near that artery (for a neck artery, the neck)",
        explanation=(
            "A significant aneurysm of a major artery near the treated area is listed as a "
            "reason not to manipulate that area, and problems with the arteries that supply "
            "the brain rule out neck manipulation. An aortic aneurysm that is not stable is "
            "also listed as a precaution."
        ),
        sources=sources_for("MBPM", "PMC", "BP9"),
        gentler_option=(
            "Ask the doctor who follows the artery problem which hands-on treatments are safe; "
            "gentle mobilization of areas away from the artery may be possible."
        ),
    ),
    Question(
        key="inflammatory_flare",
        title="Inflammatory arthritis flare",
        text=(
            "Do you have rheumatoid arthritis, ankylosing spondylitis or another inflammatory "
            "arthritis that is flaring up right now?"
        ),
        help=(
            "A flare usually means joints that are hot, swollen, very stiff or more painful "
            "than usual. If you have one of these conditions but it is not flaring, answer No, "
            "and still tell your clinician about it."
        ),
        level_if_yes=AVOID_REGION,
        region="the inflamed joints or spine",
        explanation=(
            "Acute inflammatory arthritis, such as rheumatoid arthritis or ankylosing "
            "spondylitis, is listed as a reason not to manipulate the affected joints. Even "
            "between flares, a history of inflammatory disease is listed as a precaution."
        ),
        sources=sources_for("MBPM", "PMC", "BP9"),
        gentler_option=(
            "Between flares, and with your rheumatology team's agreement, gentle mobilization "
            "and exercise may be options."
        ),
    ),
    Question(
        key="worsening_nerve_symptoms",
        title="Worsening numbness, tingling or weakness",
        text=(
            "Is numbness, tingling or weakness in your arms or legs getting worse, or have you "
            "become clumsy with your hands or unsteady when walking?"
        ),
        help=(
            "We mean symptoms that are spreading or getting worse over days or weeks, not a "
            "familiar ache that comes and goes."
        ),
        level_if_yes=AVOID_REGION,
        region="the spine",
        explanation=(
            "Worsening nerve function and signs that the spinal cord is being squeezed "
            "(myelopathy) are listed as reasons not to manipulate the spine, and nerve-root "
            "symptoms that keep progressing are a precaution. A physician should find the "
            "cause first."
        ),
        sources=sources_for("MBPM", "PMC", "BP9", "BMC"),
        urgent_advice=(
            "Nerve symptoms that keep getting worse need a medical check soon: contact your "
            "doctor today or go to urgent care. If weakness comes on suddenly, call 911."
        ),
    ),
    Question(
        key="bladder_bowel",
        title="Bladder or bowel changes, or saddle numbness",
        text=(
            "Since your back or leg pain began, have you had new trouble controlling or "
            "emptying your bladder or bowels, or numbness between your legs or around your "
            "bottom?"
        ),
        help="Numbness in that area is sometimes called saddle numbness.",
        level_if_yes=AVOID_REGION,
        region="the low back",
        explanation=(
            "These are signs of cauda equina syndrome, where the nerves at the base of the "
            "spine are squeezed. It is listed as a reason not to manipulate, and it needs "
            "emergency medical care."
        ),
        sources=sources_for("MBPM", "PMC", "BMC"),
        urgent_advice=(
            "New bladder or bowel problems or saddle numbness with back pain can be a medical "
            "emergency (cauda equina syndrome). Go to an emergency department now."
        ),
    ),
    Question(
        key="osteoporosis",
        title="Osteoporosis, thin bones or long-term steroids",
        text=(
            "Have you been told you have osteoporosis or thin bones, or have you taken steroid "
            "tablets (such as prednisone) for months at a time?"
        ),
        help="Bone thinning is usually found with a bone-density (DEXA) scan.",
        level_if_yes=TALK_FIRST,
        region="any area to be treated",
        explanation=(
            "Thinned (demineralized) bone, severe osteoporosis and long-term steroid use are "
            "listed as precautions: depending on how severe it is, a forceful thrust may not "
            "be safe."
        ),
        sources=sources_for("PMC", "BP9", "BMC"),
        gentler_option=(
            "Ask about gentle mobilization or other low-force techniques instead of a "
            "high-velocity thrust."
        ),
    ),
    Question(
        key="blood_thinners",
        title="Blood thinners or a bleeding disorder",
        text=(
            "Do you take a blood thinner (such as warfarin, apixaban, rivaroxaban, dabigatran "
            "or heparin injections), or do you have a bleeding disorder such as hemophilia?"
        ),
        help="Do not stop or change a blood thinner on your own because of this check.",
        level_if_yes=TALK_FIRST,
        region="any area to be treated",
        explanation=(
            "Blood thinners (anticoagulants) and bleeding disorders are listed as precautions, "
            "because bleeding and bruising happen more easily."
        ),
        sources=sources_for("PMC", "BP9", "BMC"),
        gentler_option=(
            "Ask about gentle mobilization or other low-force techniques instead of a "
            "high-velocity thrust."
        ),
    ),
    Question(
        key="spinal_fusion",
        title="Spinal fusion or other recent surgery",
        text=(
            "Have you had spinal fusion surgery in the last 12 months, or any other recent "
            "surgery on your spine or on the joint you want treated?"
        ),
        help=(
            "If your fusion was longer ago, answer No, but tell your clinician where it is: "
            "the fused part itself should not be manipulated."
        ),
        level_if_yes=TALK_FIRST,
        region="the operated area (a fused segment should not be manipulated at all)",
        explanation=(
            "Our sources list recent surgery as a red flag and joints that are inflamed or "
            "unstable after surgery as a precaution, and they say a surgically fused segment "
            "should not be manipulated. The 12-month window is a commonly quoted rule of thumb "
            "that none of our sources states; we ask about it to be cautious."
        ),
        sources=sources_for("BMC", "PMC", "BP9", "MSK"),
        gentler_option=(
            "Ask your surgeon when hands-on treatment is safe; gentle mobilization of areas "
            "away from the surgery may be an option."
        ),
    ),
    Question(
        key="cannot_give_feedback",
        title="Difficulty giving feedback or consent",
        text=(
            "Would it be hard for you to tell the clinician during treatment that something "
            "hurts or feels wrong, or to understand and agree to the treatment?"
        ),
        help=(
            "For example because of a language barrier without an interpreter, memory "
            "problems, or medicines that make you drowsy. Answer for the person who would be "
            "treated."
        ),
        level_if_yes=TALK_FIRST,
        region="any area to be treated",
        explanation=(
            "Manipulation needs your informed consent and your feedback during treatment. Our "
            "sources list a patient who cannot give consent as a red flag. Lists often add "
            "'impaired judgment', but our sources do not; consent is the closest sourced item, "
            "so that is what we ask about."
        ),
        sources=sources_for("OSU"),
        gentler_option=(
            "Bring an interpreter, family member or carer, and ask about slow, gentle "
            "mobilization that can be stopped at any moment."
        ),
    ),
)

QUESTIONS_BY_KEY: dict[str, Question] = {question.key: question for question in QUESTIONS}
