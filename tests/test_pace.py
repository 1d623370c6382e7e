"""One definition of the pace window, for `plan`, `group status` and the README (issue 22).

The window is counted in calendar days from its first day to today, both included:
the 28 days ending today, or the days since the first activity when that is more
recent. Before, the second was counted as days elapsed (2026-09-01 to 2026-09-12
was 11 days, not 12), so a learner who began 27 days ago had a 26-day window and
one who began 28 days ago a 28-day one.
"""

from __future__ import annotations

import datetime as dt

import pytest

from coursetrack.services.pace import PACE_WINDOW_DAYS, pace_window, project

TODAY = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-01T09:00:00+00:00")


def test_the_window_counts_its_calendar_days_both_ends_included() -> None:
    previous = PACE_WINDOW_DAYS
    for back in range(60, -1, -1):  # a first activity from 60 days ago to today
        first = TODAY - dt.timedelta(days=back)
        start, days = pace_window(TODAY, first)
        assert days == (TODAY - start).days + 1, first
        assert days <= previous, f"{first}: the window grows as the history shortens"
        previous = days
    assert pace_window(TODAY, TODAY) == (TODAY, 1)
    assert pace_window(TODAY, None) == (TODAY - dt.timedelta(days=27), 28)


def test_project_and_so_group_status_use_the_same_window() -> None:
    """`group status` figures each learner through `project`, as `plan` does."""
    first = dt.date(2026, 2, 18)  # 12 calendar days, 2026-02-18 .. 2026-03-01
    figures = project(
        today=TODAY, units_left=15, done_in_window=2, ever_done=2, goal_on=None,
        first_activity_on=first,
    )  # fmt: skip
    assert (figures.window_start, figures.window_days) == (first, 12)
    assert figures.pace_per_week == round(2 * 7 / 12, 2)


def test_plan_counts_twelve_days_from_the_first_activity(dls) -> None:
    dls.run("start", "dls/1/1", "--on", "2026-02-18")
    dls.run("done", "dls/1/1", "dls/1/2")
    data = dls.run("plan", "dls", "--json").json()
    assert (data["window_start"], data["window_days"]) == ("2026-02-18", 12)
    assert data["pace_per_week"] == 1.17
    assert (
        "1.17 units/week (2 units done 2026-02-18 to 2026-03-01)" in dls.run("plan", "dls").stdout
    )
