"""Peer review's rules of the record (issue 23, schema 7) are the store's own, on both
engines: a raw INSERT through the driver (sqlite3, psycopg2), as a learner in psql or
the sqlite3 shell would send it, that breaks one is refused by the database itself,
naming the rule's constraint, and changes nothing; rows that keep them go in.

The store is one learner's (SQLite, or PostgreSQL not made a group's), so another
learner's request is planted by hand (`learner = 'ann'`): the rules hold there too.
"""

from __future__ import annotations

import json
import sqlite3

import psycopg2
import pytest

from conftest import Store
from coursetrack.store import rules
from coursetrack.validate import MAX_CRITERIA, MAX_CRITERION, MAX_NOTE, MAX_POINTS
from coursetrack.vocabulary import Verdict

# the rules are each engine's own: the [postgresql] runs stay in the quick loop
pytestmark = pytest.mark.both_engines

PASS = Verdict.PASS.value
RUBRIC = json.dumps([{"criterion": "clarity", "points": 5}, {"criterion": "tests", "points": 3}])
URL = "https://example.org/ann/notebook"


@pytest.fixture
def asked(dls: Store) -> Store:
    """Topic 1 has a rubric (clarity 5, tests 3); ann asked for a review of topic 1 (id 1)
    and of course 2 (no rubric, id 2); the learner asked for one of topic 2 (id 3)."""
    dls.execute("UPDATE topic SET rubric = ? WHERE id = 1", RUBRIC)
    for column, item, learner in (("topic_id", 1, "'ann'"), ("course_id", 2, "'ann'")):
        dls.execute(
            f"INSERT INTO peer_request ({column}, url, asked_on, learner) "
            f"VALUES (?, ?, '2026-10-06', {learner})",
            item,
            URL,
        )
    dls.execute(
        "INSERT INTO peer_request (topic_id, url, note, asked_on) "
        "VALUES (2, 'https://example.org/mine', 'my notebook', '2026-10-06')"
    )
    assert dls.rows("SELECT id, learner = 'ann' FROM peer_request ORDER BY id") == [
        (1, 1),
        (2, 1),
        (3, 0),
    ]
    return dls


def _refused_by(store: Store, sql: str, *params: object) -> str:
    """The constraint the database names as it refuses `sql`, sent through its driver."""
    try:
        store.execute(sql, *params)
    except sqlite3.IntegrityError as exc:
        text = str(exc)
        assert text.startswith("CHECK constraint failed: "), text
        return text.removeprefix("CHECK constraint failed: ")
    except psycopg2.errors.CheckViolation as exc:
        assert exc.diag.constraint_name, exc
        return exc.diag.constraint_name
    pytest.fail(f"the store took it: {sql} {params}")


_REQUEST = "INSERT INTO peer_request (course_id, topic_id, url, note, asked_on, learner) "
_REQUEST += "VALUES (?, ?, ?, ?, ?, ?)"
_REVIEW = "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment, learner) "
_REVIEW += "VALUES (?, ?, ?, ?, ?, coalesce(?, (SELECT learner FROM peer_request WHERE id = 3)))"
_COURSE = "INSERT INTO course (specialization_id, position, slug, title, rubric) "
_COURSE += "VALUES (1, 99, 'extra', 'Extra', ?)"
_TOPIC = "INSERT INTO topic (course_id, position, slug, title, rubric) "
_TOPIC += "VALUES (1, 99, 'extra', 'Extra', ?)"


def _request(**given: object) -> tuple:
    row = {"course_id": None, "topic_id": 3, "url": URL, "note": None}
    row |= {"asked_on": "2026-10-06", "learner": "bo"} | given
    return (_REQUEST, *row.values())


def _review(**given: object) -> tuple:
    row = {"request_id": 2, "reviewed_on": "2026-10-07", "grade": PASS, "scores": None}
    row |= {"comment": "clear and tested", "learner": None} | given
    return (_REVIEW, *row.values())


def _criteria(n: int, *, points: int = 1, width: int = 1) -> str:
    return json.dumps([{"criterion": f"{i:0{width}d}", "points": points} for i in range(n)])


