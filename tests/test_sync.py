"""`coursetrack sync` (issue 24): two SQLite replicas and a PostgreSQL hub, the issue's
merge cases one by one through the CLI, on the real server (tests/postgres.py).

After each case every replica's `export yaml` and the hub's are the same: a store's
record is the replay of the commands it holds in stamp order, whichever synced first.
The clock of each command is pinned (COURSETRACK_NOW), so which change is later is the
test's to say.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import postgres
from coursetrack.cli import app

CATALOG = """\
slug: sp
title: Sync Program
courses:
  - title: Course One
    slug: c1
    topics:
      - Alpha
      - Beta
      - Gamma
  - title: Course Two
    slug: c2
    topics:
      - Delta
"""

#: The day every case runs on, and a moment of it by minute.
DAY = "2026-03-02"


def at(minute: int) -> str:
    return f"{DAY}T10:{minute:02d}:00+00:00"


class Machine:
    """One machine: its SQLite replica, run through the CLI with a pinned clock."""

    def __init__(self, db: str, name: str) -> None:
        self.db, self.name = db, name
        self.runner = CliRunner()

    def run(self, *args: str, minute: int = 0, ok: bool = True):
        result = self.runner.invoke(
            app, ["--db", self.db, *args], env={"COURSETRACK_NOW": at(minute)}
        )
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        if ok:
            assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def rows(self, sql: str, *params: object) -> list[tuple]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def hub_template(postgres_server: postgres.Server) -> str:
    """A database holding an empty store's schema, made once: each test's hub is a copy."""
    from coursetrack.store import open_store

    name = postgres_server.create_database()
    open_store(postgres_server.url(name), write=True).close()
    return name


@pytest.fixture
def hub(postgres_server: postgres.Server, hub_template: str) -> Iterator[str]:
    name = postgres_server.create_database(hub_template)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def machines(tmp_path: Path, hub: str) -> tuple[Machine, Machine]:
    """Two replicas holding the catalog: imported on the laptop, pulled by the desktop."""
    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    laptop = Machine(str(tmp_path / "laptop.db"), "laptop")
    desktop = Machine(str(tmp_path / "desktop.db"), "desktop")
    laptop.run("import", str(tmp_path / "catalog.yaml"))
    laptop.run("sync", hub, minute=1)
    desktop.run("sync", hub, minute=1)
    return laptop, desktop


def export(db: str) -> str:
    result = CliRunner().invoke(app, ["--db", db, "export", "yaml"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def converge(hub: str, *replicas: Machine, minute: int = 50) -> str:
    """Every replica syncs, then each again; every export, the hub's too, is the same."""
    for _ in range(2):
        for replica in replicas:
            replica.run("sync", minute=minute)
    exported = export(hub)
    for replica in replicas:
        assert export(replica.db) == exported, replica.name
    return exported


def topic(exported: str, slug: str) -> str:
    """The lines of one topic in an export (its progress, its reviews)."""
    lines = exported.splitlines()
    start = lines.index(f"    - slug: {slug}")
    end = start + 1
    while end < len(lines) and not lines[end].startswith("    - slug:"):
        if lines[end].startswith("  - slug:"):
            break
        end += 1
    return "\n".join(lines[start:end])


# --- the merge cases -------------------------------------------------------------------


def test_a_second_replica_pulls_the_first_ones_record(machines, hub) -> None:
    laptop, desktop = machines
    exported = converge(hub, laptop, desktop)
    assert "slug: gamma" in exported
    # the hub holds the import once, numbered; each replica holds it with the hub's number
    (seq,) = laptop.rows("SELECT seq FROM command WHERE line LIKE 'import%'")[0]
    assert desktop.rows("SELECT seq FROM command WHERE line LIKE 'import%'") == [(seq,)]


