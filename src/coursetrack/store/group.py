"""Study groups: one PostgreSQL store, each learner's own record, row-level security.

The learner is the database role (`current_user`): every per-learner row has a
`learner` column whose default is that role (see `models._CurrentLearner`), so
nobody can write as someone else. In a group it is the role that logged in
(`session_user`, see `_policies`), which a foreign key's cascade does not change.
`init` (run once by the owner of the tables) turns a store into a group's:

- two roles of the database: `<db>_learners` may connect, read the catalog and
  keep their own records; `<db>_curators` (who are learners too) may change the
  catalog. The owner is made a curator.
- row-level security, FORCEd so the owner is held to it as well: a learner
  changes only rows whose `learner` is theirs. Reading is scoped too: a command
  sees only its learner's rows, so every query of the single-learner program
  (status, next, log, undo ...) reads one learner's record unchanged. A group
  view asks for the group's rows (`GROUP_SCOPE` in its transaction): then the
  others' progress, links, reviews, goals and non-private notes are visible,
  never their history (a command line holds the text of a private note).
- a guard on every per-learner table: a row of another learner is never
  deleted, not even by a cascade from a curator removing a catalog item
  (foreign keys' cascades are not subject to row-level security). The
  statement fails with SQLSTATE `OTHERS_SQLSTATE` and nothing is changed.
- peer review (`store.group_peer`): requests are read by the group in a group view;
  who gave a review is read by curators alone (column privileges), its author reads
  the reviews of her request without it. What the group may know of the reviews it
  cannot read, how many (waiting, given, received, per request), the store counts in
  functions of the owner a learner may call (`store.peer_counts`).

A superuser or a BYPASSRLS role is not held by row-level security at all:
learners' commands refuse such a connection (`refuse_on_opening`).

All of it but the roles is `apply_security`, whose version (`SECURITY_VERSION`)
the store records: a group secured by an older coursetrack is brought up to date
by its owner's next command, and a schema upgrade re-applies it in its last step.
`store.check` compares a group with what `apply_security` makes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from coursetrack.errors import StoreError
from coursetrack.store.engine import SCOPE_SETTING
from coursetrack.store.group_peer import PEER_REVIEW_HIDDEN as PEER_REVIEW_HIDDEN
from coursetrack.store.group_peer import more_policies, peer_review_grants
from coursetrack.store.notes import SHARED_NOTE

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from coursetrack.store.reader import Reader

#: The transaction-local setting a group view sets to read the group's rows (every
#: transaction starts it empty: `engine._SESSION_SETTINGS`, whose home it is).
GROUP_SCOPE = "group"

#: What the guard raises when a statement would delete another learner's row.
OTHERS_SQLSTATE = "CT001"
#: What a row raises whose id its table's sequence has not handed out yet.
ISSUED_SQLSTATE = "CT002"

#: What the group may read of each per-learner table (`models.PER_LEARNER`). A table
#: not named here is its learner's alone, as the history (`command`, `change`) is: a
#: command line holds a private note's text.
_READ_BY_GROUP = {
    "progress": "true",
    "note": SHARED_NOTE,
    "link": "true",
    "review": "true",
    "goal": "true",
    "member": "true",
    # a request's author is known to the group (a link to one's work names it anyway)
    "peer_request": "true",
    # a review's reviewer is not: only curators read every review, names included (the
    # counts a learner may learn are the owner's functions', `store.peer_counts`)
    "peer_review": "pg_has_role(session_user, {curators}, 'MEMBER')",
}

#: Roles of one group: a learner may log in and keep a record, a curator may
#: change the catalog too.
LEARNERS, CURATORS = "learners", "curators"

#: The version of the group's security: what `apply_security` makes (grants, policies,
#: the guard and id triggers, history functions that run as the owner). Bump it with
#: every change to what it applies: a group records the version it has (column
#: `security` of `coursetrack_schema`), and one older than this is brought up to date
#: by its owner's next command (`bring_up_to_date`), while a learner's command says so
#: (`out_of_date`). 1 is a group made before versions (nothing recorded); 3 added
#: the writers' gate (`write_gate`); 4 peer review's (`store.group_peer`: who reviewed
#: is hidden from learners); 5 sync's (`store.group_sync`: the catalog's version).
SECURITY_VERSION = 5


@dataclass(frozen=True)
class Identity:
    """Who a connection is in a store."""

    learner: str
    group: bool  # the store is a study group's (row-level security on)
    curator: bool  # may change the catalog (in a store with no group: everyone)
    bypasses: bool  # a superuser or BYPASSRLS role: not held by row-level security

    def to_dict(self) -> dict:
        return {"learner": self.learner, "group": self.group, "curator": self.curator}


def role_name(database: str, kind: str) -> str:
    """The group role `kind` (LEARNERS or CURATORS) of a database: `<db>_<kind>`.

    Roles belong to the whole server, so each database's group has its own,
    named after it (reduced to letters, digits and _, at most 63 bytes).
    """
    base = re.sub(r"[^a-z0-9_]+", "_", database.lower()).strip("_") or "coursetrack"
    return f"{base[: 62 - len(kind)]}_{kind}"


def quote(name: str) -> str:
    """A role or table name as a PostgreSQL identifier."""
    return '"' + name.replace('"', '""') + '"'


#: Whether row-level security is forced on the record: a study group's store.
_IS_GROUP = (
    "SELECT relforcerowsecurity FROM pg_class "
    "WHERE oid = to_regclass('progress') AND relforcerowsecurity"
)


def is_group(source: Reader | Connection) -> bool:
    """Whether the store is a study group's (row-level security is on)."""
    reader = as_reader(source)
    return reader.dialect == "postgresql" and bool(reader.scalar(_IS_GROUP))


