"""`coursetrack check`'s checks of a study group's security (`store.check` runs them).

Each compares what the server holds with what `group.apply_security` makes (its
grants, policies, guard and count functions: `store.group`, `store.group_peer`,
`store.peer_counts`), and returns what differs, one line each, or None on a store
that is no group's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coursetrack.store import group, group_peer, group_sync

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_AGAIN = "its owner runs 'coursetrack group init' to apply it again"


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
    return wrong + _peer_grants(conn, learners) + group_sync.grant_problems(conn, learners)


def _peer_grants(conn: Connection, learners: str) -> list[str]:
    """The group's learners, and no one else, may call the functions that count peer
    reviews (`store.peer_counts`; a missing one is `group-triggers`' to report)."""
    from coursetrack.store import peer_counts

    wrong = []
    for name in (
        peer_counts.TALLY_FUNCTION,
        peer_counts.FLOW_FUNCTION,
        peer_counts.COUNTS_FUNCTION,
    ):
        function = peer_counts.signature(name)
        row = conn.exec_driver_sql(
            "SELECT has_function_privilege(%(l)s, f, 'EXECUTE'), "
            "has_function_privilege('public', f, 'EXECUTE') "
            "FROM to_regprocedure(%(f)s) AS f WHERE f IS NOT NULL",
            {"l": learners, "f": function},
        ).first()
        if row is not None and not row[0]:
            wrong.append(f"{learners} may not call {function}; {_AGAIN}")
        if row is not None and row[1]:
            wrong.append(f"anyone may call {function}, not only the learners; {_AGAIN}")
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
    from coursetrack.store import peer_counts

    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    curators = group.role_name(database, group.CURATORS)
    owner = conn.exec_driver_sql(
        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('progress')"
    ).scalar_one()
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
        if table in peer_counts.TABLES:  # the owner's functions count (`store.peer_counts`)
            tally = _normal(peer_counts.tally_policy(owner))
            expected[peer_counts.TALLY_POLICY] = ("r", "{0}", True, tally, "")
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
    from coursetrack.store import peer_counts

    for name, body in (group.guard_functions() | peer_counts.functions()).items():
        if name not in bodies:
            wrong.append(f"the function {name}() is missing; {_AGAIN}")
        elif bodies[name] != body:
            wrong.append(f"the function {name}() is not the one coursetrack makes; {_AGAIN}")
    for name, why in (
        (group.GATE_FUNCTION, "the writers' gate"),
        (peer_counts.TALLY_FUNCTION, "it counts peer reviews"),
        (peer_counts.FLOW_FUNCTION, "it counts peer reviews"),
        (peer_counts.COUNTS_FUNCTION, "it counts peer reviews"),
    ):
        definer = conn.exec_driver_sql(
            "SELECT prosecdef FROM pg_proc WHERE proname = %(f)s "
            "AND pronamespace = current_schema()::regnamespace",
            {"f": name},
        ).first()
        if definer is None:
            if name == group.GATE_FUNCTION:  # the peer functions' absence is said above
                wrong.append(f"the function {name}() is missing; {_AGAIN}")
        elif not definer[0]:
            wrong.append(f"the function {name}() does not run as the owner ({why}); {_AGAIN}")
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
    for name, settings in conn.exec_driver_sql(
        "SELECT proname, proconfig FROM pg_proc WHERE proname = ANY(%(f)s) "
        "AND pronamespace = current_schema()::regnamespace ORDER BY proname",
        {"f": list(peer_counts.functions())},
    ).all():
        if list(settings or ()) != config:
            wrong.append(
                f"the function {name}() does not run with the store's search_path "
                f"(it could read another table); {_AGAIN}"
            )
    return wrong + group_sync.trigger_problems(conn, config)
