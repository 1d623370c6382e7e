"""The red team on `coursetrack sync` (issue 24): each test is an attack on one of its
claims, on the real server (tests/postgres.py), two SQLite replicas and a hub.

Most attacks write the hub's `command` table by hand, as a learner in psql on her own
database could: whatever a replica pulls is input. Each must be refused in one line or
set aside, nothing half-written, no traceback, and the replicas must agree after.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from typing import Any

import psycopg2
import pytest
from typer.testing import CliRunner

from coursetrack.cli import app
from coursetrack.store.sync_payload import dumps
from coursetrack.store.uids import catalog_uid
from group import group_store_fixture, ok
from test_sync import DAY, Machine, at, export, hub, hub_template, machines

__all__ = [
    "group_store_fixture",
    "hub",
    "hub_template",
    "machines",
]  # the fixtures, as test_sync makes them

#: The replica id a hand-written command claims to come from.
FORGER = "f0f0f0f0f0f0f0f0"

GAMMA = catalog_uid("sp", "c1", "gamma")
BETA = catalog_uid("sp", "c1", "beta")


def forge(
    hub_url: str,
    changes: Any = (),
    *,
    stamp: str = f"{1772447400000:016d}.0000.{FORGER}",
    gid: str | None = None,
    line: str = "forged",
    undoes: str | None = None,
    text: str | None = None,
    row_stamp: str | None = None,
    row_gid: str | None = None,
) -> str:
    """A command written into the hub's `command` table by hand (psql), with `changes`
    as its payload (or the payload `text` as given); its gid."""
    gid = gid or f"{FORGER}:{stamp[:16]}"
    payload = {
        "gid": gid,
        "replica": FORGER,
        "machine": "psql",
        "stamp": stamp,
        "at": f"{DAY}T10:30:00+00:00",
        "line": line,
        "undoes": undoes,
        "changes": list(changes),
    }
    con = psycopg2.connect(hub_url)
    try:
        with con, con.cursor() as cur:
            cur.execute(
                "INSERT INTO command (at, line, gid, replica, machine, stamp, seq, payload) "
                "VALUES (%s, %s, %s, %s, 'psql', %s, nextval('command_seq'), %s)",
                (
                    payload["at"],
                    line,
                    row_gid or gid,
                    FORGER,
                    row_stamp or stamp,
                    dumps(payload) if text is None else text,
                ),
            )
    finally:
        con.close()
    return gid


def hub_rows(hub_url: str, sql: str, *params: object) -> list[tuple]:
    con = psycopg2.connect(hub_url)
    try:
        with con, con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


def refused(result: Any) -> str:
    """A sync refused as bad input must be: exit 1, one line on stderr, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def attempt(machine: Machine, *args: str, minute: int = 40) -> Any:
    """A command that may fail: its result, whatever it raised kept in it."""
    return machine.runner.invoke(
        app, ["--db", machine.db, *args], env={"COURSETRACK_NOW": at(minute)}
    )


def dump(db: str) -> list[tuple]:
    """A replica's record rows (not its history), to say nothing changed."""
    con = sqlite3.connect(db)
    try:
        out: list[tuple] = []
        for table in ("topic", "progress", "note", "link", "review", "goal", "command"):
            out += [(table, *r) for r in con.execute(f"SELECT * FROM {table} ORDER BY id")]
        return out
    finally:
        con.close()


def agree(*replicas: Machine) -> str:
    """Every replica syncs, then each again; their exports are the same. (Not the hub's:
    a command written there by hand was never applied there.)"""
    for _ in range(2):
        for replica in replicas:
            replica.run("sync", minute=50)
    exported = export(replicas[0].db)
    for replica in replicas[1:]:
        assert export(replica.db) == exported, replica.name
    return exported


def note(key: str, **values: Any) -> dict[str, Any]:
    return {"table": "note", "key": key, "op": "insert", "set": values, "old": None}


# --- the hub's payloads are input ------------------------------------------------------


def test_unknown_tables_and_columns_never_reach_sql(machines, hub) -> None:
    """Table and column names come from the payload: only known ones are written."""
    laptop, desktop = machines
    forge(
        hub,
        [
            {"table": "note; DROP TABLE note; --", "key": "k1", "op": "insert", "set": {}},
            {"table": "sync_state", "key": "k2", "op": "delete", "set": {}},
            {"table": "command", "key": "k3", "op": "delete", "set": {}},
            note(
                "0001772447400000.0000.x.0000.aaaa",
                topic=GAMMA,
                written_on=DAY,
                text="plain",
                **{"text) VALUES (1,1); DROP TABLE note; --": "x", "learner": "mallory"},
            ),
        ],
    )
    result = desktop.run("sync")
    assert "set aside" not in result.stdout
    assert desktop.rows("SELECT text, learner FROM note") == [("plain", "me")]
    assert desktop.rows("SELECT count(*) FROM sync_state") == [(1,)]
    agree(laptop, desktop)


