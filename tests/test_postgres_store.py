"""A store on a real PostgreSQL server: URLs, the driver, transactions, errors, secrets.

Each test gets a fresh database on the session's server (`postgres_server` in
conftest: a unix socket, no TCP, trust authentication for the superuser). A
password in a URL is accepted and ignored by trust authentication, which lets
these tests check that no message ever shows it.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import postgres
from coursetrack import store as db
from coursetrack.cli import app
from coursetrack.errors import StoreError
from coursetrack.store.engine import WRITE_LOCK_KEY, _translate_errors


@dataclass
class Database:
    """A fresh database of this test's own on the session's server."""

    name: str
    socket: Path

    @property
    def conninfo(self) -> str:
        return f"host={self.socket} dbname={self.name} user={postgres.USER}"

    def url(self, *, password: str | None = None, scheme: str = "postgresql") -> str:
        auth = f"{postgres.USER}:{password}" if password else postgres.USER
        return f"{scheme}://{auth}@/{self.name}?host={self.socket}"

    def shown(self) -> str:
        """How messages name the store when its URL carries a password."""
        return f"postgresql://{postgres.USER}:***@/{self.name}?host={self.socket}"

    def rows(self, sql: str) -> list[tuple]:
        with postgres.connect(self.conninfo) as con:
            return con.execute(sql).fetchall()


@pytest.fixture
def pg(postgres_server: postgres.Server) -> Iterator[Database]:
    name = postgres_server.create_database()
    try:
        yield Database(name, postgres_server.socket)
    finally:
        postgres_server.drop_database(name)


def cli(target: str, *args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["--db", target, *args], env=env)


def one_line(result) -> str:
    """The single line a refused command prints: no traceback, exit 1."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    return result.stderr


# --- URLs and the driver ---------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg2", "postgresql+psycopg"])
def test_both_url_forms_reach_the_server_on_a_unix_socket(pg: Database, scheme: str) -> None:
    target = pg.url(scheme=scheme)
    result = cli(target, "import", "deep-learning-specialization")
    assert result.exit_code == 0, result.stderr
    assert pg.rows("SELECT slug FROM specialization") == [("dls",)]
    assert pg.rows("SELECT count(*) FROM topic") == [(17,)]
    exported = cli(target, "export", "yaml")
    assert exported.exit_code == 0, exported.stderr
    assert "format: coursetrack-backup" in exported.stdout


def test_a_plain_postgresql_url_uses_psycopg2(pg: Database) -> None:
    store = db.open_store(pg.url(), write=True)
    try:
        assert store.dialect == "postgresql"
        assert store.engine.dialect.driver == "psycopg2"
    finally:
        store.close()


def test_the_environment_variable_takes_a_postgresql_url(pg: Database) -> None:
    result = CliRunner().invoke(
        app, ["add", "specialization", "Shared"], env={"COURSETRACK_DB": pg.url()}
    )
    assert result.exit_code == 0, result.stderr
    assert pg.rows("SELECT slug FROM specialization") == [("shared",)]


def test_without_psycopg2_a_postgresql_url_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # import psycopg2 raises ImportError
    target = "postgresql://me:hunter2@db.example/ct"
    for args in (["status"], ["add", "specialization", "X"]):
        stderr = one_line(cli(target, *args))
        assert stderr == (
            "Error: the store postgresql://me:***@db.example/ct is on PostgreSQL, which needs "
            "the psycopg2 driver: pip install 'coursetrack[postgresql]'\n"
        )


def test_another_postgresql_driver_is_refused() -> None:
    stderr = one_line(cli("postgresql+pg8000://me:hunter2@db.example/ct", "status"))
    assert "reaches PostgreSQL through psycopg2 only" in stderr
    assert "hunter2" not in stderr


# --- connection failures: one line each, no password -----------------------------------


def test_an_unknown_database_is_one_line_without_the_password(pg: Database) -> None:
    missing = Database(pg.name + "_missing", pg.socket)
    target = missing.url(password="hunter2")
    stderr = one_line(cli(target, "status"))
    assert stderr.startswith(f"Error: cannot connect to the store {missing.shown()}: ")
    assert f'database "{missing.name}" does not exist' in stderr
    assert "hunter2" not in stderr


def test_an_unknown_role_is_one_line(pg: Database) -> None:
    target = f"postgresql://nobody_here:s3cr%40t@/{pg.name}?host={pg.socket}"
    stderr = one_line(cli(target, "add", "specialization", "X"))
    assert "cannot connect to the store postgresql://nobody_here:***@/" in stderr
    assert 'role "nobody_here" does not exist' in stderr
    assert "s3cr" not in stderr


