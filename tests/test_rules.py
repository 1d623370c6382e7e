"""The rules of the record are the store's own (store/rules.py): whoever writes a row
that breaks one, by hand in psql or the sqlite3 shell, or by `undo`, is refused by the
database itself, and the program names the rule in one line.

Runs on SQLite and on PostgreSQL; the learner's cases on a real study group, as that
learner's role.
"""

from __future__ import annotations

import sqlite3

import psycopg2
import pytest

import by_hand
from conftest import Store
from coursetrack.errors import StoreError
from coursetrack.store import open_store, rules
from coursetrack.vocabulary import Verdict
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

# the rules are each engine's own: the [postgresql] runs stay in the quick loop
pytestmark = pytest.mark.both_engines

MB = 1024 * 1024


def _under_a_command_of_her_own(con: psycopg2.extensions.connection) -> None:
    """What a learner does in psql before a write: a command row, bound for the history."""
    con.execute(
        f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
        f"VALUES ('2026-10-01T10:00:00+00:00', 'by hand', {by_hand.values('postgresql')})"
    )
    con.execute(
        "SELECT set_config('coursetrack.command', "
        "(SELECT max(id)::text FROM command WHERE learner = session_user), true)"
    )


def test_a_learner_cannot_store_a_date_python_cannot_read(group_store: GroupStore) -> None:
    """`UPDATE goal SET target_on = '5874897-12-31'` broke every group view for everyone."""
    g = group_store
    ok(g.run("alice", "goal", "dls", "--by", "2027-06-01"))
    ok(g.run("alice", "done", "dls/1/1"))
    with (
        g.connect("alice") as con,
        pytest.raises(psycopg2.errors.CheckViolation) as refused,
        con.transaction(),
    ):
        _under_a_command_of_her_own(con)
        con.execute("UPDATE goal SET target_on = '5874897-12-31'")
    assert refused.value.diag.constraint_name == "ck_goal_target_on"
    assert g.all_rows("SELECT CAST(target_on AS text) FROM goal WHERE learner = 'alice'") == [
        ("2027-06-01",)
    ]
    for role in (g.owner, "bob"):
        ok(g.run(role, "group", "status", "dls"))
        ok(g.run(role, "group", "status", "dls/1"))
        ok(g.run(role, "export", "markdown", "dls", "--group"))


def test_a_learner_cannot_insert_a_9_mb_public_note(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("alice", "done", "dls/1/1"))
    with (
        g.connect("alice") as con,
        pytest.raises(psycopg2.errors.CheckViolation) as refused,
        con.transaction(),
    ):
        _under_a_command_of_her_own(con)
        con.execute(
            "INSERT INTO note (specialization_id, written_on, text, private) "
            "SELECT id, '2026-10-01', %s, false FROM specialization WHERE slug = 'dls'",
            ("x" * (9 * MB),),
        )
    assert refused.value.diag.constraint_name == "ck_note_text"
    assert g.all_rows("SELECT count(*) FROM note") == [(0,)]


@pytest.mark.parametrize(
    "title",
    [pytest.param("T" * (20 * MB), id="20 MB"), pytest.param("Intro" + "\x00" * MB, id="NUL")],
)
@pytest.mark.sqlite_only
def test_a_huge_title_by_hand_is_refused_on_sqlite(dls: Store, title: str) -> None:
    """A 20 MB title made `status` take 1.7 s and `export html` minutes; padded with NUL,
    SQLite's length() would have counted 5 characters."""
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed: ck_topic_title"):
        dls.execute("UPDATE topic SET title = ? WHERE id = 1", title)
    assert dls.rows("SELECT length(CAST(title AS BLOB)) < 100 FROM topic WHERE id = 1") == [(1,)]
    ok(dls.run("status"))


LONG = {"provider": 201, "description": 10_001, "title": 501, "note": 100_001, "line": 1_000_001}

