"""Where the store lives, what it refuses to open, and how it is set up."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from coursetrack import store as db
from coursetrack.cli import app
from coursetrack.models import SQLModel
from hostile import DB, SECRET, Here, full_disk_run, plant


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


@pytest.mark.sqlite_only
def test_a_file_that_is_not_sqlite_is_refused_untouched(store) -> None:
    store.path.write_text("my shopping list\n")
    before = _sha(store.path)
    result = store.run("add", "specialization", "X")
    assert result.exit_code == 1
    assert "is not a SQLite database, so not a coursetrack store" in result.stderr
    assert result.stderr.count("\n") == 1
    assert _sha(store.path) == before


@pytest.mark.sqlite_only
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


@pytest.mark.sqlite_only
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


@pytest.mark.sqlite_only
def test_store_carries_our_id_and_schema_version(dls) -> None:
    con = sqlite3.connect(dls.path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == db.APPLICATION_ID
    assert con.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


@pytest.mark.sqlite_only
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


@pytest.mark.sqlite_only
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


@pytest.mark.sqlite_only
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


# --- every form of a store URL gets the same checks (issue 10) ------------------------


def _foreign(path: Path) -> str:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    return _sha(path)


def _url_forms(tmp_path: Path, name: str) -> list[str]:
    absolute = tmp_path / name
    escaped = name.replace(".", "%2E")
    return [
        f"sqlite:///{name}",
        f"sqlite:///{absolute}",
        f"sqlite+pysqlite:///{name}",
        f"sqlite:///file:{name}?uri=true",
        f"sqlite:///file:{name}?mode=rw&uri=true",
        f"sqlite:///file:{name}?mode=rwc&cache=shared&uri=true",
        f"sqlite:///file:{absolute}?uri=true",
        f"sqlite:///file://{absolute}?uri=true",
        f"sqlite:///file://localhost{absolute}?uri=true",
        f"sqlite:///file:{escaped}?uri=true",
        f"sqlite:///file:./{name}?uri=true",
        f"sqlite:///file:{name}?uri=yes",  # the driver reads yes/on/1 as true too
        f"sqlite:///file:{name}?uri=1&mode=rw",
    ]


def test_every_form_of_a_sqlite_url_refuses_another_programs_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = _foreign(tmp_path / "other.db")
    for url in _url_forms(tmp_path, "other.db"):
        for args in (["add", "specialization", "X"], ["status"]):
            result = invoke("--db", url, *args)
            assert result.exit_code == 1, (url, result.stdout)
            assert result.stderr == (
                f"Error: {url} is a SQLite database but not a coursetrack store; "
                "point --db or COURSETRACK_DB at another file\n"
            )
            assert _sha(tmp_path / "other.db") == before, url
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "xdg-data") == ["other.db"]


def test_every_form_of_a_sqlite_url_refuses_a_newer_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("--db", "new.db", "add", "specialization", "X").exit_code == 0
    con = sqlite3.connect("new.db")
    con.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    before = _sha(tmp_path / "new.db")
    for url in _url_forms(tmp_path, "new.db"):
        result = invoke("--db", url, "add", "specialization", "Y")
        assert result.exit_code == 1, url
        assert "was written by a newer coursetrack" in result.stderr, (url, result.stderr)
        assert _sha(tmp_path / "new.db") == before, url


def test_a_url_form_that_names_a_new_file_creates_a_store_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = "sqlite:///file:fresh%20store.db?uri=true"
    assert invoke("--db", url, "add", "specialization", "X").exit_code == 0
    assert (tmp_path / "fresh store.db").is_file()
    result = invoke("--db", str(tmp_path / "fresh store.db"), "status", "--json")
    assert '"slug": "x"' in result.stdout


def test_in_memory_urls_still_work() -> None:
    for url in ("sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true"):
        result = invoke("--db", url, "add", "specialization", "X")
        assert result.exit_code == 0, (url, result.stderr)


def test_uri_parameters_without_uri_true_are_a_clear_error(tmp_path: Path) -> None:
    """SQLAlchemy would warn and drop mode=ro, opening the store read-write."""
    import warnings

    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        result = invoke("--db", f"sqlite:///{tmp_path / 's.db'}?mode=ro", "status")
    assert result.exit_code == 1
    assert "mode is a SQLite URI parameter; add uri=true" in result.stderr
    assert not warned, "SQLAlchemy's own warning would print on stderr too"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://me:hunter2@db.example/ct", "unknown kind of store URL mysql://me:***@db"),
        ("foo://x", "unknown kind of store URL foo://x;"),
        ("sqlite+aiosqlite:///x.db", "unknown kind of store URL sqlite+aiosqlite:///x.db"),
        ("://", "Error: :// is not a store URL"),
        ("http://me:hunter2@host:port/x", "http://***@host:port/x is not a store URL"),
        ("http://host:port/x?password=hunter2", "x?password=*** is not a store URL"),
        (
            "postgresql+asyncpg://me:hunter2@db.example/ct",
            "reaches PostgreSQL through psycopg2 only",
        ),
        ("postgresql+pg8000://me@db.example/ct?password=hunter2", "?password=***:"),
    ],
    ids=[
        "mysql",
        "foo",
        "other-driver",
        "bare",
        "bad-port",
        "bad-port-query",
        "asyncpg",
        "pg8000",
    ],
)
def test_a_url_of_an_unknown_scheme_is_one_clear_line(tmp_path: Path, url: str, shown: str) -> None:
    for args in (["status"], ["add", "specialization", "X"]):
        result = invoke("--db", url, *args)
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
        assert shown in result.stderr
        assert "hunter2" not in result.stderr + result.stdout, "a password is never printed"


def _special_files(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "to-fifo").symlink_to("fifo")
    (tmp_path / "to-null").symlink_to("/dev/null")
    return {
        "fifo": fifo,
        "character-device": Path("/dev/null"),
        "tty": Path("/dev/tty"),
        "link-to-fifo": tmp_path / "to-fifo",
        "link-to-device": tmp_path / "to-null",
    }


@pytest.mark.slow  # waits out a subprocess on a fifo
@pytest.mark.parametrize(
    "kind", ["fifo", "character-device", "tty", "link-to-fifo", "link-to-device"]
)
def test_a_fifo_or_device_is_refused_not_waited_on(tmp_path: Path, kind: str) -> None:
    """A FIFO used to block the open forever: those cases run in a subprocess with a timeout."""
    path = _special_files(tmp_path)[kind]
    for target in (str(path), f"sqlite:///{path}", f"sqlite:///file:{path}?uri=true"):
        for args in (["status"], ["add", "specialization", "X"]):
            if "fifo" in kind:
                done = subprocess.run(
                    [sys.executable, "-m", "coursetrack", "--db", target, *args],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    stdin=subprocess.DEVNULL,
                )
                code, stderr = done.returncode, done.stderr
            else:
                result = invoke("--db", target, *args)
                code, stderr = result.exit_code, result.stderr
            assert code == 1, stderr
            assert stderr.startswith(f"Error: {target} is not a regular file (it is a "), stderr
            assert "so not a store" in stderr and stderr.count("\n") == 1
    if kind == "fifo":
        assert path.is_fifo()


# --- a store on a read-only file system (issue 10) -------------------------------------
#
# Root ignores file permissions, so a read-only store is made the real way: the
# folder is bind-mounted read-only in a private mount namespace (`unshare -m`),
# which no other process sees and which ends with the command.


def _read_only(folder: Path, *args: str) -> subprocess.CompletedProcess:
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return subprocess.run(
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            script,
            str(folder),
            sys.executable,
            "-m",
            "coursetrack",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COURSETRACK_NOW": "2026-03-01T09:00:00+00:00"},
    )


@pytest.fixture
def mounted(tmp_path: Path) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    probe = _read_only(folder, "--version")
    if probe.returncode != 0:
        pytest.skip(f"cannot mount read-only here (unshare/mount): {probe.stderr.strip()[:200]}")
    db = folder / "store.db"
    for args in (["import", "deep-learning-specialization"], ["done", "dls/1/1", "--note", "n"]):
        assert invoke("--db", str(db), *args).exit_code == 0
    return db


@pytest.mark.slow  # a read-only mount in a subprocess
def test_a_store_on_a_read_only_file_system_is_read_and_exported(mounted: Path) -> None:
    before = sorted(p.name for p in mounted.parent.iterdir())
    digest = _sha(mounted)
    out = mounted.parent.parent / "backup.yaml"
    for target in (
        str(mounted),
        f"sqlite:///{mounted}",
        f"sqlite:///file:{mounted}?uri=true",
        f"sqlite:///file:{mounted}?mode=ro&uri=true",
    ):
        status = _read_only(mounted.parent, "--db", target, "status", "dls", "--json")
        assert status.returncode == 0, (target, status.stderr)
        assert json.loads(status.stdout)["units_done"] == 1
    log = _read_only(mounted.parent, "--db", str(mounted), "log", "-n", "1")
    assert log.returncode == 0 and "done dls/1/1" in log.stdout, log.stderr
    exported = _read_only(mounted.parent, "--db", str(mounted), "export", "yaml", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "format: coursetrack-backup" in out.read_text()
    refused = _read_only(mounted.parent, "--db", str(mounted), "done", "dls/1/2")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"Error: the store {mounted} is on a read-only file system; nothing was changed "
        "(reading and exporting it still work)\n"
    )
    new = mounted.parent / "new.db"
    refused = _read_only(mounted.parent, "--db", str(new), "add", "specialization", "X")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"Error: cannot create the store {new}: its folder is on a read-only file system; "
        "use --db to put the store elsewhere\n"
    )
    assert sorted(p.name for p in mounted.parent.iterdir()) == before
    assert _sha(mounted) == digest


# Store paths that cannot be used, links, a read-only store, a full disk, a foreign
# SQLite file (tests/hostile.py)


def test_a_store_is_not_created_through_a_planted_or_dangling_link(
    here: Here, sticky: Path
) -> None:
    plant(sticky / "store.db", "../planted.db")
    here.refused(
        "add",
        "specialization",
        "X",
        db="shared/store.db",
        where="a symbolic link that another user owns",
    )
    Path("mine.db").symlink_to("nowhere/new.db")
    Path("dir").symlink_to("nowhere")
    here.refused("add", "specialization", "X", db="dir/s.db", where="which does not exist")
    here.refused("add", "specialization", "X", db="mine.db", where="which does not exist")
    here.refused("add", "specialization", "X", db="sqlite:///mine.db", where="which does not exist")
    assert not Path("planted.db").exists() and not Path("nowhere").exists()


@pytest.mark.parametrize(
    ("db", "where"),
    [
        ("afile/store.db", "cannot create the store's directory afile"),
        ("/proc/coursetrack.db", "cannot open the store /proc/coursetrack.db"),
        ("adir", "adir is a directory, not a store file"),
    ],
    ids=["under-a-file", "proc", "directory"],
)
def test_unusable_store_paths(here: Here, db: str, where: str) -> None:
    here.refused("done", "dls/1/2", db=db, where=where)


def test_a_read_only_store_reads_but_refuses_writes(here: Here) -> None:
    url = f"sqlite:///file:{DB}?mode=ro&uri=true"
    message = here.refused("done", "dls/1/2", db=url, where="read-only; nothing was changed")
    assert message.startswith(f"Error: the store {url} is read-only")
    result = CliRunner().invoke(app, ["--db", url, "status", "dls", "--json"])
    assert result.exit_code == 0 and '"units_done": 1' in result.stdout


def test_a_full_disk_changes_nothing(here: Here) -> None:
    topics = "\n".join(f"      - Topic {n}" for n in range(1500))
    Path("more.yaml").write_text(f"title: More\ncourses:\n  - title: One\n    topics:\n{topics}\n")
    before = here.dump()
    result = full_disk_run(here, 64 * 1024, "import", "more.yaml")
    assert result.returncode == 1
    assert (
        result.stderr
        == "Error: cannot write the store store.db (disk I/O error); nothing was changed\n"
    )
    assert SECRET not in result.stderr + result.stdout
    assert here.dump() == before
    assert here.run("import", "more.yaml").exit_code == 0, "with room again, it works"


def test_a_refused_store_is_not_copied_or_touched(here: Here) -> None:
    shutil.copy(DB, "copy.db")
    con = sqlite3.connect("copy.db")
    con.execute("PRAGMA application_id = 42")
    con.commit()
    con.close()
    before = Path("copy.db").read_bytes()
    here.refused(
        "status", db="copy.db", where="copy.db is a SQLite database but not a coursetrack store"
    )
    assert Path("copy.db").read_bytes() == before
