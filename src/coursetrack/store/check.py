"""`coursetrack check`: what the store must hold, each as one check that reads it.

A check is a name and a function of a connection (in one read transaction)
that returns what is wrong, one line each, or None when it does not apply to
this store (a study group's checks on a store with no group). `CHECKS` is the
list `check` runs in order; another kind of check (rows that break a rule of
the record) is one more entry.

What is compared is made by the code that makes the store: the history
triggers and functions by `schema`'s own builders, the group's policies,
guard functions and grants from what `group.apply_security` applies, so a
check cannot drift from what the migrations or `group init` would make.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.store import group, group_peer, schema, triggers

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from coursetrack.store.reader import Reader
    from coursetrack.store.rules import Rule

Check = Callable[["Connection"], "list[str] | None"]

_AGAIN = "its owner runs 'coursetrack group init' to apply it again"
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


def _normal(expression: str | None) -> str:
    """An expression as PostgreSQL prints it or as coursetrack writes it, in one form:
    no casts, parentheses, spaces or case."""
    if expression is None:
        return ""
    text = re.sub(r"::(?:character varying|[a-z_]+)(?:\[\])?", "", expression.lower())
    return re.sub(r"[()\s]", "", text)


def group_version(conn: Connection) -> list[str] | None:
    """The group's security is the version this coursetrack applies."""
    if not group.is_group(conn):
        return None
    state = group.opening(conn)
    if state.security >= group.SECURITY_VERSION:
        return []
    return [
        f"the group's security is version {state.security}, this coursetrack's is "
        f"{group.SECURITY_VERSION}; its owner {state.owner}'s next coursetrack command "
        "brings it up to date"
    ]


def group_roles(conn: Connection) -> list[str] | None:
    """The group's roles exist, curators are learners, and the owner is a curator."""
    if not group.is_group(conn):
        return None
    database, owner = conn.exec_driver_sql(
        "SELECT current_database(), pg_get_userbyid(relowner) FROM pg_class "
        "WHERE oid = to_regclass('progress')"
    ).one()
    learners = group.role_name(database, group.LEARNERS)
    curators = group.role_name(database, group.CURATORS)
    wrong = []
    for role, member in ((learners, curators), (curators, owner)):
        exists, is_member = conn.exec_driver_sql(
            "SELECT to_regrole(%(r)s) IS NOT NULL, EXISTS (SELECT 1 FROM pg_auth_members "
            "WHERE roleid = to_regrole(%(r)s) AND member = to_regrole(%(m)s))",
            {"r": role, "m": member},
        ).one()
        if not exists:
            wrong.append(f"the group's role {role} is missing; {_AGAIN}")
        elif not is_member:
            wrong.append(f"{member} is not a member of {role}; {_AGAIN}")
    return wrong


def group_grants(conn: Connection) -> list[str] | None:
    """Each role may do on each table what `group init` grants, and no more where it matters."""
    if not group.is_group(conn):
        return None
    from coursetrack.models import CATALOG, PER_LEARNER, table_names

    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    learners = group.role_name(database, group.LEARNERS)
    curators = group.role_name(database, group.CURATORS)
    if conn.exec_driver_sql("SELECT to_regrole(%(r)s)", {"r": learners}).scalar() is None:
        return []  # group_roles says so
    write = ("INSERT", "UPDATE", "DELETE")
    every = ("SELECT", *write)
    catalog = table_names(CATALOG)
    mine = tuple(t for t in table_names(PER_LEARNER) if t != "change")
    # (role, table, privilege, whether it must have it)
    expected = [
        *((learners, t, "SELECT", True) for t in ("coursetrack_schema", *catalog)),
        *((learners, t, p, False) for t in catalog for p in write),
        *((curators, t, p, True) for t in catalog for p in write),
        *((learners, t, p, True) for t in mine for p in every if (t, p) not in _BY_COLUMN),
        # who reviewed is read by curators alone (the columns: below)
        *((learners, *t, False) for t in _BY_COLUMN),
        (curators, "peer_review", "SELECT", True),
        (learners, "change", "SELECT", True),
        *((learners, "change", p, False) for p in (*write, "TRUNCATE")),
        *(("public", t, p, False) for t in (*mine, "change") for p in every),
        # the writers' gate: a learner who may lock it could stall every other writer
        *((learners, group.GATE, p, False) for p in (*every, "TRUNCATE")),
    ]
    params: dict[str, str] = {}
    columns = []
    for i, (role, table, privilege, _) in enumerate(expected):
        params |= {f"r{i}": role, f"t{i}": table, f"p{i}": privilege}
        columns.append(f"has_table_privilege(%(r{i})s, %(t{i})s, %(p{i})s)")
    has = conn.exec_driver_sql("SELECT " + ", ".join(columns), params).one()
    wrong = [
        f"{role} {'may not' if must else 'may'} {privilege} on {table}; {_AGAIN}"
        for (role, table, privilege, must), got in zip(expected, has, strict=True)
        if bool(got) != must
    ]
    wrong += _reviewer_columns(conn, learners, curators)
    connect, create, sequences = conn.exec_driver_sql(
        "SELECT has_database_privilege('public', current_database(), 'CONNECT'), "
        "has_schema_privilege('public', current_schema(), 'CREATE'), "
        "(SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c "
        "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace "
        "AND CASE WHEN c.relkind = 'S' THEN NOT has_sequence_privilege(%(l)s, c.oid, 'USAGE') END)",
        {"l": learners},
    ).one()
    if connect:
        wrong.append(f"anyone may connect to {database}, not only its learners; {_AGAIN}")
    if create:
        wrong.append(f"anyone may create objects in the store's schema; {_AGAIN}")
    wrong += [f"{learners} may not use the sequence {s}; {_AGAIN}" for s in sequences or ()]
    return wrong


