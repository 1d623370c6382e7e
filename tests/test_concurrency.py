"""Two processes writing one store at the same moment lose nothing."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

WORKER = """
import sys, time
from coursetrack.cli import app

db, start_at, *refs = sys.argv[1:]
while time.time() < float(start_at):
    time.sleep(0.001)
failed = 0
for ref in refs:
    code = app(["--db", db, "done", ref], standalone_mode=False)
    failed += bool(code)
print(failed)
"""


@pytest.mark.slow
def test_two_writers_each_mark_100_topics(store, tmp_path) -> None:
    catalog = tmp_path / "big.yaml"
    lines = ["slug: big", "title: Big", "courses:"]
    for course in ("a", "b"):
        lines += [f"  - title: Course {course}", f"    slug: {course}", "    topics:"]
        lines += [f"      - T{n:03d}" for n in range(1, 101)]
    catalog.write_text("\n".join(lines) + "\n")
    assert store.run("import", str(catalog)).exit_code == 0

    start_at = time.time() + 2.0  # both start importing first, then race
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(store.path),
                str(start_at),
                *(f"big/{course}/{n}" for n in range(1, 101)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for course in ("a", "b")
    ]
    outcomes = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err
        assert out.splitlines()[-1] == "0", err
        assert len(out.splitlines()) == 101, "one line per command, then the count"
        assert "locked" not in err and err.strip() == "", err
    assert store.rows("SELECT count(*) FROM progress WHERE status = 'done'") == [(200,)]
    assert store.run("status", "big", "--json").json()["units_done"] == 200
