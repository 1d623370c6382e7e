"""Engines and transactions.

Every connection gets foreign keys, WAL and a busy timeout. The pysqlite
driver's own implicit transactions are switched off so that coursetrack says
when a transaction begins: reads with a plain `BEGIN`, writes with
`BEGIN IMMEDIATE`. Taking the write lock up front is what keeps two processes
writing at once from losing an update or failing half-way with "database is
locked"; the second simply waits for the first.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from coursetrack.errors import StoreError
from coursetrack.store.inspect import _check_ours, _identify

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine
    from sqlalchemy.engine import Connection
    from sqlalchemy.exc import DBAPIError

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
    from sqlalchemy import create_engine, event

    engine = create_engine(url, connect_args={"timeout": busy_timeout()})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Checked on the connection itself, before any pragma writes (WAL changes the
        # file's header): whatever the URL's form, the database SQLite actually opened
        # is ours, empty, or left alone.
        _check_ours(where, *_identify(dbapi_conn))
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        dbapi_conn.execute("PRAGMA foreign_keys = ON")
        dbapi_conn.execute("PRAGMA journal_mode = WAL")
        dbapi_conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout() * 1000)}")

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


#: After this long waiting for the write lock, a command says that it waits.
WAIT_NOTICE_AFTER = 1.0


def _begin_or_say_we_wait(conn: Connection, on_wait: Notify) -> None:
    """Take the write lock; if another command holds it past a second, say so, then wait on.

    A command that sits silent for up to the busy timeout looks hung; and a
    user who sees that it waits knows it will act on the store as it is then.
    """
    total = busy_timeout()
    first = min(WAIT_NOTICE_AFTER, total)
    raw = conn.connection.driver_connection
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
    try:  # through SQLAlchemy, so that a failure is reported like any other
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(total * 1000)}")


@contextmanager
def _translate_errors(target: str) -> Iterator[None]:
    """Turn the driver's errors into a message about the store."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    try:
        yield
    except OperationalError as exc:
        raise StoreError(_explain(target, exc)) from None
    except DBAPIError as exc:
        raise StoreError(f"the store {target} failed: {exc.orig}") from None


def _explain(target: str, exc: DBAPIError) -> str:
    if isinstance(exc.orig, sqlite3.Error):
        return sqlite_message(target, exc.orig)
    return f"the store {target} failed: {exc.orig}"


#: SQLite's result codes (`sqlite_errorname`, primary part) and what they mean to a user.
_SQLITE_MEANINGS = {
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_READONLY": "read-only",
    "SQLITE_CANTOPEN": "cannot open",
    "SQLITE_FULL": "full",
    "SQLITE_IOERR": "full",
}


def sqlite_message(target: str, exc: sqlite3.Error) -> str:
    """One line about a SQLite error, told apart by its error code, not its text."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    meaning = _SQLITE_MEANINGS.get("_".join(name.split("_")[:2]))  # SQLITE_IOERR_WRITE: IOERR
    if meaning == "busy":
        return (
            f"the store {target} is busy: another coursetrack held it for more than "
            f"{busy_timeout():g} s; nothing was changed, run the command again"
        )
    if meaning == "read-only":
        return f"the store {target} is read-only; nothing was changed"
    if meaning == "cannot open":
        return f"cannot open the store {target}; check the path and its permissions"
    if meaning == "full":
        return f"cannot write the store {target} ({exc}); nothing was changed"
    return f"the store {target} failed: {exc}"
