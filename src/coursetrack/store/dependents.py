"""The later commands an undo would break: what `undo` asks the history before it reverts.

Undo puts back the rows one command changed, each as it was before that
command (the `old` of the command's first change of the row, or no row at all
where it began with an insert). Rows that later commands changed themselves
stop it already (`later_changer`). These queries find the later commands that
depend on it through *other* rows, so that the undo is refused, naming the
command to undo first, before any row changes and before the store's own rules
would refuse the write:

- a review needs a done topic: the undo would leave a topic not done that a
  later review is of (`review_of_undone_topic`);
- what hangs under an item: the undo would remove an item a later command put
  a course, topic, progress, note, link, review or goal under (`hung_under`);
- one of a kind: the undo would give back a slug, a place among siblings, a
  specialization's goal or an item's progress row that a later row holds now
  (`taken_keys`).

`blame` names the later command that made such a row as it is. The SQL runs on
both engines, through a write's Writer or a read's Reader: JSON fields are read
through `queries.json_field`. The keys and owner columns are written out from
the models (`OWNERS`, `KEYS`; a test keeps them in step), so an undo loads no ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.store.queries import json_field
from coursetrack.vocabulary import Status

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader


@dataclass(frozen=True)
class Later:
    """A later command, live and not an undo itself."""

    id: int
    line: str
    #: It inserted a row under the id of one the undo would put back (SQLite gives a
    #: freed id to the next row), rather than changed the same row.
    took_its_id: bool = False


#: The command's first change of a row: what the undo puts back (see module doc).
_FIRST = """
SELECT ch.row_id, ch.op, ch.old, ch.new FROM change ch
WHERE ch.command_id = :target AND ch.table_name = '{table}'
  AND NOT EXISTS (SELECT 1 FROM change e WHERE e.table_name = '{table}'
                  AND e.row_id = ch.row_id AND e.command_id = :target AND e.id < ch.id)
