"""`coursetrack check`: what it finds wrong in a store broken by hand, and that a
sound store passes, on both engines and on a study group's store.

Each test breaks one thing the way someone with the database open would (the
sqlite3 shell with foreign keys off, psql as the server's superuser) and
nothing else, then reads what `check` prints and its exit code.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

import postgres
from conftest import Store
from group import GroupStore, group_store_fixture, ok  # noqa: F401

# check reads each engine's constraints: the [postgresql] runs stay in the quick loop
pytestmark = pytest.mark.both_engines


def problems(result) -> list[str]:
    """The lines of a failed check, less the count at the end; exit 1, nothing on stderr."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr == ""
    *lines, count = result.stdout.splitlines()
    assert count.startswith(f"{len(lines)} problem")
    return lines


def test_a_sound_store_holds(dls: Store) -> None:
    dls.run("done", "dls/1/1")
    result = dls.run("check")
    assert result.exit_code == 0, result.stdout
    names = "schema, integrity, foreign-keys, rules, history"  # the same on both engines
    assert result.stdout == f"all holds: {names}\n"
    data = dls.run("check", "--json").json()
    assert data == {
        "ok": True,
        "problems": [],
        "store": dls.db,
        "engine": dls.engine,
        "checks": names.split(", "),
    }


def test_no_store_is_a_problem_and_creates_none(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    db = tmp_path / "none.db"
    result = CliRunner().invoke(app, ["--db", str(db), "check", "--json"])
    assert result.exit_code == 1
    assert result.stdout.startswith("{")
    assert '"detail": "there is no store at' in result.stdout
    assert not db.exists()


# --- SQLite, edited by hand -------------------------------------------------------------


def _by_hand(path: Path, *statements: str) -> None:
    """The sqlite3 shell: foreign keys off (its default), CHECKs ignored if asked."""
    con = sqlite3.connect(path)
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    finally:
        con.close()


@pytest.mark.sqlite_only
def test_a_dangling_foreign_key(dls: Store) -> None:
    dls.run("done", "dls/1/1")
    _by_hand(dls.path, "UPDATE change SET command_id = 999 WHERE id = (SELECT min(id) FROM change)")
    row = dls.rows("SELECT min(id) FROM change")[0][0]
    assert problems(dls.run("check")) == [
        f"foreign-keys: change row {row}: command_id 999 names no command"
    ]
    data = dls.run("check", "--json")
    assert data.exit_code == 1
    assert data.json()["ok"] is False
    assert data.json()["problems"] == [
        {"check": "foreign-keys", "detail": f"change row {row}: command_id 999 names no command"}
    ]


def test_rows_that_break_a_rule_are_named_with_the_rule(dls: Store) -> None:
    """A row that slipped past the store's rules (SQLite's checks switched off on one
    connection; PostgreSQL's constraint dropped and put back NOT VALID) is named with
    the rule it breaks, as a user reads it, and how many rows."""
    dls.run("note", "dls/1/1", "fine")
    dls.execute_past_rules("UPDATE note SET written_on = '3100-01-01'")
    found = problems(dls.run("check"))
    assert "rules: 1 row of note breaks note_written_on: " in "\n".join(found)
    line = next(p for p in found if p.startswith("rules: 1 row"))
    assert "2999-12-31" in line


@pytest.mark.sqlite_only
def test_a_row_that_breaks_a_check_constraint(dls: Store) -> None:
    dls.run("done", "dls/1/1")
    _by_hand(
        dls.path,
        "PRAGMA ignore_check_constraints = ON",
        "UPDATE change SET op = 'bogus' WHERE id = (SELECT min(id) FROM change)",
    )
    assert problems(dls.run("check")) == [
        "integrity: CHECK constraint failed in change",
        "rules: 1 row of change breaks change_op: a history row records an insert, update or "
        "delete",
    ]


@pytest.mark.sqlite_only
def test_a_dropped_or_changed_history_trigger(dls: Store) -> None:
    _by_hand(
        dls.path,
        "DROP TRIGGER history_note_insert",
        "DROP TRIGGER history_goal_delete",
        "CREATE TRIGGER history_goal_delete AFTER DELETE ON goal BEGIN SELECT 1; END",
    )
    remake = "a store made from its backup has it (export yaml, import into a new store)"
    assert problems(dls.run("check")) == [
        f"history: the history trigger history_note_insert on note is missing; {remake}",
        "history: the history trigger history_goal_delete on goal is not the one coursetrack "
        f"makes; {remake}",
    ]


# --- PostgreSQL -------------------------------------------------------------------------


def test_a_constraint_left_unchecked_on_postgresql(pg_url: str) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    runner = CliRunner()
    assert (
        runner.invoke(app, ["--db", pg_url, "import", "deep-learning-specialization"]).exit_code
        == 0
    )
    with postgres.connect(pg_url, autocommit=True) as con:
        con.execute("ALTER TABLE note DROP CONSTRAINT note_topic_id_fkey")
        con.execute(
            "ALTER TABLE note ADD CONSTRAINT note_topic_id_fkey FOREIGN KEY (topic_id) "
            "REFERENCES topic (id) ON DELETE CASCADE NOT VALID"
        )
        con.execute("ALTER TABLE goal DISABLE TRIGGER history_goal_update")
        con.execute("DROP TRIGGER history_link_delete ON link")
    result = runner.invoke(app, ["--db", pg_url, "check"])
    assert problems(result) == [
        "integrity: the trigger history_goal_update on goal is disabled",
        "foreign-keys: the constraint note_topic_id_fkey on note is NOT VALID: its rows were "
        "never checked (VALIDATE CONSTRAINT checks them)",
        "history: the history trigger history_link_delete on link is missing; a store made "
        "from its backup has it (export yaml, import into a new store)",
    ]


# --- a study group --------------------------------------------------------------------

AGAIN = "its owner runs 'coursetrack group init' to apply it again"


def test_a_sound_group_holds_for_its_owner_and_its_learners(group_store: GroupStore) -> None:
    g = group_store
    for role in (g.owner, "alice"):
        result = g.run(role, "check")
        assert result.exit_code == 0, result.stdout
        assert result.stdout == (
            "all holds: schema, integrity, foreign-keys, rules, history, group-version, "
            "group-roles, group-grants, group-policies, group-triggers\n"
        )


def test_what_a_group_needs_and_was_taken_by_hand(group_store: GroupStore) -> None:
    g = group_store
    learners = f"{g.name}_learners"
    with g.connect(g.superuser) as con:
        con.execute("DROP POLICY group_reads ON note")
        con.execute("CREATE POLICY everything ON progress USING (true)")
        con.execute(f"GRANT INSERT ON change TO {learners}")
        con.execute(f"REVOKE SELECT ON review FROM {learners}")
        con.execute("ALTER TABLE link DISABLE TRIGGER keep_others")
        con.execute("DROP TRIGGER issued_ids ON goal")
        con.execute("ALTER FUNCTION history_progress() SECURITY INVOKER")
        con.execute("ALTER TABLE member NO FORCE ROW LEVEL SECURITY")
    found = problems(g.run("alice", "check"))
    assert found == [
        "integrity: the trigger keep_others on link is disabled",
        f"group-grants: {learners} may not SELECT on review; {AGAIN}",
        f"group-grants: {learners} may INSERT on change; {AGAIN}",
        "group-policies: the policy everything on progress is not one coursetrack makes (it "
        "may widen what a learner reads or writes); drop it",
        f"group-policies: the policy group_reads on note is missing; {AGAIN}",
        f"group-policies: row-level security is not on and forced on member; {AGAIN}",
        f"group-triggers: the trigger issued_ids on goal is missing; {AGAIN}",
        "group-triggers: the history function history_progress() does not run as the owner "
        "with the store's search_path (a learner's write would fail, or find another table); "
        + AGAIN,
    ]
    data = g.run("alice", "check", "--json").json()
    assert [p["check"] for p in data["problems"]] == [line.split(":")[0] for line in found]
    # what init applies it applies again; the policy it does not make stays, named
    with g.connect(g.superuser) as con:
        con.execute("DROP POLICY everything ON progress")
    ok(g.run(g.owner, "group", "init"))
    assert g.run("alice", "check").exit_code == 0


def test_the_writers_gate_taken_by_hand(group_store: GroupStore) -> None:
    """The lock a group's writers take is part of its security: a learner who may lock
    the gate's table, or a gate function that runs as the caller, lets one learner stall
    the others (or none be serialized)."""
    g = group_store
    learners = f"{g.name}_learners"
    with g.connect(g.superuser) as con:
        con.execute(f"GRANT UPDATE ON coursetrack_writers TO {learners}")
        con.execute("ALTER FUNCTION coursetrack_write_lock() SECURITY INVOKER")
    assert problems(g.run("alice", "check")) == [
        f"group-grants: {learners} may UPDATE on coursetrack_writers; {AGAIN}",
        "group-triggers: the function coursetrack_write_lock() does not run as the owner "
        f"(the writers' gate); {AGAIN}",
    ]
    with g.connect(g.superuser) as con:
        con.execute("DROP FUNCTION coursetrack_write_lock()")
    assert f"group-triggers: the function coursetrack_write_lock() is missing; {AGAIN}" in (
        problems(g.run("alice", "check"))
    )
    ok(g.run(g.owner, "group", "init"))
    assert g.run("alice", "check").exit_code == 0


def test_an_older_groups_security_version(group_store: GroupStore) -> None:
    from coursetrack.store import group

    g = group_store
    with g.connect(g.superuser) as con:
        con.execute("UPDATE coursetrack_schema SET security = 1")
    assert problems(g.run("alice", "check")) == [
        f"group-version: the group's security is version 1, this coursetrack's is "
        f"{group.SECURITY_VERSION}; its owner olga's next coursetrack command brings it up "
        "to date"
    ]
    result = g.run(g.owner, "check")  # the owner's command brings it up to date first
    assert result.exit_code == 0, result.stdout
    assert "brought the study group's security up to date" in result.stderr


def test_a_foreign_keys_triggers_disabled_on_postgresql(pg_url: str) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    runner = CliRunner()
    imported = runner.invoke(app, ["--db", pg_url, "import", "deep-learning-specialization"])
    assert imported.exit_code == 0
    with postgres.connect(pg_url, autocommit=True) as con:
        con.execute("ALTER TABLE change DISABLE TRIGGER ALL")  # its foreign key's, as superuser
    found = problems(runner.invoke(app, ["--db", pg_url, "check"]))
    assert found
    for line in found:
        assert re.fullmatch(
            r"foreign-keys: the foreign key's trigger RI_ConstraintTrigger_\w+ on change "
            "is disabled",
            line,
        )
