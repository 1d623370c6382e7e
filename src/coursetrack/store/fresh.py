"""A brand-new store made at once at the newest schema, not by replaying every step.

Replaying the migrations on an empty store cost a new store ~110 ms (schema 6
rebuilds every table by SQLite's 12-step procedure, and each step commits), and
every first write on a new machine, every read of a store that does not exist yet
(an empty one in memory) and thousands of tests pay it. A new store is instead
made in one transaction: the tables as the last step leaves them, their indexes,
the history triggers, the rules' triggers, the version. An existing store older
than this still upgrades step by step (`schema.migrate`).

SQLite keeps each table's DDL as written, and the rules refused by a CHECK are
named by that text (an unnamed CHECK from schema 2 says no rule's name), so a new
store is made with the very text an upgraded one holds: the tables as schema 5
left them (frozen below, like the steps that made them, but for the words, which
come from `coursetrack.vocabulary`: a word that changed would need a step, and the
test below would say so) with the rules' CHECKs added as migration 6 adds them
(`migrations.ruled_table`), then schema 7's step run on them as an upgrade runs it
(`migration_peer`: its ALTER TABLE writes into that text). PostgreSQL keeps no text
that anything reads, only the catalog: there the tables are the models'.
tests/test_schema.py proves a new store and an upgraded one the same schema on
both engines, the SQLite one down to sqlite_master's text, and that `VERSION` is
the newest schema: a new step must come with this module's update, and until
then `schema.migrate` replays every step for a new store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.vocabulary import Grade, Op, Status, one_of, sql

if TYPE_CHECKING:
    from sqlalchemy import Index, Table
    from sqlalchemy.engine import Connection

#: The schema version the store made here is at (`schema.SCHEMA_VERSION` when current).
VERSION = 8

#: Exactly one owner, as schema 4 wrote it (`migrations._ONE_OWNER_PG`).
_ONE_OWNER = (
    "CASE WHEN specialization_id IS NULL THEN 0 ELSE 1 END + "
    "CASE WHEN course_id IS NULL THEN 0 ELSE 1 END + "
    "CASE WHEN topic_id IS NULL THEN 0 ELSE 1 END = 1"
)

#: SQLite's tables as migrations 1 to 5 left them, in the order an upgraded store's
#: schema lists them (the tables migration 6 did not rebuild first): sqlite_master's
#: text, to the byte, so that a new store's is an upgraded one's.
_SQLITE_V5 = {
    "change": (
        "CREATE TABLE change (\n"
        "            id INTEGER PRIMARY KEY,\n"
        "            command_id INTEGER NOT NULL REFERENCES command (id),\n"
        "            table_name VARCHAR NOT NULL,\n"
        "            row_id INTEGER NOT NULL,\n"
        f"            op VARCHAR NOT NULL CHECK ({one_of('op', Op)}),\n"
        "            old VARCHAR,\n"
        "            new VARCHAR\n"
        "        , learner VARCHAR NOT NULL DEFAULT 'me')"
    ),
    "specialization": (
        "CREATE TABLE specialization (\n"
        "            id INTEGER PRIMARY KEY,\n"
        "            slug VARCHAR NOT NULL UNIQUE,\n"
        "            title VARCHAR NOT NULL,\n"
        "            provider VARCHAR,\n"
        "            url VARCHAR,\n"
        "            description VARCHAR,\n"
        "            certificate_url VARCHAR\n"
        "        )"
    ),
    "course": (
        "CREATE TABLE course (\n"
        "            id INTEGER PRIMARY KEY,\n"
        "            specialization_id INTEGER NOT NULL\n"
        "                REFERENCES specialization (id) ON DELETE CASCADE,\n"
        "            position INTEGER NOT NULL,\n"
        "            slug VARCHAR NOT NULL,\n"
        "            title VARCHAR NOT NULL,\n"
        "            description VARCHAR,\n"
        "            url VARCHAR,\n"
        "            certificate_url VARCHAR,\n"
        "            UNIQUE (specialization_id, slug)\n"
        "        )"
    ),
    "topic": (
        "CREATE TABLE topic (\n"
        "            id INTEGER PRIMARY KEY,\n"
        "            course_id INTEGER NOT NULL REFERENCES course (id) ON DELETE CASCADE,\n"
        "            position INTEGER NOT NULL,\n"
        "            slug VARCHAR NOT NULL,\n"
        "            title VARCHAR NOT NULL,\n"
        "            description VARCHAR,\n"
        "            url VARCHAR,\n"
        "            UNIQUE (course_id, slug)\n"
        "        )"
    ),
    "progress": (
        'CREATE TABLE "progress" (\n'
        "            id INTEGER PRIMARY KEY,\n"
        "            specialization_id INTEGER REFERENCES specialization (id) ON DELETE CASCADE,\n"
        "            course_id INTEGER REFERENCES course (id) ON DELETE CASCADE,\n"
        "            topic_id INTEGER REFERENCES topic (id) ON DELETE CASCADE,\n"
        f"            status VARCHAR NOT NULL DEFAULT {sql(Status.TODO)},\n"
        "            started_on DATE,\n"
        "            completed_on DATE,\n"
        "            learner VARCHAR NOT NULL DEFAULT 'me',\n"
        "            UNIQUE (specialization_id, learner),\n"
        "            UNIQUE (course_id, learner),\n"
        "            UNIQUE (topic_id, learner),\n"
        f"            CONSTRAINT ck_progress_status CHECK ({one_of('status', Status)}),\n"
        f"            CONSTRAINT ck_progress_one_owner CHECK ({_ONE_OWNER})\n"
        ")"
    ),
    "note": (
        'CREATE TABLE "note" (\n'
        "            id INTEGER PRIMARY KEY,\n"
        "            specialization_id INTEGER REFERENCES specialization (id) ON DELETE CASCADE,\n"
        "            course_id INTEGER REFERENCES course (id) ON DELETE CASCADE,\n"
        "            topic_id INTEGER REFERENCES topic (id) ON DELETE CASCADE,\n"
        "            written_on DATE NOT NULL,\n"
        "            text VARCHAR NOT NULL, learner VARCHAR NOT NULL DEFAULT 'me', "
        "private BOOLEAN NOT NULL DEFAULT 0,\n"
        f"            CONSTRAINT ck_note_one_owner CHECK ({_ONE_OWNER})\n"
        "        )"
    ),
    "link": (
        'CREATE TABLE "link" (\n'
        "            id INTEGER PRIMARY KEY,\n"
        "            specialization_id INTEGER REFERENCES specialization (id) ON DELETE CASCADE,\n"
        "            course_id INTEGER REFERENCES course (id) ON DELETE CASCADE,\n"
        "            topic_id INTEGER REFERENCES topic (id) ON DELETE CASCADE,\n"
        "            url VARCHAR NOT NULL,\n"
        "            title VARCHAR,\n"
        "            added_on DATE NOT NULL, learner VARCHAR NOT NULL DEFAULT 'me',\n"
        f"            CONSTRAINT ck_link_one_owner CHECK ({_ONE_OWNER})\n"
        "        )"
    ),
    "review": (
        "CREATE TABLE review (\n"
        "            id INTEGER PRIMARY KEY,\n"
        "            topic_id INTEGER NOT NULL REFERENCES topic (id) ON DELETE CASCADE,\n"
        "            reviewed_on DATE NOT NULL,\n"
        f"            grade VARCHAR NOT NULL CHECK ({one_of('grade', Grade)}),\n"
        "            interval_days INTEGER NOT NULL,\n"
        "            due_on DATE NOT NULL\n"
        "        , learner VARCHAR NOT NULL DEFAULT 'me')"
    ),
    "goal": (
        'CREATE TABLE "goal" (\n'
        "            id INTEGER PRIMARY KEY,\n"
        "            specialization_id INTEGER NOT NULL\n"
        "                REFERENCES specialization (id) ON DELETE CASCADE,\n"
        "            target_on DATE NOT NULL,\n"
        "            learner VARCHAR NOT NULL DEFAULT 'me',\n"
        "            UNIQUE (specialization_id, learner)\n"
        ")"
    ),
    "command": (
        "CREATE TABLE command (\n"
        "            id INTEGER PRIMARY KEY,\n"
        "            at VARCHAR NOT NULL,\n"
        "            line VARCHAR NOT NULL,\n"
        "            undoes INTEGER REFERENCES command (id),\n"
        "            undone_by INTEGER REFERENCES command (id)\n"
        "        , learner VARCHAR NOT NULL DEFAULT 'me')"
    ),
    "member": (
        "CREATE TABLE member (\n"
        "            id INTEGER PRIMARY KEY,\n"
        "            learner VARCHAR NOT NULL DEFAULT 'me',\n"
        "            shared BOOLEAN NOT NULL DEFAULT 0,\n"
        "            UNIQUE (learner)\n"
        "        )"
    ),
}


def create_sqlite(conn: Connection) -> None:
    """Make the newest schema in the empty SQLite store on `conn` (in its transaction)."""
    from coursetrack.models import SQLModel
    from coursetrack.store import migration_peer, migrations, rules, schema, sync_schema, triggers

    tables = SQLModel.metadata.tables
    for table, ddl in _SQLITE_V5.items():
        if table in migrations.RULED_V6:
            # as migration 6 makes it; SQLite's rename then writes the name quoted
            ddl = migrations.ruled_table(table, ddl, f'"{table}"')
        conn.exec_driver_sql(ddl)
        for index in _indexes(tables[table]):
            if index.name in sync_schema.INDEXES_V8:
                continue  # schema 8's, made by its step below
            columns = ", ".join(c.name for c in index.columns)
            conn.exec_driver_sql(f"CREATE INDEX {index.name} ON {table} ({columns})")
        if table == "change":
            conn.exec_driver_sql(triggers.HISTORY_BINDING_SQLITE)
    triggers.install_history(conn, triggers.TRACKED_V6)
    for statement in rules.cross_table_ddl("sqlite"):
        conn.exec_driver_sql(statement)
    # schema 7 as its step makes it: ALTER TABLE writes its column into the tables' text
    migration_peer._m007_peer_review(conn)
    # schema 8 as its step makes it: it rebuilds seven tables and makes every trigger again
    sync_schema._m008_sync(conn)
    conn.exec_driver_sql(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    conn.exec_driver_sql(f"PRAGMA user_version = {VERSION}")


def create_postgresql(conn: Connection) -> None:
    """Make the newest schema in the empty PostgreSQL database on `conn` (in its transaction):
    the models' tables, constraints and indexes, as an upgraded store has them."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    from coursetrack.models import SQLModel
    from coursetrack.store import peer_rules, rules, schema, sync_schema, triggers

    conn.exec_driver_sql(schema.SCHEMA_TABLE_POSTGRESQL)
    conn.exec_driver_sql(f"CREATE SEQUENCE {sync_schema.COMMAND_SEQ}")
    conn.exec_driver_sql(
        f"INSERT INTO coursetrack_schema VALUES ({schema.APPLICATION_ID}, {VERSION})"
    )
    for table in SQLModel.metadata.sorted_tables:
        conn.execute(CreateTable(table))
        for index in _indexes(table):
            conn.execute(CreateIndex(index))
    triggers.install_history(conn)
    current = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    for statement in (
        *rules.cross_table_ddl("postgresql", current),
        *peer_rules.ddl("postgresql", current),
        "GRANT SELECT ON sync_state TO PUBLIC",
    ):
        conn.exec_driver_sql(statement)
    sync_schema.make_sync_state_row(conn)


