"""The group's view: `group status SPEC[/COURSE]` and the cohort post, on a study group's
store with real roles (tests/group.py: the owner olga and the curator cora, the
learners alice, bob and carol; every one of them is a learner of the group).

The clock is pinned to Sunday 2026-03-01 (COURSETRACK_NOW); dates are given with --on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app
from group import GroupStore, group_store_fixture, one_line  # noqa: F401

NOW = "2026-03-01T12:00:00+00:00"


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", NOW)


def ok(g: GroupStore, role: str, *args: str) -> str:
    result = g.run(role, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _cohort(g: GroupStore) -> None:
    """alice: the first course and two topics of the second, a goal; bob: one topic;
    carol, cora and olga: nothing yet."""
    ok(g, "alice", "done", "dls/1", "--on", "2026-02-01")
    ok(g, "alice", "done", "dls/2/1", "dls/2/2", "--on", "2026-02-20")
    ok(g, "alice", "start", "dls/2/3", "--on", "2026-02-20")
    ok(g, "alice", "goal", "dls", "--by", "2026-06-01")
    ok(g, "bob", "done", "dls/1/1", "--on", "2026-02-25")


def test_group_status_has_a_row_per_learner_most_done_first(group_store: GroupStore) -> None:
    g = group_store
    _cohort(g)
    # a private note is alice's alone: it is not activity the group sees
    ok(g, "alice", "note", "dls/2", "my private thoughts", "--private")
    expected = """\
Deep Learning Specialization  dls  5 learners, 17 units
Learner  Units  Progress      %  Last active  Streak  Outlook
────────────────────────────────────────────────────────────────────
alice     6/17  ████░░░░░░  35%  2026-02-20     1 wk  62 days behind
bob       1/17  █░░░░░░░░░   5%  2026-02-25     1 wk  no goal
carol     0/17  ░░░░░░░░░░   0%                    -  not started
cora      0/17  ░░░░░░░░░░   0%                    -  not started
olga      0/17  ░░░░░░░░░░   0%                    -  not started
"""
    for role in g.everyone:  # every learner sees the same table
        assert ok(g, role, "group", "status", "dls") == expected
    data = g.run("carol", "group", "status", "dls", "--json").json()
    assert {key: data[key] for key in ("slug", "title")} == {
        "slug": "dls",
        "title": "Deep Learning Specialization",
    }
    contract = ("learner", "units_done", "units_total", "percent", "last_activity_on")
    contract += ("streak_weeks", "outlook")
    assert [tuple(row[key] for key in contract) for row in data["learners"]] == [
        ("alice", 6, 17, 35.3, "2026-02-20", 1, "behind"),
        ("bob", 1, 17, 5.9, "2026-02-25", 1, "projected"),
        ("carol", 0, 17, 0.0, None, 0, "no-history"),
        ("cora", 0, 17, 0.0, None, 0, "no-history"),
        ("olga", 0, 17, 0.0, None, 0, "no-history"),
    ]
    alice = data["learners"][0]
    assert (alice["courses_done"], alice["goal_on"], alice["days_ahead"]) == (1, "2026-06-01", -62)


def test_a_learners_row_agrees_with_their_own_status_and_plan(group_store: GroupStore) -> None:
    g = group_store
    _cohort(g)
    ok(g, "bob", "note", "dls/2", "what regularization does")  # activity, not a unit
    ok(g, "bob", "goal", "dls", "--by", "2026-03-20")
    ok(g, "carol", "start", "dls/3/1", "--on", "2026-01-05")
    rows = {
        row["learner"]: row
        for row in g.run("olga", "group", "status", "dls", "--json").json()["learners"]
    }
    for learner in ("alice", "bob", "carol"):
        (own,) = g.run(learner, "status", "--json").json()["specializations"]
        plan = g.run(learner, "plan", "dls", "--json").json()
        row = rows[learner]
        assert row["units_done"] == own["units_done"] == plan["units_done"]
        assert row["percent"] == own["percent"]
        assert row["last_activity_on"] == own["last_activity_on"]
        assert row["streak_weeks"] == own["streak_weeks"]
        assert row["outlook"] == plan["outlook"]
        assert row["days_ahead"] == plan["days_ahead"]
        assert row["pace_per_week"] == plan["pace_per_week"]
    assert [rows[name]["outlook"] for name in ("alice", "bob", "carol")] == [
        "behind",
        "behind",
        "no-history",
    ]
    assert rows["bob"]["last_activity_on"] == "2026-03-01"  # the note, today


def test_a_learner_who_started_a_topic_has_started(group_store: GroupStore) -> None:
    """`start` is a start: the specialization's view agrees with the course's."""
    g = group_store
    ok(g, "carol", "start", "dls/1/1", "--on", "2026-02-27")
    rows = {line.split()[0]: line for line in ok(g, "olga", "group", "status", "dls").splitlines()}
    assert rows["carol"].split()[-4:] == ["2026-02-27", "1", "wk", "started"]
    assert rows["cora"].endswith("  not started")
    course = ok(g, "olga", "group", "status", "dls/1")
    assert next(line for line in course.splitlines() if line.startswith("carol")).endswith(
        "studying"
    )
    data = g.run("olga", "group", "status", "dls", "--json").json()
    rows = {row["learner"]: row for row in data["learners"]}
    # the outlook is plan's (nothing done: no history of a pace); started says the rest
    assert [(rows[n]["outlook"], rows[n]["started"]) for n in ("carol", "cora")] == [
        ("no-history", True),
        ("no-history", False),
    ]


def test_course_view_shows_each_learners_topic_and_who_is_stuck(group_store: GroupStore) -> None:
    g = group_store
    ok(g, "alice", "start", "dls/2/1", "--on", "2026-02-01")  # idle 28 days in dls/2
    ok(g, "alice", "done", "dls/1/1")  # today, but in another course
    ok(g, "bob", "done", "dls/2/1", "--on", "2026-02-16")  # 13 days: not stuck yet
    ok(g, "carol", "done", "dls/2/1", "--on", "2026-02-15")  # 14 days: stuck
    ok(g, "cora", "done", "dls/2", "--on", "2026-01-10")  # finished long ago: not stuck
    result = ok(g, "bob", "group", "status", "dls/2")
    assert (
        result
        == """\
