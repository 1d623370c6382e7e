"""The read SQL of `log`, `review`, `export markdown`, `note list` and `link list` on PostgreSQL.

A store is built on SQLite by the real commands, copied row for row into an
empty PostgreSQL database (tables from the models, which carry the whole
schema), and each read service runs over both through a `Reader`: the results,
and the post's bytes, must be the same. (The command tests run every command
on both engines too; this compares the two engines' answers to one set of
rows directly.) The server is the suite's (`postgres_server`); without one the
test skips with the suite's one reason.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import postgres

pytestmark = pytest.mark.sqlite_only  # built on SQLite, then copied to PostgreSQL


@pytest.fixture
def studied(dls, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Some history: done, reviewed, notes and links on every level, a rename, an undo."""
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-01T09:00:00+00:00")
    for args in (
        ("done", "dls/1/1", "dls/1/2", "dls/1/3"),
        ("note", "dls", "the whole *thing*"),
        ("note", "dls/1", "why this matters\n\n- a list"),
        ("link", "dls/1/2", "https://example.org/nb", "--title", "notebook"),
        ("link", "dls", "https://example.org/all"),
    ):
        assert dls.run(*args).exit_code == 0, args
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-05T09:00:00+00:00")
    for args in (
        ("reviewed", "dls/1/1", "--grade", "good"),
        ("reviewed", "dls/1/2", "--grade", "again"),
        ("start", "dls/2/1"),
        ("note", "dls/2/1", "second note"),
        ("undo", "--yes"),
        ("note", "dls/2/1", "second note, again"),
    ):
        assert dls.run(*args).exit_code == 0, args
    return dls.path


@pytest.fixture
def both(studied: Path, postgres_server) -> Iterator[tuple]:
    """(SQLite reader, PostgreSQL reader) over the same rows."""
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    import coursetrack.models  # noqa: F401  (the tables)
    from coursetrack.store.reader import AlchemyReader, SqliteReader

    name = postgres_server.create_database(template="template0")  # empty: no triggers
    engine = create_engine(postgres.on_psycopg2(postgres_server.url(name)))
    try:
        source = sqlite3.connect(studied)
        source.row_factory = sqlite3.Row
        with engine.begin() as conn:
            SQLModel.metadata.create_all(conn)
            for table in SQLModel.metadata.sorted_tables:
                rows = [dict(r) for r in source.execute(f'SELECT * FROM "{table.name}"')]
                for row in rows:  # dates as dates: PostgreSQL's columns are typed
                    for key, value in row.items():
                        if key.endswith("_on") and isinstance(value, str):
                            row[key] = dt.date.fromisoformat(value)
                later = []  # a command names the one that undid it: set once both exist
                if table.name == "command":
                    later = [(row["id"], row["undone_by"]) for row in rows if row["undone_by"]]
                    rows = [{**row, "undone_by": None} for row in rows]
                if rows:
                    conn.execute(table.insert(), rows)
                for row_id, undone_by in later:
                    conn.execute(
                        text("UPDATE command SET undone_by = :by WHERE id = :id"),
                        {"by": undone_by, "id": row_id},
                    )
        source.close()
        lite = sqlite3.connect(studied, isolation_level=None)
        with engine.connect() as conn:
            yield SqliteReader(lite), AlchemyReader(conn)
        lite.close()
    finally:
        engine.dispose()
        postgres_server.drop_database(name)


def same(both, read, *args, **kwargs):
    """`read(reader, *args, **kwargs)` on each engine; the answer, which must be the same."""
    lite, pg = (read(reader, *args, **kwargs) for reader in both)
    assert pg == lite
    return lite


def _target(reader, ref: str | None):
    from coursetrack.refs import read_target

    return read_target(reader, ref) if ref is not None else None


REFS = [None, "dls", "dls/1", "dls/2", "dls/1/2", "dls/3"]


def test_review_queue_and_due_counts(both) -> None:
    from coursetrack.services import review
    from coursetrack.services.schedule import due_count

    def due(reader, ref: str, today: dt.date) -> int:
        return due_count(reader, _target(reader, ref), today)

    for ref in REFS:
        queue = same(both, review.review_queue, ref=ref, today=dt.date(2026, 3, 10))
        if ref is None:
            assert [i.short_ref for i in queue.due] == ["dls/1/3", "dls/1/2", "dls/1/1"]
            continue
        for day in (1, 2, 5, 6, 8, 10):
            same(both, due, ref, dt.date(2026, 3, day))
    schedule = same(both, lambda r: review.schedule_of(r, _target(r, "dls/1/1").topic))
    assert schedule is not None and schedule.interval_days == 3


@pytest.mark.slow  # a store copied row by row to PostgreSQL
def test_log_names_every_change_alike(both) -> None:
    from coursetrack.services import log

    def entries(reader, **kwargs) -> list[dict]:
        return [e.to_dict() for e in log.log_entries(reader, **kwargs)]

    for ref in REFS:
        for since in (None, dt.date(2026, 3, 5), dt.date(2026, 3, 6)):
            for detail in (None, 8):
                same(both, entries, ref=ref, since=since, detail=detail)
    everything = same(both, entries)
    assert everything[0]["command"] == "note dls/2/1 'second note, again'"
    assert any(e["undoes"] for e in everything)


def test_the_post_is_the_same_bytes(both) -> None:
    from coursetrack import blog
    from coursetrack.services.export import post_data

    def post(reader, options: blog.PostOptions) -> str:
        return blog.render_post(post_data(reader, "dls"), options).text

    for fmt in blog.FORMATS:
        for dates in (False, True):
            options = blog.PostOptions(
                format=fmt,
                tags=["x"],
                date=dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
                dates=dates,
            )
            same(both, post, options)


def test_note_and_link_lists(both) -> None:
    from coursetrack.services.notes import list_links, list_notes

    def listed(reader, ref: str | None) -> tuple[list, list]:
        target = _target(reader, ref)
        return list_notes(reader, target=target), list_links(reader, target=target)

    for ref in REFS:
        same(both, listed, ref)
