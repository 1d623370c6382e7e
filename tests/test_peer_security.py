"""Peer review's security in a study group (issue 23), held by the server: on the real
PostgreSQL server, with real roles (the owner olga, the curator cora, the learners
alice, bob and carol), through psycopg2 as each of them, as a learner in psql would.

The requests and reviews are written by hand (raw SQL under a command of the writer's
own, as the program would write them): what is tested is what the server lets each
role do, whatever program sends it. Every refusal changes nothing; the author reads the
reviews of her work without who gave them, in any way she may try; a reviewer reads
her own; a curator reads everything, names included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest

import by_hand
from coursetrack.store import group
from coursetrack.vocabulary import Verdict
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

PASS, REVISE = Verdict.PASS.value, Verdict.REVISE.value

#: The peer tables and the history, as stored (the superuser's reading): what must not change.
_STORED = (
    "SELECT 'request', id, course_id, topic_id, url, note, learner FROM peer_request "
    "UNION ALL SELECT 'review', id, request_id, NULL, grade, comment, learner FROM peer_review "
    "UNION ALL SELECT 'change', id, command_id, row_id, table_name, op, learner FROM change "
    "ORDER BY 1, 2"
)


def _write(g: GroupStore, role: str, sql: str, *params: object, scope: str = "") -> int:
    """`sql` as `role` in one transaction under a command of her own (the history needs
    one, as the program's writes have); the rows it changed."""
    with g.connect(role) as con, con.transaction():
        _own_command(con, scope)
        return con.execute(sql.replace("?", "%s"), params or None).rowcount


def _own_command(con: Any, scope: str = "") -> None:
    con.execute(
        f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
        f"VALUES ('2026-10-01T10:00:00+00:00', 'by hand', {by_hand.values('postgresql')})"
    )
    con.execute(
        "SELECT set_config('coursetrack.command', "
        "(SELECT max(id)::text FROM command WHERE learner = session_user), true)"
    )
    if scope:
        con.execute("SELECT set_config('coursetrack.scope', %s, true)", (scope,))


def _read(g: GroupStore, role: str, sql: str, *, scope: str = "") -> list[tuple]:
    with g.connect(role) as con, con.transaction():
        if scope:
            con.execute("SELECT set_config('coursetrack.scope', %s, true)", (scope,))
        return [tuple(r) for r in con.execute(sql).fetchall()]


def _ask(g: GroupStore, role: str, topic: int) -> int:
    _write(
        g,
        role,
        "INSERT INTO peer_request (topic_id, url, note, asked_on) VALUES (?, ?, ?, '2026-10-06')",
        topic,
        f"https://example.org/{role}/notebook",
        f"{role}'s notebook",
    )
    return g.all_rows("SELECT id FROM peer_request WHERE learner = ?", role)[0][0]


def _review(g: GroupStore, role: str, request: int, grade: str, comment: str) -> None:
    _write(
        g,
        role,
        "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
        "VALUES (?, '2026-10-07', ?, ?)",
        request,
        grade,
        comment,
    )


@pytest.fixture(name="reviewed")
def reviewed_fixture(group_store: GroupStore) -> Iterator[tuple[GroupStore, int, int]]:
    """alice asked for a review of dls/1/1 (bob and carol reviewed it), bob of dls/1/2
    (alice reviewed it)."""
    g = group_store
    alice, bob = _ask(g, "alice", 1), _ask(g, "bob", 2)
    _review(g, "bob", alice, PASS, "bob: clear")
    _review(g, "carol", alice, REVISE, "carol: add tests")
    _review(g, "alice", bob, PASS, "alice: neat")
    yield g, alice, bob


def test_an_author_reads_the_reviews_of_her_work_without_names(reviewed) -> None:
    g, alice, bob = reviewed
    columns = "SELECT request_id, grade, comment FROM peer_review ORDER BY id"
    expected = [(alice, PASS, "bob: clear"), (alice, REVISE, "carol: add tests")]
    assert _read(g, "alice", columns) == [*expected, (bob, PASS, "alice: neat")]
    # in a group view too: no more reviews, and never the names
    assert _read(g, "alice", columns, scope=group.GROUP_SCOPE) == _read(g, "alice", columns)
    # a reviewer reads her own review, and the reviews of her own request
    assert _read(g, "bob", columns) == [expected[0], (bob, PASS, "alice: neat")]
    assert _read(g, "carol", columns) == [expected[1]]
    # and the author of every request is known to the group, in a group view
    requests = "SELECT id, learner FROM peer_request ORDER BY id"
    assert _read(g, "carol", requests, scope=group.GROUP_SCOPE) == [(alice, "alice"), (bob, "bob")]
    assert _read(g, "carol", requests) == []


def test_a_curator_reads_every_review_with_its_reviewer(reviewed) -> None:
    g, alice, bob = reviewed
    named = "SELECT request_id, learner FROM peer_review ORDER BY id"
    every = [(alice, "bob"), (alice, "carol"), (bob, "alice")]
    for curator in (g.curator, g.owner):
        assert _read(g, curator, named, scope=group.GROUP_SCOPE) == every
        assert _read(g, curator, "SELECT * FROM peer_review", scope=group.GROUP_SCOPE)
        assert _read(g, curator, named) == []  # outside a group view: their own record


#: Every way a learner in psql might try to learn who reviewed: each is refused.
_WHO_REVIEWED = [
    "SELECT * FROM peer_review",
    "SELECT learner FROM peer_review",
    "SELECT id FROM peer_review WHERE learner = 'bob'",
    "SELECT id FROM peer_review WHERE learner LIKE 'b%'",
    "SELECT id FROM peer_review ORDER BY learner",
    "SELECT count(*) FROM peer_review GROUP BY learner",
    "SELECT r::text FROM peer_review r",
    "SELECT to_jsonb(r) FROM peer_review r",
    "SELECT id FROM peer_review r WHERE r::text LIKE '%bob%'",
    "SELECT id FROM peer_review NATURAL JOIN member",
    "SELECT peer_review.id FROM peer_review JOIN member USING (learner)",
    "SELECT (SELECT max(learner) FROM peer_review)",
    "UPDATE peer_review SET comment = comment RETURNING learner",
    "DELETE FROM peer_review WHERE learner = 'bob'",
    "COPY peer_review TO STDOUT",
    "COPY (SELECT learner FROM peer_review) TO STDOUT",
]


@pytest.mark.parametrize("scope", ["", group.GROUP_SCOPE], ids=["own", "group view"])
def test_no_learner_can_read_who_reviewed(reviewed, scope: str) -> None:
    g, _alice, _bob = reviewed
    before = g.all_rows(_STORED)
    for learner in g.learners:
        for sql in _WHO_REVIEWED:
            with (
                g.connect(learner) as con,
                pytest.raises(psycopg2.errors.InsufficientPrivilege),
                con.transaction(),
            ):
                _own_command(con, scope)
                con.execute(sql)
    assert g.all_rows(_STORED) == before


def test_nor_through_a_view_a_function_or_the_statistics(reviewed) -> None:
    g, _alice, _bob = reviewed
    with g.connect(g.superuser) as con:
        con.execute("ANALYZE peer_review")
    stats = "SELECT attname FROM pg_stats WHERE tablename = 'peer_review' ORDER BY attname"
    assert ("learner",) in g.all_rows(stats)  # the server keeps them: a learner sees none
    for learner in g.learners:  # (PostgreSQL shows no statistics of a table under row security)
        assert ("learner",) not in _read(g, learner, stats)
    for sql in (
        "CREATE TEMP VIEW who AS SELECT learner FROM peer_review; SELECT * FROM who",
        "CREATE FUNCTION pg_temp.who() RETURNS SETOF text LANGUAGE sql "
        "AS 'SELECT learner::text FROM peer_review'; SELECT pg_temp.who()",
    ):
        with (
            g.connect("alice") as con,
            pytest.raises(psycopg2.errors.InsufficientPrivilege),
            con.transaction(),
        ):
            con.execute(sql)


def test_the_history_names_no_reviewer_to_an_author(reviewed) -> None:
    """A learner reads her own history only: the rows of others' reviews are theirs."""
    g, _alice, _bob = reviewed
    history = "SELECT learner, coalesce(new, old) FROM change WHERE table_name = 'peer_review'"
    for scope in ("", group.GROUP_SCOPE):
        rows = _read(g, "alice", history, scope=scope)
        assert [learner for learner, _ in rows] == ["alice"]
        assert not any("bob" in text or "carol" in text for _, text in rows)
    assert len(g.all_rows(history)) == 3  # stored, each under its reviewer


def test_every_refused_write_changes_nothing(reviewed) -> None:
    g, alice, bob = reviewed
    before = g.all_rows(_STORED)
    refused: list[tuple[str, str, type[Exception]]] = [
        # a review as someone else
        ("bob", "INSERT INTO peer_review (request_id, reviewed_on, grade, comment, learner) "
         f"VALUES ({bob}, '2026-10-08', '{PASS}', 'as carol', 'carol')",
         psycopg2.errors.InsufficientPrivilege),
        ("carol", f"UPDATE peer_review SET learner = 'bob' WHERE request_id = {alice}",
         psycopg2.errors.InsufficientPrivilege),
        # a review of one's own request
        ("alice", "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
         f"VALUES ({alice}, '2026-10-08', '{PASS}', 'mine is great')",
         psycopg2.errors.CheckViolation),
        ("alice", f"UPDATE peer_review SET request_id = {alice} WHERE request_id = {bob}",
         psycopg2.errors.CheckViolation),
        # a second review of the same request
        ("bob", "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
         f"VALUES ({alice}, '2026-10-08', '{REVISE}', 'again')",
         psycopg2.errors.UniqueViolation),
        # a request as someone else
        ("bob", "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
         "VALUES (3, 'https://example.org/x', '2026-10-08', 'carol')",
         psycopg2.errors.InsufficientPrivilege),
        # a request that has reviews does not vanish under them
        ("alice", f"DELETE FROM peer_request WHERE id = {alice}",
         psycopg2.errors.ForeignKeyViolation),
    ]  # fmt: skip
    for role, sql, error in refused:
        for scope in ("", group.GROUP_SCOPE):
            with pytest.raises(error):
                _write(g, role, sql, scope=scope)
    # what is not one's own is not there to change, even in a group view
    nothing = [
        ("bob", f"UPDATE peer_request SET url = 'https://evil.example/' WHERE id = {alice}"),
        ("bob", f"DELETE FROM peer_request WHERE id = {alice}"),
        ("alice", f"UPDATE peer_review SET comment = 'nicer' WHERE request_id = {alice}"),
        ("alice", f"DELETE FROM peer_review WHERE request_id = {alice}"),
        ("carol", f"UPDATE peer_review SET grade = '{PASS}' WHERE request_id = {bob}"),
        ("carol", f"DELETE FROM peer_review WHERE request_id = {bob}"),
        ("cora", f"UPDATE peer_review SET comment = 'curated' WHERE request_id = {alice}"),
        ("cora", f"DELETE FROM peer_request WHERE id = {bob}"),
    ]
    for role, sql in nothing:
        for scope in ("", group.GROUP_SCOPE):
            assert _write(g, role, sql, scope=scope) == 0, (role, sql, scope)
    assert g.all_rows(_STORED) == before
    # one's own review changes (the history records it)
    sql = f"UPDATE peer_review SET comment = 'bob: clearer' WHERE request_id = {alice}"
    assert _write(g, "bob", sql) == 1


def test_check_finds_the_group_as_group_init_makes_it_and_names_what_was_changed(
    reviewed,
) -> None:
    g, _alice, _bob = reviewed
    for role in (g.owner, "alice"):
        ok(g.run(role, "check"))
    learners = group.role_name(g.name, group.LEARNERS)
    with g.connect(g.superuser) as con:
        con.execute(f'GRANT SELECT (learner) ON peer_review TO "{learners}"')
        con.execute("DROP POLICY authors_read ON peer_review")
    found = g.run(g.owner, "check")
    assert found.exit_code != 0
    assert f"{learners} may read peer_review.learner" in found.stdout + found.stderr
    assert "the policy authors_read on peer_review is missing" in found.stdout + found.stderr
    ok(g.run(g.owner, "group", "init"))
    ok(g.run(g.owner, "check"))
    assert _read(g, "alice", "SELECT count(*) FROM peer_review") == [(3,)]


def test_an_older_group_is_brought_up_to_date_by_its_owner(group_store: GroupStore) -> None:
    """A group secured by version 3 (peer tables with the other per-learner tables' rights:
    every column readable, no author's policy) is refused to a learner, and its owner's
    next command applies version 4."""
    g = group_store
    learners = group.role_name(g.name, group.LEARNERS)
    with g.connect(g.superuser) as con:
        con.execute(f'GRANT SELECT ON peer_review TO "{learners}"')
        con.execute("DROP POLICY authors_read ON peer_review")
        con.execute("DROP POLICY group_reads ON peer_request")
        con.execute("UPDATE coursetrack_schema SET security = 3")
    line = one_line(g.run("alice", "status", "dls"))
    assert "security is out of date (version 3" in line
    ok(g.run(g.owner, "status", "dls"))
    assert g.all_rows("SELECT security FROM coursetrack_schema") == [(group.SECURITY_VERSION,)]
    assert g.all_rows(
        "SELECT has_column_privilege(?, 'peer_review', 'learner', 'SELECT'), "
        "has_column_privilege(?, 'peer_review', 'comment', 'SELECT')",
        learners,
        learners,
    ) == [(False, True)]
    assert g.all_rows(
        "SELECT polname FROM pg_policy WHERE polrelid IN ('peer_review'::regclass, "
        "'peer_request'::regclass) ORDER BY polname"
    ) == [
        ("authors_read",),
        ("group_reads",),
        ("group_reads",),
        ("own_rows",),
        ("own_rows",),
        ("peer_tally",),
        ("peer_tally",),
    ]
    ok(g.run("alice", "status", "dls"))


def test_a_reviewer_undoes_the_removal_of_her_review(reviewed) -> None:
    """`undo` reads what it puts back, key by key, as the learner: never who reviewed,
    which she may not read (it finds the review's key among the rows she sees)."""
    g, alice, _bob = reviewed
    assert _write(g, "bob", f"DELETE FROM peer_review WHERE request_id = {alice}") == 1
    ok(g.run("bob", "undo", "--yes"))
    assert g.all_rows("SELECT learner, comment FROM peer_review ORDER BY id") == [
        ("bob", "bob: clear"),
        ("carol", "carol: add tests"),
        ("alice", "alice: neat"),
    ]
    ok(g.run("bob", "log"))


def test_the_group_counts_reviews_without_reading_them(reviewed) -> None:
    """How many reviews each request has, and how many each learner gave: what `peer
    list` and `group status` show, which a learner may not count herself."""
    g, alice, bob = reviewed
    for role in (*g.learners, g.curator):
        assert sorted(_read(g, role, "SELECT * FROM coursetrack_review_counts()")) == sorted(
            [(alice, 2), (bob, 1)]
        )
        assert sorted(
            _read(g, role, "SELECT learner, given FROM coursetrack_peer_tally() WHERE given > 0")
        ) == [
            ("alice", 1),
            ("bob", 1),
            ("carol", 1),
        ]
        # and the function leaves the transaction's scope as it was
        assert _read(
            g,
            role,
            "SELECT count(*) FROM coursetrack_review_counts(); "
            "SELECT coalesce(current_setting('coursetrack.scope', true), '')",
        ) == [("",)]
    assert _read(g, "carol", "SELECT request_id FROM peer_review") == [(alice,)]


def test_the_rules_read_what_the_writer_may_not(reviewed) -> None:
    """The store's rules read another learner's request (its item's rubric) and, when a
    curator changes a rubric, every review of it: under row security, as the owner."""
    g, _alice, _bob = reviewed
    rubric = '[{"criterion": "clarity", "points": 5}]'
    _write(g, g.curator, "UPDATE topic SET rubric = ? WHERE id = 3", rubric)
    carol = _ask(g, "carol", 3)  # topic 3's rubric, and carol's request of it
    before = g.all_rows(_STORED)
    review = (
        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
        f"VALUES ({carol}, '2026-10-08', '{PASS}', ?, 'fine')"
    )
    for scores in (None, '{"clarity": 6}', '{"style": 1}'):
        with pytest.raises(psycopg2.errors.CheckViolation) as refused:
            _write(g, "bob", review, scores)
        assert refused.value.diag.constraint_name == "ck_peer_review_scores"
    assert g.all_rows(_STORED) == before
    assert _write(g, "bob", review, '{"clarity": 5}') == 1
    # a curator may raise the points, not drop the criterion bob scored
    with pytest.raises(psycopg2.errors.CheckViolation):
        _write(
            g,
            g.curator,
            "UPDATE topic SET rubric = ? WHERE id = 3",
            '[{"criterion": "x", "points": 5}]',
        )
    raised = '[{"criterion": "clarity", "points": 10}]'
    assert _write(g, g.curator, "UPDATE topic SET rubric = ? WHERE id = 3", raised) == 1
