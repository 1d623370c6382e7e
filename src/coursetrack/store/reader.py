"""Reading the store with plain SQL, through sqlite3 alone when it can.

Read-only commands (`status`, `next`, `show`, `log`, ...) run the SQL in
`store.queries` through a `Reader`. On a SQLite store that exists and is up to
date, the reader is a standard-library `sqlite3` connection: no SQLAlchemy,
SQLModel or pydantic is imported, which is most of a read's start-up time.
Anything else (a store that does not exist yet, an old schema to upgrade, a
URL, PostgreSQL) goes through SQLAlchemy and the same SQL.

Rows are dicts that also answer attribute access (`row.slug`). SQLite keeps
dates as ISO text; every column named `*_on` is a date by the schema's naming
rule, so the reader turns those into `datetime.date` and both engines give the
services the same values.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from coursetrack import paths
from coursetrack.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from coursetrack.store.engine import Notify


class Row(dict):
    """A result row: `row["slug"]` or `row.slug`."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Reader(Protocol):
    """Runs named-parameter SQL (`:name`) and returns `Row`s."""

    dialect: str  # "sqlite" or "postgresql"

    def all(self, sql: str, **params: Any) -> list[Row]: ...

    def one(self, sql: str, **params: Any) -> Row | None: ...

    def scalar(self, sql: str, **params: Any) -> Any: ...


def _dated(row: Row, keys: list[str] | None = None) -> Row:
    """`row` with its `*_on` text turned into dates (`keys`: those columns, if known)."""
    for key in keys if keys is not None else [k for k in row if k.endswith("_on")]:
        value = row[key]
        if isinstance(value, str):
            row[key] = dt.date.fromisoformat(value)
    return row


def rows_of(names: list[str], fetched: Sequence[Any]) -> list[Row]:
    """A result's rows as `Row`s, their `*_on` columns dates: every reader's last step."""
    dated = [name for name in names if name.endswith("_on")]  # once per query, not per row
    return [_dated(Row(zip(names, values, strict=True)), dated) for values in fetched]


class SqliteReader:
    """A Reader over a sqlite3 connection."""

    dialect = "sqlite"

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def all(self, sql: str, **params: Any) -> list[Row]:
        cur = self.con.execute(sql, params)
        return rows_of([d[0] for d in cur.description or ()], cur.fetchall())

    def one(self, sql: str, **params: Any) -> Row | None:
        rows = self.all(sql, **params)
        return rows[0] if rows else None

    def scalar(self, sql: str, **params: Any) -> Any:
        row = self.con.execute(sql, params).fetchone()
        return None if row is None else row[0]


class AlchemyReader:
    """A Reader over a SQLAlchemy connection (Core): PostgreSQL, and a SQLite URL."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def all(self, sql: str, **params: Any) -> list[Row]:
        from sqlalchemy import text

        # fetched at once, the column names read once: row by row through mappings()
        # cost 6 us a row (1,800 rows of a 200-learner group view: 11 ms of 18)
        result = self.conn.execute(text(sql), params)
        return rows_of(list(result.keys()), result.fetchall())

    def one(self, sql: str, **params: Any) -> Row | None:
        rows = self.all(sql, **params)
        return rows[0] if rows else None

    def scalar(self, sql: str, **params: Any) -> Any:
        from sqlalchemy import text

        return self.conn.execute(text(sql), params).scalar()


@contextmanager
def open_reader(target: str | None = None, *, notify: Notify | None = None) -> Iterator[Reader]:
    """One read snapshot of the store named by `target` (path or URL; None: the default)."""
    resolved = paths.resolve_db(target)
    if paths.is_url(resolved):
        from coursetrack.store import postgres_reader

        if postgres_reader.plain_url(resolved):  # psycopg2 alone, as sqlite3 alone below
            with postgres_reader.snapshot(resolved) as plain:
                if plain is not None:
                    yield plain
                    return
    con = None if paths.is_url(resolved) else _fast_connection(Path(resolved).expanduser())
    if con is None:
        from coursetrack.store import open_store

        store = open_store(target, write=False, notify=notify)
        try:
            with store.read() as reader:
                yield reader
        finally:
            store.close()
        return
    try:
        try:
            con.execute("BEGIN")  # one snapshot for the whole command
        except sqlite3.Error as exc:
            raise StoreError(_sqlite_message(resolved, exc)) from None
        try:
            yield SqliteReader(con)
        except sqlite3.Error as exc:
            raise StoreError(_sqlite_message(resolved, exc)) from None
    finally:
        con.close()


def _fast_connection(path: Path) -> sqlite3.Connection | None:
    """A sqlite3 connection to an existing, up-to-date store at `path`; None to go the slow way.

    The slow way (SQLAlchemy) also makes every refusal's message, so anything
    unusual here simply returns None.
    """
    from coursetrack.atomic import follow
    from coursetrack.store.engine import busy_timeout
    from coursetrack.store.inspect import _check_ours, _identify, _read_only_uri, is_current
    from coursetrack.store.schema import SCHEMA_VERSION

    try:
        real = follow(path, shown=str(path), error=StoreError)
        if not is_current(real, str(path)):  # the header: confirmed by the connection below
            return None
    except StoreError:
        return None
    writable = os.access(real.parent, os.W_OK) and os.access(real, os.W_OK)
    try:
        if writable:
            con = sqlite3.connect(real, timeout=busy_timeout(), isolation_level=None)
        else:
            uri = _read_only_uri(real)
            con = sqlite3.connect(uri, uri=True, timeout=busy_timeout(), isolation_level=None)
    except (sqlite3.Error, StoreError):
        return None
    try:
        if _check_ours(str(path), *_identify(con)) != SCHEMA_VERSION:
            con.close()
            return None
    except (sqlite3.Error, StoreError):
        con.close()
        return None
    return con


def _sqlite_message(target: str, exc: sqlite3.Error) -> str:
    from coursetrack.store.engine import sqlite_message

    return sqlite_message(target, exc)