def test_both_notes_are_kept(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("note", "sp/1/1", "from the laptop", minute=10)
    desktop.run("note", "sp/1/1", "from the desktop", minute=11)
    exported = converge(hub, laptop, desktop)
    assert "from the laptop" in exported and "from the desktop" in exported


def test_done_on_one_note_on_the_other(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=10)
    desktop.run("note", "sp/1/1", "a note", minute=11)
    exported = converge(hub, laptop, desktop)
    alpha = topic(exported, "alpha")
    assert "status: done" in alpha and "a note" in alpha


@pytest.mark.parametrize("first", ["laptop", "desktop"])
@pytest.mark.parametrize("reopen_later", [True, False])
def test_done_against_reopen_the_later_wins_whoever_syncs_first(
    machines, hub, first: str, reopen_later: bool
) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=5)
    converge(hub, laptop, desktop, minute=6)
    # the laptop reopens; the desktop reopens and marks done again
    laptop.run("reopen", "sp/1/1", minute=20 if reopen_later else 10)
    desktop.run("reopen", "sp/1/1", minute=11 if reopen_later else 15)
    desktop.run("done", "sp/1/1", minute=12 if reopen_later else 16)
    order = (laptop, desktop) if first == "laptop" else (desktop, laptop)
    exported = converge(hub, *order)
    alpha = topic(exported, "alpha")
    assert ("status: done" in alpha) is not reopen_later, alpha


@pytest.mark.parametrize("first", ["laptop", "desktop"])
def test_two_titles_the_later_wins(machines, hub, first: str) -> None:
    laptop, desktop = machines
    laptop.run("update", "sp/1/2", "--title", "Laptop's title", minute=20)
    desktop.run("update", "sp/1/2", "--title", "Desktop's title", minute=10)
    order = (laptop, desktop) if first == "laptop" else (desktop, laptop)
    exported = converge(hub, *order)
    assert "title: Laptop's title" in exported
    assert "Desktop's title" not in exported


@pytest.mark.parametrize("first", ["laptop", "desktop"])
def test_start_on_one_done_on_the_other_is_done_with_both_days(machines, hub, first: str) -> None:
    laptop, desktop = machines
    laptop.run("start", "sp/1/3", minute=30)  # stamped after the done: furthest state
    desktop.run("done", "sp/1/3", minute=10)
    order = (laptop, desktop) if first == "laptop" else (desktop, laptop)
    exported = converge(hub, *order)
    gamma = topic(exported, "gamma")
    assert "status: done" in gamma
    assert f"started_on: '{DAY}'" in gamma and f"completed_on: '{DAY}'" in gamma
    for replica in (laptop, desktop):
        assert replica.rows("SELECT count(*) FROM command WHERE set_aside IS NOT NULL") == [(0,)]


def test_a_review_against_a_reopen_sets_the_second_aside_everywhere(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=5)
    converge(hub, laptop, desktop, minute=6)
    laptop.run("reviewed", "sp/1/1", "--grade", "good", minute=10)
    desktop.run("reopen", "sp/1/1", minute=20)  # later: the one the store refuses
    laptop.run("sync", minute=30)
    synced = desktop.run("sync", minute=31)
    assert "1 set aside:" in synced.stdout
    assert "reopen sp/1/1" in synced.stdout and "rule review_done_topic" in synced.stdout
    exported = converge(hub, laptop, desktop)
    alpha = topic(exported, "alpha")
    assert "status: done" in alpha and "reviews:" in alpha
    with postgres.connect(hub, autocommit=True) as con:
        on_hub = postgres.rows(
            con, "SELECT line, set_aside FROM command WHERE set_aside IS NOT NULL", ()
        )
    for replica in (laptop, desktop):
        assert replica.rows("SELECT line, set_aside FROM command WHERE set_aside IS NOT NULL") == [
            tuple(row) for row in on_hub
        ]
    assert [row[0] for row in on_hub] == ["reopen sp/1/1"]
    for replica in (laptop, desktop):  # and log shows it so
        entries = json.loads(replica.run("log", "--json", minute=51).stdout)["commands"]
        shown = [e["command"] for e in entries if e.get("set_aside")]
        assert shown == ["reopen sp/1/1"], replica.name


