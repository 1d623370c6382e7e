"""Peer review in SQL (issue 23): requests and reviews, written and read (`services.peer`).

A request (`peer_request`) is its author's, one per course or topic; a review
(`peer_review`) is its reviewer's, one per request. Every statement runs on both
engines and both readers (sqlite3, psycopg2), though only a study group's store
has peers: the commands refuse any other before reading.

Who reviewed is never read by a learner. In a study group a learner may not
SELECT `peer_review.learner` at all (column privileges, `store.group`): not in a
select list, a WHERE or an ORDER BY. So every statement here names its columns,
and the reader says whether it may read names (`names`: a curator, or SQLite's
one learner). Without names, which visible review is one's own is told by what
row-level security lets a learner see: the reviews of her own requests (none of
them hers: the store refuses a review of one's own request) and her own reviews
(`own_rows`). A visible review of someone else's request is therefore hers, and
a review of her own request never is (`_MINE_WITHOUT_NAMES`).

The author reads "reviewer 1", "reviewer 2", numbered in the order the reviews
were given (by id); a reviewer reads her own as "you"; a curator reads names.

A request of another learner is read in the group's scope (`group.read_group`):
the reads here that take `others` are run by the service after it asked for it.
How many reviews a request has is counted for every reader, though a learner may
not read the reviews of others' requests: on PostgreSQL by the group's function
`coursetrack_review_counts()` (`store.peer_counts`), which runs as the tables'
owner and gives counts alone; SQLite's one learner reads every review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from coursetrack.store import peer_counts
from coursetrack.vocabulary import Op

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: The column that hangs a request on its item, by the item's kind (a fixed name).
_OWNER = {"course": "course_id", "topic": "topic_id"}

#: How many reviews each request has (`request_id`, `reviews`), joined to the requests `q`
#: as `k`: the one place reviews are counted (see the module's docstring): in a study
#: group ("postgresql"), or where every review is readable ("sqlite", and PostgreSQL
#: not made a group's).
_REVIEW_COUNTS = {
    "postgresql": f"{peer_counts.COUNTS_FUNCTION}()",
    "sqlite": (
        "(SELECT r.request_id, count(r.id) AS reviews FROM peer_review r GROUP BY r.request_id)"
    ),
}

#: Requests with their item: its slugs, its title, the author, the reviews; `{more}`:
#: further columns, `{counts}`: the engine's `_REVIEW_COUNTS` (`_requests`).
_REQUEST_ROWS = """
SELECT q.id, q.url, q.asked_on, q.learner AS author,
       s.slug AS spec_slug, c.slug AS course_slug, t.slug AS topic_slug,
       coalesce(t.title, c.title) AS title, coalesce(k.reviews, 0) AS reviews{more}
