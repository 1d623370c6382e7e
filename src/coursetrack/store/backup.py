"""Backups in SQL: the reads an export makes and the bulk writes of a restore.

`services.backup_export` turns the rows read here into the backup document
(`coursetrack.backup` is its format), `services.restore` hands a checked
document's rows back to be written. A restore writes each level with one
`executemany` (the courses of a specialization, their topics, then each kind
of record), so the largest backup allowed holds the write lock for seconds;
the history triggers still record every row. An export reads each table once,
whatever the store holds.

The column lists below are what a backup holds of each row: what describes it,
not its id, owner or position (which the document's nesting and order give).
They are plain names, so that the format can be read without the models;
tests/test_backup.py holds them to `models.described_by`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from coursetrack.store import queries, uids
from coursetrack.store.items import COLUMNS as ITEM_COLUMNS
from coursetrack.vocabulary import Grade, Status, Verdict

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: The columns of a specialization, course and topic a backup holds, in table order.
ITEMS: dict[str, tuple[str, ...]] = dict(ITEM_COLUMNS)
#: The columns of a progress row a backup holds (its status first).
PROGRESS = ("status", "started_on", "completed_on")
#: The learner's records on an item, by the key a backup files them under: their
#: table and the columns a backup holds, in table order.
RECORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "goal": ("goal", ("target_on",)),
    "notes": ("note", ("written_on", "text", "private")),
    "links": ("link", ("url", "title", "added_on")),
    "reviews": ("review", ("reviewed_on", "grade", "interval_days", "due_on")),
}
#: The owner columns each kind of record may hang under (progress: all three).
_OWNERS = ("specialization_id", "course_id", "topic_id")
OWNERS: dict[str, tuple[str, ...]] = {
    "progress": _OWNERS,
    "goal": ("specialization_id",),
    "notes": _OWNERS,
    "links": _OWNERS,
    "reviews": ("topic_id",),
}
#: Integer columns that describe a record (a backup writes them as numbers).
NUMBERS = ("interval_days",)
#: Boolean columns (SQLite returns 0/1: a backup writes true, or nothing).
FLAGS = ("private",)
#: The words the store's CHECKs allow in a progress row's status and a review's grade.
STATUSES = tuple(s.value for s in Status)
GRADES = tuple(g.value for g in Grade)
#: The words the store's CHECK allows in a peer review's grade.
VERDICTS = tuple(v.value for v in Verdict)
#: Peer review (issue 23, backup version 2): what a backup holds of a request, and of a
#: review (a received one adds its reviewer's number, a given one its request's author,
#: url and day: `backup.PeerReceivedEntry`, `backup.PeerGivenEntry`).
PEER_REQUEST = ("url", "note", "asked_on")
PEER_REVIEW = ("reviewed_on", "grade", "scores", "comment")


def dates(columns: Iterable[str]) -> tuple[str, ...]:
    """The date columns among `columns`: every `*_on`, by the schema's naming rule."""
    return tuple(c for c in columns if c.endswith("_on"))


def _table(kind: str) -> str:
    return "progress" if kind == "progress" else RECORDS[kind][0]


def _fields(kind: str) -> tuple[str, ...]:
    return PROGRESS if kind == "progress" else RECORDS[kind][1]


# --- export: every table read once ----------------------------------------------------


def specializations(reader: Reader) -> list[Row]:
    """Every specialization, by slug."""
    return reader.all(queries.SPECIALIZATIONS)


def courses(reader: Reader, spec_id: int | None) -> list[Row]:
    """The courses of the specialization `spec_id` (None: of every one), each's in order."""
    if spec_id is None:
        return reader.all(_COURSES)
    return reader.all(_COURSES_OF, spec=spec_id)


_COURSE_COLUMNS = f"SELECT id, specialization_id, {', '.join(ITEMS['course'])} FROM course"
_COURSES = f"{_COURSE_COLUMNS} ORDER BY specialization_id, position, uid"
_COURSES_OF = f"{_COURSE_COLUMNS} WHERE specialization_id = :spec ORDER BY position, uid"


def topics(reader: Reader, spec_id: int | None) -> list[Row]:
    """The topics under the specialization `spec_id` (None: every one), each course's in order."""
    if spec_id is None:
        return reader.all(_TOPICS)
    return reader.all(_TOPICS_OF, spec=spec_id)


