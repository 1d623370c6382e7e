"""Sync's statements (issue 24, docs/sync.md): the two sides' transactions, the commands
each side holds, what is pulled and pushed, and the rewind of a side's newer commands.

A sync holds one transaction per side, as a command does, but records no command of its
own: every command it brings is written as itself, under its own `command` row, and the
history triggers record its changes there (`insert_command`, `bind`). What a rewind takes
back is recorded under a scratch row (`open_scratch`: id -1 on SQLite, the sequence's next
on PostgreSQL), removed with its changes before the commit, so it leaves no trace in the
history. Building a command's exchanged form is `store.sync_payload`; applying one change
by key is `store.sync_apply`.

Nothing here imports SQLAlchemy: the replica is written through sqlite3 alone and the hub
through psycopg2 alone, as `Store.write` does (`open_local`, `hub_connection` and
`begin_hub`); only a hub whose schema must be made or upgraded first goes through
`open_store`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from coursetrack.store import triggers

if TYPE_CHECKING:
    from pathlib import Path

    from coursetrack.store.engine import Notify
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: The command row a rewind's reverting changes are recorded under, and removed with.
SCRATCH = -1


# --- the two sides' transactions ------------------------------------------------------


class Side:
    """One side's open write transaction: its writer, and its commit or rollback."""

    def __init__(self, writer: Writer, con: Any, *, shown: str) -> None:
        self.writer = writer
        self.con = con
        self.shown = shown
        self.done = False

    def commit(self) -> None:
        """Commit (SQLite: the history unbound inside it, see `triggers.bind_command`)."""
        if self.writer.dialect == "sqlite":
            self.con.execute(triggers.UNBIND_SQLITE)
            self.con.execute("COMMIT")
        else:
            self.con.cursor().execute("COMMIT")
        self.done = True

    def rollback(self) -> None:
        if self.done:
            return
        self.done = True
        with contextlib.suppress(Exception):  # the error to report is the first
            if self.writer.dialect == "sqlite":
                if self.con.in_transaction:
                    self.con.execute("ROLLBACK")
            elif not self.con.closed:
                self.con.cursor().execute("ROLLBACK")


@contextmanager
def open_local(path: Path, shown: str, notify: Notify | None) -> Iterator[Side]:
    """The replica's write: `BEGIN IMMEDIATE` on a sqlite3 connection of our own, as
    `Store.write` takes it (saying when it waits); rolled back unless committed."""
    from coursetrack.store.engine import begin_immediate, connect_sqlite
    from coursetrack.store.writer import SqliteWriter

    con, _ = connect_sqlite(path, shown)
    side = None
    try:
        begin_immediate(con, notify)
        side = Side(SqliteWriter(con), con, shown=shown)
        yield side
    finally:
        if side is not None:
            side.rollback()
        con.close()


def read_state(path: Path, shown: str) -> Row:
    """The replica's `sync_state`, read without a lock (which hub to reach first)."""
    from coursetrack.store.engine import connect_sqlite
    from coursetrack.store.reader import SqliteReader

    con, _ = connect_sqlite(path, shown)
    try:
        return sync_state(SqliteReader(con))
    finally:
        con.close()


def hub_connection(url: str) -> Any:
    """A psycopg2 connection to the hub at `url`, idle, once its schema is this
    coursetrack's (a database with none gets it made, through `open_store`, first)."""
    from coursetrack.store import open_store, postgres_reader

    con = postgres_reader.ordinary_connection(url)
    if con is None:
        made = open_store(url, write=True)  # makes or upgrades its schema, or refuses it
        made.close()
        con = postgres_reader.ordinary_connection(url)
    if con is None:
        from coursetrack.errors import StoreError
        from coursetrack.store.inspect import mask_url

        raise StoreError(f"the store {mask_url(url)} cannot be a sync hub")
    return con


