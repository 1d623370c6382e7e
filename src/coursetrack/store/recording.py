"""How a write is recorded: the command's row, taken back when it changed nothing.

Every write transaction is one `command` row, and the history triggers
(`store.triggers`) bind each row change to it; `Store.write` calls these on all
three write paths (sqlite3, psycopg2, SQLAlchemy), so the rule is decided once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.errors import StoreError
from coursetrack.store import queries

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer


def kept_line(command: str) -> str:
    """A command's line as the store keeps it (rule command_line): a NUL spelled out (one
    cannot be stored in PostgreSQL text), cut at the rule's length. A typed command with
    either is refused by its own checks, with their words, once it gets that far; a
    command a sync brings (`store.sync`) is kept so, never refused for its line."""
    from coursetrack.store.rules import MAX_COMMAND_LINE

    line = command.replace("\x00", "\\x00")
    if len(line) > MAX_COMMAND_LINE:
        line = line[: MAX_COMMAND_LINE - 1] + "…"
    return line


def record_command(writer: Writer, command: str) -> int:
    """Insert the command's row; its id, one more than the last, on both engines.

    SQLite hands out max(id) + 1 by itself, so a command that failed and
    rolled back leaves no gap in the numbers `log` and `undo` show. A
    PostgreSQL sequence never takes a number back; under the write lock,
    max(id) + 1 is as safe there, and the sequence is moved along with it so
    that an insert by default still finds a free id. In a study group a
    learner sees only their own commands (row-level security): max(id) would
    be theirs, not the store's, so the number comes from the sequence, and a
    failed command may leave a gap there.

    Issue 24: the command's stamp (`store.clock.next_stamp`, after the largest the
    store holds, from `dates.now()`, so `COURSETRACK_NOW` skews it) is kept in
    `writer.info["stamp"]` for the uids the command makes (`store.uids.record_uid`);
    its gid is f"{replica}:{id}"; one query reads the replica, its name and max(stamp).
    """
    import datetime as dt

    from coursetrack.dates import now as now_utc
    from coursetrack.store.clock import next_stamp

    line = kept_line(command)
    pg = writer.dialect == "postgresql"
    base = writer.one(queries.STAMP_BASE_PG if pg else queries.STAMP_BASE)
    if base is None:
        raise StoreError("the store has no replica id (its sync_state row is missing)")
    replica, machine, last = base["replica"], base["machine"], base["last"]
    now = now_utc()
    at = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    now_ms = int(now.timestamp() * 1000)
    stamp = next_stamp(last, now_ms, replica)
    writer.info["uid_index"] = 0
    if not pg:  # one writer, who sees every stamp
        writer.info["stamp"] = stamp
        return writer.insert(
            queries.RECORD_COMMAND, at=at, line=line, replica=replica, stamp=stamp, machine=machine
        )
    while True:  # a stamp this session could not see is taken: the next one (rare)
        made = writer.scalar(
            queries.RECORD_COMMAND_PG,
            id=base["next_id"],
            at=at,
            line=line,
            replica=replica,
            stamp=stamp,
            machine=machine,
        )
        if made is not None:
            writer.info["stamp"] = stamp
            return int(made)
        stamp = next_stamp(stamp, now_ms, replica)


def forget_if_unchanged(writer: Writer, command_id: int) -> None:
    """Take back the command's row if its triggers recorded no change (at its commit).

    Decided here, once, for every command on both engines: `done` on a done topic,
    a goal set to the date it has, a clear of no goal. Such a command is not
    history; kept, it would be the next `undo`'s target, which would revert
    nothing instead of the real change before it. An undo is kept even so: its
    row is linked to the command it undid (`history.record_undo`).
    `writer.info["recorded"]` tells the command which it was.
    """
    gone = writer.execute(queries.FORGET_UNCHANGED_COMMAND, id=command_id)
    writer.info["recorded"] = not gone


def last_change(reader: Reader) -> int | None:
    """The newest history row: every write to a tracked table adds one (see the triggers)."""
    return reader.scalar(queries.LAST_CHANGE)


def history_hidden(reader: Reader) -> bool:
    """Whether others' history is hidden from this session: a study group's learner.

    There the newest change a learner sees is their own, and says nothing of a
    curator who changed the catalog while this command waited; so every ref the
    command resolves is compared with what it named in `seen` (`refs.resolve`),
    at the cost of resolving it twice.
    """
    if reader.dialect != "postgresql":
        return False
    return bool(reader.scalar(queries.HISTORY_HIDDEN))


def start(writer: Writer, command: str, *, seen: Reader | None, mark: int | None) -> int:
    """Open the command in `writer`'s transaction, once the write lock is held; its id.

    `seen` (with `mark`, its newest change) is what the user saw: when the store has
    changed since, or others' history is hidden from this session, the writer keeps
    it, and `refs.resolve` compares each ref with what it named then. The caller binds
    the history to the id (each driver its own way) and, at the end,
    `forget_if_unchanged`.
    """
    if seen is not None and (last_change(writer) != mark or history_hidden(writer)):
        writer.info["seen"] = seen
    command_id = record_command(writer, command)
    writer.info["command_id"] = command_id
    return command_id
