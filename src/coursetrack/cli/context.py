"""What every command needs from the root: which store, opened how."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from coursetrack.db import Store


@dataclass
class Settings:
    db: str | None = None


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def open_store(ctx: typer.Context, *, write: bool) -> Store:
    """The store named by --db / COURSETRACK_DB, imported here so --help stays fast."""
    from coursetrack import db, render

    return db.open_store(settings(ctx).db, write=write, notify=render.notice)
