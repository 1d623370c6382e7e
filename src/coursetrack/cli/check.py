"""`coursetrack check`: is the store whole, and is it what this coursetrack makes?"""

import typer

from coursetrack.cli import options
from coursetrack.cli.context import open_store


def check(ctx: typer.Context, json: options.Json = False) -> None:
    """Verify the store: print what is wrong (exit 1), or one line that all holds.

    The schema's version; the store's integrity (SQLite's integrity_check, CHECK
    constraints included; on PostgreSQL, constraints added NOT VALID and
    disabled triggers); every foreign key; the history triggers. On a study
    group, every role, grant, policy, guard and function the group needs, as
    this coursetrack's `group init` makes them, and its security's version.
    It repairs nothing: `coursetrack group init`, run by the group's owner,
    applies the group's security again.

    Examples:

      coursetrack check

      coursetrack --db postgresql://owner@db.example/cohort check

      coursetrack check --json      # ok, problems (check, detail), store
    """
    from coursetrack import render
    from coursetrack.services.check import check_store

    report = check_store(open_store(ctx, write=False, learner=False))
    if json:
        render.print_json(report)
    elif report.ok:
        render.success(f"all holds: {', '.join(report.checks)}")
    else:
        count = len(report.problems)
        render.lines(
            [
                *(f"{problem.check}: {problem.detail}" for problem in report.problems),
                f"{count} problem{'s' if count != 1 else ''} in {report.store}",
            ]
        )
    if not report.ok:
        raise typer.Exit(1)
