"""`coursetrack review|reviewed`: bringing back what you finished, at growing intervals."""

import typer

from coursetrack.cli import options
from coursetrack.cli.context import reading, writing


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

    with reading(ctx) as reader:
        queue = review_queue(reader, ref=spec, today=today())
    if json:
        render.print_json(queue)
    else:
        render.queue_table(queue)


def reviewed(
    ctx: typer.Context,
    refs: options.Refs,
    grade: options.Grade,
    on: options.On = None,
    json: options.Json = False,
) -> None:
    """Record that you reviewed finished topics, and schedule their next reviews.

    Intervals climb a ladder of 1, 3, 7, 21, 60 and 180 days: good moves one rung
    up, easy two, hard stays on the same rung, again goes back to 1 day. The next
    review is due that many days after this one. A review before the topic is due
    is recorded, but good and easy keep the interval it has. A course or
    specialization reviews each of its topics that is due.

    Examples:

      coursetrack reviewed dls/1/2 --grade good

      coursetrack reviewed dls/1 --grade good        # every due topic of the course

      coursetrack reviewed dls/neural-networks/basics dls/2/1 --grade hard --on yesterday
    """
    from coursetrack import render
    from coursetrack.dates import parse_date, today
    from coursetrack.services.review import KEPT_WHEN_EARLY, record_reviews

    when = parse_date(on, future=False) if on is not None else None  # None: today, or later
    with writing(ctx) as writer:
        result = record_reviews(writer, refs=refs, grade=grade.value, on=when)
    if json:
        render.print_json(result)
        return
    lines = []
    for review in result.reviews:
        head = f"reviewed {review.ref} ({review.grade}): "
        if review.early and review.grade in KEPT_WHEN_EARLY:
            lines.append(
                f"{head}not due until {review.was_due_on.isoformat()}; kept at "
                f"{_days(review.interval_days)}, next review on {review.due_on.isoformat()}"
            )
        else:
            lines.append(
                f"{head}next review in {_days(review.interval_days)}, "
                f"on {review.due_on.isoformat()}"
            )
    for idle in result.nothing_due:
        if idle.next_due_on is None:
            lines.append(f"nothing to review in {idle.ref}: none of its topics is done yet")
        else:
            lines.append(
                f"nothing due for review in {idle.ref} on {(when or today()).isoformat()}; "
                f"next on {idle.next_due_on.isoformat()}"
            )
    render.lines(lines)


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"
