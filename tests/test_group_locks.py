"""What one learner can do to the others with locks, by hand in psql: bounded and named.

The owner `olga`, the curator `cora` and the learners `alice`, `bob` and `carol`
(tests/group.py). Every test gives commands a short busy timeout (2 s), so a
command that does wait fails quickly; what it must say is who holds the lock.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time

import psycopg2
import pytest

import postgres
from coursetrack.store.engine import WRITE_LOCK_KEY
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

BUSY = {"COURSETRACK_BUSY_TIMEOUT": "2"}


@pytest.fixture(autouse=True)
def _short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "2")


def _session(g: GroupStore, role: str) -> psycopg2.extensions.connection:
    """A learner's psql: her own connection, which the test closes (or the owner ends)."""
    return postgres.connect(
        f"host={g.server.socket} dbname={g.name} user={role} application_name=psql",
        autocommit=True,
    )


def test_a_learners_advisory_lock_on_the_writers_key_stalls_nobody(group_store) -> None:
    g = group_store
    alice = _session(g, "alice")
    try:
        alice.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK_KEY,))  # her session's, held
        ok(g.run("bob", "done", "dls/1/1"))
        ok(g.run("cora", "add", "topic", "dls/1", "Extra reading"))
        ok(g.run("alice", "done", "dls/1/2"))
    finally:
        alice.close()
    assert g.all_rows(
        "SELECT learner, count(*) FROM progress WHERE status = 'done' GROUP BY 1 ORDER BY 1"
    ) == [("alice", 1), ("bob", 1)]


def test_a_learner_holding_her_own_write_open_holds_off_herself_and_curators_named(
    group_store,
) -> None:
    """The writers' lock is one per learner, taken through the store's function; a
    curator's catalog change needs every learner's out of the way."""
    g = group_store
    alice = _session(g, "alice")
    try:
        alice.execute("BEGIN")
        alice.execute("SELECT coursetrack_write_lock()")
        pid = alice.info.backend_pid
        ok(g.run("bob", "done", "dls/1/1"))  # another learner is not held up
        mine = g.run("alice", "done", "dls/1/2")
        assert mine.exit_code == 1
        assert re.fullmatch(
            rf"the store is locked by alice's psql session \(pid {pid}\), in a transaction "
            r"since \d\d:\d\d:\d\d; waiting for it \(up to 2 s\)\n"
            rf"Error: the store \S+ is busy: alice's psql session \(pid {pid}\), in a "
            r"transaction since \d\d:\d\d:\d\d, held it for more than 2 s; nothing was "
            r"changed, run the command again\n",
            mine.stderr,
        ), mine.stderr
        result = g.run("cora", "add", "topic", "dls/1", "Extra reading")
        assert result.exit_code == 1
        *notice, error = result.stderr.splitlines()
        assert notice == [
            f"the store is locked by alice's psql session (pid {pid}); waiting for it (up to 2 s)"
        ]
        assert error.endswith(
            f"is busy: alice's psql session (pid {pid}) held it for more than 2 s; nothing was "
            "changed, run the command again"
        ), error
        # she cannot take every learner's lock at once: the table is the program's alone
        alice.execute("ROLLBACK")
        alice.execute("BEGIN")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            alice.execute("LOCK TABLE coursetrack_writers IN ACCESS EXCLUSIVE MODE")
        alice.execute("ROLLBACK")
    finally:
        alice.close()
    ok(g.run("cora", "add", "topic", "dls/1", "Extra reading"))
    assert g.all_rows("SELECT learner FROM progress WHERE status = 'done'") == [("bob",)]


def test_a_learners_table_lock_fails_reads_at_once_and_writes_name_her(group_store) -> None:
    g = group_store
    ok(g.run("bob", "done", "dls/1/1"))
    alice = _session(g, "alice")
    try:
        alice.execute("BEGIN")
        alice.execute("LOCK TABLE progress IN ACCESS EXCLUSIVE MODE")
        pid = alice.info.backend_pid
        # a read does not wait for the busy timeout (it would fail as "busy ... for more than 5 s")
        read = one_line(g.run("bob", "status", "dls", env={"COURSETRACK_BUSY_TIMEOUT": "5"}))
        assert read.endswith(
            f"is locked by alice's psql session (pid {pid}), which holds progress; a read does not "
            "wait for it: nothing was read, run the command again when it ends"
        ), read
        write = g.run("bob", "done", "dls/1/2")
        assert write.exit_code == 1
        assert write.stderr.splitlines()[-1].endswith(
            f"is busy: alice's psql session (pid {pid}), which holds progress, held it for more "
            "than 2 s; nothing was changed, run the command again"
        ), write.stderr
    finally:
        alice.close()
    ok(g.run("bob", "status", "dls"))
    assert g.all_rows("SELECT learner FROM progress WHERE status = 'done'") == [("bob",)]


def _end_prepared(g: GroupStore) -> None:
    with g.connect(g.superuser) as admin:
        for (gid,) in admin.execute(
            "SELECT gid FROM pg_prepared_xacts WHERE database = %s", (g.name,)
        ).fetchall():
            admin.execute(f"ROLLBACK PREPARED '{gid}'")


