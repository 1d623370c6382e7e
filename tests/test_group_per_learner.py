"""Every single-learner command works on a study group's store, on the learner's own record.

Alice and bob record different things in one group store (their commands
interleaved); each of them also records the same things alone, in a SQLite
store of their own. Every view (`status`, `next`, `plan`, `goal`, `review`,
`show`, `note list`, `link list`, `chart`, the blog post, the page, the backup)
prints for a learner in the group exactly what it prints in their own store,
and alice's differs from bob's: nobody sees the other's record there.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app
from coursetrack.store import schema
from group import CURATOR, LEARNERS, OWNER, GroupStore, _owner_template, group_store_fixture  # noqa: F401
from test_group_history import ok

# every view in a group and in a store of one's own, compared: the full suite only
pytestmark = pytest.mark.slow

NOW = "2026-09-12T10:00:00"
DLS = "deep-learning-specialization"

ALICE = [
    ("done", "dls/1", "--on", "2026-08-10"),
    ("start", "dls/2/1", "--on", "2026-08-20"),
    ("note", "add", "dls/1/2", "alice: vectorize everything", "--on", "2026-08-11"),
    ("link", "dls/1/2", "https://example.org/alice.ipynb", "--title", "alice's notebook"),
    ("goal", "dls", "--by", "2027-03-01"),
    ("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-08-25"),
    ("done", "dls/2/1", "--on", "2026-09-01"),
]
BOB = [
    ("done", "dls/2/1", "--on", "2026-09-01"),
    ("done", "dls/2/2", "--on", "2026-09-05"),
    ("note", "add", "dls/2/1", "bob: regularize first", "--on", "2026-09-02"),
    ("note", "add", "dls/1/2", "bob: broadcasting bites", "--on", "2026-09-03"),
    ("goal", "dls", "--by", "2026-12-31"),
    ("start", "dls/3/1", "--on", "2026-09-10"),
]

VIEWS = [
    ("status",),
    ("status", "dls"),
    ("status", "dls/1"),
    ("status", "dls", "--json"),
    ("next",),
    ("next", "dls", "--json"),
    ("plan", "dls"),
    ("goal", "dls"),
    ("review",),
    ("review", "--json"),
    ("show", "dls/1/2"),
    ("show", "dls"),
    ("show", "dls/2/1", "--json"),
    ("note", "list", "dls"),
    ("link", "list", "dls"),
    ("chart", "dls"),
    ("export", "markdown", "dls"),
    ("export", "html", "dls"),
    ("export", "yaml"),
]


def _numbers(text: str) -> str:
    """Note and link numbers are the store's (the group's learners share them): as '_'.
    Peer review's counts are a group's alone (`status --json`, `next --json`): left out."""
    if text.startswith("{"):
        data = json.loads(text)
        if isinstance(data, dict) and "peer" in data:
            del data["peer"]
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return re.sub(r'(#|"id": )\d+\b', r"\1_", text)


@contextlib.contextmanager
def _group_store(server):
    """A group's store made as tests/group.py's `group_store` makes it, to keep for a
    module whose tests only read it."""
    name = server.create_database(_owner_template(server))
    server._admin.execute(f'ALTER DATABASE "{name}" OWNER TO "{OWNER}"')
    g = GroupStore(server, name)
    try:
        ok(g, OWNER, "group", "init")
        g.add(CURATOR, curator=True)
        for learner in LEARNERS:
            g.add(learner)
        yield g
    finally:
        server.drop_database(name)


@pytest.fixture(scope="module")
def records(postgres_server, tmp_path_factory: pytest.TempPathFactory):
    """The group store with both learners' records, and each learner's own SQLite store
    (made once: the views only read them)."""
    tmp_path = tmp_path_factory.mktemp("alone")
    with contextlib.ExitStack() as stack:
        clock = stack.enter_context(pytest.MonkeyPatch.context())
        clock.setenv("COURSETRACK_NOW", NOW)
        clock.setenv("TZ", "UTC")
        g = stack.enter_context(_group_store(postgres_server))
        for pair in itertools.zip_longest(ALICE, BOB):  # alice, bob, alice, bob ...
            for learner, command in zip(("alice", "bob"), pair, strict=True):
                if command is not None:
                    ok(g, learner, *command)
        alone = {}
        runner = CliRunner()
        for learner, commands in (("alice", ALICE), ("bob", BOB)):
            alone[learner] = str(tmp_path / f"{learner}.db")
            for command in [(("import", DLS)), *commands]:
                result = runner.invoke(app, ["--db", alone[learner], *command])
                assert result.exit_code == 0, result.output
        yield g, alone


def _alone(db: str, *args: str):
    return CliRunner().invoke(app, ["--db", db, *args])


@pytest.mark.parametrize("view", VIEWS, ids=" ".join)
def test_each_view_shows_the_learner_what_their_own_store_shows(records, view) -> None:
    g, alone = records
    outputs = {}
    for learner in ("alice", "bob"):
        in_group = g.run(learner, *view)
        own = _alone(alone[learner], *view)
        assert (in_group.exit_code, own.exit_code) == (0, 0), (in_group.stderr, own.output)
        assert in_group.stderr == ""
        assert _numbers(in_group.stdout) == _numbers(own.stdout), learner
        outputs[learner] = in_group.stdout
    assert outputs["alice"] != outputs["bob"], "each learner sees their own record"


# --- a backup of one learner restores into a group store as another -------------------


def _views(run, learner: str | None = None) -> dict[tuple[str, ...], str]:
    """What the record-bearing views print (numbers of notes and links aside)."""
    shown = {}
    for view in VIEWS:
        if view[:2] == ("export", "yaml"):
            continue  # a backup names its own numbers nowhere, but compared below
        result = run(*view)
        assert result.exit_code == 0, (view, result.stderr)
        shown[view] = _numbers(result.stdout)
    return shown


def test_a_learners_backup_restores_into_a_group_store_as_whoever_restores_it(
    records, postgres_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """alice's backup of her own SQLite store, restored by carol into a group store that
    has the catalog already and bob's record in it: carol's views are alice's, the rows
    are carol's, and nobody else's record changed."""
    _, alone = records
    backup = tmp_path / "alice.yaml"
    saved = _alone(alone["alice"], "export", "yaml", "-o", str(backup))
    assert saved.exit_code == 0, saved.output
    monkeypatch.setenv("COURSETRACK_NOW", NOW)
    monkeypatch.setenv("TZ", "UTC")
    with _group_store(postgres_server) as other:
        for command in BOB:
            ok(other, "bob", *command)
        bob_before = other.all_rows("SELECT * FROM progress WHERE learner = 'bob' ORDER BY id")
        restored = other.run("carol", "import", str(backup))
        assert restored.exit_code == 0, restored.stderr
        assert other.all_rows("SELECT DISTINCT learner FROM progress ORDER BY 1") == [
            ("bob",),
            ("carol",),
        ]
        for table in ("note", "link", "review", "goal"):
            assert other.all_rows(
                f"SELECT DISTINCT learner FROM {table} WHERE learner <> 'bob'"
            ) == [("carol",)], table
        assert (
            other.all_rows("SELECT * FROM progress WHERE learner = 'bob' ORDER BY id") == bob_before
        )
        assert _views(lambda *a: other.run("carol", *a)) == _views(
            lambda *a: _alone(alone["alice"], *a)
        )
        # and carol's backup is alice's again: the record made the round trip whole
        again = ok(other, "carol", "export", "yaml").stdout
        assert again == _alone(alone["alice"], "export", "yaml").stdout


# --- SQLite stays a one-learner store -----------------------------------------------

FIXTURE2 = Path(__file__).parent / "data" / "store-schema2.db"
PER_LEARNER = ("progress", "note", "link", "review", "goal", "command", "change")


def _query(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _less_uid(values: str | None) -> dict | None:
    """A change's values as JSON read, less the row's uid (schema 8 adds it)."""
    if values is None:
        return None
    row = json.loads(values)
    row.pop("uid", None)
    return row


def test_a_schema_4_sqlite_store_upgrades_to_one_learner_me_losing_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store as the release before study groups left it (schema 4, made here from the
    schema-2 fixture by the frozen migrations) upgrades with every row kept, each of
    its records the local learner's, no note private, no member, and undo reaching back."""
    from sqlalchemy import create_engine

    path = tmp_path / "four.db"
    shutil.copyfile(FIXTURE2, path)
    bind = create_engine(f"sqlite:///{path}")
    with monkeypatch.context() as older:
        older.setattr(schema, "SCHEMA_VERSION", 4)
        schema.migrate(bind)
    bind.dispose()
    assert _query(path, "PRAGMA user_version") == [(4,)]
    columns = {t: [r[1] for r in _query(path, f"PRAGMA table_info({t})")] for t in PER_LEARNER}
    assert not any("learner" in c for c in columns.values())
    before = {
        t: _query(path, f"SELECT {', '.join(c)} FROM {t} ORDER BY id") for t, c in columns.items()
    }

    result = _alone(str(path), "status")
    assert result.exit_code == 0, result.output
    assert _query(path, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]
    assert _query(path, "PRAGMA foreign_key_check") == []
    after = {
        t: _query(path, f"SELECT {', '.join(c)} FROM {t} ORDER BY id") for t, c in columns.items()
    }
    # schema 8 names each changed row by its uid in the history's JSON (issue 24)
    kept = columns["change"]
    after["change"] = [
        tuple(_less_uid(v) if c in ("old", "new") else v for c, v in zip(kept, row, strict=True))
        for row in after["change"]
    ]
    before["change"] = [
        tuple(_less_uid(v) if c in ("old", "new") else v for c, v in zip(kept, row, strict=True))
        for row in before["change"]
    ]
    assert after == before, "every row of schema 4 is kept, column for column"
    for table in PER_LEARNER:
        assert _query(path, f"SELECT DISTINCT learner FROM {table}") == [("me",)], table
    assert _query(path, "SELECT DISTINCT private FROM note") == [(0,)]
    assert _query(path, "SELECT count(*) FROM member") == [(0,)]

    undone = _alone(str(path), "undo", "--yes")
    assert undone.exit_code == 0 and undone.stdout.startswith("undid #13 start dls/2/2 ")
    # a new record is the local learner's too
    assert _alone(str(path), "note", "dls/1", "after the upgrade").exit_code == 0
    assert _query(path, "SELECT learner, private FROM note ORDER BY id DESC LIMIT 1") == [("me", 0)]
    assert _query(path, "SELECT DISTINCT learner FROM command") == [("me",)]
    who = _alone(str(path), "whoami", "--json")
    assert who.exit_code == 0, who.output
    ((replica, machine),) = _query(path, "SELECT replica, name FROM sync_state")
    assert who.stdout and json.loads(who.stdout) == {
        "learner": "me",
        "role": "curator",
        "group": False,
        "store": str(path),
        "replica": replica,
        "machine": machine,
        "hub": None,
    }
    assert _alone(str(path), "whoami").stdout.splitlines()[0] == "learner  me"


