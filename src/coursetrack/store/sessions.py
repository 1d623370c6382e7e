"""Who holds the store's locks on PostgreSQL: named for a command that waits, listed and
ended for a group's owner (`coursetrack group sessions`).

A learner is a role of the server, and whatever the program does as her, she can do
by hand in psql: take a lock and keep it. The writers' own lock is hers alone in a
group (`group.write_gate`), but a table lock (her UPDATE on `progress` lets her
`LOCK TABLE ... ACCESS EXCLUSIVE`) holds up everyone who touches the table, and a
PREPAREd transaction keeps it after her session ends. Such a wait cannot be
prevented, so it is bounded (the busy timeout; a read does not wait at all, see
`engine`) and named: the role, the pid, and what the server lets the waiter see
of the session (its application and since when, for the waiter's own role or a
privileged one; for another learner's only the role and the pid).

The owner sees more: with CREATEROLE it may become a member of a learner's role,
which is what the server asks to read her session's details or end it
(`pg_terminate_backend`). `sessions` and `end_session` take that membership in a
savepoint that is rolled back: nothing of it stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coursetrack.errors import StoreError
from coursetrack.store import group
from coursetrack.store.engine import sqlstate

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

#: The relation-lock modes that hold up a writer (anything above ROW EXCLUSIVE) on
#: the store's tables; ACCESS EXCLUSIVE alone holds up a reader.
_STRONG = ("ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")
#: The learners' side of the writers' lock (`group.write_gate`).
_GATE_SHARED = ("RowShareLock", "RowExclusiveLock")

#: Every lock on the store held by another session or a prepared transaction, with
#: what the server lets this role see of its holder. The writers' advisory key
#: (a store that is not a group's, or a group made before `write_gate`) counts as
#: the "write lock"; so does the gate table. A prepared transaction's locks have no
#: pid: its transaction id leads to `pg_prepared_xacts`.
_HELD = """
WITH held AS (
    SELECT l.pid, l.virtualtransaction, l.mode,
           CASE WHEN l.locktype = 'advisory' OR c.relname = %(gate)s THEN 'the write lock'
                ELSE c.relname END AS what
    FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
    WHERE l.granted AND l.pid IS DISTINCT FROM pg_backend_pid()
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND ((l.locktype = 'advisory' AND l.classid = 0 AND l.objid = %(key)s AND l.objsubid = 1)
           OR (l.locktype = 'relation' AND c.relnamespace = current_schema()::regnamespace
               AND (l.mode = ANY(%(modes)s) OR (c.relname = %(gate)s
                    AND l.mode = ANY(%(shared)s)))))
)
SELECT h.pid, coalesce(a.usename, p.owner::text), a.application_name, a.state,
       a.xact_start, a.backend_start, p.gid, p.prepared,
       array_agg(DISTINCT h.what ORDER BY h.what), array_agg(DISTINCT h.mode ORDER BY h.mode)
FROM held h
LEFT JOIN pg_stat_activity a ON a.pid = h.pid
LEFT JOIN pg_locks x ON h.pid IS NULL AND x.virtualtransaction = h.virtualtransaction
    AND x.locktype = 'transactionid'
LEFT JOIN pg_prepared_xacts p ON p.transaction = x.transactionid
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
ORDER BY coalesce(p.prepared, a.xact_start, a.backend_start), 1
"""

#: The table whose locks serialize a group's writers (see `group.write_gate`).
GATE = group.GATE


@dataclass(frozen=True)
class Holder:
    """A session (pid) or a prepared transaction (gid) that holds locks on the store."""

    pid: int | None
    learner: str | None
    application: str | None  # None: not this role's to see
    state: str | None
    since: dt.datetime | None  # its transaction's start, or when it was prepared
    prepared: str | None  # the prepared transaction's name
    holds: tuple[str, ...]  # tables, or "the write lock"
    modes: tuple[str, ...] = ()
    blocks: tuple[int, ...] = field(default=())
    waits_for: tuple[int, ...] = field(default=())  # pids; 0 is a prepared transaction

    def describe(self) -> str:
        """ "alice's psql session (pid 4242), in a transaction since 10:02:11"."""
        if self.prepared is not None:
            since = f" since {_clock(self.since)}" if self.since else ""
            return f"a prepared transaction '{self.prepared}' of {self.learner}{since}"
        kind = {None: "session", "": "session", "coursetrack": "coursetrack command"}.get(
            self.application, f"{self.application} session"
        )
        text = f"{self.learner}'s {kind} (pid {self.pid})"
        if self.since is not None and self.state and self.state.endswith("in transaction"):
            text += f", in a transaction since {_clock(self.since)}"
        elif self.since is not None:
            text += f", running since {_clock(self.since)}"
        return text

    def to_dict(self) -> dict:
        return {
            "pid": self.pid,
            "learner": self.learner,
            "application": self.application,
            "state": self.state,
            "since": self.since.isoformat() if self.since else None,
            "holds": list(self.holds),
            "blocks": list(self.blocks),
            "waits_for": list(self.waits_for),
        }


def _clock(at: dt.datetime | None) -> str:
    """A server time as the user's wall clock: 10:02:11 today, else with its date."""
    if at is None:
        return ""
    try:
        local = at.astimezone()
    except (ValueError, OverflowError, OSError):  # a TZ the C library cannot use
        local = at.astimezone(dt.UTC)
    if local.date() == dt.datetime.now(local.tzinfo).date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M:%S")


