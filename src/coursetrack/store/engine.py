"""Engines and transactions, on SQLite and on PostgreSQL.

Each command is one transaction, and writers take the write lock first thing,
so that two processes writing at once never lose an update nor fail half-way;
the second simply waits for the first (saying so after a second), up to
`COURSETRACK_BUSY_TIMEOUT`.

SQLite: every connection gets foreign keys, WAL and a busy timeout. The
pysqlite driver's own implicit transactions are switched off so that
coursetrack says when a transaction begins: reads with a plain `BEGIN`, writes
with `BEGIN IMMEDIATE`.

PostgreSQL (psycopg2: `store.postgres_reader` says why that driver): a write
takes a transaction-scoped lock as its first statement, which serializes
writers as `BEGIN IMMEDIATE` does and is released by the commit or rollback,
whatever happens to the process: the advisory lock `WRITE_LOCK_KEY`, or in a
study group, where anyone may take any advisory lock, the store's own
(`group.write_gate`), which a learner takes only for herself. The busy timeout
becomes the transaction's `lock_timeout`. A read is one REPEATABLE READ, READ
ONLY transaction: one snapshot for the whole command, which never waits for a
writer, and waits at most `READ_LOCK_WAIT` for a table lock (which only a
migration, or a learner by hand, takes). A command that runs out of time names
who holds the store (`sessions`). An ordinary store is read and written over
psycopg2 alone, in the same transactions (`Store.write`).

Execution option `sqlite_begin="IMMEDIATE"` marks a write transaction on both
engines (the name is SQLite's; `schema` uses it for migrations too).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from coursetrack.errors import StoreError
from coursetrack.store.inspect import _check_ours, _identify
from coursetrack.store.schema import APPLICATION_ID
from coursetrack.store.triggers import COMMAND_SETTING

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine
    from sqlalchemy.engine import Connection

#: The advisory lock every PostgreSQL writer takes: one per database, as a SQLite
#: file has one write lock. The number is the store's application id ("CTrc").
WRITE_LOCK_KEY = APPLICATION_ID
WRITE_LOCK = f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"

#: The transaction-local setting a study group's view sets to read the group's rows
#: (`store.group`); every transaction starts with it empty (`_SESSION_SETTINGS`).
SCOPE_SETTING = "coursetrack.scope"

BUSY_TIMEOUT_ENV = "COURSETRACK_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0
MAX_BUSY_TIMEOUT = 24 * 3600.0

Notify = Callable[[str], None]


def busy_timeout() -> float:
    raw = os.environ.get(BUSY_TIMEOUT_ENV)
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    # inf, nan or 1e400 reached SQLite's millisecond integer as an OverflowError
    if not 0 <= seconds <= MAX_BUSY_TIMEOUT:
        raise StoreError(
            f"{BUSY_TIMEOUT_ENV}={raw!r} is not a number of seconds from 0 to "
            f"{MAX_BUSY_TIMEOUT:.0f}; unset it or give e.g. 30"
        )
    return seconds


def _make_engine(url: str | URL, where: str = "the store") -> Engine:
    """An engine for the store at `url` (already checked by `open_store`); `where` names it."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url

    url = make_url(url)
    if url.get_backend_name() == "postgresql":
        return _make_postgres_engine(url)

    engine = create_engine(url, connect_args={"timeout": busy_timeout()})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        prepare_sqlite(dbapi_conn, where)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        mode = options.get("sqlite_begin", "")
        on_wait = options.get("on_wait")
        if mode == "IMMEDIATE" and on_wait is not None:
            _begin_or_say_we_wait(conn, on_wait)
        else:
            conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def prepare_sqlite(con: sqlite3.Connection, where: str) -> str:
    """Make a new sqlite3 connection one of ours; the journal mode it ended up in.

    Checked on the connection itself, before any pragma writes (WAL changes the
    file's header): whatever the URL's form, the database SQLite actually opened
    is ours, empty, or left alone. Every connection, SQLAlchemy's or a write's
    own (`Store.write`), is prepared here.
    """
    _check_ours(where, *_identify(con))
    con.isolation_level = None  # we issue BEGIN ourselves
    con.execute("PRAGMA foreign_keys = ON")
    mode = con.execute("PRAGMA journal_mode = WAL").fetchone()
    con.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")
    return str(mode[0] if mode else "").lower()


