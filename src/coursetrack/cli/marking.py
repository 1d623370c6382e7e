"""`coursetrack start|done|reopen`: recording what you did."""

import typer

from coursetrack.cli import options
from coursetrack.cli.context import writing


def _when(on: str | None):
    from coursetrack.dates import parse_date, today

    return parse_date(on, future=False) if on is not None else today()


def _report(changes: list, json: bool, finished: list | None = None) -> None:
    from coursetrack import render

    if json:
        data = {"changes": [render.to_data(c) for c in changes]}
        if finished is not None:  # done's: the specializations it finished
            data["finished"] = [render.to_data(f) for f in finished]
        render.print_json(data)
        return
    messages = []
    for change in changes:
        if change.changed == 0 and change.unchanged and change.action.startswith("already"):
            messages.append(f"{change.ref}: {change.action} ({change.title})")
        elif change.changed == 0:
            messages.append(
                f"{change.ref}: nothing to do, {change.action} already ({change.title})"
            )
        else:
            units = "" if change.changed == 1 else f" ({change.changed} units)"
            messages.append(f"{change.action} {change.ref}{units}: {change.title}")
    for spec in finished or []:
        messages.append(
            f"congratulations: you finished {spec.title} ({spec.ref}), all {spec.units} units!"
        )
        messages.append(f"next: write the post with coursetrack export markdown {spec.ref}")
    render.lines(messages)


def start(
    ctx: typer.Context, refs: options.Refs, on: options.On = None, json: options.Json = False
) -> None:
    """Mark items as started.

    Examples:

      coursetrack start dls/1/1

      coursetrack start dls/cnn --on 2026-03-01
    """
    from coursetrack.services.marking import start_items

    when = _when(on)
    with writing(ctx) as writer:
        changes = start_items(writer, refs=refs, on=when)
    _report(changes, json)


def done(
    ctx: typer.Context,
    refs: options.Refs,
    on: options.On = None,
    note: options.Note = None,
    json: options.Json = False,
) -> None:
    """Mark items done. A course or specialization marks all its open topics done.

    Examples:

      coursetrack done dls/1/1

      coursetrack done dls/1 --on 2026-03-14 --note "loved the backprop derivation"

      coursetrack done dls/neural/basics dls/neural/shallow
    """
    from coursetrack.services.marking import finished_by, mark_done

    when = _when(on) if on is not None else None  # None: today, never before the start
    with writing(ctx) as writer:
        changes = mark_done(writer, refs=refs, on=when, note=note)
        finished = finished_by(writer, changes)
    _report(changes, json, finished)


def reopen(ctx: typer.Context, refs: options.Refs, json: options.Json = False) -> None:
    """Mark done items as not done again (a course or specialization: all its topics).

    Example:

      coursetrack reopen dls/1/2
    """
    from coursetrack.services.marking import reopen_items

    with writing(ctx) as writer:
        changes = reopen_items(writer, refs=refs)
    _report(changes, json)
