"""Everything the terminal sees: Rich tables, bars, messages and JSON.

Rich decides colour: none under NO_COLOR or when output is not a terminal.
User text always goes in as `Text`, never as markup, so a title such as
`[bold]` or one carrying escape sequences prints as harmless text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
STATUS_STYLE = {"done": "green", "in-progress": "yellow", "todo": "dim"}
BAR_WIDTH = 10


def safe(text: str, *, one_line: bool = False) -> str:
    """User text with control characters shown as `\\x1b`, never sent raw to the terminal."""
    pattern = _CONTROL_OR_NEWLINE if one_line else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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
    text = json.dumps(to_data(data), indent=2, ensure_ascii=False, default=_plain)
    # json leaves DEL and the C1 controls raw; escape them so no terminal acts on them
    sys.stdout.write(re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text))
    sys.stdout.write("\n")


def bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    """A bar that still reads without colour: filled blocks, then light shade."""
    filled = round(width * done / total) if total else 0
    text = Text("█" * filled, style="green")
    text.append("░" * (width - filled), style="dim")
    return text


def _status(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _pct(value: float) -> str:
    return f"{value:.0f}%"


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
        table.add_row(
            _text(spec.slug, "cyan"),
            _text(spec.title),
            f"{spec.courses_done}/{spec.courses_total}",
            f"{spec.units_done}/{spec.units_total}",
            bar(spec.units_done, spec.units_total),
            _pct(spec.percent),
        )
    console.print(table)


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
    """`coursetrack log`: one block per command, newest first."""
    console = stdout()
    if not entries:
        console.print("No changes recorded yet.")
        return
    for entry in entries:
        head = Text(entry.at.strftime("%Y-%m-%d %H:%M"), style="dim")
        head.append(f"  #{entry.id}  ")
        head.append(safe(entry.command, one_line=True), style="bold")
        if entry.undone_by is not None:
            head.append(f"  (undone by #{entry.undone_by})", style="yellow")
        console.print(head, overflow="fold")
        if not entry.changes:
            console.print(Text("    no change", style="dim"))
        shown = entry.changes[:8]
        for change in shown:
            console.print(Text("    " + safe(_change_line(change), one_line=True)), overflow="fold")
        if len(entry.changes) > len(shown):
            console.print(Text(f"    … and {len(entry.changes) - len(shown)} more", style="dim"))