def begin_hub(con: Any, shown: str, notify: Notify | None) -> Side:
    """The hub's write on `con`: the session settings and the writers' lock, as a
    command takes them (`Store._write_postgres`)."""
    from coursetrack.store.engine import (
        _HAS_GATE,
        _SESSION_SETTINGS,
        _lock_ms,
        busy_timeout,
        take_write_lock,
    )
    from coursetrack.store.writer import PostgresWriter

    total = busy_timeout()
    cur = con.cursor()
    cur.execute(f"BEGIN; {_SESSION_SETTINGS}{_HAS_GATE}", {"lock_ms": str(_lock_ms(total))})
    gate = bool(cur.fetchone()[-1])
    side = Side(PostgresWriter(con), con, shown=shown)
    try:
        take_write_lock(con, notify, total, gate=gate, who=lambda: None)
    except BaseException:
        side.rollback()
        raise
    return side


# --- who each side is ------------------------------------------------------------------


def sync_state(reader: Reader) -> Row:
    """The store's one `sync_state` row: replica, name, hub_url, hub_replica."""
    row = reader.one("SELECT replica, name, hub_url, hub_replica FROM sync_state WHERE id = 1")
    assert row is not None  # made with the store (schema 8)
    return row


def remember_hub(writer: Writer, *, url: str, replica: str) -> None:
    """Record the hub this replica syncs with (its URL without a password)."""
    writer.execute(
        "UPDATE sync_state SET hub_url = :url, hub_replica = :replica WHERE id = 1",
        url=url,
        replica=replica,
    )


def new_replica(writer: Writer, replica: str, name: str, hub: Reader | None = None) -> int:
    """Give this store a new replica id and machine name (a store copied to machine `name`),
    and its commands the hub does not hold yet new gids and stamps of that replica, and that
    machine (they were made here, since the copy); how many commands were renamed.

    The name is the machine's as a new store takes it: a copy kept the name of the machine
    it was copied from, and `log` elsewhere would say the copy's commands came from there.
    Not renamed: a command the `hub` holds under its gid at its stamp, this very command,
    pushed by a sync whose own commit was lost (killed between the two); renamed, it would
    go up a second time."""
    old = sync_state(writer).replica
    writer.execute(
        "UPDATE sync_state SET replica = :r, name = :name WHERE id = 1", r=replica, name=name
    )
    rows = writer.all("SELECT id, gid, stamp FROM command WHERE seq IS NULL AND id > 0")
    if hub is not None:
        there = held(hub, [row.gid for row in rows])
        rows = [r for r in rows if r.gid not in there or there[r.gid].stamp != r.stamp]
    for row in rows:
        stamp = row.stamp
        if stamp.endswith("." + old):
            stamp = stamp[: -len(old)] + replica
        writer.execute(
            "UPDATE command SET gid = :gid, replica = :r, machine = :name, stamp = :stamp, "
            "payload = NULL WHERE id = :id",
            gid=f"{replica}:{row.id}",
            r=replica,
            name=name,
            stamp=stamp,
            id=row.id,
        )
    return len(rows)


def keep_local(writer: Writer) -> None:
    """The commands the hub does not hold stay in this store's log only (seq 0): a base
    command carries what they made (`sync_payload.base_changes`)."""
    writer.execute("UPDATE command SET seq = 0 WHERE seq IS NULL")


def local_point(reader: Reader) -> tuple[int | None, int]:
    """The replica's largest `seq`, and how many of its commands the hub lacks."""
    row = reader.one(
        "SELECT (SELECT max(seq) FROM command) AS seq, "
        "(SELECT count(*) FROM command WHERE seq IS NULL AND id > 0) AS unpushed"
    )
    assert row is not None
    return row.seq, int(row.unpushed)


def seq_mark(reader: Reader) -> Row | None:
    """The replica's command of the largest `seq` the hub gave (gid, seq), or None; the
    hub must number it so still (`hub_point`'s `mark_seq`), or it is not the hub it was."""
    return reader.one("SELECT gid, seq FROM command WHERE seq > 0 ORDER BY seq DESC LIMIT 1")


def forget_seqs(writer: Writer) -> None:
    """Take back the hub's numbers (a hub put back from a copy gives them again): every
    command is then exchanged by its gid, which each side skips when it holds it."""
    writer.execute("UPDATE command SET seq = NULL WHERE seq > 0")


