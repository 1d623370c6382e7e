"""Where the store lives, what it refuses to open, and how it is set up."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from coursetrack import db
from coursetrack.cli import app
from coursetrack.models import SQLModel


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def test_default_store_is_in_the_user_data_directory(tmp_path: Path) -> None:
    result = invoke("add", "specialization", "X")
    assert result.exit_code == 0
    assert (tmp_path / "xdg-data" / "coursetrack" / "coursetrack.db").is_file()


def test_environment_variable_names_the_store(tmp_path: Path) -> None:
    path = tmp_path / "env.db"
    result = invoke("add", "specialization", "X", env={"COURSETRACK_DB": str(path)})
    assert result.exit_code == 0
    assert path.is_file()
    assert not (tmp_path / "xdg-data").exists()


def test_db_option_beats_the_environment(tmp_path: Path) -> None:
    option, env = tmp_path / "option.db", tmp_path / "env.db"
    invoke("--db", str(option), "add", "specialization", "X", env={"COURSETRACK_DB": str(env)})
    assert option.is_file() and not env.exists()


def test_a_sqlalchemy_url_works(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'url.db'}"
    assert invoke("--db", url, "import", "deep-learning-specialization").exit_code == 0
    result = invoke("--db", url, "status", "--json")
    assert result.exit_code == 0
    assert "dls" in result.stdout


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_that_is_not_sqlite_is_refused_untouched(store) -> None:
    store.path.write_text("my shopping list\n")
    before = _sha(store.path)
    result = store.run("add", "specialization", "X")
    assert result.exit_code == 1
    assert "is not a SQLite database, so not a coursetrack store" in result.stderr
    assert result.stderr.count("\n") == 1
    assert _sha(store.path) == before


def test_another_programs_database_is_refused_untouched(store) -> None:
    con = sqlite3.connect(store.path)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    before = _sha(store.path)
    for args in (["status"], ["add", "specialization", "X"]):
        result = store.run(*args)
        assert result.exit_code == 1
        assert "is a SQLite database but not a coursetrack store" in result.stderr
    assert _sha(store.path) == before


def test_a_store_from_a_newer_version_is_refused_untouched(dls) -> None:
    con = sqlite3.connect(dls.path)
    con.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = _sha(dls.path)
    result = dls.run("done", "dls/1/1")
    assert result.exit_code == 1
    assert "written by a newer coursetrack" in result.stderr
    assert "upgrade coursetrack" in result.stderr
    assert _sha(dls.path) == before


def test_a_directory_is_not_a_store(tmp_path: Path) -> None:
    result = invoke("--db", str(tmp_path), "status")
    assert result.exit_code == 1
    assert "is a directory" in result.stderr


def test_store_carries_our_id_and_schema_version(dls) -> None:
    con = sqlite3.connect(dls.path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == db.APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_migrations_build_exactly_the_models_tables(dls) -> None:
    """The frozen DDL and the SQLModel classes describe the same columns."""
    actual = inspect(create_engine(f"sqlite:///{dls.path}"))
    for table in SQLModel.metadata.sorted_tables:
        stored = {c["name"]: c["nullable"] for c in actual.get_columns(table.name)}
        declared = {c.name: c.nullable for c in table.columns if not c.primary_key}
        assert {k: v for k, v in stored.items() if k != "id"} == declared, table.name
    indexed = {i["column_names"][0] for i in actual.get_indexes("topic")}
    assert "course_id" in indexed


def test_foreign_keys_are_enforced() -> None:
    store = db.open_store("sqlite://", write=True)
    from sqlalchemy.exc import IntegrityError

    from coursetrack.models import Course

    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(
            Course.__table__.insert().values(specialization_id=999, position=1, slug="x", title="X")
        )


def test_a_lock_held_too_long_is_a_clear_error(dls, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writer holds the store past the busy timeout: a message, not a traceback."""
    monkeypatch.setenv("COURSETRACK_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(dls.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = dls.rows("SELECT count(*) FROM progress")
        result = dls.run("done", "dls/1/1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert "is busy: another coursetrack held it for more than 0.2 s" in result.stderr
    assert dls.rows("SELECT count(*) FROM progress") == before
    assert dls.run("done", "dls/1/1").exit_code == 0


def test_a_read_only_store_is_a_clear_error(dls) -> None:
    """Opened read-only (as on a read-only mount): writes fail with a message."""
    url = f"sqlite:///file:{dls.path}?mode=ro&uri=true"
    before = dls.dump(history=True)
    result = CliRunner().invoke(app, ["--db", url, "done", "dls/1/1"])
    assert result.exit_code == 1
    assert "read-only; nothing was changed" in result.stderr
    assert dls.dump(history=True) == before


def test_a_sqlite_url_to_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    before = _sha(path)
    result = invoke("--db", f"sqlite:///{path}", "add", "specialization", "X")
    assert result.exit_code == 1
    assert "not a coursetrack store" in result.stderr
    assert _sha(path) == before


def test_an_empty_db_option_is_refused_not_the_default(tmp_path: Path) -> None:
    """A script passing --db "$DB" with DB unset must not write to the real store."""
    result = invoke("--db", "", "add", "specialization", "Oops")
    assert result.exit_code == 1
    assert "--db is empty" in result.stderr
    result = invoke("add", "specialization", "Oops", env={"COURSETRACK_DB": ""})
    assert result.exit_code == 1
    assert "COURSETRACK_DB is set but empty" in result.stderr
    assert not (tmp_path / "xdg-data").exists()