def test_a_prepared_transaction_outlives_her_session_and_is_named(group_store) -> None:
    g = group_store
    with g.connect("alice") as alice:
        alice.execute("BEGIN")
        alice.execute("LOCK TABLE progress IN ACCESS EXCLUSIVE MODE")
        alice.execute("PREPARE TRANSACTION 'x'")
    try:
        read = one_line(g.run("bob", "status", "dls"))
        assert re.search(
            r"is locked by a prepared transaction 'x' of alice since \d\d:\d\d:\d\d, which "
            "holds progress; a read does not wait",
            read,
        ), read
        listed = ok_json(g.run("olga", "group", "sessions", "--json"))
        (prepared,) = listed["prepared"]
        assert (prepared["name"], prepared["learner"]) == ("x", "alice")
        # the owner may not end another role's prepared transaction: who can, and how
        end = one_line(g.run("olga", "group", "sessions", "--end", "x", "--yes"))
        assert end == (
            "Error: only alice or the server's administrator can end the prepared transaction "
            f"'x'; as the administrator, in database {g.name}: ROLLBACK PREPARED 'x';"
        )
        with g.connect("alice") as again:
            again.execute("ROLLBACK PREPARED 'x'")
        ok(g.run("bob", "status", "dls"))
    finally:
        _end_prepared(g)


def ok_json(result) -> dict:
    ok(result)
    return result.json()


def _read_progress(con: psycopg2.extensions.connection) -> None:
    con.execute("SET lock_timeout = '60s'")
    con.execute("SELECT count(*) FROM progress").fetchone()


def _until_waiting(g: GroupStore, pid: int) -> None:
    """Until session `pid` waits for a lock (seen by the server's superuser)."""
    for _ in range(3000):
        (waits,) = g.all_rows(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ? AND wait_event_type = 'Lock'",
            pid,
        )[0]
        if waits:
            return
        time.sleep(0.01)
    raise AssertionError(f"session {pid} never waited")


def test_the_owner_lists_and_ends_a_stalled_learner_session(group_store) -> None:
    g = group_store
    alice = _session(g, "alice")
    try:
        alice.execute("BEGIN")
        alice.execute("LOCK TABLE progress IN ACCESS EXCLUSIVE MODE")
        pid = alice.info.backend_pid
        # bob's session waits for her (its own lock_timeout, long)
        bob = _session(g, "bob")
        waiting = threading.Thread(target=_read_progress, args=(bob,))
        waiting.start()
        _until_waiting(g, bob.info.backend_pid)
        listed = ok_json(g.run("olga", "group", "sessions", "--json"))
        (session,) = [s for s in listed["sessions"] if s["pid"] == pid]
        assert session["learner"] == "alice"
        assert session["application"] == "psql"
        assert session["state"] == "idle in transaction"
        assert session["since"] is not None
        assert "progress" in session["holds"]
        assert session["blocks"] == [bob.info.backend_pid]
        (waiter,) = [s for s in listed["sessions"] if s["pid"] == bob.info.backend_pid]
        assert (waiter["learner"], waiter["waits_for"]) == ("bob", [pid])
        table = g.run("olga", "group", "sessions")
        ok(table)
        assert re.search(
            rf"^alice's psql session \(pid {pid}\), in a transaction since \d\d:\d\d:\d\d; "
            rf"holds progress; blocks pid {bob.info.backend_pid}$",
            table.stdout,
            re.M,
        ), table.stdout
        # a learner may not end another's session; hers goes on
        refused = one_line(g.run("bob", "group", "sessions", "--end", str(pid), "--yes"))
        assert refused.startswith(f"Error: bob may not end alice's psql session (pid {pid})"), (
            refused
        )
        assert "pg_terminate_backend" in refused
        alice.execute("SELECT 1")
        # without --yes and no terminal: nothing is ended
        one_line(g.run("olga", "group", "sessions", "--end", str(pid)))
        alice.execute("SELECT 1")
        ended = g.run("olga", "group", "sessions", "--end", str(pid), "--yes")
        ok(ended)
        assert ended.stdout == f"ended alice's psql session (pid {pid})\n"
        with pytest.raises(psycopg2.OperationalError):
            alice.execute("SELECT 1")
        waiting.join(timeout=60)  # her lock went with her session: bob's read goes through
        assert bob.execute("SELECT 1").fetchone() == (1,)
    finally:
        with contextlib.suppress(psycopg2.Error, NameError):
            bob.close()
        with contextlib.suppress(psycopg2.Error):
            alice.close()
    ok(g.run("bob", "done", "dls/1/1"))
    # nothing to end: one line
    gone = one_line(g.run("olga", "group", "sessions", "--end", str(pid), "--yes"))
    assert gone == f"Error: no session {pid} of the group holds or waits on the store"


def test_a_write_that_took_its_lock_at_once_waits_the_busy_timeout_for_the_rest(
    group_store,
) -> None:
    """The first, short try for the writers' lock sets a short lock_timeout in a
    savepoint; once the lock is had, the rest of the write waits as long as any."""
    from coursetrack import store as db

    store = db.open_store(group_store.url("bob"), write=True)
    store.notify = lambda _line: None  # as the CLI does: it says when it waits
    try:
        with store.write("probe") as writer:
            assert writer.scalar("SHOW lock_timeout") == "2s"
    finally:
        store.close()
