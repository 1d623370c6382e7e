"""next, goal, plan, the status streak and last activity, and the dates users type.

The clock is pinned to Sunday 2026-03-01 (COURSETRACK_NOW); the pace window is
the 28 days 2026-02-02 .. 2026-03-01.
"""

from __future__ import annotations

import datetime as dt

import pytest

from coursetrack.dates import parse_date
from coursetrack.errors import InputError
from coursetrack.services.activity import weekly_streak
from coursetrack.services.pace import project

NOW = "2026-03-01T09:00:00+00:00"
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", NOW)


# --- dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", "2026-03-01"),
        ("Yesterday", "2026-02-28"),
        ("3 days ago", "2026-02-26"),
        ("1 day ago", "2026-02-28"),
        ("  10   DAYS ago ", "2026-02-19"),
        ("0 days ago", "2026-03-01"),
        ("2026-02-14", "2026-02-14"),
    ],
)
def test_parse_date_words(text: str, expected: str) -> None:
    assert parse_date(text).isoformat() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 weeks ago", "2026-02-08"),
        ("1 week ago", "2026-02-22"),
        ("in 30 days", "2026-03-31"),
        ("In 1 day", "2026-03-02"),
        ("in 2 weeks", "2026-03-15"),
        ("tomorrow", "2026-03-02"),
    ],
)
def test_parse_date_weeks_and_the_future(text: str, expected: str) -> None:
    assert parse_date(text).isoformat() == expected


@pytest.mark.parametrize("bad", ["days ago", "-2 days ago", "next monday", "in days", "in -1 day"])
def test_parse_date_refuses_other_words(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(bad, option="--since")
    assert str(caught.value).startswith(f"--since {bad!r} is not a date: use YYYY-MM-DD")
    assert "'N days ago'" in str(caught.value) and "'in N days'" in str(caught.value)


def test_goal_takes_in_n_days_and_lists_only_future_forms(dls) -> None:
    """Issue 11: `goal --by "in 30 days"` was refused with a hint about "N days ago"."""
    result = dls.run("goal", "dls", "--by", "in 30 days")
    assert (result.exit_code, result.stdout) == (0, "goal for dls: finish by 2026-03-31\n")
    assert dls.rows("SELECT target_on FROM goal") == [("2026-03-31",)]
    assert dls.run("goal", "dls", "--by", "in 2 weeks").exit_code == 0
    assert dls.rows("SELECT target_on FROM goal") == [("2026-03-15",)]
    before = dls.dump()
    forms = "YYYY-MM-DD (for example 2026-03-14), 'today', 'tomorrow', 'in N days' or 'in N weeks'"
    for word, problem in [("next year", "is not a date:"), ("3 days ago", "is in the past;")]:
        result = dls.run("goal", "dls", "--by", word)
        assert result.exit_code == 1
        assert result.stderr == f"Error: --by {word!r} {problem} use {forms}\n"
    assert dls.dump() == before


@pytest.mark.parametrize(
    ("command", "word", "problem"),
    [
        (["done", "dls/1/1"], "in 3 days", "is in the future; use"),
        (["start", "dls/1/1"], "tomorrow", "is in the future; use"),
        (["note", "dls/1", "x"], "next week", "is not a date: use"),
        (["reviewed", "dls/1/1", "--grade", "good"], "in 1 week", "is in the future; use"),
    ],
)
def test_past_options_list_only_past_forms(dls, command, word, problem) -> None:
    before = dls.dump()
    result = dls.run(*command, "--on", word)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: --on {word!r} {problem} YYYY-MM-DD (for example 2026-03-14), 'today', "
        "'yesterday', 'N days ago' or 'N weeks ago'\n"
    )
    assert dls.dump() == before


def test_done_accepts_days_ago(dls) -> None:
    assert dls.run("done", "dls/1/1", "--on", "5 days ago").exit_code == 0
    rows = dls.rows("SELECT completed_on FROM progress WHERE status = 'done'")
    assert rows == [("2026-02-24",)]


# --- next --------------------------------------------------------------------