def hub_point(reader: Reader, catalog_version: str = "NULL", mark: str | None = None) -> Row:
    """The hub's one read: its largest `seq`, its clock, its replica id, the `seq` it
    gives the command `mark` (`seq_mark`), and (SQL given by a study group's sync,
    `catalog_version`) the version of its catalog."""
    row = reader.one(
        "SELECT (SELECT max(seq) FROM command) AS seq, "
        "CAST(extract(epoch FROM clock_timestamp()) AS double precision) AS now, "
        "(SELECT replica FROM sync_state WHERE id = 1) AS replica, "
        "(SELECT seq FROM command WHERE gid = :mark) AS mark_seq, "
        f"{catalog_version} AS catalog_version",
        mark=mark,
    )
    assert row is not None
    return row


# --- the commands each side holds --------------------------------------------------------

#: A command's row as a sync lists it: all but its payload, which is read one at a time
#: (`payload_text`), and whether it has one yet (`bare`: not).
_COMMAND_COLUMNS = (
    "id, gid, replica, machine, stamp, at, line, undoes, seq, set_aside, "
    "CASE WHEN payload IS NULL THEN 1 ELSE 0 END AS bare"
)


def unpushed(reader: Reader) -> list[Row]:
    """The replica's commands the hub does not hold (seq NULL), in stamp order."""
    return reader.all(
        f"SELECT {_COMMAND_COLUMNS} FROM command WHERE seq IS NULL AND id > 0 ORDER BY stamp"
    )


def after_seq(reader: Reader, seq: int | None) -> list[Row]:
    """The hub's commands numbered after `seq` (all, for None), in arrival order."""
    return reader.all(
        f"SELECT {_COMMAND_COLUMNS} FROM command WHERE seq > :seq ORDER BY seq",
        seq=-1 if seq is None else seq,
    )


def held(reader: Reader, gids: list[str]) -> dict[str, Row]:
    """The commands of `gids` this side holds, by gid (id, gid, seq, stamp)."""
    found: dict[str, Row] = {}
    for start in range(0, len(gids), 500):
        part = gids[start : start + 500]
        names = ", ".join(f":g{i}" for i in range(len(part)))
        params = {f"g{i}": gid for i, gid in enumerate(part)}
        for row in reader.all(
            f"SELECT id, gid, seq, stamp FROM command WHERE gid IN ({names})", **params
        ):
            found[row.gid] = row
    return found


def after_stamp(reader: Reader, stamp: str) -> list[Row]:
    """The commands stamped at or after `stamp`, newest first: what a rewind takes back.

    Not a command whose `seq` is 0: a study group's catalog as it came down
    (`services.sync_group`), state rather than a step of the log, stays as it is."""
    return reader.all(
        f"SELECT {_COMMAND_COLUMNS} FROM command WHERE stamp >= :stamp AND id > 0 "
        "AND (seq IS NULL OR seq <> 0) ORDER BY stamp DESC",
        stamp=stamp,
    )


def command_row(reader: Reader, command_id: int) -> Row:
    """One command as a sync lists it (`_COMMAND_COLUMNS`)."""
    row = reader.one(f"SELECT {_COMMAND_COLUMNS} FROM command WHERE id = :id", id=command_id)
    assert row is not None
    return row


def id_of_gid(reader: Reader, gid: str) -> int | None:
    return reader.scalar("SELECT id FROM command WHERE gid = :gid", gid=gid)


def gid_of(reader: Reader, command_id: int | None) -> str | None:
    if command_id is None:
        return None
    return reader.scalar("SELECT gid FROM command WHERE id = :id", id=command_id)


def payload_texts(reader: Reader, gids: list[str]) -> dict[str, str]:
    """The payloads of `gids`, by gid, in one round trip per 500."""
    found: dict[str, str] = {}
    for start in range(0, len(gids), 500):
        part = gids[start : start + 500]
        names = ", ".join(f":g{i}" for i in range(len(part)))
        params = {f"g{i}": gid for i, gid in enumerate(part)}
        for row in reader.all(f"SELECT gid, payload FROM command WHERE gid IN ({names})", **params):
            if row.payload is not None:
                found[row.gid] = str(row.payload)
    return found