Improving Deep Neural Networks: Hyperparame…  dls/improving  5 learners, 3 units
Learner  Units  On                                    Last active  State
────────────────────────────────────────────────────────────────────────────────
cora       3/3                                        2026-01-10   finished
bob        1/3  2. Optimization Algorithms (next)     2026-02-16   studying
carol      1/3  2. Optimization Algorithms (next)     2026-02-15   stuck 14 days
alice      0/3  1. Practical Aspects of Deep Learni…  2026-02-01   stuck 28 days
olga       0/3  1. Practical Aspects of Deep Learni…               not started
Stuck (nothing recorded in 14 days): carol, alice
"""
    )
    data = g.run("alice", "group", "status", "dls/2", "--json").json()
    assert (data["ref"], data["units_total"], data["stuck_days"]) == ("dls/improving", 3, 14)
    got = [
        (
            row["learner"],
            row["state"],
            row["stuck"],
            row["idle_days"],
            row["topic"]["position"] if row["topic"] else None,
            row["topic_status"],
        )
        for row in data["learners"]
    ]
    assert got == [
        ("cora", "finished", False, 50, None, None),
        ("bob", "studying", False, 13, 2, "todo"),
        ("carol", "stuck", True, 14, 2, "todo"),
        ("alice", "stuck", True, 28, 1, "in-progress"),
        ("olga", "not-started", False, None, 1, "todo"),
    ]


def _post(g: GroupStore, role: str, *args: str) -> str:
    return ok(g, role, "export", "markdown", "dls", "--group", "--format", "plain", *args)


def test_the_cohort_post_lists_only_sharing_learners_and_no_private_note(
    group_store: GroupStore,
) -> None:
    g = group_store
    _cohort(g)
    ok(g, "cora", "done", "dls/1", "--on", "2026-02-10")
    ok(g, "alice", "group", "share", "on")
    ok(g, "carol", "group", "share", "on")
    ok(g, "bob", "group", "share", "off")
    ok(g, "alice", "note", "dls/1/2", "Vectorize *everything*.", "--on", "2026-02-01")
    ok(g, "alice", "note", "dls/1", "SECRET-A: my exam answers", "--private")
    ok(g, "bob", "note", "dls/1", "BOB-NOTE: bob did not agree to be listed")
    ok(g, "carol", "note", "dls", "[click](javascript:alert(1)) <script>x</script>")
    for role in ("alice", "olga"):  # alice's own private note stays out of her post too
        assert (
            _post(g, role)
            == """\
