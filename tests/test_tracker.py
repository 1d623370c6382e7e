"""Long imports and exports show a progress bar on a terminal, and only there.

The bar appears once the work has run for COURSETRACK_PROGRESS_AFTER seconds
(one by default); these tests set it to 0, so that a small catalog is "long"
and the tests stay fast.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from terminal import run_in_terminal

BAR = "━"  # Rich's bar, drawn in its own line-drawing character
HIDE_CURSOR = "\x1b[?25l"  # what Rich sends as a live display starts


def catalog(path: Path, courses: int = 30, topics: int = 10) -> Path:
    lines = ["slug: big", "title: A Big Program", "courses:"]
    for c in range(courses):
        lines += [f"  - title: Course {c}", f"    slug: c{c}", "    topics:"]
        lines += [f"      - Topic {c}.{t}" for t in range(topics)]
    path.write_text("\n".join(lines) + "\n")
    return path


def piped(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COURSETRACK_PROGRESS_AFTER": "0"}
    return subprocess.run(
        [sys.executable, "-m", "coursetrack", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def no_bar(text: str) -> bool:
    return BAR not in text and HIDE_CURSOR not in text and "\r" not in text


@pytest.fixture
def big(tmp_path: Path) -> Path:
    return catalog(tmp_path / "big.yaml")


def test_a_long_import_on_a_terminal_shows_a_bar_then_its_summary(
    tmp_path: Path, big: Path
) -> None:
    db = tmp_path / "store.db"
    code, screen = run_in_terminal(
        ["--db", str(db), "import", str(big)], env={"COURSETRACK_PROGRESS_AFTER": "0"}
    )
    assert code == 0, screen
    assert BAR in screen
    assert "importing big" in screen or "reading big.yaml" in screen
    assert "imported big: A Big Program (30 courses, 300 topics)" in screen


def test_a_quick_import_on_a_terminal_shows_no_bar(tmp_path: Path, big: Path) -> None:
    db = tmp_path / "store.db"
    code, screen = run_in_terminal(
        ["--db", str(db), "import", str(big)], env={"COURSETRACK_PROGRESS_AFTER": "600"}
    )
    assert code == 0, screen
    assert BAR not in screen
    assert "imported big: A Big Program (30 courses, 300 topics)" in screen


def test_import_json_on_a_terminal_shows_no_bar(tmp_path: Path, big: Path) -> None:
    db = tmp_path / "store.db"
    code, screen = run_in_terminal(
        ["--db", str(db), "import", str(big), "--json"], env={"COURSETRACK_PROGRESS_AFTER": "0"}
    )
    assert code == 0, screen
    assert BAR not in screen
    assert json.loads(screen)["topics"] == 300


@pytest.mark.slow  # an interpreter per import and export of a big catalog
def test_in_a_pipe_import_and_export_show_no_bar(tmp_path: Path, big: Path) -> None:
    db = str(tmp_path / "store.db")
    imported = piped("--db", db, "import", str(big))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported big: A Big Program (30 courses, 300 topics)\n")
    assert imported.stderr == ""
    for args in (["export", "yaml"], ["export", "json"], ["export", "markdown", "big"]):
        result = piped("--db", db, *args)
        assert result.returncode == 0, result.stderr
        assert no_bar(result.stdout) and result.stderr == "", args
    backup = piped("--db", db, "export", "json").stdout
    assert len(json.loads(backup)["specializations"][0]["courses"]) == 30


def test_a_long_export_on_a_terminal_shows_a_bar_and_says_what_it_wrote(
    tmp_path: Path, big: Path
) -> None:
    db = str(tmp_path / "store.db")
    assert piped("--db", db, "import", str(big)).returncode == 0
    out = tmp_path / "backup.yaml"
    code, screen = run_in_terminal(
        ["--db", db, "export", "yaml", "-o", str(out)], env={"COURSETRACK_PROGRESS_AFTER": "0"}
    )
    assert code == 0, screen
    assert BAR in screen
    assert f"wrote {out}" in " ".join(screen.split())  # a long path may start a line of its own
    code, screen = run_in_terminal(
        ["--db", db, "export", "json"], env={"COURSETRACK_PROGRESS_AFTER": "0"}
    )
    assert code == 0, screen
    assert "exported 1 specialization, 30 courses, 300 topics as JSON" in screen