def identity(source: Reader | Connection) -> Identity:
    """The learner of this transaction, and what they may do."""
    reader = as_reader(source)
    if reader.dialect != "postgresql":
        from coursetrack.models import LOCAL_LEARNER

        return Identity(LOCAL_LEARNER, group=False, curator=True, bypasses=False)
    # the learner is the role that logged in: a `role` setting (SET ROLE, or the URL's
    # options) changes current_user, not whose rows the policies give (`_policies`);
    # whether row-level security holds the session is current_user's, as the server decides
    row = reader.one(
        "SELECT session_user AS learner, rolsuper OR rolbypassrls AS bypasses, "
        "current_database() AS database FROM pg_roles WHERE rolname = current_user"
    )
    assert row is not None
    group = is_group(reader)
    curator = True
    if group:
        curators = role_name(row.database, CURATORS)
        curator = bool(
            reader.scalar(
                "SELECT coalesce(pg_has_role(session_user, oid, 'MEMBER'), false) "
                "FROM pg_roles WHERE rolname = :role",
                role=curators,
            )
        )
    return Identity(row.learner, group=group, curator=curator, bypasses=bool(row.bypasses))


def as_reader(source: Reader | Connection) -> Reader:
    """`source` as a Reader: a command hands the store a Reader or a Writer, the store's
    own code (opening, migrations, check, administration) a SQLAlchemy connection."""
    # by its class, not hasattr: a Reader still hands unknown names to an ORM session
    if type(source).__module__.startswith("sqlalchemy"):
        from coursetrack.store.reader import AlchemyReader

        return AlchemyReader(source)  # type: ignore[arg-type]
    return source  # type: ignore[return-value]


@dataclass(frozen=True)
class Opening:
    """What opening a store learns of its group, in one statement (`opening`)."""

    group: bool  # row-level security is on: a study group's store
    owner: str  # the role that owns the tables
    may_apply: bool  # this session may change the group's security: the owner or a superuser
    bypasses: bool  # a superuser or BYPASSRLS role: not held by row-level security
    role: str  # current_user
    security: int  # the group's security version (1: none recorded)