#: (rule, statement breaking it and nothing else, its parameter, engines it applies to).
#: The store holds dls with topic 1 done and reviewed, a note, a link, a goal, a member.
CASES = [
    ("specialization_slug", "UPDATE specialization SET slug = :v", "Deep Learning", None),
    ("specialization_slug", "UPDATE specialization SET slug = :v", "2024", None),
    ("specialization_title", "UPDATE specialization SET title = :v", " ", None),
    ("specialization_provider", "UPDATE specialization SET provider = :v", "p" * 201, None),
    ("specialization_url", "UPDATE specialization SET url = :v", "javascript:alert(1)", None),
    ("specialization_certificate_url", "UPDATE specialization SET certificate_url = :v",
     "ftp://x.org/c", None),
    ("course_slug", "UPDATE course SET slug = :v WHERE id = 1", "a--b", None),
    ("course_title", "UPDATE course SET title = :v WHERE id = 1", "t" * 501, None),
    ("course_description", "UPDATE course SET description = :v WHERE id = 1", "d" * 10_001,
     None),
    ("topic_slug", "UPDATE topic SET slug = :v WHERE id = 2", "x" * 101, None),
    ("topic_url", "UPDATE topic SET url = :v WHERE id = 2", "http://", None),
    ("topic_title", "UPDATE topic SET title = :v WHERE id = 2", "A\x00B", "sqlite"),
    ("progress_started_on", "UPDATE progress SET started_on = :v", "1000-01-01", None),
    ("progress_started_on", "UPDATE progress SET started_on = :v", "2025-02-30", "sqlite"),
    ("progress_done_completed", "UPDATE progress SET completed_on = NULL", None, None),
    ("progress_completed_after_start",
     "UPDATE progress SET started_on = '2026-09-30', completed_on = '2026-09-01'", None, None),
    ("progress_learner", "UPDATE progress SET learner = :v", "l" * 64, None),
    ("note_written_on", "UPDATE note SET written_on = :v", "1899-12-31", None),
    ("note_text", "UPDATE note SET text = :v", "n" * 100_001, None),
    ("note_text", "UPDATE note SET text = :v", "", None),
    ("note_private", "UPDATE note SET private = 2", None, "sqlite"),
    ("link_url", "UPDATE link SET url = :v", "mailto:me@example.org", None),
    ("link_title", "UPDATE link SET title = :v", "t" * 501, None),
    ("link_added_on", "UPDATE link SET added_on = :v", "5874897-12-31", None),
    ("review_reviewed_on", "UPDATE review SET reviewed_on = :v", "1000-01-01", None),
    ("review_interval_days", "UPDATE review SET interval_days = 0", None, None),
    ("review_interval_days", "UPDATE review SET interval_days = 36501", None, None),
    ("review_due_on", "UPDATE review SET due_on = :v", "3000-01-01", None),
    ("review_due_after_review", "UPDATE review SET due_on = reviewed_on", None, None),
    ("review_done_topic", "UPDATE review SET topic_id = 2", None, None),
    ("review_done_topic",
     "INSERT INTO review (topic_id, reviewed_on, grade, interval_days, due_on) "
     "VALUES (3, '2026-10-05', 'good', 3, '2026-10-08')", None, None),
    ("review_done_topic", "UPDATE progress SET status = 'todo', completed_on = NULL", None,
     None),
    ("review_done_topic", "DELETE FROM progress", None, None),
    ("goal_target_on", "UPDATE goal SET target_on = :v", "5874897-12-31", None),
    ("command_at", "UPDATE command SET at = :v", "yesterday", None),
    ("command_line", "UPDATE command SET line = :v", "c" * 1_000_001, None),
    ("member_learner", "UPDATE member SET learner = :v", "", None),
    ("member_shared", "UPDATE member SET shared = 'yes'", None, "sqlite"),
    # peer review (schema 7): ann's request of topic 1 (rubric: clarity, 5 points),
    # reviewed by the learner; the learner's own request of topic 2 (no rubric)
    ("course_rubric", "UPDATE course SET rubric = :v WHERE id = 1",
     '[{"criterion": "clarity", "points": 0}]', None),
    ("course_rubric", "UPDATE course SET rubric = :v WHERE id = 1",
     '[{"criterion": "clarity", "points": 3}, {"criterion": "clarity", "points": 2}]', None),
    ("course_rubric", "UPDATE course SET rubric = :v WHERE id = 1",
     '[{"criterion": "clarity", "points": 2.5}]', None),
    ("topic_rubric", "UPDATE topic SET rubric = :v WHERE id = 2", "not json", None),
    ("topic_rubric", "UPDATE topic SET rubric = :v WHERE id = 2", "[]", None),
    ("topic_rubric", "UPDATE topic SET rubric = :v WHERE id = 2",
     '[{"criterion": "clarity", "points": 3, "weight": 2}]', None),
    ("topic_rubric", "UPDATE topic SET rubric = :v WHERE id = 2",
     '[{"criterion": " ", "points": 3}]', None),
    ("topic_rubric", "UPDATE topic SET rubric = :v WHERE id = 2",
     '{"criterion": "clarity", "points": 3}', None),
    ("peer_request_one_item", "UPDATE peer_request SET course_id = 1", None, None),
    ("peer_request_one_item", "UPDATE peer_request SET topic_id = NULL", None, None),
    ("peer_request_note", "UPDATE peer_request SET note = :v", " ", None),
    ("peer_request_url", "UPDATE peer_request SET url = :v", "mailto:ann@example.org", None),
    ("peer_review_grade", "UPDATE peer_review SET grade = 'good'", None, None),
    ("peer_review_comment", "UPDATE peer_review SET comment = :v", "", None),
    ("peer_review_not_own", "UPDATE peer_review SET learner = 'ann'", None, None),
    ("peer_review_not_own",
     "UPDATE peer_request SET learner = (SELECT learner FROM peer_review) WHERE topic_id = 1",
     None, None),
    ("peer_review_not_own",
     "UPDATE peer_review SET scores = NULL, "
     "request_id = (SELECT id FROM peer_request WHERE topic_id = 2)", None, None),
    ("peer_review_scores", "UPDATE peer_review SET scores = :v", '{"clarity": 6}', None),
    ("peer_review_scores", "UPDATE peer_review SET scores = :v", '{"clarity": -1}', None),
    ("peer_review_scores", "UPDATE peer_review SET scores = :v", '{"clarity": 2.0}', None),
    ("peer_review_scores", "UPDATE peer_review SET scores = :v",
     '{"clarity": 4, "style": 1}', None),
    ("peer_review_scores", "UPDATE peer_review SET scores = :v",
     '{"clarity": 4, "clarity": 4}', None),
    ("peer_review_scores", "UPDATE peer_review SET scores = NULL", None, None),
    ("peer_review_scores", "UPDATE peer_review SET scores = :v", "[4]", None),
    # the request moves to topic 3, which has no rubric: its review's scores no longer fit
    ("peer_review_scores", "UPDATE peer_request SET topic_id = 3 WHERE topic_id = 1", None,
     None),
]  # fmt: skip