def test_next_lists_open_topics_in_course_order_started_first(dls) -> None:
    dls.run("done", "dls/1/1", "dls/1/2", "--on", "2026-02-10")
    dls.run("start", "dls/2/2", "--on", "2026-02-20")
    data = dls.run("next", "dls", "--json").json()
    assert (data["scope"], data["units_total"], data["open_units"], data["limit"]) == (
        "dls",
        17,
        15,
        5,
    )
    assert [u["short_ref"] for u in data["units"]] == [
        "dls/2/2",
        "dls/1/3",
        "dls/1/4",
        "dls/2/1",
        "dls/2/3",
    ]
    first = data["units"][0]
    assert first == {
        "ref": "dls/improving/optimization",
        "short_ref": "dls/2/2",
        "kind": "topic",
        "title": "Optimization Algorithms",
        "status": "in-progress",
        "started_on": "2026-02-20",
        "course": {
            "ref": "dls/improving",
            "position": 2,
            "title": "Improving Deep Neural Networks: Hyperparameter Tuning, "
            "Regularization and Optimization",
        },
    }


def test_next_table(dls) -> None:
    dls.run("start", "dls/1/2")
    result = dls.run("next", "--limit", "2")
    assert result.exit_code == 0
    assert result.stdout == (
        "Next (17 open, showing 2)\n"
        "Ref      Unit                               Status\n" + "─" * 55 + "\n"
        "dls/1    Neural Networks and Deep Learning\n"
        "dls/1/2    Neural Networks Basics           in-progress\n"
        "dls/1/1    Introduction to Deep Learning    todo\n"
    ), "units sit under their course's title, started ones first"


def test_next_of_a_course_and_a_course_without_topics(dls) -> None:
    dls.run("add", "course", "dls", "Capstone", "--slug", "capstone")
    dls.run("done", "dls/1", "dls/2", "dls/3", "dls/4", "dls/5")
    data = dls.run("next", "dls", "--json").json()
    assert data["open_units"] == 1
    (unit,) = data["units"]
    assert (unit["ref"], unit["short_ref"], unit["kind"]) == ("dls/capstone", "dls/6", "course")
    assert dls.run("next", "dls/cnn", "--json").json()["units"] == []
    assert "every unit is done" in dls.run("next", "dls/cnn").stdout


def test_next_refuses_a_topic_and_a_bad_limit(dls) -> None:
    result = dls.run("next", "dls/1/1")
    assert result.exit_code == 1
    assert "next takes a specialization or a course" in result.stderr
    assert dls.run("next", "--limit", "0").exit_code == 2


def test_next_on_an_empty_store(store) -> None:
    result = store.run("next")
    assert result.exit_code == 0
    assert "no units yet" in result.stdout
    assert not store.exists()


# --- goal --------------------------------------------------------------------


def test_goal_set_show_move_and_clear(dls) -> None:
    assert dls.run("goal", "dls").stdout.startswith("dls has no goal")
    result = dls.run("goal", "dls", "--by", "2026-06-30")
    assert (result.exit_code, result.stdout) == (0, "goal for dls: finish by 2026-06-30\n")
    assert dls.rows("SELECT target_on FROM goal") == [("2026-06-30",)]
    moved = dls.run("goal", "dls", "--by", "2026-07-31")
    assert moved.stdout == "goal for dls: finish by 2026-07-31 (was 2026-06-30)\n"
    assert dls.run("goal", "dls", "--json").json() == {
        "ref": "dls",
        "title": "Deep Learning Specialization",
        "target_on": "2026-07-31",
        "previous_on": None,
    }
    cleared = dls.run("goal", "dls", "--clear")
    assert cleared.stdout == "cleared the goal for dls (was 2026-07-31)\n"
    assert dls.rows("SELECT count(*) FROM goal") == [(0,)]
    assert dls.run("goal", "dls", "--clear").stdout == "dls had no goal; nothing to clear\n"


