"""The schema: its ordered migrations, the history triggers, the version check.

The schema is versioned with `PRAGMA user_version` and upgraded by the ordered
`MIGRATIONS` below, each applied once in its own transaction. A store that
holds data is copied aside with SQLite's backup API (`inspect.backup_copy`)
before it is upgraded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

#: Written into every store's header (`PRAGMA application_id`) so that a
#: coursetrack store can be told apart from any other SQLite file.
APPLICATION_ID = 0x43547263  # "CTrc"


def _m001_initial(conn: Connection) -> None:
    """The first released schema: catalog tables and one progress table."""
    for statement in (
        """CREATE TABLE specialization (
            id INTEGER PRIMARY KEY,
            slug VARCHAR NOT NULL UNIQUE,
            title VARCHAR NOT NULL,
            provider VARCHAR,
            url VARCHAR,
            description VARCHAR,
            certificate_url VARCHAR
        )""",
        """CREATE TABLE course (
            id INTEGER PRIMARY KEY,
            specialization_id INTEGER NOT NULL
                REFERENCES specialization (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            slug VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            description VARCHAR,
            url VARCHAR,
            certificate_url VARCHAR,
            UNIQUE (specialization_id, slug)
        )""",
        "CREATE INDEX ix_course_specialization_id ON course (specialization_id, position)",
        """CREATE TABLE topic (
            id INTEGER PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES course (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            slug VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            description VARCHAR,
            url VARCHAR,
            UNIQUE (course_id, slug)
        )""",
        "CREATE INDEX ix_topic_course_id ON topic (course_id, position)",
        """CREATE TABLE progress (
            id INTEGER PRIMARY KEY,
            specialization_id INTEGER UNIQUE
                REFERENCES specialization (id) ON DELETE CASCADE,
            course_id INTEGER UNIQUE REFERENCES course (id) ON DELETE CASCADE,
            topic_id INTEGER UNIQUE REFERENCES topic (id) ON DELETE CASCADE,
            status VARCHAR NOT NULL DEFAULT 'todo'
                CHECK (status IN ('todo', 'in-progress', 'done')),
            started_on DATE,
            completed_on DATE,
            note VARCHAR,
            CHECK ((specialization_id IS NOT NULL) + (course_id IS NOT NULL)
                   + (topic_id IS NOT NULL) = 1)
        )""",
    ):
        conn.exec_driver_sql(statement)


#: The columns each tracked table had when its history triggers were made.
_TRACKED_V2 = {
    "specialization": ("id", "slug", "title", "provider", "url", "description", "certificate_url"),
    "course": (
        "id", "specialization_id", "position", "slug", "title", "description", "url",
        "certificate_url",
    ),
    "topic": ("id", "course_id", "position", "slug", "title", "description", "url"),
    "progress": (
        "id", "specialization_id", "course_id", "topic_id", "status", "started_on",
        "completed_on",
    ),
    "note": ("id", "specialization_id", "course_id", "topic_id", "written_on", "text"),
    "link": ("id", "specialization_id", "course_id", "topic_id", "url", "title", "added_on"),
    "review": ("id", "topic_id", "reviewed_on", "grade", "interval_days", "due_on"),
    "goal": ("id", "specialization_id", "target_on"),
}  # fmt: skip


def _history_triggers(conn: Connection, tracked: dict[str, tuple[str, ...]]) -> None:
    """Record every row change in `change`, under the newest `command` row.

    Triggers see what the ORM does not: ON DELETE CASCADE and bulk UPDATEs.
    A write with no command row fails (change.command_id is NOT NULL), so
    nothing can change the store without a trace.
    """
    for table, columns in tracked.items():
        for op in ("insert", "update", "delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS history_{table}_{op}")

        def row(alias: str, columns: tuple[str, ...] = columns) -> str:
            pairs = ", ".join(f"'{c}', {alias}.{c}" for c in columns)
            return f"json_object({pairs})"

        head = "INSERT INTO change (command_id, table_name, row_id, op, old, new) VALUES "
        latest = "(SELECT max(id) FROM command)"
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_insert AFTER INSERT ON {table} BEGIN "
            f"{head}({latest}, '{table}', NEW.id, 'insert', NULL, {row('NEW')}); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_update AFTER UPDATE ON {table} "
            f"WHEN {row('OLD')} IS NOT {row('NEW')} BEGIN "
            f"{head}({latest}, '{table}', NEW.id, 'update', {row('OLD')}, {row('NEW')}); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_delete AFTER DELETE ON {table} BEGIN "
            f"{head}({latest}, '{table}', OLD.id, 'delete', {row('OLD')}, NULL); END"
        )


def _m002_history_notes_links_reviews_goals(conn: Connection) -> None:
    """History for undo and log; dated notes (replacing progress.note), links, reviews, goals."""
    owner = """
            specialization_id INTEGER REFERENCES specialization (id) ON DELETE CASCADE,
            course_id INTEGER REFERENCES course (id) ON DELETE CASCADE,
            topic_id INTEGER REFERENCES topic (id) ON DELETE CASCADE,"""
    one_owner = """CHECK ((specialization_id IS NOT NULL) + (course_id IS NOT NULL)
                   + (topic_id IS NOT NULL) = 1)"""
    for statement in (
        """CREATE TABLE command (
            id INTEGER PRIMARY KEY,
            at VARCHAR NOT NULL,
            line VARCHAR NOT NULL,
            undoes INTEGER REFERENCES command (id),
            undone_by INTEGER REFERENCES command (id)
        )""",
        """CREATE TABLE change (
            id INTEGER PRIMARY KEY,
            command_id INTEGER NOT NULL REFERENCES command (id),
            table_name VARCHAR NOT NULL,
            row_id INTEGER NOT NULL,
            op VARCHAR NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            old VARCHAR,
            new VARCHAR
        )""",
        "CREATE INDEX ix_change_command_id ON change (command_id)",
        f"""CREATE TABLE note (
            id INTEGER PRIMARY KEY,{owner}
            written_on DATE NOT NULL,
            text VARCHAR NOT NULL,
            {one_owner}
        )""",
        f"""CREATE TABLE link (
            id INTEGER PRIMARY KEY,{owner}
            url VARCHAR NOT NULL,
            title VARCHAR,
            added_on DATE NOT NULL,
            {one_owner}
        )""",
        """CREATE TABLE review (
            id INTEGER PRIMARY KEY,
            topic_id INTEGER NOT NULL REFERENCES topic (id) ON DELETE CASCADE,
            reviewed_on DATE NOT NULL,
            grade VARCHAR NOT NULL CHECK (grade IN ('again', 'hard', 'good', 'easy')),
            interval_days INTEGER NOT NULL,
            due_on DATE NOT NULL
        )""",
        """CREATE TABLE goal (
            id INTEGER PRIMARY KEY,
            specialization_id INTEGER NOT NULL UNIQUE
                REFERENCES specialization (id) ON DELETE CASCADE,
            target_on DATE NOT NULL
        )""",
    ):
        conn.exec_driver_sql(statement)
    for table in ("note", "link"):
        for column in ("specialization_id", "course_id", "topic_id"):
            conn.exec_driver_sql(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})")
    conn.exec_driver_sql("CREATE INDEX ix_review_topic_id ON review (topic_id, reviewed_on)")
    # Schema 1 kept one free-text note per item; it becomes the first dated note
    # (dated when the item was finished or started, else today).
    from coursetrack.dates import today

    conn.exec_driver_sql(
        """INSERT INTO note (specialization_id, course_id, topic_id, written_on, text)
           SELECT specialization_id, course_id, topic_id,
                  coalesce(completed_on, started_on, ?), note
           FROM progress WHERE note IS NOT NULL AND trim(note) != '' ORDER BY id""",
        (today().isoformat(),),
    )
    conn.exec_driver_sql("ALTER TABLE progress DROP COLUMN note")
    _history_triggers(conn, _TRACKED_V2)


def _m003_change_row_index(conn: Connection) -> None:
    """Find a row's history by (table, row id).

    `undo` asks whether a later command changed any row it would revert; without
    this index that is a scan of the whole history per row, minutes under the
    write lock once a store holds a big program.
    """
    conn.exec_driver_sql("CREATE INDEX ix_change_row ON change (table_name, row_id, command_id)")


#: Ordered schema changes; the store's user_version is how many have run.
#: Never edit a released entry: append a new one.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _m001_initial,
    _m002_history_notes_links_reviews_goals,
    _m003_change_row_index,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _migrate(engine: Engine) -> None:
    """Bring the store up to SCHEMA_VERSION, one transaction per migration.

    A store that is up to date is only read, never locked: taking the write
    lock here would make every `status` wait behind a long `import`.
    """
    with engine.connect() as plain:
        with plain.begin():
            current = plain.exec_driver_sql("PRAGMA user_version").scalar_one()
        if current >= SCHEMA_VERSION:
            return
        conn = plain.execution_options(sqlite_begin="IMMEDIATE")
        for index in range(SCHEMA_VERSION):
            target = index + 1
            with conn.begin():
                current = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
                if current >= target:
                    continue
                MIGRATIONS[index](conn)
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.exec_driver_sql(f"PRAGMA user_version = {target}")


# --- stubs for lane hA (issue 12); lane hB's dialect-aware versions replace these ---------


def migrate(engine: Engine) -> None:
    """Bring the store up to date on its engine.

    Stub until the dialect-aware migrations land: SQLite runs `_migrate`;
    PostgreSQL gets the models' tables (no version, no history triggers), made
    under the write lock so that two first commands do not race.
    """
    if engine.dialect.name == "sqlite":
        _migrate(engine)
        return
    from sqlalchemy import inspect as sa_inspect
    from sqlmodel import SQLModel

    import coursetrack.models  # noqa: F401  (registers the tables)

    if sa_inspect(engine).has_table("command"):
        return
    with engine.connect() as plain:
        conn = plain.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            SQLModel.metadata.create_all(conn)


def bind_command(conn: Connection, command_id: int) -> None:
    """Record this transaction's row changes under `command_id` (stub: lane hB's triggers)."""
