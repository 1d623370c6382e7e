"""The schema's steps, m001 to m006 (m007: `migration_peer`, m008: `sync_schema`).

A step that needs different DDL on the two engines branches on `conn.dialect.name`.
A released step is frozen, since stores in the field were made by its text: a change
to the schema is a new step appended to `MIGRATIONS`, and tests/test_schema.py checks
that the last step leaves both engines exactly as `models` describes them. An older
step that makes history triggers passes its own time's columns (`_TRACKED_V2`).

The steps live apart from `store.schema`, which runs them and keeps the version:
they are most of the schema's text, and frozen, where the version and `migrate`
are what a reader of the upgrade needs. `store.schema` imports this module to
count the steps, and shell completion imports `store.schema`: nothing here
imports SQLAlchemy, the models or the rules at module level; a step imports them
when it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from coursetrack.errors import StoreError
from coursetrack.store.migration_peer import _m007_peer_review
from coursetrack.store.sync_schema import _m008_sync
from coursetrack.store.triggers import (
    HISTORY_BINDING_SQLITE,
    TRACKED_V6,
    _pg,
    _run,
    _sqlite_triggers,
    install_history,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def _m001_initial(conn: Connection) -> None:
    """The first released schema: catalog tables and one progress table."""
    if _pg(conn):
        _run(conn, _M001_POSTGRESQL)
        return
    _run(
        conn,
        (
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
        ),
    )


#: PostgreSQL's foreign keys are deferrable so that `undo` can defer them.
_FK = "ON DELETE CASCADE DEFERRABLE INITIALLY IMMEDIATE"
_ONE_OWNER_PG = (
    "CASE WHEN specialization_id IS NULL THEN 0 ELSE 1 END + "
    "CASE WHEN course_id IS NULL THEN 0 ELSE 1 END + "
    "CASE WHEN topic_id IS NULL THEN 0 ELSE 1 END = 1"
)
_OWNER_PG = f"""
            specialization_id INTEGER REFERENCES specialization (id) {_FK},
            course_id INTEGER REFERENCES course (id) {_FK},
            topic_id INTEGER REFERENCES topic (id) {_FK},"""

_M001_POSTGRESQL = (
    """CREATE TABLE specialization (
            id SERIAL PRIMARY KEY,
            slug VARCHAR NOT NULL UNIQUE,
            title VARCHAR NOT NULL,
            provider VARCHAR,
            url VARCHAR,
            description VARCHAR,
            certificate_url VARCHAR
        )""",
    f"""CREATE TABLE course (
            id SERIAL PRIMARY KEY,
            specialization_id INTEGER NOT NULL REFERENCES specialization (id) {_FK},
            position INTEGER NOT NULL,
            slug VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            description VARCHAR,
            url VARCHAR,
            certificate_url VARCHAR,
            UNIQUE (specialization_id, slug)
        )""",
    "CREATE INDEX ix_course_specialization_id ON course (specialization_id, position)",
    f"""CREATE TABLE topic (
            id SERIAL PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES course (id) {_FK},
            position INTEGER NOT NULL,
            slug VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            description VARCHAR,
            url VARCHAR,
            UNIQUE (course_id, slug)
        )""",
    "CREATE INDEX ix_topic_course_id ON topic (course_id, position)",
    f"""CREATE TABLE progress (
            id SERIAL PRIMARY KEY,{_OWNER_PG}
            status VARCHAR NOT NULL DEFAULT 'todo',
            started_on DATE,
            completed_on DATE,
            note VARCHAR,
            UNIQUE (specialization_id),
            UNIQUE (course_id),
            UNIQUE (topic_id),
            CONSTRAINT ck_progress_status CHECK (status IN ('todo', 'in-progress', 'done')),
            CONSTRAINT ck_progress_one_owner CHECK ({_ONE_OWNER_PG})
        )""",
)


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


def _m002_history_notes_links_reviews_goals(conn: Connection) -> None:
    """History for undo and log; dated notes (replacing progress.note), links, reviews, goals."""
    if _pg(conn):
        _run(conn, _M002_POSTGRESQL)
    else:
        _run(conn, _m002_sqlite())
    for table in ("note", "link"):
        for column in ("specialization_id", "course_id", "topic_id"):
            conn.exec_driver_sql(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})")
    conn.exec_driver_sql("CREATE INDEX ix_review_topic_id ON review (topic_id, reviewed_on)")
    # Schema 1 kept one free-text note per item; it becomes the first dated note
    # (dated when the item was finished or started, else today).
    from sqlalchemy import Date, bindparam, text

    from coursetrack.dates import today

    conn.execute(
        text(
            """INSERT INTO note (specialization_id, course_id, topic_id, written_on, text)
           SELECT specialization_id, course_id, topic_id,
                  coalesce(completed_on, started_on, :today), note
           FROM progress WHERE note IS NOT NULL AND trim(note) != '' ORDER BY id"""
        ).bindparams(bindparam("today", type_=Date)),
        {"today": today()},
    )
    conn.exec_driver_sql("ALTER TABLE progress DROP COLUMN note")
    if not _pg(conn):  # PostgreSQL's triggers came with schema 4 (`_m004_...`)
        _sqlite_triggers(conn, _TRACKED_V2, "(SELECT max(id) FROM command)")


def _m002_sqlite() -> tuple[str, ...]:
    owner = """
            specialization_id INTEGER REFERENCES specialization (id) ON DELETE CASCADE,
            course_id INTEGER REFERENCES course (id) ON DELETE CASCADE,
            topic_id INTEGER REFERENCES topic (id) ON DELETE CASCADE,"""
    one_owner = """CHECK ((specialization_id IS NOT NULL) + (course_id IS NOT NULL)
                   + (topic_id IS NOT NULL) = 1)"""
    return (
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
    )


_M002_POSTGRESQL = (
    """CREATE TABLE command (
            id SERIAL PRIMARY KEY,
            at VARCHAR NOT NULL,
            line VARCHAR NOT NULL,
            undoes INTEGER REFERENCES command (id) DEFERRABLE INITIALLY IMMEDIATE,
            undone_by INTEGER REFERENCES command (id) DEFERRABLE INITIALLY IMMEDIATE
        )""",
    """CREATE TABLE change (
            id SERIAL PRIMARY KEY,
            command_id INTEGER NOT NULL REFERENCES command (id) DEFERRABLE INITIALLY IMMEDIATE,
            table_name VARCHAR NOT NULL,
            row_id INTEGER NOT NULL,
            op VARCHAR NOT NULL,
            old VARCHAR,
            new VARCHAR,
            CONSTRAINT ck_change_op CHECK (op IN ('insert', 'update', 'delete'))
        )""",
    "CREATE INDEX ix_change_command_id ON change (command_id)",
    f"""CREATE TABLE note (
            id SERIAL PRIMARY KEY,{_OWNER_PG}
            written_on DATE NOT NULL,
            text VARCHAR NOT NULL,
            CONSTRAINT ck_note_one_owner CHECK ({_ONE_OWNER_PG})
        )""",
    f"""CREATE TABLE link (
            id SERIAL PRIMARY KEY,{_OWNER_PG}
            url VARCHAR NOT NULL,
            title VARCHAR,
            added_on DATE NOT NULL,
            CONSTRAINT ck_link_one_owner CHECK ({_ONE_OWNER_PG})
        )""",
    f"""CREATE TABLE review (
            id SERIAL PRIMARY KEY,
            topic_id INTEGER NOT NULL REFERENCES topic (id) {_FK},
            reviewed_on DATE NOT NULL,
            grade VARCHAR NOT NULL,
            interval_days INTEGER NOT NULL,
            due_on DATE NOT NULL,
            CONSTRAINT ck_review_grade CHECK (grade IN ('again', 'hard', 'good', 'easy'))
        )""",
    f"""CREATE TABLE goal (
            id SERIAL PRIMARY KEY,
            specialization_id INTEGER NOT NULL UNIQUE REFERENCES specialization (id) {_FK},
            target_on DATE NOT NULL
        )""",
)


def _m003_change_row_index(conn: Connection) -> None:
    """Find a row's history by (table, row id).

    `undo` asks whether a later command changed any row it would revert; without
    this index that is a scan of the whole history per row, minutes under the
    write lock once a store holds a big program.
    """
    conn.exec_driver_sql("CREATE INDEX ix_change_row ON change (table_name, row_id, command_id)")


#: SQLite's owned tables as schema 4 rebuilds them: the one-owner CHECK both
#: engines can run, constraints named as in `models`.
_OWNED_V4_SQLITE = {
    "progress": """
            status VARCHAR NOT NULL DEFAULT 'todo',
            started_on DATE,
            completed_on DATE,
            UNIQUE (specialization_id),
            UNIQUE (course_id),
            UNIQUE (topic_id),
            CONSTRAINT ck_progress_status CHECK (status IN ('todo', 'in-progress', 'done')),""",
    "note": """
            written_on DATE NOT NULL,
            text VARCHAR NOT NULL,""",
    "link": """
            url VARCHAR NOT NULL,
            title VARCHAR,
            added_on DATE NOT NULL,""",
}


def _m004_history_per_transaction(conn: Connection) -> None:
    """Record each change under the command of its own transaction; one CHECK for both engines.

    Until schema 3 the triggers took the newest command row, which names another
    writer's command when two transactions interleave (they can on PostgreSQL).
    Now the writing transaction names its command (`bind_command`). SQLite's
    one-owner CHECK added booleans, which PostgreSQL cannot: its three tables
    are rebuilt with the CHECK both engines run.
    """
    if not _pg(conn):
        conn.exec_driver_sql(HISTORY_BINDING_SQLITE)
        owner = """
            specialization_id INTEGER REFERENCES specialization (id) ON DELETE CASCADE,
            course_id INTEGER REFERENCES course (id) ON DELETE CASCADE,
            topic_id INTEGER REFERENCES topic (id) ON DELETE CASCADE,"""
        for table, body in _OWNED_V4_SQLITE.items():
            columns = ", ".join(c[1] for c in conn.exec_driver_sql(f"PRAGMA table_info({table})"))
            _run(
                conn,
                (
                    f"""CREATE TABLE {table}_v4 (
            id INTEGER PRIMARY KEY,{owner}{body}
            CONSTRAINT ck_{table}_one_owner CHECK ({_ONE_OWNER_PG})
        )""",
                    f"INSERT INTO {table}_v4 ({columns}) SELECT {columns} FROM {table} ORDER BY id",
                    f"DROP TABLE {table}",
                    f"ALTER TABLE {table}_v4 RENAME TO {table}",
                ),
            )
        for table in ("note", "link"):
            for column in ("specialization_id", "course_id", "topic_id"):
                conn.exec_driver_sql(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})")
    else:  # slugs sort as on SQLite, whatever the database's locale (`models.SLUG`)
        for table in ("specialization", "course", "topic"):
            conn.exec_driver_sql(f'ALTER TABLE {table} ALTER COLUMN slug TYPE VARCHAR COLLATE "C"')
    install_history(conn, _TRACKED_V2)  # the columns had not changed since schema 2


#: SQLite's tables whose uniques schema 5 makes per learner, rebuilt with the learner last
#: (in the uniques too: their index then also finds an item's rows, as every join does).
_PER_LEARNER_V5_SQLITE = {
    "progress": """
            status VARCHAR NOT NULL DEFAULT 'todo',
            started_on DATE,
            completed_on DATE,
            learner VARCHAR NOT NULL DEFAULT 'me',
            UNIQUE (specialization_id, learner),
            UNIQUE (course_id, learner),
            UNIQUE (topic_id, learner),
            CONSTRAINT ck_progress_status CHECK (status IN ('todo', 'in-progress', 'done')),
            CONSTRAINT ck_progress_one_owner CHECK ({one_owner})""",
    "goal": """
            target_on DATE NOT NULL,
            learner VARCHAR NOT NULL DEFAULT 'me',
            UNIQUE (specialization_id, learner)""",
}


def _m005_learners(conn: Connection) -> None:
    """Every record belongs to a learner; a study group's members and who may be listed.

    The catalog stays shared. Progress, notes, links, reviews, goals and the
    history gain a `learner` column that its default fills: the database role
    on PostgreSQL (so existing rows belong to whoever upgrades, the store's
    owner), `'me'` on SQLite, a one-learner store. A learner's progress and goal
    are unique per learner. Notes can be private. Row-level security comes
    later, from `coursetrack group init` (`store.group`).
    """
    if _pg(conn):
        learner = "learner VARCHAR NOT NULL DEFAULT CURRENT_USER"
        _run(
            conn,
            (
                *(
                    f"ALTER TABLE {t} ADD COLUMN {learner}"
                    for t in ("progress", "note", "link", "review", "goal", "command", "change")
                ),
                "ALTER TABLE note ADD COLUMN private BOOLEAN NOT NULL DEFAULT false",
                *(
                    f"ALTER TABLE progress DROP CONSTRAINT progress_{c}_key"
                    for c in ("specialization_id", "course_id", "topic_id")
                ),
                *(
                    f"ALTER TABLE progress ADD UNIQUE ({c}, learner)"
                    for c in ("specialization_id", "course_id", "topic_id")
                ),
                "ALTER TABLE goal DROP CONSTRAINT goal_specialization_id_key",
                "ALTER TABLE goal ADD UNIQUE (specialization_id, learner)",
                f"""CREATE TABLE member (
            id SERIAL PRIMARY KEY,
            {learner} UNIQUE,
            shared BOOLEAN NOT NULL DEFAULT false
        )""",
            ),
        )
    else:
        owner = """
            specialization_id INTEGER REFERENCES specialization (id) ON DELETE CASCADE,"""
        bodies = {
            "progress": owner
            + """
            course_id INTEGER REFERENCES course (id) ON DELETE CASCADE,
            topic_id INTEGER REFERENCES topic (id) ON DELETE CASCADE,"""
            + _PER_LEARNER_V5_SQLITE["progress"].format(one_owner=_ONE_OWNER_PG),
            "goal": """
            specialization_id INTEGER NOT NULL
                REFERENCES specialization (id) ON DELETE CASCADE,"""
            + _PER_LEARNER_V5_SQLITE["goal"],
        }
        for table, body in bodies.items():
            columns = ", ".join(c[1] for c in conn.exec_driver_sql(f"PRAGMA table_info({table})"))
            _run(
                conn,
                (
                    f"CREATE TABLE {table}_v5 (\n            id INTEGER PRIMARY KEY,{body}\n)",
                    f"INSERT INTO {table}_v5 ({columns}) SELECT {columns} FROM {table} ORDER BY id",
                    f"DROP TABLE {table}",
                    f"ALTER TABLE {table}_v5 RENAME TO {table}",
                ),
            )
        learner = "learner VARCHAR NOT NULL DEFAULT 'me'"
        _run(
            conn,
            (
                *(
                    f"ALTER TABLE {t} ADD COLUMN {learner}"
                    for t in ("note", "link", "review", "command", "change")
                ),
                "ALTER TABLE note ADD COLUMN private BOOLEAN NOT NULL DEFAULT 0",
                f"""CREATE TABLE member (
            id INTEGER PRIMARY KEY,
            {learner},
            shared BOOLEAN NOT NULL DEFAULT 0,
            UNIQUE (learner)
        )""",
            ),
        )
    install_history(conn, TRACKED_V6)


#: The tables migration 6 rebuilds on SQLite to give them their rules' CHECKs.
RULED_V6 = (
    "specialization", "course", "topic", "progress", "note", "link", "review", "goal",
    "command", "member",
)  # fmt: skip


def _m006_rules(conn: Connection) -> None:
    """The rules of the record in the store itself (`store.rules`), on both engines.

    Rows that break one are mended first (`store.fixups`), and what was done is
    said (`upgrade_notes`). SQLite adds a CHECK only by rebuilding the table, its
    documented way: foreign keys off outside the transaction (`migrate` does it for
    this step: dropping `topic` with them on would delete every progress row,
    note and review of a topic by cascade), a new table from the old one's own DDL
    plus the constraints, every row copied under its id, the old one dropped, the
    new renamed, its indexes and the history triggers made again, then
    `foreign_key_check`. PostgreSQL adds them in place; on a study group, the
    mending runs with row-level security not forced and the tables' triggers
    off, since it mends every learner's rows and records no history.

    Unlike the steps before it, this one reads its DDL from a declaration that
    lives on (`store.rules`), not from frozen text: a later change to a rule must
    come with a step of its own that replaces that rule's constraint (drop if
    exists, add), which is then also right for a store that got the newer rule
    from this step.
    """
    import json  # here: every opening imports this module for the version, and runs no step

    from coursetrack.dates import today
    from coursetrack.store import fixups, rules

    notes = conn.info.setdefault("upgrade_notes", [])  # `migrate` returns them
    if _pg(conn):
        # a study group's owner sees every learner's rows only with row security not forced
        forced = [
            t
            for (t,) in conn.exec_driver_sql(
                "SELECT relname FROM pg_class WHERE relforcerowsecurity "
                "AND relnamespace = current_schema()::regnamespace"
            )
        ]
        _run(conn, [f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY" for t in forced])
        if rules.violations(conn, schema=6):
            _run(conn, [f"ALTER TABLE {t} DISABLE TRIGGER USER" for t in RULED_V6])
            notes += fixups.mend(conn, today())
            _run(conn, [f"ALTER TABLE {t} ENABLE TRIGGER USER" for t in RULED_V6])
        _run(conn, [f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY" for t in forced])
        _run(
            conn,
            [
                f"ALTER TABLE {r.table} ADD CONSTRAINT {r.constraint} CHECK ({r.postgresql})"
                for r in rules.made_by(6)
            ],
        )
        current = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        _run(conn, rules.cross_table_ddl("postgresql", current))
        return
    for (name,) in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'history_%'"
    ).all():
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')  # the mending is no command's
    notes += fixups.mend(conn, today())
    for table in RULED_V6:
        ddl, indexes = conn.exec_driver_sql(
            "SELECT (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?), "
            "(SELECT json_group_array(sql) FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL)",
            (table, table),
        ).one()
        columns = ", ".join(c[1] for c in conn.exec_driver_sql(f"PRAGMA table_info({table})"))
        _run(
            conn,
            (
                ruled_table(table, ddl, f"{table}_v6"),
                f"INSERT INTO {table}_v6 ({columns}) SELECT {columns} FROM {table} ORDER BY id",
                f"DROP TABLE {table}",
                f"ALTER TABLE {table}_v6 RENAME TO {table}",
                *json.loads(indexes),
            ),
        )
    install_history(conn, TRACKED_V6)
    _run(conn, rules.cross_table_ddl("sqlite"))
    wrong = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if wrong:
        raise StoreError(f"the upgrade to schema 6 found rows without their parent: {wrong[:3]}")


def ruled_table(table: str, ddl: str, name: str) -> str:
    """SQLite's DDL `ddl` of `table` with its rules' CHECKs added, as table `name`: what
    migration 6 rebuilds it from, and what a new store makes (`store.fresh`)."""
    import re

    from coursetrack.store import rules

    checks = ",\n".join(
        f"            CONSTRAINT {r.constraint} CHECK ({r.sqlite})"
        for r in rules.of_table(table, 6)
    )
    body = ddl.rstrip()
    assert body.endswith(")"), table
    body = re.sub(r'^CREATE TABLE\s+"?\w+"?', f"CREATE TABLE {name}", body, count=1)
    return f"{body[:-1].rstrip()},\n{checks}\n)"


#: Steps that rebuild a table others refer to: on SQLite they run with foreign keys off.
_FOREIGN_KEYS_OFF = {_m006_rules, _m008_sync}

#: Ordered schema changes; the store's version is how many have run.
#: Never edit a released entry: append a new one.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _m001_initial,
    _m002_history_notes_links_reviews_goals,
    _m003_change_row_index,
    _m004_history_per_transaction,
    _m005_learners,
    _m006_rules,
    _m007_peer_review,
    _m008_sync,
]
