"""Writing the store with plain SQL: what a write transaction hands the services.

A `Writer` is a `Reader` (the same read SQL, the same `Row`s) that also
changes rows. `Store.write` opens one per command, inside the transaction that
holds the write lock and records every change under the command (see
`Store.write`); the services call the store's own functions with it, and no
statement lives outside `store/`.

`info` carries what the transaction knows of itself: `command_id` (the row
the history triggers record under) and `seen` (a Reader on the store as the
user saw it, when another command changed it while this one waited: refs
are then resolved in both, see `refs.resolve`).

Three writers, as three readers: `SqliteWriter` over sqlite3 (a store file),
`PostgresWriter` over psycopg2 (an ordinary PostgreSQL store: see
`store.postgres_reader`), `AlchemyWriter` over SQLAlchemy Core (anything that
had to be migrated, refused or secured first, and a SQLite URL). The same SQL
runs on each.

Parameters are named (`:name`) on both engines. SQLite keeps dates as ISO
text, so a `datetime.date` parameter is written as its ISO form there, as the
models' `Date` columns always did; PostgreSQL's driver binds it as a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from coursetrack.store.postgres_reader import PostgresReader
from coursetrack.store.reader import AlchemyReader, Reader, SqliteReader

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import Connection


class Writer(Reader, Protocol):
    """A Reader that also writes, inside one command's transaction."""

    info: dict[str, Any]

    def execute(self, sql: str, **params: Any) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    def insert(self, sql: str, **params: Any) -> int:
        """Run an INSERT ... RETURNING id; the new row's id."""
        ...

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Run one statement for each row of parameters."""
        ...


def _sqlite_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """`params` with dates as SQLite keeps them (ISO text; no adapter of sqlite3's own)."""
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in params.items()
    }


class SqliteWriter(SqliteReader):
    """A Writer over a sqlite3 connection whose write transaction `Store.write` began."""

    def __init__(self, con: sqlite3.Connection) -> None:
        super().__init__(con)
        self.info: dict[str, Any] = {}

    def all(self, sql: str, **params: Any) -> list[Any]:
        return super().all(sql, **_sqlite_params(params))

    def scalar(self, sql: str, **params: Any) -> Any:
        return super().scalar(sql, **_sqlite_params(params))

    def execute(self, sql: str, **params: Any) -> int:
        return self.con.execute(sql, _sqlite_params(params)).rowcount

    def insert(self, sql: str, **params: Any) -> int:
        row = self.con.execute(sql, _sqlite_params(params)).fetchone()
        return int(row[0])

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
        self.con.executemany(sql, (_sqlite_params(row) for row in rows))


class PostgresWriter(PostgresReader):
    """A Writer over a psycopg2 connection whose write transaction `Store.write` began."""

    #: Statements sent per round trip by `executemany` (as psycopg2.extras.execute_batch).
    BATCH = 100

    def __init__(self, con: Any) -> None:
        super().__init__(con)
        self.info: dict[str, Any] = {}

    def execute(self, sql: str, **params: Any) -> int:
        return int(self._run(sql, params).rowcount)

    def insert(self, sql: str, **params: Any) -> int:
        return int(self._run(sql, params).fetchone()[0])

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
        batch = list(rows)
        spelled, cur = self._sql(sql), self.cur
        for start in range(0, len(batch), self.BATCH):
            try:
                joined = b";".join(
                    cur.mogrify(spelled, row) for row in batch[start : start + self.BATCH]
                )
            except ValueError as exc:  # the driver's refusal of a value (a NUL in text)
                import psycopg2

                raise psycopg2.DataError(str(exc)) from None
            cur.execute(joined)


class AlchemyWriter(AlchemyReader):
    """A Writer over a SQLAlchemy connection (Core, no ORM): PostgreSQL's writes, and a
    SQLite store named by a URL (whose options are SQLAlchemy's to honour)."""

    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self.info: dict[str, Any] = {}

    def _bind(self, params: Mapping[str, Any]) -> Mapping[str, Any]:
        return _sqlite_params(params) if self.dialect == "sqlite" else params

    def all(self, sql: str, **params: Any) -> list[Any]:
        return super().all(sql, **self._bind(params))

    def scalar(self, sql: str, **params: Any) -> Any:
        return super().scalar(sql, **self._bind(params))

    def execute(self, sql: str, **params: Any) -> int:
        from sqlalchemy import text

        return self.conn.execute(text(sql), self._bind(params)).rowcount

    def insert(self, sql: str, **params: Any) -> int:
        from sqlalchemy import text

        return int(self.conn.execute(text(sql), self._bind(params)).scalar_one())

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
        from sqlalchemy import text

        batch = [self._bind(row) for row in rows]
        if batch:
            self.conn.execute(text(sql), batch)
