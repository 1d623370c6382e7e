"""The suite runs on both engines, and says so when it cannot."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent

#: A suite of two command tests, run in a child pytest whose PostgreSQL is switched off.
_SUITE = """
def test_status(store):
    assert store.run("status").exit_code == 0


def test_import(dls):
    assert dls.rows("SELECT count(*) FROM topic") == [(17,)]
"""
_WITHOUT = """
import sys
import time
import postgres
{patch}
import pytest
sys.exit(pytest.main(["-q", "-rs", "-p", "no:cacheprovider", sys.argv[1]]))
"""


def _child_suite(tmp_path: Path, patch: str) -> subprocess.CompletedProcess:
    for helper in ("conftest.py", "postgres.py", "hostile.py"):
        shutil.copy(HERE / helper, tmp_path / helper)
    (tmp_path / "test_two.py").write_text(_SUITE)
    code = _WITHOUT.format(patch=patch)
    return subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow  # a child pytest run each
@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        (
            "postgres.bindir = lambda: None",
            "PostgreSQL tests skipped: no PostgreSQL server (initdb) found; "
            "apt-get install postgresql, and pip install 'coursetrack[postgresql]'",
        ),
        (
            "sys.modules['psycopg2'] = None",
            "PostgreSQL tests skipped: the psycopg2 driver is not installed; "
            "apt-get install postgresql, and pip install 'coursetrack[postgresql]'",
        ),
    ],
    ids=["no-server", "no-driver"],
)
def test_without_postgresql_its_half_skips_with_one_reason(
    tmp_path: Path, patch: str, reason: str
) -> None:
    result = _child_suite(tmp_path, patch)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 2 skipped" in result.stdout, result.stdout
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skips) == 1, skips
    assert skips[0].startswith("SKIPPED [2] ") and skips[0].endswith(reason), skips


@pytest.mark.slow  # a child pytest run
def test_each_store_test_runs_on_both_engines() -> None:
    """`store` and every fixture built on it are parametrized; sqlite_only keeps one run."""
    files = [str(HERE / "test_history.py"), str(HERE / "test_opening.py")]
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    names = [line.split("::")[-1] for line in collected.stdout.splitlines() if "::" in line]
    ids = {n for n in names if n.startswith("test_log_lists_commands_newest_first")}
    assert ids == {
        "test_log_lists_commands_newest_first[sqlite]",
        "test_log_lists_commands_newest_first[postgresql]",
    }
    assert "test_store_carries_our_id_and_schema_version[sqlite]" in names
    assert "test_store_carries_our_id_and_schema_version[postgresql]" not in names


@pytest.mark.slow  # a child pytest run
def test_the_quick_loop_leaves_postgresql_runs_to_the_full_suite() -> None:
    """`-m "not slow"`: a test's [postgresql] run is out, unless it is marked both_engines."""
    files = [str(HERE / "test_history.py"), str(HERE / "test_writer.py")]
    quick = ["--collect-only", "-q", "-p", "no:cacheprovider", "-m", "not slow", *files]
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", *quick],
        capture_output=True,
        text=True,
        timeout=120,
    )
    names = {line.split("::")[-1] for line in collected.stdout.splitlines() if "::" in line}
    assert "test_log_lists_commands_newest_first[sqlite]" in names
    assert "test_log_lists_commands_newest_first[postgresql]" not in names
    assert "test_a_write_is_one_command_with_its_changes[postgresql]" in names
    assert "test_a_write_is_one_command_with_its_changes[sqlite]" in names


@pytest.mark.both_engines  # the harness itself
def test_a_postgresql_store_is_a_fresh_database(store, engine: str) -> None:
    """Each test starts from no store; values read back look as sqlite3 gives them."""
    assert not store.exists()
    assert store.dump() == []
    if engine == "postgresql":
        assert store.db.startswith("postgresql://")
        assert store.rows("SELECT ?::date, ?::boolean", "2026-01-02", True) == [("2026-01-02", 1)]
    assert store.run("import", "deep-learning-specialization").exit_code == 0
    assert store.exists()
    assert store.rows("SELECT count(*) FROM topic WHERE title LIKE '%'") == [(17,)]


def test_a_sqlite_store_moves_to_postgresql_through_a_backup(tmp_path: Path, pg_url: str) -> None:
    """The README's way from a file to a database: export, import; nothing lost or changed."""
    from typer.testing import CliRunner

    from coursetrack.cli import app

    def run(db: str, *args: str) -> str:
        env = {"COURSETRACK_NOW": "2026-03-01T09:00:00+00:00"}
        result = CliRunner().invoke(app, ["--db", db, *args], env=env)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    sqlite = str(tmp_path / "store.db")
    for step in (
        ["import", "deep-learning-specialization"],
        ["done", "dls/1", "--on", "2026-01-10", "--note", "yes\nno: null"],
        ["start", "dls/2/1", "--on", "2026-01-12"],
        ["link", "dls/2/1", "https://example.org/nb", "--title", "nb"],
        ["goal", "dls", "--by", "2026-12-31"],
        ["reviewed", "dls/1/1", "--grade", "good"],
    ):
        run(sqlite, *step)
    backup = tmp_path / "all.yaml"
    run(sqlite, "export", "yaml", "-o", str(backup))
    run(pg_url, "import", str(backup))
    assert run(pg_url, "export", "yaml") == backup.read_text(encoding="utf-8")
    for view in (["status", "dls"], ["show", "dls/1/1"], ["next", "dls"], ["review"]):
        assert run(pg_url, *view) == run(sqlite, *view), view


def test_a_terminal_run_keeps_what_the_program_wrote_as_it_exited(monkeypatch) -> None:
    """tests/terminal.py: output written after a quiet wait, by a program that then exits,
    is kept (a wait that saw nothing, then an exit, once lost the last lines)."""
    import select

    import terminal

    original, calls = select.select, []

    def late_select(*args):  # the first wait sees nothing while the program writes and exits
        calls.append(args)
        if len(calls) == 1:
            time.sleep(2)
            return [], [], []
        return original(*args)

    monkeypatch.setattr(terminal.select, "select", late_select)
    code, screen = terminal.run_in_terminal(["--version"])
    assert code == 0
    assert "coursetrack" in screen