def opening(conn: Connection) -> Opening:
    """The group's state as a command opening the store needs it: one round trip.

    The version is read through to_jsonb, so that a store with no `security`
    column (not a group, or one made before versions) reads as 1.
    """
    row = conn.exec_driver_sql(
        "SELECT coalesce(c.relforcerowsecurity, false), pg_get_userbyid(c.relowner), "
        "c.relowner = r.oid OR r.rolsuper, r.rolsuper OR r.rolbypassrls, r.rolname, "
        "(SELECT (to_jsonb(s) ->> 'security')::int FROM coursetrack_schema s) "
        "FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('progress') "
        "WHERE r.rolname = current_user"
    ).one()
    group, owner, may_apply, bypasses, role, security = row
    return Opening(
        bool(group), owner or "", bool(may_apply), bool(bypasses), role, int(security or 1)
    )


def refuse_on_opening(
    state: Opening, shown: str, *, version: int, needs: int, learner: bool
) -> None:
    """Refuse a command that cannot go on in this group, in one line naming who can help:
    a bypassing role's learner command, or a non-owner's on a group the owner must first
    bring up to date (its schema, or its security if the command keeps a record)."""
    if not state.group:
        return
    if learner and state.bypasses:
        raise StoreError(_bypass_message(shown, state.role))
    if state.may_apply:
        return
    if version < needs:
        raise StoreError(
            f"the study group's store is at schema {version}, this coursetrack needs "
            f"{needs}; ask its owner {state.owner} to run any coursetrack command"
        )
    if learner and behind(state):
        raise StoreError(out_of_date(state))


def behind(state: Opening) -> bool:
    """Whether the store is a group's whose security is older than this coursetrack's."""
    return state.group and state.security < SECURITY_VERSION


def out_of_date(state: Opening) -> str:
    return (
        f"the study group's security is out of date (version {state.security}, this "
        f"coursetrack needs {SECURITY_VERSION}); ask its owner {state.owner} to run any "
        "coursetrack command, or 'coursetrack group init'"
    )


def _bypass_message(shown: str, learner: str) -> str:
    return (
        f"{shown} is a study group's store and {learner} is a superuser (or may "
        "bypass row-level security), which would read and change every learner's "
        "record as one; connect as a learner (coursetrack group add NAME prints "
        "a learner's URL)"
    )


def require_curator(source: Reader | Connection, what: str) -> None:
    """Refuse a catalog change by a learner who is not a curator of the group (nothing to
    ask off PostgreSQL, where the one learner is the catalog's curator)."""
    if as_reader(source).dialect != "postgresql":
        return
    who = identity(source)
    if who.group and not who.curator:
        # only the owner makes a curator (`members.add`): the learner is told whom to ask
        owner = as_reader(source).scalar(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('progress')"
        )
        raise StoreError(
            f"{what} changes the group's catalog, which only a curator may do; "
            f"{who.learner} is a learner (ask a curator to run it, or the group's owner "
            f"{owner} to make you one: coursetrack group add {who.learner} --curator)"
        )


def read_group(source: Reader | Connection) -> None:
    """Let this transaction read the group's rows, not only its learner's (a group view)."""
    reader = as_reader(source)
    if reader.dialect == "postgresql":
        reader.scalar(
            "SELECT set_config(:name, :scope, true)", name=SCOPE_SETTING, scope=GROUP_SCOPE
        )