def test_goal_refusals_change_nothing(dls) -> None:
    before = dls.dump()
    past = dls.run("goal", "dls", "--by", "2026-02-28")
    assert past.exit_code == 1
    assert past.stderr.startswith("Error: --by 2026-02-28 is in the past (today is 2026-03-01)")
    course = dls.run("goal", "dls/2", "--by", "2026-06-30")
    assert course.exit_code == 1
    assert "goal works on a whole specialization, and dls/improving is a course" in course.stderr
    assert dls.run("goal", "dls", "--by", "2026-06-30", "--clear").exit_code == 2
    assert dls.run("goal", "dls", "--by", "June").exit_code == 1
    assert dls.dump() == before


def test_goal_can_be_undone(dls) -> None:
    dls.run("goal", "dls", "--by", "2026-06-30")
    dls.run("goal", "dls", "--by", "2026-09-30")
    assert dls.run("undo", "--yes").exit_code == 0
    assert dls.rows("SELECT target_on FROM goal") == [("2026-06-30",)]


# --- plan --------------------------------------------------------------------


def _plan(store) -> dict:
    result = store.run("plan", "dls", "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def _established(store) -> None:
    """A learner who started long ago: the pace window is the full 28 days."""
    assert store.run("start", "dls", "--on", "2026-01-01").exit_code == 0


def test_plan_behind(dls) -> None:
    """3 units in the window, 14 left: 14 x 28 / 3 = 130.7, so 131 days to 2026-07-10."""
    _established(dls)
    dls.run("done", "dls/1/1", "--on", "2026-02-03")
    dls.run("done", "dls/1/2", "--on", "2026-02-09")
    dls.run("done", "dls/1/3", "--on", "2026-02-20")
    dls.run("goal", "dls", "--by", "2026-06-30")
    assert _plan(dls) == {
        "ref": "dls",
        "title": "Deep Learning Specialization",
        "today": "2026-03-01",
        "units_total": 17,
        "units_done": 3,
        "units_left": 14,
        "goal_on": "2026-06-30",
        "days_to_goal": 121,
        "needed_per_week": 0.81,  # 14 x 7 / 121
        "window_days": 28,
        "window_start": "2026-02-02",
        "done_in_window": 3,
        "pace_per_week": 0.75,
        "projected_on": "2026-07-10",
        "days_ahead": -10,
        "outlook": "behind",
        "first_activity_on": "2026-01-01",
        "early_estimate": False,
        "projected_days": 131,
    }
    out = dls.run("plan", "dls").stdout
    assert "Units left  14 of 17" in out
    assert "2026-06-30, in 121 days: needs 0.81 units/week" in out
    assert "0.75 units/week (3 units done 2026-02-02 to 2026-03-01)" in out
    assert "2026-07-10 at that pace" in out
    assert "10 days behind" in out


def test_plan_ahead_and_the_window_edges(dls) -> None:
    """8 units in the window, 9 left: 9 x 28 / 8 = 31.5, so 32 days to 2026-04-02."""
    _established(dls)
    dls.run("done", "dls/1", "--on", "2026-02-02")  # 4 units, on the window's first day
    dls.run("done", "dls/2", "--on", "2026-02-15")  # 3 units
    dls.run("done", "dls/3/1", "--on", "2026-03-01")  # today counts
    dls.run("done", "dls/3/2", "--on", "2026-02-01")  # one day too early: not in the window
    dls.run("goal", "dls", "--by", "2026-06-30")
    data = _plan(dls)
    assert (data["units_done"], data["units_left"], data["done_in_window"]) == (9, 8, 8)
    # 8 left: 8 x 28 / 8 = 28 days
    assert (data["pace_per_week"], data["projected_on"]) == (2.0, "2026-03-29")
    assert (data["days_ahead"], data["outlook"]) == (93, "ahead")
    assert data["needed_per_week"] == 0.46  # 8 x 7 / 121
    assert "93 days ahead" in dls.run("plan", "dls").stdout


def test_plan_on_schedule(dls) -> None:
    _established(dls)
    dls.run("done", "dls/1", "dls/2", "dls/3/1", "--on", "2026-02-20")  # 8 units
    dls.run("goal", "dls", "--by", "2026-04-02")  # 9 left: 9 x 28 / 8 = 31.5, so 32 days
    data = _plan(dls)
    assert (data["projected_on"], data["days_ahead"], data["outlook"]) == (
        "2026-04-02",
        0,
        "on-schedule",
    )
    assert "on schedule" in dls.run("plan", "dls").stdout


def test_plan_without_a_goal_is_the_projection_alone(dls) -> None:
    _established(dls)
    dls.run("done", "dls/1/1", "dls/1/2", "--on", "2026-02-25")
    data = _plan(dls)
    assert (data["goal_on"], data["needed_per_week"], data["days_ahead"]) == (None, None, None)
    # 15 left x 28 / 2 in the window = 210 days
    assert (data["pace_per_week"], data["projected_on"]) == (0.5, "2026-09-27")
    assert data["outlook"] == "projected"
    out = dls.run("plan", "dls").stdout
    assert "none; set one with 'coursetrack goal dls --by DATE'" in out
    assert "Outlook" not in out


def test_plan_with_no_history_says_so(dls) -> None:
    dls.run("goal", "dls", "--by", "2026-06-30")
    data = _plan(dls)
    assert (data["pace_per_week"], data["projected_on"], data["days_ahead"]) == (0.0, None, None)
    assert data["outlook"] == "no-history"
    assert data["needed_per_week"] == 0.98  # 17 x 7 / 121
    out = dls.run("plan", "dls").stdout
    assert "no history yet" in out
    assert "ahead" not in out and "behind" not in out


def test_plan_with_nothing_recent(dls) -> None:
    _established(dls)
    dls.run("done", "dls/1/1", "--on", "2026-01-10")
    data = _plan(dls)
    assert (data["done_in_window"], data["projected_on"], data["outlook"]) == (
        0,
        None,
        "no-recent-pace",
    )
    assert "no pace: nothing done in the last 28 days" in dls.run("plan", "dls").stdout


def test_plan_finished_and_goal_passed(dls, monkeypatch) -> None:
    dls.run("goal", "dls", "--by", "2026-03-10")
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-20T09:00:00+00:00")
    dls.run("done", "dls/1", "--on", "2026-03-15")
    data = _plan(dls)
    assert (data["days_to_goal"], data["needed_per_week"]) == (-10, None)
    assert (data["projected_on"], data["days_ahead"], data["outlook"]) == (
        "2026-04-09",  # a 6-day window (03-15 .. 03-20): 13 x 6 / 4 = 19.5, so 20 days
        -30,
        "behind",
    )
    assert "2026-03-10, passed 10 days ago" in dls.run("plan", "dls").stdout
    dls.run("done", "dls", "--on", "2026-03-18")
    data = _plan(dls)
    assert (data["units_left"], data["projected_on"], data["days_ahead"], data["outlook"]) == (
        0,
        "2026-03-18",
        -8,
        "finished",
    )
    assert "finished 8 days after your goal" in dls.run("plan", "dls").stdout


def test_plan_refuses_a_course(dls) -> None:
    result = dls.run("plan", "dls/1")
    assert result.exit_code == 1
    assert "plan works on a whole specialization" in result.stderr


@pytest.mark.parametrize(
    ("left", "in_window", "ever", "goal", "projected", "ahead", "outlook"),
    [
        (10, 4, 4, "2026-05-01", "2026-05-10", -9, "behind"),  # 10 x 28 / 4 = 70 days
        (10, 4, 4, "2026-05-10", "2026-05-10", 0, "on-schedule"),
        (1, 28, 28, "2026-03-02", "2026-03-02", 0, "on-schedule"),  # 1 x 28 / 28 = 1 day
        (3, 7, 9, None, "2026-03-13", None, "projected"),  # 3 x 4 = 12 days
        (3, 0, 9, "2026-05-01", None, None, "no-recent-pace"),
        (3, 0, 0, None, None, None, "no-history"),
    ],
)
def test_project_arithmetic(left, in_window, ever, goal, projected, ahead, outlook) -> None:
    goal_on = dt.date.fromisoformat(goal) if goal else None
    figures = project(
        today=TODAY,
        units_left=left,
        done_in_window=in_window,
        ever_done=ever,
        goal_on=goal_on,
    )
    assert (figures.projected_on.isoformat() if figures.projected_on else None) == projected
    assert (figures.days_ahead, figures.outlook) == (ahead, outlook)
    assert figures.pace_per_week == round(in_window / 4, 2)


# --- status: last activity and weekly streak ------------------------------------


def _days(*isos: str) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in isos]


