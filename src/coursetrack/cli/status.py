"""`coursetrack status`: where you stand."""

import typer

from coursetrack.cli import options
from coursetrack.cli.context import reading


def status(ctx: typer.Context, ref: options.OptionalRef = None, json: options.Json = False) -> None:
    """Show progress as tables with bars: every specialization, one's courses, or a course's topics.

    Examples:

      coursetrack status            # one row per specialization

      coursetrack status dls        # the courses of dls, in order

      coursetrack status dls/2      # the topics of its second course

      coursetrack status --json     # the same data for scripts
    """
    from coursetrack import render
    from coursetrack.services.overview import ItemProgress, Overview, status_of

    with reading(ctx) as reader:
        result = status_of(reader, ref)
        if isinstance(result, ItemProgress):
            from coursetrack.refs import read_target

            target = read_target(reader, ref or "")
            canonical, short = target.ref, target.short_ref
    if json:
        render.print_json(result)
    elif isinstance(result, Overview):
        render.overview_table(result)
    elif isinstance(result, ItemProgress):
        render.item_table(result, canonical, short)
    else:
        render.report_table(result)
