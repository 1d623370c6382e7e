"""`coursetrack next` (the units to study next) and `coursetrack plan` (pace, goal, outlook)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from coursetrack.render.cells import _date, _days, _status, _units
from coursetrack.render.console import _text, safe, stdout
from coursetrack.render.layout import (
    _fields,
    _glued,
    _heading,
    _one_line,
    _peer_lines,
    _print_lines,
)
from coursetrack.render.tables import Column, _emit, fitted_table

if TYPE_CHECKING:  # the views' types, free at start-up
    from coursetrack.services.next import NextList
    from coursetrack.services.pace import Plan


def next_table(result: NextList) -> None:
    """`coursetrack next`: open units under their course, started ones first.

    A course's title is a row of its own above its units rather than a column
    beside them, so a long topic and a long course title both fit whole.
    """
    console = stdout()
    where = f" in {safe(result.scope)}" if result.scope else ""
    if not result.units:
        if result.units_total == 0:
            _emit(console, Text(f"Nothing to study{where}: there are no units yet.", "dim"))
        else:
            _emit(console, Text(f"Nothing left{where}: every unit is done.", style="green"))
        _print_lines(console, _peer_lines(result.peer, console.width))
        return
    shown = len(result.units)
    more = f", showing {shown}" if shown < result.open_units else ""
    heading = Text(f"Next{where} ({result.open_units} open{more})", style="bold")
    columns = [Column("Ref", style="cyan"), Column("Unit", title=True), Column("Status")]
    rows: list[list[RenderableType]] = []
    course = None
    for unit in result.units:
        if unit.kind == "course":
            rows.append([_text(unit.short_ref), _text(unit.title, "bold"), _status(unit.status)])
            course = None
            continue
        if unit.course["ref"] != course:
            course = unit.course["ref"]
            rows.append(
                [
                    _text(unit.short_ref.rsplit("/", 1)[0], "dim"),
                    _text(unit.course["title"], "bold"),
                    "",
                ]
            )
        rows.append([_text(unit.short_ref), _text("  " + unit.title), _status(unit.status)])
    _emit(
        console,
        _one_line(heading, console.width),
        fitted_table(columns, rows, width=console.width),
    )
    _print_lines(console, _peer_lines(result.peer, console.width))


def _per_week(value: float) -> str:
    return f"{value:.2f} units/week"


def plan_view(plan: Plan) -> None:
    """`coursetrack plan`: units left, pace, projection and goal, one line each."""
    console = stdout()
    heading = _heading(_text(plan.title, "bold"), [], _text(plan.ref, "cyan"), console.width)
    _print_lines(console, [heading])
    grid: list[tuple[str, Text | str, str]] = []
    grid.append(("Units left", f"{plan.units_left} of {plan.units_total}", "wrap"))
    if plan.goal_on is None or plan.days_to_goal is None:  # set together
        command = f"coursetrack goal {safe(plan.ref)} --by DATE"
        goal = Text(_glued(f"none; set one with '{command}'", [command]), "dim")
    elif plan.units_left == 0:
        goal = Text(_date(plan.goal_on))
    elif plan.days_to_goal > 0:
        assert plan.needed_per_week is not None  # set with a goal ahead and units left
        goal = Text(
            f"{_date(plan.goal_on)}, in {_days(plan.days_to_goal)}: "
            f"needs {_per_week(plan.needed_per_week)}"
        )
    elif plan.days_to_goal == 0:
        goal = Text(f"{_date(plan.goal_on)}, today", style="red")
    else:
        goal = Text(f"{_date(plan.goal_on)}, passed {_days(plan.days_to_goal)} ago", "red")
    grid.append(("Goal", goal, "wrap"))
    window = f"{_date(plan.window_start)} to {_date(plan.today)}"
    pace = f"{_per_week(plan.pace_per_week)} ({_units(plan.done_in_window)} done {window})"
    grid.append(("Your pace", pace, "wrap"))
    if plan.early_estimate and plan.first_activity_on and plan.outlook != "finished":
        history = (plan.today - plan.first_activity_on).days
        since = f"{_days(history)} of history" if history > 0 else "today alone"
        grid.append(("", Text(f"an early estimate, from {since}", "dim"), "wrap"))
    if plan.outlook == "finished":
        grid.append(("Finished", _date(plan.projected_on) or "yes", "wrap"))
    elif plan.projected_on is not None:
        grid.append(("Projected", f"{_date(plan.projected_on)} at that pace", "wrap"))
    elif plan.projected_days is not None:
        after = f"after 2999 at that pace ({plan.projected_days:,} days)"
        grid.append(("Projected", after, "wrap"))
    elif plan.outlook == "no-history":
        none_yet = Text("no history yet: finish a unit to start a pace", "dim")
        grid.append(("Projected", none_yet, "wrap"))
    else:
        stale = Text(f"no pace: nothing done in the last {plan.window_days} days", "dim")
        grid.append(("Projected", stale, "wrap"))
    if plan.days_ahead is not None:
        if plan.outlook == "finished":
            word = "before" if plan.days_ahead >= 0 else "after"
            outlook = Text(f"finished {_days(plan.days_ahead)} {word} your goal", "green")
        elif plan.days_ahead > 0:
            outlook = Text(f"{_days(plan.days_ahead)} ahead", style="green")
        elif plan.days_ahead < 0:
            outlook = Text(f"{_days(plan.days_ahead)} behind", style="red")
        else:
            outlook = Text("on schedule", style="green")
        grid.append(("Outlook", outlook, "wrap"))
    _print_lines(console, _fields(grid, console.width))
