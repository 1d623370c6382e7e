"""`coursetrack show REF`: everything about one item."""

import typer

from coursetrack.cli import options
from coursetrack.cli.context import reading


def show(ctx: typer.Context, ref: options.Ref, json: options.Json = False) -> None:
    """Print everything about one item: description, status, dates, notes, links, review.

    Examples:

      coursetrack show dls/1/2

      coursetrack show dls --json
    """
    from coursetrack import render
    from coursetrack.dates import today
    from coursetrack.services.show import show_item

    with reading(ctx) as reader:
        details = show_item(reader, ref=ref, today=today())
    if json:
        render.print_json(details)
    else:
        render.details_view(details)