def payload_text(reader: Reader, gid: str) -> str:
    """A command's payload as kept (`keep_payload`), by its gid (a rewind renumbers)."""
    text = reader.scalar("SELECT payload FROM command WHERE gid = :gid", gid=gid)
    assert text is not None  # kept before it is read
    return str(text)


def keep_payload(writer: Writer, command_id: int, payload: str) -> None:
    writer.execute("UPDATE command SET payload = :p WHERE id = :id", p=payload, id=command_id)


def set_seq(writer: Writer, seqs: dict[str, int]) -> None:
    """Copy the hub's numbers onto the commands it holds, by gid."""
    writer.executemany(
        "UPDATE command SET seq = :seq WHERE gid = :gid",
        [{"gid": gid, "seq": seq} for gid, seq in seqs.items()],
    )


def next_seqs(writer: Writer, count: int) -> list[int]:
    """The hub's next `count` arrival numbers (its sequence `command_seq`), in order, in
    one round trip."""
    if count <= 0:
        return []
    rows = writer.all(
        "SELECT nextval('command_seq') AS seq FROM generate_series(1, :n)", n=int(count)
    )
    return sorted(int(row.seq) for row in rows)


# --- rewinding and replaying -------------------------------------------------------------


def bind(writer: Writer, command_id: int) -> None:
    """Record what follows under `command_id` (see `triggers.bind_command`)."""
    if writer.dialect == "postgresql":
        writer.scalar(triggers.BIND_POSTGRES, command_id=str(command_id))
    else:
        writer.execute(triggers.BIND_SQLITE, command_id=command_id)


def open_scratch(writer: Writer, replica: str) -> int:
    """The scratch command a rewind's reverting is recorded under (see the module doc);
    its id: SQLite's -1, PostgreSQL's the next of the sequence (a study group lets a
    learner insert only the command ids its sequence drew). Its gid and stamp are drawn
    afresh (a command written on the hub by hand could hold any fixed ones); its stamp
    sorts first, so the clock never reads it."""
    import secrets

    drawn = secrets.token_hex(8)
    scratch = _insert_command(
        writer,
        {
            "at": "1970-01-01T00:00:00+00:00",
            "line": "sync: rewind",
            "gid": f"{replica}:rewind.{drawn}",
            "replica": replica,
            "stamp": "0" * 16 + ".0000." + f"rewind-{drawn}",
        },
        seq=None,
        text=None,
        command_id=SCRATCH,
    )
    bind(writer, scratch)
    return scratch


def drop_commands(writer: Writer, ids: list[int]) -> None:
    """Remove rewound commands (and the scratch one), their changes first; a command
    linked to one of them as its undo is unlinked (its replay links it again)."""
    rows = [{"id": command_id} for command_id in ids]
    writer.executemany("UPDATE command SET undone_by = NULL WHERE undone_by = :id", rows)
    writer.executemany("UPDATE command SET undoes = NULL WHERE undoes = :id", rows)
    writer.executemany("DELETE FROM change WHERE command_id = :id", rows)
    writer.executemany("DELETE FROM command WHERE id = :id", rows)


def _insert_command(
    writer: Writer,
    payload: dict[str, Any],
    *,
    seq: int | None,
    text: str | None,
    command_id: int | None = None,
    set_aside: str | None = None,
) -> int:
    """On SQLite max(id) + 1 (or `command_id`), as `recording.record_command` numbers;
    on PostgreSQL the id sequence's next (the only ids a group's learner may insert), or
    `command_id` when it is one the sequence drew."""
    values = _command_values(payload, seq=seq, text=text, set_aside=set_aside)
    if writer.dialect == "postgresql" and (command_id is None or command_id < 0):
        return writer.insert(
            f"INSERT INTO command {_COLUMNS} VALUES {_VALUES} RETURNING id", **values
        )
    if command_id is None:
        command_id = int(writer.scalar("SELECT coalesce(max(id), 0) + 1 FROM command"))
    writer.execute(
        f"INSERT INTO command (id, {_COLUMNS[1:]} VALUES (:id, {_VALUES[1:]}",
        id=command_id,
        **values,
    )
    return command_id


