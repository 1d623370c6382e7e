"""A store on a real PostgreSQL server: URLs, the driver, transactions, errors, secrets.

Each test gets a fresh database on a server reached over a unix socket. Until
the suite's own server fixture (tests/conftest.py) is merged, the server is
the one named by COURSETRACK_TEST_PG_SOCKET (default /work/pg/sock, user ct,
trust authentication); without one these tests are skipped with that reason.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack import store as db
from coursetrack.cli import app
from coursetrack.errors import StoreError
from coursetrack.store.engine import WRITE_LOCK_KEY, _translate_errors

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (the test extra)")

SOCKET = os.environ.get("COURSETRACK_TEST_PG_SOCKET", "/work/pg/sock")
USER = os.environ.get("COURSETRACK_TEST_PG_USER", "ct")


def _server_dsn(dbname: str) -> str:
    return f"host={SOCKET} user={USER} dbname={dbname}"


@pytest.fixture
def pg(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database; its name. Dropped afterwards."""
    if not Path(SOCKET, ".s.PGSQL.5432").exists():
        pytest.skip(
            f"no PostgreSQL server on the unix socket {SOCKET} (COURSETRACK_TEST_PG_SOCKET)"
        )
    name = f"ha_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(_server_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url(name: str, *, password: str | None = None, scheme: str = "postgresql") -> str:
    auth = f"{USER}:{password}" if password else USER
    return f"{scheme}://{auth}@/{name}?host={SOCKET}"


def cli(target: str, *args: str, env: dict | None = None):
    return CliRunner().invoke(app, ["--db", target, *args], env=env)


def rows(name: str, sql: str) -> list[tuple]:
    with psycopg.connect(_server_dsn(name)) as con:
        return con.execute(sql).fetchall()


