"""`coursetrack review|reviewed`: bringing back what you finished, at growing intervals."""

import typer

from coursetrack.cli import options
from coursetrack.cli.context import open_store, writing


def review(
    ctx: typer.Context, spec: options.OptionalSpec = None, json: options.Json = False
) -> None:
    """List the finished topics due for review today, oldest due first.

    A topic enters the queue when you mark it done; its first review is due the next
    day. Record each review with 'coursetrack reviewed REF --grade ...'.

    Examples:

      coursetrack review

      coursetrack review dls --json
    """
    from coursetrack import render
    from coursetrack.dates import today
    from coursetrack.services.review import review_queue

    with open_store(ctx, write=False).read() as session:
        queue = review_queue(session, ref=spec, today=today())
    if json:
        render.print_json(queue)
    else:
        render.queue_table(queue)


def reviewed(
    ctx: typer.Context,
    ref: options.Ref,
    grade: options.Grade,
    on: options.On = None,
    json: options.Json = False,
) -> None:
    """Record that you reviewed a finished topic, and schedule its next review.

    Intervals climb a ladder of 1, 3, 7, 21, 60 and 180 days: good moves one rung
    up, easy two, hard stays on the same rung, again goes back to 1 day. The next
    review is due that many days after this one.

    Examples:

      coursetrack reviewed dls/1/2 --grade good

      coursetrack reviewed dls/neural-networks/basics --grade again --on yesterday
    """
    from coursetrack import render
    from coursetrack.dates import parse_date
    from coursetrack.services.review import record_review

    when = parse_date(on, future=False) if on is not None else None  # None: today, or later
    with writing(ctx) as session:
        result = record_review(session, ref=ref, grade=grade.value, on=when)
    if json:
        render.print_json(result)
    else:
        days = "1 day" if result.interval_days == 1 else f"{result.interval_days} days"
        render.success(
            f"reviewed {result.ref} ({result.grade}): next review in {days}, "
            f"on {result.due_on.isoformat()}"
        )
