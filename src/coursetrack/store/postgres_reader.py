"""A PostgreSQL store over psycopg2 alone, as a SQLite file is read and written with sqlite3.

A command on PostgreSQL through SQLAlchemy pays for its engine and PostgreSQL
dialect (their import, and the dialect's own queries on first connect): the
everyday reads measured 2.6x the same command on a SQLite file, client CPU,
and the writes more. Over the driver alone, what is left is the driver's own
import, and that is why the driver is psycopg2: psycopg 3 adds 1.2x a bare
command's floor (`python -c "import typer, rich.table, sqlite3"`) by its import
alone (its libpq wrapper reads its package metadata and loads ctypes, asyncio,
logging and a module per SQLSTATE), more than the whole of what a command on
PostgreSQL may cost over the same command on SQLite (1.5x); psycopg2 adds 0.2x.
bench/postgres.py times every everyday command against the same on a SQLite
file: 1.09-1.16x over psycopg2 alone, where reads over psycopg 3 alone were
1.7-1.8x and writes through SQLAlchemy 3.1-3.2x.

`snapshot` opens a read, and `ordinary_connection` the connection a write opens
the store with (`store.opening`), when the store is ordinary: a PostgreSQL URL
libpq reads as SQLAlchemy does, the schema this coursetrack makes, and no study
group it would refuse or must bring up to date first. Anything else returns
None before anything is read, and the caller goes the SQLAlchemy way
(`store.open_store`), which migrates, refuses and words every such case. The
transaction is the one `Store.read` opens (REPEATABLE READ, READ ONLY, the
session settings of `engine._SESSION_SETTINGS`), and a driver error becomes the
same one line (`engine.postgres_message`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from coursetrack.errors import StoreError
from coursetrack.store.reader import Row, rows_of

if TYPE_CHECKING:
    import psycopg2.extensions

#: A named parameter as SQLAlchemy's text() finds one (`:name`, not `::type` nor `\\:`).
_PARAM = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")

#: What the opening needs to know, in one round trip: whether the store has its schema
#: table, whether it has any other table, and the group's state (`group.opening`).
_OPENING = """
SELECT to_regclass('coursetrack_schema') IS NOT NULL AS ours,
       coalesce(c.relforcerowsecurity, false) AS grouped,
       r.rolsuper OR r.rolbypassrls AS bypasses
FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('progress')
WHERE r.rolname = current_user
"""

#: The schema's row, and the group's security version (1: none recorded).
_SCHEMA = (
    "SELECT application_id, version, coalesce((to_jsonb(s) ->> 'security')::int, 1) "
    "FROM coursetrack_schema s"
)


def _pyformat(sql: str) -> str:
    """Named-parameter SQL (`:name`) in psycopg2's spelling (`%(name)s`)."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


class PostgresReader:
    """A Reader over a psycopg2 connection in a read transaction."""

    dialect = "postgresql"

    def __init__(self, con: psycopg2.extensions.connection) -> None:
        self.con = con
        self.cur = con.cursor()
        self._spelled: dict[str, str] = {}

    def _sql(self, sql: str) -> str:
        spelled = self._spelled.get(sql)
        if spelled is None:
            spelled = self._spelled[sql] = _pyformat(sql)
        return spelled

    def _run(self, sql: str, params: Any) -> Any:
        """Run one statement on the reader's cursor; the cursor."""
        try:
            self.cur.execute(self._sql(sql), params)
        except ValueError as exc:  # the driver's refusal of a value (a NUL in text), unsent
            import psycopg2

            raise psycopg2.DataError(str(exc)) from None
        return self.cur

    def all(self, sql: str, **params: Any) -> list[Row]:
        cur = self._run(sql, params)
        if cur.description is None:  # a statement that returns no rows
            return []
        return rows_of([column.name for column in cur.description], cur.fetchall())

    def one(self, sql: str, **params: Any) -> Row | None:
        rows = self.all(sql, **params)
        return rows[0] if rows else None

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self._run(sql, params).fetchone()
        return None if row is None else row[0]


def plain_url(target: str) -> bool:
    """Whether `target` is a PostgreSQL URL that libpq reads as SQLAlchemy does."""
    from coursetrack.store.inspect import POSTGRES_SCHEMES

    scheme, sep, _ = target.partition("://")
    if not sep or scheme.lower() not in POSTGRES_SCHEMES:
        return False
    try:
        import psycopg2  # noqa: F401
    except ImportError:  # not installed: `open_store` says so, in its words
        return False
    return True


def secrets_of(target: str) -> tuple[str, ...]:
    """Every spelling of the URL's password (as `inspect.url_secrets` finds them)."""
    parts = urlsplit(target)
    found = {unquote(parts.password)} if parts.password else set()
    found |= {v for k, v in parse_qsl(parts.query) if k.lower() in ("password", "sslpassword")}
    for secret in list(found):
        found |= {quote(secret, safe=""), quote(secret), unquote(secret)}
    return tuple(sorted((s for s in found if s), key=len, reverse=True))