def test_a_payload_naming_a_local_id_is_not_obeyed(machines, hub) -> None:
    """`topic_id` is a local id: a payload names rows by key only (`"topic": uid`); one
    that names an id would attach the note to whatever row has that id on each store."""
    laptop, desktop = machines
    (beta_id,) = desktop.rows("SELECT id FROM topic WHERE slug = 'beta'")[0]
    forge(
        hub,
        [note("0001772447400000.0000.x.0000.bbbb", topic_id=beta_id, written_on=DAY, text="n")],
    )
    desktop.run("sync")
    assert desktop.rows("SELECT topic_id FROM note WHERE text = 'n'") in ([], [(None,)])
    agree(laptop, desktop)


def test_a_payload_naming_id_or_learner_moves_no_row(machines, hub) -> None:
    _laptop, desktop = machines
    desktop.run("note", "sp/c1/gamma", "mine", minute=5)
    desktop.run("sync", minute=6)
    (uid,) = desktop.rows("SELECT uid FROM note")[0]
    forge(
        hub,
        [
            {
                "table": "note",
                "key": uid,
                "op": "update",
                "set": {"id": 999, "learner": "mallory", "text": "changed"},
                "old": {},
            }
        ],
    )
    desktop.run("sync")
    assert desktop.rows("SELECT id < 999, learner, text FROM note") == [(1, "me", "changed")]


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[]",
        '"a string"',
        "{}",
        json.dumps({"gid": "x", "stamp": "y"}),
    ],
    ids=["not-json", "a-list", "a-string", "empty", "no-line"],
)
def test_a_malformed_payload_is_refused_in_one_line(machines, hub, text: str) -> None:
    _laptop, desktop = machines
    before = dump(desktop.db)
    forge(hub, text=text)
    line = refused(attempt(desktop, "sync"))
    assert "f0f0f0f0f0f0f0f0" in line
    assert dump(desktop.db) == before


@pytest.mark.parametrize(
    "changes",
    [
        "not a list",
        [1, 2],
        [{"table": "note", "key": 5, "op": "insert", "set": {}}],
        [{"table": "note", "key": "k", "op": "insert", "set": ["a"]}],
        [{"table": "note", "key": "k", "op": "frobnicate", "set": {}}],
    ],
    ids=["changes-a-string", "changes-not-objects", "key-a-number", "set-a-list", "unknown-op"],
)
def test_malformed_changes_are_refused_or_set_aside(machines, hub, changes) -> None:
    """Changes that are not changes: the command is set aside (or the sync refused),
    in one line, and the replicas agree after."""
    laptop, desktop = machines
    if changes == "not a list":  # the payload's changes field itself
        stamp = f"{1772447400000:016d}.0000.{FORGER}"
        forge(
            hub,
            stamp=stamp,
            text=json.dumps(
                {
                    "gid": f"{FORGER}:x",
                    "replica": FORGER,
                    "stamp": stamp,
                    "at": at(30),
                    "line": "forged",
                    "undoes": None,
                    "changes": changes,
                }
            ),
            gid=f"{FORGER}:x",
        )
    else:
        forge(hub, changes)
    result = desktop.run("sync")
    assert "1 set aside:" in result.stdout
    assert "its changes are not ones this coursetrack reads" in result.stdout
    assert desktop.rows("SELECT set_aside FROM command WHERE line = 'forged'") == [("malformed",)]
    assert desktop.rows("SELECT count(*) FROM note") == [(0,)]
    agree(laptop, desktop)


@pytest.mark.parametrize(
    "value",
    [{"a": 1}, ["x"], 2**70, 1.5e308 * 10],
    ids=["an-object", "a-list", "a-huge-int", "infinity"],
)
def test_a_value_of_a_wrong_type_is_set_aside_not_a_traceback(machines, hub, value) -> None:
    _laptop, desktop = machines
    forge(
        hub,
        [
            {
                "table": "topic",
                "key": GAMMA,
                "op": "update",
                "set": {"position": value, "title": value},
                "old": {},
            }
        ],
    )
    result = desktop.run("sync")
    assert "1 set aside:" in result.stdout
    assert desktop.rows("SELECT set_aside FROM command WHERE line = 'forged'") == [("malformed",)]
    assert desktop.rows("SELECT title FROM topic WHERE uid = ?", GAMMA) == [("Gamma",)]


def test_a_huge_value_is_refused_by_the_rules(machines, hub) -> None:
    laptop, desktop = machines
    forge(
        hub,
        [
            note(
                "0001772447400000.0000.x.0000.cccc",
                topic=GAMMA,
                written_on=DAY,
                text="n" * 2_000_000,
            )
        ],
    )
    result = desktop.run("sync")
    assert "1 set aside:" in result.stdout
    assert desktop.rows("SELECT count(*) FROM note") == [(0,)]
    agree(laptop, desktop)


