"""A learner's replica of a study group (issue 24, "In a study group"): `coursetrack sync`
between a SQLite file and the group's store, on the real server, as each role
(tests/group.py: the owner olga, the curator cora, the learners alice, bob, carol).

- the learner's progress reaches the group (`group status`) once she synced;
- a curator's change of the catalog reaches her replica at her next sync, as one local
  command "sync: catalog from <hub>" (seq 0: never pushed);
- a catalog change made on her replica is refused at sync, listed, and nothing moves on
  either side; once undone, the sync goes through and the pair stays on the replica.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import Result
from coursetrack.cli import app
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

NOW = "2026-03-01T12:00:00+00:00"
MISSING_SEMESTER = str(Path(__file__).parents[1] / "data" / "missing-semester.yaml")


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", NOW)


def local(path: Path, *args: str) -> Result:
    """`coursetrack --db PATH ARGS...` on a replica."""
    result = CliRunner().invoke(app, ["--db", str(path), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def replica_rows(path: Path, sql: str) -> list[tuple]:
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


def catalog(path: Path) -> list[tuple]:
    return replica_rows(
        path,
        "SELECT s.uid, s.slug, c.uid, c.slug, c.title, t.uid, t.slug, t.title, t.position "
        "FROM specialization s LEFT JOIN course c ON c.specialization_id = s.id "
        "LEFT JOIN topic t ON t.course_id = c.id ORDER BY 1, 3, 6",
    )


def hub_catalog(g: GroupStore) -> list[tuple]:
    return g.all_rows(
        "SELECT s.uid, s.slug, c.uid, c.slug, c.title, t.uid, t.slug, t.title, t.position "
        "FROM specialization s LEFT JOIN course c ON c.specialization_id = s.id "
        "LEFT JOIN topic t ON t.course_id = c.id ORDER BY 1, 3, 6"
    )


@pytest.fixture
def alice(group_store: GroupStore, tmp_path: Path) -> Path:
    """alice's replica, synced once with the group: the group's catalog came down."""
    path = tmp_path / "alice.db"
    ok(local(path, "sync", group_store.url("alice")))
    return path


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_the_first_sync_brings_the_groups_catalog_as_one_local_command(
    group_store: GroupStore, alice: Path
) -> None:
    g = group_store
    assert catalog(alice) == hub_catalog(g)
    rows = replica_rows(alice, "SELECT line, seq FROM command")
    assert rows == [(f"sync: catalog from {g.url('alice')}", 0)]
    assert "sync: catalog from" in local(alice, "log").stdout
    # nothing of it went up: the hub holds no command of alice's
    assert g.all_rows("SELECT count(*) FROM command WHERE learner = 'alice'") == [(0,)]
    again = local(alice, "sync", "--json")
    ok(again)
    data = again.json()
    assert (data["pulled"], data["pushed"]) == (0, 0)
    assert data["catalog"] is None or data["catalog"]["changes"] == 0
    assert replica_rows(alice, "SELECT count(*) FROM command") == [(1,)]
    # only the catalog moved (nothing to pull or push): the sync still brings it
    ok(g.run(g.curator, "update", "dls/2", "--title", "Renamed by cora"))
    moved = local(alice, "sync", "--json")
    ok(moved)
    assert moved.json()["catalog"]["changes"] == 1
    assert catalog(alice) == hub_catalog(g)


def test_a_learners_progress_appears_in_group_status_after_sync(
    group_store: GroupStore, alice: Path
) -> None:
    g = group_store
    ok(local(alice, "done", "dls/1/1", "dls/1/2", "--on", "2026-02-20"))
    ok(local(alice, "note", "dls/1/1", "worked offline"))

    def alices_row() -> dict:
        data = g.run(g.owner, "group", "status", "dls", "--json").json()
        return next(row for row in data["learners"] if row["learner"] == "alice")

    assert alices_row()["units_done"] == 0  # not synced yet: the group knows nothing
    synced = local(alice, "sync", "--json")
    ok(synced)
    assert synced.json()["pushed"] == 2
    row = alices_row()
    assert (row["units_done"], row["last_activity_on"]) == (2, "2026-03-01")  # the note: today
    assert g.rows("alice", "SELECT text FROM note") == [("worked offline",)]
    # her commands went up as hers, numbered by the hub; the catalog's did not
    assert g.rows("alice", "SELECT line FROM command ORDER BY seq") == [
        ("done dls/1/1 dls/1/2 --on 2026-02-20",),
        ("note dls/1/1 'worked offline'",),
    ]
    assert replica_rows(alice, "SELECT count(*) FROM command WHERE seq IS NULL") == [(0,)]
    # nothing of bob's, who has no replica, is on hers
    ok(g.run("bob", "done", "dls/2/1"))
    ok(local(alice, "sync"))
    assert replica_rows(alice, "SELECT DISTINCT learner FROM progress") == [("me",)]


def test_a_curators_import_and_changes_reach_the_replica_at_its_next_sync(
    group_store: GroupStore, alice: Path
) -> None:
    g = group_store
    ok(local(alice, "done", "dls/1/1"))
    ok(g.run(g.curator, "import", MISSING_SEMESTER))
    ok(g.run(g.curator, "update", "dls/1", "--title", "Neural Networks, renamed"))
    # two topics swap slugs (through a third): the replica gets the swap at once
    one, two = hub_slug(g, "dls/1/1"), hub_slug(g, "dls/1/2")
    ok(g.run(g.curator, "update", f"dls/1/{one}", "--slug", "swap-tmp"))
    ok(g.run(g.curator, "update", f"dls/1/{two}", "--slug", one))
    ok(g.run(g.curator, "update", "dls/1/swap-tmp", "--slug", two))
    assert catalog(alice) != hub_catalog(g)
    synced = local(alice, "sync", "--json")
    ok(synced)
    data = synced.json()
    assert data["catalog"]["changes"] > 0
    assert data["pushed"] == 1
    assert catalog(alice) == hub_catalog(g)
    shown = local(alice, "status")
    ok(shown)
    assert "missing-semester" in shown.stdout
    lines = [line for (line,) in replica_rows(alice, "SELECT line FROM command WHERE seq = 0")]
    assert lines == [f"sync: catalog from {g.url('alice')}"] * 2
    # her progress is on the topic she marked, whatever its slug now (uids name rows)
    assert replica_rows(
        alice,
        "SELECT t.uid FROM progress p JOIN topic t ON t.id = p.topic_id WHERE p.status = 'done'",
    ) == g.rows(
        "alice",
        "SELECT t.uid FROM progress p JOIN topic t ON t.id = p.topic_id WHERE p.status = 'done'",
    )
    # a curator removes a course: gone from the replica at the next sync
    ok(g.run(g.curator, "rm", "missing-semester", "--yes"))
    ok(local(alice, "sync"))
    assert catalog(alice) == hub_catalog(g)


def hub_slug(g: GroupStore, ref: str) -> str:
    spec, course, topic = ref.split("/")
    return g.all_rows(
        "SELECT t.slug FROM topic t JOIN course c ON c.id = t.course_id "
        "JOIN specialization s ON s.id = c.specialization_id "
        "WHERE s.slug = ? AND c.position = ? AND t.position = ?",
        spec,
        int(course),
        int(topic),
    )[0][0]


def test_a_catalog_change_on_the_replica_is_refused_at_sync_with_the_list(
    group_store: GroupStore, alice: Path
) -> None:
    g = group_store
    ok(local(alice, "done", "dls/1/1"))
    ok(local(alice, "add", "course", "dls", "My Own Course", "--slug", "mine"))
    ok(local(alice, "update", "dls/1", "--title", "Renamed here"))
    ids = [i for (i,) in replica_rows(alice, "SELECT id FROM command ORDER BY id")]
    before = dump(alice)
    hub_before = g.all_rows("SELECT count(*) FROM command"), hub_catalog(g)
    refused = local(alice, "sync")
    add, update = ids[-2], ids[-1]
    assert one_line(refused) == (
        "Error: 2 commands made here changed the catalog, which in a study group changes on "
        "the group's store only, so nothing was synced: "
        f"#{add} add course dls 'My Own Course' --slug mine; "
        f"#{update} update dls/1 --title 'Renamed here'. Undo them (coursetrack undo N, the "
        "latest first), or ask a curator to make the change on the group's store"
    )
    assert "Traceback" not in refused.stderr
    # nothing moved on either side
    assert dump(alice) == before
    assert (g.all_rows("SELECT count(*) FROM command"), hub_catalog(g)) == hub_before
    assert g.rows("alice", "SELECT count(*) FROM progress") == [(0,)]
    # undone, the two leave nothing to push: the sync goes through, the pairs stay here
    ok(local(alice, "undo", "--yes"))
    ok(local(alice, "undo", str(add), "--yes"))
    synced = local(alice, "sync", "--json")
    ok(synced)
    assert synced.json()["pushed"] == 1
    assert g.rows("alice", "SELECT line FROM command") == [("done dls/1/1",)]
    assert replica_rows(alice, "SELECT count(*) FROM command WHERE seq IS NULL") == [(0,)]
    assert catalog(alice) == hub_catalog(g)


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_a_curators_catalog_change_on_her_replica_is_refused_too(
    group_store: GroupStore, tmp_path: Path
) -> None:
    g = group_store
    path = tmp_path / "cora.db"
    ok(local(path, "sync", g.url(g.curator)))
    ok(local(path, "add", "topic", "dls/1", "Extra topic"))
    refused = local(path, "sync")
    last = replica_rows(path, "SELECT max(id) FROM command")[0][0]
    assert one_line(refused).endswith(
        f"#{last} add topic dls/1 'Extra topic'. Undo it (coursetrack undo {last}), then make "
        "the change on the group's store (coursetrack --db URL ...)"
    )
    assert g.all_rows("SELECT count(*) FROM topic WHERE title = 'Extra topic'") == [(0,)]


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_a_learners_command_on_a_topic_a_curator_removed_is_set_aside(
    group_store: GroupStore, alice: Path
) -> None:
    """docs/sync.md: her commands are replayed against the hub's catalog as it is; one on
    a topic a curator removed meanwhile is set aside (its foreign key), and reported."""
    g = group_store
    ok(local(alice, "done", "dls/5/1"))
    ok(local(alice, "done", "dls/1/1"))
    ok(g.run(g.curator, "rm", "dls/5", "--yes"))  # the hub holds no record of it yet
    synced = local(alice, "sync", "--json")
    ok(synced)
    data = synced.json()
    assert g.rows("alice", "SELECT line, set_aside FROM command WHERE set_aside IS NOT NULL") == [
        ("done dls/5/1", "foreign_key")
    ]
    assert catalog(alice) == hub_catalog(g)
    assert [entry["line"] for entry in data["set_aside"]] == ["done dls/5/1"]
    assert replica_rows(alice, "SELECT set_aside FROM command WHERE line = 'done dls/5/1'") == [
        ("foreign_key",)
    ]
    assert g.rows("alice", "SELECT count(*) FROM progress WHERE status = 'done'") == [(1,)]
    assert replica_rows(alice, "SELECT count(*) FROM progress WHERE status = 'done'") == [(1,)]
    ok(local(alice, "check"))


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_a_curators_replica_takes_her_own_catalog_commands_made_on_the_group(
    group_store: GroupStore, tmp_path: Path
) -> None:
    """The owner and a curator change the catalog on the group's store: on their replicas
    it comes down as state, and their own commands that made it are pulled as well (their
    history is theirs): the two agree, nothing is set aside, and the next sync has nothing
    to do."""
    g = group_store
    for role in (g.owner, g.curator):
        path = tmp_path / f"{role}.db"
        ok(g.run(role, "add", "topic", "dls/1", f"Added by {role}"))
        first = local(path, "sync", g.url(role), "--json")
        ok(first)
        assert first.json()["set_aside"] == []
        assert first.json()["pulled"] >= 1
        assert catalog(path) == hub_catalog(g)
        again = local(path, "sync", "--json")
        ok(again)
        assert (again.json()["pulled"], again.json()["pushed"]) == (0, 0)
        assert replica_rows(path, "SELECT count(*) FROM command WHERE seq IS NULL") == [(0,)]
        ok(local(path, "check"))


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_a_group_of_an_older_security_is_no_hub_until_its_owner_brings_it_up_to_date(
    group_store: GroupStore, tmp_path: Path
) -> None:
    from coursetrack.store import group

    g = group_store
    with g.connect(g.superuser) as con:  # as security version 4 left it: no catalog version
        for table in ("specialization", "course", "topic"):
            con.execute(f"DROP TRIGGER catalog_version ON {table}")
        con.execute("ALTER TABLE coursetrack_schema DROP COLUMN catalog_version")
        con.execute("UPDATE coursetrack_schema SET security = 4")
    path = tmp_path / "alice.db"
    refused = local(path, "sync", g.url("alice"))
    line = one_line(refused)
    assert "security is out of date" in line and f"needs {group.SECURITY_VERSION}" in line
    assert g.all_rows("SELECT count(*) FROM command WHERE learner = 'alice'") == [(0,)]
    ok(g.run(g.owner, "status"))
    ok(local(path, "sync", g.url("alice")))
    assert catalog(path) == hub_catalog(g)


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_an_undo_of_the_catalog_brought_down_is_not_pushed_and_the_catalog_comes_back(
    group_store: GroupStore, alice: Path
) -> None:
    """A plain `undo` right after a sync takes back the catalog it brought down (the
    newest command): that undo is no catalog change of the learner's to refuse or push;
    the next sync brings the catalog down again."""
    g = group_store
    ok(local(alice, "done", "dls/1/1"))
    ok(g.run(g.curator, "add", "topic", "dls/1", "Added by cora"))
    ok(local(alice, "sync"))
    undone = local(alice, "undo", "--yes")
    ok(undone)
    assert "sync: catalog from" in undone.stdout
    assert catalog(alice) != hub_catalog(g)
    synced = local(alice, "sync", "--json")
    ok(synced)
    assert synced.json()["pushed"] == 0
    assert catalog(alice) == hub_catalog(g)
    assert replica_rows(alice, "SELECT count(*) FROM command WHERE seq IS NULL") == [(0,)]
    assert g.rows("alice", "SELECT line FROM command") == [("done dls/1/1",)]


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_an_undo_of_a_catalog_command_pulled_is_listed_with_what_takes_it_back(
    group_store: GroupStore, tmp_path: Path
) -> None:
    """A curator's replica pulls her own catalog commands made on the group (an `add`,
    then its `rm`: replayed after the catalog came down, they change rows here); her `rm`
    undone here is a catalog change made here, refused; and since an undo cannot be
    undone, the list says what takes it back: running what it undid again."""
    g = group_store
    path = tmp_path / "cora.db"
    ok(g.run(g.curator, "add", "topic", "dls/1", "Added by cora", "--slug", "added"))
    ok(g.run(g.curator, "rm", "dls/1/added", "--yes"))
    ok(local(path, "sync", g.url(g.curator)))
    ok(local(path, "undo", "--yes"))
    undo, rm = replica_rows(path, "SELECT id, undoes FROM command ORDER BY id DESC LIMIT 1")[0]
    assert replica_rows(path, f"SELECT line FROM command WHERE id = {rm}") == [
        ("rm dls/1/added --yes",)
    ]
    assert one_line(local(path, "sync")) == (
        "Error: 1 command made here changed the catalog, which in a study group changes on "
        f"the group's store only, so nothing was synced: #{undo} undo --yes (it undid #{rm}: "
        "run that again). Make the change on the group's store (coursetrack --db URL ...)"
    )


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_a_learner_who_imported_the_groups_catalog_herself_syncs_her_progress(
    group_store: GroupStore, tmp_path: Path
) -> None:
    """The usual first step: the shipped catalog imported on her laptop, some progress,
    then `sync URL`. The import made the rows the group has (same uids, same values): no
    catalog change to refuse; it stays on the replica, her progress goes up."""
    from conftest import DLS

    g = group_store
    path = tmp_path / "alice.db"
    ok(local(path, "import", DLS))
    ok(local(path, "done", "dls/1/1"))
    synced = local(path, "sync", g.url("alice"), "--json")
    ok(synced)
    assert synced.json()["pushed"] == 1
    assert g.rows("alice", "SELECT line FROM command") == [("done dls/1/1",)]
    assert replica_rows(path, "SELECT seq FROM command WHERE line LIKE 'import %'") == [(0,)]
    version = g.all_rows("SELECT catalog_version FROM coursetrack_schema")[0][0]
    assert replica_rows(path, "SELECT payload FROM command WHERE line LIKE 'import %'") == [
        (f'{{"catalog_version": {version}}}',)
    ]  # the version held: the next sync reads no catalog
    assert catalog(path) == hub_catalog(g)
    # once it differs from the group's, it is a change again: refused, listed
    ok(local(path, "update", "dls/1", "--title", "Mine"))
    last = replica_rows(path, "SELECT max(id) FROM command")[0][0]
    line = one_line(local(path, "sync"))
    assert f": #{last} update dls/1 --title Mine. Undo it (coursetrack undo {last})" in line


@pytest.mark.slow  # the quick loop keeps the three group cases and the role refusal
def test_a_link_added_and_removed_here_on_a_topic_a_curator_removed(
    group_store: GroupStore, alice: Path
) -> None:
    """Her link added then removed on a topic, never pushed, while a curator removed the
    topic: the sync goes through (the add is set aside on the hub, its removal with it),
    and both sides agree."""
    g = group_store
    ok(local(alice, "link", "add", "dls/5/1", "https://example.org/mine"))
    link = replica_rows(alice, "SELECT max(id) FROM link")[0][0]
    ok(local(alice, "link", "rm", str(link)))
    ok(local(alice, "done", "dls/1/1"))
    ok(g.run(g.curator, "rm", "dls/5", "--yes"))
    synced = local(alice, "sync", "--json")
    ok(synced)
    assert catalog(alice) == hub_catalog(g)
    assert g.rows("alice", "SELECT count(*) FROM link") == [(0,)]
    assert replica_rows(alice, "SELECT count(*) FROM link") == [(0,)]
    assert g.rows("alice", "SELECT count(*) FROM progress WHERE status = 'done'") == [(1,)]
    ok(local(alice, "check"))


def test_a_replica_that_synced_as_alice_is_refused_as_bob_nothing_moved(
    group_store: GroupStore, alice: Path
) -> None:
    """A replica holds one learner's record: synced as alice, a `sync` with bob's URL (a
    shared laptop, a name mistyped) would pull bob's commands into her record and push hers
    as his. Refused in one line before anything moves, on either side; her own URL (the
    one the store keeps) still syncs."""
    g = group_store
    ok(local(alice, "done", "dls/1/1", "--on", "2026-02-20"))  # hers, to push
    ok(g.run("bob", "done", "dls/2/1", "--on", "2026-02-21"))  # his, to pull
    hub_commands = "SELECT id, gid, seq, stamp, learner, line FROM command ORDER BY id"
    hub_progress = "SELECT learner, completed_on FROM progress ORDER BY learner, completed_on"
    hub_before = (g.all_rows(hub_commands), g.all_rows(hub_progress))
    replica_before = dump(alice)
    line = one_line(local(alice, "sync", g.url("bob")))
    assert line.startswith("Error: this store syncs as alice on "), line
    assert "as bob" in line and "make a new store for bob" in line, line
    assert dump(alice) == replica_before
    assert (g.all_rows(hub_commands), g.all_rows(hub_progress)) == hub_before
    # her own URL, the one the store keeps, still syncs: hers goes up, nothing of bob's comes
    ok(local(alice, "sync"))
    assert g.rows("alice", "SELECT line FROM command") == [("done dls/1/1 --on 2026-02-20",)]
    assert replica_rows(alice, "SELECT DISTINCT learner FROM progress") == [("me",)]
