"""Reading an up-to-date PostgreSQL store over psycopg alone, as SQLite's reads use sqlite3.

A read on PostgreSQL through SQLAlchemy pays for its engine and PostgreSQL
dialect (their import, and the dialect's own queries on first connect): the
everyday reads measured 2.6x the same command on a SQLite file, client CPU
(bench/postgres.py --reads), where psycopg alone gives about 1.6x; most of
what is left is psycopg's own import (libpq and the libraries it links, the
type adapters), which no reader can avoid.

`snapshot` opens such a read when the store is ordinary: a plain
`postgresql://` or `postgresql+psycopg://` URL, the schema this coursetrack
makes, and no study group it would refuse or must bring up to date first.
Anything else returns None before anything is read, and the caller goes the
SQLAlchemy way (`store.open_store`), which migrates, refuses and words every
such case. The transaction is the one `Store.read` opens (REPEATABLE READ,
READ ONLY, the session settings of `engine._SESSION_SETTINGS`), and a driver
error becomes the same one line (`engine.postgres_message`).
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
    import psycopg

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
    """Named-parameter SQL (`:name`) in psycopg's spelling (`%(name)s`)."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


class PostgresReader:
    """A Reader over a psycopg connection in a read transaction."""

    dialect = "postgresql"

    def __init__(self, con: psycopg.Connection) -> None:
        self.con = con
        self._spelled: dict[str, str] = {}

    def _sql(self, sql: str) -> str:
        spelled = self._spelled.get(sql)
        if spelled is None:
            spelled = self._spelled[sql] = _pyformat(sql)
        return spelled

    def all(self, sql: str, **params: Any) -> list[Row]:
        cur = self.con.execute(self._sql(sql), params)  # type: ignore[arg-type]
        return rows_of([column.name for column in cur.description or ()], cur.fetchall())

    def one(self, sql: str, **params: Any) -> Row | None:
        rows = self.all(sql, **params)
        return rows[0] if rows else None

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.con.execute(self._sql(sql), params).fetchone()  # type: ignore[arg-type]
        return None if row is None else row[0]


def plain_url(target: str) -> bool:
    """Whether `target` is a PostgreSQL URL that libpq reads as SQLAlchemy does."""
    scheme, sep, _ = target.partition("://")
    if not sep or scheme.lower() not in ("postgresql", "postgresql+psycopg"):
        return False
    try:
        import psycopg  # noqa: F401
    except ImportError:  # not installed: `open_store` says so, in its words
        return False
    return True


def _secrets(target: str) -> tuple[str, ...]:
    """Every spelling of the URL's password (as `inspect.url_secrets` finds them)."""
    parts = urlsplit(target)
    found = {unquote(parts.password)} if parts.password else set()
    found |= {v for k, v in parse_qsl(parts.query) if k.lower() == "password"}
    for secret in list(found):
        found |= {quote(secret, safe=""), quote(secret), unquote(secret)}
    return tuple(sorted((s for s in found if s), key=len, reverse=True))


@contextmanager
def snapshot(target: str) -> Iterator[PostgresReader | None]:
    """One read snapshot of the PostgreSQL store at URL `target`, or None (see the module's
    docstring): the caller then opens it the SQLAlchemy way."""
    from coursetrack.store.engine import READ_LOCK_WAIT, _lock_ms, busy_timeout
    from coursetrack.store.inspect import mask_url

    shown, secrets = mask_url(target), _secrets(target)
    try:
        con = _connect(target)
    except Exception as exc:
        raise _error(target, shown, secrets, exc) from None
    import psycopg

    try:
        try:
            lock_ms = _lock_ms(min(busy_timeout(), READ_LOCK_WAIT))
            con.execute(f"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {_settings(lock_ms)}")
            ordinary = _ordinary(con)
        except psycopg.Error as exc:
            raise _error(target, shown, secrets, exc) from None
        if not ordinary:
            yield None
            return
        try:
            yield PostgresReader(con)
        except psycopg.Error as exc:
            raise _error(target, shown, secrets, exc) from None
    finally:
        con.close()


def _connect(target: str) -> psycopg.Connection:
    """A connection as `engine._make_postgres_engine` makes one: the URL's own settings win."""
    import psycopg

    url = "postgresql://" + target.partition("://")[2]
    query = {key for key, _ in parse_qsl(urlsplit(url).query)}
    defaults: dict[str, Any] = {"application_name": "coursetrack", "connect_timeout": 10}
    args = {key: value for key, value in defaults.items() if key not in query}
    return psycopg.connect(url, autocommit=True, **args)


def _settings(lock_ms: int) -> str:
    """`engine._SESSION_SETTINGS` for a read, its lock wait written in (an integer)."""
    from coursetrack.store.engine import _SESSION_SETTINGS

    return _SESSION_SETTINGS.replace("%(lock_ms)s", f"'{int(lock_ms)}'")


def _ordinary(con: psycopg.Connection) -> bool:
    """Whether the store is one this reader reads as `open_store` would, with nothing to say."""
    from coursetrack.store.group import SECURITY_VERSION
    from coursetrack.store.schema import APPLICATION_ID, SCHEMA_VERSION

    row = con.execute(_OPENING).fetchone()
    if row is None or not row[0]:
        return False
    _, grouped, bypasses = row
    app_id, version, security = con.execute(_SCHEMA).fetchone() or (None, None, None)
    if app_id != APPLICATION_ID or version != SCHEMA_VERSION:
        return False
    return not grouped or (not bypasses and security >= SECURITY_VERSION)


def _error(target: str, shown: str, secrets: tuple[str, ...], exc: Exception) -> Exception:
    """A psycopg error as the one line `open_store`'s reads give; anything else as it is.

    A lock that ran out of time names who holds it, as `engine._translate_errors` does,
    through an engine made for that message alone (a rare path: SQLAlchemy is imported).
    """
    from coursetrack.store.engine import _busy_message, _make_engine, mask, postgres_message

    if not type(exc).__module__.startswith("psycopg"):
        return exc
    message = None
    if getattr(exc, "sqlstate", None) == "55P03":
        from coursetrack.store.inspect import _parse_url, _postgres_url

        url, _ = _parse_url(target)
        engine = _make_engine(_postgres_url(url, shown), shown)
        try:
            message = _busy_message(shown, engine, reading=True)
        finally:
            engine.dispose()
    return StoreError(mask(message or postgres_message(shown, exc), secrets))