def _indexes(table: Table) -> list[Index]:
    """The model's indexes on `table` in the order the steps made them: by their first
    column's place in the table (the models keep them in a set)."""
    place = {c.name: n for n, c in enumerate(table.columns)}
    return sorted(table.indexes, key=lambda i: (place[i.columns[0].name], i.name))


def sqlite_statements() -> tuple[str, ...]:
    """The statements that make a new SQLite store, read back from one `create_sqlite`
    made: each as sqlite_master keeps it, in the order they were made.

    `store/new_sqlite.py` holds them written out, so that the first write on a new
    machine makes its store with sqlite3 alone (`opening._create_plain`), without
    importing SQLAlchemy and the models (a third of a first import's time);
    tests/test_schema.py fails, saying how to write that file again, when the two part.
    """
    from sqlalchemy import create_engine

    from coursetrack.store import schema

    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn, conn.begin():
            create_sqlite(conn)
            rows = conn.exec_driver_sql(
                "SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL "
                "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            ).all()
    finally:
        engine.dispose()
    assert schema.SCHEMA_VERSION == VERSION
    return tuple(sql for _, sql in rows)


def new_sqlite_source() -> str:
    """The text of `store/new_sqlite.py` (see `sqlite_statements`)."""
    from coursetrack.store import schema

    lines = [
        '"""The statements that make a new SQLite store: written by',
        "`fresh.write_new_sqlite()` from `fresh.create_sqlite` (see `fresh.sqlite_statements`).",
        'Do not edit: tests/test_schema.py checks it."""',
        "",
        f"VERSION = {VERSION}",
        f"APPLICATION_ID = {schema.APPLICATION_ID}",
        "",
        "STATEMENTS: tuple[str, ...] = (",
        *(f"    {sql!r}," for sql in sqlite_statements()),
        ")",
    ]
    return "\n".join(lines) + "\n"


def write_new_sqlite() -> None:
    """Write `store/new_sqlite.py` again from the schema."""
    from pathlib import Path

    Path(__file__).with_name("new_sqlite.py").write_text(new_sqlite_source(), encoding="utf-8")