"""

#: A row the command changed itself: the undo changes it too, so it cannot be in the way.
_NOT_ITS_OWN = """NOT EXISTS (SELECT 1 FROM change m WHERE m.table_name = '{table}'
                  AND m.row_id = {alias}.id AND m.command_id = :target)"""


def later_changer(reader: Reader, target: int) -> Later | None:
    """The first later live command that changed a row `target` changed."""
    found = reader.one(
        """SELECT c.id, c.line, mine.op AS mine, later.op AS later FROM change mine
               JOIN change later
                 ON later.table_name = mine.table_name AND later.row_id = mine.row_id
                AND later.command_id > mine.command_id
               JOIN command c ON c.id = later.command_id
               WHERE mine.command_id = :target AND c.undone_by IS NULL AND c.undoes IS NULL
               ORDER BY c.id, later.id LIMIT 1""",
        target=target,
    )
    if found is None:
        return None
    return Later(found.id, found.line, found.mine == "delete" and found.later == "insert")


def blame(reader: Reader, target: int, table: str, row_id: int) -> Later | None:
    """The newest live command after `target` that changed a row (None: none of this
    learner's, e.g. another curator's, or only undos did)."""
    found = reader.one(
        """SELECT c.id, c.line FROM change ch JOIN command c ON c.id = ch.command_id
               WHERE ch.table_name = :table AND ch.row_id = :row_id
                 AND ch.command_id > :target
                 AND c.undone_by IS NULL AND c.undoes IS NULL
               ORDER BY c.id DESC LIMIT 1""",
        table=table,
        row_id=row_id,
        target=target,
    )
    return Later(found.id, found.line) if found is not None else None


def review_of_undone_topic(reader: Reader, target: int) -> int | None:
    """A review (its id) of a topic the undo would leave not done.

    The undo puts back the topic's progress row as it was before `target`: no
    row (todo), or one whose status was not done. A review `target` made itself
    goes with the undo. Only the progress row's learner's reviews need it (in a
    study group a learner may read the others').
    """
    dialect = reader.dialect
    first = _FIRST.format(table="progress")
    topic_new = json_field(dialect, "f.new", "topic_id", integer=True)
    topic_old = json_field(dialect, "f.old", "topic_id", integer=True)
    status_old = json_field(dialect, "f.old", "status")
    learner_new = json_field(dialect, "f.new", "learner")
    learner_old = json_field(dialect, "f.old", "learner")
    found = reader.one(
        f"""SELECT r.id FROM ({first}) f
                JOIN review r ON r.topic_id =
                     CASE WHEN f.op = 'insert' THEN {topic_new} ELSE {topic_old} END
                 AND r.learner =
                     CASE WHEN f.op = 'insert' THEN {learner_new} ELSE {learner_old} END
                WHERE (f.op = 'insert' OR coalesce({status_old}, '') <> :done)
                  AND {_NOT_ITS_OWN.format(table="review", alias="r")}
                ORDER BY r.id LIMIT 1""",
        target=target,
        done=Status.DONE.value,
    )
    return found.id if found is not None else None


#: (table, column, item table): each column that hangs a row under an item, in the
#: models' order. Written out, so that an undo needs no models (tests/test_dependents.py
#: reads them from the models' foreign keys).
OWNERS: tuple[tuple[str, str, str], ...] = (
    ("course", "specialization_id", "specialization"),
    ("topic", "course_id", "course"),
    ("progress", "specialization_id", "specialization"),
    ("progress", "course_id", "course"),
    ("progress", "topic_id", "topic"),
    ("note", "specialization_id", "specialization"),
    ("note", "course_id", "course"),
    ("note", "topic_id", "topic"),
    ("link", "specialization_id", "specialization"),
    ("link", "course_id", "course"),
    ("link", "topic_id", "topic"),
    ("review", "topic_id", "topic"),
    ("goal", "specialization_id", "specialization"),
    ("peer_request", "course_id", "course"),
    ("peer_request", "topic_id", "topic"),
)


def hung_under(reader: Reader, target: int) -> tuple[str, int] | None:
    """A row (table, id) under an item `target` added, which the undo would remove with it."""
    for table, column, item in OWNERS:
        found = reader.one(
            f"""SELECT x.id FROM {table} x
                    WHERE x.{column} IN (SELECT row_id FROM change WHERE command_id = :target
                                         AND table_name = '{item}' AND op = 'insert')
                      AND {_NOT_ITS_OWN.format(table=table, alias="x")}
                    ORDER BY x.id LIMIT 1""",
            target=target,
        )
        if found is not None:
            return table, found.id
    return None


#: What makes a row one of a kind besides its unique constraints: its place among
#: its siblings (items keep positions 1..N; two at one place have no order).
PLACES = {"course": ("specialization_id", "position"), "topic": ("course_id", "position")}


#: (table, columns) of every unique key of the tracked tables (the models' unique
#: constraints and columns, and `PLACES`), slugs first; checked against the models
#: by tests/test_dependents.py.
KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("specialization", ("slug",)),
    ("course", ("specialization_id", "slug")),
    ("topic", ("course_id", "slug")),
    ("progress", ("specialization_id", "learner")),
    ("progress", ("topic_id", "learner")),
    ("progress", ("course_id", "learner")),
    ("goal", ("specialization_id", "learner")),
    ("member", ("learner",)),
    ("peer_request", ("course_id", "learner")),
    ("peer_request", ("topic_id", "learner")),
    ("peer_review", ("request_id", "learner")),
    ("course", ("specialization_id", "position")),
    ("topic", ("course_id", "position")),
    # a row's name across replicas (issue 24): an item removed, its path added again and
    # that one renamed away holds the name the removed one comes back with
    *(
        (table, ("uid",))
        for table in ("specialization", "course", "topic", "note", "link", "review")
    ),
)

#: The key columns that hold numbers (read from a change's JSON as integers).
INTEGER_KEY_COLUMNS = frozenset(
    ("specialization_id", "course_id", "topic_id", "position", "request_id")
)


#: Key columns a study group's learner may not read (who gave a peer review: `store.group`).
UNREADABLE = {"peer_review": "learner"}


def _readable_key(reader: Reader, table: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """A key's columns as this learner may compare them. In a study group a learner may
    not read who gave a peer review, and needs not: the reviews she sees are her own and
    those of her own requests, which are never hers, so among them the request alone is
    the key of a review she puts back."""
    hidden = UNREADABLE.get(table)
    if hidden not in columns:
        return columns
    from coursetrack.store.group import is_group

    return tuple(c for c in columns if c != hidden) if is_group(reader) else columns


@dataclass(frozen=True)
class Taken:
    """A row that holds, now, a key the undo would give back to another."""

    table: str
    row_id: int
    columns: tuple[str, ...]
    values: tuple


def taken_keys(reader: Reader, target: int) -> Taken | None:
    """A row not `target`'s that holds a unique key a row the undo puts back would hold."""
    dialect = reader.dialect
    put_back = {
        row.table_name
        for row in reader.all(
            "SELECT DISTINCT table_name FROM change WHERE command_id = :target AND op <> 'insert'",
            target=target,
        )
    }
    for table, columns in KEYS:
        if table not in put_back:  # an undo that only deletes gives nothing back
            continue
        columns = _readable_key(reader, table, columns)
        on = " AND ".join(
            f"t.{c} = " + json_field(dialect, "f.old", c, integer=c in INTEGER_KEY_COLUMNS)
            for c in columns
        )
        found = reader.one(
            f"""SELECT t.id, {", ".join(f"t.{c}" for c in columns)}
                    FROM ({_FIRST.format(table=table)}) f JOIN {table} t ON {on}
                    WHERE f.op <> 'insert' AND t.id <> f.row_id
                      AND {_NOT_ITS_OWN.format(table=table, alias="t")}
                    ORDER BY t.id LIMIT 1""",
            target=target,
        )
        if found is not None:
            return Taken(table, found.id, columns, tuple(found[c] for c in columns))
    return None
