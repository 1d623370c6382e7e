"""`coursetrack group status`: the study group's learners on a specialization or a course."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, RenderableType
from rich.text import Text

from coursetrack.render.cells import _date, _days, _pct, _units, bar
from coursetrack.render.console import _text, safe, stdout
from coursetrack.render.layout import _heading, _hint, _print_lines, _wrapped
from coursetrack.render.tables import Column, _emit, fitted_table
from coursetrack.vocabulary import Status

if TYPE_CHECKING:  # the views' types, free at start-up
    from coursetrack.services.group import GroupCourse, GroupStatus


def _outlook(outlook: str, days_ahead: int | None, *, started: bool = False) -> Text:
    """A learner's pace against their goal, in a few words (`pace.project`'s outlook);
    "started" for a learner with nothing done yet but something begun."""
    if outlook == "no-history" and started:
        return Text("started")
    if outlook == "ahead" and days_ahead is not None:
        return Text(f"{_days(days_ahead)} ahead", style="green")
    if outlook == "behind" and days_ahead is not None:
        return Text(f"{_days(days_ahead)} behind", style="red")
    words = {
        "finished": ("finished", "green"),
        "on-schedule": ("on schedule", "green"),
        "projected": ("no goal", "dim"),
        "no-recent-pace": ("no recent pace", "yellow"),
        "no-history": ("not started", "dim"),
    }
    word, style = words.get(outlook, (outlook, ""))
    return Text(word, style=style)


def _weeks(count: int) -> str:
    return "-" if not count else f"{count} wk"


def _learners(count: int) -> str:
    return "1 learner" if count == 1 else f"{count} learners"


def _group_heading(console: Console, view: GroupStatus | GroupCourse, ref: str) -> bool:
    """A group view's first line; for a group with no learner, a line saying so too.
    Whether there are learners to list."""
    figures = Text(f"{_learners(len(view.learners))}, {_units(view.units_total)}")
    heading = _heading(_text(view.title, "bold"), [_text(ref, "cyan")], figures, console.width)
    _emit(console, heading)
    if not view.learners:
        command = "coursetrack group add NAME"
        text = f"No learners in the group yet; its owner adds them with {command}."
        _print_lines(console, _hint(text, console.width, "dim", commands=[command]))
    return bool(view.learners)


def group_table(status: GroupStatus) -> None:
    """`coursetrack group status SPEC`: one row per learner, most done first."""
    console = stdout()
    if not _group_heading(console, status, status.slug):
        return
    # peer review's two columns once the group reviews anything in scope: reviews each
    # learner gave ("Reviewed") and their work received ("Reviews"). Kept together on a
    # narrow terminal (one alone would read as the other), where the last active day goes,
    # and then the bar: the percent beside it says what it draws, and the names stay whole
    peer = any(learner.reviews_given or learner.reviews_received for learner in status.learners)
    columns = [
        Column("Learner", title=True),
        Column("Units", justify="right"),
        Column("Progress", drop=1),
        Column("%", justify="right"),
        Column("Last active", drop=2),
        Column("Streak", justify="right"),
        *(
            [Column("Reviewed", justify="right"), Column("Reviews", justify="right")]
            if peer
            else []
        ),
        Column("Outlook"),
    ]
    rows: list[list[RenderableType]] = [
        [
            _text(learner.learner),
            f"{learner.units_done}/{learner.units_total}",
            bar(learner.units_done, learner.units_total),
            _pct(learner.percent),
            _date(learner.last_activity_on),
            _weeks(learner.streak_weeks),
            *([str(learner.reviews_given), str(learner.reviews_received)] if peer else []),
            _outlook(learner.outlook, learner.days_ahead, started=learner.started),
        ]
        for learner in status.learners
    ]
    _emit(console, fitted_table(columns, rows, width=console.width))


_PLACE_STYLE = {"finished": "green", "studying": "yellow", "stuck": "red", "not-started": "dim"}


def group_course_table(course: GroupCourse) -> None:
    """`coursetrack group status SPEC/COURSE`: who is on which topic, who is stuck."""
    console = stdout()
    if not _group_heading(console, course, course.ref):
        return
    columns = [
        Column("Learner", title=True),
        Column("Units", justify="right"),
        Column("On", title=True),
        Column("Last active"),
        Column("State"),
    ]
    rows: list[list[RenderableType]] = []
    for place in course.learners:
        on = Text("")
        if place.topic is not None:
            on = _text(f"{place.topic.position}. {place.topic.title}")
            if place.topic_status == Status.TODO:
                on.append(" (next)", style="dim")
        state = place.state
        if place.stuck:
            state = f"stuck {_days(place.idle_days or 0)}"
        rows.append(
            [
                _text(place.learner),
                f"{place.units_done}/{place.units_total}",
                on,
                _date(place.last_activity_on),
                Text(state.replace("-", " "), style=_PLACE_STYLE.get(place.state, "")),
            ]
        )
    stuck = [place.learner for place in course.learners if place.stuck]
    footer = Text(
        f"Stuck (nothing recorded in {course.stuck_days} days): " + ", ".join(map(safe, stuck))
        if stuck
        else f"Nobody is stuck (nothing recorded in {course.stuck_days} days).",
        style="red" if stuck else "dim",
    )
    _emit(console, fitted_table(columns, rows, width=console.width))
    _print_lines(console, _wrapped(Text(""), footer.plain, console.width, str(footer.style)))
