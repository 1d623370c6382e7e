"""Peer review in the flow (issue 23): `status` and `next` say when reviews wait for you
and when your work got new ones, `group status SPEC` and the cohort post count the reviews
each learner gave and received, on a study group's store with real roles (tests/group.py:
the owner olga, the curator cora, the learners alice, bob and carol).

The `peer` commands are not what is tested here: requests and reviews are written by
hand, as each learner, in SQL (psycopg2 through `g.connect(role)`), which the group's
security lets a learner do as well as the commands would. What a learner can learn
of others' reviews goes through the store's counting function alone
(`store.peer_counts`): counts, never who reviewed whom.

The clock is pinned to Sunday 2026-03-01 (COURSETRACK_NOW).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import psycopg2
import pytest

import by_hand
from conftest import DLS, Store
from group import GroupStore, group_store_fixture  # noqa: F401
from test_group_views import NOW, _pinned_clock, ok  # noqa: F401 (the clock, as there)

# a real group's status, next, group status and post with reviews: the full suite's
pytestmark = pytest.mark.slow


def _topic(g: GroupStore, ref: str) -> int:
    """The id of a topic named by positions, "1/2": the first course's second topic of dls."""
    course, topic = (int(p) for p in ref.split("/"))
    ((found,),) = g.all_rows(
        "SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id "
        "JOIN specialization s ON s.id = c.specialization_id "
        "WHERE s.slug = 'dls' AND c.position = ? AND t.position = ?",
        course,
        topic,
    )
    return int(found)


def _as_command(con: object, line: str) -> None:
    """File what follows under a command of the connection's learner, as the program does
    (the history's triggers need one)."""
    con.execute(  # type: ignore[attr-defined]
        f"WITH c AS (INSERT INTO command (at, line, {by_hand.COLUMNS}) "
        f"VALUES ('2026-03-01T12:00:00Z', %s, {by_hand.values('postgresql')}) "
        "RETURNING id) SELECT set_config('coursetrack.command', id::text, false) FROM c",
        (line,),
    )


def ask(g: GroupStore, learner: str, ref: str, on: str = "2026-02-20") -> int:
    """`learner` asks the group to review her work on the dls topic `ref`, by hand."""
    with g.connect(learner) as con:
        _as_command(con, f"peer ask dls/{ref}")
        (request,) = con.execute(
            "INSERT INTO peer_request (topic_id, url, asked_on) VALUES (%s, %s, %s) RETURNING id",
            (_topic(g, ref), f"https://example.org/{learner}/{ref}", on),
        ).fetchone()
    return int(request)


def review(g: GroupStore, reviewer: str, request: int, on: str = "2026-02-21") -> None:
    """`reviewer` reviews the request, by hand."""
    with g.connect(reviewer) as con:
        _as_command(con, f"peer review {request}")
        con.execute(
            "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
            "VALUES (%s, %s, 'pass', %s)",
            (request, on, f"well done, from {reviewer}"),
        )


def _tally(g: GroupStore, role: str, spec: int | None = None) -> dict[str, tuple[int, int]]:
    rows = g.rows(role, "SELECT learner, given, received FROM coursetrack_peer_tally(?)", spec)
    return {learner: (given, received) for learner, given, received in rows}


@pytest.fixture(name="reviewed")
def reviewed_fixture(group_store: GroupStore) -> GroupStore:
    """alice asked for two reviews, bob for one, carol for one; bob reviewed both of
    alice's (on 2026-02-10 and 2026-02-28), carol the first of alice's (2026-02-24) and
    bob's (2026-03-01, today). All on dls.

    Given and received: alice 0 and 3, bob 2 and 1, carol 2 and 0. New (the last 7 days:
    2026-02-23 on): alice 2, bob 1, carol 0. Waiting (others' requests not reviewed yet):
    alice 2 (bob's, carol's), bob 1 (carol's), carol 1 (alice's second), olga and cora 4."""
    g = group_store
    first = ask(g, "alice", "1/1", on="2026-02-01")
    second = ask(g, "alice", "2/1", on="2026-02-25")
    bobs = ask(g, "bob", "1/2", on="2026-02-26")
    ask(g, "carol", "1/3", on="2026-02-27")
    review(g, "bob", first, on="2026-02-10")
    review(g, "carol", first, on="2026-02-24")
    review(g, "bob", second, on="2026-02-28")
    review(g, "carol", bobs, on="2026-03-01")
    return g