def test_undo_of_the_other_machines_command(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=5)
    converge(hub, laptop, desktop, minute=6)
    undone = desktop.run("undo", "--yes", minute=10)
    assert "undid" in undone.stdout and "done sp/1/1" in undone.stdout
    exported = converge(hub, laptop, desktop)
    assert "status: done" not in topic(exported, "alpha")
    # the undo and what it undid are linked on every replica
    for replica in (laptop, desktop):
        assert replica.rows(
            "SELECT c.line FROM command c JOIN command u ON u.undoes = c.id "
            "WHERE c.undone_by = u.id"
        ) == [("done sp/1/1",)]


def test_a_second_sync_exchanges_nothing(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=5)
    desktop.run("note", "sp/2", "hello", minute=6)
    converge(hub, laptop, desktop)
    before = [_dump(m.db) for m in (laptop, desktop)]
    for replica in (laptop, desktop):
        again = replica.run("sync", minute=55)
        assert again.stdout.splitlines()[0] == "pulled 0 commands, pushed 0"
    assert [_dump(m.db) for m in (laptop, desktop)] == before


def test_a_hub_that_cannot_be_reached_leaves_the_store_untouched(tmp_path, machines) -> None:
    laptop, _ = machines
    laptop.run("done", "sp/1/1", minute=5)
    before = _dump(laptop.db)
    gone = f"postgresql://ct@/nothing?host={tmp_path / 'no-server'}"
    result = laptop.run("sync", gone, minute=6, ok=False)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot connect to the hub" in result.stderr and "Traceback" not in result.stderr
    assert _dump(laptop.db) == before


def test_sync_refuses_a_postgresql_store(hub) -> None:
    result = CliRunner().invoke(app, ["--db", hub, "sync", hub])
    assert result.exit_code == 1
    assert "sync runs on a SQLite store" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_sync_json_says_what_went_each_way(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=5)
    laptop.run("note", "sp/1", "n", minute=6)
    out = laptop.run("sync", "--json", minute=7).stdout
    data = json.loads(out)
    assert data["pushed"] == 2 and data["pulled"] == 0
    assert data["hub"] == hub and data["set_aside"] == [] and data["renumbered"] == []
    assert data["catalog"] is None
    assert set(data) == {
        "hub", "replica", "machine", "pulled", "pushed", "set_aside", "renumbered",
        "catalog", "clock_offset_seconds",
    }  # fmt: skip
    assert json.loads(desktop.run("sync", "--json", minute=8).stdout)["pulled"] == 2


def test_the_url_is_kept_without_its_password(machines, hub) -> None:
    laptop, _ = machines
    with_password = hub.replace("ct@", "ct:sekrit@")
    laptop.run("sync", with_password, minute=7)
    assert laptop.rows("SELECT hub_url FROM sync_state") == [(hub,)]


def test_a_change_after_a_sync_wins_over_what_it_pulled_whatever_the_clock(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=40)
    laptop.run("sync", minute=41)
    desktop.run("sync", minute=5)  # the desktop's clock is 36 minutes behind
    desktop.run("reopen", "sp/1/1", minute=6)
    exported = converge(hub, laptop, desktop)
    assert "status: done" not in topic(exported, "alpha")


@pytest.mark.slow  # the quick loop keeps the merge cases
def test_a_clock_far_from_the_hubs_is_warned_of(machines, hub) -> None:
    laptop, _ = machines
    skewed = laptop.run("sync", minute=1)  # the pinned clock is months from the server's
    assert "clock" in skewed.stderr
    result = laptop.runner.invoke(app, ["--db", laptop.db, "sync"], env={"COURSETRACK_NOW": ""})
    assert result.exit_code == 0, result.stderr
    assert "clock" not in result.stderr


@pytest.mark.slow  # the quick loop keeps the merge cases
def test_renumbered_commands_are_said(machines, hub) -> None:
    laptop, desktop = machines
    desktop.run("done", "sp/1/1", minute=10)
    desktop.run("sync", minute=11)
    laptop.run("note", "sp/1", "later than the desktop's done", minute=20)
    (before,) = laptop.rows("SELECT max(id) FROM command")[0]
    synced = laptop.run("sync", minute=21)
    assert f"#{before} is now #{before + 1}" in synced.stdout
    converge(hub, laptop, desktop)