_COLUMNS = "(at, line, gid, replica, machine, stamp, seq, payload, set_aside)"
_VALUES = "(:at, :line, :gid, :replica, :machine, :stamp, :seq, :payload, :set_aside)"


def _command_values(
    payload: dict[str, Any], *, seq: int | None, text: str | None, set_aside: str | None
) -> dict[str, Any]:
    from coursetrack.store.recording import kept_line

    return {
        "at": payload["at"],
        "line": kept_line(payload["line"]),
        "gid": payload["gid"],
        "replica": payload["replica"],
        "machine": payload.get("machine"),
        "stamp": payload["stamp"],
        "seq": seq,
        "payload": text,
        "set_aside": set_aside,
    }


def open_command(writer: Writer, payload: dict[str, Any], *, seq: int | None, text: str) -> int:
    """A savepoint, then a command a sync brings, written under the next id with the
    history bound to it; its id. One round trip to a PostgreSQL hub (which may be far:
    a week's sync replays some fifty commands). A refused command is rolled back whole,
    its row too, and written again set aside (`set_aside_command`)."""
    release = "RELEASE SAVEPOINT sync_command; " if writer.info.get("sync_command") else ""
    writer.info["sync_command"] = True
    if writer.dialect != "postgresql":
        if release:
            release_command(writer)
        savepoint(writer, "sync_command")
        command_id = _insert_command(writer, payload, seq=seq, text=text)
        bind(writer, command_id)
        return command_id
    values = _command_values(payload, seq=seq, text=text, set_aside=None)
    return int(
        writer.scalar(
            f"{release}SAVEPOINT sync_command; WITH c AS (INSERT INTO command {_COLUMNS} "
            f"VALUES {_VALUES} RETURNING id) SELECT id, "
            f"pg_catalog.set_config('{triggers.COMMAND_SETTING}', id::text, true) FROM c",
            **values,
        )
    )


def release_command(writer: Writer) -> None:
    writer.execute("RELEASE SAVEPOINT sync_command")


def close_command(writer: Writer) -> None:
    """The last command replayed is kept: its savepoint released (the next command's
    opening releases the one before, in its own round trip)."""
    if writer.info.pop("sync_command", False):
        release_command(writer)


def set_aside_command(
    writer: Writer,
    payload: dict[str, Any],
    *,
    command_id: int,
    seq: int | None,
    text: str,
    rule: str,
) -> None:
    """Roll the command back to its savepoint, and write its row again, set aside."""
    roll_back_to(writer, "sync_command")
    writer.info["sync_command"] = False  # (released)
    _insert_command(writer, payload, seq=seq, text=text, command_id=command_id, set_aside=rule)


def link_undo(writer: Writer, *, target: int, by: int) -> None:
    writer.execute("UPDATE command SET undone_by = :by WHERE id = :target", by=by, target=target)
    writer.execute("UPDATE command SET undoes = :target WHERE id = :by", by=by, target=target)


def savepoint(writer: Writer, name: str) -> None:
    writer.execute(f"SAVEPOINT {name}")


def release(writer: Writer, name: str) -> None:
    writer.execute(f"RELEASE SAVEPOINT {name}")


def roll_back_to(writer: Writer, name: str) -> None:
    writer.execute(f"ROLLBACK TO SAVEPOINT {name}")
    writer.execute(f"RELEASE SAVEPOINT {name}")


def rules_at_once(writer: Writer) -> None:
    """After a rewind: every statement meets every rule at once again (docs/sync.md)."""
    if writer.dialect == "postgresql":
        writer.execute("SET CONSTRAINTS ALL IMMEDIATE")
    else:
        writer.execute("PRAGMA defer_foreign_keys = OFF")


def parsed(text: Any) -> dict[str, Any]:
    """A stored payload (text) as a dict."""
    return json.loads(text) if isinstance(text, str | bytes) else dict(text)
