"""Everything the terminal sees: messages, JSON, fitted tables and one module per view.

Callers write `from coursetrack import render` and `render.notice(...)`,
`render.overview_table(...)`, whatever module a name lives in. The console
(`render.console`: messages, JSON, the width) is loaded with the package, as
every command that prints needs it; a view and the table machinery it draws
with load on first use of its name (module `__getattr__`), so a write that
prints one line does not pay for Rich's tables, and `status` does not load the
group's views.

The modules:
  console   the console, width, messages, errors, JSON, the door user text goes through
  cells     a status in its colour, a date, a percent, a bar, counts of units and days
  tables    tables fitted to the width, printing without trailing spaces
  layout    lines outside tables: a heading that keeps its figures, label/value fields,
            wrapping, hints that never break inside a command
  overview  `status`, of everything, a specialization, a course, a topic
  items     `show`, `note list`, `link list`
  catalogs  `catalogs`
  log       `log`
  planning  `next`, `plan`
  review    `review`
  chart     `chart` in the terminal (the burn-up)
  group     `group status`
  peer      `peer list`, `peer show`
  tracker   the progress bar of long work (`render.progress`)

A name with a leading underscore is the package's own, shared between its
modules, not for callers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from coursetrack.render.console import (
    PIPE_WIDTH,
    aside,
    error,
    lines,
    notice,
    print_json,
    safe,
    stderr,
    stdout,
    success,
    to_data,
    width,
)

if TYPE_CHECKING:  # what the lazy names below are, for the type checker
    from coursetrack.render.catalogs import catalogs_table
    from coursetrack.render.cells import BAR_WIDTH, STATUS_STYLE, bar
    from coursetrack.render.chart import GOAL_MARK, burnup_chart
    from coursetrack.render.group import group_course_table, group_table
    from coursetrack.render.items import details_view, links_table, notes_table
    from coursetrack.render.log import LOG_CHANGES_SHOWN, LOG_VALUE_CHARS, history
    from coursetrack.render.overview import item_table, overview_table, report_table
    from coursetrack.render.peer import peer_table, peer_view
    from coursetrack.render.planning import next_table, plan_view
    from coursetrack.render.review import queue_table
    from coursetrack.render.tables import GAP, TITLE_MIN, Column, FittedTable, fitted_table
    from coursetrack.render.tracker import (
        PROGRESS_AFTER,
        PROGRESS_AFTER_ENV,
        Tracker,
        progress,
    )

#: Each name loaded on first use, and the module that holds it.
_LAZY = {
    "catalogs_table": "catalogs",
    "BAR_WIDTH": "cells",
    "STATUS_STYLE": "cells",
    "bar": "cells",
    "GOAL_MARK": "chart",
    "burnup_chart": "chart",
    "group_course_table": "group",
    "group_table": "group",
    "details_view": "items",
    "links_table": "items",
    "notes_table": "items",
    "LOG_CHANGES_SHOWN": "log",
    "LOG_VALUE_CHARS": "log",
    "history": "log",
    "item_table": "overview",
    "overview_table": "overview",
    "report_table": "overview",
    "peer_table": "peer",
    "peer_view": "peer",
    "next_table": "planning",
    "plan_view": "planning",
    "queue_table": "review",
    "GAP": "tables",
    "TITLE_MIN": "tables",
    "Column": "tables",
    "FittedTable": "tables",
    "fitted_table": "tables",
    "PROGRESS_AFTER": "tracker",
    "PROGRESS_AFTER_ENV": "tracker",
    "Tracker": "tracker",
    "progress": "tracker",
}

__all__ = [
    "BAR_WIDTH",
    "GAP",
    "GOAL_MARK",
    "LOG_CHANGES_SHOWN",
    "LOG_VALUE_CHARS",
    "PIPE_WIDTH",
    "PROGRESS_AFTER",
    "PROGRESS_AFTER_ENV",
    "STATUS_STYLE",
    "TITLE_MIN",
    "Column",
    "FittedTable",
    "Tracker",
    "aside",
    "bar",
    "burnup_chart",
    "catalogs_table",
    "details_view",
    "error",
    "fitted_table",
    "group_course_table",
    "group_table",
    "history",
    "item_table",
    "lines",
    "links_table",
    "next_table",
    "notes_table",
    "notice",
    "overview_table",
    "peer_table",
    "peer_view",
    "plan_view",
    "print_json",
    "progress",
    "queue_table",
    "report_table",
    "safe",
    "stderr",
    "stdout",
    "success",
    "to_data",
    "width",
]


if not TYPE_CHECKING:  # hidden from the type checker, which then flags a name not above

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value  # once: later uses are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(_LAZY))