def connect_sqlite(path: str | os.PathLike[str], where: str) -> tuple[sqlite3.Connection, str]:
    """A sqlite3 connection of our own to the store file at `path`, prepared
    (`prepare_sqlite`), and the journal mode it is in: what a write, its snapshot
    and a new store's making open without SQLAlchemy."""
    con = sqlite3.connect(path, timeout=busy_timeout(), isolation_level=None)
    try:
        return con, prepare_sqlite(con, where)
    except BaseException:
        con.close()
        raise


#: After this long waiting for the write lock, a command says that it waits.
WAIT_NOTICE_AFTER = 1.0


def _begin_or_say_we_wait(conn: Connection, on_wait: Notify) -> None:
    """`begin_immediate` on a SQLAlchemy connection's sqlite3 connection."""
    begin_immediate(conn.connection.driver_connection, on_wait)  # type: ignore[arg-type]


def begin_immediate(raw: sqlite3.Connection, on_wait: Notify | None) -> None:
    """Take the write lock; if another command holds it past a second, say so, then wait on.

    A command that sits silent for up to the busy timeout looks hung; and a
    user who sees that it waits knows it will act on the store as it is then.
    """
    if on_wait is None:
        raw.execute("BEGIN IMMEDIATE")
        return
    total = busy_timeout()
    first = min(WAIT_NOTICE_AFTER, total)
    raw.execute(f"PRAGMA busy_timeout = {int(first * 1000)}")
    try:
        raw.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as exc:
        busy = str(getattr(exc, "sqlite_errorname", "")).startswith(
            ("SQLITE_BUSY", "SQLITE_LOCKED")
        )
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(total * 1000)}")
    if busy and total > first:
        on_wait(
            "another coursetrack command is writing to the store; waiting for it "
            f"(up to {total:g} s)"
        )
        raw.execute(f"PRAGMA busy_timeout = {int((total - first) * 1000)}")
    try:  # a failure here is the driver's, reported like any other (`_translate_errors`)
        raw.execute("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(total * 1000)}")


def _make_postgres_engine(url: URL) -> Engine:
    """An engine on psycopg2 whose transactions follow the rules in this module's docstring."""
    from sqlalchemy import create_engine, event

    # the URL's own settings win (SQLAlchemy would let connect_args override them)
    defaults = {
        "application_name": "coursetrack",  # how the server's views name our sessions
        "connect_timeout": 10,  # libpq waits forever for a host that does not answer
    }
    args = {key: value for key, value in defaults.items() if key not in url.query}
    engine = create_engine(url, connect_args=args)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        total = busy_timeout()
        if options.get("postgresql_readonly") and not options.get("coursetrack_patient"):
            # only a table lock (ACCESS EXCLUSIVE) holds up a read, and the program takes
            # none but to migrate: a learner's by hand is not waited out for the busy timeout
            total = min(total, READ_LOCK_WAIT)
        settings = {"lock_ms": str(_lock_ms(total))}
        if options.get("sqlite_begin") != "IMMEDIATE":
            conn.exec_driver_sql(_SESSION_SETTINGS, settings)
            return
        # a write learns in the same round trip which lock serializes this store's writers
        gate = conn.exec_driver_sql(_SESSION_SETTINGS + _HAS_GATE, settings).one()[-1]
        _lock_or_say_we_wait(conn, options.get("on_wait"), total, gate=bool(gate))

    return engine


#: Every session setting the program relies on, set for each transaction in one round
#: trip: a URL's `options=-c ...` (or PGOPTIONS) sets them for the session, and must not
#: decide what a command believes. The group's scope and the bound command start empty
#: (a group view, `Store.write` set them); names resolve in the store's schema, then
#: PostgreSQL's own, never in a schema listed before pg_catalog (a lookalike
#: pg_has_role made a learner a curator); the functions here are named with their
#: schema for that reason. The learner is `session_user`, which no setting changes
#: (a `role` in the URL changes current_user only: see `store.group.identity`).
_SESSION_SETTINGS = (
    "SELECT pg_catalog.set_config('lock_timeout', %(lock_ms)s, true), "
    f"pg_catalog.set_config('{SCOPE_SETTING}', '', true), "
    f"pg_catalog.set_config('{COMMAND_SETTING}', '', true), "
    "pg_catalog.set_config('search_path', pg_catalog.concat_ws(', ', "
    "pg_catalog.quote_ident(pg_catalog.current_schema()), 'pg_catalog', 'pg_temp'), true)"
)