#: (the rule's name, a raw INSERT breaking it and nothing else, engines it applies to).
CASES = [
    ("peer_request_one_item", _request(course_id=1), None),
    ("peer_request_one_item", _request(topic_id=None), None),
    ("peer_request_url", _request(url="javascript:alert(1)"), None),
    ("peer_request_url", _request(url="mailto:ann@example.org"), None),
    ("peer_request_url", _request(url="https://"), None),
    ("peer_request_url", _request(url="https://x.org/" + "u" * 2048), None),
    ("peer_request_note", _request(note=" "), None),
    ("peer_request_note", _request(note="n" * (MAX_NOTE + 1)), None),
    ("peer_request_note", _request(note="a\x00b"), "sqlite"),
    ("peer_request_asked_on", _request(asked_on="1899-12-31"), None),
    ("peer_request_asked_on", _request(asked_on="2025-02-30"), "sqlite"),
    ("peer_request_learner", _request(learner=""), None),
    ("peer_review_reviewed_on", _review(reviewed_on="3000-01-01"), None),
    ("peer_review_grade", _review(grade="good"), None),
    ("peer_review_grade", _review(grade="PASS"), None),
    ("peer_review_comment", _review(comment=" "), None),
    ("peer_review_comment", _review(comment="c" * (MAX_NOTE + 1)), None),
    ("peer_review_learner", _review(learner="l" * 64), None),
    # the learner's own request (3), by her; ann's request (2), by ann
    ("peer_review_not_own", _review(request_id=3), None),
    ("peer_review_not_own", _review(request_id=2, learner="ann"), None),
    # request 1's topic has a rubric: clarity 0..5, tests 0..3, each once, nothing else
    ("peer_review_scores", _review(request_id=1), None),
    ("peer_review_scores", _review(request_id=1, scores='{"clarity": 5}'), None),
    ("peer_review_scores", _review(request_id=1, scores='{"clarity": 6, "tests": 0}'), None),
    ("peer_review_scores", _review(request_id=1, scores='{"clarity": 5, "tests": -1}'), None),
    ("peer_review_scores", _review(request_id=1, scores='{"clarity": 5, "tests": 2.5}'), None),
    ("peer_review_scores", _review(request_id=1, scores='{"clarity": "5", "tests": 3}'), None),
    ("peer_review_scores", _review(request_id=1, scores='{"Clarity": 5, "tests": 3}'), None),
    ("peer_review_scores",
     _review(request_id=1, scores='{"clarity": 5, "tests": 3, "style": 1}'), None),
    ("peer_review_scores",
     _review(request_id=1, scores='{"clarity": 5, "clarity": 5, "tests": 3}'), None),
    ("peer_review_scores", _review(request_id=1, scores="[5, 3]"), None),
    ("peer_review_scores", _review(request_id=1, scores="clarity=5"), None),
    # request 2's course has no rubric: no scores
    ("peer_review_scores", _review(request_id=2, scores='{"clarity": 1}'), None),
    ("peer_review_scores", _review(request_id=2, scores="{}"), None),
    ("course_rubric", (_COURSE, "[]"), None),
    ("course_rubric", (_COURSE, "null"), None),
    ("course_rubric", (_COURSE, "not json"), None),
    ("course_rubric", (_COURSE, '{"criterion": "clarity", "points": 5}'), None),
    ("course_rubric", (_COURSE, _criteria(MAX_CRITERIA + 1, width=2)), None),
    ("course_rubric", (_COURSE, '[{"criterion": "clarity"}]'), None),
    ("course_rubric", (_COURSE, '[{"criterion": "clarity", "points": 0}]'), None),
    ("course_rubric", (_COURSE, f'[{{"criterion": "clarity", "points": {MAX_POINTS + 1}}}]'),
     None),
    ("course_rubric", (_COURSE, '[{"criterion": "clarity", "points": 1.5}]'), None),
    ("course_rubric", (_COURSE, '[{"criterion": "clarity", "points": "5"}]'), None),
    ("topic_rubric", (_TOPIC, '[{"criterion": "", "points": 1}]'), None),
    ("topic_rubric", (_TOPIC, '[{"criterion": "   ", "points": 1}]'), None),
    ("topic_rubric", (_TOPIC, '[{"criterion": 5, "points": 1}]'), None),
    ("topic_rubric", (_TOPIC, _criteria(1, width=MAX_CRITERION + 1)), None),
    ("topic_rubric", (_TOPIC, '[{"criterion": "a\\u0000b", "points": 1}]'), None),
    ("topic_rubric", (_TOPIC, '[{"criterion": "a", "points": 1}, {"criterion": "a", "points": 2}]'),
     None),
    ("topic_rubric", (_TOPIC, '[{"criterion": "a", "points": 1, "weight": 2}]'), None),
    ("topic_rubric", (_TOPIC, '[{"criterion": "a", "points": 1},]'), None),
    ("topic_rubric", (_TOPIC, '["a"]'), None),
]  # fmt: skip


