"""`coursetrack next|goal|plan`: what to study next, and whether you will finish on time."""

from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import reading, writing


def next_(
    ctx: typer.Context,
    spec: options.OptionalSpec = None,
    limit: options.Limit = 5,
    json: options.Json = False,
) -> None:
    """List the next open topics: the program you studied most recently first, then the
    ones you started, then course order.

    A topic is a unit; so is a course without topics. Done units are skipped.

    Examples:

      coursetrack next              # across every specialization

      coursetrack next dls --limit 3

      coursetrack next dls/cnn --json
    """
    from coursetrack import render
    from coursetrack.services.next import next_units

    with reading(ctx) as reader:
        result = next_units(reader, ref=spec, limit=limit)
    if json:
        render.print_json(result)
    else:
        render.next_table(result)


def goal(
    ctx: typer.Context,
    spec: options.Spec,
    by: options.By = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the goal.")] = False,
    json: options.Json = False,
) -> None:
    """Set, show or clear the date by which you mean to finish a specialization.

    `coursetrack plan` then tells you the pace that needs and whether you are on track.

    Examples:

      coursetrack goal dls --by 2026-06-30

      coursetrack goal dls            # show it

      coursetrack goal dls --clear
    """
    from coursetrack import render
    from coursetrack.dates import parse_date, today
    from coursetrack.services import goals

    if by is not None and clear:
        raise typer.BadParameter("give --by DATE or --clear, not both", param_hint="--by")
    if by is not None:
        when = parse_date(by, option="--by", past=False)
        with writing(ctx) as writer:
            state = goals.set_goal(writer, ref=spec, by=when, today=today())
        assert state.target_on is not None  # set_goal sets it
        message = f"goal for {state.ref}: finish by {state.target_on.isoformat()}"
        if state.previous_on == state.target_on:
            message += " already; nothing to do"
        elif state.previous_on:
            message += f" (was {state.previous_on.isoformat()})"
    elif clear:
        with writing(ctx) as writer:
            state = goals.clear_goal(writer, ref=spec)
        if state.previous_on:
            message = f"cleared the goal for {state.ref} (was {state.previous_on.isoformat()})"
        else:
            message = f"{state.ref} had no goal; nothing to clear"
    else:
        with reading(ctx) as reader:
            state = goals.goal_of(reader, ref=spec)
        if state.target_on:
            message = f"goal for {state.ref}: finish by {state.target_on.isoformat()}"
        else:
            message = (
                f"{state.ref} has no goal; set one with 'coursetrack goal {state.ref} --by DATE'"
            )
    if json:
        render.print_json(state)
    else:
        render.success(message)


def plan(ctx: typer.Context, spec: options.Spec, json: options.Json = False) -> None:
    """Show units left, your pace, the projected finish, and how it compares with your goal.

    Your pace is the units you completed in the last 4 weeks (28 days ending today)
    divided by 4; if you began less than 28 days ago, the units done since your first
    activity x 7 / the days from then to today, both counted (under 7 days of history:
    an early estimate). The projected
    finish is today + units left x those days / units done in them, rounded up to whole
    days. The pace needed is units left x 7 / days until the goal. Days ahead = goal -
    projected finish (negative: behind). With nothing done in the window there is no
    pace, and plan says so rather than guess.

    Examples:

      coursetrack plan dls

      coursetrack plan dls --json
    """
    from coursetrack import render
    from coursetrack.dates import today
    from coursetrack.services.pace import plan as make_plan

    with reading(ctx) as reader:
        result = make_plan(reader, ref=spec, today=today())
    if json:
        render.print_json(result)
    else:
        render.plan_view(result)
