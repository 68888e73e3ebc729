"""A reader of gettext .po files, enough for the catalogue checks (tests/test_translations.py):
entries with their context, singular and plural ids, translations and flags."""

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text else ""


def read_po(path: Path) -> list[Entry]:
    """The live entries (obsolete "#~" ones left out), the header included as msgid ""."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if started and target is not None and target[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if target is None:
                continue
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, kind, getattr(entry, kind) + _unquote(line))
        else:
            keyword, _, value = line.partition(" ")
            # A new msgctxt or msgid after a translation starts the next entry.
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            started = True
            if keyword.startswith("msgstr["):
                index = int(keyword[7:-1])
                entry.msgstr[index] = _unquote(value)
                target = ("msgstr", index)
            elif keyword == "msgstr":
                entry.msgstr[0] = _unquote(value)
                target = ("msgstr", 0)
            else:
                setattr(entry, keyword, _unquote(value))
                target = (keyword, 0)
    finish()
    return entries