def test_a_set_that_breaks_a_rule_is_set_aside(machines, hub) -> None:
    laptop, desktop = machines
    forge(
        hub,
        [
            {
                "table": "progress",
                "key": f"p:{GAMMA}",
                "op": "insert",
                "set": {"topic": GAMMA, "status": "done"},  # done with no completion day
                "old": None,
            }
        ],
    )
    result = desktop.run("sync")
    assert "1 set aside:" in result.stdout
    assert desktop.rows("SELECT count(*) FROM progress") == [(0,)]
    assert desktop.rows("SELECT set_aside FROM command WHERE line = 'forged'") == [
        ("ck_progress_done_completed",)
    ]
    agree(laptop, desktop)


# --- stamps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stamp",
    ["zzz", "", "0001772447400000.0000", "not.a.stamp", "99999999999999999.0000.f0"],
    ids=["letters", "empty", "no-replica", "three-words", "too-wide"],
)
def test_a_malformed_stamp_is_refused_and_leaves_the_replica_working(
    machines, hub, stamp: str
) -> None:
    _laptop, desktop = machines
    before = dump(desktop.db)
    forge(hub, stamp=stamp, gid=f"{FORGER}:bad")
    line = refused(attempt(desktop, "sync"))
    assert f"{FORGER}:bad" in line
    assert dump(desktop.db) == before
    desktop.run("start", "sp/c1/alpha", minute=41)


def test_a_payload_stamp_other_than_its_rows_is_refused(machines, hub) -> None:
    """The hub's row says where the command sorts; its payload is what is written: the two
    must be the same stamp, or the replica would hold it elsewhere than the hub."""
    _laptop, desktop = machines
    forge(
        hub,
        stamp=f"{1772447400000:016d}.0000.{FORGER}",
        row_stamp=f"{1772447400001:016d}.0000.{FORGER}",
    )
    before = dump(desktop.db)
    line = refused(attempt(desktop, "sync"))
    assert FORGER in line
    assert dump(desktop.db) == before


YEAR_9999 = 253402300799000


def test_a_stamp_in_year_9999_still_lets_a_later_change_win(machines, hub) -> None:
    laptop, desktop = machines
    forge(
        hub,
        [
            {
                "table": "progress",
                "key": f"p:{GAMMA}",
                "op": "insert",
                "set": {"topic": GAMMA, "status": "done", "completed_on": DAY},
                "old": None,
            }
        ],
        stamp=f"{YEAR_9999:016d}.0000.{FORGER}",
    )
    desktop.run("sync", minute=10)
    desktop.run("reopen", "sp/c1/gamma", minute=11)
    exported = agree(laptop, desktop)
    assert "done" not in exported.split("slug: gamma", 1)[1].split("- slug:", 1)[0]


def test_the_last_stamp_there_is_does_not_wrap_the_clock(machines, hub) -> None:
    """A stamp at the end of the wall's 16 digits and of the counter: the next local
    command's stamp must still sort after it, or the hub, which replays in stamp order,
    and the replica part."""
    _laptop, desktop = machines
    forge(
        hub,
        [
            {
                "table": "progress",
                "key": f"p:{GAMMA}",
                "op": "insert",
                "set": {"topic": GAMMA, "status": "done", "completed_on": DAY},
                "old": None,
            }
        ],
        stamp=f"{'9' * 16}.9999.{FORGER}",
    )
    before = dump(desktop.db)
    refused(attempt(desktop, "sync", minute=10))
    assert dump(desktop.db) == before
    desktop.run("reopen", "sp/c1/gamma", minute=11)
    stamps = [s for (s,) in desktop.rows("SELECT stamp FROM command ORDER BY id")]
    assert stamps == sorted(stamps)


# --- gids --------------------------------------------------------------------------------


def test_a_pulled_gid_of_this_replicas_next_command_does_not_block_it(machines, hub) -> None:
    """gids are `<replica>:<id>`: a hand-written command may take the one this replica's
    next command will take; pulled, the replica must still record its next commands."""
    laptop, desktop = machines
    (replica,) = desktop.rows("SELECT replica FROM sync_state")[0]
    (last,) = desktop.rows("SELECT max(id) FROM command")[0]
    # pulled, it takes id last + 1: the gid of the command after it is taken
    forge(hub, gid=f"{replica}:{last + 2}")
    desktop.run("sync", minute=10)
    desktop.run("start", "sp/c1/alpha", minute=11)
    agree(laptop, desktop)