@pytest.mark.parametrize(
    ("done_on", "streak"),
    [
        ([], 0),
        (["2026-03-01"], 1),  # this week (Mon 02-23 .. Sun 03-01)
        (["2026-02-22"], 1),  # last week only: the streak is still alive
        (["2026-02-15"], 0),  # two weeks ago: broken
        (["2026-02-23", "2026-02-16", "2026-02-09", "2026-01-26"], 3),  # gap in week 02-02
        (["2026-02-20", "2026-02-16", "2026-02-10"], 2),  # two in one week count once
        (["2026-03-02", "2026-03-09"], 0),  # the future does not count
    ],
)
def test_weekly_streak(done_on: list[str], streak: int) -> None:
    assert weekly_streak(_days(*done_on), TODAY) == streak


def test_status_overview_shows_last_activity_and_streak(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-02-10")
    dls.run("done", "dls/1/2", "--on", "2026-02-18")
    dls.run("done", "dls/1/3", "--on", "2026-02-26")
    dls.run("start", "dls/1/4", "--on", "2026-02-27")
    data = dls.run("status", "--json").json()
    (spec,) = data["specializations"]
    assert (spec["last_activity_on"], spec["streak_weeks"]) == ("2026-02-27", 3)
    assert (spec["units_done"], spec["courses_total"]) == (3, 5), "old fields stay"
    lines = dls.run("status").stdout.splitlines()
    assert lines[0].split() == ["Slug", "Specialization", "Courses", "Units", "Progress", "%"]
    assert "last active 2026-02-27 · streak 3 weeks" in lines[3]
    assert all(len(line) <= 80 for line in lines)


def test_status_activity_counts_notes_and_reviews(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-01-05")
    assert dls.run("status", "--json").json()["specializations"][0]["streak_weeks"] == 0
    dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-02-01")
    spec = dls.run("status", "--json").json()["specializations"][0]
    assert spec["last_activity_on"] == "2026-02-01"
    dls.run("note", "dls/2", "start with the optimizers", "--on", "2026-02-12")
    spec = dls.run("status", "--json").json()["specializations"][0]
    assert (spec["last_activity_on"], spec["streak_weeks"]) == ("2026-02-12", 0)
    assert "last active 2026-02-12 · no streak" in dls.run("status").stdout


def test_status_with_no_activity(dls) -> None:
    spec = dls.run("status", "--json").json()["specializations"][0]
    assert (spec["last_activity_on"], spec["streak_weeks"]) == (None, 0)
    assert "no activity yet" in dls.run("status").stdout


def test_plan_of_a_specialization_without_units_says_so(store) -> None:
    store.run("add", "specialization", "Empty", "--slug", "empty")
    result = store.run("plan", "empty")
    assert result.exit_code == 1
    assert "empty has no courses yet, so nothing to plan" in result.stderr


# --- issue 11: a learner's first weeks -------------------------------------------


def test_plan_in_week_one_measures_pace_from_the_first_activity(dls) -> None:
    """Started two days ago, one unit done: 1 x 7 / 3 days = 2.33 units/week (not 0.25)."""
    dls.run("start", "dls/1/1", "--on", "2 days ago")
    dls.run("done", "dls/1/1")
    dls.run("goal", "dls", "--by", "2026-06-30")
    data = _plan(dls)
    assert (data["first_activity_on"], data["window_start"], data["window_days"]) == (
        "2026-02-27",
        "2026-02-27",
        3,
    )
    assert (data["pace_per_week"], data["early_estimate"]) == (2.33, True)
    # 16 left x 3 / 1 = 48 days: 2026-04-18, 73 days before the goal
    assert (data["projected_on"], data["days_ahead"], data["outlook"]) == (
        "2026-04-18",
        73,
        "ahead",
    )
    out = dls.run("plan", "dls").stdout
    assert "2.33 units/week (1 unit done 2026-02-27 to 2026-03-01)" in out
    assert "an early estimate, from 2 days of history" in out
    assert "behind" not in out


def test_plan_after_a_week_is_no_longer_an_early_estimate(dls) -> None:
    dls.run("note", "dls", "day one", "--on", "7 days ago")  # any study starts the history
    dls.run("done", "dls/1/1", "dls/1/2", "--on", "yesterday")
    data = _plan(dls)
    assert (data["window_days"], data["pace_per_week"], data["early_estimate"]) == (8, 1.75, False)
    assert "early estimate" not in dls.run("plan", "dls").stdout


@pytest.mark.parametrize(
    ("first", "window_start", "days", "early"),
    [
        (None, "2026-02-02", 28, False),
        ("2025-06-01", "2026-02-02", 28, False),
        ("2026-02-02", "2026-02-02", 28, False),
        ("2026-02-20", "2026-02-20", 10, False),
        ("2026-02-22", "2026-02-22", 8, False),
        ("2026-02-23", "2026-02-23", 7, True),  # 6 days of history: an early estimate
        ("2026-03-01", "2026-03-01", 1, True),  # started today: one day, not zero
    ],
)
def test_pace_window(first, window_start, days, early) -> None:
    figures = project(
        today=TODAY,
        units_left=5,
        done_in_window=1,
        ever_done=1,
        goal_on=None,
        first_activity_on=dt.date.fromisoformat(first) if first else None,
    )
    assert (figures.window_start.isoformat(), figures.window_days) == (window_start, days)
    assert figures.early_estimate is early
    assert figures.pace_per_week == round(7 / days, 2)


def test_a_projection_past_the_last_date_is_given_in_days() -> None:
    """140,000 units at one per 28 days is 10,700 years: no date, no OverflowError."""
    figures = project(
        today=TODAY,
        units_left=140_000,
        done_in_window=1,
        ever_done=1,
        goal_on=dt.date(2026, 12, 31),
    )
    assert (figures.projected_on, figures.projected_days) == (None, 3_920_000)
    assert (figures.days_ahead, figures.outlook) == (305 - 3_920_000, "behind")


@pytest.mark.slow  # a store of 140,000 units
def test_plan_at_140k_units(store) -> None:
    """Issue 10: `plan` on a 140,000-unit program raised OverflowError (date past 9999)."""
    store.run("add", "specialization", "Huge", "--slug", "huge")
    store.run("add", "course", "huge", "All of it")
    # as `add topic` and `done huge/1/1 --on yesterday` would, only faster
    ((course_id,),) = store.rows("SELECT id FROM course")
    store.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 140000) "
        "INSERT INTO topic (course_id, position, slug, title) "
        "SELECT ?, i, 't' || i, 'Topic ' || i FROM n",
        course_id,
    )
    store.execute(
        "INSERT INTO progress (topic_id, status, completed_on) "
        "SELECT id, 'done', '2026-02-28' FROM topic WHERE position = 1"
    )
    store.run("start", "huge", "--on", "2026-01-01")
    store.run("goal", "huge", "--by", "2026-12-31")
    result = store.run("plan", "huge")
    assert result.exit_code == 0, result.stderr
    assert "Units left  139999 of 140000" in result.stdout
    assert "after 2999 at that pace (3,919,972 days)" in result.stdout  # 139,999 x 28 / 1
    assert "3,919,667 days behind" in result.stdout
    data = store.run("plan", "huge", "--json").json()
    assert (data["projected_on"], data["projected_days"], data["outlook"]) == (
        None,
        3_919_972,
        "behind",
    )
    assert store.run("next", "huge", "-n", "1", "--json").json()["open_units"] == 139_999