def _dump(db: str) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_a_copied_store_is_refused_until_it_takes_a_new_replica_id(tmp_path, machines, hub) -> None:
    laptop, desktop = machines
    import shutil

    shutil.copyfile(laptop.db, tmp_path / "copy.db")
    copy = Machine(str(tmp_path / "copy.db"), "copy")
    laptop.run("done", "sp/1/1", minute=10)
    copy.run("note", "sp/1/2", "made on the copy", minute=11)  # the same gid, other changes
    laptop.run("sync", minute=12)
    before = _dump(copy.db)
    refused = copy.run("sync", minute=13, ok=False)
    assert refused.exit_code == 1
    assert "sync --new-replica" in refused.stderr
    assert _dump(copy.db) == before
    copy.run("sync", "--new-replica", minute=14)
    (replica,) = copy.rows("SELECT replica FROM sync_state")[0]
    assert laptop.rows("SELECT replica FROM sync_state") != [(replica,)]
    exported = converge(hub, laptop, desktop, copy)
    assert "made on the copy" in exported and "status: done" in topic(exported, "alpha")


# --- the pieces ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("postgresql://me:pw@host/db", "postgresql://me@host/db"),
        (
            "postgresql://me@host/db?password=pw&sslmode=require",
            "postgresql://me@host/db?sslmode=require",
        ),
        (
            "postgresql://me@host/db?sslmode=require&password=pw",
            "postgresql://me@host/db?sslmode=require",
        ),
        ("postgresql://host/db", "postgresql://host/db"),
    ],
)
def test_a_hub_url_is_kept_without_its_password(given: str, kept: str) -> None:
    from coursetrack.store.sync_hub import without_password

    assert without_password(given) == kept


def test_a_refusal_is_named_as_on_postgresql() -> None:
    from coursetrack.store.sync_apply import refusal_of, words

    con = sqlite3.connect(":memory:")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("CREATE TABLE p (id INTEGER PRIMARY KEY)")
    con.execute(
        "CREATE TABLE topic (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id), "
        "slug TEXT UNIQUE, CONSTRAINT ck_review_done_topic CHECK (slug <> 'x'))"
    )
    for sql, rule in [
        ("INSERT INTO topic (p) VALUES (7)", "foreign_key"),
        ("INSERT INTO topic (slug) VALUES ('x')", "ck_review_done_topic"),
        ("INSERT INTO topic (slug) VALUES ('a')", None),
        ("INSERT INTO topic (slug) VALUES ('a')", "unique_topic"),
    ]:
        try:
            con.execute(sql)
        except sqlite3.IntegrityError as exc:
            refused = refusal_of(exc)
            assert refused is not None and refused.rule == rule
        else:
            assert rule is None
    assert "(rule review_done_topic)" in words("ck_review_done_topic")
    assert refusal_of(ValueError("no")) is None


def test_sync_without_a_hub_says_how_to_name_one(tmp_path) -> None:
    lone = Machine(str(tmp_path / "lone.db"), "lone")
    result = lone.run("sync", ok=False)
    assert result.exit_code == 1
    assert (
        "syncs with no hub yet" in result.stderr
        and "coursetrack sync postgresql://" in result.stderr
    )
    assert not Path(lone.db).exists()  # nothing made for it
    lone.run("status")
    assert lone.run("sync", ok=False).exit_code == 1
    assert lone.run("sync", "sqlite:///other.db", ok=False).stderr.count("\n") == 1


class _Killed(Exception):
    """The process dying between the hub's commit and the replica's."""


