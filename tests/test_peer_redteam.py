"""Red-team pass on peer review's security (issue 23): what a learner of the group tries
by hand, through psycopg2 as her own role and through the CLI, against the claims of
`store.group_peer` and `store.peer_rules`: she never learns who reviewed, never writes
or removes a review as someone else, never makes a request vanish from under its
reviews; and `check` names what was changed by hand.

The owner `olga`, the curator `cora` and the learners `alice`, `bob` and `carol`
(tests/group.py); the requests and reviews of `test_peer_security.reviewed`: alice's
request on dls/1/1 reviewed by bob then carol, bob's on dls/1/2 reviewed by alice.
What test_peer_security tests already (the columns, RETURNING, COPY, a temporary view
or function, pg_stats, the history's rows) is not tested again here.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg2
import pytest

import by_hand
from coursetrack.store import group
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401
from test_peer_security import (  # noqa: F401 (the fixture `reviewed`, shared)
    _STORED,
    PASS,
    REVISE,
    _ask,
    _own_command,
    _review,
    _write,
    reviewed_fixture,
)

# the red team's attacks on a real group: the full suite's; `-m "not slow"` keeps test_peer and test_peer_security
pytestmark = pytest.mark.slow

#: A rubric a curator gives topic 3 (dls/1/3).
_RUBRIC = '[{"criterion": "clarity", "points": 5}]'


def test_a_learner_cannot_forge_history_through_the_owners_trigger_functions(reviewed) -> None:
    """The history functions run as the tables' owner (SECURITY DEFINER), so that a
    learner's write is recorded where she may not write by hand. Any role may run a
    function PUBLIC may execute from a trigger on a table of her own: a temporary table
    `peer_review` whose rows the owner's function files in the store's history as hers.
    A history row naming another's removed review lets her take its id (`issued_ids`
    trusts her history), and its reviewer's undo can no longer put it back."""
    g, alice, _bob = reviewed
    carol = _ask(g, "carol", 3)
    (bobs,) = g.all_rows("SELECT id FROM peer_review WHERE learner = 'bob'")[0]
    assert _write(g, "bob", "DELETE FROM peer_review WHERE id = ?", bobs) == 1
    with g.connect("alice") as con, contextlib.suppress(psycopg2.Error), con.transaction():
        _own_command(con)
        con.execute(
            "CREATE TEMP TABLE peer_review (id integer, request_id integer, reviewed_on date, "
            "grade text, scores text, comment text, learner text)"
        )
        con.execute(
            "CREATE TRIGGER forge AFTER INSERT ON pg_temp.peer_review "
            "FOR EACH ROW EXECUTE FUNCTION public.history_peer_review()"
        )
        con.execute(
            "INSERT INTO pg_temp.peer_review (id, request_id, reviewed_on, grade, comment, "
            "learner) VALUES (%s, %s, '2026-10-07', %s, 'forged', 'alice')",
            (bobs, alice, PASS),
        )
        con.execute(
            "INSERT INTO public.peer_review (id, request_id, reviewed_on, grade, comment) "
            "VALUES (%s, %s, '2026-10-08', %s, 'taken')",
            (bobs, carol, PASS),
        )
    # nothing of hers names bob's review, and bob's undo puts it back
    assert g.all_rows(
        "SELECT count(*) FROM change WHERE learner = 'alice' AND table_name = 'peer_review' "
        "AND row_id = ?",
        bobs,
    ) == [(0,)]
    ok(g.run("bob", "undo", "--yes"))
    assert g.all_rows("SELECT learner, request_id FROM peer_review WHERE id = ?", bobs) == [
        ("bob", alice)
    ]
    # check names such a function that anyone may run, and group init takes it back
    with g.connect(g.superuser) as con:
        con.execute("GRANT EXECUTE ON FUNCTION history_progress() TO PUBLIC")
        con.execute('GRANT EXECUTE ON FUNCTION coursetrack_ck_peer_review() TO "alice"')
    found = g.run(g.owner, "check")
    assert found.exit_code == 1
    for name in ("coursetrack_ck_peer_review", "history_progress"):
        assert f"anyone may run {name}() as the owner" in found.stdout + found.stderr
    ok(g.run(g.owner, "group", "init"))
    ok(g.run(g.owner, "check"))


