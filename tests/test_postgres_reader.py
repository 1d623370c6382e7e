"""`store.postgres_reader`: a read of an up-to-date PostgreSQL store over psycopg2 alone.

It must give the rows SQLAlchemy's reader gives, open the same transaction,
word a failure to connect as `open_store` does, and step aside (None) for
every store the SQLAlchemy way has something to do or say about.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app

pytestmark = pytest.mark.sqlite_only  # a PostgreSQL server of its own, whatever the engine


@pytest.fixture
def studied(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-01T09:00:00+00:00")
    runner = CliRunner()
    for args in (
        ("import", "deep-learning-specialization"),
        ("done", "dls/1", "dls/2/1"),
        ("start", "dls/3"),
        ("note", "dls/1/1", "50% of it, with a :colon and a 'quote'"),
    ):
        result = runner.invoke(app, ["--db", pg_url, *args])
        assert result.exit_code == 0, result.output
    return pg_url


def _both(url: str, sql: str, **params: object) -> tuple[list, list]:
    from coursetrack.store import open_store, postgres_reader

    store = open_store(url, write=False)
    try:
        with store.read() as slow:
            expected = slow.all(sql, **params)
    finally:
        store.close()
    with postgres_reader.snapshot(url) as fast:
        assert fast is not None
        return fast.all(sql, **params), expected


def test_the_same_rows_as_sqlalchemys_reader(studied: str) -> None:
    from coursetrack.store import overview, queries

    for sql, params in (
        (queries.SPECIALIZATION_PROGRESS.format(units=queries.UNITS, where=""), {}),
        (queries.COURSE_PROGRESS.format(units=queries.UNITS, where=""), {}),
        (queries.TOPIC_UNITS, {"course_id": 1}),
        (queries.NOTE_ROWS.format(where=""), {}),
        ("SELECT id FROM topic WHERE id = ANY(:ids) ORDER BY id", {"ids": [2, 3]}),
        ("SELECT text LIKE '%:%' AS odd, CAST(:n AS integer) + 1 AS m FROM note", {"n": 1}),
    ):
        fast, slow = _both(studied, sql, **params)
        assert fast == slow and fast, sql
    fast, slow = _both(studied, queries.PROGRESS_OF.format(owner="topic_id"), id=1)
    assert fast == slow
    assert overview  # the statements above are the ones status puts together


def test_a_read_only_repeatable_read_snapshot(studied: str) -> None:
    from coursetrack.store import postgres_reader

    with postgres_reader.snapshot(studied) as fast:
        assert fast is not None
        assert fast.scalar("SHOW transaction_isolation") == "repeatable read"
        assert fast.scalar("SHOW transaction_read_only") == "on"
        assert fast.scalar("SELECT current_setting('coursetrack.scope', true)") == ""


def test_it_steps_aside_for_an_empty_database_and_other_urls(pg_url: str) -> None:
    from coursetrack.store import postgres_reader

    with postgres_reader.snapshot(pg_url) as fast:
        assert fast is None  # an empty database reads as an empty store, the SQLAlchemy way
    assert not postgres_reader.plain_url("postgresql+pg8000://u@h/d")
    assert not postgres_reader.plain_url("sqlite:///x.db")
    assert postgres_reader.plain_url("postgresql+psycopg://u@h/d")
    assert postgres_reader.plain_url("postgresql+psycopg2://u@h/d")


def test_it_steps_aside_for_an_older_schema(studied: str, postgres_server) -> None:
    from coursetrack.store import postgres_reader

    name = studied.split("@/", 1)[1].split("?")[0]
    with postgres_server.connect(name) as con:
        con.execute("UPDATE coursetrack_schema SET version = version - 1")
    with postgres_reader.snapshot(studied) as fast:
        assert fast is None


def test_a_server_that_is_not_there_is_one_line(tmp_path) -> None:
    from coursetrack.errors import StoreError
    from coursetrack.store import open_store, postgres_reader

    url = f"postgresql://ct:s3cret@/nothing?host={tmp_path}"
    with pytest.raises(StoreError) as fast, postgres_reader.snapshot(url):
        pass
    with pytest.raises(StoreError) as slow:
        open_store(url, write=False)
    assert str(fast.value) == str(slow.value)
    assert "s3cret" not in str(fast.value)


def test_reading_imports_no_sqlalchemy(studied: str) -> None:
    code = (
        "import sys\n"
        "from coursetrack.store import postgres_reader, overview\n"
        f"with postgres_reader.snapshot({studied!r}) as r:\n"
        "    assert r is not None and overview.specialization_progress(r)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'sqlmodel', 'pydantic')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