def holders(conn: Connection, *, reading: bool = False, everyone: bool = False) -> list[Holder]:
    """The sessions and prepared transactions holding locks that can hold this one up.

    `reading`: only ACCESS EXCLUSIVE locks on tables (all a read can wait for).
    `everyone`: every holder, whoever it holds up (the owner's list).
    In a group, learners' writes hold the writers' lock each for themselves
    (ROW EXCLUSIVE on the gate), which holds up a curator's write, or their own
    learner's next one: those are named to a curator, or to their own learner.
    """
    from coursetrack.store.engine import WRITE_LOCK_KEY

    modes = ["AccessExclusiveLock"] if reading else list(_STRONG)
    rows = conn.exec_driver_sql(
        _HELD,
        {
            "key": WRITE_LOCK_KEY,
            "gate": GATE,
            "modes": modes,
            "shared": [] if reading else list(_GATE_SHARED),
        },
    ).all()
    me, curator = conn.exec_driver_sql(
        "SELECT session_user, coalesce((SELECT pg_has_role(session_user, oid, 'MEMBER') "
        "FROM pg_roles WHERE rolname = %(c)s), false)",
        {"c": _curators(conn)},
    ).one()
    found = []
    for pid, learner, app, state, xact, backend, gid, prepared, what, held in rows:
        gate_only = set(what) == {"the write lock"} and set(held) <= set(_GATE_SHARED)
        if gate_only and not (everyone or curator or learner == me):
            continue  # another learner's own writers' lock: it holds up no one else
        since = prepared if gid is not None else (xact or backend)
        found.append(Holder(pid, learner, app, state, since, gid, tuple(what), tuple(held)))
    return found


def _curators(conn: Connection) -> str:
    from coursetrack.store.group import CURATORS, role_name

    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    return role_name(database, CURATORS)


def named(found: Sequence[Holder]) -> str | None:
    """ "alice's session (pid 4242), which holds progress" (and who else); None: nobody seen."""
    if not found:
        return None
    parts = []
    for holder in found[:3]:
        text = holder.describe()
        tables = [t for t in holder.holds if t != "the write lock"]
        if tables:
            text += ", which holds " + ", ".join(tables)
        parts.append(text)
    if len(found) > 3:
        parts.append(f"{len(found) - 3} more")
    return " and ".join(parts)


def name_holders(engine: Engine, *, reading: bool = False) -> str | None:
    """`named` on a connection of its own: the one that waited has failed."""
    try:
        with engine.connect() as conn:
            return named(holders(conn, reading=reading))
    except Exception:  # naming is a courtesy: the error it adorns is the one to report
        return None


# --- the owner's view: `coursetrack group sessions` ------------------------------------


@dataclass(frozen=True)
class Sessions:
    database: str
    sessions: list[Holder]
    prepared: list[Holder]
    complete: bool  # False: the server showed only roles and pids of others' sessions


def _learners(conn: Connection) -> str:
    from coursetrack.store.group import LEARNERS, role_name

    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    return role_name(database, LEARNERS)


#: The sessions of the group's roles in this database that hold a lock on the store or
#: wait for one, and who each waits for.
_SESSIONS = """
SELECT a.pid, a.usename, a.application_name, a.state, a.xact_start, a.backend_start,
       a.wait_event_type = 'Lock', pg_blocking_pids(a.pid)
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND pg_has_role(a.usesysid, (SELECT oid FROM pg_roles WHERE rolname = %(learners)s), 'MEMBER')
ORDER BY a.pid
"""


def _see_as_learners(conn: Connection, roles: Sequence[str]) -> bool:
    """Make the connection's role a member of each of `roles`, inside the caller's
    savepoint (rolled back after): what the server asks to see their sessions' details
    or end them. False when this role may not (no CREATEROLE: a learner)."""
    from sqlalchemy.exc import DBAPIError

    from coursetrack.store.group import quote

    me = conn.exec_driver_sql("SELECT current_user").scalar_one()
    seen = True
    for role in roles:
        member = conn.exec_driver_sql(
            "SELECT pg_has_role(current_user, %(r)s, 'USAGE')", {"r": role}
        ).scalar()
        if member:
            continue
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"GRANT {quote(role)} TO {quote(me)}")
        except DBAPIError as exc:
            if (sqlstate(exc.orig) or "") not in ("42501", "0LP01"):
                raise
            seen = False  # insufficient privilege, or a circular membership
    return seen


