"""`coursetrack log` and `coursetrack undo`: the history of changes."""

from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import open_store, writing


def log(
    ctx: typer.Context,
    ref: options.OptionalRef = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only commands on or after this date."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="At most this many commands.")
    ] = None,
    json: options.Json = False,
) -> None:
    """List the changes made to the store, newest first.

    Examples:

      coursetrack log -n 5

      coursetrack log dls/2 --since "7 days ago"
    """
    from coursetrack import render
    from coursetrack.dates import parse_date
    from coursetrack.services.history import log_entries

    since_date = parse_date(since, option="--since") if since is not None else None
    with open_store(ctx, write=False).read() as session:
        entries = log_entries(session, ref=ref, since=since_date, limit=limit)
    if json:
        render.print_json({"commands": [e.to_dict() for e in entries]})
    else:
        render.history(entries)


def undo(ctx: typer.Context, json: options.Json = False) -> None:
    """Revert the last command's changes; run it again to go further back.

    Examples:

      coursetrack undo

      coursetrack log -n 3 && coursetrack undo && coursetrack undo
    """
    from coursetrack import render
    from coursetrack.services.history import undo_last

    with writing(ctx) as session:
        undone = undo_last(session)
    if json:
        render.print_json({"undone": undone.command.to_dict(), "reverted": undone.reverted})
        return
    entry = undone.command
    when = entry.at.strftime("%Y-%m-%d %H:%M")
    if undone.reverted:
        noun = "change" if undone.reverted == 1 else "changes"
        render.success(f"undid #{entry.id} {entry.command} ({when}, {undone.reverted} {noun})")
    else:
        render.success(f"undid #{entry.id} {entry.command} ({when}; it had changed nothing)")