def test_a_sync_killed_between_the_two_commits_completes_once_at_the_next(
    machines, hub, monkeypatch
) -> None:
    from coursetrack.store import sync as store_sync

    laptop, desktop = machines
    desktop.run("note", "sp/1", "from the desktop", minute=8)
    desktop.run("sync", minute=9)
    laptop.run("done", "sp/1/1", minute=10)
    before = _dump(laptop.db)
    committed = store_sync.Side.commit

    def dies_before_the_replica(side: store_sync.Side) -> None:
        if side.writer.dialect == "sqlite":
            raise _Killed
        committed(side)

    monkeypatch.setattr(store_sync.Side, "commit", dies_before_the_replica)
    with pytest.raises(_Killed):
        laptop.run("sync", minute=11)
    monkeypatch.undo()
    assert _dump(laptop.db) == before  # the replica's transaction never committed
    again = laptop.run("sync", minute=12)
    assert again.stdout.splitlines()[0] == "pulled 1 command, pushed 0"
    exported = converge(hub, laptop, desktop)
    assert "from the desktop" in exported and "status: done" in topic(exported, "alpha")
    with postgres.connect(hub, autocommit=True) as con:
        assert postgres.rows(
            con, "SELECT count(*) FROM command WHERE line = 'done sp/1/1'", ()
        ) == [(1,)]
    assert laptop.rows("SELECT count(*) FROM command WHERE seq IS NULL") == [(0,)]


@pytest.mark.slow  # the quick loop keeps the merge cases
def test_the_progress_callback_counts_every_change_applied(tmp_path, hub) -> None:
    from coursetrack.services.sync import sync

    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    laptop = Machine(str(tmp_path / "laptop.db"), "laptop")
    laptop.run("import", str(tmp_path / "catalog.yaml"))
    laptop.run("done", "sp/1", minute=2)
    seen: list[tuple[int, int]] = []
    synced = sync(Path(laptop.db), laptop.db, url=hub, progress=lambda d, t: seen.append((d, t)))
    assert synced.pushed == 2
    # the import: a specialization, 2 courses, 4 topics; the done: 3 topics' progress
    assert seen[-1] == (10, 10)
    assert [done for done, _ in seen] == list(range(1, 11))


@pytest.mark.slow  # the quick loop keeps the merge cases
def test_a_command_run_on_the_hub_itself_reaches_the_replicas(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=5)
    laptop.run("sync", minute=6)
    on_hub = CliRunner().invoke(
        app, ["--db", hub, "note", "sp/1/1", "typed on the hub"], env={"COURSETRACK_NOW": at(7)}
    )
    assert on_hub.exit_code == 0, on_hub.stderr
    exported = converge(hub, laptop, desktop)
    alpha = topic(exported, "alpha")
    assert "typed on the hub" in alpha and "status: done" in alpha


@pytest.mark.parametrize("old", ["store-schema1.db", "store-schema2.db"])
@pytest.mark.slow  # the quick loop keeps the merge cases
def test_a_store_made_before_its_history_was_whole_sends_its_record_as_a_base(
    tmp_path, hub, old: str
) -> None:
    import shutil

    shutil.copyfile(Path(__file__).parent / "data" / old, tmp_path / "old.db")
    laptop = Machine(str(tmp_path / "old.db"), "laptop")
    laptop.run("status")  # upgraded (by a write: reads leave a file as it is)
    laptop.run("sync", hub, minute=1)
    record = export(laptop.db)
    desktop = Machine(str(tmp_path / "desktop.db"), "desktop")
    desktop.run("sync", hub, minute=2)
    assert export(desktop.db) == record == export(hub)
    lines = desktop.rows("SELECT line FROM command ORDER BY id")
    if old == "store-schema1.db":  # no history at all: its record goes as one base command
        assert lines == [("sync: the record as it stood at its first sync",)]
    else:  # schema 2 recorded every row: the log goes as it is
        assert lines == laptop.rows("SELECT line FROM command ORDER BY id")
        assert len(lines) > 1
    desktop.run("note", "dls", "after the base", minute=3)
    assert "after the base" in converge(hub, laptop, desktop)


