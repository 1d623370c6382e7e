"""A store written by the first release opens, upgrades and keeps every row.

tests/data/store-schema1.db was made by coursetrack 0.1 (see tests/data/README.md).
Every test works on a copy; the checked-in file is never opened for writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack import store as db
from coursetrack.cli import app
from coursetrack.store import schema

FIXTURE = Path(__file__).parent / "data" / "store-schema1.db"
FIXTURE_SHA = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
CATALOG = ("specialization", "course", "topic")
PROGRESS = ("id", "specialization_id", "course_id", "topic_id", "status", "started_on",
            "completed_on")  # fmt: skip


def cli(path: Path, *args: str):
    result = CliRunner().invoke(app, ["--db", str(path), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def query(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def catalog_rows(path: Path) -> dict[str, list[tuple]]:
    """The catalog tables, by schema 1's columns (a later schema may add columns)."""
    out = {}
    for table in CATALOG:
        columns = [r[1] for r in query(FIXTURE, f"PRAGMA table_info({table})")]
        out[table] = query(path, f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
    return out


def progress_rows(path: Path) -> list[tuple]:
    return query(path, f"SELECT {', '.join(PROGRESS)} FROM progress ORDER BY id")


def notes(path: Path) -> set[tuple]:
    """(owner columns, text) of every note, wherever this schema keeps them:
    schema 1 in progress.note, later schemas (also) in the note table."""
    found = set()
    if "note" in {r[1] for r in query(path, "PRAGMA table_info(progress)")}:
        found |= set(
            query(
                path,
                "SELECT specialization_id, course_id, topic_id, note FROM progress "
                "WHERE note IS NOT NULL AND note != ''",
            )
        )
    if query(path, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='note'")[0][0]:
        found |= set(query(path, "SELECT specialization_id, course_id, topic_id, text FROM note"))
    return found


def strings(value: object):
    """Every string anywhere in a JSON document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, path)
    return path


@pytest.fixture(autouse=True, scope="module")
def _fixture_is_never_modified():
    yield
    assert sha(FIXTURE) == FIXTURE_SHA, "tests/data/store-schema1.db was modified"


def test_the_fixture_is_a_first_release_store() -> None:
    assert query(FIXTURE, "PRAGMA user_version") == [(1,)]
    assert query(FIXTURE, "PRAGMA application_id") == [(db.APPLICATION_ID,)]
    assert len(notes(FIXTURE)) == 2


@pytest.mark.parametrize("first", [["status"], ["done", "dls/2/2", "--on", "2025-03-01"]])
def test_upgrade_keeps_every_row_and_says_where_the_copy_is(
    old_store: Path, tmp_path: Path, first: list[str]
) -> None:
    catalog, progress, old_notes = (
        catalog_rows(old_store),
        progress_rows(old_store),
        notes(old_store),
    )
    original = list(sqlite3.connect(old_store).iterdump())

    result = cli(old_store, *first)
    assert result.exit_code == 0, result.stderr
    match = re.fullmatch(
        rf"upgrading {re.escape(str(old_store))} from schema 1 to {db.SCHEMA_VERSION}; "
        r"a copy of the old store is at (\S+)\n",
        result.stderr,
    )
    assert match, result.stderr
    saved = Path(match.group(1))

    # The store is upgraded, and nothing in it was lost.
    assert query(old_store, "PRAGMA user_version") == [(db.SCHEMA_VERSION,)]
    assert query(old_store, "PRAGMA integrity_check") == [("ok",)]
    assert catalog_rows(old_store) == catalog
    if first[0] == "done":
        changed = [r for r in progress_rows(old_store) if r not in progress]
        assert len(changed) == 1 and changed[0][4:] == ("done", "2025-02-03", "2025-03-01")
        assert [r for r in progress if r not in progress_rows(old_store)] == [
            (7, None, None, 6, "in-progress", "2025-02-03", None)
        ]
    else:
        assert progress_rows(old_store) == progress
    assert notes(old_store) == old_notes

    # What the learner sees agrees.
    overview = json.loads(cli(old_store, "status", "--json").stdout)
    units = {s["slug"]: s["units_done"] for s in overview["specializations"]}
    assert units == {"dls": 5 + (first[0] == "done"), "self": 1}
    exported = cli(old_store, "export", "json")
    assert exported.exit_code == 0
    texts = set(strings(json.loads(exported.stdout)))
    assert {text for *_, text in old_notes} <= texts, "the notes are in the backup"

    # The copy is the old store exactly: a valid schema-1 store, same content.
    assert saved.parent == old_store.parent and saved.name.startswith("old.db.schema1-")
    assert query(saved, "PRAGMA integrity_check") == [("ok",)]
    assert query(saved, "PRAGMA user_version") == [(1,)]
    assert query(saved, "PRAGMA application_id") == [(db.APPLICATION_ID,)]
    assert list(sqlite3.connect(saved).iterdump()) == original

    # Later commands neither upgrade again nor copy again.
    again = cli(old_store, "status")
    assert again.exit_code == 0 and again.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == [saved.name]


def test_an_earlier_copy_is_never_written_over(old_store: Path, tmp_path: Path) -> None:
    now = dt.datetime.now()
    earlier = []
    for second in range(10):  # whatever second the upgrade lands in, a copy is there
        stamp = (now + dt.timedelta(seconds=second)).strftime("%Y%m%d-%H%M%S")
        earlier.append(tmp_path / f"old.db.schema1-{stamp}.bak")
        earlier[-1].write_bytes(b"an earlier copy")
    result = cli(old_store, "status")
    assert result.exit_code == 0, result.stderr
    saved = Path(result.stderr.rsplit(" ", 1)[1].strip())
    assert saved not in earlier and saved.is_file()
    assert query(saved, "PRAGMA user_version") == [(1,)]
    assert all(p.read_bytes() == b"an earlier copy" for p in earlier)


def _fail_half_way(original):
    """A migration that does all its work, then hits an error before it is recorded."""

    def migration(conn) -> None:
        original(conn)
        conn.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")

    return migration


def test_a_migration_failing_half_way_leaves_the_old_store(
    old_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = list(sqlite3.connect(old_store).iterdump())
    # the first migration this schema-1 store needs fails half-way
    failing = [db.MIGRATIONS[0], _fail_half_way(db.MIGRATIONS[1]), *db.MIGRATIONS[2:]]
    monkeypatch.setattr(schema, "MIGRATIONS", failing)
    result = cli(old_store, "done", "dls/2/2")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"Error: the store {old_store} failed: no such table: no_such_table"
    )
    assert query(old_store, "PRAGMA user_version") == [(1,)]
    assert query(old_store, "PRAGMA integrity_check") == [("ok",)]
    assert list(sqlite3.connect(old_store).iterdump()) == before
    monkeypatch.undo()
    assert cli(old_store, "done", "dls/2/2").exit_code == 0
    assert query(old_store, "PRAGMA user_version") == [(db.SCHEMA_VERSION,)]


# --- what is refused, untouched ---------------------------------------------------


def _newer(path: Path) -> str:
    shutil.copyfile(FIXTURE, path)
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 7}")
    con.commit()
    con.close()
    return "was written by a newer coursetrack (schema"


def _not_sqlite(path: Path) -> str:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return "is not a SQLite database, so not a coursetrack store"


def _text_file(path: Path) -> str:
    path.write_text("SQLite format 2 -- my notes\n")
    return "is not a SQLite database, so not a coursetrack store"


def _foreign(path: Path) -> str:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE specialization (id INTEGER PRIMARY KEY, slug TEXT)")
    con.execute("INSERT INTO specialization VALUES (1, 'mine')")
    con.commit()
    con.close()
    return "is a SQLite database but not a coursetrack store"


def _foreign_app_id(path: Path) -> str:
    con = sqlite3.connect(path)
    con.execute("PRAGMA application_id = 1234")
    con.commit()
    con.close()
    return "is a SQLite database but not a coursetrack store"


def _truncated(path: Path) -> str:
    path.write_bytes(FIXTURE.read_bytes()[:8192])
    return "cannot read the store"


KINDS = {
    "newer": _newer,
    "not-sqlite": _not_sqlite,
    "text": _text_file,
    "foreign": _foreign,
    "foreign-app-id": _foreign_app_id,
    "truncated": _truncated,
}
COMMANDS = {
    "status": ["status"],
    "log": ["log"],
    "export": ["export", "yaml"],
    "done": ["done", "dls/1/1"],
    "import": ["import", "deep-learning-specialization"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", KINDS)
def test_what_is_not_ours_to_open_is_refused_untouched(
    tmp_path: Path, kind: str, command: str
) -> None:
    path = tmp_path / "store.db"
    message = KINDS[kind](path)
    before = sha(path)
    result = cli(path, *COMMANDS[command])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path} {message}") or (
        result.stderr.startswith(f"Error: {message} {path}")
    ), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert sha(path) == before, "left byte for byte as it was"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"], "no journal, no copy"


# --- a schema-2 store, with its history -------------------------------------------

FIXTURE2 = Path(__file__).parent / "data" / "store-schema2.db"
FIXTURE2_SHA = hashlib.sha256(FIXTURE2.read_bytes()).hexdigest()
_DATA = ("specialization", "course", "topic", "progress", "note", "link", "review", "goal")


def _every_row(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, history included, by the columns schema 2 had; a change's
    values as JSON read, less the row's uid (schema 8 adds it to every recorded change)."""
    out = {}
    for table in (*_DATA, "command", "change"):
        columns = [r[1] for r in query(FIXTURE2, f"PRAGMA table_info({table})")]
        out[table] = query(path, f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
    out["change"] = [
        tuple(
            _without_uid(v) if c in ("old", "new") else v for c, v in zip(columns, row, strict=True)
        )
        for row in out["change"]
    ]
    return out


def _without_uid(values: str | None) -> dict | None:
    if values is None:
        return None
    row = json.loads(values)
    row.pop("uid", None)
    return row


def test_a_schema_2_store_upgrades_keeping_its_history_and_undo_reaches_back(
    tmp_path: Path,
) -> None:
    """Schema 4 rebuilds three tables and the triggers; every row and every recorded
    change survive, and undo still reverts commands recorded before the upgrade."""
    path = tmp_path / "two.db"
    shutil.copyfile(FIXTURE2, path)
    assert query(path, "PRAGMA user_version") == [(2,)]
    before = _every_row(path)
    assert len(before["command"]) == 13 and len(before["change"]) == 43

    result = cli(path, "status")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        f"upgrading {path} from schema 2 to {db.SCHEMA_VERSION}; a copy of the old store is at "
    )
    assert query(path, "PRAGMA user_version") == [(db.SCHEMA_VERSION,)]
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, "PRAGMA foreign_key_check") == []
    assert _every_row(path) == before

    from sqlalchemy import create_engine

    from test_schema import assert_is_what_the_models_describe

    bind = create_engine(f"sqlite:///{path}")
    assert_is_what_the_models_describe(bind)
    bind.dispose()

    # the two newest commands were recorded by schema 2's triggers; undo reverts both
    undone = [cli(path, "undo", "--yes") for _ in range(2)]
    assert [u.exit_code for u in undone] == [0, 0], [u.stderr for u in undone]
    assert undone[0].stdout.startswith("undid #13 start dls/2/2 --on 2025-02-03 (")
    assert undone[1].stdout.startswith("undid #12 rm dls/5 --yes (")
    after = _every_row(path)
    assert after["progress"] == [r for r in before["progress"] if r[0] != 7]  # started dls/2/2
    back = set(after["topic"]) - set(before["topic"])  # rm dls/5 took the course and its topics
    assert back and {row[1] for row in back} == {5} and set(before["topic"]) <= set(after["topic"])
    assert [r[0] for r in after["course"] if r[1] == 1] == [1, 2, 3, 4, 5]
    # the undos' own changes are under their own commands
    assert query(
        path,
        "SELECT DISTINCT c.line FROM change ch JOIN command c ON c.id = ch.command_id "
        "WHERE ch.command_id > 13 ORDER BY c.id",
    ) == [("undo --yes",)]
    assert query(path, "SELECT undone_by FROM command WHERE id IN (12, 13) ORDER BY id") == [
        (15,),
        (14,),
    ]
    assert sha(FIXTURE2) == FIXTURE2_SHA, "tests/data/store-schema2.db was modified"
