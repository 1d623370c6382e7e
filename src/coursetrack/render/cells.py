"""What the views put in a cell: a status in its colour, a date, a percent, a bar, counts."""

from __future__ import annotations

import datetime as dt
import sys

from rich.text import Text

from coursetrack.render.console import _utf8
from coursetrack.vocabulary import Status

STATUS_STYLE: dict[str, str] = {
    Status.DONE: "green",
    Status.IN_PROGRESS: "yellow",
    Status.TODO: "dim",
}
BAR_WIDTH = 10


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
    from coursetrack.services.overview import whole_percent

    return f"{whole_percent(value)}%"


def _units(count: int) -> str:
    return "1 unit" if count == 1 else f"{count} units"


def _days(count: int) -> str:
    return "1 day" if abs(count) == 1 else f"{abs(count):,} days"
