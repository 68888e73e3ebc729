"""Progress lines for long commands: at most one every few seconds."""

import time
from collections.abc import Callable
from typing import Any, Protocol

PROGRESS_SECONDS = 5.0


def every_few_seconds(
    write: Callable[[str], object],
    describe: Callable[[Any], str],
    *,
    seconds: float | None = None,
) -> Callable[[Any], None]:
    """A progress callback that writes `describe(state)` when at least `seconds` (default
    PROGRESS_SECONDS) have passed since it was made or last wrote."""
    interval = PROGRESS_SECONDS if seconds is None else seconds
    last_write = time.monotonic()

    def report(state: Any) -> None:
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= interval:
            last_write = now
            write(describe(state))

    return report


class RowsRead(Protocol):
    rows_read: int
    rows_per_second: float


def rows_read_line(summary: RowsRead) -> str:
    return f"  {summary.rows_read:,} rows read ({summary.rows_per_second:,.0f} rows/s)"