def test_next_limit_beyond_sqlite_is_a_clear_error(dls) -> None:
    """Issue 10: `next --limit 99999999999999999999` raised OverflowError in SQLite."""
    for huge in ("99999999999999999999", "9223372036854775808", "1000001"):
        result = dls.run("next", "--limit", huge)
        assert result.exit_code == 1
        assert result.stderr == f"Error: --limit {huge} is out of range: give 1 to 1,000,000\n"
    assert len(dls.run("next", "--limit", "1000000", "--json").json()["units"]) == 17


def _program(store, slug: str, *titles: str) -> None:
    store.run("add", "specialization", slug.upper(), "--slug", slug)
    for title in titles:
        store.run("add", "course", slug, title)


def test_next_lists_the_program_studied_most_recently_first(dls) -> None:
    """A dormant program (aaa: started long ago, slug first) comes after dls, studied this week;
    one never touched comes last. Within a program: started units first, then course order."""
    _program(dls, "aaa", "Old one", "Old two")
    _program(dls, "abc", "Untouched")
    dls.run("start", "aaa/2", "--on", "2025-10-01")
    dls.run("done", "dls/1/1", "--on", "2026-02-27")
    data = dls.run("next", "--limit", "30", "--json").json()
    refs = [u["short_ref"] for u in data["units"]]
    assert refs[:3] == ["dls/1/2", "dls/1/3", "dls/1/4"]
    assert refs[-3:] == ["aaa/2", "aaa/1", "abc/1"]
    dls.run("note", "aaa/1", "back to it", "--on", "2026-02-28")  # a note wakes aaa up
    refs = [u["short_ref"] for u in dls.run("next", "--json").json()["units"]]
    assert refs == ["aaa/2", "aaa/1", "dls/1/2", "dls/1/3", "dls/1/4"]
    lines = dls.run("next").stdout.splitlines()
    assert lines[3].startswith("aaa/2") and lines[6].startswith("dls/1/2")
    assert lines[5].startswith("dls/1 ")  # the row naming the course the units are under


