"""The group's part of a sync (`services.sync_group.before_pull`), run on its own in a
replica's write transaction against a real group's store, as `services.sync` runs it
before the pull: the catalog brought down by uid, the replica's own catalog changes
refused with their list and nothing written, a command and its undo kept out of the push.
(`test_sync_group` runs the whole `coursetrack sync`.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import Result
from coursetrack.cli import app
from coursetrack.errors import StoreError
from coursetrack.services import sync_group
from group import GroupStore, group_store_fixture, ok  # noqa: F401

# sync_group's parts one by one: the full suite's; the quick loop keeps test_sync_group's cases
pytestmark = pytest.mark.slow

MISSING_SEMESTER = str(Path(__file__).parents[1] / "data" / "missing-semester.yaml")
CATALOG = (
    "SELECT s.uid, s.slug, s.title, c.uid, c.slug, c.title, c.position, t.uid, t.slug, "
    "t.title, t.position FROM specialization s LEFT JOIN course c ON c.specialization_id = s.id "
    "LEFT JOIN topic t ON t.course_id = c.id ORDER BY 1, 4, 8"
)


def local(path: Path, *args: str) -> Result:
    result = CliRunner().invoke(app, ["--db", str(path), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def rows(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@contextmanager
def replica_write(path: Path) -> Iterator:
    """The replica's side of a sync: BEGIN IMMEDIATE on its file, committed at the end,
    rolled back on an error (as `services.sync` holds it)."""
    from coursetrack.store.engine import begin_immediate, connect_sqlite
    from coursetrack.store.writer import SqliteWriter

    con, _ = connect_sqlite(path, str(path))
    try:
        begin_immediate(con, None)
        try:
            yield SqliteWriter(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()


def before_pull(url: str, path: Path) -> dict | None:
    from coursetrack.store.opening import open_store

    store = open_store(url, write=False)
    try:
        with store.read() as hub, replica_write(path) as writer:
            return sync_group.before_pull(writer, hub, "the group")
    finally:
        store.close()


@pytest.fixture
def replica(tmp_path: Path) -> Path:
    """A new, empty SQLite store."""
    from coursetrack.store.opening import open_store

    path = tmp_path / "alice.db"
    open_store(str(path), write=True).close()
    return path


def test_the_groups_catalog_comes_down_as_one_command_of_seq_0(
    group_store: GroupStore, replica: Path
) -> None:
    g = group_store
    first = before_pull(g.url("alice"), replica)
    assert first is not None and first["changes"] > 0
    assert rows(replica, CATALOG) == g.all_rows(CATALOG)
    assert rows(replica, "SELECT line, seq FROM command") == [("sync: catalog from the group", 0)]
    # the version did not move: nothing read, nothing written
    before = dump(replica)
    assert before_pull(g.url("alice"), replica) == {"version": first["version"], "changes": 0}
    assert dump(replica) == before
    # a curator's import, a rename, two topics swapping slugs, a course removed
    ok(g.run(g.curator, "import", MISSING_SEMESTER))
    ok(g.run(g.curator, "update", "dls/1", "--title", "Renamed by cora"))
    one, two = g.all_rows("SELECT slug FROM topic WHERE course_id = 1 ORDER BY position LIMIT 2")
    ok(g.run(g.curator, "update", f"dls/1/{one[0]}", "--slug", "swapping"))
    ok(g.run(g.curator, "update", f"dls/1/{two[0]}", "--slug", one[0]))
    ok(g.run(g.curator, "update", "dls/1/swapping", "--slug", two[0]))
    ok(g.run(g.curator, "rm", "dls/5", "--yes"))
    second = before_pull(g.url("bob"), replica)
    assert second is not None and second["version"] > first["version"]
    assert rows(replica, CATALOG) == g.all_rows(CATALOG)
    assert (
        rows(replica, "SELECT line, seq FROM command ORDER BY id")
        == [("sync: catalog from the group", 0)] * 2
    )
    shown = local(replica, "log", "-n", "1")
    ok(shown)
    assert "sync: catalog from the group" in shown.stdout
    assert "Renamed by cora" in shown.stdout


def test_a_topic_removed_from_the_group_takes_the_replicas_record_of_it(
    group_store: GroupStore, replica: Path
) -> None:
    g = group_store
    before_pull(g.url("alice"), replica)
    ok(local(replica, "done", "dls/5/1"))
    ok(local(replica, "done", "dls/1/1"))
    ok(g.run(g.curator, "rm", "dls/5", "--yes"))  # no learner's record on the hub
    before_pull(g.url("alice"), replica)
    assert rows(replica, "SELECT count(*) FROM progress WHERE status = 'done'") == [(1,)]
    last = rows(replica, "SELECT max(id) FROM command")[0][0]
    assert rows(
        replica,
        f"SELECT count(*) FROM change WHERE command_id = {last} AND table_name = 'progress'",
    ) == [(1,)]
    ok(local(replica, "check"))


def test_a_catalog_change_made_here_is_refused_with_its_list_and_nothing_written(
    group_store: GroupStore, replica: Path
) -> None:
    g = group_store
    before_pull(g.url("alice"), replica)
    ok(local(replica, "done", "dls/1/1"))
    ok(local(replica, "add", "topic", "dls/1", "Mine"))
    ok(local(replica, "rm", "dls/5", "--yes"))
    ok(g.run(g.curator, "update", "dls/2", "--title", "Renamed by cora"))
    add, rm = (i for (i,) in rows(replica, "SELECT id FROM command ORDER BY id DESC LIMIT 2")[::-1])
    before = dump(replica)
    with pytest.raises(StoreError) as refused:
        before_pull(g.url("alice"), replica)
    assert str(refused.value) == (
        "2 commands made here changed the catalog, which in a study group changes on the "
        f"group's store only, so nothing was synced: #{add} add topic dls/1 Mine; #{rm} rm "
        "dls/5 --yes. Undo them (coursetrack undo N, the latest first), or ask a curator to "
        "make the change on the group's store"
    )
    assert dump(replica) == before
    # a curator is told to make it on the group's store
    with pytest.raises(StoreError) as told:
        before_pull(g.url(g.curator), replica)
    assert str(told.value).endswith(
        "Undo them (coursetrack undo N, the latest first), then make the change on the "
        "group's store (coursetrack --db URL ...)"
    )
    # undone, each pair cancels out: it stays here (seq 0), the rest goes on
    ok(local(replica, "undo", "--yes"))
    ok(local(replica, "undo", str(add), "--yes"))
    result = before_pull(g.url("alice"), replica)
    assert result is not None and result["changes"] == 1
    assert rows(replica, "SELECT line FROM command WHERE seq IS NULL") == [("done dls/1/1",)]
    assert rows(replica, CATALOG) == g.all_rows(CATALOG)


def test_a_store_that_is_no_groups_has_no_part_in_it(pg_url: str, replica: Path) -> None:
    from conftest import DLS

    result = CliRunner().invoke(app, ["--db", pg_url, "import", DLS])
    assert result.exit_code == 0, result.output
    before = dump(replica)
    assert before_pull(pg_url, replica) is None
    assert dump(replica) == before


def test_a_version_moved_with_the_same_catalog_writes_no_command(
    group_store: GroupStore, replica: Path
) -> None:
    """A curator's change taken back (the version moved twice, the rows are as they were):
    nothing to apply, no command; the version is kept, so the next sync reads nothing."""
    g = group_store
    first = before_pull(g.url("alice"), replica)
    assert first is not None
    title = g.all_rows("SELECT title FROM course WHERE slug = 'improving'")[0][0]
    ok(g.run(g.curator, "update", "dls/2", "--title", "For a moment"))
    ok(g.run(g.curator, "update", "dls/2", "--title", title))
    moved = before_pull(g.url("alice"), replica)
    assert moved == {"version": first["version"] + 2, "changes": 0}
    assert rows(replica, "SELECT count(*) FROM command") == [(1,)]
    from coursetrack.store.reader import SqliteReader

    con = sqlite3.connect(replica)
    try:
        assert sync_group.catalog_moved(SqliteReader(con), moved["version"]) is False
    finally:
        con.close()