#: A write's settings also say whether the store is a study group's with its own writers'
#: lock (`group.write_gate`), looked up in the store's schema as the lock is then called.
#: Asked at every write, in the round trip the settings take anyway: a store that becomes a
#: group while a command holds it open (an undo waiting for its answer) is locked as one.
_HAS_GATE = (
    ", pg_catalog.to_regprocedure(pg_catalog.quote_ident(pg_catalog.current_schema()) "
    "|| '.coursetrack_write_lock()') IS NOT NULL"
)


def _lock_ms(seconds: float) -> int:
    """PostgreSQL's lock_timeout in ms; 0 there means wait forever, so never 0."""
    return max(1, int(seconds * 1000))


def _lock_or_say_we_wait(
    conn: Connection, on_wait: Notify | None, total: float, *, gate: bool
) -> None:
    """Take the write lock; if another writer holds it past a second, say who, then wait on.

    In a study group the lock is the store's `coursetrack_write_lock()` (see
    `group.write_gate`): each learner's own, which a learner cannot take for
    another; elsewhere the advisory lock `WRITE_LOCK_KEY`. Probed through the
    driver inside a savepoint, so that the first, short wait can time out
    without aborting the transaction; the last attempt goes through SQLAlchemy,
    so that its failure is reported like any other.
    """
    raw = conn.connection.driver_connection
    assert raw is not None  # None only once the connection is closed; it is in a write
    take_write_lock(raw, on_wait, total, gate=gate, who=lambda: _who(conn))


def take_write_lock(
    raw: Any,
    on_wait: Notify | None,
    total: float,
    *,
    gate: bool,
    who: Callable[[], str | None],
) -> None:
    """Take the write lock on the psycopg2 connection `raw`, in its open transaction;
    if another writer holds it past a second, say who (`who`), then wait on: the one way,
    whether SQLAlchemy opened the transaction (`_lock_or_say_we_wait`) or a write over
    the driver alone did (`postgres_reader.write`).

    The first, short wait is inside a savepoint, so that it can time out without
    aborting the transaction; each probe is one round trip (several statements, no
    parameters). A failure of the last attempt is the driver's, reported like any other.
    """
    lock = "SELECT coursetrack_write_lock()" if gate else WRITE_LOCK
    first = min(WAIT_NOTICE_AFTER, total)
    with raw.cursor() as cur:
        if on_wait is None or total <= first:
            cur.execute(lock)
            return
        try:
            cur.execute(
                f"SAVEPOINT coursetrack_wait; SET LOCAL lock_timeout = {_lock_ms(first)}; {lock}"
            )
        except Exception as exc:
            if sqlstate(exc) != "55P03":  # lock_not_available
                raise
            cur.execute("ROLLBACK TO SAVEPOINT coursetrack_wait")
            on_wait(_waiting_notice(who, total))
            # the rest of the transaction waits for other locks as long as any command
            cur.execute(
                f"SET LOCAL lock_timeout = {_lock_ms(total - first)}; {lock}; "
                f"SET LOCAL lock_timeout = {_lock_ms(total)}"
            )
        else:
            # SET LOCAL in a released savepoint outlives it: the write waits as any command
            cur.execute(
                f"RELEASE SAVEPOINT coursetrack_wait; SET LOCAL lock_timeout = {_lock_ms(total)}"
            )


def sqlstate(exc: BaseException | None) -> str | None:
    """The SQLSTATE a PostgreSQL error carries (psycopg2's `pgcode`); None for any other."""
    return getattr(exc, "pgcode", None)


def _who(conn: Connection) -> str | None:
    """Who holds the store, asked on the waiting write's own connection (SQLAlchemy's)."""
    from coursetrack.store import sessions

    raw = conn.connection.driver_connection
    assert raw is not None  # None only once the connection is closed; it is in a write
    with raw.cursor() as cur:
        cur.execute("SAVEPOINT coursetrack_who")  # a failure here must not end the write
        try:
            who = sessions.named(sessions.holders(conn))
        except Exception:  # the notice is a courtesy; the wait goes on
            cur.execute("ROLLBACK TO SAVEPOINT coursetrack_who")
            return None
        cur.execute("RELEASE SAVEPOINT coursetrack_who")
        return who


