"""What every command needs from the root: which store, opened how."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    # the context click makes, which every command's is: `typer.Context` (a subclass) only
    # marks a command's parameter; Typer ships click as typer._click, with no other name
    from typer._click.core import Context as ClickContext

    from coursetrack.store import Store
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer


class Settings:
    """The root's options for every command below it (a plain class: see `lazy.Summary`)."""

    def __init__(self, db: str | None = None, argv: list[str] | None = None) -> None:
        self.db = db
        self.argv: list[str] = argv if argv is not None else []


def settings(ctx: ClickContext) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


#: Whether `main` turned the garbage collector off for the start-up (see `collect_after_start`).
_collection_deferred = False


def collect_after_start() -> None:
    """No garbage collection until the command has loaded what it needs (`started`).

    Start-up makes some 200,000 objects that live as long as the process
    (modules, classes, the models' schemas and mappers), and the collector
    scans them again and again while they are made: about 20 ms of a write.
    `started` then freezes them out of every later collection and turns it
    back on, so a long command (a done of 100,000 topics) collects as usual.
    Only the console script asks for this; a library or a test does not.
    """
    global _collection_deferred
    if gc.isenabled():
        gc.disable()
        _collection_deferred = True


def started() -> None:
    """The command's modules and its store are loaded: collect as usual from here."""
    global _collection_deferred
    if _collection_deferred:
        _collection_deferred = False
        gc.freeze()
        gc.enable()


def open_store(ctx: typer.Context, *, write: bool, learner: bool = True) -> Store:
    """The store named by --db / COURSETRACK_DB, imported here so --help stays fast.

    `learner=False` only for what a learner's record is not about (`group init`,
    `whoami`): see `store.open_store`.
    """
    from coursetrack import render
    from coursetrack import store as db

    store = db.open_store(settings(ctx).db, write=write, notify=render.notice, learner=learner)
    started()
    store.notify = render.notice  # a write that waits for another says so
    ctx.find_root().call_on_close(store.close)
    return store


@contextmanager
def reading(ctx: typer.Context) -> Iterator[Reader]:
    """One read snapshot of the store, through sqlite3 alone when it can (see `store.reader`).

    What read-only commands use: on an up-to-date SQLite file they import no
    SQLAlchemy, SQLModel or pydantic, which is most of their start-up time.
    """
    from coursetrack import render
    from coursetrack.store.reader import open_reader

    with open_reader(settings(ctx).db, notify=render.notice) as reader:
        started()
        yield reader


def command_line(ctx: typer.Context) -> str:
    """The command as the user typed it, less the global --db (a path is not history)."""
    words: list[str] = []
    skip = False
    for word in settings(ctx).argv:
        if skip:
            skip = False
        elif word == "--db":
            skip = True
        elif not word.startswith("--db="):
            words.append(word)
    import shlex  # a write's alone

    return shlex.join(words) or ctx.command_path


@contextmanager
def writing(ctx: typer.Context) -> Iterator[Writer]:
    """One write transaction on the store, recorded in its history as this command."""
    with open_store(ctx, write=True).write(command_line(ctx)) as writer:
        yield writer


def confirm(question: str, *, refusal: str, declined: str) -> None:
    """Ask `question` on the terminal; return only on yes.

    Without a terminal on stdin (a pipe, a script, stdin closed) nothing is
    asked: the command refuses with `refusal` and the hint to pass --yes, as a
    script must say what it means. A "no", Ctrl-C or end of input prints
    `declined` and exits 1, having changed nothing.
    """
    import sys

    from coursetrack import render
    from coursetrack.errors import Refused

    stdin = sys.stdin
    if stdin is None or stdin.closed or not stdin.isatty():
        raise Refused(f"{refusal}; run again with --yes to go ahead without a question")
    try:
        answer = typer.confirm(question)
    except typer.Abort:  # end of input or Ctrl-C: not a yes
        typer.echo("", err=True)
        answer = False
    if not answer:
        render.notice(declined)
        raise typer.Exit(1)