@pytest.mark.parametrize("fixture", ["store-schema1.db", "store-schema2.db"])
def test_the_first_releases_stores_upgrade_to_the_local_learner(tmp_path: Path, fixture) -> None:
    path = tmp_path / fixture
    shutil.copyfile(FIXTURE2.parent / fixture, path)
    assert _alone(str(path), "status").exit_code == 0
    for table in PER_LEARNER:
        assert _query(path, f"SELECT DISTINCT learner FROM {table}") in ([("me",)], []), table
    assert _query(path, "SELECT count(*) FROM progress") != [(0,)]
    assert json.loads(_alone(str(path), "whoami", "--json").stdout)["learner"] == "me"


# --- a learner's command that waited while a curator changed the catalog ---------------


@pytest.mark.slow
def test_a_learners_command_that_waited_never_acts_on_a_neighbour(group_store) -> None:
    """As the races in tests/test_refs.py, in a group: the curator holds the write lock and
    removes dls/2 while alice's `done dls/2` and bob's `note dls/4` wait. A learner sees only
    their own history, yet theirs must still notice that the catalog moved under the
    ref they typed (dls/2 now names the next course), and change nothing."""
    from coursetrack.services import items
    from races import finish, holding_the_lock, start, wait_until_blocked

    g = group_store
    ok(g, "alice", "done", "dls/1/1")  # a record of her own already, so her history is not empty
    with holding_the_lock(g.url(OWNER), "rm dls/2 --yes") as session:
        procs = {
            "alice": start(g.url("alice"), "done", "dls/2", "--note", "not on structuring"),
            "bob": start(g.url("bob"), "note", "dls/4", "not on sequence models"),
        }
        for proc in procs.values():
            wait_until_blocked(proc)
        items.remove_item(session, ref="dls/2")
    results = {who: finish(proc) for who, proc in procs.items()}
    for who, (code, out, err) in results.items():
        assert code == 1, (who, out, err)
        assert "changed the store while it waited" in err and "nothing was changed" in err, err
    assert "named course dls/improving" in results["alice"][2]
    assert "it now names dls/structuring" in results["alice"][2]
    assert g.all_rows("SELECT learner, count(*) FROM progress GROUP BY learner") == [("alice", 1)]
    assert g.all_rows("SELECT count(*) FROM note") == [(0,)]