@pytest.mark.parametrize(
    ("step", "week"),
    [
        (["start", "dls/2/1", "--on", "2026-02-16"], "start"),
        (["note", "dls/2", "read ahead", "--on", "2026-02-17"], "note"),
        (["link", "dls/2/1", "https://example.org/x"], "link"),
        (["reviewed", "dls/1/1", "--grade", "good", "--on", "2026-02-18"], "review"),
    ],
)
def test_any_study_keeps_a_week_in_the_streak(dls, monkeypatch, step, week) -> None:
    """Done in the weeks of 02-09 and 02-23 only: the week of 02-16 breaks the streak
    unless the learner started, noted, linked or reviewed something in it."""
    dls.run("done", "dls/1/1", "--on", "2026-02-10")
    dls.run("done", "dls/1/2", "--on", "2026-02-24")
    assert dls.run("status", "--json").json()["specializations"][0]["streak_weeks"] == 1
    if week == "link":  # a link is dated the day it is added
        monkeypatch.setenv("COURSETRACK_NOW", "2026-02-19T09:00:00+00:00")
    assert dls.run(*step).exit_code == 0
    monkeypatch.setenv("COURSETRACK_NOW", NOW)
    spec = dls.run("status", "--json").json()["specializations"][0]
    assert (spec["streak_weeks"], spec["last_activity_on"]) == (3, "2026-02-24")
    assert "last active 2026-02-24 · streak 3 weeks" in dls.run("status").stdout


def test_since_and_post_date_errors_list_their_forms(dls) -> None:
    """Each date option's error lists the forms that option takes (issue 11)."""
    result = dls.run("log", "--since", "last week")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: --since 'last week' is not a date: use YYYY-MM-DD (for example 2026-03-14), "
        "'today', 'yesterday', 'N days ago', 'N weeks ago', 'tomorrow', 'in N days' or "
        "'in N weeks'\n",
    )
    assert dls.run("log", "--since", "2 weeks ago").exit_code == 0
    result = dls.run("export", "markdown", "dls", "--date", "next week")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: --date 'next week' is not a date: use YYYY-MM-DD, 2020-10-27T16:32:08-04:00, "
        "2020-10-27 16:32:08 -0400, 'now', 'today' or 'yesterday'\n",
    )