@contextmanager
def snapshot(target: str) -> Iterator[PostgresReader | None]:
    """One read snapshot of the PostgreSQL store at URL `target`, or None (see the module's
    docstring): the caller then opens it the SQLAlchemy way."""
    from coursetrack.store.inspect import mask_url

    shown, secrets = mask_url(target), secrets_of(target)
    with _told(target, shown, secrets):
        con = connect(target)
    try:
        with _told(target, shown, secrets):
            begin_read(con)
            ordinary = _ordinary(con)
        if not ordinary:
            yield None
            return
        with _told(target, shown, secrets):
            yield PostgresReader(con)
    finally:
        con.close()


def ordinary_connection(target: str) -> psycopg2.extensions.connection | None:
    """A connection to the store at URL `target`, idle, for a write that found it
    ordinary (see the module's docstring); None: open it the SQLAlchemy way.

    Its errors are the driver's: the opener turns them into its one line."""
    con = connect(target)
    try:
        begin_read(con)
        ordinary = _ordinary(con)
        con.cursor().execute("ROLLBACK")
    except BaseException:
        con.close()
        raise
    if not ordinary:
        con.close()
        return None
    return con


@contextmanager
def _told(target: str, shown: str, secrets: tuple[str, ...]) -> Iterator[None]:
    """The driver's errors as `open_store`'s one line (see `_error`)."""
    import psycopg2

    try:
        yield
    except psycopg2.Error as exc:
        raise _error(target, shown, secrets, exc) from None


def connect(target: str) -> psycopg2.extensions.connection:
    """A connection as `engine._make_postgres_engine` makes one: the URL's own settings win.

    In autocommit: each command says where its transaction begins (`begin_read`,
    `opening.Store.write`), as on SQLite.
    """
    import psycopg2

    url = "postgresql://" + target.partition("://")[2]
    query = {key for key, _ in parse_qsl(urlsplit(url).query)}
    defaults: dict[str, Any] = {"application_name": "coursetrack", "connect_timeout": 10}
    args = {key: value for key, value in defaults.items() if key not in query}
    con = psycopg2.connect(url, **args)
    con.autocommit = True
    return con


def begin_read(con: psycopg2.extensions.connection, *, patient: bool = False) -> None:
    """Begin the read transaction `Store.read` opens, in one round trip; `patient`: the
    snapshot a write keeps of the store as the user saw it, which waits for a table lock
    as long as the write does (`engine._make_postgres_engine`)."""
    from coursetrack.store.engine import READ_LOCK_WAIT, _lock_ms, busy_timeout

    total = busy_timeout() if patient else min(busy_timeout(), READ_LOCK_WAIT)
    con.cursor().execute(
        f"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {_settings(_lock_ms(total))}"
    )


def _settings(lock_ms: int) -> str:
    """`engine._SESSION_SETTINGS` for a read, its lock wait written in (an integer)."""
    from coursetrack.store.engine import _SESSION_SETTINGS

    return _SESSION_SETTINGS.replace("%(lock_ms)s", f"'{int(lock_ms)}'")


def _ordinary(con: psycopg2.extensions.connection) -> bool:
    """Whether the store is one this reader reads as `open_store` would, with nothing to say."""
    from coursetrack.store.group import SECURITY_VERSION
    from coursetrack.store.schema import APPLICATION_ID, SCHEMA_VERSION

    cur = con.cursor()
    cur.execute(_OPENING)
    row = cur.fetchone()
    if row is None or not row[0]:
        return False
    _, grouped, bypasses = row
    cur.execute(_SCHEMA)
    app_id, version, security = cur.fetchone() or (None, None, None)
    if app_id != APPLICATION_ID or version != SCHEMA_VERSION:
        return False
    return not grouped or (not bypasses and int(security or 1) >= SECURITY_VERSION)


def _error(target: str, shown: str, secrets: tuple[str, ...], exc: Exception) -> Exception:
    """A psycopg2 error as the one line `open_store`'s reads give; anything else as it is.

    A lock that ran out of time names who holds it, as `engine._translate_errors` does,
    through an engine made for that message alone (a rare path: SQLAlchemy is imported).
    """
    from coursetrack.store.engine import (
        _busy_message,
        _is_postgres_error,
        _make_engine,
        mask,
        postgres_message,
        sqlstate,
    )

    if not _is_postgres_error(exc):
        return exc
    message = None
    if sqlstate(exc) == "55P03":
        from coursetrack.store.inspect import _parse_url, _postgres_url

        url, _ = _parse_url(target)
        engine = _make_engine(_postgres_url(url, shown), shown)
        try:
            message = _busy_message(shown, engine, reading=True)
        finally:
            engine.dispose()
    return StoreError(mask(message or postgres_message(shown, exc), secrets))