WAITING = "peer list"
MINE = "peer list --mine"


def _peer_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if "coursetrack peer list" in line]


# --- status and next --------------------------------------------------------------------


@pytest.mark.parametrize("args", [["status"], ["status", "dls"], ["status", "dls/1"], ["next"]])
def test_status_and_next_say_what_peer_review_asks(reviewed: GroupStore, args: list[str]) -> None:
    g = reviewed
    assert _peer_lines(ok(g, "alice", *args)) == [
        "2 peer reviews are waiting: coursetrack peer list",
        "your work got 2 new reviews: coursetrack peer list --mine",
    ]
    assert _peer_lines(ok(g, "bob", *args)) == [
        "1 peer review is waiting: coursetrack peer list",
        "your work got 1 new review: coursetrack peer list --mine",
    ]
    assert _peer_lines(ok(g, "carol", *args)) == ["1 peer review is waiting: coursetrack peer list"]
    assert _peer_lines(ok(g, g.owner, *args)) == [
        "4 peer reviews are waiting: coursetrack peer list"
    ]


@pytest.mark.parametrize("args", [["status"], ["status", "dls"], ["status", "dls/1"], ["next"]])
def test_status_and_next_json_give_the_counts(reviewed: GroupStore, args: list[str]) -> None:
    g = reviewed
    for role, waiting, new in (("alice", 2, 2), ("bob", 1, 1), ("carol", 1, 0), ("cora", 4, 0)):
        data = json.loads(ok(g, role, *args, "--json"))
        assert data["peer"] == {"waiting": waiting, "new_reviews": new}, role


def test_the_lines_come_after_what_status_and_next_show(reviewed: GroupStore) -> None:
    g = reviewed
    for args in (["status"], ["status", "dls"], ["next"]):
        lines = ok(g, "bob", *args).splitlines()
        assert lines[-2:] == [
            "1 peer review is waiting: coursetrack peer list",
            "your work got 1 new review: coursetrack peer list --mine",
        ]
    # and when nothing is left to study, still
    ok(g, "bob", "done", "dls", "--on", "2026-02-28")
    assert ok(g, "bob", "next").splitlines() == [
        "Nothing left: every unit is done.",
        "1 peer review is waiting: coursetrack peer list",
        "your work got 1 new review: coursetrack peer list --mine",
    ]


