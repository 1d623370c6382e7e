"""The group's security has a version: a group made by an older coursetrack is
brought up to date by its owner's next command, and a learner's command says so.

An older group is made here by hand, as the server's superuser: what `group init`
applied before this version (history functions that run as the learner, no
guard on the ids a learner takes) and no version recorded.
"""

from __future__ import annotations

import pytest

from coursetrack.models import TRACKED, table_names
from coursetrack.store import schema, triggers
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

DEFINERS = (
    "SELECT proname, prosecdef FROM pg_proc WHERE proname LIKE 'history\\_%' ORDER BY proname"
)
GUARDS = "SELECT count(*) FROM pg_trigger WHERE tgname = 'issued_ids'"


def made_by_an_older_coursetrack(g: GroupStore) -> None:
    """The group as the coursetrack before security versions left it."""
    with g.connect(g.superuser) as con:
        con.execute("ALTER TABLE coursetrack_schema DROP COLUMN IF EXISTS security")
        for table in table_names(TRACKED):
            con.execute(f"ALTER FUNCTION history_{table}() SECURITY INVOKER RESET search_path")
        for (table,) in con.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'issued_ids'"
        ).fetchall():
            con.execute(f"DROP TRIGGER issued_ids ON {table}")


def security_version(g: GroupStore) -> int | None:
    """The version recorded beside the schema's (None: none recorded)."""
    return g.all_rows("SELECT (to_jsonb(s) ->> 'security')::int FROM coursetrack_schema s")[0][0]


def out_of_date(version: object, needs: object) -> str:
    return (
        f"Error: the study group's security is out of date (version {version}, this "
        f"coursetrack needs {needs}); ask its owner olga to run any coursetrack command, "
        "or 'coursetrack group init'"
    )


def test_a_learner_on_an_older_group_is_told_to_ask_its_owner(group_store: GroupStore) -> None:
    from coursetrack.store import group

    g = group_store
    made_by_an_older_coursetrack(g)
    for args in (("done", "dls/1/1"), ("status", "dls")):
        line = one_line(g.run("alice", *args))
        assert line == out_of_date(1, group.SECURITY_VERSION)
    assert g.all_rows("SELECT count(*) FROM progress WHERE learner = 'alice'") == [(0,)]
    assert g.all_rows("SELECT count(*) FROM command WHERE learner = 'alice'") == [(0,)]


def test_the_owners_next_command_brings_an_older_group_up_to_date(
    group_store: GroupStore,
) -> None:
    from coursetrack.store import group

    g = group_store
    made_by_an_older_coursetrack(g)
    status = g.run(g.owner, "status", "dls")
    ok(status)
    assert "the study group's security" in status.stderr  # said on stderr, once
    assert all(definer for _, definer in g.all_rows(DEFINERS))
    assert g.all_rows(GUARDS)[0][0] > 0
    assert security_version(g) == group.SECURITY_VERSION
    ok(g.run("alice", "done", "dls/1/1"))
    assert g.all_rows("SELECT learner FROM change WHERE table_name = 'progress'") == [("alice",)]
    # up to date: the next command says nothing of it
    assert g.run(g.owner, "status", "dls").stderr == ""


def test_group_init_again_puts_back_what_was_taken_and_records_the_version(
    group_store: GroupStore,
) -> None:
    from coursetrack.store import group

    g = group_store
    assert security_version(g) == group.SECURITY_VERSION
    with g.connect(g.superuser) as con:
        con.execute("DROP POLICY own_rows ON note")
    ok(g.run(g.owner, "group", "init"))
    ok(g.run(g.owner, "group", "init"))
    assert g.all_rows(
        "SELECT count(*) FROM pg_policy WHERE polname = 'own_rows' AND polrelid = 'note'::regclass"
    ) == [(1,)]
    assert security_version(g) == group.SECURITY_VERSION


def _remake_history(conn) -> None:
    """A later step that re-makes the history functions (CREATE OR REPLACE), as a new
    column of a tracked table does: they come back SECURITY INVOKER."""
    triggers.install_history(conn)


@pytest.fixture
def one_more_migration(monkeypatch: pytest.MonkeyPatch) -> int:
    steps = [*schema.MIGRATIONS, _remake_history]
    monkeypatch.setattr(schema, "MIGRATIONS", steps)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(steps))
    return len(steps)


def test_a_schema_upgrade_of_a_group_keeps_its_security(
    group_store: GroupStore, one_more_migration: int
) -> None:
    g = group_store
    line = one_line(g.run("alice", "done", "dls/1/1"))
    assert line == (
        f"Error: the study group's store is at schema {one_more_migration - 1}, this "
        f"coursetrack needs {one_more_migration}; ask its owner olga to run any coursetrack "
        "command"
    )
    ok(g.run(g.owner, "status", "dls"))
    assert g.all_rows("SELECT version FROM coursetrack_schema") == [(one_more_migration,)]
    assert all(definer for _, definer in g.all_rows(DEFINERS))
    ok(g.run("alice", "done", "dls/1/1"))
    assert g.all_rows("SELECT learner FROM change WHERE table_name = 'progress'") == [("alice",)]