_BREAKING = {"cut": "x", "split": "x", "url": "javascript:x", "slug": "Bad Slug"}


def _generated_cases() -> list[tuple]:
    """One breaking write for each rule about one column: over its limit, or out of form."""
    out = []
    for rule in rules.RULES:
        if rule.fix in ("cut", "split"):
            value = "l" * (rule.limit + 1)
        elif rule.fix in ("url", "slug"):
            value = _BREAKING[rule.fix]
        elif rule.fix == "date":
            # out of range on the side that keeps the row's other rules
            value = "1899-12-31" if rule.column in ("started_on", "reviewed_on") else "3000-01-01"
        else:
            continue
        where = f"WHERE id = (SELECT min(id) FROM {rule.table})"
        out.append((rule.name, f"UPDATE {rule.table} SET {rule.column} = :v {where}", value, None))
    return out


@pytest.fixture
def studied(dls: Store) -> Store:
    for args in (
        ("start", "dls/1/1", "--on", "2026-09-01"),
        ("done", "dls/1/1", "--on", "2026-10-01"),
        ("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-10-05"),
        ("note", "dls", "a note"),
        ("link", "dls/1", "https://example.org/nb"),
        ("goal", "dls", "--by", "2027-06-01"),
    ):
        ok(dls.run(*args))
    dls.execute("INSERT INTO member DEFAULT VALUES")
    return dls