def test_a_review_is_new_for_seven_days(
    reviewed: GroupStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """alice's reviews were given on 2026-02-10, 02-24 and 02-28: new through the sixth
    day after (today and the six before it are the last 7 days)."""
    g = reviewed
    for today, new in (("2026-03-01", 2), ("2026-03-02", 2), ("2026-03-03", 1), ("2026-03-06", 1)):
        monkeypatch.setenv("COURSETRACK_NOW", f"{today}T12:00:00+00:00")
        assert json.loads(ok(g, "alice", "status", "--json"))["peer"]["new_reviews"] == new, today
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-07T12:00:00+00:00")
    assert json.loads(ok(g, "alice", "status", "--json"))["peer"]["new_reviews"] == 0
    assert _peer_lines(ok(g, "alice", "status")) == [
        "2 peer reviews are waiting: coursetrack peer list"
    ]


def test_a_review_given_takes_the_request_off_the_waiting(reviewed: GroupStore) -> None:
    g = reviewed
    (carols,) = g.all_rows("SELECT id FROM peer_request WHERE learner = 'carol'")[0]
    review(g, "alice", carols, on="2026-03-01")
    assert json.loads(ok(g, "alice", "next", "--json"))["peer"] == {
        "waiting": 1,
        "new_reviews": 2,
    }
    assert json.loads(ok(g, "carol", "next", "--json"))["peer"] == {
        "waiting": 1,
        "new_reviews": 1,
    }


def test_the_lines_break_between_words_on_a_narrow_terminal(reviewed: GroupStore) -> None:
    """Never inside the command they give (issue 22); whole lines from 60 columns on."""
    g = reviewed
    for columns in ("60", "80"):
        out = g.run("alice", "next", env={"COLUMNS": columns}).stdout
        assert out.splitlines()[-2:] == [
            "2 peer reviews are waiting: coursetrack peer list",
            "your work got 2 new reviews: coursetrack peer list --mine",
        ]
    out = g.run("alice", "next", env={"COLUMNS": "40"}).stdout
    assert out.splitlines()[-4:] == [
        "2 peer reviews are waiting:",
        "coursetrack peer list",
        "your work got 2 new reviews:",
        "coursetrack peer list --mine",
    ]


def test_a_group_whose_counting_function_is_missing_shows_nothing(reviewed: GroupStore) -> None:
    """A group whose security lacks the function (taken by hand; `check` says so): status
    and next show what they always did, and no error."""
    g = reviewed
    with g.connect(g.superuser) as con:
        con.execute("DROP FUNCTION coursetrack_peer_flow(date)")
    for args in (["status"], ["next"]):
        assert "peer" not in json.loads(ok(g, "alice", *args, "--json"))
        assert _peer_lines(ok(g, "alice", *args)) == []


def test_a_group_without_peer_review_says_nothing_of_it(group_store: GroupStore) -> None:
    g = group_store
    ok(g, "alice", "done", "dls/1/1", "--on", "2026-02-20")
    for args in (["status"], ["status", "dls"], ["next"]):
        assert _peer_lines(ok(g, "alice", *args)) == []
        data = json.loads(ok(g, "alice", *args, "--json"))
        assert data["peer"] == {"waiting": 0, "new_reviews": 0}


@pytest.mark.both_engines
def test_status_reads_no_peer_review_where_there_is_no_group(store: Store) -> None:
    """On SQLite and on a PostgreSQL store that is not a group's: nothing shown, and the
    JSON as it always was (no `peer`)."""
    assert store.run("import", DLS).exit_code == 0
    for args in (["status"], ["status", "dls"], ["next"]):
        result = store.run(*args, "--json")
        assert result.exit_code == 0, result.stderr
        assert "peer" not in json.loads(result.stdout)
        assert "peer" not in store.run(*args).stdout


def test_a_sqlite_status_asks_nothing_of_peer_review(tmp_path: Path) -> None:
    """On SQLite, `status` and `next` neither import the peer counts nor run a statement
    for them (issue 20: their start-up speed)."""
    import subprocess
    import sys

    db = tmp_path / "ct.db"
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from coursetrack.cli import app\n"
        f"db = {str(db)!r}\n"
        "for args in (['status'], ['status', '--json'], ['next'], ['next', '--json']):\n"
        "    r = CliRunner().invoke(app, ['--db', db, *args])\n"
        "    assert r.exit_code == 0, r.output\n"
        "print('coursetrack.store.peer_counts' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout == "False\n"


def test_the_overview_asks_no_statement_on_sqlite() -> None:
    from coursetrack.services.overview import peer_flow

    class Silent:
        dialect = "sqlite"

        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"a statement on SQLite: {name}")

    assert peer_flow(Silent(), dt.date(2026, 3, 1)) is None  # type: ignore[arg-type]


# --- group status and the cohort post -------------------------------------------------


