"""Opening the store: `open_store` and the `Store` it returns (see the package's docstring).

Kept out of `store/__init__.py` so that importing any module of the package
(shell completion imports `store.queries` and `store.inspect` on every Tab)
does not import the engines, the group's security and the migrations too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursetrack import paths
from coursetrack.errors import StoreError
from coursetrack.store import recording, schema, triggers
from coursetrack.store.engine import (
    Notify,
    _make_engine,
    _translate_errors,
)
from coursetrack.store.inspect import (
    _URL_HELP,
    _backup,
    _inspect_file,
    _parse_url,
    _postgres_url,
    _read_only_file_system,
    _read_url,
    _sqlite_file,
    is_current,
    url_secrets,
)

if TYPE_CHECKING:
    from sqlalchemy import URL, Connection, Engine

    from coursetrack.store.postgres_reader import PostgresReader
    from coursetrack.store.reader import AlchemyReader, Reader, SqliteReader
    from coursetrack.store.writer import PostgresWriter, SqliteWriter, Writer


class Store:
    """An opened store: the engine plus where it came from.

    `target` is how messages name the store: as the user typed it, any password
    masked; `secrets` are the password's spellings, masked in every error too.
    """

    def __init__(
        self,
        target: str,
        engine: Engine | None,
        *,
        exists: bool,
        secrets: tuple[str, ...] = (),
        path: Path | None = None,
        postgres: tuple[str, Any] | None = None,
    ) -> None:
        self.target = target
        self._engine = engine
        self.exists = exists
        self.secrets = secrets
        #: The SQLite file a write opens with the standard library's sqlite3 alone (a
        #: store named by a path; a URL's options are SQLAlchemy's to honour).
        self.path = path
        #: An ordinary PostgreSQL store, read and written with psycopg2 alone: its URL as
        #: given (password and all), and the idle connection its opening used, which the
        #: first transaction takes (`_connection`). See `store.postgres_reader`.
        self._postgres_url: str | None = postgres[0] if postgres else None
        self._spare: Any = postgres[1] if postgres else None
        self._wal: bool | None = None
        self.notify: Notify | None = None  # told when a write waits for another

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine: made on first use, as a write to an up-to-date SQLite
        file, or to an ordinary PostgreSQL store, needs none."""
        if self._engine is None:
            if self._postgres_url is not None:
                url, _ = _parse_url(self._postgres_url)
                self._engine = _make_engine(_postgres_url(url, self.target), self.target)
            else:
                assert self.path is not None
                self._engine = _make_engine(_read_url(self.path, write=True), self.target)
        return self._engine

    def close(self) -> None:
        """Close every pooled connection.

        A process that runs several commands (tests, a library user) must not
        keep connections open between them: a later plain open()/close() of the
        file, as `_inspect_file` does, would drop this process's POSIX locks on
        it and let another process checkpoint the WAL underneath them.
        """
        if self._spare is not None:
            self._spare.close()
            self._spare = None
        if self._engine is not None:
            self._engine.dispose()

    @property
    def dialect(self) -> str:
        """The engine: "sqlite" or "postgresql"."""
        if self._postgres_url is not None:
            return "postgresql"
        return "sqlite" if self._engine is None else self._engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Reader]:
        """One read transaction: on PostgreSQL a single snapshot (REPEATABLE READ, READ ONLY);
        on a SQLite file opened for writing, or an ordinary PostgreSQL store, through the
        driver alone as its write will be."""
        with self._errors(reading=True):
            if self._postgres_url is not None:
                snapshot: contextlib.AbstractContextManager[Reader] = self._postgres_snapshot()
            elif self.path is None:
                snapshot = self._snapshot()
            else:
                snapshot = self._plain_snapshot()
            with snapshot as reader:
                yield reader

    def _connection(self) -> Any:
        """A psycopg2 connection to the ordinary PostgreSQL store, idle, in autocommit: the
        opening's own the first time, a new one after."""
        from coursetrack.store import postgres_reader

        con, self._spare = self._spare, None
        if con is None or con.closed:
            assert self._postgres_url is not None
            con = postgres_reader.connect(self._postgres_url)
        return con

    @contextmanager
    def _postgres_snapshot(self, *, patient: bool = False) -> Iterator[PostgresReader]:
        """`_snapshot` over psycopg2 alone (an ordinary PostgreSQL store)."""
        from coursetrack.store import postgres_reader

        con = self._connection()
        try:
            postgres_reader.begin_read(con, patient=patient)
            yield postgres_reader.PostgresReader(con)
        finally:
            con.close()

    @contextmanager
    def _plain_snapshot(self) -> Iterator[SqliteReader]:
        """A read of the SQLite file through sqlite3 alone, one snapshot from its first read."""
        from coursetrack.store.engine import connect_sqlite
        from coursetrack.store.reader import SqliteReader

        assert self.path is not None
        con, _ = connect_sqlite(self.path, self.target)
        try:
            con.execute("BEGIN")
            yield SqliteReader(con)
        finally:
            con.close()

    @contextmanager
    def _snapshot(self, *, patient: bool = False) -> Iterator[AlchemyReader]:
        """`read` without its error translation; `patient`: the snapshot a write keeps of
        the store as the user saw it, which waits for a lock as long as the write does."""
        from coursetrack.store.reader import AlchemyReader

        bind = self.engine
        if self.dialect == "postgresql":
            bind = bind.execution_options(
                isolation_level="REPEATABLE READ",
                postgresql_readonly=True,
                coursetrack_patient=patient,
            )
        with bind.connect() as conn:
            reader = AlchemyReader(conn)
            try:
                conn.begin()
                yield reader
            finally:
                if conn.in_transaction():
                    conn.rollback()

    @contextmanager
    def administer(self) -> Iterator[Connection]:
        """One transaction outside the history: a study group's roles and grants
        (`group init|add`) are the server's business, not a learner's record to undo."""
        with self._errors(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def write(
        self, command: str = "(library call)", *, seen: Reader | None = None
    ) -> Iterator[Writer]:
        """One transaction that holds the write lock from its first statement.

        `command` is the line the user typed; every row the transaction changes
        is recorded under it (see `triggers.bind_command`), which is what `log`
        lists and `undo` reverts. A command that changed nothing leaves no row
        (`recording.forget_if_unchanged`, on every path here), so `undo` always takes back
        a real change and `log` lists only what changed the record.

        `seen` is the store as the user saw it: a read opened before the lock
        was asked for (the CLI passes the one it asked its question in;
        otherwise one is opened here). If another command changed the store
        while this one waited, the writer keeps `seen` in `info["seen"]`, and
        `refs.resolve` refuses a ref that names another row now than it did
        then: a command acts on what the user named, or on nothing.
        """
        if self.path is not None:
            with self._errors(), self._write_sqlite(command, seen=seen) as sqlite_writer:
                yield sqlite_writer
            return
        if self._postgres_url is not None:
            with self._errors(), self._write_postgres(command, seen=seen) as postgres_writer:
                yield postgres_writer
            return
        from coursetrack.store.writer import AlchemyWriter

        bind = self.engine.execution_options(sqlite_begin="IMMEDIATE", on_wait=self.notify)
        with contextlib.ExitStack() as stack:
            stack.enter_context(self._errors())
            if not self._snapshots():
                if seen is not None:
                    _end_read(seen)  # without WAL its read lock would block our commit
                seen = None
            elif seen is None:
                seen = stack.enter_context(self._snapshot(patient=True))
            mark = recording.last_change(seen) if seen is not None else None
            conn = stack.enter_context(bind.connect())
            stack.enter_context(conn.begin())
            writer = AlchemyWriter(conn)
            command_id = recording.start(writer, command, seen=seen, mark=mark)
            # the history triggers record this transaction's changes under this command
            triggers.bind_command(conn, command_id)
            yield writer
            recording.forget_if_unchanged(writer, command_id)

    @contextmanager
    def _write_sqlite(self, command: str, *, seen: Reader | None) -> Iterator[SqliteWriter]:
        """`write` on a SQLite file through the standard library's sqlite3 alone.

        The same transaction as through SQLAlchemy: the connection prepared as
        every one of ours (`engine.prepare_sqlite`), `BEGIN IMMEDIATE` saying
        when it waits, the command's row, the history bound to it and unbound
        inside the commit (`triggers.bind_command`), the snapshot of what the user
        saw. A write imports no SQLAlchemy, SQLModel or pydantic: most of what
        a command cost.
        """
        from coursetrack.store.engine import begin_immediate, connect_sqlite
        from coursetrack.store.writer import SqliteWriter

        assert self.path is not None
        con, mode = connect_sqlite(self.path, self.target)
        with contextlib.closing(con), contextlib.ExitStack() as stack:
            if mode != "wal":
                if seen is not None:
                    _end_read(seen)  # without WAL its read lock would block our commit
                seen = None
            elif seen is None:
                seen = stack.enter_context(self._plain_snapshot())
            mark = recording.last_change(seen) if seen is not None else None
            begin_immediate(con, self.notify)
            writer = SqliteWriter(con)
            try:
                command_id = recording.start(writer, command, seen=seen, mark=mark)
                writer.execute(triggers.BIND_SQLITE, command_id=command_id)
                yield writer
                recording.forget_if_unchanged(writer, command_id)
                con.execute(triggers.UNBIND_SQLITE)  # inside the commit: see bind_command
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise

    @contextmanager
    def _write_postgres(self, command: str, *, seen: Reader | None) -> Iterator[PostgresWriter]:
        """`write` on an ordinary PostgreSQL store through psycopg2 alone.

        The same transaction as through SQLAlchemy (`engine._make_postgres_engine`):
        the session settings and, in the same round trip, whether the store's writers
        take a study group's own lock (`group.write_gate`) or the advisory one; the
        lock, saying who holds it when it waits (`engine.take_write_lock`); the
        snapshot of what the user saw; the command's row and the history bound to it
        (a transaction-local setting, gone with the transaction). A write imports
        no SQLAlchemy, SQLModel or pydantic, as on SQLite.
        """
        from coursetrack.store.engine import (
            _HAS_GATE,
            _SESSION_SETTINGS,
            _lock_ms,
            busy_timeout,
            take_write_lock,
        )
        from coursetrack.store.writer import PostgresWriter

        with contextlib.ExitStack() as stack:
            if seen is None:
                seen = stack.enter_context(self._postgres_snapshot(patient=True))
            mark = recording.last_change(seen)
            con = self._connection()
            stack.callback(con.close)
            total = busy_timeout()
            cur = con.cursor()
            cur.execute(f"BEGIN; {_SESSION_SETTINGS}{_HAS_GATE}", {"lock_ms": str(_lock_ms(total))})
            gate = bool(cur.fetchone()[-1])
            try:
                take_write_lock(con, self.notify, total, gate=gate, who=self._holders)
                writer = PostgresWriter(con)
                command_id = recording.start(writer, command, seen=seen, mark=mark)
                writer.scalar(triggers.BIND_POSTGRES, command_id=str(command_id))
                yield writer
                recording.forget_if_unchanged(writer, command_id)
                cur.execute("COMMIT")
            except BaseException:
                if not con.closed and con.info.transaction_status != _IDLE:
                    with contextlib.suppress(Exception):  # the error to report is the first
                        cur.execute("ROLLBACK")
                raise

    def _holders(self) -> str | None:
        """Who holds the store, for a write over psycopg2 that waits (a rare path: asked on
        a connection of SQLAlchemy's, which names them as for any other write)."""
        from coursetrack.store import sessions

        return sessions.name_holders(self.engine)

    def _errors(self, *, reading: bool = False) -> contextlib.AbstractContextManager[None]:
        """Driver errors as one line; on PostgreSQL a lock that ran out names its holder."""
        engine: Engine | Callable[[], Engine] | None = None
        if self._postgres_url is not None:
            engine = lambda: self.engine  # noqa: E731  (made only for that message)
        elif self.dialect == "postgresql":
            engine = self.engine
        return _translate_errors(self.target, self.secrets, engine=engine, reading=reading)

    def _snapshots(self) -> bool:
        """Whether a reader can keep its view of the store while this process writes.

        On SQLite only in WAL mode, and only with a connection of its own (an
        in-memory store shares one); always on PostgreSQL, whose readers never
        block a writer.
        """
        from sqlalchemy.pool import SingletonThreadPool, StaticPool

        if self.dialect == "postgresql":
            return True
        if self._wal is None:
            shared = isinstance(self.engine.pool, SingletonThreadPool | StaticPool)
            if shared or self.dialect != "sqlite":
                self._wal = False
                return False
            with self.engine.connect() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            self._wal = str(mode).lower() == "wal"
        return self._wal


#: psycopg2's TRANSACTION_STATUS_IDLE: no transaction open on the connection.
_IDLE = 0


def _end_read(reader: Reader) -> None:
    """End a read's transaction (and the read lock it holds on SQLite)."""
    conn = getattr(reader, "conn", None)
    if conn is not None:
        if conn.in_transaction():
            conn.rollback()
        return
    con = getattr(reader, "con", None)
    if con is not None and con.in_transaction:
        con.execute("ROLLBACK")


def open_store(
    target: str | None = None,
    *,
    write: bool,
    notify: Notify | None = None,
    learner: bool = True,
) -> Store:
    """Open the store named by `target` (path, SQLite or PostgreSQL URL; None: the default).

    `learner`: the command keeps a learner's record, so a study group's store
    refuses a role that row-level security does not hold (a superuser would
    read and change every learner's rows as one). Only the group's own
    administration (`group init|add`) and `whoami` open it with False.

    For reading, a store that does not exist yet is an empty one in memory, so
    `status` on a new machine creates no file. For writing, the directory and
    the file are created and the schema brought up to date. A PostgreSQL
    database must exist already (the server's administrator creates it); its
    schema is made by the first write.
    """
    target = paths.resolve_db(target)
    if not paths.is_url(target):
        file = Path(target).expanduser()
        return _open_file(file, shown=str(file), write=write, notify=notify)
    if write and learner:
        plain = _open_postgres_plain(target)
        if plain is not None:
            return plain
    url, shown = _parse_url(target)
    backend = url.get_backend_name()
    if backend == "postgresql":
        return _open_postgres(
            _postgres_url(url, shown), shown, write=write, learner=learner, notify=notify
        )
    if backend != "sqlite" or url.get_driver_name() != "pysqlite":
        raise StoreError(f"unknown kind of store URL {shown}; {_URL_HELP}")
    path = _sqlite_file(url, shown)
    if path is None:  # in memory: nothing on disk to check
        with _translate_errors(shown):
            engine = _make_engine(url, shown)
            schema.migrate(engine, shown=shown)
        return Store(shown, engine, exists=True)
    return _open_file(path, shown=shown, url=url, write=write, notify=notify)


def _open_postgres_plain(target: str) -> Store | None:
    """A learner's write on an ordinary PostgreSQL store, opened with psycopg2 alone (see
    `store.postgres_reader`); None for any other: `_open_postgres` opens it then, and
    migrates, secures or refuses it in its own words."""
    from coursetrack.store import postgres_reader
    from coursetrack.store.inspect import mask_url

    if not postgres_reader.plain_url(target):
        return None
    shown, secrets = mask_url(target), postgres_reader.secrets_of(target)
    with _translate_errors(shown, secrets):
        con = postgres_reader.ordinary_connection(target)
    if con is None:
        return None
    return Store(shown, None, exists=True, secrets=secrets, postgres=(target, con))


def _open_postgres(
    url: URL, shown: str, *, write: bool, learner: bool = True, notify: Notify | None = None
) -> Store:
    """Open a PostgreSQL store, creating or upgrading its schema first.

    As with a file, reading an empty database creates nothing: it reads as an
    empty store (in memory). `schema.migrate` serializes migrations between
    processes itself (its own advisory lock); a store that is up to date is
    only read. Every message names the store as `shown`, password masked.

    A study group's store made or last secured by an older coursetrack is
    brought up to date by its owner's command (the schema, which re-applies the
    group's security, or the security alone), each in a transaction of its own
    before the command's; anyone else's is refused, naming the owner, as is a
    learner's command from a role that row-level security does not hold.
    """
    from coursetrack.store import group

    secrets = url_secrets(url)
    with _translate_errors(shown, secrets):
        engine = _make_engine(url, shown)
        try:
            # one round trip learns what the store is, its group, and whether this role
            # may keep a record in it; an up-to-date store then needs no other before
            # the command
            state = None
            with engine.connect() as conn, conn.begin():
                version = schema.store_version(conn, shown)
                if version is not None:
                    state = group.opening(conn)
                    group.refuse_on_opening(
                        state, shown, version=version, needs=schema.SCHEMA_VERSION, learner=learner
                    )
            if version is None and not write:
                engine.dispose()
                engine = _make_engine("sqlite://")
                schema.migrate(engine)
                return Store(shown, engine, exists=False, secrets=secrets)
            if version is None or version < schema.SCHEMA_VERSION:
                _tell(notify, shown, schema.migrate(engine, shown=shown))
            elif state is not None and state.may_apply and group.behind(state):
                with engine.connect() as conn, conn.begin():
                    was = group.bring_up_to_date(conn)
                if was is not None and notify is not None:
                    notify(
                        f"brought the study group's security up to date (version {was} "
                        f"to {group.SECURITY_VERSION})"
                    )
        except BaseException:
            engine.dispose()
            raise
    return Store(shown, engine, exists=True, secrets=secrets)


def _open_file(
    path: Path,
    *,
    shown: str,
    url: URL | None = None,
    write: bool,
    notify: Notify | None,
) -> Store:
    """Open the store file at `path` (through `url` when the user gave one)."""
    from coursetrack.atomic import follow

    real = follow(path, shown=shown, error=StoreError)  # a planted or dangling link is refused
    # A write to an up-to-date store goes through sqlite3 alone (`Store._write_sqlite`),
    # whose connection checks what it opened (`engine.prepare_sqlite`): the header will do.
    current = write and url is None and is_current(real, shown)
    version = schema.SCHEMA_VERSION if current else _inspect_file(real, shown)
    if version is None and not write:
        engine = _make_engine("sqlite://")
        schema.migrate(engine, shown=shown)
        return Store(shown, engine, exists=False)
    if write and version is not None and _read_only_file_system(real):
        raise StoreError(
            f"the store {shown} is on a read-only file system; nothing was changed "
            "(reading and exporting it still work)"
        )
    if write and version is None and _read_only_file_system(real.parent):
        raise StoreError(
            f"cannot create the store {shown}: its folder is on a read-only file system; "
            "use --db to put the store elsewhere"
        )
    plain = write and url is None  # a path: written through sqlite3 alone (`_write_sqlite`)
    if plain and version == schema.SCHEMA_VERSION:  # up to date: nothing for SQLAlchemy to do
        return Store(shown, None, exists=True, path=real)
    if write:
        try:
            real.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the store's directory {path.parent}: {exc.strerror}; "
                "use --db to put the store elsewhere"
            ) from None
    if plain and version is None:
        with _translate_errors(shown):
            if _create_plain(real, shown):  # a new store, made with sqlite3 alone
                return Store(shown, None, exists=True, path=real)
    with _translate_errors(shown):
        engine = _make_engine(_read_url(real, write=write, given=url), shown)
        if version is not None and version < schema.SCHEMA_VERSION:
            saved = _backup(real, version)
            if notify:
                notify(
                    f"upgrading {shown} from schema {version} to {schema.SCHEMA_VERSION}; "
                    f"a copy of the old store is at {saved}"
                )
        _tell(notify, shown, schema.migrate(engine, shown=shown))
    return Store(shown, engine, exists=True, path=real if plain else None)