def _policies(per_learner: tuple[str, ...], curators: str = "") -> list[str]:
    """Row-level security, the guard, and the learner's default, for each per-learner table.

    They name the learner `session_user`, the role that logged in, where the
    single-learner schema says CURRENT_USER: PostgreSQL runs a foreign key's
    cascade as the table's owner, so a curator's `rm` would otherwise have its
    own rows taken for the owner's (the guard refused them, and the history
    filed their deletion under the owner, out of the curator's undo). A role
    may `SET ROLE` only to roles it is a member of, never to another learner.
    """
    out = [
        """CREATE OR REPLACE FUNCTION coursetrack_keep_others() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.learner <> session_user THEN
                RAISE EXCEPTION USING ERRCODE = '"""
        + OTHERS_SQLSTATE
        + """',
                    MESSAGE = 'it would delete records of another learner ('
                        || OLD.learner || '''s ' || TG_TABLE_NAME || ')';
            END IF;
            RETURN OLD;
        END $$""",
        # a row's id is the one its sequence just drew in this session (the default, or
        # the command's number), or the id of a row of the learner's own history (undo
        # puts a removed row back under its id): any other is another learner's, their
        # next one or one their undo would need, and taking it would make that fail
        """CREATE OR REPLACE FUNCTION coursetrack_issued_ids() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            seq text := pg_get_serial_sequence(
                quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME), 'id');
            drawn bigint;
            mine boolean;
        BEGIN
            IF seq IS NULL OR (TG_OP = 'UPDATE' AND NEW.id = OLD.id) THEN
                RETURN NEW;
            END IF;
            BEGIN
                drawn := currval(seq);
            EXCEPTION WHEN object_not_in_prerequisite_state THEN
                drawn := NULL;
            END;
            IF NEW.id = drawn THEN
                RETURN NEW;
            END IF;
            -- the store's own history, not a temporary table of the same name
            EXECUTE 'SELECT EXISTS (SELECT 1 FROM ' || quote_ident(TG_TABLE_SCHEMA)
                    || '.change WHERE table_name = $1 AND row_id = $2 '
                    || 'AND learner = session_user)'
                INTO mine USING TG_TABLE_NAME, NEW.id;
            IF mine THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION USING ERRCODE = '"""
        + ISSUED_SQLSTATE
        + """',
                MESSAGE = TG_TABLE_NAME || ' id ' || NEW.id
                    || ' is not this learner''s to take; leave id to its default';
        END $$""",
    ]
    for table in per_learner:
        readable = group_reads(table, curators)
        t = quote(table)
        out += [
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS own_rows ON {t}",
            f"ALTER TABLE {t} ALTER COLUMN learner SET DEFAULT session_user",
            f"CREATE POLICY own_rows ON {t} FOR ALL USING ({OWN_ROWS}) WITH CHECK ({OWN_ROWS})",
            f"DROP POLICY IF EXISTS group_reads ON {t}",
            f"DROP TRIGGER IF EXISTS keep_others ON {t}",
            f"CREATE TRIGGER keep_others BEFORE DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION coursetrack_keep_others()",
            f"DROP TRIGGER IF EXISTS issued_ids ON {t}",
            f"CREATE TRIGGER issued_ids BEFORE INSERT OR UPDATE OF id ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION coursetrack_issued_ids()",
        ]
        if readable is not None:
            out.append(f"CREATE POLICY group_reads ON {t} FOR SELECT USING ({readable})")
        for name, (_, using) in more_policies(table).items():
            out += [
                f"DROP POLICY IF EXISTS {name} ON {t}",
                f"CREATE POLICY {name} ON {t} FOR SELECT USING ({using})",
            ]
    return out


#: Whose rows a learner may change (and, outside a group view, read): their own.
OWN_ROWS = "learner = session_user"


def group_reads(table: str, curators: str) -> str | None:
    """What a group view may read of a per-learner `table` (its policy `group_reads`), or
    None; `curators`: the group's curators' role, whom some rows are for."""
    readable = _READ_BY_GROUP.get(table)
    if readable is None:
        return None
    readable = readable.replace("{curators}", _literal(curators))
    return f"current_setting('{SCOPE_SETTING}', true) = '{GROUP_SCOPE}' AND {readable}"


def guard_functions() -> dict[str, str]:
    """The body of each guard function `_policies` makes, by name (what `check` compares)."""
    bodies = {}
    for statement in _policies(()):
        name = re.search(r"FUNCTION (\w+)\(", statement)
        if name:
            bodies[name.group(1)] = statement.split("$$")[1]
    return bodies


#: The table a group's writers lock (`write_gate`), and the function that locks it.
GATE, GATE_FUNCTION = "coursetrack_writers", "coursetrack_write_lock"


