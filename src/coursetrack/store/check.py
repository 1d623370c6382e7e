"""`coursetrack check`: what the store must hold, each as one check that reads it.

A check is a name and a function of a connection (in one read transaction)
that returns what is wrong, one line each, or None when it does not apply to
this store (a study group's checks on a store with no group). `CHECKS` is the
list `check` runs in order; another kind of check (rows that break a rule of
the record) is one more entry.

What is compared is made by the code that makes the store: the history
triggers and functions by `schema`'s own builders, the group's policies,
guard functions and grants from what `group.apply_security` applies
(`store.check_group`), so a check cannot drift from what the migrations or
`group init` would make.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.store import schema, triggers
from coursetrack.store.check_group import (
    group_grants,
    group_policies,
    group_roles,
    group_triggers,
    group_version,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from coursetrack.store.reader import Reader
    from coursetrack.store.rules import Rule

Check = Callable[["Connection"], "list[str] | None"]

#: A store's history triggers are made by its migrations alone; a new store has them all.
_REMAKE = "a store made from its backup has it (export yaml, import into a new store)"


@dataclass(frozen=True)
class Problem:
    check: str  # the check's name, as `CHECKS` lists it
    detail: str


def run(source: Reader | Connection) -> tuple[list[str], list[Problem]]:
    """Every check that applies to the store (a read's Reader, or a connection of the
    store's own): (their names, what is wrong)."""
    from sqlalchemy.engine import Connection

    from coursetrack.store.reader import AlchemyReader

    conn = source.conn if isinstance(source, AlchemyReader) else source
    # `check` opens its store read-only, which reads through SQLAlchemy on both engines
    assert isinstance(conn, Connection)
    names: list[str] = []
    problems: list[Problem] = []
    for name, check in CHECKS:
        found = check(conn)
        if found is None:
            continue
        names.append(name)
        problems += [Problem(name, detail) for detail in found]
    return names, problems


def _pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _tracked() -> dict[str, tuple[str, ...]]:
    from coursetrack.models import TRACKED, columns_of, table_name

    return {table_name(m): columns_of(m) for m in TRACKED}


# --- both engines ---------------------------------------------------------------------


def schema_version(conn: Connection) -> list[str]:
    """A coursetrack store, at the schema this coursetrack makes."""
    if _pg(conn):
        app_id, version = conn.exec_driver_sql(
            "SELECT application_id, version FROM coursetrack_schema"
        ).one()
    else:
        app_id = conn.exec_driver_sql("PRAGMA application_id").scalar_one()
        version = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
    wrong = []
    if app_id != schema.APPLICATION_ID:
        wrong.append(f"the application id is {app_id}, not coursetrack's {schema.APPLICATION_ID}")
    if version != schema.SCHEMA_VERSION:
        wrong.append(
            f"the schema is version {version}, this coursetrack's is {schema.SCHEMA_VERSION}"
        )
    return wrong


class _Recorder:
    """Stands for a connection to collect the statements a builder would run."""

    def __init__(self, dialect: str) -> None:
        self.dialect = type("Dialect", (), {"name": dialect})()
        self.statements: list[str] = []

    def exec_driver_sql(self, statement: str, *_: object) -> None:
        self.statements.append(statement)


def history(conn: Connection) -> list[str]:
    """Every tracked table records its changes: each history trigger present, as made."""
    tracked = _tracked()
    wrong = []
    if _pg(conn):
        found: dict[str, str] = dict(
            conn.exec_driver_sql(
                "SELECT tgrelid::regclass::text || '.' || tgname, tgfoid::regproc::text "
                "FROM pg_trigger WHERE NOT tgisinternal AND starts_with(tgname, 'history_')"
            ).all()
        )
        bodies: dict[str, str] = dict(
            conn.exec_driver_sql(
                "SELECT proname, prosrc FROM pg_proc WHERE starts_with(proname, 'history_') "
                "AND pronamespace = current_schema()::regnamespace"
            ).all()
        )
        for table, columns in tracked.items():
            function = f"history_{table}"
            if bodies.get(function) is None:
                wrong.append(f"the history function {function}() is missing; {_REMAKE}")
            elif bodies[function] != triggers._pg_trigger(table, columns)[0].split("$$")[1]:
                wrong.append(
                    f"the history function {function}() is not the one coursetrack makes; "
                    + _REMAKE
                )
            for op in ("insert", "update", "delete"):
                if found.get(f"{table}.{function}_{op}") != function:
                    wrong.append(
                        f"the history trigger {function}_{op} on {table} is missing; {_REMAKE}"
                    )
        return wrong
    recorder = _Recorder("sqlite")
    triggers._sqlite_triggers(recorder, tracked, triggers._SQLITE_COMMAND)  # type: ignore[arg-type]
    made = {
        re.match(r"CREATE TRIGGER (\w+)", s).group(1): s  # type: ignore[union-attr]
        for s in recorder.statements
        if s.startswith("CREATE TRIGGER")
    }
    found = dict(
        conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
    )
    for name, sql in made.items():
        table = name.removeprefix("history_").rpartition("_")[0]
        if name not in found:
            wrong.append(f"the history trigger {name} on {table} is missing; {_REMAKE}")
        elif found[name] != sql:
            wrong.append(
                f"the history trigger {name} on {table} is not the one coursetrack makes; "
                + _REMAKE
            )
    return wrong


def integrity(conn: Connection) -> list[str]:
    """SQLite's own check of the file: pages, indexes, NOT NULL and CHECK constraints.
    PostgreSQL checks every row as it is written, unless a constraint was added NOT
    VALID or a trigger disabled."""
    if _pg(conn):
        return _unchecked(conn, foreign=False) + _disabled(conn, internal=False)
    found = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
    return [] if found == ["ok"] else found


def record_rules(conn: Connection) -> list[str]:
    """Every rule of the record is the store's own (a constraint, or the review rule's
    triggers), and no row breaks one: a store written past them (SQLite's checks
    switched off on a connection, a constraint dropped by hand) is named by the rule
    it breaks, as a user reads it. On a group, the rows the session may read."""
    from coursetrack.store import rules

    pg = _pg(conn)
    if pg:
        constraints = {
            (table, name)
            for table, name in conn.exec_driver_sql(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                "WHERE contype = 'c' AND connamespace = current_schema()::regnamespace"
            )
        }
        triggers = {
            (table, name)
            for table, name in conn.exec_driver_sql(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
            )
        }
    else:
        tables: dict[str, str] = dict(
            conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
        )
        # the rules older than schema 6 are unnamed CHECKs there (integrity_check holds them)
        constraints = {
            (rule.table, rule.constraint)
            for rule in rules.all_rules()
            if rule not in rules.RULES
            or f"CONSTRAINT {rule.constraint} " in (tables.get(rule.table) or "")
        }
        triggers = {
            (table, name)
            for name, table in conn.exec_driver_sql(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
    wrong = []
    for rule in rules.all_rules():
        if rule in rules.TRIGGERED:
            if not _held_by(rule, pg) <= triggers:
                wrong.append(f"the rule {rule.name} ({rule.says}) is not held by the store")
        elif (rule.table, rule.constraint) not in constraints:
            wrong.append(f"the rule {rule.name} ({rule.says}) is not held by the store")
    for rule, table, count in rules.violations(conn, readable=_readable(conn)):
        rows = (
            f"{count:,} row{'s' if count != 1 else ''} of {table} break{'s' if count == 1 else ''}"
        )
        wrong.append(f"{rows} {rule.name}: {rule.says}")
    return wrong


def _held_by(rule: Rule, pg: bool) -> set[tuple[str, str]]:
    """(table, trigger) of the triggers that hold a rule no CHECK can (`rules.TRIGGERED`)."""
    from coursetrack.store import peer_rules, rules

    review = rules.REVIEW_DONE_TOPIC
    if rule is not review:
        return peer_rules.trigger_names(rule, "postgresql" if pg else "sqlite")
    if pg:
        return {(t, review.constraint) for t in ("review", "progress")}
    return {
        (table, f"rule_{review.constraint}_{op}")
        for table, op in (
            ("review", "insert"),
            ("review", "update"),
            ("progress", "progress_update"),
            ("progress", "progress_delete"),
        )
    }


def _readable(conn: Connection) -> Callable[[str], bool]:
    """Whether this session may read a table (a group's grants taken by hand are
    `group-grants`' to report, not a reason for `check` to fail)."""
    if not _pg(conn):
        return lambda table: True
    return lambda table: bool(
        conn.exec_driver_sql("SELECT has_table_privilege(%(t)s, 'SELECT')", {"t": table}).scalar()
    )


def foreign_keys(conn: Connection) -> list[str]:
    """Every reference names a row that exists (SQLite enforces it only while foreign
    keys are on: a store edited with them off can hold a dangling one; PostgreSQL, unless
    a foreign key was added NOT VALID or its triggers disabled)."""
    if _pg(conn):
        return _unchecked(conn, foreign=True) + _disabled(conn, internal=True)
    wrong = []
    for table, rowid, parent, fkid in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
        column = next(
            (
                row[3]
                for row in conn.exec_driver_sql(f"PRAGMA foreign_key_list({table})")
                if row[0] == fkid
            ),
            "?",
        )
        value = conn.exec_driver_sql(
            f'SELECT "{column}" FROM "{table}" WHERE rowid = ?', (rowid,)
        ).scalar()
        wrong.append(f"{table} row {rowid}: {column} {value} names no {parent}")
    return wrong


# --- PostgreSQL: the group -------------------------------------------------------------


def _unchecked(conn: Connection, *, foreign: bool) -> list[str]:
    """PostgreSQL's constraints added NOT VALID (of foreign keys, or the others): rows
    from before them were never checked."""
    found = conn.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE NOT convalidated AND connamespace = current_schema()::regnamespace "
        "AND (contype = 'f') = %(foreign)s ORDER BY 1, 2",
        {"foreign": foreign},
    ).all()
    return [
        f"the constraint {name} on {table} is NOT VALID: its rows were never checked "
        "(VALIDATE CONSTRAINT checks them)"
        for table, name in found
    ]


def _disabled(conn: Connection, *, internal: bool) -> list[str]:
    """PostgreSQL's triggers that were disabled: a foreign key's own (internal) or ours."""
    found = conn.exec_driver_sql(
        "SELECT t.tgrelid::regclass::text, t.tgname FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgenabled = 'D' AND c.relnamespace = current_schema()::regnamespace "
        "AND t.tgisinternal = %(internal)s ORDER BY 1, 2",
        {"internal": internal},
    ).all()
    kind = "foreign key's trigger" if internal else "trigger"
    return [f"the {kind} {name} on {table} is disabled" for table, name in found]


#: What `coursetrack check` verifies, in order: (name, check). A check returns what is
#: wrong, or None where it does not apply (the group's on a store with no group).
CHECKS: list[tuple[str, Check]] = [
    ("schema", schema_version),
    ("integrity", integrity),
    ("foreign-keys", foreign_keys),
    ("rules", record_rules),
    ("history", history),
    ("group-version", group_version),
    ("group-roles", group_roles),
    ("group-grants", group_grants),
    ("group-policies", group_policies),
    ("group-triggers", group_triggers),
]
