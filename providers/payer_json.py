"""Opening a payer's JSON file as a byte-counting stream for ijson, and placing its errors.

Plain, gzip (.gz) or the one .json inside a .zip; a parse or decompression failure becomes a
`PayerFileError` that names the byte where the parser stopped.

A file is two big top-level arrays, `in_network` and `provider_references`, in either order.
Tokenizing is most of a read's cost, so each of the importer's two passes parses only its own
array: `find_arrays` finds where each array's key is by a byte search (about six times
faster than ijson tokenizing the same bytes), and `open_section` hands the parser that stretch
of the text as an object of its own.
"""

from __future__ import annotations

import gzip
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ijson

PROGRESS_BYTES = 16 * 1024 * 1024


class PayerFileError(ValueError):
    """The file cannot be read: bad gzip or zip, bad JSON (with its byte position), or JSON
    that is not an in-network rates file (naming the field)."""


ProgressCallback = Callable[[int], None]  # bytes read so far


class BinaryReader(Protocol):
    """What the parser reads from: a zip member, a gzip stream or a plain file."""

    def read(self, size: int = -1, /) -> bytes: ...


class CountingReader:
    """A binary stream that counts the bytes handed to the parser and keeps the last block,
    so a parse error can be placed. `start` is the file position of the first byte read."""

    def __init__(
        self, raw: BinaryReader, progress: ProgressCallback | None, start: int = 0
    ) -> None:
        self.raw = raw
        self.count = start
        self.block = b""
        self.block_start = 0
        self.progress = progress
        self._next_report = start + PROGRESS_BYTES

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.block_start, self.block = self.count, data
        self.count += len(data)
        if self.progress is not None and self.count >= self._next_report:
            self._next_report = self.count + PROGRESS_BYTES
            self.progress(self.count)
        return data


def error_position(reader: CountingReader, message: str) -> int:
    """The 1-based byte of the JSON text where yajl stopped, from the context it quotes."""
    lines = message.split("\n")
    if len(lines) >= 3 and "^" in lines[2]:
        context = lines[1].lstrip(" ")
        caret = lines[2].index("^") - (len(lines[1]) - len(context))
        found = reader.block.find(context.encode()) if context else -1
        if found >= 0:
            return reader.block_start + found + max(caret, 0) + 1
    return reader.count


@contextmanager
def open_json(path: Path, *, progress: ProgressCallback | None = None) -> Iterator[Any]:
    """The file's JSON bytes as a counting stream: plain, gzip (.gz) or the .json in a .zip."""
    with open_raw(path) as raw:
        yield CountingReader(raw, progress)


@contextmanager
def open_raw(path: Path) -> Iterator[Any]:
    """The file's JSON bytes as a seekable binary stream (forward seeks of a compressed stream
    decompress and drop what they pass)."""
    name = path.name
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if m.lower().endswith(".json")]
                if len(members) != 1:
                    raise PayerFileError(
                        f"{name}: a .zip must hold exactly one .json file; it holds "
                        f"{len(members)} ({', '.join(members[:5]) or 'none'})."
                    )
                with archive.open(members[0]) as raw:
                    yield raw
        elif suffix == ".gz":
            with gzip.open(path, "rb") as raw:
                yield raw
        else:
            with path.open("rb") as raw:
                yield raw
    except zipfile.BadZipFile as exc:
        raise PayerFileError(f"{name}: not a valid zip file: {exc}") from exc


@contextmanager
def parsing_errors(path: Path, reader: CountingReader | None) -> Iterator[None]:
    """Turn parser and decompressor failures into PayerFileError with the byte position."""
    try:
        yield
    except ijson.JSONError as exc:
        message = str(exc)
        position = error_position(reader, message) if reader else 0
        first = message.split("\n", 1)[0]
        raise PayerFileError(f"{path.name}: invalid JSON near byte {position:,}: {first}") from exc
    except (gzip.BadGzipFile, EOFError, zlib.error, OSError) as exc:
        position = reader.count if reader else 0
        raise PayerFileError(
            f"{path.name}: the compressed data is broken after {position:,} bytes of JSON: {exc}"
        ) from exc