@pytest.mark.slow  # the quick loop keeps the merge cases
def test_siblings_sharing_a_place_are_listed_by_uid_not_by_local_id(machines, hub) -> None:
    """Two topics added at the end of one course on two machines share a place; their
    local ids follow each store's arrival (a rewind puts a row back under its old id),
    so the record lists them by uid, the same on every store."""
    laptop, desktop = machines
    laptop.run("add", "topic", "sp/c2", "From the laptop", minute=10)
    desktop.run("add", "topic", "sp/c2", "From the desktop", minute=11)
    exported = converge(hub, desktop, laptop)
    assert "From the laptop" in exported and "From the desktop" in exported
    # alpha is made before beta, and its uid sorts after beta's: a shared place shows which
    ids = dict(laptop.rows("SELECT slug, id FROM topic"))
    uids = dict(laptop.rows("SELECT slug, uid FROM topic"))
    assert ids["alpha"] < ids["beta"] and uids["alpha"] > uids["beta"]
    con = sqlite3.connect(laptop.db)
    with con:
        con.execute("INSERT INTO history_binding (id, command_id) SELECT 1, max(id) FROM command")
        con.execute("UPDATE topic SET position = 1 WHERE slug = 'beta'")
        con.execute("DELETE FROM history_binding")
    con.close()
    lines = export(laptop.db).splitlines()
    assert lines.index("    - slug: beta") < lines.index("    - slug: alpha")


@pytest.mark.slow  # the quick loop keeps the merge cases
def test_another_hub_than_the_one_synced_with_is_refused(
    machines, postgres_server, hub_template
) -> None:
    laptop, _ = machines
    other = postgres_server.create_database(hub_template)
    try:
        with postgres.connect(postgres_server.url(other), autocommit=True) as con:
            con.execute("UPDATE sync_state SET replica = 'a0a0a0a0a0a0a0a0'")  # not a copy's
        before = _dump(laptop.db)
        refused = laptop.run("sync", postgres_server.url(other), minute=5, ok=False)
        assert refused.exit_code == 1
        assert "is not the hub this store synced with" in refused.stderr
        assert _dump(laptop.db) == before
    finally:
        postgres_server.drop_database(other)


@pytest.mark.slow  # the quick loop keeps the merge cases
def test_every_store_checks_clean_after_a_merge_with_a_rewind(machines, hub) -> None:
    laptop, desktop = machines
    laptop.run("done", "sp/1/1", minute=5)
    laptop.run("reviewed", "sp/1/1", "--grade", "good", minute=6)
    desktop.run("note", "sp/1/1", "early", minute=2)  # stamped before: the laptop rewinds
    desktop.run("goal", "sp", "--by", "2026-09-01", minute=3)
    converge(hub, laptop, desktop)
    for db in (laptop.db, desktop.db, hub):
        checked = CliRunner().invoke(app, ["--db", db, "check"])
        assert checked.exit_code == 0, (db, checked.stdout, checked.stderr)


@pytest.mark.slow  # the quick loop keeps the merge cases
def test_a_command_the_hub_sets_aside_is_set_aside_on_its_replica_too(machines, hub) -> None:
    """The replay is the same on both sides, but the hub may hold what the log does not
    (a study group's catalog comes down as state): what it refuses of ours, we set aside."""
    laptop, _ = machines
    with postgres.connect(hub, autocommit=True) as con, con.transaction():
        con.execute(
            "SELECT set_config('coursetrack.command', (SELECT max(id)::text FROM command), true)"
        )
        con.execute("DELETE FROM topic WHERE slug = 'gamma'")  # as a curator's would be
    laptop.run("note", "sp/1/1", "kept", minute=9)
    laptop.run("done", "sp/1/3", minute=10)
    synced = laptop.run("sync", minute=11)
    assert "1 set aside:" in synced.stdout and "done sp/1/3" in synced.stdout
    assert laptop.rows("SELECT line, set_aside FROM command WHERE set_aside IS NOT NULL") == [
        ("done sp/1/3", "foreign_key")
    ]
    gamma = topic(export(laptop.db), "gamma")
    assert "status: done" not in gamma
    assert "kept" in topic(export(laptop.db), "alpha")