#: The tables and privilege that learners hold column by column (`group_peer.COLUMN_GRANTED`).
_BY_COLUMN = {(table, "SELECT") for table in group_peer.COLUMN_GRANTED}


def _reviewer_columns(conn: Connection, learners: str, curators: str) -> list[str]:
    """Learners may read each column of peer_review but who reviewed, and of peer_request
    (`group_peer`); who reviewed no role but a curator (or a superuser) may read: not one
    learner granted it by hand."""
    from coursetrack.models import PeerRequest, PeerReview, columns_of

    wrong = []
    for model in (PeerReview, PeerRequest):
        table = str(model.__tablename__)
        hidden = group_peer.COLUMN_GRANTED[table]
        for role, column, got in conn.exec_driver_sql(
            "SELECT r.rolname, c, has_column_privilege(r.oid, %(t)s, c, 'SELECT') "
            "FROM pg_roles r, unnest(%(c)s::text[]) c WHERE r.rolname = %(l)s "
            "OR c = ANY(%(h)s::text[]) AND NOT r.rolsuper AND r.rolname !~ '^pg_' AND NOT "
            "pg_has_role(r.oid, to_regrole(%(k)s), 'MEMBER') ORDER BY r.rolname <> %(l)s, 1, 2",
            {"t": table, "c": list(columns_of(model)), "h": list(hidden), "l": learners}
            | {"k": curators},
        ):
            if bool(got) == (column in hidden):
                may = "may" if column in hidden else "may not"
                wrong.append(f"{role} {may} read {table}.{column}; {_AGAIN}")
    return wrong


def group_policies(conn: Connection) -> list[str] | None:
    """Row-level security on (and forced) on every per-learner table, with exactly the
    policies `group init` makes, and the learner's default the role that logged in."""
    if not group.is_group(conn):
        return None
    from coursetrack.models import PER_LEARNER, table_names

    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    curators = group.role_name(database, group.CURATORS)
    wrong = []
    for table in table_names(PER_LEARNER):
        on, forced, default = conn.exec_driver_sql(
            "SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_expr(d.adbin, d.adrelid) "
            "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'learner' "
            "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
            "WHERE c.oid = to_regclass(%(t)s)",
            {"t": table},
        ).one()
        if not (on and forced):
            wrong.append(f"row-level security is not on and forced on {table}; {_AGAIN}")
        if _normal(default) != "session_user":
            wrong.append(f"{table}.learner's default is not session_user; {_AGAIN}")
        found = {
            name: (cmd, roles, permissive, _normal(qual), _normal(check))
            for name, cmd, roles, permissive, qual, check in conn.exec_driver_sql(
                "SELECT polname, polcmd::text, polroles::text, polpermissive, "
                "pg_get_expr(polqual, polrelid), pg_get_expr(polwithcheck, polrelid) "
                "FROM pg_policy WHERE polrelid = to_regclass(%(t)s)",
                {"t": table},
            ).all()
        }
        own = _normal(group.OWN_ROWS)
        expected = {"own_rows": ("*", "{0}", True, own, own)}
        reads = group.group_reads(table, curators)
        if reads is not None:
            expected["group_reads"] = ("r", "{0}", True, _normal(reads), "")
        for name, (command, using) in group.more_policies(table).items():
            expected[name] = (command, "{0}", True, _normal(using), "")
        for name, shape in expected.items():
            if name not in found:
                wrong.append(f"the policy {name} on {table} is missing; {_AGAIN}")
            elif found[name] != shape:
                wrong.append(
                    f"the policy {name} on {table} is not the one coursetrack makes; {_AGAIN}"
                )
        wrong += [
            f"the policy {name} on {table} is not one coursetrack makes (it may widen what "
            "a learner reads or writes); drop it"
            for name in sorted(set(found) - set(expected))
        ]
    return wrong