def _waiting_notice(who: Callable[[], str | None], total: float) -> str:
    """What a writer says when it starts to wait: who holds the store, when that can be seen."""
    try:
        holder = who()
    except Exception:  # the notice is a courtesy; the wait goes on
        holder = None
    if holder is None:
        return (
            "another coursetrack command is writing to the store; waiting for it "
            f"(up to {total:g} s)"
        )
    return f"the store is locked by {holder}; waiting for it (up to {total:g} s)"


#: How long a read waits for a table lock (see `_make_postgres_engine`).
READ_LOCK_WAIT = 1.0


def mask(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with every secret (a URL's password) replaced by ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@contextmanager
def _translate_errors(
    target: str,
    secrets: tuple[str, ...] = (),
    *,
    engine: Engine | Callable[[], Engine] | None = None,
    reading: bool = False,
) -> Iterator[None]:
    """Turn the driver's errors into one line about the store, with no password in it.

    Driver errors come wrapped by SQLAlchemy, or raw where coursetrack talks to
    the driver itself (sqlite3 and psycopg2 alone, the write lock's probes).
    With the PostgreSQL `engine` (or what makes one, when it is first needed:
    a write over the driver alone has none), a lock that ran out of time names
    who holds it (`reading`: a read's transaction, which does not wait).
    """
    try:
        yield
    except Exception as exc:
        orig = _driver_error(exc)
        if orig is None:
            raise
        message = None
        if engine is not None and sqlstate(orig) == "55P03":
            made = engine() if callable(engine) else engine
            message = _busy_message(target, made, reading=reading)
        raise StoreError(mask(message or _explain(target, orig), secrets)) from None


def _busy_message(target: str, engine: Engine, *, reading: bool) -> str | None:
    """The busy line naming who holds the store; None when nobody can be seen."""
    from coursetrack.store import sessions

    who = sessions.name_holders(engine, reading=reading)
    if who is None:
        return None
    if reading:
        return (
            f"the store {target} is locked by {who}; a read does not wait for it: nothing "
            "was read, run the command again when it ends"
        )
    comma = "," if "," in who else ""  # "alice's session (pid 7), in a transaction since 10:02:11,"
    return (
        f"the store {target} is busy: {who}{comma} held it for more than {busy_timeout():g} s; "
        "nothing was changed, run the command again"
    )


def _driver_error(exc: Exception) -> BaseException | None:
    """The sqlite3 or psycopg2 error behind `exc`; None for anything else.

    Neither SQLAlchemy nor psycopg2 is imported for this: an error can only be
    theirs when they are loaded (a write over sqlite3 alone loads neither).
    """
    alchemy = sys.modules.get("sqlalchemy.exc")
    if alchemy is not None and isinstance(exc, alchemy.DBAPIError):
        return exc.orig
    if isinstance(exc, sqlite3.Error) or _is_postgres_error(exc):
        return exc
    return None


def _is_postgres_error(exc: BaseException) -> bool:
    """Whether `exc` is psycopg2's (loaded whenever a PostgreSQL store is open)."""
    driver = sys.modules.get("psycopg2")
    return driver is not None and isinstance(exc, driver.Error)


def _explain(target: str, exc: BaseException) -> str:
    """One line about the driver error `exc`, which the store named `target` raised."""
    if isinstance(exc, sqlite3.Error):
        return sqlite_message(target, exc)
    if _is_postgres_error(exc):
        return postgres_message(target, exc)
    return f"the store {target} failed: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


#: PostgreSQL's SQLSTATE codes (exact, or by class: the first two characters)
#: and what they mean to a user.
_POSTGRES_MEANINGS = {
    "55P03": "busy",  # lock_not_available: lock_timeout ran out
    "40001": "serialization",  # serialization_failure
    "40P01": "deadlock",  # deadlock_detected
    "25006": "read-only",  # read_only_sql_transaction (a standby, a read-only role)
    "53": "full",  # insufficient_resources: disk full, out of memory
    "08": "lost",  # connection_exception
    "57P01": "lost",  # admin_shutdown
    "57P02": "lost",  # crash_shutdown
    "57P03": "lost",  # cannot_connect_now (starting up)
    "28": "denied",  # invalid_authorization_specification
    "42501": "denied",  # insufficient_privilege
    "CT001": "others",  # a study group's guard: another learner's row (store.group)
}


#: The foreign key that keeps a peer review's request (issue 23): it does not cascade.
_REVIEWED_REQUEST = "peer_review_request_id_fkey"


def postgres_message(target: str, exc: BaseException) -> str:
    """One line about a psycopg2 error, told apart by its SQLSTATE, not its text.

    A connection that fails before the server answers a query (server down,
    wrong socket, unknown database or role, bad password) carries no SQLSTATE
    in libpq: an OperationalError without one is reported as "cannot connect",
    with libpq's own reason.
    """
    import psycopg2

    state = sqlstate(exc)
    if state == "23514":  # check_violation: a rule of the record (store.rules)
        diag = getattr(exc, "diag", None)
        refused = _refused(target, getattr(diag, "constraint_name", None))
        if refused:
            return refused
    if state == "23503":  # foreign_key_violation: a request's reviews hold on to it
        diag = getattr(exc, "diag", None)
        if getattr(diag, "constraint_name", None) == _REVIEWED_REQUEST:
            return (
                f"the store {target} refused: a peer review request that has reviews "
                "cannot be removed (they are other learners'); nothing was changed"
            )
    if state is None:
        if isinstance(exc, psycopg2.OperationalError):
            return f"cannot connect to the store {target}: {_connect_reason(exc)}"
        # the driver's own refusal before sending anything
        return f"the store {target} failed: {_first_line(exc)}"
    meaning = _POSTGRES_MEANINGS.get(state) or _POSTGRES_MEANINGS.get(state[:2])
    return _message(target, meaning, _first_line(exc))


def _message(target: str, meaning: str | None, detail: str) -> str:
    """The one line for what an error means to a user, whichever engine raised it."""
    again = "nothing was changed, run the command again"
    if meaning == "busy":
        return (
            f"the store {target} is busy: another coursetrack held it for more than "
            f"{busy_timeout():g} s; {again}"
        )
    if meaning == "serialization":
        return f"the store {target} was changed by another command at the same time; {again}"
    if meaning == "deadlock":
        return f"the store {target} was deadlocked with another command; {again}"
    if meaning == "read-only":
        return f"the store {target} is read-only; nothing was changed"
    if meaning == "cannot open":
        return f"cannot open the store {target}; check the path and its permissions"
    if meaning == "full":
        return f"cannot write the store {target} ({detail}); nothing was changed"
    if meaning == "lost":
        return f"lost the connection to the store {target} ({detail}); {again}"
    if meaning == "others":
        return f"refused: {detail}; a learner's records are theirs alone, nothing was changed"
    if meaning == "denied":
        return f"the store {target} refused access: {detail}"
    return f"the store {target} failed: {detail}"


def _connect_reason(exc: BaseException) -> str:
    """libpq's reason for a failed connection, without its "connection to server ... failed"."""
    text = _first_line(exc)
    reason = text.rsplit(" failed: ", 1)[-1].strip()
    for prefix in ("connection is bad:", "connection failed:", "FATAL:"):
        reason = reason.removeprefix(prefix).strip()
    return f"{reason}; check the URL, and that the server is running"


#: SQLite's result codes (`sqlite_errorname`, primary part) and what they mean to a user.
_SQLITE_MEANINGS = {
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_READONLY": "read-only",
    "SQLITE_CANTOPEN": "cannot open",
    "SQLITE_FULL": "full",
    "SQLITE_IOERR": "full",
}


#: How SQLite names the CHECK (or our rule trigger) a write broke.
_SQLITE_CHECK = "CHECK constraint failed: "


def _refused(target: str, constraint: str | None) -> str | None:
    """The one line for a write the store refused by a rule of the record, or None."""
    from coursetrack.store import rules

    rule = rules.by_constraint(constraint)
    if rule is None:
        return None
    return f"the store {target} refused: {rules.refusal(rule)}; nothing was changed"


def sqlite_message(target: str, exc: sqlite3.Error) -> str:
    """One line about a SQLite error, told apart by its error code, not its text."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if isinstance(exc, sqlite3.IntegrityError) and text.startswith(_SQLITE_CHECK):
        refused = _refused(target, text.removeprefix(_SQLITE_CHECK).strip())
        if refused:
            return refused
    meaning = _SQLITE_MEANINGS.get("_".join(name.split("_")[:2]))  # SQLITE_IOERR_WRITE: IOERR
    return _message(target, meaning, str(exc))
