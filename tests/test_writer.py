"""The Writer a write transaction hands the services (store.writer), on both engines.

On a SQLite file the write goes through the standard library's sqlite3 alone
(`Store._write_sqlite`), on an ordinary PostgreSQL store through psycopg2 alone
(`Store._write_postgres`): these tests hold both to the same transaction,
history and refusals.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from coursetrack import store as store_db
from coursetrack.errors import StoreError

# the Writer on both engines: the [postgresql] runs stay in the quick loop
pytestmark = pytest.mark.both_engines


def _open(db: str) -> store_db.Store:
    """The store opened for writing as a command opens it."""
    return store_db.open_store(db, write=True)


def _last_logged(dls) -> dict:
    result = dls.run("log", "-n", "1", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["commands"][0]


def test_a_write_is_one_command_with_its_changes(dls) -> None:
    opened = _open(dls.db)
    try:
        with opened.write("probe rename") as writer:
            changed = writer.execute(
                "UPDATE specialization SET title = :title WHERE slug = :slug",
                title="Renamed",
                slug=dls.rows("SELECT slug FROM specialization")[0][0],
            )
            assert changed == 1
            assert writer.info["command_id"] is not None
    finally:
        opened.close()
    assert dls.rows("SELECT title FROM specialization") == [("Renamed",)]
    entry = _last_logged(dls)
    assert entry["command"] == "probe rename"
    assert [(c["table"], c["op"], c["new"]["title"]) for c in entry["changes"]] == [
        ("specialization", "update", "Renamed")
    ]
    if dls.engine == "sqlite":  # the binding never outlives its transaction
        assert dls.rows("SELECT count(*) FROM history_binding") == [(0,)]
    result = dls.run("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert dls.rows("SELECT title FROM specialization") != [("Renamed",)]


def test_a_write_that_fails_leaves_nothing(dls) -> None:
    before = dls.dump(history=True)
    opened = _open(dls.db)
    try:
        with pytest.raises(RuntimeError), opened.write("probe") as writer:
            writer.execute("UPDATE specialization SET title = 'Half'")
            raise RuntimeError("the command failed half-way")
    finally:
        opened.close()
    assert dls.dump(history=True) == before


def test_a_rule_refuses_a_write_in_one_line_and_nothing_is_kept(dls) -> None:
    before = dls.dump(history=True)
    opened = _open(dls.db)
    try:
        with pytest.raises(StoreError) as refused, opened.write("probe") as writer:
            writer.execute("UPDATE specialization SET title = ''")
    finally:
        opened.close()
    message = str(refused.value)
    assert "\n" not in message and "(rule " in message, message
    assert message.endswith("nothing was changed"), message
    assert dls.dump(history=True) == before


def test_dates_and_new_ids_come_back_as_written(dls) -> None:
    opened = _open(dls.db)
    spec_id = dls.rows("SELECT id FROM specialization")[0][0]
    try:
        with opened.write("probe note") as writer:
            new = writer.insert(
                "INSERT INTO note (specialization_id, written_on, text) "
                "VALUES (:spec, :on, :text) RETURNING id",
                spec=spec_id,
                on=dt.date(2024, 1, 3),
                text="a note",
            )
            row = writer.one("SELECT id, written_on FROM note WHERE id = :id", id=new)
            assert row is not None and row.written_on == dt.date(2024, 1, 3)
    finally:
        opened.close()
    assert dls.rows("SELECT id, written_on FROM note") == [(new, "2024-01-03")]


def test_a_write_imports_no_orm(dls) -> None:
    script = (
        "import sys\n"
        "from coursetrack import store\n"
        f"opened = store.open_store({dls.db!r}, write=True)\n"
        "with opened.write('probe') as writer:\n"
        "    writer.execute('UPDATE specialization SET title = title')\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_many_rows_at_once_each_recorded_and_undone(dls) -> None:
    """`executemany` past one round trip's batch (PostgresWriter sends 100 statements a
    time): every row written, with a literal % in the statement and values that need
    quoting, each change recorded under the command, and undone together."""
    topics = [row[0] for row in dls.rows("SELECT id FROM topic ORDER BY id")]
    spec_id = dls.rows("SELECT id FROM specialization")[0][0]
    rows = [
        {"spec": spec_id, "on": dt.date(2024, 1, 1 + n % 28), "text": f"it's {n}; -- {n}"}
        for n in range(250)
    ]
    opened = _open(dls.db)
    try:
        with opened.write("probe many") as writer:
            writer.executemany(
                "INSERT INTO note (specialization_id, written_on, text) "
                "VALUES (:spec, :on, :text || ' (100%)')",
                rows,
            )
            writer.executemany(
                "UPDATE topic SET title = title || '%' WHERE id = :id",
                [{"id": topic} for topic in topics],
            )
    finally:
        opened.close()
    notes = dls.rows("SELECT written_on, text FROM note ORDER BY id")
    assert notes == [(row["on"].isoformat(), f"{row['text']} (100%)") for row in rows]
    assert all(title.endswith("%") for (title,) in dls.rows("SELECT title FROM topic"))
    entry = _last_logged(dls)
    assert entry["command"] == "probe many"
    result = dls.run("undo", "--yes")
    assert result.exit_code == 0, result.stderr
    assert dls.rows("SELECT count(*) FROM note") == [(0,)]
    assert not any(title.endswith("%") for (title,) in dls.rows("SELECT title FROM topic"))
