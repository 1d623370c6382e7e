"""`coursetrack catalogs`: the catalogs that ship, ready to import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import RenderableType

from coursetrack.render.console import _text, stdout
from coursetrack.render.tables import Column, _emit, fitted_table


def catalogs_table(rows: Sequence[Mapping[str, object]]) -> None:
    """`coursetrack catalogs`: what ships, ready to import.

    On a narrow terminal the file name goes first (the slug, shorter, imports it
    as well), then the provider, then the sizes, before a title is cut."""
    console = stdout()
    columns = [
        Column("Name", drop=4),
        Column("Slug"),
        Column("Title", title=True),
        Column("Provider", drop=3),
        Column("Courses", justify="right", drop=1),
        Column("Topics", justify="right", drop=2),
    ]
    names = ("name", "slug", "title", "provider", "courses", "topics")
    cells: list[list[RenderableType]] = [
        [_text("" if row[c] is None else str(row[c])) for c in names] for row in rows
    ]
    _emit(console, fitted_table(columns, cells, width=console.width))