def sessions(conn: Connection) -> Sessions:
    """The group's sessions that hold or wait on the store's locks, and its prepared
    transactions, seen with the learners' rights where the connection's role may take
    them (the owner): their applications, states and times."""
    from coursetrack.store.group import _NOT_A_GROUP, is_group

    if not is_group(conn):
        raise StoreError(_NOT_A_GROUP)
    learners = _learners(conn)
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    with conn.begin_nested() as seeing:
        roles = list(
            conn.exec_driver_sql(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() "
                "AND pg_has_role(usesysid, (SELECT oid FROM pg_roles WHERE rolname = %(l)s), "
                "'MEMBER')",
                {"l": learners},
            ).scalars()
        )
        complete = _see_as_learners(conn, roles)
        every = holders(conn, everyone=True)
        held = {h.pid: h for h in every if h.pid is not None}
        prepared = [h for h in every if h.prepared is not None]
        rows = conn.exec_driver_sql(_SESSIONS, {"learners": learners}).all()
        seeing.rollback()
    blocked: dict[int, list[int]] = {}
    for pid, *_, by in rows:
        for blocker in by or ():
            blocked.setdefault(blocker, []).append(pid)
    found = []
    for pid, learner, app, state, xact, backend, waits, by in rows:
        holder = held.get(pid)
        if holder is None and not waits:
            continue
        found.append(
            Holder(
                pid,
                learner,
                app,
                state,
                xact or backend,
                None,
                holder.holds if holder else (),
                holder.modes if holder else (),
                tuple(sorted(blocked.get(pid, ()))),
                tuple(sorted(by or ())) if waits else (),
            )
        )
    zero = tuple(sorted(blocked.get(0, ())))  # pg_blocking_pids names a prepared one 0
    prepared = [
        Holder(None, p.learner, None, None, p.since, p.prepared, p.holds, p.modes, zero)
        for p in prepared
    ]
    return Sessions(database, found, prepared, complete)


@dataclass(frozen=True)
class Ended:
    what: str  # the session or prepared transaction, described


def end_session(conn: Connection, target: str) -> Ended:
    """End the group's session `target` (a pid) or roll back its prepared transaction (a
    name), where the server lets this role; else one line saying who can, and how."""
    found = sessions(conn)
    if not target.isdigit():
        for p in found.prepared:
            if p.prepared == target:
                return _rollback_prepared(conn, p, found.database)
        raise StoreError(f"no prepared transaction {target!r} holds the store")
    pid = int(target)
    match = [s for s in found.sessions if s.pid == pid]
    if not match:
        raise StoreError(f"no session {pid} of the group holds or waits on the store")
    (session,) = match
    with conn.begin_nested() as acting:
        _see_as_learners(conn, [session.learner or ""])
        from sqlalchemy.exc import DBAPIError

        try:
            ended = conn.exec_driver_sql(
                "SELECT pg_terminate_backend(%(p)s, 5000)", {"p": pid}
            ).scalar()
        except DBAPIError as exc:
            if sqlstate(exc.orig) != "42501":
                raise
            ended = None
        acting.rollback()  # the membership; the signal is sent
    if ended is None:
        me = conn.exec_driver_sql("SELECT current_user").scalar_one()
        raise StoreError(
            f"{me} may not end {session.describe().split(', ')[0]}; the group's owner or "
            f"the server's administrator can: SELECT pg_terminate_backend({pid});"
        )
    return Ended(session.describe().split(", ")[0])


def _rollback_prepared(conn: Connection, prepared: Holder, database: str) -> Ended:
    """ROLLBACK PREPARED is its owner's or a superuser's, outside any transaction."""
    superuser = conn.exec_driver_sql(
        "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
    ).scalar()
    me = conn.exec_driver_sql("SELECT current_user").scalar_one()
    name = prepared.prepared or ""
    if not superuser and me != prepared.learner:
        raise StoreError(
            f"only {prepared.learner} or the server's administrator can end the prepared "
            f"transaction '{name}'; as the administrator, in database {database}: "
            f"ROLLBACK PREPARED '{name}';"
        )
    literal = "'" + name.replace("'", "''") + "'"  # a utility statement takes no parameters
    with conn.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as own:
        own.exec_driver_sql(f"ROLLBACK PREPARED {literal}")
    return Ended(prepared.describe())