def test_no_server_on_the_socket_is_one_line(tmp_path: Path) -> None:
    target = f"postgresql://{postgres.USER}@/ct?host={tmp_path}&password=hunter2"
    stderr = one_line(cli(target, "status"))
    assert stderr.startswith(
        f"Error: cannot connect to the store postgresql://{postgres.USER}@/ct?host={tmp_path}"
        "&password=***: No such file or directory; check the URL, and that the server is running"
    )
    assert "hunter2" not in stderr


# --- transactions: the write lock, the busy timeout, snapshots ------------------------


def _hold_write_lock(pg: Database):
    holder = postgres.connect(pg.conninfo)
    holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
    return holder


def _release_once_waited_twice(pg: Database, holder, patience: float = 60.0) -> None:
    """Let the write lock go once a writer has asked for it a second time.

    A writer waits a second, says that it waits, then asks again: two waits
    with different start times, seen in pg_stat_activity. Releasing on that,
    rather than after a fixed delay, keeps the test right however slow the
    machine is.
    """
    import time

    starts: set[object] = set()
    deadline = time.monotonic() + patience
    with postgres.connect(pg.conninfo, autocommit=True) as watcher:
        while len(starts) < 2 and time.monotonic() < deadline:
            starts.update(
                row[0]
                for row in watcher.execute(
                    "SELECT query_start FROM pg_stat_activity WHERE datname = %s "
                    "AND wait_event_type = 'Lock' AND query LIKE '%%pg_advisory_xact_lock(%%'",
                    (pg.name,),
                )
            )
            time.sleep(0.02)
    holder.rollback()


def test_a_writer_holding_the_lock_past_the_timeout_is_a_clear_error(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = pg.url(password="hunter2")  # trust authentication ignores it
    assert cli(target, "add", "specialization", "First").exit_code == 0
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "0.3")
    holder = _hold_write_lock(pg)
    pid = holder.info.backend_pid
    try:
        result = cli(target, "add", "specialization", "Second")
    finally:
        holder.rollback()
        holder.close()
    stderr = one_line(result)
    # the holder is named as the server shows it: role, application (none), pid, since when
    assert re.fullmatch(
        rf"Error: the store {re.escape(pg.shown())} is busy: {postgres.USER}'s session "
        rf"\(pid {pid}\), in a transaction since \d\d:\d\d:\d\d, held it for more than "
        r"0.3 s; nothing was changed, run the command again\n",
        stderr,
    ), stderr
    assert pg.rows("SELECT slug FROM specialization ORDER BY id") == [("first",)]
    assert pg.rows("SELECT line FROM command ORDER BY id") == [("add specialization First",)]
    assert cli(target, "add", "specialization", "Second").exit_code == 0


def test_a_writer_that_waits_says_so_then_goes_on(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "20")
    assert cli(pg.url(), "add", "specialization", "Early").exit_code == 0  # the schema is made
    holder = _hold_write_lock(pg)
    releaser = threading.Thread(target=_release_once_waited_twice, args=(pg, holder))
    releaser.start()
    try:
        result = cli(pg.url(), "add", "specialization", "Late")
    finally:
        releaser.join()
        holder.close()
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(
        rf"the store is locked by {postgres.USER}'s session \(pid \d+\), in a transaction "
        r"since \d\d:\d\d:\d\d; waiting for it \(up to 20 s\)\n",
        result.stderr,
    ), result.stderr
    assert pg.rows("SELECT slug FROM specialization ORDER BY id") == [("early",), ("late",)]


def test_the_first_command_on_an_empty_database_waits_for_a_writer_and_says_so(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "20")
    holder = _hold_write_lock(pg)  # on an empty database: the first command migrates
    releaser = threading.Thread(target=_release_once_waited_twice, args=(pg, holder))
    releaser.start()
    try:
        result = cli(pg.url(), "add", "specialization", "First")
    finally:
        releaser.join()
        holder.close()
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("waiting for it (up to 20 s)") == 1, result.stderr
    assert pg.rows("SELECT slug FROM specialization") == [("first",)]


def test_a_write_holds_the_advisory_lock_until_it_ends(pg: Database) -> None:
    store = db.open_store(pg.url(), write=True)
    lock_holders = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        f"AND objid = {WRITE_LOCK_KEY & 0xFFFFFFFF}"
    )
    try:
        with store.write("probe") as session:
            assert pg.rows(lock_holders) == [(1,)]
            assert session.info["command_id"] is not None
        assert pg.rows(lock_holders) == [(0,)]
    finally:
        store.close()


