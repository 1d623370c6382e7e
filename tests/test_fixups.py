"""A store made before the rules (schema 5) upgrades without losing anything: rows that
break a rule are mended into a form the rules allow, what they no longer hold is kept
in notes, and the upgrade says what it did. On SQLite and on PostgreSQL, and on a
study group whose learners' rows the owner's upgrade mends.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

import postgres
from conftest import Store
from coursetrack.cli import app
from coursetrack.store import open_store, rules, schema, triggers
from group import ok
from old_coursetrack import playing_schema

# the upgrade mends on each engine: the [postgresql] runs stay in the quick loop
pytestmark = pytest.mark.both_engines

LONG_TITLE = "A program " + "t" * 600
LONG_NOTE = "".join(f"line {i:06d}\n" for i in range(20_000))  # 240,000 characters


def _at_schema_5(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store as coursetrack made it before the rules: the first five steps."""
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 5)
    url = db if "://" in db else f"sqlite:///{db}"
    bind = create_engine(postgres.on_psycopg2(url))
    try:
        schema.migrate(bind)
    finally:
        bind.dispose()
    monkeypatch.undo()


_ROWS = [
    "INSERT INTO command (id, at, line) VALUES (1, '2025-01-01T00:00:00+00:00', 'old')",
    "INSERT INTO specialization (id, slug, title, url) "
    "VALUES (1, 'old', :title, 'javascript:alert(1)')",
    "INSERT INTO course (id, specialization_id, position, slug, title) "
    "VALUES (1, 1, 1, 'Course One', 'Course one')",
    "INSERT INTO topic (id, course_id, position, slug, title) VALUES (1, 1, 1, 't1', 'One')",
    "INSERT INTO topic (id, course_id, position, slug, title) VALUES (2, 1, 2, 't2', 'Two')",
    "INSERT INTO progress (id, topic_id, status, started_on, completed_on) "
    "VALUES (1, 1, 'done', '2025-03-01', '2025-02-01')",
    "INSERT INTO progress (id, topic_id, status) VALUES (2, 2, 'todo')",
    "INSERT INTO review (id, topic_id, reviewed_on, grade, interval_days, due_on) "
    "VALUES (1, 1, '2025-03-05', 'good', 0, '2025-03-05')",
    "INSERT INTO review (id, topic_id, reviewed_on, grade, interval_days, due_on) "
    "VALUES (2, 2, '2025-03-06', 'hard', 2, '2025-03-08')",
    "INSERT INTO note (id, course_id, written_on, text) VALUES (1, 1, '2025-03-02', :note)",
    "INSERT INTO link (id, topic_id, url, title, added_on) "
    "VALUES (1, 1, 'javascript:alert(2)', 'nb', '2025-03-03')",
    "INSERT INTO goal (id, specialization_id, target_on) VALUES (1, 1, '5874897-12-31')",
]


def _fill(db: str) -> None:
    url = db if "://" in db else f"sqlite:///{db}"
    bind = create_engine(postgres.on_psycopg2(url))
    try:
        with bind.begin() as conn:
            for i, sql in enumerate(_ROWS):
                conn.execute(text(sql), {"title": LONG_TITLE, "note": LONG_NOTE})
                if i == 0:
                    triggers.bind_command(conn, 1)
            if conn.dialect.name == "postgresql":  # the rows were given their ids
                for table in ("command", "specialization", "course", "topic", "progress",
                              "review", "note", "link", "goal"):  # fmt: skip
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
    finally:
        bind.dispose()


def _broken(db: str) -> list:
    store = open_store(db, write=False)
    try:
        with store.engine.connect() as conn:
            return [(rule.name, n) for rule, _, n in rules.violations(conn)]
    finally:
        store.close()


