"""`coursetrack chart SPEC`: the burn-up, week by week, in the terminal."""

from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import reading

Weeks = Annotated[
    int | None,
    typer.Option(
        "--weeks",
        metavar="N",
        min=1,
        help="Show only the last N weeks. Default: every week since the first activity.",
        show_default=False,
    ),
]


def chart(
    ctx: typer.Context, spec: options.Spec, weeks: Weeks = None, json: options.Json = False
) -> None:
    """Draw a burn-up: units done each week, the running total and your goal line.

    Examples:

      coursetrack chart dls              # every week since you started

      coursetrack chart dls --weeks 8    # the last eight weeks

      coursetrack chart dls --json       # the weekly series for scripts
    """
    from coursetrack import dates, render
    from coursetrack.services.chart import burnup

    with reading(ctx) as reader:  # sqlite3 alone on SQLite: no SQLAlchemy to import
        series = burnup(reader, ref=spec, today=dates.today(), weeks=weeks)
    if json:
        render.print_json(series)
    else:
        render.burnup_chart(series)
