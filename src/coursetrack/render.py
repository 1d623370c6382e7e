"""Everything the terminal sees: Rich tables, bars, messages and JSON.

Rich decides colour: none under NO_COLOR or when output is not a terminal.
User text always goes in through `safe` and as `Text`, never as markup, so a
title such as `[bold]` or `[/x]`, or one carrying escape sequences, bidi
overrides or zero-width characters, prints as harmless, visible text. That
holds for the progress bar too, which draws on another thread.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from coursetrack.controls import INVISIBLE, printable

STATUS_STYLE = {"done": "green", "in-progress": "yellow", "todo": "dim"}
BAR_WIDTH = 10


def safe(text: str, *, one_line: bool = False) -> str:
    """User text as the terminal shows it: the one door every user text goes through.

    Control characters come out as `\\x1b`, invisible format characters (RTL
    overrides, zero-width spaces) as `\\u202e`: shown, never obeyed.
    """
    return printable(text, one_line=one_line)


def _text(value: str, style: str = "") -> Text:
    return Text(safe(value), style=style)


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    """One line on stderr; the CLI picks the exit code."""
    stderr().print(
        Text(f"Error: {safe(message, one_line=True)}", style="red"), overflow="ignore", crop=False
    )


def notice(message: str) -> None:
    stderr().print(
        Text(safe(message, one_line=True), style="yellow"), overflow="ignore", crop=False
    )


def success(message: str) -> None:
    stdout().print(Text(safe(message, one_line=True)), overflow="ignore", crop=False)


def aside(message: str) -> None:
    """A plain line on stderr, beside output that went to stdout for a pipe or file."""
    stderr().print(Text(safe(message, one_line=True)), overflow="ignore", crop=False)


def lines(messages: list[str]) -> None:
    console = stdout()
    for message in messages:
        console.print(Text(safe(message, one_line=True)), overflow="ignore", crop=False)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_data(obj: Any) -> Any:
    """Dataclasses as plain dicts and lists, ready for JSON."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return obj


def print_json(data: Any) -> None:
    """JSON for scripts: plain text, no colour, no wrapping, dates as ISO strings."""
    # \u escapes where stdout cannot carry every character (PYTHONIOENCODING=ascii): lossless
    ascii_only = not _utf8(sys.stdout)
    text = json.dumps(to_data(data), indent=2, ensure_ascii=ascii_only, default=_plain)
    # json leaves DEL, the C1 controls and invisible characters (U+202E...) raw;
    # as \u escapes they read back the same, and no terminal acts on them
    text = re.sub("[\x7f-\x9f]", _json_escape, text)
    sys.stdout.write(INVISIBLE.sub(_json_escape, text))
    sys.stdout.write("\n")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells it as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _utf8(stream: Any) -> bool:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    return encoding.startswith("utf")


def bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    """A bar that still reads without colour: filled blocks, then light shade (# and - in ASCII)."""
    filled = round(width * done / total) if total else 0
    if done < total:
        filled = min(filled, width - 1)  # a full bar means finished
    full, empty = ("█", "░") if _utf8(sys.stdout) else ("#", "-")
    text = Text(full * filled, style="green")
    text.append(empty * (width - filled), style="dim")
    return text


def _status(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _pct(value: float) -> str:
    from coursetrack.services.status import whole_percent

    return f"{whole_percent(value)}%"


def _table(title: Text | str | None = None) -> Table:
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 0, 0, 1),
        pad_edge=False,
        show_edge=False,
        header_style="bold",
    )