def test_an_old_store_breaking_the_rules_upgrades_and_keeps_everything(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _at_schema_5(store.db, monkeypatch)
    _fill(store.db)

    result = store.run("status")
    assert result.exit_code == 0, result.stderr
    said = result.stderr
    for rule in (
        "specialization_title", "specialization_url", "course_slug", "progress_completed_after_start",
        "note_text", "link_url", "review_interval_days", "review_due_after_review",
        "goal_target_on", "review_done_topic",
    ):  # fmt: skip
        assert f"broke rule {rule} " in said, (rule, said)
    assert "Traceback" not in said
    assert _broken(store.db) == []

    # cut at the limit, the whole kept in a note on the item
    assert store.rows("SELECT length(title) FROM specialization") == [(500,)]
    notes = [t for (t,) in store.rows("SELECT text FROM note ORDER BY id")]
    assert any(t.endswith(f"the title was: {LONG_TITLE}") for t in notes)
    assert any(t.endswith("the url was: javascript:alert(1)") for t in notes)
    # the note split into notes of the same day and item, nothing lost
    parts = store.rows(
        "SELECT text FROM note WHERE course_id = 1 AND CAST(written_on AS VARCHAR) = "
        "'2025-03-02' ORDER BY id"
    )
    assert "".join(t for (t,) in parts) == LONG_NOTE and len(parts) == 3
    # the course's slug made again, the old one kept
    assert store.rows("SELECT slug FROM course") == [("course-one",)]
    assert any(t.endswith("the slug was: Course One") for t in notes)
    # the review of a topic not done is a note of its day on the topic
    assert store.rows("SELECT topic_id FROM review") == [(1,)]
    (kept,) = store.rows(
        "SELECT text FROM note WHERE topic_id = 2 AND CAST(written_on AS VARCHAR) = '2025-03-06'"
    )
    assert "reviewed on 2025-03-06 (hard, next due 2025-03-08)" in kept[0]
    # the link that is no web link is a note; dates are dates
    assert store.rows("SELECT count(*) FROM link") == [(0,)]
    assert any("a link to javascript:alert(2) (nb)" in t for t in notes)
    assert store.rows("SELECT CAST(target_on AS VARCHAR) FROM goal") == [("2999-12-31",)]
    assert any(t.endswith("the target_on was 5874897-12-31") for t in notes)
    assert store.rows(
        "SELECT CAST(started_on AS VARCHAR), CAST(completed_on AS VARCHAR) FROM progress "
        "WHERE id = 1"
    ) == [("2025-02-01", "2025-02-01")]
    assert store.rows("SELECT interval_days, CAST(due_on AS VARCHAR) FROM review WHERE id = 1") == [
        (1, "2025-03-06")
    ]

    # what it holds now reads back: its backup restores into a new store
    backup = tmp_path / "b.json"
    ok(store.run("export", "json", "-o", str(backup)))
    fresh = tmp_path / "fresh.db"
    restored = CliRunner().invoke(app, ["--db", str(fresh), "import", str(backup)])
    assert restored.exit_code == 0, restored.stderr
    assert json.loads(backup.read_text())
    # and a later command neither upgrades nor says anything again
    again = store.run("status")
    assert again.exit_code == 0 and again.stderr == ""


def test_a_study_group_made_before_the_rules_upgrades_with_its_owners_next_command(
    postgres_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner's upgrade mends every learner's rows (row-level security does not hide
    them from it), keeps each learner's kept notes theirs, and the group's security holds
    after it as before."""
    import group as groups

    groups._owner_template(postgres_server)  # the owner's role exists
    name = postgres_server.create_database()
    postgres_server._admin.execute(f'ALTER DATABASE "{name}" OWNER TO "{groups.OWNER}"')
    g = groups.GroupStore(postgres_server, name)
    try:
        with playing_schema(5):
            ok(g.run(g.owner, "import", "deep-learning-specialization"))
            ok(g.run(g.owner, "group", "init"))
            for learner in ("alice", "bob"):
                g.add(learner)
            ok(g.run("alice", "done", "dls/1/1", "--on", "2026-10-01"))
            ok(g.run("alice", "reviewed", "dls/1/1", "--grade", "good", "--on", "2026-10-05"))
            ok(g.run("bob", "done", "dls/1/2", "--on", "2026-10-01"))
            with g.connect("alice") as con, con.transaction():  # what schema 5 let her do
                con.execute(
                    "SELECT set_config('coursetrack.command', (SELECT max(id)::text FROM command "
                    "WHERE learner = session_user), true)"
                )
                con.execute("UPDATE progress SET status = 'todo', completed_on = NULL")
                con.execute(
                    "INSERT INTO note (specialization_id, written_on, text) "
                    "SELECT id, '2026-10-06', %s FROM specialization",
                    ("n" * 150_000,),
                )

        upgraded = g.run(g.owner, "status")
        assert upgraded.exit_code == 0, upgraded.stderr
        assert "1 review broke rule review_done_topic" in upgraded.stderr
        assert "1 note row broke rule note_text" in upgraded.stderr
        assert g.all_rows("SELECT version FROM coursetrack_schema") == [(schema.SCHEMA_VERSION,)]
        kept = g.all_rows("SELECT learner, length(text) FROM note ORDER BY id")
        assert kept[:2] == [("alice", 100_000), ("alice", 50_000)]
        assert [learner for learner, _ in kept[2:]] == ["alice"]
        assert "reviewed on 2026-10-05" in g.all_rows("SELECT text FROM note ORDER BY id")[2][0]
        assert g.all_rows("SELECT count(*) FROM review") == [(0,)]
        # the group's security is as it was: forced, and each learner sees their own
        forced = g.all_rows(
            "SELECT bool_and(relforcerowsecurity) FROM pg_class WHERE relname IN "
            "('progress', 'note', 'review', 'goal', 'link', 'command', 'member')"
        )
        assert forced == [(True,)]
        assert g.rows("bob", "SELECT count(*) FROM note") == [(0,)]
        ok(g.run("alice", "status", "dls/1"))
        ok(g.run("bob", "done", "dls/1/3"))
        ok(g.run(g.owner, "group", "status", "dls"))
        # and the rule holds for her from now on
        ok(g.run("alice", "done", "dls/1/1"))
        ok(g.run("alice", "reviewed", "dls/1/1", "--grade", "good"))
        refused = g.run("alice", "undo", "2", "--yes")
        assert refused.exit_code == 1
    finally:
        postgres_server.drop_database(name)


@pytest.mark.sqlite_only
def test_an_old_sqlite_store_edited_by_hand_upgrades_into_text_and_dates(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What only SQLite could hold: a NUL inside a title, a day that is no date, a flag
    that is a word, a command's moment that is none. (Bytes for text the history
    triggers already refuse: JSON cannot hold them.)"""
    import sqlite3

    _at_schema_5(store.db, monkeypatch)
    con = sqlite3.connect(store.db)
    with con:
        con.execute("INSERT INTO command (id, at, line) VALUES (1, 'yesterday', 'old')")
        con.execute("INSERT INTO history_binding VALUES (1, 1)")
        con.execute(
            "INSERT INTO specialization (id, slug, title) VALUES (1, 's', ?)",
            ("Intro\x00duction",),
        )
        con.execute(
            "INSERT INTO progress (specialization_id, status, started_on) "
            "VALUES (1, 'in-progress', '2025-02-30')"
        )
        con.execute(
            "INSERT INTO note (specialization_id, written_on, text, private) "
            "VALUES (1, '2025-01-01', 'n', 'yes')"
        )
        con.execute("DELETE FROM history_binding")
    con.close()

    result = store.run("status")
    assert result.exit_code == 0, result.stderr
    assert _broken(store.db) == []
    assert store.rows("SELECT title FROM specialization") == [("Intro\\x00duction",)]
    assert store.rows("SELECT started_on FROM progress") == [(None,)]
    assert store.rows("SELECT private FROM note WHERE text = 'n'") == [(1,)]
    assert any(
        t.endswith("the started_on was 2025-02-30") for (t,) in store.rows("SELECT text FROM note")
    )
    assert store.rows("SELECT at, line FROM command WHERE id = 1") == [
        ("1900-01-01T00:00:00+00:00", "old (recorded at 'yesterday')")
    ]
    for rule in ("specialization_title", "progress_started_on",
                 "note_private", "command_at"):  # fmt: skip
        assert f"broke rule {rule} " in result.stderr, (rule, result.stderr)