def test_group_status_counts_reviews_given_and_received(reviewed: GroupStore) -> None:
    g = reviewed
    ok(g, "alice", "done", "dls/1/1", "--on", "2026-02-20")
    lines = ok(g, "carol", "group", "status", "dls").splitlines()
    # at 80 columns the last active day gives way to them
    assert lines[1].split() == [
        "Learner", "Units", "Progress", "%", "Streak", "Reviewed", "Reviews", "Outlook",
    ]  # fmt: skip
    wide = g.run("carol", "group", "status", "dls", env={"COLUMNS": "100"}).stdout.splitlines()
    assert wide[1].split() == [
        "Learner", "Units", "Progress", "%", "Last", "active", "Streak", "Reviewed", "Reviews",
        "Outlook",
    ]  # fmt: skip
    counts = {
        line.split()[0]: re.search(r" (\d+) +(\d+) +[a-z ]+$", line).groups()  # type: ignore[union-attr]
        for line in lines[3:]
    }
    assert counts == {
        "alice": ("0", "3"),
        "bob": ("2", "1"),
        "carol": ("2", "0"),
        "cora": ("0", "0"),
        "olga": ("0", "0"),
    }
    data = json.loads(ok(g, "carol", "group", "status", "dls", "--json"))
    counts = {
        row["learner"]: (row["reviews_given"], row["reviews_received"]) for row in data["learners"]
    }
    assert counts == {
        "alice": (0, 3),
        "bob": (2, 1),
        "carol": (2, 0),
        "cora": (0, 0),
        "olga": (0, 0),
    }


def test_group_status_without_reviews_has_no_review_columns(group_store: GroupStore) -> None:
    g = group_store
    out = ok(g, "alice", "group", "status", "dls")
    assert "Review" not in out
    data = json.loads(ok(g, "alice", "group", "status", "dls", "--json"))
    assert {(row["reviews_given"], row["reviews_received"]) for row in data["learners"]} == {(0, 0)}


def test_the_cohort_post_counts_the_listed_learners_reviews(
    reviewed: GroupStore, tmp_path: Path
) -> None:
    g = reviewed
    ok(g, "alice", "group", "share", "on")
    ok(g, "bob", "group", "share", "on")
    post = tmp_path / "post.md"
    ok(g, "carol", "export", "markdown", "dls", "--group", "-o", str(post))
    text = post.read_text()
    assert (
        "| Learner | Units done | % | Courses finished | Last active | Reviews given "
        "| Reviews received |" in text
    )
    rows = [line for line in text.splitlines() if line.startswith(("| alice", "| bob"))]
    assert [row.split("|")[1] + "|" + "|".join(row.split("|")[-3:-1]) for row in rows] == [
        " alice | 0 | 3 ",
        " bob | 2 | 1 ",
    ]
    assert "carol" not in text  # not listed: counted, never named
    assert "well done" not in text  # no review is quoted
    assert "example.org" not in text  # nor a request's link


# --- the store's counting function ----------------------------------------------------


def test_the_tally_counts_every_learners_reviews(reviewed: GroupStore) -> None:
    g = reviewed
    expected = {"alice": (0, 3), "bob": (2, 1), "carol": (2, 0)}
    for role in g.everyone:
        assert _tally(g, role) == expected
    ((spec,),) = g.all_rows("SELECT id FROM specialization WHERE slug = 'dls'")
    assert _tally(g, "alice", spec) == expected
    assert _tally(g, "alice", spec + 1000) == {}