# Deep Learning Specialization: our study group

Our study group's record of [Deep Learning Specialization](https://www.coursera.org/specializations/deep-learning) by Coursera / DeepLearning.AI: 5 learners, as of Mar 1, 2026.

## The courses

1. [Neural Networks and Deep Learning](https://www.coursera.org/learn/neural-networks-deep-learning) - finished by 2 of 5
2. [Improving Deep Neural Networks: Hyperparameter Tuning, Regularization and Optimization](https://www.coursera.org/learn/deep-neural-network) - finished by 0 of 5
3. [Structuring Machine Learning Projects](https://www.coursera.org/learn/machine-learning-projects) - finished by 0 of 5
4. [Convolutional Neural Networks](https://www.coursera.org/learn/convolutional-neural-networks) - finished by 0 of 5
5. [Sequence Models](https://www.coursera.org/learn/nlp-sequence-models) - finished by 0 of 5

## Where we stand

| Learner | Units done | % | Courses finished | Last active |
| --- | ---: | ---: | ---: | --- |
| alice | 6 of 17 | 35% | 1 of 5 | 2026-02-20 |
| carol | 0 of 17 | 0% | 0 of 5 | 2026-03-01 |

3 more learners of the group not listed.

## Our notes

**alice** on Neural Networks Basics, 2026-02-01:

> Vectorize *everything*.

**carol**, 2026-03-01:

> \\[click\\](javascript:alert(1)) \\<script>x\\</script>
"""
        )
    post = _post(g, "bob")
    assert "bob" not in post and "BOB-NOTE" not in post and "SECRET-A" not in post


def test_a_group_with_no_records_yet(group_store: GroupStore) -> None:
    g = group_store
    table = ok(g, "alice", "group", "status", "dls")
    assert table.splitlines()[0] == "Deep Learning Specialization  dls  5 learners, 17 units"
    assert [line.split()[0] for line in table.splitlines()[3:]] == [
        "alice",
        "bob",
        "carol",
        "cora",
        "olga",
    ]
    assert all(line.split()[1] == "0/17" for line in table.splitlines()[3:])
    rows = g.run("alice", "group", "status", "dls", "--json").json()["learners"]
    assert {(r["units_done"], r["last_activity_on"], r["outlook"]) for r in rows} == {
        (0, None, "no-history")
    }
    course = g.run("bob", "group", "status", "dls/5", "--json").json()["learners"]
    assert {(r["state"], r["topic"]["position"], r["stuck"]) for r in course} == {
        ("not-started", 1, False)
    }
    post = _post(g, "carol")
    assert "No learner has agreed to be listed yet (coursetrack group share on)." in post
    assert "finished by 0 of 5" in post
    assert "## Our notes" not in post


def test_views_fit_80_columns_whatever_the_names(group_store: GroupStore) -> None:
    g = group_store
    long = "l" + "o" * 60 + "ng"  # 63 characters, the longest role name
    g.add(long)
    ok(g, long, "done", "dls/1", "--on", "2026-02-01")
    ok(g, "alice", "goal", "dls", "--by", "2026-03-02")
    ok(g, "alice", "done", "dls/1/1", "--on", "2024-01-01")
    for args in (("group", "status", "dls"), ("group", "status", "dls/1")):
        out = ok(g, "alice", *args)
        assert max(len(line) for line in out.splitlines()) <= 80, out
        assert "loooo" in out and "…" in out
    assert "1 day behind" not in ok(g, "alice", "group", "status", "dls")


def test_a_sqlite_store_has_no_group(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    runner = CliRunner()
    for args in (("group", "status", "dls"), ("export", "markdown", "dls", "--group")):
        result = runner.invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: study groups need a PostgreSQL store")
        assert len(result.stderr.splitlines()) == 1
        assert result.stdout == ""
    assert not db.exists()


def test_a_postgresql_store_without_a_group(pg_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--db", pg_url, "import", "dls"]).exit_code == 0
    result = runner.invoke(app, ["--db", pg_url, "group", "status", "dls"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: this store is not a study group's yet; its owner runs coursetrack group "
        "init first\n"
    )


def test_bad_refs_and_options_are_one_line(group_store: GroupStore) -> None:
    g = group_store
    cases = {
        ("group", "status", "dls/2/1"): "Error: group status shows a specialization or a "
        "course, and dls/improving/practical-aspects is a topic; try 'coursetrack group "
        "status dls/improving'\n",
        ("group", "status", "nope"): None,
        ("export", "markdown", "dls", "--group", "--chart", "-o", "x.md"): "Error: --chart "
        "draws one learner's burn-up; leave it out of --group's post\n",
        ("export", "markdown", "dls/1", "--group"): "Error: 'dls/1' is a course; a post is "
        "about a whole specialization, e.g. coursetrack export markdown dls --group\n",
    }
    for args, message in cases.items():
        line = one_line(g.run("alice", *args))
        if message is not None:
            assert line + "\n" == message


def test_the_post_goes_where_o_says(group_store: GroupStore, tmp_path: Path) -> None:
    g = group_store
    ok(g, "alice", "group", "share", "on")
    out = ok(g, "alice", "export", "markdown", "dls", "--group", "-o", str(tmp_path / "posts"))
    path = tmp_path / "posts" / "dls-group.md"
    assert out == f"wrote {path}\n"
    text = path.read_text()
    assert text.startswith("---\ntitle: 'Deep Learning Specialization: our study group'\n")
    assert "| alice | 0 of 17 | 0% | 0 of 5 |  |" in text
    again = g.run("alice", "export", "markdown", "dls", "--group", "-o", str(path))
    assert again.exit_code == 1 and "--force" in again.stderr


def test_a_course_without_topics_is_its_own_unit(group_store: GroupStore) -> None:
    g = group_store
    ok(g, "cora", "add", "course", "dls", "Capstone", "--slug", "capstone")  # a curator
    ok(g, "alice", "done", "dls/capstone", "--on", "2026-02-27")
    ok(g, "bob", "start", "dls/capstone", "--on", "2026-02-01")
    rows = g.run("carol", "group", "status", "dls", "--json").json()
    assert rows["units_total"] == 18
    assert [(r["learner"], r["units_done"], r["courses_done"]) for r in rows["learners"][:2]] == [
        ("alice", 1, 1),
        ("bob", 0, 0),
    ]
    course = g.run("carol", "group", "status", "dls/capstone", "--json").json()
    assert [
        (r["learner"], r["units_done"], r["state"], r["topic"], r["topic_status"])
        for r in course["learners"]
    ] == [
        ("alice", 1, "finished", None, None),
        ("bob", 0, "stuck", None, "in-progress"),
        ("carol", 0, "not-started", None, None),
        ("cora", 0, "not-started", None, None),
        ("olga", 0, "not-started", None, None),
    ]
    assert "Stuck (nothing recorded in 14 days): bob" in ok(g, "carol", "group", "status", "dls/6")


def test_a_learners_name_is_shown_never_obeyed(group_store: GroupStore) -> None:
    """A role's name may hold anything PostgreSQL quotes: escapes, markup, a table's `|`."""
    g = group_store
    evil = "ev\x1b[2Jil|*x*<b>"
    with g.connect(g.superuser) as con, con.transaction():  # a record left by such a role
        con.execute(
            "SELECT set_config('coursetrack.command', (SELECT max(id)::text FROM command), true)"
        )
        con.execute("INSERT INTO member (learner, shared) VALUES (%s, true)", (evil,))
    table = ok(g, "alice", "group", "status", "dls")
    assert "\x1b" not in table and "ev\\x1b[2Jil|*x*<b>" in table
    post = _post(g, "alice")
    assert "\x1b" not in post
    assert r"| ev\\x1b\[2Jil\|\*x\*\<b\> | 0 of 17 |" in post  # Markdown shows it as typed
