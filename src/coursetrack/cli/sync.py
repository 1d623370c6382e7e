"""`coursetrack sync`: exchange this SQLite store's commands with a PostgreSQL hub."""

from pathlib import Path
from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import open_store

#: What `sync` says with no URL on a store that never synced.
NO_HUB = "this store syncs with no hub yet; name one: coursetrack sync postgresql://HOST/DATABASE"


def sync(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Argument(
            metavar="URL",
            show_default=False,
            help="The hub: a PostgreSQL URL (default: the one this store synced with).",
        ),
    ] = None,
    new_replica: Annotated[
        bool,
        typer.Option(
            "--new-replica",
            help="Give this store a new replica id first (a copy of another store's file).",
        ),
    ] = False,
    json: options.Json = False,
) -> None:
    """Sync this store with a PostgreSQL hub: pull what other machines did, push yours.

    `sync URL` records the hub (without its password: libpq's ~/.pgpass or
    PGPASSWORD supply it) and syncs; `sync` syncs again with it. Work offline
    as usual, and sync when you can. Changes made on two machines merge item by
    item and field by field; the same field changed on both keeps the change
    made later (by the machines' clocks). A command the merged record would
    refuse (a review of a topic reopened elsewhere) is set aside, on every
    machine alike: sync lists it, log marks it, and running it again brings it.

    Examples:

      coursetrack sync postgresql://me@db.example.org/coursetrack

      coursetrack sync

      coursetrack sync --json
    """
    from coursetrack import paths, render
    from coursetrack.cli.context import settings
    from coursetrack.errors import InputError
    from coursetrack.services.sync import check_hub_url
    from coursetrack.services.sync import sync as run

    check_hub_url(url)
    target = paths.resolve_db(settings(ctx).db)
    if paths.is_url(target):
        raise InputError(
            "sync runs on a SQLite store (this machine's replica), not on a URL; "
            "name the store file with --db, and the hub as sync's URL"
        )
    if url is None and not Path(target).expanduser().exists():
        raise InputError(NO_HUB)
    store = open_store(ctx, write=True)
    if store.path is None:
        raise InputError(f"sync runs on a SQLite store file; {store.target} is not one")
    with render.progress("syncing", enabled=not json) as tracker:
        synced = run(
            store.path,
            store.target,
            url=url,
            new_replica=new_replica,
            notify=render.notice,
            progress=tracker,
        )
    if synced.clock_warning:
        render.notice(
            f"this machine's clock is {_offset(synced.clock_offset_seconds)} the hub's: "
            "concurrent changes are decided by the clocks; set it right"
        )
    if json:
        render.print_json(synced.to_dict())
        return
    lines = [f"pulled {_commands(synced.pulled)}, pushed {synced.pushed}"]
    if synced.set_aside:
        lines.append(f"{len(synced.set_aside)} set aside:")
        lines += [f"  #{s.command} {s.line}: {s.why}" for s in synced.set_aside]
    # each with its line: a set-aside command above may hold the number one of these had
    lines += [f"#{old} is now #{new}: {line}" for old, new, line in synced.renumbered]
    render.lines(lines)


def _commands(count: int) -> str:
    return "1 command" if count == 1 else f"{count} commands"


def _offset(seconds: float) -> str:
    """How far the clocks are apart, in the unit that reads best."""
    size = abs(seconds)
    if size >= 2 * 86400:
        amount = f"{size / 86400:.0f} days"
    elif size >= 2 * 3600:
        amount = f"{size / 3600:.0f} hours"
    else:
        amount = f"{size / 60:.0f} min"
    return f"{amount} {'ahead of' if seconds > 0 else 'behind'}"
