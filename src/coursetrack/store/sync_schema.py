"""Schema 8, sync across machines (issue 24): a step of its own module, like schema 7's.

`store.migrations` lists it after `_m007_peer_review`; it is frozen like them once
released. docs/sync.md ("Schema changes: _m008_sync") says why each piece is there.
On both engines it adds:
- `uid` on specialization, course, topic, note, link, review: text, NOT NULL, UNIQUE,
  last of each table's columns (PostgreSQL adds a column at the end). Its default is
  a random 32 hex digits, so a row written by other means than coursetrack (the
  sqlite3 shell, psql) still gets one; coursetrack's own inserts pass theirs
  (`store.uids`). Existing rows get theirs here: catalog items the hash of their
  slug path, records `<stamp of the command that inserted them, or zeros>.<id>.<random>`,
  so that ordering by uid keeps the order of ids;
- on `command`: `gid` (unique), `replica`, `stamp` (unique index), `machine`, `seq`
  (indexed), `set_aside`, `payload`. Existing commands get gid, replica and stamp in
  id order, stamps growing with ids (`store.clock`, from each command's `at`); on
  PostgreSQL, which is a hub, they also take their `seq` from the new sequence
  `command_seq`, in id order;
- `sync_state`, one row made with the store: the replica's id and name;
- the history: every change row of the six tables gets the row's uid in its `old`
  and `new` JSON (a row gone since gets one generated uid, the same in each of its
  changes), and the history triggers are made again (uid is a tracked column).

SQLite cannot add a UNIQUE column, nor one whose default is an expression, nor a NOT
NULL one without a default: the seven tables are rebuilt by its 12-step procedure
(foreign keys off, `migrate` sets it: `_FOREIGN_KEYS_OFF`), each from its own DDL
text with the columns added before its table constraints, its rows copied under
their ids, its indexes made again. Every trigger is dropped first and made again
after from its own text (a trigger that names a table dropped meanwhile would stop
the rename), the history triggers from `TRACKED_V8`. A new store (`store.fresh`)
runs this very step on the tables schema 7 makes, so its text is an upgraded
store's to the byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coursetrack.store.migration_peer import TRACKED_V7
from coursetrack.store.triggers import _pg, _run, install_history

# Nothing here imports more than the standard library's lightest at module level:
# every opening imports `store.migrations`, which lists this step, and reads no step.

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: The tables whose rows carry a uid, catalog first.
UID_TABLES = ("specialization", "course", "topic", "note", "link", "review")
CATALOG_UID_TABLES = ("specialization", "course", "topic")

#: The tracked tables and their columns as schema 8 leaves them (frozen).
TRACKED_V8: dict[str, tuple[str, ...]] = {
    table: (*columns, "uid") if table in UID_TABLES else columns
    for table, columns in TRACKED_V7.items()
}

#: A uid's default, for a row written by other means than coursetrack: 32 random hex
#: digits. Written here as each engine prints it back (`models.RandomUid`).
UID_DEFAULT_SQLITE = "lower(hex(randomblob(16)))"
UID_DEFAULT_POSTGRESQL = "md5((random())::text)"

#: The columns schema 8 adds to `command` (SQLite's DDL text; PostgreSQL's differ only
#: in NOT NULL, added once the rows have theirs).
_COMMAND_COLUMNS = (
    ("gid", "VARCHAR NOT NULL UNIQUE"),
    ("replica", "VARCHAR NOT NULL"),
    ("stamp", "VARCHAR NOT NULL"),
    ("machine", "VARCHAR"),
    ("seq", "INTEGER"),
    ("set_aside", "VARCHAR"),
    ("payload", "VARCHAR"),
)

#: The indexes of `command` schema 8 makes (the models declare them).
_COMMAND_INDEXES = (
    "CREATE UNIQUE INDEX ix_command_stamp ON command (stamp)",
    "CREATE INDEX ix_command_seq ON command (seq)",
)

#: Their names (`store.fresh` leaves them to this step).
INDEXES_V8 = frozenset({"ix_command_stamp", "ix_command_seq"})

#: The sequence that numbers commands by their arrival on a PostgreSQL store (the hub).
COMMAND_SEQ = "command_seq"

#: The longest machine name kept (a host name's label).
MAX_MACHINE = 63

SYNC_STATE_SQLITE = """CREATE TABLE sync_state (
            id INTEGER PRIMARY KEY,
            replica VARCHAR NOT NULL,
            name VARCHAR,
            hub_url VARCHAR,
            hub_replica VARCHAR,
            CONSTRAINT ck_sync_state_one_row CHECK (id = 1)
        )"""

SYNC_STATE_POSTGRESQL = """CREATE TABLE sync_state (
            id SERIAL PRIMARY KEY,
            replica VARCHAR NOT NULL,
            name VARCHAR,
            hub_url VARCHAR,
            hub_replica VARCHAR,
            CONSTRAINT ck_sync_state_one_row CHECK (id = 1)
        )"""

#: The one row of `sync_state`, made with the store (`new_replica`).
INSERT_SYNC_STATE = "INSERT INTO sync_state (id, replica, name) VALUES (1, :replica, :name)"


def machine_name() -> str:
    """This machine's name as a store keeps it (its host name, cut to MAX_MACHINE)."""
    import socket

    return socket.gethostname()[:MAX_MACHINE]