_TOPIC_COLUMNS = f"SELECT id, course_id, {', '.join(ITEMS['topic'])} FROM topic"
_TOPICS = f"{_TOPIC_COLUMNS} ORDER BY course_id, position, uid"
_TOPICS_OF = (
    f"{_TOPIC_COLUMNS} WHERE course_id IN (SELECT id FROM course WHERE specialization_id = :spec) "
    "ORDER BY course_id, position, uid"
)


def owned(reader: Reader, kind: str) -> list[Row]:
    """Every row of a kind of record ("progress", "goal", "notes", "links", "reviews"),
    with its owner columns; records oldest first."""
    return reader.all(_OWNED[kind])


_OWNED = {
    kind: f"SELECT {', '.join(OWNERS[kind] + _fields(kind))} FROM {_table(kind)}"
    + {"progress": "", "goal": " ORDER BY id"}.get(kind, " ORDER BY uid")
    for kind in OWNERS
}

# --- restore --------------------------------------------------------------------------


def specialization_ids(reader: Reader) -> dict[str, int]:
    """Every stored specialization's id, by slug."""
    return {row.slug: row.id for row in reader.all("SELECT slug, id FROM specialization")}


def records_on(reader: Reader, spec_id: int) -> int:
    """How many records (progress, notes, links, reviews, goal, peer review requests) the
    reader's learner keeps on the specialization or anything under it (row-level security
    shows their own; reviews given are `reviewed_requests`')."""
    return int(reader.scalar(_RECORDS_ON, spec=spec_id))


_UNDER = """
WITH c AS (SELECT id FROM course WHERE specialization_id = :spec),
t AS (SELECT id FROM topic WHERE course_id IN (SELECT id FROM c))
"""
#: The tables whose rows hang under any of the three kinds of item.
_ANY_OWNER = ("progress", "note", "link")
_ON_ANY = (
    "specialization_id = :spec OR course_id IN (SELECT id FROM c) OR topic_id IN (SELECT id FROM t)"
)
_RECORDS_ON = (
    _UNDER
    + "SELECT "
    + " + ".join(f"(SELECT count(*) FROM {table} WHERE {_ON_ANY})" for table in _ANY_OWNER)
    + " + (SELECT count(*) FROM review WHERE topic_id IN (SELECT id FROM t))"
    + " + (SELECT count(*) FROM goal WHERE specialization_id = :spec)"
    + " + (SELECT count(*) FROM peer_request WHERE course_id IN (SELECT id FROM c) "
    "OR topic_id IN (SELECT id FROM t))"
)


def insert_specialization(writer: Writer, values: Mapping[str, Any]) -> int:
    """A new specialization of the backup's columns (its uid: `store.uids`); its id."""
    return writer.insert(
        _INSERT_SPEC,
        **{c: values[c] for c in ITEMS["specialization"]},
        uid=uids.settle_catalog(writer, "specialization", (values["slug"],)),
    )


_INSERT_SPEC = (
    f"INSERT INTO specialization ({', '.join(ITEMS['specialization'])}, uid) "
    f"VALUES ({', '.join(':' + c for c in ITEMS['specialization'])}, :uid) RETURNING id"
)


def insert_courses(writer: Writer, rows: list[dict[str, Any]]) -> None:
    """New courses: each row has `specialization_id`, `position` and the backup's columns."""
    writer.executemany(
        _insert("course", ("specialization_id", "position", *ITEMS["course"], "uid")),
        uids.with_catalog_uids(writer, "course", "specialization_id", rows),
    )


def insert_topics(writer: Writer, rows: list[dict[str, Any]]) -> None:
    """New topics: each row has `course_id`, `position` and the backup's columns."""
    writer.executemany(
        _insert("topic", ("course_id", "position", *ITEMS["topic"], "uid")),
        uids.with_catalog_uids(writer, "topic", "course_id", rows),
    )