def test_an_undo_pointing_nowhere_or_in_a_cycle_is_harmless(machines, hub) -> None:
    laptop, desktop = machines
    a = forge(
        hub, gid=f"{FORGER}:a", undoes=f"{FORGER}:b", stamp=f"{1772447400001:016d}.0000.{FORGER}"
    )
    forge(hub, gid=f"{FORGER}:b", undoes=a, stamp=f"{1772447400002:016d}.0000.{FORGER}")
    forge(hub, gid=f"{FORGER}:c", undoes="nowhere", stamp=f"{1772447400003:016d}.0000.{FORGER}")
    desktop.run("sync", minute=10)
    desktop.run("log")
    desktop.run("start", "sp/c1/alpha", minute=11)
    desktop.run("undo", "--yes", minute=12)
    agree(laptop, desktop)


# --- the recorded URL ---------------------------------------------------------------------


def _hub_parts(hub_url: str) -> tuple[str, str]:
    """(user, the rest after '@') of test_sync's hub URL."""
    user = hub_url.removeprefix("postgresql://").split("@", 1)[0]
    return user, hub_url.split("@", 1)[1]


@pytest.mark.parametrize(
    "shape",
    [
        "postgresql://{user}:s3cr3t@{rest}",
        "postgresql://{user}@{rest}&password=s3cr3t",
        "postgresql://{user}@{rest}&PassWord=s3cr3t&application_name=x",
        "postgresql://{user}@{rest}&%70assword=s3cr3t",
        "postgresql://{user}@{rest}&sslpassword=s3cr3t",
        "postgres://{user}:s3cr3t@{rest}",
    ],
    ids=["userinfo", "query", "query-case", "query-encoded", "sslpassword", "postgres-scheme"],
)
def test_no_password_is_kept_or_shown(tmp_path, hub, shape: str) -> None:
    user, rest = _hub_parts(hub)
    url = shape.format(user=user, rest=rest)
    m = Machine(str(tmp_path / "r.db"), "r")
    result = attempt(m, "sync", url)
    assert "s3cr3t" not in result.stdout + result.stderr
    if result.exit_code == 0:
        assert "s3cr3t" not in str(m.rows("SELECT * FROM sync_state"))
        shown = attempt(m, "whoami")
        assert "s3cr3t" not in shown.stdout + shown.stderr
        again = attempt(m, "sync", "--json")
        assert "s3cr3t" not in again.stdout + again.stderr


def test_a_url_with_options_is_kept_as_given_and_syncs_again(machines, hub) -> None:
    """libpq's options (here `-c role=...`, the session's role) are the URL's: kept whole,
    and the next `sync` connects as the first did."""
    laptop, _ = machines
    user, rest = _hub_parts(hub)
    url = f"postgresql://{user}@{rest}&options=-c%20role%3D{user}%20-c%20search_path%3Dpublic"
    laptop.run("note", "sp/1/1", "with options", minute=10)
    laptop.run("sync", url, minute=11)
    assert laptop.rows("SELECT hub_url FROM sync_state") == [(url,)]
    laptop.run("note", "sp/1/1", "again", minute=12)
    assert "pushed 1" in laptop.run("sync", minute=13).stdout


def test_a_wrong_password_in_the_url_is_not_echoed(tmp_path, hub, monkeypatch) -> None:
    """PGPASSWORD and a password in the URL: neither is echoed by a sync that fails, nor
    kept or shown by one that works."""
    monkeypatch.setenv("PGPASSWORD", "pgpw-s3cr3t")
    user, rest = _hub_parts(hub)
    m = Machine(str(tmp_path / "r.db"), "r")
    result = attempt(m, "sync", f"postgresql://{user}:s3cr3t@{rest.replace('?host', 'x?host')}")
    assert "s3cr3t" not in result.stdout + result.stderr
    done = attempt(m, "sync", hub, "--json")
    assert done.exit_code == 0, done.stderr
    shown = done.stdout + done.stderr + attempt(m, "whoami", "--json").stdout
    assert "s3cr3t" not in shown + str(m.rows("SELECT * FROM sync_state"))


@pytest.mark.parametrize("name", ["%70assword", "sslpassword", "PASSWORD"])
def test_a_hub_that_fails_is_named_without_its_password(tmp_path, hub, name: str) -> None:
    """The line that says a hub cannot be reached names it: never with a secret."""
    user, rest = _hub_parts(hub)
    _, _, query = rest.partition("?")
    url = f"postgresql://{user}@/no_such_db?{query}&{name}=s3cr3t"
    m = Machine(str(tmp_path / "r.db"), "r")
    line = refused(attempt(m, "sync", url))
    assert "no_such_db" in line
    assert "s3cr3t" not in line


# --- exactly once ---------------------------------------------------------------------------


