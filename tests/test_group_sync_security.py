"""The group's security for sync (security version 5, `store.group_sync`), on the real
server as each role: the catalog's version that curators' changes bump and no learner can
write, what a learner's sync may read and draw, and what `check` names when any of it
was changed by hand.
"""

from __future__ import annotations

import pytest

from coursetrack.store import group_sync
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

pytestmark = pytest.mark.usefixtures("postgres_server")

AGAIN = "its owner runs 'coursetrack group init' to apply it again"
VERSION = f"SELECT {group_sync.HUB_CATALOG_VERSION}"


def version(g: GroupStore, role: str) -> int | None:
    return g.rows(role, VERSION)[0][0]


def problems(result) -> list[str]:
    """The lines of a failed check, less the count at the end (as test_check's)."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    *lines, count = result.stdout.splitlines()
    assert count.startswith(f"{len(lines)} problem")
    return lines


def test_a_curators_change_bumps_the_catalog_version_once_a_learners_never(
    group_store: GroupStore,
) -> None:
    g = group_store
    start = version(g, "alice")
    assert start is not None
    ok(g.run("alice", "done", "dls/1/1"))
    ok(g.run("alice", "note", "dls/1/1", "my note"))
    assert version(g, "bob") == start
    # one command, many statements (an import of a course and its topics): one bump
    ok(g.run(g.curator, "add", "course", "dls", "Extra", "--slug", "extra"))
    ok(g.run(g.curator, "add", "topic", "dls/extra", "First"))
    assert version(g, "alice") == start + 2
    ok(g.run(g.curator, "update", "dls/extra", "--title", "Extra, renamed"))
    assert version(g, "bob") == start + 3
    ok(g.run(g.curator, "rm", "dls/extra", "--yes"))
    assert version(g, "alice") == start + 4
    ok(g.run(g.curator, "undo", "--yes"))  # an undo of a catalog change is one too
    assert version(g, "alice") == start + 5
    assert g.rows("alice", "SELECT count(*) FROM topic t JOIN course c ON c.id = t.course_id "
                  "WHERE c.slug = 'extra'") == [(1,)]  # fmt: skip


def test_a_store_that_is_no_groups_has_no_catalog_version(pg_url: str) -> None:
    from typer.testing import CliRunner

    import postgres
    from conftest import DLS
    from coursetrack.cli import app

    ok(CliRunner().invoke(app, ["--db", pg_url, "import", DLS]))
    con = postgres.connect(pg_url, autocommit=True)
    try:
        assert postgres.rows(con, VERSION, ()) == [(None,)]
    finally:
        con.close()


def test_a_learner_cannot_change_the_catalog_version(group_store: GroupStore) -> None:
    import psycopg2

    g = group_store
    start = version(g, "alice")
    for role in ("alice", g.curator):
        with g.connect(role) as con:
            for sql in (
                "UPDATE coursetrack_schema SET catalog_version = 0",
                "UPDATE coursetrack_schema SET catalog_xact = 0",
                f"SELECT {group_sync.CATALOG_FUNCTION}()",
                "TRUNCATE topic",
            ):
                with pytest.raises(psycopg2.Error) as caught:
                    con.cursor().execute(sql)
                assert caught.value.pgcode in ("42501", "0A000"), sql  # denied / trigger call
    assert version(g, "bob") == start


def test_a_learner_reads_the_hubs_sync_state_and_draws_seq_and_no_more(
    group_store: GroupStore,
) -> None:
    import psycopg2

    g = group_store
    present = g.all_rows(
        "SELECT to_regclass('sync_state') IS NOT NULL, to_regclass('command_seq') IS NOT NULL"
    )[0]
    if not all(present):
        pytest.skip("the schema of issue 24 (sync_state, command_seq) is not here yet")
    assert len(g.rows("alice", "SELECT replica FROM sync_state")) == 1
    assert g.rows("alice", "SELECT nextval('command_seq') > 0") == [(True,)]
    with g.connect("alice") as con:
        for sql in (
            "UPDATE sync_state SET hub_url = 'x'",
            "DELETE FROM sync_state",
            "SELECT setval('command_seq', 1)",
        ):
            with pytest.raises(psycopg2.Error) as caught:
                con.cursor().execute(sql)
            assert caught.value.pgcode == "42501", sql


def test_a_learner_neither_reads_nor_numbers_anothers_commands(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("bob", "done", "dls/1/1"))
    ok(g.run("bob", "note", "dls/1/1", "bob's private thought", "--private"))
    bobs = g.all_rows("SELECT count(*) FROM command WHERE learner = 'bob'")[0][0]
    assert bobs == 2
    assert g.rows("alice", "SELECT count(*) FROM command WHERE learner = 'bob'") == [(0,)]
    columns = {c for (c,) in g.all_rows(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'command'"
    )}  # fmt: skip
    settable = [c for c in ("seq", "gid", "stamp", "payload", "line") if c in columns]
    with g.connect("alice") as con:
        cur = con.cursor()
        for column in settable:
            value = "1" if column == "seq" else "'x'"
            cur.execute(f"UPDATE command SET {column} = {value} WHERE learner = 'bob'")
            assert cur.rowcount == 0, column
        cur.execute("DELETE FROM command WHERE learner = 'bob'")
        assert cur.rowcount == 0
    assert g.all_rows("SELECT count(*) FROM command WHERE learner = 'bob'") == [(bobs,)]
    # her own she reads and writes, as a sync does: numbered by the hub's sequence
    ok(g.run("alice", "done", "dls/1/2"))
    if "seq" in columns:
        mine = g.rows("alice", "SELECT gid, stamp, seq FROM command")
        assert len(mine) == 1 and all(value is not None for value in mine[0])
        with g.connect("alice") as con:
            cur = con.cursor()
            cur.execute("UPDATE command SET payload = '{}', seq = seq")
            assert cur.rowcount == 1


def test_check_names_what_sync_needs_taken_by_hand(group_store: GroupStore) -> None:
    g = group_store
    learners = f"{g.name}_learners"
    with g.connect(g.superuser) as con:
        con.execute("DROP TRIGGER catalog_version ON topic")
        con.execute(f"GRANT UPDATE ON coursetrack_schema TO {learners}")
        con.execute(f"ALTER FUNCTION {group_sync.CATALOG_FUNCTION}() RESET search_path")
        con.execute(f"GRANT EXECUTE ON FUNCTION {group_sync.CATALOG_FUNCTION}() TO bob")
    found = problems(g.run("alice", "check"))
    assert found == [
        f"group-grants: {learners} may UPDATE on coursetrack_schema; {AGAIN}",
        f"group-triggers: anyone may run {group_sync.CATALOG_FUNCTION}() as the owner, from a "
        f"trigger of theirs; {AGAIN}",
        f"group-triggers: the function {group_sync.CATALOG_FUNCTION}() is not the one "
        f"coursetrack makes (it runs as the owner, with the store's search_path); {AGAIN}",
        "group-triggers: the trigger catalog_version on topic is missing (a curator's change "
        f"would not reach the learners' replicas); {AGAIN}",
    ]
    ok(g.run(g.owner, "group", "init"))
    assert g.run("alice", "check").exit_code == 0
    assert g.rows(
        "bob", f"SELECT has_function_privilege('{group_sync.CATALOG_FUNCTION}()', 'EXECUTE')"
    ) == [(False,)]


def test_an_older_group_gets_the_catalog_version_from_its_owners_next_command(
    group_store: GroupStore,
) -> None:
    from coursetrack.store import group

    g = group_store
    with g.connect(g.superuser) as con:  # the group as security version 4 left it
        for table in ("specialization", "course", "topic"):
            con.execute(f"DROP TRIGGER catalog_version ON {table}")
        con.execute(f"DROP FUNCTION {group_sync.CATALOG_FUNCTION}()")
        con.execute("ALTER TABLE coursetrack_schema DROP COLUMN catalog_version")
        con.execute("ALTER TABLE coursetrack_schema DROP COLUMN catalog_xact")
        con.execute("UPDATE coursetrack_schema SET security = 4")
    assert version(g, "alice") is None
    line = one_line(g.run("alice", "done", "dls/1/1"))
    assert f"(version 4, this coursetrack needs {group.SECURITY_VERSION})" in line
    assert "group-version: the group's security is version 4" in g.run("alice", "check").stdout
    ok(g.run(g.owner, "status", "dls"))
    assert version(g, "alice") == 0
    ok(g.run(g.curator, "add", "course", "dls", "Extra"))
    assert version(g, "alice") == 1
    assert g.run("alice", "check").exit_code == 0


def test_a_curator_cannot_give_a_catalog_item_another_uid(group_store: GroupStore) -> None:
    """Replicas apply the catalog by uid: an item given another uid would be another item
    there (the learner's record of the old one removed on her replica, kept on the hub).
    A rename keeps it; a change of it is refused, and `check` names a missing guard."""
    import psycopg2

    g = group_store
    uid = g.all_rows("SELECT uid FROM topic ORDER BY id LIMIT 1")[0][0]
    ok(g.run(g.curator, "update", "dls/1/1", "--slug", "renamed", "--title", "Renamed"))
    assert g.all_rows("SELECT uid FROM topic ORDER BY id LIMIT 1") == [(uid,)]
    for role in (g.curator, g.owner):
        with g.connect(role) as con:
            for table in ("specialization", "course", "topic"):
                with pytest.raises(psycopg2.Error) as caught:
                    con.cursor().execute(f"UPDATE {table} SET uid = 'mine' WHERE id = 1")
                assert caught.value.pgcode == group_sync.UID_SQLSTATE
                assert "uid names it on every replica and never changes" in str(caught.value)
    with g.connect(g.superuser) as con:
        con.execute("DROP TRIGGER keep_uid ON course")
    assert problems(g.run("alice", "check")) == [
        "group-triggers: the trigger keep_uid on course is missing (a curator could give an "
        f"item another uid, which replicas take for another item); {AGAIN}"
    ]
    ok(g.run(g.owner, "group", "init"))
    assert g.run("alice", "check").exit_code == 0
