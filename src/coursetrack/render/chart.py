"""`coursetrack chart SPEC`: the burn-up in the terminal, one row per week."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from coursetrack.render.cells import _date, _pct, _units
from coursetrack.render.console import _text, safe, stdout
from coursetrack.render.layout import _heading, _hint, _print_lines
from coursetrack.render.tables import _emit

if TYPE_CHECKING:  # the views' types, free at start-up
    from coursetrack.services.chart import Burnup


GOAL_MARK = "│"


def _burnup_row(done_total: int, goal: float | None, total: int, width: int) -> Text:
    """Units done so far as a filled bar, and the goal line's place on it as │."""
    filled = min(width, round(width * done_total / total)) if total else 0
    if done_total < total:
        filled = min(filled, width - 1)
    cells = ["█"] * filled + ["░"] * (width - filled)
    mark = None
    if goal is not None and total:
        mark = min(width - 1, round((width - 1) * goal / total))
        cells[mark] = GOAL_MARK
    text = Text()
    for i, cell in enumerate(cells):
        style = "bold magenta" if i == mark else "green" if cell == "█" else "dim"
        text.append(cell, style=style)
    return text


def burnup_chart(chart: Burnup) -> None:
    """`coursetrack chart SPEC`: one row per week, time going down the screen.

    Each row's bar is the running total of units done (the burn-up line turned
    on its side), │ is where the goal line stands that week, and the week that
    holds today is marked. Readable without colour: █ done, ░ to do, │ goal.
    """
    console = stdout()
    room = console.width
    figures = Text(f"{chart.units_done}/{chart.units_total} units, {_pct(chart.percent)}")
    heading = _heading(_text(chart.title, "bold"), [_text(chart.ref, "cyan")], figures, room)
    _emit(console, heading)
    if not chart.weeks:
        command = f"coursetrack done {safe(chart.ref)}/1"
        text = (
            f"No activity yet, so no chart: start or finish a unit ({command}) "
            "and it begins that week."
        )
        _print_lines(console, _hint(text, room, "dim", commands=[command]))
        return
    # 10 (date) + 5 (done) + 5 (total) + 8 (today mark) + gaps leave the rest to the bar
    width = max(10, min(60, console.width - 34))
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold")
    table.add_column("Week of", no_wrap=True)
    table.add_column("Done", justify="right", no_wrap=True)
    table.add_column("Done in all", no_wrap=True, width=width)
    table.add_column("", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for week in chart.weeks:
        today = week.ends_on == chart.today  # only today's week is read on today
        table.add_row(
            Text(_date(week.week_of), style="bold" if today else ""),
            f"+{week.done}" if week.done else Text("·", style="dim"),
            _burnup_row(week.done_total, week.goal, chart.units_total, width),
            str(week.done_total),
            Text("◀ today", style="bold yellow") if today else "",
        )
    _emit(console, table)
    legend = Text("█ done  ░ to do", style="dim")
    if chart.goal_on is not None:
        legend.append(f"  {GOAL_MARK} goal line: all {_units(chart.units_total)} by ", style="dim")
        legend.append(_date(chart.goal_on), style="magenta")
        _emit(console, legend)
    else:
        command = f"coursetrack goal {safe(chart.ref)} --by DATE"
        text = f"{legend.plain}  no goal line: set one with '{command}'"
        _print_lines(console, _hint(text, room, "dim", commands=[command]))
    if chart.completed_on is not None:
        _emit(console, Text(f"Finished on {_date(chart.completed_on)}.", style="green"))