@pytest.fixture
def peer_reviewed(studied: Store) -> Store:
    """`studied`, with peer review by hand (a store of one learner has no other's request
    to review): ann's request of topic 1, whose rubric is clarity (5 points), reviewed by
    the learner; the learner's own request of topic 2, which has no rubric."""
    studied.execute(
        "UPDATE topic SET rubric = ? WHERE id = 1", '[{"criterion": "clarity", "points": 5}]'
    )
    studied.execute(
        "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
        "VALUES (1, 'https://example.org/ann', '2026-10-06', 'ann')"
    )
    studied.execute(
        "INSERT INTO peer_request (topic_id, url, note, asked_on) "
        "VALUES (2, 'https://example.org/mine', 'my notebook', '2026-10-06')"
    )
    studied.execute(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
        "SELECT id, '2026-10-07', ?, '{\"clarity\": 4}', 'clear' FROM peer_request "
        "WHERE topic_id = 1",
        Verdict.PASS.value,
    )
    return studied


def test_every_rule_is_the_stores_own(peer_reviewed: Store, engine: str) -> None:
    """Each write by hand that breaks one rule is refused by the database, and the
    program's error is one line naming that rule; nothing is changed."""
    studied = peer_reviewed
    before = studied.dump(history=True)
    store = open_store(studied.db, write=True)
    refused = set()
    try:
        for rule, sql, value, only in [*CASES, *_generated_cases()]:
            if only and only != engine:
                continue
            with pytest.raises(StoreError) as error, store.write("by hand") as writer:
                writer.execute(sql, v=value)
            message = str(error.value)
            assert "\n" not in message
            assert message.endswith(f"(rule {rule}); nothing was changed"), (sql, message)
            assert message.startswith(f"the store {store.target} refused: "), message
            refused.add(rule)
    finally:
        store.close()
    assert studied.dump(history=True) == before
    every = {r.name for r in (*rules.RULES, *rules.TRIGGERED)}
    if engine == "postgresql":  # a boolean column holds nothing else: NOT NULL refuses first
        every -= {r.name for r in rules.RULES if r.fix == "flag"}
    assert refused == every


def test_undo_that_would_leave_a_review_of_a_topic_not_done_is_refused(dls: Store) -> None:
    """The issue's case: undoing `done` left its review behind, and the record's own
    backup could not be restored. The store refuses in one line; nothing changes."""
    clock = {"COURSETRACK_NOW": "2026-10-01T10:00:00"}
    ok(dls.run("done", "dls/1/1", env=clock))
    (done,) = dls.rows("SELECT max(id) FROM command")[0]
    ok(
        dls.run(
            "reviewed", "dls/1/1", "--grade", "good", env={"COURSETRACK_NOW": "2026-10-05T10:00:00"}
        )
    )
    before = dls.dump()
    one_line(dls.run("undo", str(done), "--yes"))
    assert dls.dump() == before
    assert _broken(dls.db) == []


def _broken(db: str) -> list[tuple[str, str, int]]:
    """What `rules.violations` finds in the store (lane C's `check` calls it)."""
    store = open_store(db, write=False)
    try:
        with store.engine.connect() as conn:
            return [(rule.name, table, n) for rule, table, n in rules.violations(conn)]
    finally:
        store.close()


def test_removing_a_reviewed_topic_and_undoing_it_keep_the_rules(studied: Store) -> None:
    """A topic removed takes its progress and reviews with it; undo puts them back in
    any order, and the rule is checked once all are back."""
    before = studied.dump()
    ok(studied.run("rm", "dls/1/1", "--yes"))
    assert studied.rows("SELECT count(*) FROM review") == [(0,)]
    ok(studied.run("undo", "--yes"))
    assert studied.dump() == before
    assert _broken(studied.db) == []


def test_the_readme_lists_every_rule() -> None:
    """README "Your data" names each rule a refusal names, so a user can look it up."""
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your data", 1)[1].split("\n## ", 1)[0]
    missing = [r.name for r in rules.all_rules() if f"`{r.name}`" not in section]
    assert missing == []