def write_gate(schema: str, learners: str, curators: str) -> list[str]:
    """The lock that serializes a group's writers, which no learner can hold for the others.

    Anyone may take any advisory lock, so the single-learner store's
    (`engine.WRITE_LOCK_KEY`) would let a learner in psql stall every writer. Here
    each writer calls `coursetrack_write_lock()`, which runs as the owner on a table
    no learner has any right to (so none can LOCK it): a learner locks her own row
    of it, which serializes her own commands and no one else's (row-level security
    keeps learners' rows apart); a curator, whose catalog changes reach every
    learner's rows, locks the whole table (EXCLUSIVE), which waits for every
    learner's write in flight. The curator polls (NOWAIT) rather than queue, so that
    a learner who holds her own lock open in psql holds up curators only, never the
    other learners queued behind a curator; the poll ends when the caller's
    lock_timeout would have, with the same error.
    """
    gate = GATE
    return [
        f"CREATE TABLE IF NOT EXISTS {gate} (learner text PRIMARY KEY)",
        f"REVOKE ALL ON {gate} FROM PUBLIC, {quote(learners)}",
        f"""CREATE OR REPLACE FUNCTION coursetrack_write_lock() RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = {quote(schema)}, pg_temp AS $$
        DECLARE
            patience interval := coalesce(
                nullif(current_setting('lock_timeout'), '0')::interval, interval '1 day');
            deadline timestamptz := clock_timestamp() + patience;
        BEGIN
            IF pg_has_role(session_user, {_literal(curators)}, 'MEMBER') THEN
                LOOP
                    BEGIN
                        LOCK TABLE {gate} IN EXCLUSIVE MODE NOWAIT;
                        RETURN;
                    EXCEPTION WHEN lock_not_available THEN
                        IF clock_timestamp() >= deadline THEN
                            RAISE EXCEPTION USING ERRCODE = 'lock_not_available',
                                MESSAGE = 'canceling statement due to lock timeout';
                        END IF;
                    END;
                    PERFORM pg_sleep(0.01);
                END LOOP;
            END IF;
            INSERT INTO {gate} (learner) VALUES (session_user) ON CONFLICT DO NOTHING;
            PERFORM 1 FROM {gate} WHERE learner = session_user FOR UPDATE;
        END $$""",
        "REVOKE ALL ON FUNCTION coursetrack_write_lock() FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION coursetrack_write_lock() TO {quote(learners)}",
    ]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Group:
    database: str
    learners: str
    curators: str
    owner: str
    already: bool = False  # the store was a study group's before this `init`


def init(conn: Connection) -> Group:
    """Make the store on `conn` a study group's: roles, grants, policies (idempotent).

    Run by the owner of the tables, who needs CREATEROLE (or is a superuser),
    in one transaction: a failure leaves the store as it was. Run again, it
    applies everything again: what was changed or taken by hand is put back.
    """
    owner, database, owns, may_create = conn.exec_driver_sql(
        "SELECT current_user, current_database(), "
        "(SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = 'progress') = current_user, "
        "(SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user)"
    ).one()
    if not owns:
        raise StoreError(
            f"only the owner of the store's tables can make it a study group; "
            f"{owner} is not (connect as the role that created the store)"
        )
    if not may_create:
        raise StoreError(
            f"{owner} may not create roles; a study group needs its own (ask the "
            f"server's administrator: ALTER ROLE {quote(owner)} CREATEROLE)"
        )
    already = is_group(conn)
    for role in (role_name(database, LEARNERS), role_name(database, CURATORS)):
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}
        ).scalar()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {quote(role)} NOLOGIN")
    return replace(apply_security(conn), already=already)


