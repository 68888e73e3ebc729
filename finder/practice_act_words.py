"""A state's practice-act rule in plain words, for the state pages (/practice-acts/WA/).

The rule comes first as short sentences a patient can act on ("Physical therapists in
Washington may perform spinal manipulation only with a spinal manipulation endorsement"); the
row's own note, without the sentences every state shares, follows as the legal detail.
"""

import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from providers.models import DirectAccess, PracticeAct, Profession, Scope
from providers.reference_data import NOTES_SAID_ONCE

# Who the sentences below are about: a translation may add its article ("los ...").
WHO = {
    Profession.PHYSICAL_THERAPIST: pgettext_lazy("practice act rule", "physical therapists"),
    Profession.CHIROPRACTOR: pgettext_lazy("practice act rule", "chiropractors"),
}
WHAT = {
    "spinal_manipulation": _("spinal manipulation (a thrust to the neck, back or pelvis)"),
    "extremity_manipulation": _("manipulation of other joints, such as a shoulder, knee or ankle"),
    "manipulation_under_anesthesia": _("manipulation under anesthesia"),
}
SCOPE_SENTENCES = {
    Scope.ALLOWED: _("{Who} in {state} may perform {what}."),
    Scope.REQUIRES_ENDORSEMENT: _(
        "{Who} in {state} may perform {what} only with an extra endorsement or certification "
        "on top of their licence."
    ),
    Scope.RESTRICTED: _(
        "{What} by {who} is restricted or disputed in {state}: ask the state board before "
        "relying on it."
    ),
    Scope.PROHIBITED: _("{Who} in {state} may not perform {what}."),
    Scope.UNKNOWN: _(
        "The sources we consulted do not say whether {who} in {state} may perform {what}."
    ),
}
# Said after an "allowed" graded low: an absence of evidence, not a confirmation.
NOTHING_FOUND = _("No restriction was found in the sources we consulted; none confirmed it either.")
ACCESS_SENTENCES = {
    DirectAccess.UNRESTRICTED: _("You can see a physical therapist without a referral."),
    DirectAccess.PROVISIONAL: _(
        "You can see a physical therapist without a referral, within limits such as a cap on "
        "days or visits; the sources we consulted do not detail {state}'s limits."
    ),
    DirectAccess.LIMITED: _(
        "Without a referral, a physical therapist may only evaluate you or treat you in a few "
        "narrow situations."
    ),
    DirectAccess.UNKNOWN: _("The sources we consulted do not say whether you need a referral."),
}
CHIROPRACTOR_ACCESS = _("You never need a referral to see a chiropractor.")


def scope_sentence(scope: str, *, profession: str, service: str, state_name: str) -> str:
    who, what = str(WHO[Profession(profession)]), str(WHAT[service])
    return str(SCOPE_SENTENCES[Scope(scope)]).format(
        who=who, Who=who.capitalize(), what=what, What=what.capitalize(), state=state_name
    )


def plain_rule(act: PracticeAct, state_name: str) -> list[str]:
    """The rule for one profession in one state, one sentence per service and for access."""
    sentences = []
    for service in WHAT:
        scope = getattr(act, service)
        sentence = scope_sentence(
            scope, profession=act.profession, service=service, state_name=state_name
        )
        if (
            act.profession == Profession.PHYSICAL_THERAPIST
            and service == "spinal_manipulation"
            and scope == Scope.ALLOWED
            and act.confidence == "L"
        ):
            sentence += f" {NOTHING_FOUND}"
        sentences.append(sentence)
    if act.profession == Profession.CHIROPRACTOR:
        sentences.append(str(CHIROPRACTOR_ACCESS))
    else:
        access = ACCESS_SENTENCES[DirectAccess(act.direct_access)]
        sentences.append(str(access).format(state=state_name))
    return sentences


def state_specific_note(note: str) -> str:
    """A row's note without the sentences the page says once for every state."""
    for shared in NOTES_SAID_ONCE:
        note = note.replace(shared, " ")
    return re.sub(r"\s+", " ", note).strip()
