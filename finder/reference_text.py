"""Reference data's English text on the Spanish pages: practice-act notes sentence by sentence,
procedure labels and notes whole.

The notes are stored in English (the curators' language, and the API's). Sentences are the unit
of translation because the shipped notes are built from shared sentences (providers/
reference_data.py), so one translation serves every state that uses it; a curator's new
sentence stays in English, marked lang="en", until the catalogue has it. The catalogue holds
every shipped sentence through finder/reference_messages.py, which `write_reference_messages`
(devtools) writes from the reference data and tests/test_translations.py checks is current.
"""

import re
from collections.abc import Iterable, Iterator

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

# A sentence ends at . ! or ? followed by a space and a capital or a quote, except after the
# abbreviations of legal citations ("Teston v. Arkansas", "Tex. App. 2012").
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
ABBREVIATIONS = frozenset(
    {"v.", "Ark.", "Tex.", "Bd.", "Chiro.", "Exam'rs", "Educ.", "App.", "St."}
)


def sentences(text: str) -> list[str]:
    found, start = [], 0
    text = text.strip()
    for end in SENTENCE_END.finditer(text):
        last_word = text[start : end.start()].rsplit(" ", 1)[-1].lstrip("(")
        if last_word in ABBREVIATIONS or last_word.endswith("rs."):
            continue
        found.append(text[start : end.start()])
        start = end.end()
    found.append(text[start:])
    return [part for part in found if part]


def translated_sentences(text: str) -> Iterator[tuple[str, bool]]:
    """(sentence in the active language, whether it was translated) for each sentence."""
    for sentence in sentences(text):
        shown = gettext(sentence)
        yield shown, shown != sentence


def note_html(text: str) -> SafeString:
    """A note in the active language; a sentence the catalogue lacks stays English, marked so
    that screen readers pronounce it as English."""
    if not text:
        return SafeString("")
    if get_language() == "en":
        return format_html("{}", text)
    return format_html_join(
        " ",
        "{}",
        (
            (shown,) if translated else (format_html('<span lang="en">{}</span>', shown),)
            for shown, translated in translated_sentences(text)
        ),
    )


def reference_sentences(notes: Iterable[str]) -> list[str]:
    """Every distinct sentence of `notes`, in first-seen order."""
    seen: dict[str, None] = {}
    for note in notes:
        for sentence in sentences(note):
            seen.setdefault(sentence, None)
    return list(seen)


def shipped_reference_texts() -> list[str]:
    """The English texts the pages translate from the shipped reference data: every sentence
    of the practice-act notes, and each procedure's label and note whole."""
    from providers.reference_data import PRACTICE_ACTS, PROCEDURES

    texts = reference_sentences(row["note"] for row in PRACTICE_ACTS)
    for procedure in PROCEDURES:
        for text in (procedure["label"], *sentences(procedure["note"])):
            if text and text not in texts:
                texts.append(text)
    return texts


def reference_messages_source() -> str:
    """finder/reference_messages.py as it should read: each text in a gettext_noop() call, so
    that makemessages puts it in the catalogue."""
    calls = "".join(f"    gettext_noop({text!r}),\n" for text in shipped_reference_texts())
    return (
        '"""The shipped reference texts, for makemessages (finder/reference_text.py). Written by\n'
        '`DEVTOOLS=1 manage.py write_reference_messages`; do not edit."""\n\n'
        "from django.utils.translation import gettext_noop\n\n"
        f"REFERENCE_MESSAGES = [\n{calls}]\n"
    )
