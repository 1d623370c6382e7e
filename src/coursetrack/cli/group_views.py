"""`coursetrack group status`: the group's view (registered on the `group` sub-app)."""

from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import reading

GroupRef = Annotated[
    str,
    typer.Argument(
        metavar="SPEC[/COURSE]",
        help="A specialization (one row per learner) or a course (who is on which topic).",
        show_default=False,
        autocompletion=options.complete_course,
    ),
]


def status(ctx: typer.Context, ref: GroupRef, json: options.Json = False) -> None:
    """Show where every learner of the group stands, most done first.

    For a specialization: units done, a bar, %, last activity, weeks of streak
    and the outlook against each learner's goal (as plan gives it). For a
    course: the topic each learner is on, and who is stuck (started, not
    finished, nothing recorded in it for 14 days).

    Examples:

      coursetrack group status dls

      coursetrack group status dls/2

      coursetrack group status dls --json
    """
    from coursetrack import dates, render
    from coursetrack.cli.group import _postgres_only
    from coursetrack.services.group import GroupStatus, group_status

    _postgres_only(ctx)
    with reading(ctx) as reader:
        result = group_status(reader, ref=ref, today=dates.today())
    if json:
        render.print_json(result)
    elif isinstance(result, GroupStatus):
        render.group_table(result)
    else:
        render.group_course_table(result)