def new_replica() -> dict[str, str]:
    """A new store's identity: a random replica id and this machine's name."""
    import os

    return {"replica": os.urandom(8).hex(), "name": machine_name()}


def make_sync_state_row(conn: Connection) -> dict[str, str]:
    """Insert `sync_state`'s one row on `conn`; the replica and name it holds."""
    from sqlalchemy import text

    row = new_replica()
    conn.execute(text(INSERT_SYNC_STATE), row)
    return row


def _m008_sync(conn: Connection) -> None:
    """Sync: uids on the exchanged rows, stamps and gids on commands, `sync_state`."""
    pg = _pg(conn)
    if pg:
        _postgresql(conn)
    else:
        _sqlite(conn)


def _with_columns(ddl: str, table: str, columns: str) -> str:
    """`ddl` (a CREATE TABLE's text) renamed `table`, with `columns` added after its last
    column, before its table constraints (where SQLite's ADD COLUMN would write them)."""
    import re

    body = re.sub(r'^CREATE TABLE\s+"?\w+"?', f"CREATE TABLE {table}", ddl.rstrip(), count=1)
    found = re.search(r",\s*\n\s*(UNIQUE \(|CONSTRAINT |CHECK \()", body)
    if found is None:  # no table constraint: at the end
        assert body.endswith(")"), table
        head, tail = body[:-1].rstrip(), "\n)"
        return f"{head},\n            {columns}{tail}"
    return f"{body[: found.start()]},\n            {columns}{body[found.start() :]}"


def _sqlite(conn: Connection) -> None:
    import json

    saved = [
        sql
        for (name, sql) in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid"
        ).all()
        if not name.startswith("history_")
    ]
    for (name,) in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid"
    ).all():
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    added = {
        table: f"uid VARCHAR NOT NULL UNIQUE DEFAULT ({UID_DEFAULT_SQLITE})" for table in UID_TABLES
    }
    added["command"] = ",\n            ".join(f"{c} {t}" for c, t in _COMMAND_COLUMNS)
    for table, columns in added.items():
        ddl, indexes = conn.exec_driver_sql(
            "SELECT (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?), "
            "(SELECT json_group_array(sql) FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL)",
            (table, table),
        ).one()
        kept = ", ".join(c[1] for c in conn.exec_driver_sql(f"PRAGMA table_info({table})"))
        if table == "command":  # NOT NULL: the copy gives them placeholders, `_stamp` the rest
            into, values = f"{kept}, gid, replica, stamp", f"{kept}, id, '', id"
        else:
            into = values = kept
        _run(
            conn,
            (
                _with_columns(ddl, f"{table}_v8", columns),
                f"INSERT INTO {table}_v8 ({into}) SELECT {values} FROM {table} ORDER BY id",
                f"DROP TABLE {table}",
                f"ALTER TABLE {table}_v8 RENAME TO {table}",
                *json.loads(indexes),
            ),
        )
    _run(conn, _COMMAND_INDEXES)
    conn.exec_driver_sql(SYNC_STATE_SQLITE)
    _fill(conn, pg=False)
    _run(conn, saved)
    install_history(conn, TRACKED_V8)
    wrong = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if wrong:
        from coursetrack.errors import StoreError

        raise StoreError(f"the upgrade to schema 8 found rows without their parent: {wrong[:3]}")


