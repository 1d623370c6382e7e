"""`coursetrack log`: the commands recorded, newest first, each with its changes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from coursetrack.render.console import safe, stdout
from coursetrack.render.tables import _emit

if TYPE_CHECKING:  # the views' types, free at start-up
    from coursetrack.services.log import ChangeEntry, LogEntry


#: How many changes of one command `log` shows, and how much of one value:
#: a command may change 100,000 rows, a change hold a whole note or a long title.
LOG_CHANGES_SHOWN = 8
LOG_VALUE_CHARS = 200


def _change_line(change: ChangeEntry) -> str:
    if change.op == "update":
        parts = [f"{k} {_value(old)} → {_value(new)}" for k, (old, new) in change.fields.items()]
        return f"{change.table} {_value(change.item)}: " + ", ".join(parts)
    verb = "added" if change.op == "insert" else "removed"
    line = f"{verb} {change.table} {_value(change.item)}"
    values = change.new if change.op == "insert" else None
    if values and change.table not in ("specialization", "course", "topic"):
        shown = [f"{k}={_value(v)}" for k, v in values.items() if v is not None and k != "id"]
        shown = [s for s in shown if not s.split("=")[0].endswith("_id")]
        line += f" ({', '.join(shown)})" if shown else ""
    return line


def _value(value: object, limit: int = LOG_VALUE_CHARS) -> str:
    if value is None:
        return "∅"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names_another(line: str, undoes: int | None) -> bool:
    """Whether an undo's line (`undo 9`) names a number other than the command it undid:
    a sync that replays commands renumbers them, and the line is kept as it was typed."""
    if undoes is None:
        return False
    typed = re.search(r"\bundo\s+#?(\d+)\b", line)
    return typed is not None and int(typed.group(1)) != undoes


def history(entries: Sequence[LogEntry]) -> None:
    """`coursetrack log`: one block per command, newest first, changes indented under it."""
    console = stdout()
    if not entries:
        _emit(console, Text("No changes recorded yet."))
        return
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for entry in entries:
        line = Text(safe(_value(entry.command, 500), one_line=True), style="bold")
        if entry.machine is not None:
            line.append(f"  on {safe(entry.machine, one_line=True)}", style="cyan")
        if entry.undone_by is not None:
            line.append(f"  (undone by #{entry.undone_by})", style="yellow")
        if _names_another(entry.command, getattr(entry, "undoes", None)):
            line.append(f"  (undid #{entry.undoes})", style="yellow")
        grid.add_row(entry.at.strftime("%Y-%m-%d %H:%M"), f"#{entry.id}", line)
        if entry.set_aside is not None:
            why = safe(_value(entry.set_aside), one_line=True)
            grid.add_row("", "", Text(f"  set aside at sync: {why}", style="yellow"))
        if not entry.changes:
            grid.add_row("", "", Text("  no change", style="dim"))
        shown = entry.changes[:LOG_CHANGES_SHOWN]
        for change in shown:
            grid.add_row("", "", Text("  " + safe(_change_line(change), one_line=True)))
        more = len(entry.changes) - len(shown) + getattr(entry, "more", 0)
        if more:
            grid.add_row("", "", Text(f"  … and {more} more", style="dim"))
    _emit(console, grid)