def one_line(result) -> str:
    """The single line a refused command prints: no traceback, exit 1."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    return result.stderr


# --- URLs and the driver ---------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg"])
def test_both_url_forms_reach_the_server_on_a_unix_socket(pg: str, scheme: str) -> None:
    target = url(pg, scheme=scheme)
    result = cli(target, "import", "deep-learning-specialization")
    assert result.exit_code == 0, result.stderr
    assert rows(pg, "SELECT slug FROM specialization") == [("dls",)]
    assert rows(pg, "SELECT count(*) FROM topic") == [(17,)]
    exported = cli(target, "export", "yaml")
    assert exported.exit_code == 0, exported.stderr
    assert "format: coursetrack-backup" in exported.stdout


def test_a_plain_postgresql_url_uses_psycopg_3(pg: str) -> None:
    store = db.open_store(url(pg), write=True)
    try:
        assert store.dialect == "postgresql"
        assert store.engine.dialect.driver == "psycopg"
    finally:
        store.close()


def test_the_environment_variable_takes_a_postgresql_url(pg: str) -> None:
    result = CliRunner().invoke(
        app, ["add", "specialization", "Shared"], env={"COURSETRACK_DB": url(pg)}
    )
    assert result.exit_code == 0, result.stderr
    assert rows(pg, "SELECT slug FROM specialization") == [("shared",)]


def test_without_psycopg_a_postgresql_url_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    target = "postgresql://me:hunter2@db.example/ct"
    for args in (["status"], ["add", "specialization", "X"]):
        stderr = one_line(cli(target, *args))
        assert stderr == (
            "Error: the store postgresql://me:***@db.example/ct is on PostgreSQL, which needs "
            "the psycopg driver: pip install 'coursetrack[postgresql]'\n"
        )


def test_another_postgresql_driver_is_refused() -> None:
    stderr = one_line(cli("postgresql+psycopg2://me:hunter2@db.example/ct", "status"))
    assert "reaches PostgreSQL through psycopg 3 only" in stderr
    assert "hunter2" not in stderr


# --- connection failures: one line each, no password -----------------------------------


def test_an_unknown_database_is_one_line_without_the_password(pg: str) -> None:
    target = url(pg + "_missing", password="hunter2")
    stderr = one_line(cli(target, "status"))
    assert stderr.startswith(f"Error: cannot connect to the store postgresql://{USER}:***@/")
    assert f'database "{pg}_missing" does not exist' in stderr
    assert "hunter2" not in stderr


def test_an_unknown_role_is_one_line(pg: str) -> None:
    target = f"postgresql://nobody_here:s3cr%40t@/{pg}?host={SOCKET}"
    stderr = one_line(cli(target, "add", "specialization", "X"))
    assert "cannot connect to the store postgresql://nobody_here:***@/" in stderr
    assert 'role "nobody_here" does not exist' in stderr
    assert "s3cr" not in stderr


def test_no_server_on_the_socket_is_one_line(tmp_path: Path) -> None:
    target = f"postgresql://{USER}@/ct?host={tmp_path}&password=hunter2"
    stderr = one_line(cli(target, "status"))
    assert stderr.startswith(
        f"Error: cannot connect to the store postgresql://{USER}@/ct?host={tmp_path}"
        "&password=***: No such file or directory; check the URL, and that the server is running"
    )
    assert "hunter2" not in stderr


# --- transactions: the write lock, the busy timeout, snapshots ------------------------


def _hold_write_lock(name: str):
    holder = psycopg.connect(_server_dsn(name))
    holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
    return holder


def test_a_writer_holding_the_lock_past_the_timeout_is_a_clear_error(
    pg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = url(pg, password="hunter2")  # trust authentication ignores it
    assert cli(target, "add", "specialization", "First").exit_code == 0
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "0.3")
    holder = _hold_write_lock(pg)
    try:
        result = cli(target, "add", "specialization", "Second")
    finally:
        holder.rollback()
        holder.close()
    stderr = one_line(result)
    assert stderr == (
        f"Error: the store postgresql://{USER}:***@/{pg}?host={SOCKET} is busy: another "
        "coursetrack held it for more than 0.3 s; nothing was changed, run the command again\n"
    )
    assert rows(pg, "SELECT slug FROM specialization ORDER BY id") == [("first",)]
    assert rows(pg, "SELECT line FROM command ORDER BY id") == [("add specialization First",)]
    assert cli(target, "add", "specialization", "Second").exit_code == 0


def test_a_writer_that_waits_says_so_then_goes_on(pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "20")
    assert cli(url(pg), "add", "specialization", "Early").exit_code == 0  # the schema is made
    holder = _hold_write_lock(pg)
    releaser = threading.Timer(1.5, holder.rollback)
    releaser.start()
    try:
        result = cli(url(pg), "add", "specialization", "Late")
    finally:
        releaser.join()
        holder.close()
    assert result.exit_code == 0, result.stderr
    assert (
        "another coursetrack command is writing to the store; waiting for it (up to 20 s)"
        in result.stderr
    )
    assert rows(pg, "SELECT slug FROM specialization ORDER BY id") == [("early",), ("late",)]


def test_the_first_command_on_an_empty_database_waits_for_a_writer_and_says_so(
    pg: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "20")
    holder = _hold_write_lock(pg)  # on an empty database: the first command migrates
    releaser = threading.Timer(1.5, holder.rollback)
    releaser.start()
    try:
        result = cli(url(pg), "add", "specialization", "First")
    finally:
        releaser.join()
        holder.close()
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("waiting for it (up to 20 s)") == 1, result.stderr
    assert rows(pg, "SELECT slug FROM specialization") == [("first",)]


def test_a_write_holds_the_advisory_lock_until_it_ends(pg: str) -> None:
    store = db.open_store(url(pg), write=True)
    lock_holders = (
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        f"AND objid = {WRITE_LOCK_KEY & 0xFFFFFFFF}"
    )
    try:
        with store.write("probe") as session:
            assert rows(pg, lock_holders) == [(1,)]
            assert session.info["command_id"] is not None
        assert rows(pg, lock_holders) == [(0,)]
    finally:
        store.close()


def test_the_busy_timeout_is_the_lock_timeout(pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import text

    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "2.5")
    store = db.open_store(url(pg), write=True)
    try:
        with store.read() as session:
            assert session.connection().execute(text("SHOW lock_timeout")).scalar() == "2500ms"
        with store.write("probe") as session:
            assert session.connection().execute(text("SHOW lock_timeout")).scalar() == "2500ms"
    finally:
        store.close()


def test_a_read_is_one_read_only_snapshot(pg: str) -> None:
    from sqlalchemy import text

    target = url(pg, password="hunter2")
    assert cli(target, "add", "specialization", "One").exit_code == 0
    store = db.open_store(target, write=False)
    count = text("SELECT count(*) FROM specialization")
    try:
        with store.read() as session:
            conn = session.connection()
            assert conn.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
            assert conn.execute(count).scalar() == 1
            assert cli(target, "add", "specialization", "Two").exit_code == 0
            assert conn.execute(count).scalar() == 1, "a read sees the store as it began"
        with pytest.raises(StoreError) as refused, store.read() as session:
            session.connection().execute(text("DELETE FROM specialization"))
        assert str(refused.value) == (
            f"the store postgresql://{USER}:***@/{pg}?host={SOCKET} is read-only; "
            "nothing was changed"
        )
    finally:
        store.close()
    assert rows(pg, "SELECT count(*) FROM specialization") == [(2,)]


# --- what a concurrent transaction can run into ---------------------------------------


def _two_specializations(pg: str) -> db.Store:
    for title in ("A", "B"):
        assert cli(url(pg), "add", "specialization", title).exit_code == 0
    return db.open_store(url(pg, password="hunter2"), write=True)


def test_a_serialization_failure_is_one_clear_line(pg: str) -> None:
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
        f"the store postgresql://{USER}:***@/{pg}?host={SOCKET} was changed by another command "
        "at the same time; nothing was changed, run the command again"
    )
    assert rows(pg, "SELECT line FROM command ORDER BY id") == [
        ("theirs",),
        ("add specialization B",),
    ]


def test_a_deadlock_is_one_clear_line(pg: str) -> None:
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
        f"the store postgresql://{USER}:***@/{pg}?host={SOCKET} was deadlocked with another "
        "command; nothing was changed, run the command again"
    ]