def overview_table(overview: Any) -> None:
    """`coursetrack status`: one row per specialization."""
    console = stdout()
    if not overview.specializations:
        console.print(
            "No specializations yet. Track the Deep Learning Specialization with:\n"
            "  coursetrack import deep-learning-specialization"
        )
        return
    table = _table()
    table.add_column("Slug", no_wrap=True)
    table.add_column("Specialization", ratio=1, min_width=12)
    table.add_column("Courses", justify="right", no_wrap=True)
    table.add_column("Units", justify="right", no_wrap=True)
    table.add_column("Progress", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    for spec in overview.specializations:
        title = _text(spec.title)
        title.append("\n")
        title.append(_activity(spec), style="dim")
        table.add_row(
            _text(spec.slug, "cyan"),
            title,
            f"{spec.courses_done}/{spec.courses_total}",
            f"{spec.units_done}/{spec.units_total}",
            bar(spec.units_done, spec.units_total),
            _pct(spec.percent),
        )
    console.print(table)


def _activity(spec: Any) -> str:
    """The overview's second line: when the learner last did anything, and their streak."""
    if spec.last_activity_on is None:
        return "no activity yet"
    weeks = "1 week" if spec.streak_weeks == 1 else f"{spec.streak_weeks} weeks"
    streak = f"streak {weeks}" if spec.streak_weeks else "no streak"
    return f"last active {_date(spec.last_activity_on)} · {streak}"


def report_table(report: Any) -> None:
    """`coursetrack status SPEC` (courses) or `status SPEC/COURSE` (topics)."""
    console = stdout()
    heading = _text(report.title, "bold")
    heading.append(f"  {safe(report.ref)}  ", style="cyan")
    heading.append(f"{report.units_done}/{report.units_total} units, {_pct(report.percent)}")
    if report.completed_on:
        heading.append(f", completed {_date(report.completed_on)}", style="green")
    table = _table(heading)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(
        "Course" if report.kind == "specialization" else "Topic", min_width=16, overflow="fold"
    )
    table.add_column("Status", no_wrap=True)
    table.add_column("Units", justify="right", no_wrap=True)
    table.add_column("Progress", no_wrap=True)
    table.add_column("Started", no_wrap=True, min_width=10)
    table.add_column("Completed", no_wrap=True, min_width=10)
    for item in report.items:
        table.add_row(
            str(item.position),
            _text(item.title),
            _status(item.status),
            f"{item.units_done}/{item.units_total}",
            bar(item.units_done, item.units_total, width=6) + Text(f" {_pct(item.percent):>4}"),
            _date(item.started_on),
            _date(item.completed_on),
        )
    console.print(table)
    if not report.items:
        noun = "courses" if report.kind == "specialization" else "topics"
        console.print(Text(f"No {noun} yet.", style="dim"))
    if report.certificate_url:
        console.print(_text(f"Certificate: {report.certificate_url}"))
    if report.reviews_due:
        topics = "1 topic" if report.reviews_due == 1 else f"{report.reviews_due} topics"
        console.print(
            _text(f"Due for review: {topics}; see coursetrack review {report.ref}", "yellow")
        )


def item_table(item: Any, ref: str) -> None:
    """`coursetrack status SPEC/COURSE/TOPIC`: one topic."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row("Topic", _text(item.title))
    table.add_row("Ref", _text(ref, "cyan"))
    table.add_row("Status", _status(item.status))
    table.add_row("Started", _date(item.started_on))
    table.add_row("Completed", _date(item.completed_on))
    stdout().print(table)


def catalogs_table(rows: list[dict]) -> None:
    """`coursetrack catalogs`: what ships, ready to import."""
    table = _table()
    for column in ("name", "slug", "title", "courses", "topics"):
        table.add_column(column.capitalize(), no_wrap=column != "title")
    for row in rows:
        table.add_row(*(_text(str(row[c])) for c in ("name", "slug", "title", "courses", "topics")))
    stdout().print(table)


def _change_line(change: Any) -> str:
    if change.op == "update":
        parts = [f"{k} {_value(old)} → {_value(new)}" for k, (old, new) in change.fields.items()]
        return f"{change.table} {change.item}: " + ", ".join(parts)
    verb = "added" if change.op == "insert" else "removed"
    line = f"{verb} {change.table} {change.item}"
    values = change.new if change.op == "insert" else None
    if values and change.table not in ("specialization", "course", "topic"):
        shown = [f"{k}={v}" for k, v in values.items() if v is not None and k != "id"]
        shown = [s for s in shown if not s.split("=")[0].endswith("_id")]
        line += f" ({', '.join(shown)})" if shown else ""
    return line


def _value(value: Any) -> str:
    return "∅" if value is None else str(value)


def history(entries: list) -> None:
    """`coursetrack log`: one block per command, newest first, changes indented under it."""
    console = stdout()
    if not entries:
        console.print("No changes recorded yet.")
        return
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for entry in entries:
        line = Text(safe(entry.command, one_line=True), style="bold")
        if entry.undone_by is not None:
            line.append(f"  (undone by #{entry.undone_by})", style="yellow")
        grid.add_row(entry.at.strftime("%Y-%m-%d %H:%M"), f"#{entry.id}", line)
        if not entry.changes:
            grid.add_row("", "", Text("  no change", style="dim"))
        shown = entry.changes[:8]
        for change in shown:
            grid.add_row("", "", Text("  " + safe(_change_line(change), one_line=True)))
        if len(entry.changes) > len(shown):
            more = len(entry.changes) - len(shown)
            grid.add_row("", "", Text(f"  … and {more} more", style="dim"))
    console.print(grid)


def _units(count: int) -> str:
    return "1 unit" if count == 1 else f"{count} units"


def _days(count: int) -> str:
    return "1 day" if abs(count) == 1 else f"{abs(count)} days"


def next_table(result: Any) -> None:
    """`coursetrack next`: open units, started ones first, then in course order."""
    console = stdout()
    where = f" in {safe(result.scope)}" if result.scope else ""
    if not result.units:
        if result.units_total == 0:
            console.print(Text(f"Nothing to study{where}: there are no units yet.", style="dim"))
        else:
            console.print(Text(f"Nothing left{where}: every unit is done.", style="green"))
        return
    shown = len(result.units)
    more = f", showing {shown}" if shown < result.open_units else ""
    table = _table(Text(f"Next{where} ({result.open_units} open{more})", style="bold"))
    table.add_column("Ref", no_wrap=True, style="cyan")
    table.add_column("Unit", ratio=1, min_width=16, overflow="fold")
    table.add_column("Course", max_width=26, no_wrap=True, overflow="ellipsis")
    table.add_column("Status", no_wrap=True)
    for unit in result.units:
        table.add_row(
            _text(unit.short_ref),
            _text(unit.title),
            _text(unit.course["title"]),
            _status(unit.status),
        )
    console.print(table)


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def _per_week(value: float) -> str:
    return f"{value:.2f} units/week"


def plan_view(plan: Any) -> None:
    """`coursetrack plan`: units left, pace, projection and goal, one line each."""
    console = stdout()
    heading = _text(plan.title, "bold")
    heading.append(f"  {safe(plan.ref)}", style="cyan")
    console.print(heading)
    grid = _grid()
    grid.add_row("Units left", f"{plan.units_left} of {plan.units_total}")
    if plan.goal_on is None:
        goal = Text(f"none; set one with 'coursetrack goal {safe(plan.ref)} --by DATE'", "dim")
    elif plan.units_left == 0:
        goal = Text(_date(plan.goal_on))
    elif plan.days_to_goal > 0:
        goal = Text(
            f"{_date(plan.goal_on)}, in {_days(plan.days_to_goal)}: "
            f"needs {_per_week(plan.needed_per_week)}"
        )
    elif plan.days_to_goal == 0:
        goal = Text(f"{_date(plan.goal_on)}, today", style="red")
    else:
        goal = Text(f"{_date(plan.goal_on)}, passed {_days(plan.days_to_goal)} ago", "red")
    grid.add_row("Goal", goal)
    window = f"{_date(plan.window_start)} to {_date(plan.today)}"
    grid.add_row(
        "Your pace",
        f"{_per_week(plan.pace_per_week)} ({_units(plan.done_in_window)} done {window})",
    )
    if plan.outlook == "finished":
        grid.add_row("Finished", _date(plan.projected_on) or "yes")
    elif plan.projected_on is not None:
        grid.add_row("Projected", f"{_date(plan.projected_on)} at that pace")
    elif plan.outlook == "no-history":
        grid.add_row("Projected", Text("no history yet: finish a unit to start a pace", "dim"))
    else:
        grid.add_row(
            "Projected",
            Text(f"no pace: nothing done in the last {plan.window_days} days", "dim"),
        )
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
        grid.add_row("Outlook", outlook)
    console.print(grid)


def queue_table(queue: Any) -> None:
    """`coursetrack review`: topics due for review, oldest due first."""
    console = stdout()
    where = f" in {safe(queue.scope)}" if queue.scope else ""
    if not queue.due:
        if queue.next_due_on:
            console.print(
                Text(
                    f"Nothing due for review{where} today ({_date(queue.today)}); "
                    f"next on {_date(queue.next_due_on)}."
                )
            )
        else:
            console.print(
                Text(
                    f"Nothing to review{where} yet: topics join the queue when you mark them done."
                )
            )
        return
    count = "1 topic" if len(queue.due) == 1 else f"{len(queue.due)} topics"
    table = _table(Text(f"Due for review{where} on {_date(queue.today)}: {count}", "bold"))
    table.add_column("Ref", no_wrap=True, style="cyan")
    table.add_column("Topic", ratio=1, min_width=16, overflow="fold")
    table.add_column("Due", no_wrap=True)
    table.add_column("Last review", no_wrap=True)
    for item in queue.due:
        last = (
            f"{item.last_grade}, {_date(item.last_reviewed_on)}"
            if item.last_reviewed_on
            else f"done {_date(item.completed_on)}"
        )
        table.add_row(_text(item.short_ref), _text(item.title), _date(item.due_on), last)
    console.print(table)
    console.print(
        Text("Record each with: coursetrack reviewed REF --grade again|hard|good|easy", "dim")
    )


def details_view(details: Any) -> None:
    """`coursetrack show`: one item, everything known about it."""
    console = stdout()
    console.print(_text(details.title, "bold"))
    grid = _grid()
    grid.add_row("Ref", _text(f"{details.ref} ({details.kind})", "cyan"))
    if details.course:
        grid.add_row("Course", _text(f"{details.course['title']} ({details.course['ref']})"))
    for label, value in (
        ("Provider", details.provider),
        ("URL", details.url),
        ("Description", details.description),
    ):
        if value:
            grid.add_row(label, _text(value))
    state = _status(details.status)
    if details.units_total != 1 or details.kind != "topic":
        state.append(f", {details.units_done}/{details.units_total} units, {_pct(details.percent)}")
    grid.add_row("Status", state)
    if details.started_on:
        grid.add_row("Started", _date(details.started_on))
    if details.completed_on:
        grid.add_row("Completed", _date(details.completed_on))
    if details.goal_on:
        grid.add_row("Goal", f"finish by {_date(details.goal_on)}")
    if details.certificate_url:
        grid.add_row("Certificate", _text(details.certificate_url))
    if details.reviews_due:
        topics = "1 topic" if details.reviews_due == 1 else f"{details.reviews_due} topics"
        grid.add_row("Review", _text(f"{topics} due: coursetrack review {details.ref}"))
    if details.review is not None:
        review = details.review
        done = len(review.reviews)
        when = "due now, since" if review.due else "next due"
        text = f"{when} {_date(review.due_on)} (interval {_days(review.interval_days)})"
        if done:
            last = review.reviews[-1]
            text += f"; {done} review(s), last {_date(last['reviewed_on'])} ({last['grade']})"
        grid.add_row("Review", text)
    console.print(grid)
    console.print(Text(f"Notes ({len(details.notes)})", style="bold"))
    for note in details.notes:
        line = _text(f"  {_date(note.written_on) or 'undated':<10}  ", "dim")
        line.append(_text(note.text))
        console.print(line)
    console.print(Text(f"Links ({len(details.links)})", style="bold"))
    for entry in details.links:
        line = _text("  ")
        if entry.title:
            line.append(_text(entry.title))
            line.append("  ")
        line.append(_text(entry.url, "cyan"))
        console.print(line)


# --- progress of long work ---------------------------------------------------------

#: Seconds of work before a bar appears (tests set 0 to see one at once).
PROGRESS_AFTER_ENV = "COURSETRACK_PROGRESS_AFTER"
PROGRESS_AFTER = 1.0


class Tracker:
    """Handed to a service as its `progress` callback: told (done, total) as work goes.

    The bar itself is drawn only once the work has run longer than the delay
    (a timer starts it, so a long step with no callback still shows a moving
    bar), on stderr, and only when both stdout and stderr are terminals: never
    in a pipe or a redirect, not even one of stdout alone, and never in a test's
    captured output. It is erased when the work ends, leaving the command's own
    one-line summary.
    """

    def __init__(self, description: str, *, enabled: bool) -> None:
        import threading

        self.description = safe(description, one_line=True)
        self.shown = False
        self._console = stderr()
        self._enabled = (
            enabled
            and _is_tty(sys.stdout)
            and _is_tty(sys.stderr)
            and not self._console.is_dumb_terminal
        )
        self._lock = threading.Lock()
        self._bar: Any = None
        self._task: Any = None
        self._done, self._total = 0, None
        self._timer: Any = None
        if self._enabled:
            self._timer = threading.Timer(_progress_after(), self._show)
            self._timer.daemon = True
            self._timer.start()

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self._done, self._total = done, total
            if self._bar is not None:
                self._bar.update(self._task, completed=done, total=total)

    def describe(self, description: str) -> None:
        """Name the step under way (e.g. "writing YAML" once the data is read)."""
        with self._lock:
            self.description = safe(description, one_line=True)
            if self._bar is not None:
                self._bar.update(self._task, description=self.description)

    def _show(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with self._lock:
            if self._bar is not None or not self._enabled:
                return
            self._bar = Progress(
                # a file name or title, not markup: "[/x]" once killed this thread
                TextColumn("{task.description}", markup=False, style="progress.description"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._task = self._bar.add_task(
                self.description, total=self._total, completed=self._done
            )
            self._bar.start()
            self.shown = True

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._enabled = False
            if self._bar is not None:
                self._bar.stop()


def _is_tty(stream: Any) -> bool:
    """A real terminal; not Rich's view, which FORCE_COLOR can talk into a pipe."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def _progress_after() -> float:
    import os

    try:
        return max(0.0, float(os.environ.get(PROGRESS_AFTER_ENV, PROGRESS_AFTER)))
    except ValueError:
        return PROGRESS_AFTER


@contextlib.contextmanager
def progress(description: str, *, enabled: bool = True) -> Iterator[Tracker]:
    """A progress callback for long work; `enabled=False` under --json."""
    tracker = Tracker(description, enabled=enabled)
    try:
        yield tracker
    finally:
        tracker.close()
