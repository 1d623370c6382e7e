"""A progress bar for long work (import, export, backup), drawn only when it helps.

The bar draws on another thread; what it shows (a file name, a title) goes in
through `safe` and as text, never markup, like every user text.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from coursetrack.render.console import _is_tty, safe, stderr

if TYPE_CHECKING:
    import threading

    from rich.progress import Progress, TaskID


#: Seconds of work before a bar appears (tests set 0 to see one at once).
PROGRESS_AFTER_ENV = "COURSETRACK_PROGRESS_AFTER"
PROGRESS_AFTER = 1.0


class Tracker:
    """Handed to a service as its `progress` callback: told (done, total) as work goes.

    The bar itself is drawn only once the work has run longer than the delay
    (a timer starts it, so a long step with no callback still shows a moving
    bar), on stderr, and only when both stdout and stderr are terminals: never
    in a pipe or a redirect, not even one of stdout alone, and never in a test's
    captured output. It is erased when the work ends, leaving the command's own
    one-line summary.
    """

    def __init__(self, description: str, *, enabled: bool) -> None:
        import threading

        self.description = safe(description, one_line=True)
        self.shown = False
        self._console = stderr()
        self._enabled = (
            enabled
            and _is_tty(sys.stdout)
            and _is_tty(sys.stderr)
            and not self._console.is_dumb_terminal
        )
        self._lock = threading.Lock()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._done: int = 0
        self._total: int | None = None
        self._timer: threading.Timer | None = None
        if self._enabled:
            after = _progress_after()
            if after == 0:  # at once, not on a timer's thread that a quick job may finish before
                self._show()
                return
            self._timer = threading.Timer(after, self._show)
            self._timer.daemon = True
            self._timer.start()

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self._done, self._total = done, total
            if self._bar is not None and self._task is not None:  # set together
                self._bar.update(self._task, completed=done, total=total)

    def describe(self, description: str) -> None:
        """Name the step under way (e.g. "writing YAML" once the data is read)."""
        with self._lock:
            self.description = safe(description, one_line=True)
            if self._bar is not None and self._task is not None:  # set together
                self._bar.update(self._task, description=self.description)

    def _show(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with self._lock:
            if self._bar is not None or not self._enabled:
                return
            self._bar = Progress(
                # a file name or title, not markup: "[/x]" once killed this thread
                TextColumn("{task.description}", markup=False, style="progress.description"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._task = self._bar.add_task(
                self.description, total=self._total, completed=self._done
            )
            self._bar.start()
            self.shown = True

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._enabled = False
            if self._bar is not None:
                self._bar.stop()


def _progress_after() -> float:
    try:
        return max(0.0, float(os.environ.get(PROGRESS_AFTER_ENV, PROGRESS_AFTER)))
    except ValueError:
        return PROGRESS_AFTER


@contextlib.contextmanager
def progress(description: str, *, enabled: bool = True) -> Iterator[Tracker]:
    """A progress callback for long work; `enabled=False` under --json."""
    tracker = Tracker(description, enabled=enabled)
    try:
        yield tracker
    finally:
        tracker.close()