def _reads(store, target: str):
    """Both ways a command reads PostgreSQL: the store's own read (SQLAlchemy Core), and
    `open_reader`'s (psycopg2 alone, for an up-to-date store with a plain URL)."""
    from coursetrack.store.reader import open_reader

    return [store.read, lambda: open_reader(target)]


def test_the_busy_timeout_is_the_lock_timeout(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "2.5")
    store = db.open_store(pg.url(), write=True)
    try:
        for read in _reads(store, pg.url()):
            with read() as reader:  # a read waits a second at most (see READ_LOCK_WAIT)
                assert reader.scalar("SHOW lock_timeout") == "1s"
        with store.write("probe") as writer:
            assert writer.scalar("SHOW lock_timeout") == "2500ms"
    finally:
        store.close()


def test_a_read_is_one_read_only_snapshot(pg: Database) -> None:
    target = pg.url(password="hunter2")
    assert cli(target, "add", "specialization", "One").exit_code == 0
    store = db.open_store(target, write=False)
    count = "SELECT count(*) FROM specialization"
    try:
        for n, read in enumerate(_reads(store, target)):
            with read() as reader:
                assert reader.scalar("SHOW transaction_isolation") == "repeatable read"
                assert reader.scalar(count) == 1 + n
                assert cli(target, "add", "specialization", f"Two {n}").exit_code == 0
                assert reader.scalar(count) == 1 + n, "a read sees the store as it began"
            with pytest.raises(StoreError) as refused, read() as reader:
                reader.scalar("DELETE FROM specialization RETURNING 1")
            assert str(refused.value) == (
                f"the store {pg.shown()} is read-only; nothing was changed"
            )
    finally:
        store.close()
    assert pg.rows("SELECT count(*) FROM specialization") == [(3,)]


# --- what a concurrent transaction can run into ---------------------------------------


def _two_specializations(pg: Database) -> db.Store:
    for title in ("A", "B"):
        assert cli(pg.url(), "add", "specialization", title).exit_code == 0
    return db.open_store(pg.url(password="hunter2"), write=True)


def test_a_serialization_failure_is_one_clear_line(pg: Database) -> None:
    from sqlalchemy import text

    store = _two_specializations(pg)
    # `command` is not tracked by the history triggers: no command needs binding
    update = text("UPDATE command SET line = :t WHERE line = 'add specialization A'")
    try:
        with pytest.raises(StoreError) as failed, _translate_errors(store.target, store.secrets):
            mine = store.engine.connect().execution_options(isolation_level="REPEATABLE READ")
            with mine, mine.begin():
                mine.execute(text("SELECT title FROM specialization")).all()
                with store.engine.begin() as theirs:
                    theirs.execute(update, {"t": "theirs"})
                mine.execute(update, {"t": "mine"})
    finally:
        store.close()
    assert str(failed.value) == (
        f"the store {pg.shown()} was changed by another command "
        "at the same time; nothing was changed, run the command again"
    )
    assert pg.rows("SELECT line FROM command ORDER BY id") == [
        ("theirs",),
        ("add specialization B",),
    ]


def test_a_deadlock_is_one_clear_line(pg: Database) -> None:
    from sqlalchemy import text

    store = _two_specializations(pg)
    touch = text("UPDATE command SET line = line || '!' WHERE line LIKE :s")
    errors: list[str] = []
    barrier = threading.Barrier(2)

    def transaction(first: str, second: str) -> None:
        try:
            with _translate_errors(store.target, store.secrets), store.engine.begin() as conn:
                conn.execute(touch, {"s": first})
                barrier.wait(timeout=10)
                conn.execute(touch, {"s": second})
        except StoreError as exc:
            errors.append(str(exc))

    threads = [
        threading.Thread(target=transaction, args=pair) for pair in (("%A%", "%B%"), ("%B%", "%A%"))
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        store.close()
    assert errors == [
        f"the store {pg.shown()} was deadlocked with another "
        "command; nothing was changed, run the command again"
    ]


def test_the_history_never_records_the_url(pg: Database) -> None:
    """`log` shows each command as typed, less --db: a URL with a password is not history."""
    for argv in (
        ["--db", pg.url(password="hunter2"), "add", "specialization", "One"],
        [f"--db={pg.url(password='hunter2')}", "add", "specialization", "Two"],
    ):
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == 0, result.stderr
        assert "hunter2" not in result.stdout + result.stderr
    assert pg.rows("SELECT line FROM command ORDER BY id") == [
        ("add specialization One",),
        ("add specialization Two",),
    ]


def test_a_writer_that_waits_in_vain_says_so_then_fails_cleanly(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(pg.url(), "add", "specialization", "Early").exit_code == 0
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "1.5")
    holder = _hold_write_lock(pg)
    who = rf"{postgres.USER}'s session \(pid {holder.info.backend_pid}\), in a transaction since "
    try:
        result = cli(pg.url(password="hunter2"), "add", "specialization", "Late")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"the store is locked by {who}\d\d:\d\d:\d\d; waiting for it \(up to 1.5 s\)\n"
        rf"Error: the store {re.escape(pg.shown())} is busy: {who}\d\d:\d\d:\d\d, held it "
        r"for more than 1.5 s; nothing was changed, run the command again\n",
        result.stderr,
    ), result.stderr
    assert pg.rows("SELECT slug FROM specialization") == [("early",)]


