"""`coursetrack catalogs`: the catalogs that ship, ready to import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import RenderableType

from coursetrack.render.console import _text, stdout
from coursetrack.render.tables import Column, _emit, fitted_table


def catalogs_table(rows: Sequence[Mapping[str, object]]) -> None:
    """`coursetrack catalogs`: what ships, ready to import."""
    console = stdout()
    columns = [
        Column("Name"),
        Column("Slug"),
        Column("Title", title=True),
        Column("Courses", justify="right", drop=1),
        Column("Topics", justify="right", drop=2),
    ]
    cells: list[list[RenderableType]] = [
        [_text(str(row[c])) for c in ("name", "slug", "title", "courses", "topics")] for row in rows
    ]
    _emit(console, fitted_table(columns, cells, width=console.width))