def test_a_reviewed_request_cannot_be_asked_again_under_its_id_on_another_item(
    reviewed,
) -> None:
    """Moving a reviewed request to another item is held by the rule on scores (its
    reviews must fit the new item's rubric). Removing it and asking again under the same
    id, in one transaction whose foreign keys wait for the commit, is the same move:
    held as well, and nothing changes."""
    g, alice, _bob = reviewed
    _write(g, g.curator, "UPDATE topic SET rubric = ? WHERE id = 3", _RUBRIC)
    before = g.all_rows(_STORED)
    move = f"UPDATE peer_request SET topic_id = 3 WHERE id = {alice}"
    with pytest.raises(psycopg2.errors.CheckViolation):
        _write(g, "alice", move)
    with pytest.raises(psycopg2.errors.CheckViolation):
        _write(
            g,
            "alice",
            "SET CONSTRAINTS ALL DEFERRED; "
            f"DELETE FROM peer_request WHERE id = {alice}; "
            "INSERT INTO peer_request (id, topic_id, url, asked_on) "
            f"VALUES ({alice}, 3, 'https://example.org/alice/other', '2026-10-06')",
        )
    assert g.all_rows(_STORED) == before


def test_check_names_a_learner_granted_who_reviewed_by_hand(reviewed) -> None:
    """Who reviewed is read by curators alone. A grant of it to one learner (not to the
    learners' role) is found by `check`, and `group init` takes it back."""
    g, _alice, _bob = reviewed
    with g.connect(g.superuser) as con:
        con.execute('GRANT SELECT (learner) ON peer_review TO "alice"')
        con.execute('GRANT SELECT ON peer_review TO "bob"')
    found = g.run(g.owner, "check")
    assert found.exit_code == 1
    said = found.stdout + found.stderr
    assert "alice may read peer_review.learner" in said
    assert "bob may read peer_review.learner" in said
    ok(g.run(g.owner, "group", "init"))
    ok(g.run(g.owner, "check"))
    for learner in ("alice", "bob"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            g.rows(learner, "SELECT learner FROM peer_review")


def test_the_rules_functions_give_a_learners_trigger_nothing(reviewed) -> None:
    """The review rule's function runs as the owner and reads every review: run by a
    learner's trigger on a temporary table of hers (if she may run it at all), it
    refuses nothing and tells nothing, whichever review or request it is pointed at."""
    g, alice, bob = reviewed
    for table, ids in (("peer_review", (1, 2, 3)), ("peer_request", (alice, bob))):
        with g.connect("alice") as con:
            con.execute(f"CREATE TEMP TABLE {table} (id integer)")
            with contextlib.suppress(psycopg2.errors.InsufficientPrivilege):
                con.execute(
                    f"CREATE TRIGGER probe AFTER INSERT ON pg_temp.{table} "
                    "FOR EACH ROW EXECUTE FUNCTION public.coursetrack_ck_peer_review()"
                )
            for row in ids:
                with con.transaction():
                    con.execute(f"INSERT INTO pg_temp.{table} VALUES (%s)", (row,))
                    scope = "SELECT coalesce(current_setting('coursetrack.scope', true), '')"
                    assert con.execute(scope).fetchone() == ("",)


def _refusal(con: Any, sql: str, *params: object) -> psycopg2.Error:
    """The error `sql` raises on `con` (autocommit), whichever it is."""
    with pytest.raises(psycopg2.Error) as refused:
        con.execute(sql, params or None)
    return refused.value


def _said(error: psycopg2.Error) -> str:
    """Everything an error tells its reader: message, detail, hint, context, key values."""
    diag = error.diag
    return " ".join(
        part or ""
        for part in (
            str(error),
            diag.message_detail,
            diag.message_hint,
            diag.context,
            diag.constraint_name,
            diag.column_name,
        )
    )


def test_no_role_setting_or_prepared_way_reads_who_reviewed(reviewed) -> None:
    """A learner may not become a curator, the owner or another learner (SET ROLE, SET
    SESSION AUTHORIZATION); the learners' role reads no more than she does; a cursor,
    a prepared statement and EXPLAIN are held to the same column privileges."""
    g, _alice, _bob = reviewed
    curators = group.role_name(g.name, group.CURATORS)
    learners = group.role_name(g.name, group.LEARNERS)
    with g.connect("alice") as con:
        for role in (curators, g.owner, g.curator, "bob", g.superuser):
            for sql in (f'SET ROLE "{role}"', f'SET SESSION AUTHORIZATION "{role}"'):
                assert isinstance(_refusal(con, sql), psycopg2.errors.InsufficientPrivilege)
        con.execute(f'SET ROLE "{learners}"')
        for sql in (
            "SELECT learner FROM peer_review",
            "DECLARE who CURSOR WITH HOLD FOR SELECT learner FROM peer_review",
            "PREPARE who (text) AS SELECT id FROM peer_review WHERE learner = $1; "
            "EXECUTE who ('bob')",
            "EXPLAIN SELECT id FROM peer_review WHERE learner = 'bob'",
            "EXPLAIN (ANALYZE) SELECT id FROM peer_review ORDER BY learner",
            "SELECT id FROM peer_review WHERE (request_id, learner) = (1, 'bob')",
            "SELECT id FROM peer_review r WHERE r = r",
            "SELECT count(DISTINCT learner) FROM peer_review",
            "SELECT id FROM peer_review WHERE current_user = learner",
        ):
            assert isinstance(_refusal(con, sql), psycopg2.errors.InsufficientPrivilege), sql
        # what she may run says no more than its rows: the plan names no reviewer
        con.execute("RESET ROLE")
        con.execute("SELECT set_config('coursetrack.scope', 'group', false)")
        plan = con.execute(
            "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF) "
            "SELECT id, comment FROM peer_review ORDER BY id"
        ).fetchall()
        assert not any(name in str(plan) for name in ("bob", "carol"))


def test_the_owners_functions_read_the_store_not_a_learners_lookalikes(reviewed) -> None:
    """The functions that run as the owner (the counts, the review rule) name the store's
    schema before pg_temp: a learner's temporary tables named as the store's, put first
    in her search_path, neither feed them false rows nor let her review her own work;
    nor does a temporary lookalike of a function they call (PostgreSQL never looks one up
    in pg_temp unnamed)."""
    g, alice, _bob = reviewed
    _write(g, g.curator, "UPDATE topic SET rubric = ? WHERE id = 3", _RUBRIC)
    carol = _ask(g, "carol", 3)
    counts = sorted(g.rows("carol", "SELECT * FROM coursetrack_review_counts()"))
    given = sorted(g.rows("carol", "SELECT * FROM coursetrack_peer_tally()"))
    before = g.all_rows(_STORED)
    with g.connect("alice") as con, con.transaction():
        _own_command(con)
        con.execute(
            "CREATE TEMP TABLE peer_review (id integer, request_id integer, learner text, "
            "scores text); CREATE TEMP TABLE peer_request (id integer, learner text, "
            "course_id integer, topic_id integer)"
        )
        con.execute(
            "INSERT INTO pg_temp.peer_review VALUES (90, %s, 'mallory', NULL); "
            "INSERT INTO pg_temp.peer_request VALUES (%s, 'carol', NULL, 1)",
            (carol, alice),
        )
        con.execute("SET LOCAL search_path = pg_temp, public")
        assert sorted(con.execute("SELECT * FROM coursetrack_review_counts()")) == counts
        assert sorted(con.execute("SELECT * FROM coursetrack_peer_tally()")) == given
        # her own request, which her lookalike says is carol's: refused all the same
        refused = _refusal(
            con,
            "INSERT INTO public.peer_review (request_id, reviewed_on, grade, comment) "
            "VALUES (%s, '2026-10-08', %s, 'mine is great')",
            alice,
            PASS,
        )
        assert refused.diag.constraint_name == "ck_peer_review_not_own"
    # nor a lookalike of the function that checks scores, nor of the item holding a rubric
    with g.connect("alice") as con, con.transaction():
        _own_command(con)
        con.execute(
            "CREATE FUNCTION pg_temp.coursetrack_scores_ok(s text, r text) RETURNS boolean "
            "LANGUAGE sql AS 'SELECT true'; CREATE TEMP TABLE topic (id integer, rubric text); "
            "INSERT INTO pg_temp.topic VALUES (3, NULL)"
        )
        con.execute("SET LOCAL search_path = pg_temp, public")
        refused = _refusal(
            con,
            "INSERT INTO public.peer_review (request_id, reviewed_on, grade, comment) "
            "VALUES (%s, '2026-10-08', %s, 'no scores')",
            carol,
            PASS,
        )
        assert refused.diag.constraint_name == "ck_peer_review_scores"
    assert g.all_rows(_STORED) == before


def test_no_refusal_names_a_reviewer(reviewed) -> None:
    """What the store says when it refuses an author's write on her reviewed request (a
    foreign key, the review rule, a unique key, an id not hers to take) names no one
    who reviewed it: not in its message, its detail, its context or its key."""
    g, alice, bob = reviewed
    _write(g, g.curator, "UPDATE topic SET rubric = ? WHERE id = 3", _RUBRIC)
    reviewers = ("bob", "carol")
    with g.connect("alice") as con:
        con.execute(
            f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
            f"VALUES ('2026-10-08T10:00:00+00:00', 'x', {by_hand.values('postgresql')})"
        )
        con.execute(
            "SELECT set_config('coursetrack.command', "
            "(SELECT max(id)::text FROM command WHERE learner = session_user), false)"
        )
        for sql in (
            f"DELETE FROM peer_request WHERE id = {alice}",
            f"UPDATE peer_request SET id = id + 1000 WHERE id = {alice}",
            f"UPDATE peer_request SET topic_id = 3 WHERE id = {alice}",
            f"UPDATE peer_request SET learner = 'bob' WHERE id = {alice}",
            "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
            f"VALUES ({alice}, '2026-10-08', '{PASS}', 'mine')",
            "INSERT INTO peer_review (id, request_id, reviewed_on, grade, comment) "
            f"VALUES (1, {bob}, '2026-10-08', '{PASS}', 'again')",
            "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
            f"VALUES ({bob}, '2026-10-08', '{PASS}', 'again')",
            "INSERT INTO peer_review (request_id, reviewed_on, grade, comment, learner) "
            f"VALUES ({alice}, '2026-10-08', '{PASS}', 'as bob', 'bob')",
        ):
            said = _said(_refusal(con, sql))
            assert not any(name in said for name in reviewers), (sql, said)


#: What a learner may store by hand that others' commands show: escape sequences (a
#: terminal's clipboard, its title, clearing it), Rich's markup, a right-to-left override.
_HOSTILE = "\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b[2J[bold red]loud[/] \u202eolleh\r\n#"


def test_what_a_learner_stores_breaks_no_one_elses_peer_commands(reviewed) -> None:
    """A request's url and note, a review's comment (as long as the store allows) and
    scores, written by hand with escape sequences and markup: every learner's and the
    curator's peer list, peer show and group status still work, shown, never obeyed."""
    g, alice, _bob = reviewed
    _write(g, g.curator, "UPDATE topic SET rubric = ? WHERE id = 3", _RUBRIC)
    carol = _ask(g, "carol", 3)
    assert _write(
        g,
        "carol",
        "UPDATE peer_request SET url = ?, note = ? WHERE id = ?",
        f"https://example.org/{_HOSTILE}",
        _HOSTILE * 1000,
        carol,
    )
    longest = 100_000
    comment = (_HOSTILE * (longest // len(_HOSTILE) + 1))[:longest]
    assert _write(
        g,
        "alice",
        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
        "VALUES (?, '2026-10-08', ?, ?, ?)",
        carol,
        REVISE,
        '{"clarity" : -0}',
        comment,
    )
    for role in (*g.learners, g.curator):
        for args in (
            ("peer", "list"),
            ("peer", "list", "--mine"),
            ("peer", "show", str(carol)),
            ("peer", "show", str(alice)),
            ("group", "status", "dls"),
        ):
            for json in ((), ("--json",)):
                if args[0] == "group" and json:
                    continue
                shown = g.run(role, *args, *json)
                ok(shown)
                assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout, (role, args)
    shown = g.run("carol", "peer", "show", str(carol), "--json").json()
    assert shown["reviews"] == [
        {
            "reviewer": "reviewer 1",
            "grade": REVISE,
            "scores": {"clarity": 0},
            "comment": comment,
            "reviewed_on": "2026-10-08",
        }
    ]


def test_a_urls_settings_name_no_reviewer_nor_lend_a_curators_eyes(reviewed) -> None:
    """The URL's options set the group's scope and the learners' role for the session:
    the author still reads "reviewer 1", "reviewer 2"; a curator who steps down to the
    learners' role is refused in one line, never shown who reviewed."""
    g, alice, _bob = reviewed
    learners = group.role_name(g.name, group.LEARNERS)

    def url(role: str, options: str) -> str:
        return f"{g.url(role)}&options={quote(options, safe='')}"

    scoped = url("alice", f"-c coursetrack.scope=group -c role={learners}")
    shown = g.run("alice", "--db", scoped, "peer", "show", str(alice), "--json")
    ok(shown)
    assert [r["reviewer"] for r in shown.json()["reviews"]] == ["reviewer 1", "reviewer 2"]
    ok(g.run("alice", "--db", scoped, "group", "status", "dls"))
    stepped_down = url(g.curator, f"-c role={learners}")
    for args in (("peer", "show", str(alice)), ("peer", "list")):
        line = one_line(g.run(g.curator, "--db", stepped_down, *args))
        assert "permission denied for table peer_review" in line
        assert "bob" not in line and "carol" not in line


def test_check_names_the_review_rules_function_changed_by_hand(reviewed) -> None:
    """The review rule's function runs as the owner and reads every review: changed by
    hand (here: to hold nothing, so that a learner reviews her own work), `check` says
    so, and `group init` makes it again."""
    g, alice, _bob = reviewed
    with g.connect(g.superuser) as con:
        con.execute(
            "CREATE OR REPLACE FUNCTION coursetrack_ck_peer_review() RETURNS trigger "
            "LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN RETURN NULL; END $$"
        )
    found = g.run(g.owner, "check")
    assert found.exit_code == 1
    assert "coursetrack_ck_peer_review() is not the one coursetrack makes" in found.stdout
    ok(g.run(g.owner, "group", "init"))
    ok(g.run(g.owner, "check"))
    with pytest.raises(psycopg2.errors.CheckViolation):
        _write(
            g,
            "alice",
            "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
            f"VALUES ({alice}, '2026-10-08', '{PASS}', 'mine is great')",
        )


def test_no_way_of_hers_takes_a_reviewed_request_from_under_its_reviews(
    group_store: GroupStore, tmp_path: Path
) -> None:
    """Besides DELETE and undo (tested in test_peer_security and test_peer): TRUNCATE, a
    removal whose foreign keys wait for the commit, a new id, the catalog item removed
    under it (she is no curator), and her record restored from a backup older than it."""
    g = group_store
    backup = tmp_path / "before.yaml"
    ok(g.run("alice", "export", "yaml", "-o", str(backup)))
    alice = _ask(g, "alice", 1)
    _review(g, "bob", alice, PASS, "bob: clear")
    before = g.all_rows(_STORED)
    for sql in (
        "TRUNCATE peer_request CASCADE",
        "TRUNCATE peer_review",
        f"SET CONSTRAINTS ALL DEFERRED; DELETE FROM peer_request WHERE id = {alice}",
        f"UPDATE peer_request SET id = nextval('peer_request_id_seq') WHERE id = {alice}",
        "DELETE FROM topic WHERE id = 1",
        "DELETE FROM course WHERE id = 1",
    ):
        with contextlib.suppress(psycopg2.Error):
            _write(g, "alice", sql)
        assert g.all_rows(_STORED) == before, sql
    g.run("alice", "import", str(backup))  # refused (her record is there) or not: it stays
    assert g.all_rows("SELECT id, learner FROM peer_request") == [(alice, "alice")]
    assert g.all_rows("SELECT request_id, learner FROM peer_review") == [(alice, "bob")]


def test_a_reviews_scores_are_no_longer_than_its_comment_may_be(reviewed) -> None:
    """A comment is at most a note's length; the scores, padded with blanks (which JSON
    allows and the rubric's check reads past), are held to it as well."""
    g, _alice, _bob = reviewed
    _write(g, g.curator, "UPDATE topic SET rubric = ? WHERE id = 3", _RUBRIC)
    carol = _ask(g, "carol", 3)
    before = g.all_rows(_STORED)
    padded = '{"clarity":' + " " * 1_000_000 + "5}"
    with pytest.raises(psycopg2.errors.CheckViolation) as refused:
        _write(
            g,
            "bob",
            "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
            "VALUES (?, '2026-10-08', ?, ?, 'short')",
            carol,
            PASS,
            padded,
        )
    assert refused.value.diag.constraint_name == "ck_peer_review_scores"
    assert g.all_rows(_STORED) == before


def test_an_author_reads_no_trace_of_her_reviewers_transactions(group_store: GroupStore) -> None:
    """The store holds no reviewer's name where the author may read it, but the server
    keeps one more trace: the foreign key's check of a new review locks the request
    (FOR KEY SHARE), which writes the reviewer's transaction id into the request's
    `xmax`. Were the author to read that system column of her own request, the `xmin`
    of the rows the group may read would tell her whose it was: the reviewer's next
    command (here bob's `done`) is the transaction right after it. Learners read both
    tables column by column, which hides every system column (`group_peer.COLUMN_GRANTED`)."""
    g = group_store
    alice = _ask(g, "alice", 1)
    _review(g, "bob", alice, PASS, "bob: clear")
    ok(g.run("bob", "done", "dls/1/2"))
    # the request's xmax is the transaction of bob's review; his next one follows it
    locked = g.all_rows("SELECT xmax::text FROM peer_request WHERE id = ?", alice)
    assert locked == g.all_rows("SELECT xmin::text FROM peer_review WHERE learner = 'bob'")
    (bobs_next,) = g.all_rows("SELECT xmin::text::bigint FROM progress WHERE learner = 'bob'")[0]
    assert int(locked[0][0]) < bobs_next
    with g.connect("alice") as con, pytest.raises(psycopg2.errors.InsufficientPrivilege):
        con.execute("SELECT xmax FROM peer_request WHERE id = %s", (alice,))