def insert_records(writer: Writer, kind: str, owner: str, rows: list[dict[str, Any]]) -> None:
    """New records of `kind` ("progress", "goal", "notes", ...) under the `owner` column;
    each row has the owner's id under `owner` and the backup's columns. The learner is
    the column's default: whoever restores."""
    assert owner in OWNERS[kind]
    table = _table(kind)
    if table in ("note", "link", "review"):  # named across replicas (`store.uids`)
        writer.executemany(
            _insert(table, (owner, *_fields(kind), "uid")),
            ({**row, "uid": uids.record_uid(writer)} for row in rows),
        )
    else:
        writer.executemany(_insert(table, (owner, *_fields(kind))), rows)


def _insert(table: str, columns: tuple[str, ...]) -> str:
    """The INSERT of `columns` (fixed names from this module) into `table`."""
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )


def course_ids(reader: Reader, spec_id: int) -> dict[int, int]:
    """The specialization's course ids, by position."""
    rows = reader.all(
        "SELECT position, id FROM course WHERE specialization_id = :spec", spec=spec_id
    )
    return {row.position: row.id for row in rows}


def topic_ids(reader: Reader, spec_id: int) -> dict[tuple[int, int], int]:
    """The ids of the topics under the specialization, by (course id, position)."""
    rows = reader.all(
        "SELECT id, course_id, position FROM topic "
        "WHERE course_id IN (SELECT id FROM course WHERE specialization_id = :spec)",
        spec=spec_id,
    )
    return {(row.course_id, row.position): row.id for row in rows}


def course_ids_by_slug(reader: Reader, spec_id: int) -> dict[str, int]:
    """The specialization's course ids, by slug."""
    rows = reader.all("SELECT slug, id FROM course WHERE specialization_id = :spec", spec=spec_id)
    return {row.slug: row.id for row in rows}


def topic_ids_by_slug(reader: Reader, spec_id: int) -> dict[tuple[int, str], int]:
    """The ids of the topics under the specialization, by (course id, slug)."""
    rows = reader.all(
        "SELECT id, course_id, slug FROM topic "
        "WHERE course_id IN (SELECT id FROM course WHERE specialization_id = :spec)",
        spec=spec_id,
    )
    return {(row.course_id, row.slug): row.id for row in rows}


# --- peer review (issue 23) -------------------------------------------------------------
#
# What is the learner's own is read by the learner column where the program may name it
# (peer_request's author is known to the group), and by what the store shows of
# peer_review, whose `learner` (the reviewer) a study group's learner may not read: the
# reviews a learner can read are their own and those of their own requests, and a
# review is never of its reviewer's own request. On SQLite, or PostgreSQL not a group's,
# every row is visible: there a restore writes the reviews the learner received under
# their pseudonyms and the requests they reviewed under their authors' names
# (`services.restore`), and no other writer puts peer rows in such a store.


def whose(reader: Reader) -> tuple[str, bool]:
    """(the learner whose rows a write makes, whether the store is a study group's): the
    `learner` column's default, which a restore writes the learner's own rows with and an
    export reads them by: `session_user` in a group, CURRENT_USER on any other PostgreSQL
    store (`models._CurrentLearner`: the two differ after a SET ROLE), SQLite's one."""
    if reader.dialect != "postgresql":
        return LOCAL_LEARNER, False
    from coursetrack.store import group

    if group.is_group(reader):
        return str(reader.scalar("SELECT session_user")), True
    return str(reader.scalar("SELECT current_user")), False


#: SQLite's one learner, `models.LOCAL_LEARNER`, named here without the models: a read
#: imports no ORM (tests/test_backup_peer.py holds the two equal).
LOCAL_LEARNER = "me"


def own_requests(reader: Reader, learner: str) -> list[Row]:
    """The learner's own peer review requests, oldest first, with their item."""
    return reader.all(_OWN_REQUESTS, learner=learner)


_OWN_REQUESTS = (
    f"SELECT id, course_id, topic_id, {', '.join(PEER_REQUEST)} FROM peer_request "
    "WHERE learner = :learner ORDER BY id"
)


def readable_reviews(reader: Reader, learner: str | None) -> list[Row]:
    """The learner's peer reviews and those of their requests, in the order they were
    given; never the reviewer's name. `learner`: off a study group, whose reviews are
    theirs (every row is visible there); None in a group, where row-level security shows
    these and no other, and a learner may not name the reviewer column."""
    if learner is None:
        return reader.all(_READABLE_REVIEWS)
    return reader.all(_LEARNERS_REVIEWS, learner=learner)