FROM peer_request q
LEFT JOIN topic t ON t.id = q.topic_id
JOIN course c ON c.id = coalesce(q.course_id, t.course_id)
JOIN specialization s ON s.id = c.specialization_id
LEFT JOIN {counts} k ON k.request_id = q.id
"""

#: One request, with its note and its item's rubric (a topic's own, or a course's own:
#: a topic does not take its course's, as the store's rule reads it).
_ONE_MORE = ", q.note, CASE WHEN q.topic_id IS NULL THEN c.rubric ELSE t.rubric END AS rubric"


def _requests(reader: Reader, more: str = "") -> str:
    """`_REQUEST_ROWS` as the store counts reviews: through the group's function where
    there is one (a study group's store), else by reading them (every review is readable)."""
    counts = _REVIEW_COUNTS["sqlite"]
    if reader.dialect == "postgresql" and peer_counts.made(reader, peer_counts.COUNTS_FUNCTION):
        counts = _REVIEW_COUNTS["postgresql"]
    return _REQUEST_ROWS.format(more=more, counts=counts)


#: Whether the visible review `v` of the request `q` is the reader's, without reading
#: who gave it (see the module's docstring).
_MINE_WITHOUT_NAMES = "q.learner <> :me"
_MINE_BY_NAME = "v.learner = :me"

#: The narrowing of a listing to an item and what is under it, by the item's kind.
_UNDER = {
    None: "1 = 1",
    "specialization": "s.id = :item",
    "course": "c.id = :item",
    "topic": "t.id = :item",
}


# --- writes ---------------------------------------------------------------------------


def insert_request(
    writer: Writer, *, kind: str, item_id: int, url: str, note: str | None, asked_on: dt.date
) -> int:
    """Ask the group to review the learner's work on a course or topic; the request's id.
    The learner is the column's default (the role that logged in)."""
    owner = _OWNER[kind]
    return writer.insert(
        f"INSERT INTO peer_request ({owner}, url, note, asked_on) "
        "VALUES (:item, :url, :note, :asked_on) RETURNING id",
        item=item_id,
        url=url,
        note=note,
        asked_on=asked_on,
    )


def replace_request(writer: Writer, *, request_id: int, url: str, note: str | None) -> None:
    """Give a request a new link and note (asking again); its day and reviews stay."""
    writer.execute(
        "UPDATE peer_request SET url = :url, note = :note WHERE id = :id",
        url=url,
        note=note,
        id=request_id,
    )


def insert_review(
    writer: Writer,
    *,
    request_id: int,
    reviewed_on: dt.date,
    grade: str,
    scores: str | None,
    comment: str,
) -> int:
    """Review a request (the reviewer: the column's default); the review's id. The store
    refuses a review of one's own request, a second one, and scores that do not fit."""
    return writer.insert(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
        "VALUES (:request, :reviewed_on, :grade, :scores, :comment) RETURNING id",
        request=request_id,
        reviewed_on=reviewed_on,
        grade=grade,
        scores=scores,
        comment=comment,
    )


# --- reads ----------------------------------------------------------------------------


def own_request(reader: Reader, *, kind: str, item_id: int, me: str) -> Row | None:
    """The learner `me`'s request on the item, as `request` gives it, or None."""
    owner = _OWNER[kind]
    return reader.one(
        _requests(reader, _ONE_MORE) + f"WHERE q.{owner} = :item AND q.learner = :me",
        item=item_id,
        me=me,
    )


def request(reader: Reader, *, request_id: int) -> Row | None:
    """One request with its item (slugs, title, rubric), its author and how many reviews
    the reader sees of it; None if there is none the reader may read."""
    return reader.one(_requests(reader, _ONE_MORE) + "WHERE q.id = :id", id=request_id)


def reviewed_by(reader: Reader, *, request_id: int, me: str, names: bool) -> bool:
    """Whether `me` reviewed the request already (`names`: the reader may read who
    reviewed; see the module's docstring for the rule without)."""
    sql = f"SELECT count(*) FROM peer_request q WHERE q.id = :id AND {_reviewed(names)}"
    return bool(reader.scalar(sql, id=request_id, me=me))


def _reviewed(names: bool) -> str:
    """Whether the request `q` has a review by `:me`."""
    mine = _MINE_BY_NAME if names else _MINE_WITHOUT_NAMES
    return f"EXISTS (SELECT 1 FROM peer_review v WHERE v.request_id = q.id AND {mine})"


def to_review(
    reader: Reader, *, me: str, names: bool, kind: str | None = None, item_id: int | None = None
) -> list[Row]:
    """The requests of others `me` may review: not hers, not reviewed by her yet; fewest
    reviews first, then the oldest (asked_on, id). Narrowed to the item `kind`/`item_id`
    and what is under it (None: all). Each: id, url, asked_on, author, the item's slugs
    and title, reviews. Read in the group's scope, to see the others' requests."""
    where = f"WHERE q.learner <> :me AND NOT {_reviewed(names)} AND {_UNDER[kind]} "
    params: dict[str, Any] = {"me": me} if kind is None else {"me": me, "item": item_id}
    sql = _requests(reader) + where + "ORDER BY reviews, q.asked_on, q.id"
    return reader.all(sql, **params)


def own_requests(
    reader: Reader, *, me: str, kind: str | None = None, item_id: int | None = None
) -> list[Row]:
    """The learner `me`'s own requests with how many reviews each has, oldest first
    (narrowed as `to_review`)."""
    where = f"WHERE q.learner = :me AND {_UNDER[kind]} "
    params: dict[str, Any] = {"me": me} if kind is None else {"me": me, "item": item_id}
    return reader.all(_requests(reader) + where + "ORDER BY q.asked_on, q.id", **params)


#: The reviews of a request as the reader may read them, in the order given, each with
#: the name the reader may know its reviewer by (`{who}`).
_REVIEWS = """
SELECT v.id, v.grade, v.scores, v.comment, v.reviewed_on, {who} AS reviewer
FROM peer_review v JOIN peer_request q ON q.id = v.request_id
WHERE v.request_id = :id
ORDER BY v.id
"""

#: Who reviewed, told to a reader who may read names (a curator): "you" or the name.
_WHO_BY_NAME = "CASE WHEN v.learner = :me THEN 'you' ELSE v.learner END"
#: ... and to a learner: the author numbers them, a reviewer reads her own as "you".
_WHO_WITHOUT_NAMES = (
    "CASE WHEN q.learner = :me "
    "THEN 'reviewer ' || CAST(row_number() OVER (ORDER BY v.id) AS VARCHAR) ELSE 'you' END"
)


def reviews(reader: Reader, *, request_id: int, me: str, names: bool) -> list[Row]:
    """The request's reviews the reader may read, in the order given: id, grade, scores
    (JSON text or None), comment, reviewed_on, reviewer ("reviewer 1".., "you", or a
    name when `names`)."""
    sql = _REVIEWS.format(who=_WHO_BY_NAME if names else _WHO_WITHOUT_NAMES)
    return reader.all(sql, id=request_id, me=me)


def reviews_of_requests_made_by(reader: Reader, *, command_id: int) -> Row | None:
    """A request the command `command_id` asked (inserted) that has reviews now, with how
    many (id, reviews), or None: undoing the command would remove it from under them.
    Reviews the command wrote itself (a restore's) go with it, and are not counted.
    The author reads every review of her request (`store.group`)."""
    return reader.one(
        "SELECT q.id, count(v.id) AS reviews FROM change h "
        "JOIN peer_request q ON q.id = h.row_id "
        "JOIN peer_review v ON v.request_id = q.id "
        "WHERE h.command_id = :command AND h.table_name = 'peer_request' AND h.op = :op "
        "AND NOT EXISTS (SELECT 1 FROM change w WHERE w.command_id = :command "
        "AND w.table_name = 'peer_review' AND w.row_id = v.id AND w.op = :op) "
        "GROUP BY q.id ORDER BY q.id LIMIT 1",
        command=command_id,
        op=Op.INSERT.value,
    )


def scores_given(reader: Reader, kind: str, item_ids: Sequence[int]) -> list[Row]:
    """The scores of every review of a request on these courses (topics), with the item
    (`item_id`, `scores`: JSON text or None), by review: what a new rubric for them must
    still fit (the rule `peer_review_scores`, which `services.importer` words first).

    A curator's (or SQLite's one learner's) read: in a study group the reviews of
    others' requests are read in the group's scope, which a curator reads whole, then
    back to the learner's for the rest of the write. Who reviewed is not read."""
    from coursetrack.store import group
    from coursetrack.store.group_views import end_group_read

    column = _OWNER[kind]
    ids = [int(i) for i in item_ids]
    in_group = bool(ids) and group.is_group(reader)
    if in_group:
        group.read_group(reader)  # a failure below ends the transaction, and the scope with it
    found: list[Row] = []
    for start in range(0, len(ids), _IDS_AT_ONCE):
        listed = ", ".join(str(i) for i in ids[start : start + _IDS_AT_ONCE])
        found += reader.all(
            f"SELECT q.{column} AS item_id, v.scores FROM peer_review v "
            f"JOIN peer_request q ON q.id = v.request_id WHERE q.{column} IN ({listed}) "
            "ORDER BY v.id"
        )
    if in_group:
        end_group_read(reader)
    return found


#: Item ids written into one statement of `scores_given` (whole numbers, never text).
_IDS_AT_ONCE = 500
