"""The review table: the reviews of done topics, read for the queue and written by `reviewed`.

The reads take an item's kind and id (None: every done topic) and narrow the
queries of `store.queries` to it, so the review queue, `status` and `show` count
and list a 100,000-topic program in a few plain queries. Dates are passed to
the reads as ISO text: a read on SQLite runs through sqlite3 alone, which keeps
dates as text and has no adapter of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from coursetrack.store import queries, uids

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer


def _scope(kind: str | None, scope_id: int | None) -> tuple[str, dict]:
    """The SQL fragment and parameters that keep the topics under an item (None: all)."""
    if kind is None:
        return queries.REVIEW_SCOPES[None], {}
    return queries.REVIEW_SCOPES[kind], {"scope_id": scope_id}


def reviews_of_topic(reader: Reader, topic_id: int) -> list[Row]:
    """A topic's reviews (reviewed_on, grade, interval_days, due_on), oldest first."""
    return reader.all(queries.REVIEWS_OF_TOPIC, topic_id=topic_id)


def done_topics(reader: Reader, kind: str | None, scope_id: int | None = None) -> list[Row]:
    """The done topics under an item (None: all), in course order, with their places."""
    scope, params = _scope(kind, scope_id)
    return reader.all(queries.DONE_TOPICS.format(scope=scope), **params)


def done_topic_reviews(reader: Reader, kind: str | None, scope_id: int | None = None) -> list[Row]:
    """The reviews of the done topics under an item (None: all), oldest first."""
    scope, params = _scope(kind, scope_id)
    return reader.all(queries.DONE_TOPIC_REVIEWS.format(scope=scope), **params)


def due_count(
    reader: Reader, kind: str | None, scope_id: int | None, *, today: dt.date, first_rung: int
) -> int:
    """How many done topics under an item are due on `today` (see `queries.DUE_COUNT`):
    one without a review since its completion is due `first_rung` days after it."""
    scope, params = _scope(kind, scope_id)
    completed_by = today - dt.timedelta(days=first_rung)
    return reader.scalar(
        queries.DUE_COUNT.format(scope=scope),
        **params,
        today=today.isoformat(),
        completed_by=completed_by.isoformat(),
    )


def add_reviews(writer: Writer, reviews: Iterable[Mapping[str, Any]]) -> None:
    """Record reviews of topics, each with when its next one is due, in the order given:
    one statement for them all (`reviewed` of a whole course may record hundreds).

    Each mapping holds topic_id, reviewed_on, grade, interval_days and due_on.
    """
    writer.executemany(
        "INSERT INTO review (topic_id, reviewed_on, grade, interval_days, due_on, uid) "
        "VALUES (:topic_id, :reviewed_on, :grade, :interval_days, :due_on, :uid)",
        ({**review, "uid": uids.record_uid(writer)} for review in reviews),
    )