def group_triggers(conn: Connection) -> list[str] | None:
    """The guard (keep_others) and the id check (issued_ids) on every per-learner table,
    their functions as `group init` makes them, the history's running as the owner."""
    if not group.is_group(conn):
        return None
    from coursetrack.models import PER_LEARNER, table_names

    found = set(
        conn.exec_driver_sql(
            "SELECT tgrelid::regclass::text, tgname, tgfoid::regproc::text FROM pg_trigger "
            "WHERE tgname IN ('keep_others', 'issued_ids')"
        ).all()
    )
    wrong = [
        f"the trigger {name} on {table} is missing; {_AGAIN}"
        for table in table_names(PER_LEARNER)
        for name, function in (
            ("keep_others", "coursetrack_keep_others"),
            ("issued_ids", "coursetrack_issued_ids"),
        )
        if (table, name, function) not in found
    ]
    bodies: dict[str, str] = dict(
        conn.exec_driver_sql(
            "SELECT proname, prosrc FROM pg_proc WHERE starts_with(proname, 'coursetrack_') "
            "AND pronamespace = current_schema()::regnamespace"
        ).all()
    )
    for name, body in group.guard_functions().items():
        if name not in bodies:
            wrong.append(f"the function {name}() is missing; {_AGAIN}")
        elif bodies[name] != body:
            wrong.append(f"the function {name}() is not the one coursetrack makes; {_AGAIN}")
    gate = conn.exec_driver_sql(
        "SELECT prosecdef FROM pg_proc WHERE proname = %(f)s "
        "AND pronamespace = current_schema()::regnamespace",
        {"f": group.GATE_FUNCTION},
    ).first()
    if gate is None:
        wrong.append(f"the function {group.GATE_FUNCTION}() is missing; {_AGAIN}")
    elif not gate[0]:
        wrong.append(
            f"the function {group.GATE_FUNCTION}() does not run as the owner "
            f"(the writers' gate); {_AGAIN}"
        )
    schema_name = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    wrong += [  # peer review's counts and rules: `group_peer.changed_functions`
        f"the function {name}() is not the one coursetrack makes (run as the owner); {_AGAIN}"
        for name in group_peer.changed_functions(conn, schema_name)
    ] + [  # `group.owners_triggers`
        f"anyone may run {name}() as the owner, from a trigger of theirs; {_AGAIN}"
        for (name,) in conn.exec_driver_sql(
            "SELECT proname FROM pg_proc WHERE prosecdef AND prorettype = 'trigger'::regtype "
            "AND pronamespace = current_schema()::regnamespace AND EXISTS (SELECT FROM "
            "aclexplode(coalesce(proacl, acldefault('f', proowner))) WHERE grantee <> proowner)"
        )
    ]
    config = [f"search_path={group.quote(schema_name)}, pg_temp"]
    if schema_name == schema_name.lower() and re.fullmatch(r"[a-z_][a-z0-9_]*", schema_name):
        config = [f"search_path={schema_name}, pg_temp"]  # as PostgreSQL prints it
    for name, definer, settings in conn.exec_driver_sql(
        "SELECT proname, prosecdef, proconfig FROM pg_proc WHERE starts_with(proname, 'history_') "
        "AND pronamespace = current_schema()::regnamespace ORDER BY proname"
    ).all():
        if not definer or list(settings or ()) != config:
            wrong.append(
                f"the history function {name}() does not run as the owner with the store's "
                f"search_path (a learner's write would fail, or find another table); {_AGAIN}"
            )
    return wrong


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
