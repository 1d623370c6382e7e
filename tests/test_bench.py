"""Every bench script answers --help: what it measures, its options, and nothing run.

The bench's figures are for reading (bench/run.py), never asserted; but a reader
who asks a script what it does must not start a 20-minute run instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py"))


def test_the_bench_is_there() -> None:
    assert {"run.py", "postgres.py", "pictures.py", "limits.py", "sync.py"} <= set(SCRIPTS)


@pytest.mark.sqlite_only  # about the scripts, not a store
@pytest.mark.parametrize("script", SCRIPTS)
def test_every_bench_script_answers_help_and_runs_nothing(script: str, tmp_path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # where a run would build its stores
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: {script}")
    assert result.stderr == ""
    assert list(tmp_path.iterdir()) == [], "--help made files: it started a run"
