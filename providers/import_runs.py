"""Every importer's record of itself: an ImportRun, finished or failed, with its summary."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from django.db import DatabaseError
from django.utils import timezone

from providers.models import ImportRun


class RunSummary(Protocol):
    elapsed: float

    def as_dict(self) -> dict[str, Any]: ...


@contextmanager
def recorded_import(
    *, source_name: str, summary: RunSummary, options: dict[str, Any] | None = None
) -> Iterator[float]:
    """Records the block as an ImportRun named `source_name`: failed, with the error, if it
    raises (Ctrl-C too), else finished; either way with `summary` (its `elapsed` set in
    seconds) and `options`. Yields the `time.perf_counter()` the run started at."""
    options = options or {}
    run = ImportRun.objects.create(source_name=source_name[:255], summary=options)
    started = time.perf_counter()
    try:
        yield started
    except BaseException as exc:
        summary.elapsed = time.perf_counter() - started
        failure = str(exc) or repr(exc)  # KeyboardInterrupt has no message
        finish_run(
            run, ImportRun.Status.FAILED, {**summary.as_dict(), **options, "failure": failure[:500]}
        )
        raise
    summary.elapsed = time.perf_counter() - started
    finish_run(run, ImportRun.Status.FINISHED, {**summary.as_dict(), **options})


def finish_run(run: ImportRun, status: str, summary: dict[str, Any]) -> None:
    run.status = status
    run.summary = summary
    run.finished_at = timezone.now()
    try:
        run.save(update_fields=["status", "summary", "finished_at"])
    except DatabaseError:
        if status == ImportRun.Status.FINISHED:
            raise
        # The failure being reported may have broken the connection; do not mask it.