def test_a_copy_that_made_the_same_change_later_is_refused_too(tmp_path, machines, hub) -> None:
    """A copied store (same replica id) makes the same command as the original, at another
    time: same gid, same changes, another stamp. Taken as the one the hub holds, the copy
    keeps it at its own stamp, so a third machine's change between the two stamps is
    replayed before it on the copy and after it on the hub: they part for good."""
    import shutil

    laptop, desktop = machines
    shutil.copyfile(desktop.db, tmp_path / "copy.db")
    copy = Machine(str(tmp_path / "copy.db"), "copy")
    desktop.run("update", "sp/1/3", "--title", "Same", minute=10)
    copy.run("update", "sp/1/3", "--title", "Same", minute=30)
    laptop.run("update", "sp/1/3", "--title", "Laptop's", minute=20)
    desktop.run("sync", minute=31)
    laptop.run("sync", minute=32)
    result = attempt(copy, "sync", minute=33)
    if result.exit_code != 0:  # refused as a copy: what the design says
        assert "sync --new-replica" in refused(result)
        return
    for m in (laptop, desktop, copy):
        m.run("sync", minute=34)
    assert export(copy.db) == export(hub)


@pytest.mark.xfail(
    strict=True,
    reason="lane c: a pulled stamp far ahead of the hub's clock is taken as is; the HLC's wall "
    "then stays there for every replica, and concurrent changes are ordered by counters "
    "(see /work/briefs/r-findings.md)",
)
def test_a_stamp_far_ahead_does_not_stop_the_clocks_deciding(machines, hub) -> None:
    """After a command stamped in year 9999 is pulled, every replica's stamps take its wall
    and count on: two concurrent changes are then ordered by how many commands each machine
    made since, not by their clocks. The later title (minute 30) must win."""
    laptop, desktop = machines
    forge(hub, [], stamp=f"{YEAR_9999:016d}.0000.{FORGER}", gid=f"{FORGER}:future")
    laptop.run("sync", minute=5)
    desktop.run("sync", minute=5)
    desktop.run("note", "sp/1/1", "one", minute=6)
    desktop.run("note", "sp/1/1", "two", minute=7)
    desktop.run("update", "sp/1/3", "--title", "Desktop's, earlier", minute=10)
    laptop.run("update", "sp/1/3", "--title", "Laptop's, later", minute=30)
    exported = agree(laptop, desktop)
    assert "Laptop's, later" in exported


# --- stores made before schema 8 ---------------------------------------------------------------


@pytest.mark.parametrize("version", [5, 6, 7])
def test_a_store_made_before_schema_8_upgrades_and_syncs_whole(tmp_path, hub, version) -> None:
    """An older store, played by tests/old_coursetrack (schemas 1 and 2, whose history is
    partial, are test_sync's fixture files), upgraded by its first sync: a new replica
    then pulls the same record as it holds, and the hub holds it too."""
    from old_coursetrack import playing_schema
    from test_sync import CATALOG

    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    old = Machine(str(tmp_path / "old.db"), "old")
    with playing_schema(version):
        old.run("import", str(tmp_path / "catalog.yaml"), minute=1)
        old.run("done", "sp/1/1", "--on", DAY, minute=2)
        old.run("start", "sp/1/2", minute=3)
        old.run("note", "sp/1/1", "an old note", minute=4)
        old.run("reviewed", "sp/1/1", "--grade", "good", "--on", DAY, minute=6)
        old.run("goal", "sp", "--by", "2027-03-02", minute=7)
        old.run("update", "sp/1/3", "--title", "Renamed", minute=8)
        old.run("link", "add", "sp/1", "https://example.org/x", minute=9)
    old.run("sync", hub, minute=10)
    new = Machine(str(tmp_path / "new.db"), "new")
    new.run("sync", hub, minute=11)
    exported = agree(old, new)
    assert export(hub) == exported
    for text in ("an old note", "https://example.org/x", "Renamed", "grade: good"):
        assert text in exported, text