def test_a_learner_calling_the_counts_learns_counts_and_nothing_else(reviewed: GroupStore) -> None:
    """bob gave two reviews and asked for one. Whatever he sets, before or around the
    store's counting functions, he reads of the peer tables what he read without them
    (his own rows; the group's security may let an author read the reviews of her
    requests too, never another's review of another's request); the functions give
    counts, and put his scope back as it was."""
    g = reviewed
    own = {
        "peer_review": set(g.all_rows("SELECT id FROM peer_review WHERE learner = 'bob'")),
        "peer_request": set(g.all_rows("SELECT id FROM peer_request WHERE learner = 'bob'")),
    }
    of_his = set(
        g.all_rows(
            "SELECT v.id FROM peer_review v JOIN peer_request q ON q.id = v.request_id "
            "WHERE q.learner = 'bob'"
        )
    )
    assert (len(own["peer_review"]), len(own["peer_request"]), len(of_his)) == (2, 1, 1)

    def reads(con: psycopg2.extensions.connection) -> dict[str, set[tuple]]:
        return {table: set(con.execute(f"SELECT id FROM {table}").fetchall()) for table in own}

    with g.connect("bob") as con:
        con.autocommit = False
        alone = reads(con)
        assert alone["peer_request"] == own["peer_request"]
        assert own["peer_review"] <= alone["peer_review"] <= own["peer_review"] | of_his
        cur = con.execute("SELECT * FROM coursetrack_peer_tally()")
        assert [column.name for column in cur.description] == ["learner", "given", "received"]
        assert sorted(cur.fetchall()) == [("alice", 0, 3), ("bob", 2, 1), ("carol", 2, 0)]
        assert reads(con) == alone  # the function's scope ended with it
        assert con.execute("SELECT current_setting('coursetrack.scope', true)").fetchone() == ("",)
        cur = con.execute("SELECT * FROM coursetrack_peer_flow('2026-02-23')")
        assert [column.name for column in cur.description] == ["waiting", "new_reviews"]
        assert cur.fetchall() == [(1, 1)]
        # the scope the counts run in, set by hand: it opens nothing to a learner
        con.execute("SELECT set_config('coursetrack.scope', 'peer_tally', true)")
        assert reads(con) == alone
        # a group view's scope is kept around the count, and reads no more reviews either
        con.execute("SELECT set_config('coursetrack.scope', 'group', true)")
        con.execute("SELECT * FROM coursetrack_peer_tally()").fetchall()
        assert con.execute("SELECT current_setting('coursetrack.scope', true)").fetchone() == (
            "group",
        )
        assert reads(con)["peer_review"] == alone["peer_review"]
        con.rollback()
    # only the group's learners may call them: not PUBLIC
    assert g.all_rows(
        "SELECT has_function_privilege('public', 'coursetrack_peer_tally(integer)', 'EXECUTE'), "
        "has_function_privilege('public', 'coursetrack_peer_flow(date)', 'EXECUTE')"
    ) == [(0, 0)]


AGAIN = "its owner runs 'coursetrack group init' to apply it again"


def test_check_compares_what_lets_the_counts_be_read(group_store: GroupStore) -> None:
    """The tally's policy, functions and grants are the group's security: `check` says
    what was changed by hand, and `group init` puts it back."""
    g = group_store
    learners = f"{g.name}_learners"
    assert g.run("alice", "check").exit_code == 0
    with g.connect(g.superuser) as con:
        con.execute("DROP POLICY peer_tally ON peer_review")
        con.execute("ALTER POLICY peer_tally ON peer_request USING (true)")
        con.execute("ALTER FUNCTION coursetrack_peer_flow(date) SECURITY INVOKER")
        con.execute("ALTER FUNCTION coursetrack_peer_flow(date) RESET search_path")
        con.execute("GRANT EXECUTE ON FUNCTION coursetrack_peer_tally(integer) TO PUBLIC")
        con.execute(f"REVOKE EXECUTE ON FUNCTION coursetrack_peer_flow(date) FROM {learners}")
    result = g.run("alice", "check")
    assert result.exit_code == 1, result.stdout
    assert result.stdout.splitlines()[:-1] == [
        f"group-grants: anyone may call coursetrack_peer_tally(integer), not only the "
        f"learners; {AGAIN}",
        f"group-grants: {learners} may not call coursetrack_peer_flow(date); {AGAIN}",
        f"group-policies: the policy peer_tally on peer_request is not the one coursetrack "
        f"makes; {AGAIN}",
        f"group-policies: the policy peer_tally on peer_review is missing; {AGAIN}",
        "group-triggers: the function coursetrack_peer_flow() does not run as the owner (it "
        f"counts peer reviews); {AGAIN}",
        "group-triggers: the function coursetrack_peer_flow() does not run with the store's "
        f"search_path (it could read another table); {AGAIN}",
    ]
    with g.connect(g.superuser) as con:
        con.execute("DROP FUNCTION coursetrack_peer_tally(integer)")
    assert f"group-triggers: the function coursetrack_peer_tally() is missing; {AGAIN}" in (
        g.run("alice", "check").stdout.splitlines()
    )
    assert g.run(g.owner, "group", "init").exit_code == 0
    result = g.run("alice", "check")
    assert result.exit_code == 0, result.stdout
