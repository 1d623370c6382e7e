"""Holding the store's write lock while real coursetrack processes wait for it.

A race is made deterministic by holding the lock ourselves: a coursetrack
write transaction opened in this process. The commands under test are real
processes started while we hold it; each says on stderr that it waits (after a
second), and only then do we make our changes and commit. So each of them took
its view of the store before our changes and acts after them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WAITING = "waiting for it"


def start(db: Path, *args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen:
    """A coursetrack process, as a user's terminal runs it."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "coursetrack", "--db", str(db), *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_until_blocked(proc: subprocess.Popen) -> None:
    """Read the process's stderr until it says it waits for the lock we hold."""
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert WAITING in line, f"expected the command to wait for the lock, got {line!r}"


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    return proc.wait(timeout=60), out, err


@contextmanager
def holding_the_lock(db: Path, line: str) -> Iterator[object]:
    """Another coursetrack command's write transaction: changes commit on leaving."""
    from coursetrack import store as store_db

    store = store_db.open_store(str(db), write=True)
    try:
        with store.write(line) as session:
            yield session
    finally:
        store.close()