def _postgresql(conn: Connection) -> None:
    # the owner sees every learner's rows only with row security not forced, and the
    # rows' uids are no command's: no trigger runs while they are written
    forced = [
        t
        for (t,) in conn.exec_driver_sql(
            "SELECT relname FROM pg_class WHERE relforcerowsecurity "
            "AND relnamespace = current_schema()::regnamespace"
        )
    ]
    _run(conn, [f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY" for t in forced])
    _run(conn, [f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in (*UID_TABLES, "command")])
    _run(
        conn,
        [
            *(f"ALTER TABLE {t} ADD COLUMN uid VARCHAR" for t in UID_TABLES),
            *(f"ALTER TABLE command ADD COLUMN {c} {t.split()[0]}" for c, t in _COMMAND_COLUMNS),
            f"CREATE SEQUENCE {COMMAND_SEQ}",
            SYNC_STATE_POSTGRESQL,
            "GRANT SELECT ON sync_state TO PUBLIC",
        ],
    )
    _fill(conn, pg=True)
    _run(
        conn,
        [
            *(
                statement
                for t in UID_TABLES
                for statement in (
                    f"ALTER TABLE {t} ALTER COLUMN uid SET NOT NULL",
                    f"ALTER TABLE {t} ALTER COLUMN uid SET DEFAULT {UID_DEFAULT_POSTGRESQL}",
                    f"ALTER TABLE {t} ADD UNIQUE (uid)",
                )
            ),
            *(
                f"ALTER TABLE command ALTER COLUMN {c} SET NOT NULL"
                for c in ("gid", "replica", "stamp")
            ),
            "ALTER TABLE command ADD UNIQUE (gid)",
            *_COMMAND_INDEXES,
        ],
    )
    _run(conn, [f"ALTER TABLE {t} ENABLE TRIGGER USER" for t in (*UID_TABLES, "command")])
    _run(conn, [f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY" for t in forced])
    install_history(conn, TRACKED_V8)


def _at_ms(at: str) -> int:
    """A command's `at` (ISO 8601) in milliseconds since the epoch; 0 when unreadable."""
    import datetime as dt

    try:
        moment = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(int(moment.timestamp() * 1000), 0)


def _fill(conn: Connection, *, pg: bool) -> None:
    """Give the existing rows their values: the replica row, the commands' gids and stamps
    (and on PostgreSQL their seq), the rows' uids, the history's uids."""
    import os

    from coursetrack.store import clock, uids

    replica = make_sync_state_row(conn)["replica"]
    stamps: dict[int, str] = {}
    last: str | None = None
    for command_id, at in conn.exec_driver_sql("SELECT id, at FROM command ORDER BY id"):
        last = stamps[command_id] = clock.next_stamp(last, _at_ms(at), replica)
    seq = f", seq = nextval('{COMMAND_SEQ}')" if pg else ""
    _many(
        conn,
        f"UPDATE command SET gid = :gid, replica = :replica, stamp = :stamp{seq} WHERE id = :id",
        [
            {"id": i, "gid": f"{replica}:{i}", "replica": replica, "stamp": s}
            for i, s in stamps.items()
        ],
    )
    # the first insert of each record in the history: its command's stamp names the row
    inserted: dict[tuple[str, int], str] = {}
    for table, row_id, command_id in conn.exec_driver_sql(
        "SELECT table_name, row_id, min(command_id) FROM change WHERE op = 'insert' "
        "AND table_name IN ('note', 'link', 'review') GROUP BY table_name, row_id"
    ):
        inserted[(table, row_id)] = stamps.get(command_id, uids.NO_STAMP)
    named: dict[tuple[str, int], str] = {}
    slugs: dict[tuple[str, int], tuple[str, ...]] = {}
    for spec_id, slug in conn.exec_driver_sql("SELECT id, slug FROM specialization"):
        slugs[("specialization", spec_id)] = (slug,)
    for course_id, spec_id, slug in conn.exec_driver_sql(
        "SELECT id, specialization_id, slug FROM course"
    ):
        slugs[("course", course_id)] = (*slugs[("specialization", spec_id)], slug)
    for topic_id, course_id, slug in conn.exec_driver_sql("SELECT id, course_id, slug FROM topic"):
        slugs[("topic", topic_id)] = (*slugs[("course", course_id)], slug)
    for (table, row_id), path in slugs.items():
        named[(table, row_id)] = uids.catalog_uid(*path)
    for table in ("note", "link", "review"):
        for (row_id,) in conn.exec_driver_sql(f"SELECT id FROM {table}"):
            named[(table, row_id)] = uids.old_record_uid(inserted.get((table, row_id)), row_id)
    for table in UID_TABLES:
        _many(
            conn,
            f"UPDATE {table} SET uid = :uid WHERE id = :id",
            [{"id": i, "uid": u} for (t, i), u in named.items() if t == table],
        )
    # the history names every row by its uid too; a row gone since gets one of its own.
    # A page at a time: an import of 100,000 topics is as many change rows.
    from sqlalchemy import text

    page = text(
        "SELECT id, table_name, row_id, old, new FROM change WHERE table_name IN "
        f"({', '.join(repr(t) for t in UID_TABLES)}) AND id > :after ORDER BY id LIMIT {_PAGE}"
    )
    after = 0
    while changed := conn.execute(page, {"after": after}).all():
        rows: list[dict[str, Any]] = []
        for change_id, table, row_id, old, new in changed:
            uid = named.get((table, row_id))
            if uid is None:
                uid = named[(table, row_id)] = (
                    os.urandom(16).hex()
                    if table in CATALOG_UID_TABLES
                    else uids.old_record_uid(inserted.get((table, row_id)), row_id)
                )
            rows.append({"id": change_id, "old": _with_uid(old, uid), "new": _with_uid(new, uid)})
        _many(conn, "UPDATE change SET old = :old, new = :new WHERE id = :id", rows)
        after = changed[-1][0]


#: Change rows read and written at a time by the upgrade.
_PAGE = 5000


def _with_uid(values: str | None, uid: str) -> str | None:
    """A change's JSON of a row with the row's uid added (last, as the triggers write it)."""
    import json

    if values is None:
        return None
    row = json.loads(values)
    row["uid"] = uid
    return json.dumps(row, separators=(",", ":"), ensure_ascii=False)


def _many(conn: Connection, sql: str, rows: list[dict[str, Any]]) -> None:
    """Run `sql` for each of `rows` (nothing when there are none)."""
    from sqlalchemy import text

    if rows:
        conn.execute(text(sql), rows)