# What follows each big array's key. A negotiated rate's own `provider_references` hold group
# ids (numbers), so the top-level array is the one whose first item is an object (or which is
# empty).
ARRAY_KEYS = {
    "in_network": re.compile(rb"\s*:\s*\["),
    "provider_references": re.compile(rb"\s*:\s*\[\s*[{\]]"),
}
SCAN_BLOCK = 4 * 1024 * 1024
LOOKAHEAD = 4096  # whitespace between a key and its array's first item, at most
BACKSLASH = ord("\\")


def find_arrays(path: Path) -> dict[str, int]:
    """The byte position of each big array's key (`"in_network"`, `"provider_references"`)
    where a byte search finds it, for those it finds.

    An unescaped `"in_network"` followed by a colon is a key in valid JSON (a quote inside a
    string is escaped), so the first such key is the top-level one unless a value before it
    nests a key of that name: the passes that read a section check what they can by parsing it
    (see `read_groups`), and a file that cannot be cut falls back to a whole-file pass."""
    keys = {name: f'"{name}"'.encode() for name in ARRAY_KEYS}
    found: dict[str, int] = {}
    with open_raw(path) as raw:
        buffer, buffer_start, final = b"", 0, False
        while len(found) < len(keys) and not final:
            block = raw.read(SCAN_BLOCK)
            final = not block
            buffer += block
            for name, key in keys.items():
                at = -1 if name in found else buffer.find(key)
                while at >= 0:
                    after = at + len(key)
                    if not final and len(buffer) - after < LOOKAHEAD:
                        break  # decided with the next block, which the kept tail reaches
                    escaped = at > 0 and buffer[at - 1] == BACKSLASH
                    if not escaped and ARRAY_KEYS[name].match(buffer, after):
                        found[name] = buffer_start + at
                        break
                    at = buffer.find(key, at + 1)
            keep = max(len(key) for key in keys.values()) + LOOKAHEAD
            if len(buffer) > keep:
                buffer_start += len(buffer) - keep
                buffer = buffer[-keep:]
    return found


IN_NETWORK = "in_network"
PROVIDER_REFERENCES = "provider_references"
# What closes a section cut short before the other array's key: that array, empty.
EMPTY = {IN_NETWORK: b'"in_network": []}', PROVIDER_REFERENCES: b'"provider_references": []}'}


class ArrayLayout:
    """Where a file's two big arrays start, as far as a byte search found them, and whether a
    pass has parsed a section cut at those positions (which a nested key of the same name
    would have made invalid JSON)."""

    def __init__(self, found: dict[str, int]) -> None:
        self.found = found
        self.checked = False

    @classmethod
    def of(cls, path: Path, *, search: bool = True) -> ArrayLayout:
        """The layout a byte search finds; with `search` false, none (read the file whole)."""
        return cls(find_arrays(path) if search else {})

    def section(self, array: str) -> Section | None:
        """The stretch of text holding `array`: from its key to the other array's key if
        that comes later, else to the end."""
        start = self.found.get(array)
        if start is None:
            return None
        other = PROVIDER_REFERENCES if array == IN_NETWORK else IN_NETWORK
        end = self.found.get(other)
        if end is not None and end > start:
            return Section(start, end, EMPTY[other])
        return Section(start)

    def forget(self) -> None:
        self.found = {}


@dataclass(frozen=True)
class Section:
    """Bytes `start` up to `end` (None: the end of the text) of a file's JSON, read as an
    object: `{` before them and, where the text is cut short, `closing` after them."""

    start: int
    end: int | None = None
    closing: bytes = b""


class SectionReader:
    """A section of the raw stream, framed to parse as a JSON object of its own."""

    def __init__(self, raw: BinaryReader, section: Section) -> None:
        self.raw = raw
        self.remaining = None if section.end is None else section.end - section.start
        self.pending = [b"{"]
        self.closing = section.closing

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing first, to learn whether the stream is bytes
            return b""
        if self.pending:
            return self.pending.pop()
        if self.remaining == 0:
            closing, self.closing = self.closing, b""
            return closing
        if self.remaining is not None:
            size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.raw.read(size)
        if self.remaining is not None:
            self.remaining = self.remaining - len(data) if data else 0
        return data


@contextmanager
def open_section(
    path: Path, section: Section, *, progress: ProgressCallback | None = None
) -> Iterator[CountingReader]:
    """A counting stream of one section: positions (for errors and progress) are the file's,
    counting the `{` in front as the byte before the section."""
    with open_raw(path) as raw:
        raw.seek(section.start)
        yield CountingReader(SectionReader(raw, section), progress, start=section.start - 1)
