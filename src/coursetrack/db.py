"""The one place that opens the store.

Every connection gets foreign keys, WAL and a busy timeout. The pysqlite
driver's own implicit transactions are switched off so that coursetrack says
when a transaction begins: reads with a plain `BEGIN`, writes with
`BEGIN IMMEDIATE`. Taking the write lock up front is what keeps two processes
writing at once from losing an update or failing half-way with "database is
locked"; the second simply waits for the first.

The schema is versioned with `PRAGMA user_version` and upgraded by the ordered
`MIGRATIONS` below, each applied once in its own transaction. A store that
holds data is copied aside with SQLite's backup API before it is upgraded.

SQLAlchemy and SQLModel are imported inside the functions that need them:
shell completion reads the store through `complete_refs`, which needs only the
standard library's sqlite3, and must answer on every Tab without paying for them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from coursetrack import paths
from coursetrack.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine
    from sqlalchemy.engine import Connection
    from sqlalchemy.exc import DBAPIError
    from sqlmodel import Session

#: Written into every store's header (`PRAGMA application_id`) so that a
#: coursetrack store can be told apart from any other SQLite file.
APPLICATION_ID = 0x43547263  # "CTrc"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_ENV = "COURSETRACK_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0
MAX_BUSY_TIMEOUT = 24 * 3600.0

Notify = Callable[[str], None]


def _m001_initial(conn: Connection) -> None:
    """The first released schema: catalog tables and one progress table."""
    for statement in (
        """CREATE TABLE specialization (
            id INTEGER PRIMARY KEY,
            slug VARCHAR NOT NULL UNIQUE,
            title VARCHAR NOT NULL,
            provider VARCHAR,
            url VARCHAR,
            description VARCHAR,
            certificate_url VARCHAR
        )""",
        """CREATE TABLE course (
            id INTEGER PRIMARY KEY,
            specialization_id INTEGER NOT NULL
                REFERENCES specialization (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            slug VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            description VARCHAR,
            url VARCHAR,
            certificate_url VARCHAR,
            UNIQUE (specialization_id, slug)
        )""",
        "CREATE INDEX ix_course_specialization_id ON course (specialization_id, position)",
        """CREATE TABLE topic (
            id INTEGER PRIMARY KEY,
            course_id INTEGER NOT NULL REFERENCES course (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            slug VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            description VARCHAR,
            url VARCHAR,
            UNIQUE (course_id, slug)
        )""",
        "CREATE INDEX ix_topic_course_id ON topic (course_id, position)",
        """CREATE TABLE progress (
            id INTEGER PRIMARY KEY,
            specialization_id INTEGER UNIQUE
                REFERENCES specialization (id) ON DELETE CASCADE,
            course_id INTEGER UNIQUE REFERENCES course (id) ON DELETE CASCADE,
            topic_id INTEGER UNIQUE REFERENCES topic (id) ON DELETE CASCADE,
            status VARCHAR NOT NULL DEFAULT 'todo'
                CHECK (status IN ('todo', 'in-progress', 'done')),
            started_on DATE,
            completed_on DATE,
            note VARCHAR,
            CHECK ((specialization_id IS NOT NULL) + (course_id IS NOT NULL)
                   + (topic_id IS NOT NULL) = 1)
        )""",
    ):
        conn.exec_driver_sql(statement)


#: The columns each tracked table had when its history triggers were made.
_TRACKED_V2 = {
    "specialization": ("id", "slug", "title", "provider", "url", "description", "certificate_url"),
    "course": (
        "id", "specialization_id", "position", "slug", "title", "description", "url",
        "certificate_url",
    ),
    "topic": ("id", "course_id", "position", "slug", "title", "description", "url"),
    "progress": (
        "id", "specialization_id", "course_id", "topic_id", "status", "started_on",
        "completed_on",
    ),
    "note": ("id", "specialization_id", "course_id", "topic_id", "written_on", "text"),
    "link": ("id", "specialization_id", "course_id", "topic_id", "url", "title", "added_on"),
    "review": ("id", "topic_id", "reviewed_on", "grade", "interval_days", "due_on"),
    "goal": ("id", "specialization_id", "target_on"),
}  # fmt: skip


def _history_triggers(conn: Connection, tracked: dict[str, tuple[str, ...]]) -> None:
    """Record every row change in `change`, under the newest `command` row.

    Triggers see what the ORM does not: ON DELETE CASCADE and bulk UPDATEs.
    A write with no command row fails (change.command_id is NOT NULL), so
    nothing can change the store without a trace.
    """
    for table, columns in tracked.items():
        for op in ("insert", "update", "delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS history_{table}_{op}")

        def row(alias: str, columns: tuple[str, ...] = columns) -> str:
            pairs = ", ".join(f"'{c}', {alias}.{c}" for c in columns)
            return f"json_object({pairs})"

        head = "INSERT INTO change (command_id, table_name, row_id, op, old, new) VALUES "
        latest = "(SELECT max(id) FROM command)"
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_insert AFTER INSERT ON {table} BEGIN "
            f"{head}({latest}, '{table}', NEW.id, 'insert', NULL, {row('NEW')}); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_update AFTER UPDATE ON {table} "
            f"WHEN {row('OLD')} IS NOT {row('NEW')} BEGIN "
            f"{head}({latest}, '{table}', NEW.id, 'update', {row('OLD')}, {row('NEW')}); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER history_{table}_delete AFTER DELETE ON {table} BEGIN "
            f"{head}({latest}, '{table}', OLD.id, 'delete', {row('OLD')}, NULL); END"
        )


def _m002_history_notes_links_reviews_goals(conn: Connection) -> None:
    """History for undo and log; dated notes (replacing progress.note), links, reviews, goals."""
    owner = """
            specialization_id INTEGER REFERENCES specialization (id) ON DELETE CASCADE,
            course_id INTEGER REFERENCES course (id) ON DELETE CASCADE,
            topic_id INTEGER REFERENCES topic (id) ON DELETE CASCADE,"""
    one_owner = """CHECK ((specialization_id IS NOT NULL) + (course_id IS NOT NULL)
                   + (topic_id IS NOT NULL) = 1)"""
    for statement in (
        """CREATE TABLE command (
            id INTEGER PRIMARY KEY,
            at VARCHAR NOT NULL,
            line VARCHAR NOT NULL,
            undoes INTEGER REFERENCES command (id),
            undone_by INTEGER REFERENCES command (id)
        )""",
        """CREATE TABLE change (
            id INTEGER PRIMARY KEY,
            command_id INTEGER NOT NULL REFERENCES command (id),
            table_name VARCHAR NOT NULL,
            row_id INTEGER NOT NULL,
            op VARCHAR NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            old VARCHAR,
            new VARCHAR
        )""",
        "CREATE INDEX ix_change_command_id ON change (command_id)",
        f"""CREATE TABLE note (
            id INTEGER PRIMARY KEY,{owner}
            written_on DATE NOT NULL,
            text VARCHAR NOT NULL,
            {one_owner}
        )""",
        f"""CREATE TABLE link (
            id INTEGER PRIMARY KEY,{owner}
            url VARCHAR NOT NULL,
            title VARCHAR,
            added_on DATE NOT NULL,
            {one_owner}
        )""",
        """CREATE TABLE review (
            id INTEGER PRIMARY KEY,
            topic_id INTEGER NOT NULL REFERENCES topic (id) ON DELETE CASCADE,
            reviewed_on DATE NOT NULL,
            grade VARCHAR NOT NULL CHECK (grade IN ('again', 'hard', 'good', 'easy')),
            interval_days INTEGER NOT NULL,
            due_on DATE NOT NULL
        )""",
        """CREATE TABLE goal (
            id INTEGER PRIMARY KEY,
            specialization_id INTEGER NOT NULL UNIQUE
                REFERENCES specialization (id) ON DELETE CASCADE,
            target_on DATE NOT NULL
        )""",
    ):
        conn.exec_driver_sql(statement)
    for table in ("note", "link"):
        for column in ("specialization_id", "course_id", "topic_id"):
            conn.exec_driver_sql(f"CREATE INDEX ix_{table}_{column} ON {table} ({column})")
    conn.exec_driver_sql("CREATE INDEX ix_review_topic_id ON review (topic_id, reviewed_on)")
    # Schema 1 kept one free-text note per item; it becomes the first dated note
    # (dated when the item was finished or started, else today).
    from coursetrack.dates import today

    conn.exec_driver_sql(
        """INSERT INTO note (specialization_id, course_id, topic_id, written_on, text)
           SELECT specialization_id, course_id, topic_id,
                  coalesce(completed_on, started_on, ?), note
           FROM progress WHERE note IS NOT NULL AND trim(note) != '' ORDER BY id""",
        (today().isoformat(),),
    )
    conn.exec_driver_sql("ALTER TABLE progress DROP COLUMN note")
    _history_triggers(conn, _TRACKED_V2)


def _m003_change_row_index(conn: Connection) -> None:
    """Find a row's history by (table, row id).

    `undo` asks whether a later command changed any row it would revert; without
    this index that is a scan of the whole history per row, minutes under the
    write lock once a store holds a big program.
    """
    conn.exec_driver_sql("CREATE INDEX ix_change_row ON change (table_name, row_id, command_id)")


#: Ordered schema changes; the store's user_version is how many have run.
#: Never edit a released entry: append a new one.
MIGRATIONS: list[Callable[[Connection], None]] = [
    _m001_initial,
    _m002_history_notes_links_reviews_goals,
    _m003_change_row_index,
]
SCHEMA_VERSION = len(MIGRATIONS)


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
        busy = "locked" in str(exc) or "busy" in str(exc)
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


def _inspect_file(path: Path, shown: str | None = None) -> int | None:
    """The schema version of the coursetrack store at `path`; None for a new store.

    Opens the file read-only, so a file that is refused is left untouched, and
    refuses anything that is not a regular file before reading it: a FIFO would
    block the open forever, a device would be read (or written) as a store.
    Messages name the store as the user did (`shown`).
    """
    where = shown or str(path)
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None  # a new store (a folder in the way is reported on creating it)
    except OSError as exc:
        raise StoreError(f"cannot read the store {where}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{where} is a directory, not a store file; give a file path to --db")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            f"{where} is not a regular file (it is a {_file_kind(info.st_mode)}), so not a "
            "store; point --db or COURSETRACK_DB at a file"
        )
    try:
        # O_NONBLOCK: should a FIFO replace the file meanwhile, the open still returns
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise StoreError(f"{where} is not a regular file, so not a store")
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"cannot read the store {where}: {exc.strerror}") from None
    if not header:
        return None  # an empty file: SQLite treats it as a new database
    if header != SQLITE_MAGIC:
        raise StoreError(
            f"{where} is not a SQLite database, so not a coursetrack store; "
            "point --db or COURSETRACK_DB at another file"
        )
    try:
        con = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            app_id, version, tables = _identify(con)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read the store {where}: {exc}") from None
    return _check_ours(where, app_id, version, tables)


def _file_kind(mode: int) -> str:
    for test, word in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return word
    return "special file"


def _identify(con: sqlite3.Connection) -> tuple[int, int, int]:
    """(application_id, user_version, number of schema objects) of an open database."""
    app_id = con.execute("PRAGMA application_id").fetchone()[0]
    version = con.execute("PRAGMA user_version").fetchone()[0]
    tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return app_id, version, tables


def _check_ours(where: str, app_id: int, version: int, tables: int) -> int | None:
    """The store's schema version; None for an empty database; refuse anyone else's."""
    if app_id != APPLICATION_ID:
        if app_id == 0 and tables == 0:
            return None
        raise StoreError(
            f"{where} is a SQLite database but not a coursetrack store; "
            "point --db or COURSETRACK_DB at another file"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where} was written by a newer coursetrack (schema {version}, this one reads "
            f"up to {SCHEMA_VERSION}); upgrade coursetrack to use it"
        )
    return version


def _backup(path: Path, version: int) -> Path:
    """Copy the store aside, consistently, before an upgrade touches it."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.schema{version}-{stamp}.bak")
    n = 1
    while os.path.lexists(target):  # never write over an earlier copy, nor through a link
        n += 1
        target = path.with_name(f"{path.name}.schema{version}-{stamp}-{n}.bak")
    try:
        src = sqlite3.connect(path)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise StoreError(
            f"cannot copy the store {path} aside before upgrading it ({exc}); nothing was "
            "changed: free some space or make its folder writable, then run the command again"
        ) from None
    return target


def _migrate(engine: Engine) -> None:
    """Bring the store up to SCHEMA_VERSION, one transaction per migration.

    A store that is up to date is only read, never locked: taking the write
    lock here would make every `status` wait behind a long `import`.
    """
    with engine.connect() as plain:
        with plain.begin():
            current = plain.exec_driver_sql("PRAGMA user_version").scalar_one()
        if current >= SCHEMA_VERSION:
            return
        conn = plain.execution_options(sqlite_begin="IMMEDIATE")
        for index in range(SCHEMA_VERSION):
            target = index + 1
            with conn.begin():
                current = conn.exec_driver_sql("PRAGMA user_version").scalar_one()
                if current >= target:
                    continue
                MIGRATIONS[index](conn)
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.exec_driver_sql(f"PRAGMA user_version = {target}")


class Store:
    """An opened store: the engine plus where it came from."""

    def __init__(self, target: str, engine: Engine, *, exists: bool) -> None:
        self.target = target
        self.engine = engine
        self.exists = exists
        self._wal: bool | None = None
        self.notify: Notify | None = None  # told when a write waits for another

    def close(self) -> None:
        """Close every pooled connection.

        A process that runs several commands (tests, a library user) must not
        keep connections open between them: a later plain open()/close() of the
        file, as `_inspect_file` does, would drop this process's POSIX locks on
        it and let another process checkpoint the WAL underneath them.
        """
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        from sqlmodel import Session

        with _translate_errors(self.target), Session(self.engine) as session:
            yield session

    @contextmanager
    def write(
        self, command: str = "(library call)", *, seen: Session | None = None
    ) -> Iterator[Session]:
        """One transaction that holds the write lock from its first statement.

        `command` is the line the user typed; every row the transaction changes
        is recorded under it (see `_history_triggers`), which is what `log` lists
        and `undo` reverts. A command that changed nothing is kept too, so that
        N undos always revert the last N commands.

        `seen` is the store as the user saw it: a read session opened before the
        lock was asked for (the CLI passes the one it asked its question in;
        otherwise one is opened here). If another command changed the store
        while this one waited, the session keeps `seen` in `info["seen"]`, and
        `refs.resolve` refuses a ref that names another row now than it did
        then: a command acts on what the user named, or on nothing.
        """
        from sqlmodel import Session

        from coursetrack.dates import stamp
        from coursetrack.models import Command

        bind = self.engine.execution_options(sqlite_begin="IMMEDIATE", on_wait=self.notify)
        with contextlib.ExitStack() as stack:
            stack.enter_context(_translate_errors(self.target))
            if not self._snapshots():
                if seen is not None:
                    seen.rollback()  # without WAL its read lock would block our commit
                seen = None
            elif seen is None:
                seen = stack.enter_context(self.read())
            mark = _last_change(seen) if seen is not None else None
            session = stack.enter_context(Session(bind))
            stack.enter_context(session.begin())
            if seen is not None and _last_change(session) != mark:
                session.info["seen"] = seen
            record = Command(at=stamp(), line=command)
            session.add(record)
            session.flush()
            session.info["command_id"] = record.id
            yield session

    def _snapshots(self) -> bool:
        """Whether a reader can keep its view of the store while this process writes.

        Only in WAL mode, and only with a connection of its own (an in-memory
        store shares one).
        """
        from sqlalchemy.pool import SingletonThreadPool, StaticPool

        if self._wal is None:
            shared = isinstance(self.engine.pool, SingletonThreadPool | StaticPool)
            if shared or self.engine.dialect.name != "sqlite":
                self._wal = False
                return False
            with self.engine.connect() as conn:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            self._wal = str(mode).lower() == "wal"
        return self._wal


def _last_change(session: Session) -> int | None:
    """The newest history row: every write to a tracked table adds one (see the triggers)."""
    from sqlalchemy import text

    return session.connection().execute(text("SELECT max(id) FROM change")).scalar()


def open_store(target: str | None = None, *, write: bool, notify: Notify | None = None) -> Store:
    """Open the store named by `target` (path or URL; None: the default).

    For reading, a store that does not exist yet is an empty one in memory, so
    `status` on a new machine creates no file. For writing, the directory and
    the file are created and the schema brought up to date.
    """
    target = paths.resolve_db(target)
    if not paths.is_url(target):
        path = Path(target).expanduser()
        return _open_file(path, shown=str(path), write=write, notify=notify)
    url, shown = _parse_url(target)
    backend = url.get_backend_name()
    if backend == "postgresql":
        # Issue 12 adds PostgreSQL here; until then, say so rather than half-work.
        raise StoreError(
            f"PostgreSQL stores are not supported yet ({shown}); use a SQLite file: "
            "--db PATH or --db sqlite:///PATH"
        )
    if backend != "sqlite" or url.get_driver_name() != "pysqlite":
        raise StoreError(f"unknown kind of store URL {shown}; {_URL_HELP}")
    path = _sqlite_file(url, shown)
    if path is None:  # in memory: nothing on disk to check
        with _translate_errors(shown):
            engine = _make_engine(url, shown)
            _migrate(engine)
        return Store(shown, engine, exists=True)
    return _open_file(path, shown=shown, url=url, write=write, notify=notify)


_URL_HELP = "give a file path, or a SQLite URL such as sqlite:///coursetrack.db"

#: Query parameters the pysqlite driver takes itself; any other belongs to a
#: SQLite URI and needs uri=true (without it SQLAlchemy warns and drops it).
_DRIVER_PARAMETERS = {"uri", "timeout", "check_same_thread", "isolation_level", "detect_types"}


def _parse_url(target: str) -> tuple[URL, str]:
    """The parsed URL and how to show it: its password, if any, masked."""
    import re

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(target)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        masked = re.sub(r"//[^/]*@", "//***@", target)  # whatever holds a password
        raise StoreError(f"{masked} is not a store URL; {_URL_HELP}") from None
    if url.password is None:
        return url, target  # as typed: SQLAlchemy's rendering escapes a file: URI
    return url, url.render_as_string(hide_password=True)


def _connect_args(url: URL) -> tuple[str, bool]:
    """(filename, uri) as the driver will pass them to SQLite (it reads uri=yes as true)."""
    import warnings

    with warnings.catch_warnings():
        # SQLAlchemy warns about URI parameters without uri=true: _sqlite_file says so itself
        warnings.simplefilter("ignore")
        [filename], options = url.get_dialect()().create_connect_args(url)
    return filename, bool(options.get("uri"))


def _is_uri(url: URL) -> bool:
    return _connect_args(url)[1]


def _sqlite_file(url: URL, shown: str) -> Path | None:
    """The file a SQLite URL opens, found as the driver finds it; None in memory.

    Every form is reduced to the one path SQLite will open (`sqlite:///rel`,
    `sqlite:////abs`, `?uri=true` with `file:` URIs, percent-escapes included),
    so that each gets the checks a plain --db PATH gets.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    unknown = sorted(set(url.query) - _DRIVER_PARAMETERS)
    filename, uri = _connect_args(url)
    if unknown and not uri:
        raise StoreError(
            f"{shown}: {', '.join(unknown)} is a SQLite URI parameter; add uri=true "
            "to the URL (sqlite:///file:PATH?mode=ro&uri=true)"
        )
    if not uri or not filename.startswith("file:"):
        return None if filename in ("", ":memory:") else Path(filename)
    parts = urlsplit(filename)
    if parts.netloc not in ("", "localhost"):
        raise StoreError(f"{shown}: a file: URI names a file on this machine only")
    mode = parse_qs(parts.query).get("mode", [""])[-1]
    name = unquote(parts.path)
    if mode == "memory" or name in ("", ":memory:"):
        return None
    return Path(name)


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
    version = _inspect_file(real, shown)
    if version is None and not write:
        engine = _make_engine("sqlite://")
        _migrate(engine)
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
    if write:
        try:
            real.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the store's directory {path.parent}: {exc.strerror}; "
                "use --db to put the store elsewhere"
            ) from None
    with _translate_errors(shown):
        engine = _make_engine(_read_url(real, write=write, given=url), shown)
        if version is not None and version < SCHEMA_VERSION:
            saved = _backup(real, version)
            if notify:
                notify(
                    f"upgrading {shown} from schema {version} to {SCHEMA_VERSION}; "
                    f"a copy of the old store is at {saved}"
                )
        _migrate(engine)
    return Store(shown, engine, exists=True)


def _read_only_file_system(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def _read_url(path: Path, *, write: bool, given: URL | None = None) -> URL:
    """How to open the store file: as given, or read-only where it cannot be written.

    A store on a read-only file system (a mounted backup, a live CD) is still
    read and exported: SQLite cannot make the side files a WAL store needs
    there, so it is opened as `immutable`, which needs none (`_read_only_uri`).
    """
    from sqlalchemy import URL

    if write or (os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)):
        return given or URL.create("sqlite", database=str(path))
    if given is None or not _is_uri(given):
        return URL.create("sqlite", database=_read_only_uri(path), query={"uri": "true"})
    if path.with_name(path.name + "-wal").exists():
        return given
    return given.update_query_dict({"immutable": "1"})  # the user's own file: URI


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
    text = str(exc.orig)
    if "locked" in text or "busy" in text:
        return (
            f"the store {target} is busy: another coursetrack held it for more than "
            f"{busy_timeout():g} s; nothing was changed, run the command again"
        )
    if "readonly" in text or "read-only" in text:
        return f"the store {target} is read-only; nothing was changed"
    if "unable to open" in text:
        return f"cannot open the store {target}; check the path and its permissions"
    if "disk is full" in text or "disk I/O" in text:
        return f"cannot write the store {target} ({text}); nothing was changed"
    return f"the store {target} failed: {text}"


# --- shell completion ---------------------------------------------------------------

#: How many candidates completion offers at most: a shell shows them all at once.
COMPLETION_LIMIT = 200


def complete_refs(target: str | None, incomplete: str, *, depth: int = 3) -> list[tuple[str, str]]:
    """Refs that extend `incomplete`, each with its title, read straight from the store.

    Shell completion calls this on every Tab, so it uses sqlite3 alone and opens
    the file read-only (`mode=ro`): it never creates a store, never takes the
    write lock and never upgrades one. Anything unexpected (no store yet, a file
    that is not ours, a schema it does not know, a URL that is not a plain
    SQLite file) gives no candidates rather than an error: a shell would print
    a traceback into the command line being typed. `depth` is how many parts
    the ref may have (1: specializations only).
    """
    try:
        path = _completion_path(paths.resolve_db(target))
    except Exception:  # platformdirs or the environment: no store to read
        return []
    if path is None:
        return []
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return []
        con = sqlite3.connect(_read_only_uri(path), uri=True, timeout=0.5)
    except (OSError, sqlite3.Error, ValueError):
        return []
    try:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID or not 1 <= version <= SCHEMA_VERSION:
            return []
        return _ref_candidates(con, incomplete, depth)
    except sqlite3.Error:
        return []
    finally:
        con.close()


def _completion_path(target: str) -> Path | None:
    """The file a store target names, or None if completion should not read it."""
    if paths.is_url(target):
        prefix = "sqlite:///"
        if not target.startswith(prefix) or "?" in target:
            return None
        target = target[len(prefix) :]
    if not target or target == ":memory:":
        return None
    path = Path(target).expanduser()
    return path if path.is_file() else None


def _read_only_uri(path: Path) -> str:
    """A URI that reads `path` without writing anything next to it.

    A read-only connection to a WAL store creates the -wal and -shm files when
    they are missing, and cannot remove them when it closes. Without a -wal
    file no other connection is writing (the last one out removes it), so the
    file is read as `immutable`: no locks, no side files. With one, the side
    files are there already, and `mode=ro` reads alongside a writer safely.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not path.with_name(path.name + "-wal").exists():
        uri += "&immutable=1"
    return uri


def _one_line(text: str | None) -> str:
    """A title as a shell shows it beside a candidate: one line, nothing a terminal obeys."""
    from coursetrack.controls import printable

    return printable(" ".join((text or "").split()), one_line=True)


def _ref_candidates(con: sqlite3.Connection, incomplete: str, depth: int) -> list[tuple[str, str]]:
    """Candidates by the rules of `refs.resolve`: slug, unique slug prefix or position."""
    parts = incomplete.split("/")
    if len(parts) > depth:
        return []
    last = parts[-1].lower()
    typed = "".join(f"{part}/" for part in parts[:-1])  # kept as typed: shells match on it
    limit = COMPLETION_LIMIT
    if len(parts) == 1:
        rows = con.execute(
            "SELECT slug, title FROM specialization WHERE substr(slug, 1, ?) = ? "
            "ORDER BY slug LIMIT ?",
            (len(last), last, limit),
        ).fetchall()
        return [(slug, _one_line(title)) for slug, title in rows]
    spec_id = _pick_id(
        con, "SELECT id, slug FROM specialization ORDER BY slug", (), parts[0], numbered=False
    )
    if spec_id is None:
        return []
    if len(parts) == 2:
        rows = con.execute(
            "SELECT slug, title FROM course WHERE specialization_id = ? "
            "AND substr(slug, 1, ?) = ? ORDER BY position LIMIT ?",
            (spec_id, len(last), last, limit),
        ).fetchall()
        return [(typed + slug, _one_line(title)) for slug, title in rows]
    course_id = _pick_id(
        con,
        "SELECT id, slug FROM course WHERE specialization_id = ? ORDER BY position",
        (spec_id,),
        parts[1],
        numbered=True,
    )
    if course_id is None:
        return []
    rows = con.execute(
        "SELECT slug, title FROM topic WHERE course_id = ? "
        "AND substr(slug, 1, ?) = ? ORDER BY position LIMIT ?",
        (course_id, len(last), last, limit),
    ).fetchall()
    return [(typed + slug, _one_line(title)) for slug, title in rows]


def _pick_id(
    con: sqlite3.Connection, sql: str, params: tuple, part: str, *, numbered: bool
) -> int | None:
    """The id `part` names among the rows (id, slug) of `sql`, as `refs._pick` decides."""
    rows = con.execute(sql, params).fetchall()
    if numbered and part.isascii() and part.isdigit():
        index = int(part) if len(part) <= 9 else 0
        return rows[index - 1][0] if 1 <= index <= len(rows) else None
    key = part.lower()
    for row_id, slug in rows:
        if slug == key:
            return row_id
    matches = [row_id for row_id, slug in rows if slug.startswith(key)]
    return matches[0] if len(matches) == 1 else None