_REVIEW_COLUMNS = f"SELECT id, request_id, {', '.join(PEER_REVIEW)} FROM peer_review"
_READABLE_REVIEWS = f"{_REVIEW_COLUMNS} ORDER BY id"
_LEARNERS_REVIEWS = (
    f"{_REVIEW_COLUMNS} WHERE learner = :learner OR request_id IN "
    "(SELECT id FROM peer_request WHERE learner = :learner) ORDER BY id"
)


def requests_by_id(reader: Reader, ids: Iterable[int]) -> dict[int, Row]:
    """The requests of these ids (others' ones: read in a group's scope), by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    from coursetrack.store import group

    grouped = group.is_group(reader)
    if grouped:
        group.read_group(reader)
    try:
        rows = reader.all(
            "SELECT id, course_id, topic_id, url, asked_on, learner FROM peer_request "
            f"WHERE id IN ({', '.join(str(int(i)) for i in wanted)})"
        )
    finally:
        if grouped:
            _end_group_read(reader)
    return {row.id: row for row in rows}


def _end_group_read(reader: Reader) -> None:
    from coursetrack.store import group

    reader.scalar("SELECT set_config(:name, '', true)", name=group.SCOPE_SETTING)


def requests_of(
    reader: Reader, items: Iterable[tuple[str, int]]
) -> dict[tuple[str, int, str], int]:
    """The ids of the requests on these items ((owner column, id) pairs), by (owner column,
    item id, author): read in a group's scope, the group's requests."""
    from coursetrack.store import group

    wanted = sorted(set(items))
    if not wanted:
        return {}
    grouped = group.is_group(reader)
    if grouped:
        group.read_group(reader)
    out: dict[tuple[str, int, str], int] = {}
    try:
        for column in ("course_id", "topic_id"):
            ids = sorted({int(i) for c, i in wanted if c == column})
            if not ids:
                continue
            rows = reader.all(
                f"SELECT id, {column} AS item, learner FROM peer_request "
                f"WHERE {column} IN ({', '.join(str(i) for i in ids)})"
            )
            out.update({(column, row.item, row.learner): row.id for row in rows})
    finally:
        if grouped:
            _end_group_read(reader)
    return out


def rubrics(reader: Reader, items: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str | None]:
    """The rubric (JSON text, or None) of each item, by (owner column, id)."""
    out: dict[tuple[str, int], str | None] = {}
    for column, table in (("course_id", "course"), ("topic_id", "topic")):
        ids = sorted({int(i) for c, i in items if c == column})
        if ids:
            rows = reader.all(
                f"SELECT id, rubric FROM {table} WHERE id IN ({', '.join(str(i) for i in ids)})"
            )
            out.update({(column, row.id): row.rubric for row in rows})
    return out


def reviewed_requests(reader: Reader, learner: str) -> set[int]:
    """The requests the learner has reviewed already: the reviews they may read that are
    not of their own requests (a group's learner cannot name the reviewer column)."""
    rows = reader.all(
        "SELECT request_id FROM peer_review WHERE request_id NOT IN "
        "(SELECT id FROM peer_request WHERE learner = :learner)",
        learner=learner,
    )
    return {row.request_id for row in rows}


def insert_request(writer: Writer, owner: str, values: Mapping[str, Any]) -> int:
    """A new request on the item `values[owner]`; its id. Its learner is `values["learner"]`
    when given (others' requests, kept in a single learner's store), else whoever restores."""
    assert owner in ("course_id", "topic_id")
    names = (owner, *PEER_REQUEST, *(("learner",) if "learner" in values else ()))
    return writer.insert(
        _insert("peer_request", names) + " RETURNING id", **{n: values[n] for n in names}
    )


def insert_reviews(writer: Writer, rows: list[dict[str, Any]], *, learner: bool) -> None:
    """New peer reviews: each row has `request_id` and the backup's columns, and
    `learner` (a received review's pseudonym) when `learner`; else the reviewer is
    whoever restores."""
    names = ("request_id", *PEER_REVIEW, *(("learner",) if learner else ()))
    writer.executemany(_insert("peer_review", names), rows)