def test_the_urls_own_connection_settings_win(pg: Database) -> None:
    mine = pg.url() + "&application_name=mine&connect_timeout=3"
    plain = db.open_store(pg.url(), write=True)
    own = db.open_store(mine, write=True)
    try:
        settings = "SELECT current_setting('application_name')"
        for read in _reads(plain, pg.url()):
            with read() as reader:
                assert reader.scalar(settings) == "coursetrack"
        for read in _reads(own, mine):
            with read() as reader:
                assert reader.scalar(settings) == "mine"
    finally:
        plain.close()
        own.close()


def test_a_command_that_failed_leaves_no_gap_in_the_numbers(pg: Database) -> None:
    """As on SQLite: the next command takes the number the rolled-back one had."""
    assert cli(pg.url(), "add", "specialization", "One").exit_code == 0
    assert cli(pg.url(), "add", "specialization", "One").exit_code == 1  # a duplicate slug
    assert cli(pg.url(), "note", "one", "Nul\x00byte").exit_code == 1  # refused by validation
    assert cli(pg.url(), "add", "specialization", "Two").exit_code == 0
    assert pg.rows("SELECT id, line FROM command ORDER BY id") == [
        (1, "add specialization One"),
        (2, "add specialization Two"),
    ]


def test_reading_an_empty_database_creates_nothing(pg: Database) -> None:
    """As with a file that does not exist yet: a read shows an empty store, makes no table."""
    for args in (["status", "--json"], ["log"], ["export", "yaml"]):
        result = cli(pg.url(), *args)
        assert result.exit_code == 0, (args, result.stderr)
    tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    assert pg.rows(tables) == [(0,)]
    assert cli(pg.url(), "add", "specialization", "First").exit_code == 0
    assert pg.rows(tables) != [(0,)]


def test_slugs_sort_as_on_sqlite_whatever_the_database_locale(
    postgres_server: postgres.Server, tmp_path: Path
) -> None:
    """A database made with a locale that ignores punctuation (ICU's 'shifted', as glibc's
    en_US does) would put `ab` between `a-b` and `a-c`; the slug columns sort by code point."""
    name = "icu_shifted"
    postgres_server._admin.execute(
        f"CREATE DATABASE {name} LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-ka-shifted' "
        "LOCALE 'C.UTF-8' TEMPLATE template0"
    )
    try:
        with postgres_server.connect(name) as con:  # the premise: this locale reorders them
            order = con.execute(
                "SELECT string_agg(x, ' ' ORDER BY x) FROM (VALUES ('a-c'), ('ab'), ('a-b')) v(x)"
            ).fetchone()[0]
        assert order != "a-b a-c ab", order
        runner = CliRunner()
        outputs = []
        for target in (postgres_server.url(name), str(tmp_path / "s.db")):
            for slug in ("a-c", "ab", "a-b"):
                result = runner.invoke(
                    app, ["--db", target, "add", "specialization", slug.upper(), "--slug", slug]
                )
                assert result.exit_code == 0, result.output
            outputs.append(runner.invoke(app, ["--db", target, "status"]).stdout)
        assert outputs[0] == outputs[1]
        positions = [outputs[0].index(s.upper()) for s in ("a-b", "a-c", "ab")]
        assert positions == sorted(positions), outputs[0]
    finally:
        postgres_server.drop_database(name)