def test_every_peer_rule_is_refused_by_the_store_itself(asked: Store, engine: str) -> None:
    """Each raw INSERT breaking one rule is refused by the database, which names that
    rule's constraint; the store is as it was."""
    before = asked.dump(history=True)
    named = set()
    for rule, (sql, *params), only in CASES:
        if only and only != engine:
            continue
        assert _refused_by(asked, sql, *params) == f"ck_{rule}", (sql, params)
        named.add(rule)
    assert asked.dump(history=True) == before
    peer = {r.name for r in (*rules.RULES, *rules.TRIGGERED) if r.schema == 7}
    assert named == peer


def test_what_keeps_the_rules_goes_in(asked: Store) -> None:
    """The rules refuse no good row: scores in any order, the bounds themselves, a
    review of an item without a rubric, a rubric at its limits, any language."""
    asked.execute(*_review(request_id=1, scores='{"tests": 3, "clarity": 0}'))
    asked.execute(*_review(request_id=2, comment="# Good\n\nA *clear* notebook."))
    widest = _criteria(MAX_CRITERIA, points=MAX_POINTS, width=MAX_CRITERION)
    asked.execute(_COURSE, widest)
    asked.execute(_TOPIC, json.dumps([{"criterion": "Clarté ✓", "points": 1}]))
    asked.execute(*_request(topic_id=3, note="n" * MAX_NOTE, learner="bo"))
    assert asked.rows("SELECT request_id, scores FROM peer_review ORDER BY id") == [
        (1, '{"tests": 3, "clarity": 0}'),
        (2, None),
    ]
    assert asked.rows("SELECT rubric FROM course WHERE slug = 'extra'") == [(widest,)]
    assert asked.rows("SELECT count(*) FROM peer_request WHERE learner = 'bo'") == [(1,)]


def test_a_rubric_changed_must_still_fit_the_reviews_given(asked: Store) -> None:
    """A catalog may raise a criterion's points; it may not drop or rename one a review
    scored, nor give a rubric to an item reviewed without one: the store refuses."""
    asked.execute(*_review(request_id=1, scores='{"tests": 3, "clarity": 4}'))
    asked.execute(*_review(request_id=2))
    before = asked.dump()
    for table, item, rubric in (
        ("topic", 1, '[{"criterion": "style", "points": 2}]'),
        ("topic", 1, '[{"criterion": "clarity", "points": 5}]'),
        (
            "topic",
            1,
            '[{"criterion": "clarity", "points": 3}, {"criterion": "tests", "points": 3}]',
        ),
        ("topic", 1, None),
        ("course", 2, '[{"criterion": "clarity", "points": 5}]'),
    ):
        sql = f"UPDATE {table} SET rubric = ? WHERE id = ?"
        assert _refused_by(asked, sql, rubric, item) == "ck_peer_review_scores", rubric
    assert asked.dump() == before
    raised = '[{"criterion": "clarity", "points": 10}, {"criterion": "tests", "points": 3}]'
    asked.execute("UPDATE topic SET rubric = ? WHERE id = 1", raised)
    asked.execute("UPDATE course SET rubric = ? WHERE id = 3", raised)  # not reviewed
    assert asked.rows("SELECT rubric FROM topic WHERE id = 1") == [(raised,)]