def _create_plain(path: Path, shown: str) -> bool:
    """Make a new store at `path` with the statements `store.new_sqlite` holds, in one
    transaction that holds the write lock; False (nothing done) when another process
    made one there first, or when those statements are not this schema's (then the
    steps make it, through SQLAlchemy, as for any store)."""
    from coursetrack.store import new_sqlite, sync_schema
    from coursetrack.store.engine import connect_sqlite

    if new_sqlite.VERSION != schema.SCHEMA_VERSION:
        return False
    con, _ = connect_sqlite(path, shown)
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            if con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                con.execute("ROLLBACK")
                return False  # another process made it meanwhile: open it as it is
            for statement in new_sqlite.STATEMENTS:
                con.execute(statement)
            con.execute(sync_schema.INSERT_SYNC_STATE, sync_schema.new_replica())
            con.execute(f"PRAGMA application_id = {int(new_sqlite.APPLICATION_ID)}")
            con.execute(f"PRAGMA user_version = {int(new_sqlite.VERSION)}")
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return True


def _tell(notify: Notify | None, shown: str, mended: list[str]) -> None:
    """Say what an upgrade did to rows that broke a rule of the record (`store.fixups`)."""
    if notify:
        for line in mended:
            notify(f"upgrading {shown}: {line}")
