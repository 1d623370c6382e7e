"""A real PostgreSQL server for the test session: Debian's binaries, a temporary
folder, a unix socket, no TCP port.

One server per session (initdb and start take about a second), its files in
memory (/dev/shm) when it can; each test gets its own database copied from a
template (`CREATE DATABASE ... TEMPLATE`, 0.03-0.05 s), dropped when the test
ends. fsync is off: a crash of this server loses
only test data, and the tests that kill processes kill clients, not the server.

PostgreSQL refuses to run as root, so as root the server runs as `nobody`
(`runuser`), in a folder that user owns; the tests connect over the socket as
the superuser `ct`, which trust authentication lets in.

Tests that connect by hand use the program's own driver, psycopg2, through
`connect`: its connections also run a statement in one call (`con.execute`),
run a block in one transaction (`con.transaction()`) and close when their
`with` block ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

USER = "ct"
TEMPLATE = "coursetrack_template"
INSTALL = "apt-get install postgresql, and pip install 'coursetrack[postgresql]'"


def bindir() -> Path | None:
    """The newest installed server's bin folder (Debian: /usr/lib/postgresql/VERSION/bin)."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        on_path = shutil.which("initdb")
        return Path(on_path).parent if on_path else None
    newest = max(found, key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(newest).parent


def missing() -> str | None:
    """Why this machine cannot run the PostgreSQL half, or None when it can."""
    if bindir() is None:
        return f"PostgreSQL tests skipped: no PostgreSQL server (initdb) found; {INSTALL}"
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return f"PostgreSQL tests skipped: the psycopg2 driver is not installed; {INSTALL}"
    return None


_connection_class: Any = None


def connect(conninfo: str, *, autocommit: bool = False) -> Any:
    """A psycopg2 connection to `conninfo` (libpq's key=value or a postgresql:// URL)."""
    import psycopg2

    con = psycopg2.connect(conninfo, connection_factory=_class())
    con.autocommit = autocommit
    return con


def _class() -> Any:
    """psycopg2's connection, with the shorthand the tests write (see the module's docstring)."""
    global _connection_class
    if _connection_class is not None:
        return _connection_class
    import psycopg2.extensions

    class Connection(psycopg2.extensions.connection):
        def execute(self, sql: Any, params: Any = None) -> Any:
            cur = self.cursor()
            cur.execute(sql, params)
            return cur

        @contextlib.contextmanager
        def transaction(self) -> Any:
            """One transaction, committed at the end of the block, rolled back on an error."""
            if self.autocommit:
                self.execute("BEGIN")
            try:
                yield self
            except BaseException:
                if not self.closed:
                    self.rollback() if not self.autocommit else self.execute("ROLLBACK")
                raise
            self.commit() if not self.autocommit else self.execute("COMMIT")

        def __enter__(self) -> Any:
            return self  # psycopg2's own would begin a transaction, even in autocommit

        def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
            try:
                if not self.closed and not self.autocommit:
                    self.commit() if kind is None else self.rollback()
            finally:
                self.close()

    _connection_class = Connection
    return Connection


def _scratch() -> str | None:
    """Memory-backed /dev/shm when there is one: a database copy per test then costs
    a few milliseconds of memory, not a disk write (0.4-0.9 s here on ext4 under load)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class Server:
    """A throwaway server; `url(name)` is what `--db` gets for database `name`."""

    def __init__(self, settings: str = "") -> None:
        """`settings`: more `-c name=value` for this server (a test's own server)."""
        bin_ = bindir()
        assert bin_ is not None
        self.bin = bin_
        self.root = Path(tempfile.mkdtemp(prefix="coursetrack-pg-", dir=_scratch()))
        self.data = self.root / "data"
        self.socket = self.root / "sock"
        self.log = self.root / "server.log"
        self._names = itertools.count(1)
        self._admin: Any = None
        self._strategy = ""
        self.templates: dict[str, str] = {}  # prepared databases tests start from, by key
        self.settings = settings

    def _as_owner(self, *argv: str | Path) -> list[str]:
        command = [str(a) for a in argv]
        return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command

    def start(self) -> None:
        self.socket.mkdir()
        if os.geteuid() == 0:
            os.chmod(self.root, 0o755)
            for path in (self.root, self.socket):
                shutil.chown(path, "nobody")
        initdb = self._as_owner(
            self.bin / "initdb", "-D", self.data, "-U", USER, "--auth=trust", "--no-sync"
        )
        subprocess.run([*initdb, "-E", "UTF8", "--locale=C"], check=True, capture_output=True)
        self._pg_ctl_start()
        self._admin = connect(self.conninfo("postgres"), autocommit=True)
        version = int(self._admin.execute("SHOW server_version_num").fetchone()[0])
        # FILE_COPY copies the template's files (about 8 MB) instead of WAL-logging them;
        # on /dev/shm either takes 0.03-0.05 s, on a loaded disk 0.3-0.9 s. Before
        # PostgreSQL 15 copying files was the only way, and the clause did not exist.
        self._strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
        self._admin.execute(f'CREATE DATABASE "{TEMPLATE}"')

    def _pg_ctl_start(self) -> None:
        options = (
            f"-c listen_addresses='' -k {self.socket} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200 "
            # a learner's PREPARE TRANSACTION outlives her session (test_group_locks.py);
            # PostgreSQL's default of 0 refuses it, as the README tells administrators to keep
            f"-c max_prepared_transactions=10 {self.settings}"
        )
        start = self._as_owner(
            self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start"
        )
        result = subprocess.run(start, capture_output=True, text=True)
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"the test PostgreSQL server did not start:\n{result.stdout}{log}")

    def crash(self) -> None:
        """Stop the server at once (`pg_ctl stop -m immediate`: no shutdown checkpoint, every
        client cut off), its files kept; `restart` brings it back through crash recovery.
        For a server of a test's own: the session's is every test's. A commit survives it
        only if its WAL was written: such a server sets `synchronous_commit=on`."""
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        stop = self._as_owner(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        subprocess.run(stop, capture_output=True, check=True)

    def restart(self) -> None:
        self._pg_ctl_start()
        self._admin = connect(self.conninfo("postgres"), autocommit=True)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        stop = self._as_owner(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        subprocess.run(stop, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def conninfo(self, name: str) -> str:
        return f"host={self.socket} dbname={name} user={USER}"

    def url(self, name: str) -> str:
        return f"postgresql://{USER}@/{name}?host={self.socket}"

    def create_database(self, template: str = TEMPLATE) -> str:
        """A new database (a copy of `template`); its name."""
        name = f"t{next(self._names)}"
        if template != TEMPLATE:  # a copy waits for no one: end what still holds the source
            self._end_sessions(template)
        self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self._strategy}')
        return name

    def remake_database(self, name: str, template: str) -> None:
        """Database `name` again, now as a copy of `template`."""
        self.drop_database(name)
        self._end_sessions(template)
        self._admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"{self._strategy}')

    def _end_sessions(self, name: str) -> None:
        self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )

    def drop_database(self, name: str) -> None:
        # FORCE: a test that failed half-way may have left a client connected.
        self._admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def clients(self, name: str) -> int:
        """How many connections database `name` has now (a program that has opened it)."""
        return self._admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchone()[0]

    @contextlib.contextmanager
    def connect(self, name: str):
        con = connect(self.conninfo(name), autocommit=True)
        try:
            yield con
        finally:
            con.close()


def name_of(url: str) -> str:
    """The database a test URL names: postgresql://ct@/NAME?host=..."""
    return url.split("@/", 1)[1].split("?", 1)[0]


def plain(value: object) -> object:
    """A PostgreSQL value as SQLite hands it back, so one assertion fits both engines:
    dates as ISO text, booleans as 0/1, numerics as int or float."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def placeholders(sql: str) -> str:
    """sqlite3's `?` parameters as psycopg2's `%s` (a literal % doubled first)."""
    return sql.replace("%", "%%").replace("?", "%s")


def rows(con: Any, sql: str, params: tuple = ()) -> list[tuple]:
    cur = con.execute(placeholders(sql), params)
    if cur.description is None:
        return []
    return [tuple(plain(v) for v in row) for row in cur.fetchall()]


def dump(con: Any, *, history: bool) -> list[str]:
    """Every table's columns and rows, like sqlite3's iterdump: equal dumps, equal stores."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    lines = []
    for table in tables:
        columns = con.execute(
            "SELECT column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %s "
            "ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        lines.append(f'CREATE TABLE "{table}" ' + repr([tuple(c) for c in columns]))
        if not history and table in ("command", "change"):
            continue
        found = [
            ",".join(repr(plain(v)) for v in row) for row in con.execute(f'SELECT * FROM "{table}"')
        ]
        lines += [f'INSERT INTO "{table}" VALUES({values});' for values in sorted(found)]
    return lines


@contextlib.contextmanager
def for_bench(prefix: str):  # -> Iterator[tuple[Server, Path] | None]
    """A started throwaway server and a temporary folder, for a bench script.

    Yields None, having printed why, on a machine that cannot run one: a bench
    then reports nothing rather than failing.
    """
    reason = missing()
    if reason:
        print(reason.replace("PostgreSQL tests skipped", "PostgreSQL bench skipped"))
        yield None
        return
    server = Server()
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            yield server, Path(tmp)
    finally:
        server.stop()


def on_psycopg2(url: str) -> str:
    """A test's store URL as SQLAlchemy must be given it to use the program's driver:
    SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, which is not installed."""
    prefix = "postgresql://"
    return "postgresql+psycopg2://" + url[len(prefix) :] if url.startswith(prefix) else url
