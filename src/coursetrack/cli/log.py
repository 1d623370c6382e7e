"""`coursetrack log`: the history of changes, newest first (`undo` reverts one: `cli.undo`)."""

from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import reading


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
    from coursetrack.services.log import log_entries

    since_date = parse_date(since, option="--since") if since is not None else None
    with reading(ctx) as reader:
        entries = log_entries(
            reader,
            ref=ref,
            since=since_date,
            limit=limit,
            detail=None if json else render.LOG_CHANGES_SHOWN,
        )
    if json:
        render.print_json({"commands": [e.to_dict() for e in entries]})
    else:
        render.history(entries)
