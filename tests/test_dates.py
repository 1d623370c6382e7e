"""The clock: a pinned clock in range, and dates that survive a change of time zone (issue 10).

Commands run in subprocesses, each with its own TZ, as a traveller's terminal
would run them; the real clock is used (not COURSETRACK_NOW), since the zone
is what changes between them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app
from hostile import Here

EAST, WEST = "Pacific/Kiritimati", "America/Adak"  # UTC+14 and UTC-10: a day apart


def run(db: Path, *args: str, tz: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COURSETRACK_NOW"}
    return subprocess.run(
        [sys.executable, "-m", "coursetrack", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**env, "TZ": tz},
        timeout=60,
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    if not Path("/usr/share/zoneinfo", EAST).exists():
        pytest.skip("no tz database on this machine")
    db = tmp_path / "store.db"
    topics = "\n".join(f"      - Topic {n}" for n in range(3))
    (tmp_path / "t.yaml").write_text(
        f"slug: t\ntitle: T\ncourses:\n  - title: C\n    topics:\n{topics}\n"
    )
    assert run(db, "import", str(tmp_path / "t.yaml"), tz="UTC").returncode == 0
    return db


def _rows(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.slow  # an interpreter per time zone
def test_done_right_after_start_across_the_date_line(store: Path) -> None:
    started = run(store, "start", "t/1/1", tz=EAST)
    assert started.returncode == 0, started.stderr
    done = run(store, "done", "t/1/1", "--note", "finished on the plane", tz=WEST)
    assert done.returncode == 0, done.stderr
    assert "before" not in done.stderr
    [(started_on, completed_on)] = _rows(
        store,
        "SELECT started_on, completed_on FROM progress JOIN topic ON topic.id = topic_id "
        "WHERE topic.slug = 'topic-0'",
    )
    assert completed_on >= started_on
    reviewed = run(store, "reviewed", "t/1/1", "--grade", "good", tz=EAST)
    assert reviewed.returncode == 0, reviewed.stderr
    again = run(store, "reviewed", "t/1/1", "--grade", "good", tz=WEST)
    assert again.returncode == 0, again.stderr


@pytest.mark.slow  # an interpreter per time zone
def test_log_since_today_keeps_a_command_run_in_another_zone(store: Path) -> None:
    assert run(store, "start", "t/1/2", tz=WEST).returncode == 0
    for tz in (EAST, WEST, "UTC"):
        log = run(store, "log", "--since", "today", "--json", tz=tz)
        assert log.returncode == 0, log.stderr
        lines = [entry["command"] for entry in json.loads(log.stdout)["commands"]]
        assert "start t/1/2" in lines, (tz, lines)


def test_command_moments_are_stored_in_utc(store: Path) -> None:
    assert run(store, "start", "t/1/3", tz=EAST).returncode == 0
    [(at,)] = _rows(store, "SELECT at FROM command ORDER BY id DESC LIMIT 1")
    assert at.endswith("+00:00"), at


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T00:00:00+00:00", "1899-12-31T12:00:00+00:00", "0001-01-01", "3000-01-01"],
)
@pytest.mark.parametrize(
    "args",
    [["status"], ["catalogs"], ["log"], ["add", "specialization", "X"], ["export", "yaml"]],
    ids=["status", "catalogs", "log", "add", "export"],
)
def test_a_pinned_clock_out_of_range_is_refused(
    tmp_path: Path, moment: str, args: list[str]
) -> None:
    db = tmp_path / "s.db"
    result = CliRunner().invoke(app, ["--db", str(db), *args], env={"COURSETRACK_NOW": moment})
    assert result.exit_code == 1, result.stdout
    assert result.stderr == (
        f"Error: COURSETRACK_NOW='{moment}' is out of range: give a moment from "
        "1900-01-01 to 2999-12-31, or unset it\n"
    )
    assert result.stdout == ""
    assert not db.exists()


def test_log_since_reads_moments_stored_with_a_local_offset(tmp_path: Path) -> None:
    """Stores written before moments were kept in UTC hold each command's local offset."""
    db = tmp_path / "old.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(db), "add", "specialization", "X"]).exit_code == 0
    con = sqlite3.connect(db)
    con.execute("UPDATE command SET at = '2026-03-01T02:00:00-10:00'")  # 12:00 UTC, in Adak
    con.commit()
    con.close()
    for now, kept in (
        ("2026-03-02T03:00:00+14:00", True),  # 13:00 UTC, in Kiritimati: its today began 10:00
        ("2026-03-03T01:00:00+14:00", False),  # a day later: its today began after it
    ):
        result = runner.invoke(
            app,
            ["--db", str(db), "log", "--since", "today", "--json"],
            env={"COURSETRACK_NOW": now},
        )
        assert result.exit_code == 0, result.stderr
        lines = [entry["command"] for entry in json.loads(result.stdout)["commands"]]
        assert lines == (["add specialization X"] if kept else []), now


# Dates that are not dates, typed to every command that takes one (tests/hostile.py)


@pytest.mark.parametrize(
    "date",
    [
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "10000-01-01",
        "0000-01-01",
        "-001-01-01",
        "9" * 400,
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["done", "dls/1/2", "--on"],
        ["start", "dls/1/2", "--on"],
        ["log", "--since"],
        ["goal", "dls", "--by"],
        ["export", "markdown", "dls", "--date"],
    ],
    ids=["done", "start", "log", "goal", "export"],
)
def test_impossible_and_out_of_range_dates(here: Here, command: list[str], date: str) -> None:
    message = here.refused(*command, date, where="is not a date")
    assert f"{command[-1]} '{date[:40]}" in message