def apply_security(conn: Connection) -> Group:
    """Apply the group's security to the store on `conn` and record its version.

    Everything `init` makes but the roles, so the tables' owner can run it without
    CREATEROLE: a role's membership is granted only where it is missing. Each
    statement is idempotent. Serialized with migrations (their advisory lock), so
    two owner's commands never re-make the same policy at once.
    """
    from coursetrack.models import CATALOG, PER_LEARNER, TRACKED, table_names
    from coursetrack.store import group_sync, peer_counts
    from coursetrack.store.group_peer import rule_functions, taken_back
    from coursetrack.store.schema import MIGRATION_LOCK

    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    owner, database, schema = conn.exec_driver_sql(
        "SELECT pg_get_userbyid(relowner), current_database(), current_schema() "
        "FROM pg_class WHERE oid = to_regclass('progress')"
    ).one()
    learners, curators = role_name(database, LEARNERS), role_name(database, CURATORS)
    missing = [
        role
        for role in (learners, curators)
        if conn.exec_driver_sql("SELECT to_regrole(%(r)s)", {"r": role}).scalar() is None
    ]
    if missing:
        raise StoreError(
            f"the study group's role {missing[0]} is missing; its owner {owner} runs "
            "'coursetrack group init' (with CREATEROLE) to make it again"
        )
    db = quote(database)
    # the tables the store has: a test's store of an older schema lacks the newer ones
    present = {
        t
        for (t,) in conn.exec_driver_sql(
            "SELECT relname FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = current_schema()::regnamespace"
        )
    }
    tables = tuple(t for t in table_names(PER_LEARNER) if t in present)
    per_learner = ", ".join(quote(t) for t in tables if t != "change")
    catalog = ", ".join(quote(t) for t in table_names(CATALOG))
    statements = [
        *(
            f"GRANT {quote(role)} TO {quote(member)}"
            for role, member in ((learners, curators), (curators, owner))
            if not conn.exec_driver_sql(
                "SELECT EXISTS (SELECT 1 FROM pg_auth_members WHERE "
                "roleid = to_regrole(%(r)s) AND member = to_regrole(%(m)s))",
                {"r": role, "m": member},
            ).scalar()
        ),
        f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {quote(learners)}",
        # nobody but the owner makes objects a learner's query could find first (PostgreSQL
        # 15 revokes this by default; an older server's database may still grant it)
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {quote(learners)}",
        f"GRANT SELECT ON coursetrack_schema, {catalog} TO {quote(learners)}",
        f"GRANT INSERT, UPDATE, DELETE ON {catalog} TO {quote(curators)}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {per_learner} TO {quote(learners)}",
        # the history is written by its triggers alone, which run as the owner for it
        # (the row's learner is still the session's): a row written by hand could name
        # another's removed row as the learner's own, or a temporary table take its place
        f"REVOKE ALL ON change FROM {quote(learners)}",
        f"GRANT SELECT ON change TO {quote(learners)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(learners)}",
        *taken_back(conn, owners_triggers(present), curators),
        *peer_review_grants(present, learners, curators),
        *_policies(tables, curators),
        *(
            f"ALTER FUNCTION history_{table}() SECURITY DEFINER "
            f"SET search_path = {quote(schema)}, pg_temp"
            for table in table_names(TRACKED)
            if table in present
        ),
        *write_gate(schema, learners, curators),
        # the counts of peer review a learner may learn, and nothing more (`store.peer_counts`)
        *peer_counts.security(present, schema=schema, owner=owner, learners=learners),
        *(rule_functions(schema) if "peer_review" in present else ()),
        *group_sync.security(conn, schema, learners),  # a replica's needs
        "ALTER TABLE coursetrack_schema ADD COLUMN IF NOT EXISTS security INTEGER",
        f"UPDATE coursetrack_schema SET security = {SECURITY_VERSION}",
    ]
    for statement in statements:
        conn.exec_driver_sql(statement)
    return Group(database, learners, curators, owner)


def owners_triggers(present: set[str]) -> list[str]:
    """The trigger functions that run as the owner (the history's, the review rule's), of
    the tables `present`: run by their triggers alone. Any role may attach a function she
    may run to a temporary table of hers, and one PUBLIC may run would run there as the
    owner: the history's would file in her history whatever rows she inserts there."""
    from coursetrack.models import TRACKED, table_names

    found = [f"history_{table}" for table in table_names(TRACKED) if table in present]
    return found + (["coursetrack_ck_peer_review"] if "peer_review" in present else [])


def bring_up_to_date(conn: Connection) -> int | None:
    """The owner's command on a group whose security is older: apply it, in this
    transaction of its own. The version it was, or None if another command did it first."""
    from coursetrack.store.schema import MIGRATION_LOCK

    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    state = opening(conn)
    if state.security >= SECURITY_VERSION:
        return None
    apply_security(conn)
    return state.security


_NOT_A_GROUP = "this store is not a study group's yet; its owner runs coursetrack group init first"
