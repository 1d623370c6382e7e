"""`coursetrack review`: the topics due for review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from coursetrack.render.cells import _date
from coursetrack.render.console import _text, safe, stdout
from coursetrack.render.layout import _hint, _one_line, _print_lines
from coursetrack.render.tables import Column, _emit, fitted_table
from coursetrack.vocabulary import Grade

if TYPE_CHECKING:  # the views' types, free at start-up
    from coursetrack.services.review import Queue


def queue_table(queue: Queue) -> None:
    """`coursetrack review`: topics due for review, oldest due first."""
    console = stdout()
    where = f" in {safe(queue.scope)}" if queue.scope else ""
    if not queue.due:
        if queue.next_due_on:
            _emit(
                console,
                Text(
                    f"Nothing due for review{where} today ({_date(queue.today)}); "
                    f"next on {_date(queue.next_due_on)}."
                ),
            )
        else:
            _emit(
                console,
                Text(
                    f"Nothing to review{where} yet: topics join the queue when you mark them done."
                ),
            )
        return
    count = "1 topic" if len(queue.due) == 1 else f"{len(queue.due)} topics"
    heading = Text(f"Due for review{where} on {_date(queue.today)}: {count}", "bold")
    columns = [
        Column("Ref", style="cyan"),
        Column("Topic", title=True),
        Column("Due", drop=1),
        Column("Last review", drop=2),
    ]
    rows: list[list[RenderableType]] = []
    for item in queue.due:
        last = (
            f"{item.last_grade}, {_date(item.last_reviewed_on)}"
            if item.last_reviewed_on
            else f"done {_date(item.completed_on)}"
        )
        rows.append([_text(item.short_ref), _text(item.title), _date(item.due_on), last])
    room = console.width
    _emit(console, _one_line(heading, room), fitted_table(columns, rows, width=room))
    command = f"coursetrack reviewed REF --grade {'|'.join(Grade)}"
    _print_lines(console, _hint(f"Record each with: {command}", room, "dim", commands=[command]))