def _cli(*args: str, minute: int) -> subprocess.Popen[str]:
    """The real coursetrack in a process of its own, its clock pinned."""
    return subprocess.Popen(
        [sys.executable, "-m", "coursetrack", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COURSETRACK_NOW": at(minute)},
    )


def _finished(*procs: subprocess.Popen[str]) -> list[tuple[int, str, str]]:
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        out.append((proc.returncode, stdout, stderr))
    return out


def test_two_syncs_of_one_replica_at_once_and_a_command_on_the_hub(machines, hub) -> None:
    """Two processes sync one replica at once while a command is typed on the hub and the
    other replica syncs: each waits its turn; every command is held once everywhere."""
    laptop, desktop = machines
    for i in range(3):
        desktop.run("note", "sp/1/1", f"desktop {i}", minute=10 + i)
        laptop.run("note", "sp/1/2", f"laptop {i}", minute=10 + i)
        runs = _finished(
            _cli("--db", desktop.db, "sync", minute=20 + i),
            _cli("--db", desktop.db, "sync", minute=20 + i),
            _cli("--db", hub, "note", "sp/1/3", f"hub {i}", minute=20 + i),
            _cli("--db", laptop.db, "sync", minute=20 + i),
        )
        for code, stdout, stderr in runs:
            assert code == 0, (stdout, stderr)
            assert "Traceback" not in stderr
    exported = agree(laptop, desktop)
    assert export(hub) == exported
    for who in ("desktop", "laptop", "hub"):
        for i in range(3):
            assert exported.count(f"text: {who} {i}\n") == 1, (who, i)
    gids = hub_rows(hub, "SELECT count(*), count(DISTINCT gid), count(DISTINCT seq) FROM command")
    assert gids[0][0] == gids[0][1] == gids[0][2]
    for m in (laptop, desktop):
        assert m.rows("SELECT count(*) FROM command") == [(gids[0][0],)]


# --- a study group's hub (the core's part; the catalog's is lane g's) ----------------------------


def test_a_learners_sync_pulls_no_one_elses_commands(tmp_path, group_store) -> None:
    """Alice's replica syncs with the group's store as alice: it holds her commands only,
    never bob's (a command line holds a private note) nor the curators'."""
    g = group_store
    ok(g.run("bob", "note", "dls/1/1", "bob's private words", "--private"))
    ok(g.run("alice", "done", "dls/1/2", "--on", DAY))
    alice = Machine(str(tmp_path / "alice.db"), "alice")
    result = attempt(alice, "sync", g.url("alice"))
    assert "Traceback" not in result.stderr
    held = alice.rows("SELECT line, coalesce(payload, '') FROM command")
    assert not [row for row in held if "bob" in str(row) or "import" in row[0]], held
    assert alice.rows("SELECT count(*) FROM note") == [(0,)]


@pytest.mark.parametrize("after", ["nothing", "commands on the hub"])
def test_a_hub_put_back_from_a_backup_loses_nothing(machines, hub, postgres_server, after) -> None:
    """The hub's database is put back from a copy made before the laptop's last sync
    (pg_dump and restore, or a snapshot): the laptop holds seqs the hub no longer has,
    and the hub's sequence hands them out again. A sync must notice (the gids are what
    correctness rests on) and push again what the hub lost, and pull what it numbered."""
    laptop, desktop = machines
    name = hub.split("@/", 1)[1].split("?")[0]
    laptop.run("note", "sp/1/1", "before the backup", minute=10)
    laptop.run("sync", minute=11)
    postgres_server._end_sessions(name)
    backup = postgres_server.create_database(name)
    laptop.run("note", "sp/1/1", "after the backup", minute=12)
    laptop.run("sync", minute=13)
    postgres_server.remake_database(name, backup)
    if after == "commands on the hub":
        for i in range(3):
            assert (
                CliRunner()
                .invoke(app, ["--db", hub, "note", "sp/1/2", f"on the hub {i}"])
                .exit_code
                == 0
            )
    for m in (laptop, desktop, laptop, desktop):
        m.run("sync", minute=20)
    exported = export(hub)
    assert "after the backup" in exported
    assert export(laptop.db) == exported == export(desktop.db)


def test_a_command_undoing_itself_is_harmless(machines, hub) -> None:
    laptop, desktop = machines
    forge(hub, gid=f"{FORGER}:self", undoes=f"{FORGER}:self")
    desktop.run("sync", minute=10)
    desktop.run("log")
    desktop.run("start", "sp/1/1", minute=11)
    desktop.run("undo", "--yes", minute=12)
    agree(laptop, desktop)


def test_a_line_too_long_or_with_a_nul_is_kept_as_a_command_keeps_it(machines, hub) -> None:
    """A command's line is shown by log: one written by hand far past the store's limit,
    or with a NUL, is kept as `record_command` keeps a typed one (cut, the NUL spelled
    out), where it stopped the sync for good (rule command_line)."""
    _, desktop = machines
    forge(hub, line="x" * 200_000, gid=f"{FORGER}:long")
    stamp = f"{1772447400001:016d}.0000.{FORGER}"
    forged = {"gid": f"{FORGER}:nul", "replica": FORGER, "stamp": stamp, "at": at(30)}
    forged |= {"line": "nul\x00here\x1b[2J", "undoes": None, "changes": []}
    forge(hub, gid=f"{FORGER}:nul", stamp=stamp, text=json.dumps(forged))
    desktop.run("sync", minute=10)
    shown = desktop.run("log").stdout
    assert "nul\\x00here" in shown
    assert "\x1b" not in shown
    desktop.run("start", "sp/1/1", minute=11)


def test_a_stamp_this_replica_holds_under_another_gid_is_refused_in_one_line(machines, hub) -> None:
    _laptop, desktop = machines
    desktop.run("start", "sp/1/1", minute=10)
    (stamp,) = desktop.rows("SELECT stamp FROM command ORDER BY id DESC LIMIT 1")[0]
    forge(hub, stamp=stamp, gid=f"{FORGER}:twin")
    before = dump(desktop.db)
    refused(attempt(desktop, "sync", minute=11))  # (its words: the hub's duplicate key)
    assert dump(desktop.db) == before


@pytest.mark.parametrize("when", ["not a time", "", "9999-99-99T99:99:99"])
def test_a_malformed_at_does_not_break_log(machines, hub, when: str) -> None:
    _, desktop = machines
    stamp = f"{1772447400000:016d}.0000.{FORGER}"
    forged = {"gid": f"{FORGER}:at", "replica": FORGER, "stamp": stamp, "at": when}
    forged |= {"line": "forged", "undoes": None, "changes": []}
    forge(hub, gid=f"{FORGER}:at", stamp=stamp, text=json.dumps(forged))
    result = attempt(desktop, "sync", minute=10)
    if result.exit_code != 0:
        refused(result)
    for args in (["log"], ["log", "--json"], ["status"]):
        shown = attempt(desktop, *args)
        assert shown.exception is None or isinstance(shown.exception, SystemExit), repr(
            shown.exception
        )
        assert shown.exit_code == 0, shown.stderr


def test_a_hub_url_naming_a_database_of_something_else_is_refused(
    tmp_path, postgres_server
) -> None:
    """`sync URL` with the URL of a database that holds other tables (a slip of the
    finger): refused in one line, and nothing of coursetrack is made there."""
    name = postgres_server.create_database()
    url = postgres_server.url(name)
    con = psycopg2.connect(url)
    with con, con.cursor() as cur:
        cur.execute("CREATE TABLE invoices (id serial PRIMARY KEY, total numeric)")
    con.close()
    m = Machine(str(tmp_path / "r.db"), "r")
    refused(attempt(m, "sync", url))
    tables = hub_rows(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert tables == [("invoices",)]


class _Killed(Exception):
    pass


def test_new_replica_after_a_sync_killed_between_the_commits_pushes_nothing_twice(
    machines, hub, monkeypatch
) -> None:
    """Killed between the hub's commit and the replica's, the replica's commands are on the
    hub but not numbered here. `sync --new-replica` then (the user's remedy for a sync
    that failed) must not push them again under new gids: each note once."""
    from coursetrack.store import sync as store_sync

    laptop, desktop = machines
    laptop.run("note", "sp/1/1", "once only", minute=10)
    committed = store_sync.Side.commit

    def dies_before_the_replica(side: store_sync.Side) -> None:
        if side.writer.dialect == "sqlite":
            raise _Killed
        committed(side)

    monkeypatch.setattr(store_sync.Side, "commit", dies_before_the_replica)
    with pytest.raises(_Killed):
        laptop.run("sync", minute=11)
    monkeypatch.undo()
    laptop.run("sync", "--new-replica", minute=12)
    exported = agree(laptop, desktop)
    assert export(hub) == exported
    assert exported.count("text: once only") == 1
    assert hub_rows(hub, "SELECT count(*) FROM command WHERE line LIKE 'note%%'") == [(1,)]


@pytest.mark.parametrize("taken", ["gid", "stamp"])
def test_a_pulled_command_taking_the_rewinds_scratch_names_does_not_stop_a_rewind(
    machines, hub, taken: str
) -> None:
    """A rewind records its reverting under a scratch command (gid `<replica>:rewind`,
    stamp zeros then the replica): a command written on the hub by hand under those names
    must not make every later rewind of the replica fail."""
    laptop, desktop = machines
    (replica,) = desktop.rows("SELECT replica FROM sync_state")[0]
    if taken == "gid":
        forge(hub, gid=f"{replica}:rewind")
    else:
        forge(hub, stamp=f"{0:016d}.0000.{replica}", gid=f"{FORGER}:zero")
    desktop.run("sync", minute=31)
    desktop.run("note", "sp/1/1", "desktop's", minute=40)
    laptop.run("note", "sp/1/1", "laptop's", minute=35)
    laptop.run("sync", minute=36)
    result = desktop.run("sync", minute=41)  # laptop's is older than desktop's: a rewind
    assert "is now" in result.stdout
    exported = agree(laptop, desktop)
    assert "desktop's" in exported and "laptop's" in exported


def test_a_hub_without_its_sync_state_row_is_refused_in_one_line(tmp_path, machines, hub) -> None:
    laptop, _ = machines
    hub_rows(hub, "DELETE FROM sync_state RETURNING id")
    fresh = Machine(str(tmp_path / "fresh.db"), "fresh")
    refused(attempt(fresh, "sync", hub))
    laptop.run("note", "sp/1/1", "x", minute=10)
    refused(attempt(laptop, "sync", minute=11))


@pytest.mark.parametrize(
    ("table", "key", "values"),
    [
        ("topic", GAMMA, {"position": "abc"}),
        ("topic", GAMMA, {"position": 2.5}),
        ("topic", GAMMA, {"title": 12}),
        ("progress", f"p:{GAMMA}", {"topic": GAMMA, "status": "done", "completed_on": "soon"}),
        ("progress", f"p:{GAMMA}", {"topic": GAMMA, "status": "done", "completed_on": 20260302}),
        (
            "note",
            "0001772447400000.0000.x.0000.dddd",
            {"topic": GAMMA, "written_on": DAY, "text": "t", "private": "yes"},
        ),
    ],
    ids=[
        "position-text",
        "position-float",
        "title-number",
        "date-word",
        "date-number",
        "private-text",
    ],
)
def test_a_value_of_the_wrong_type_for_its_column_is_set_aside(
    machines, hub, table: str, key: str, values: dict
) -> None:
    """SQLite keeps any value in any column: a value a column's type does not hold must be
    set aside, or the replica holds what the hub could not, and what its own reads trip on."""
    _, desktop = machines
    op = "update" if table == "topic" else "insert"
    forge(hub, [{"table": table, "key": key, "op": op, "set": values, "old": None}])
    result = desktop.run("sync", minute=10)
    assert "1 set aside:" in result.stdout
    for args in (["export", "yaml"], ["show", "sp"], ["status"], ["log"]):
        desktop.run(*args)


def test_a_learners_sync_writes_only_her_own_rows_on_the_hub(tmp_path, group_store) -> None:
    """Alice's replica holds the group's catalog (imported alike: the same uids) and
    pushes her work: it lands on her rows only, never bob's of the same topic; and a
    catalog command of hers is refused in one line, nothing written on the hub."""
    g = group_store
    ok(g.run("bob", "done", "dls/1/1", "--on", "2026-02-01"))
    alice = Machine(str(tmp_path / "alice.db"), "alice")
    alice.run("import", "deep-learning-specialization")
    catalog_before = g.all_rows("SELECT count(*), max(title) FROM topic")
    refused(attempt(alice, "sync", g.url("alice")))  # her import may not go up
    assert g.all_rows("SELECT count(*), max(title) FROM topic") == catalog_before
    assert g.all_rows("SELECT count(*) FROM command WHERE learner = 'alice'") == [(0,)]
    # (her import kept to herself, as the group's sync does with the catalog: seq 0)
    con = sqlite3.connect(alice.db)
    with con:
        con.execute("UPDATE command SET seq = 0")
    con.close()
    alice.run("done", "dls/1/1", "--on", "2026-02-02", minute=5)
    alice.run("note", "dls/1/1", "alice's", minute=6)
    result = attempt(alice, "sync", g.url("alice"), minute=7)
    assert result.exit_code == 0, result.stderr
    assert g.all_rows(
        "SELECT learner, completed_on FROM progress WHERE completed_on IS NOT NULL ORDER BY learner"
    ) == [("alice", "2026-02-02"), ("bob", "2026-02-01")]
    assert g.all_rows("SELECT learner, text FROM note") == [("alice", "alice's")]


def test_a_set_aside_line_is_shown_as_text_not_as_markup_or_escapes(machines, hub) -> None:
    """sync lists a command it set aside by its line, which the hub's table gave: rich
    markup in it is shown as typed, and a terminal escape is not sent to the terminal."""
    _, desktop = machines
    line = "[bold red]x[/bold red] \x1b[2J\x1b]0;title\x07 done"
    forge(hub, [{"table": "note", "key": "k", "op": "frobnicate", "set": {}}], line=line)
    shown = desktop.run("sync", minute=10).stdout
    assert "[bold red]x[/bold red]" in shown
    assert "\x1b" not in shown and "\x07" not in shown


def test_an_undo_link_to_a_local_command_written_by_hand_leaves_undo_working(machines, hub) -> None:
    """A hand-written command claiming to undo this replica's last command (it changes
    nothing): the replica's `undo` must still take back that command."""
    _laptop, desktop = machines
    desktop.run("start", "sp/1/1", minute=10)
    desktop.run("sync", minute=11)
    (gid,) = desktop.rows("SELECT gid FROM command WHERE line = 'start sp/1/1'")[0]
    forge(hub, undoes=gid, stamp=f"{1772449000000:016d}.0000.{FORGER}", gid=f"{FORGER}:liar")
    desktop.run("sync", minute=12)
    desktop.run("undo", "--yes", minute=13)
    assert desktop.rows("SELECT count(*) FROM progress") == [(0,)]
