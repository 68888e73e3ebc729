"""Opening a payer's JSON file as a byte-counting stream for ijson, and placing its errors.

Plain, gzip (.gz) or the one .json inside a .zip; a parse or decompression failure becomes a
`PayerFileError` that names the byte where the parser stopped.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    so a parse error can be placed."""

    def __init__(self, raw: BinaryReader, progress: ProgressCallback | None) -> None:
        self.raw = raw
        self.count = 0
        self.block = b""
        self.block_start = 0
        self.progress = progress
        self._next_report = PROGRESS_BYTES

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
                    yield CountingReader(raw, progress)
        elif suffix == ".gz":
            with gzip.open(path, "rb") as raw:
                yield CountingReader(raw, progress)
        else:
            with path.open("rb") as raw:
                yield CountingReader(raw, progress)
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
