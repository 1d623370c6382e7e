"""The learner's notebook in SQL: notes and links, written and read (`services.notes`, `show`).

A note or link hangs under exactly one item, through one owner column
(`specialization_id`, `course_id` or `topic_id`, chosen by `owner_column`); the
learner comes from the column's server default, so no command can name
someone else. Every statement here takes the owner as a kind and an id, and
builds its SQL only from those fixed names.

The private-note rule is written here once (`SHARED_NOTE`, `shared_note`): the
post, the page, the group's view and the group's row-level security all read
notes through it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from coursetrack.store import uids

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

# --- the private-note rule -------------------------------------------------------------

#: A private note (`note --private`) is its learner's alone: it stays out of posts,
#: pages and what a study group shows or may read. The one definition of that rule.
SHARED_NOTE = "NOT private"


def shared_note(alias: str) -> str:
    """`SHARED_NOTE` for the note table named `alias` in a query."""
    return f"NOT {alias}.private"


#: The notes a post or page may show, as a table: `FROM {SHARED_NOTES} x`.
SHARED_NOTES = f"(SELECT * FROM note WHERE {SHARED_NOTE})"

# --- owners ---------------------------------------------------------------------------

#: The owner column of each kind of item.
_OWNER = {
    "specialization": "specialization_id",
    "course": "course_id",
    "topic": "topic_id",
}


def owner_column(kind: str) -> str:
    """The column that hangs a note or link under an item of `kind` (a fixed name)."""
    return _OWNER[kind]


# --- writes ---------------------------------------------------------------------------


def insert_note(
    writer: Writer,
    *,
    kind: str,
    item_id: int,
    written_on: dt.date,
    text: str,
    private: bool = False,
) -> int:
    """Add a note under the item; its id."""
    owner = owner_column(kind)
    return writer.insert(
        f"INSERT INTO note ({owner}, written_on, text, private, uid) "
        "VALUES (:item, :written_on, :text, :private, :uid) RETURNING id",
        item=item_id,
        written_on=written_on,
        text=text,
        private=private,
        uid=uids.record_uid(writer),
    )


def update_note(writer: Writer, *, note_id: int, text: str, written_on: dt.date | None) -> None:
    """Replace a note's text, and its date when `written_on` is given."""
    if written_on is None:
        writer.execute("UPDATE note SET text = :text WHERE id = :id", text=text, id=note_id)
    else:
        writer.execute(
            "UPDATE note SET text = :text, written_on = :written_on WHERE id = :id",
            text=text,
            written_on=written_on,
            id=note_id,
        )


def delete_rows(writer: Writer, *, table: str, ids: list[int]) -> None:
    """Delete notes or links by id, in id order (the history records them so, as the
    ORM's unit of work did)."""
    if table not in ("note", "link"):
        raise ValueError(table)
    writer.executemany(f"DELETE FROM {table} WHERE id = :id", [{"id": i} for i in sorted(ids)])


def link_by_url(writer: Reader, *, kind: str, item_id: int, url: str) -> Row | None:
    """The item's link to `url`, if it keeps one (the first, as the ORM found it)."""
    owner = owner_column(kind)
    return writer.one(
        f"SELECT id, url, title, added_on FROM link WHERE {owner} = :item AND url = :url "
        "ORDER BY uid LIMIT 1",
        item=item_id,
        url=url,
    )


def insert_link(
    writer: Writer, *, kind: str, item_id: int, url: str, title: str | None, added_on: dt.date
) -> int:
    """Add a link under the item; its id."""
    owner = owner_column(kind)
    return writer.insert(
        f"INSERT INTO link ({owner}, url, title, added_on, uid) "
        "VALUES (:item, :url, :title, :added_on, :uid) RETURNING id",
        item=item_id,
        url=url,
        title=title,
        added_on=added_on,
        uid=uids.record_uid(writer),
    )


def retitle_link(writer: Writer, *, link_id: int, title: str) -> None:
    writer.execute("UPDATE link SET title = :title WHERE id = :id", title=title, id=link_id)


# --- reads ----------------------------------------------------------------------------


def count_notes(reader: Reader, *, kind: str, item_id: int) -> int:
    """How many notes the item itself has (not those under it)."""
    return int(reader.scalar(_count("note", kind), id=item_id))


def count_links(reader: Reader, *, kind: str, item_id: int) -> int:
    return int(reader.scalar(_count("link", kind), id=item_id))


def _count(table: str, kind: str) -> str:
    from coursetrack.store import queries

    owner = {"owner": owner_column(kind)}
    return (queries.COUNT_NOTES if table == "note" else queries.COUNT_LINKS).format(**owner)


def newest_notes(reader: Reader, *, kind: str, item_id: int, limit: int) -> list[Row]:
    """The item's newest `limit` notes (id, written_on, text, private), newest first."""
    from coursetrack.store import queries

    sql = queries.NEWEST_NOTES.format(owner=owner_column(kind))
    return reader.all(sql, id=item_id, limit=limit)


def newest_links(reader: Reader, *, kind: str, item_id: int, limit: int) -> list[Row]:
    """The item's newest `limit` links (id, url, title, added_on), newest first."""
    from coursetrack.store import queries

    sql = queries.NEWEST_LINKS.format(owner=owner_column(kind))
    return reader.all(sql, id=item_id, limit=limit)


def topic_notes(reader: Reader, *, course_id: int, keep: int) -> list[Row]:
    """The newest `keep` notes of each topic of a course, with each topic's count."""
    from coursetrack.store import queries

    return reader.all(queries.TOPIC_NOTES, course_id=course_id, keep=keep)


def listed(reader: Reader, *, table: str, kind: str | None, item_id: int | None) -> list[Row]:
    """Notes or links on an item and everything under it (`kind` None: all), each with
    the slugs of its item, in list order."""
    from coursetrack.store import queries

    rows, order = _rows(table)
    params: dict[str, Any] = {"id": item_id} if kind is not None else {}
    return reader.all(rows.format(where=queries.NOTES_SCOPES[kind]) + order, **params)


def one_listed(reader: Reader, *, table: str, row_id: int) -> Row | None:
    """One note or link by id, as `listed` gives it (None: no such row)."""
    from coursetrack.store import queries

    rows, _order = _rows(table)
    return reader.one(rows.format(where=queries.BY_ID), id=row_id)


def _rows(table: str) -> tuple[str, str]:
    from coursetrack.store import queries

    if table == "note":
        return queries.NOTE_ROWS, queries.NOTE_ORDER
    if table == "link":
        return queries.LINK_ROWS, queries.LINK_ORDER
    raise ValueError(table)


#: A shared page's notes on a specialization, its courses and topics, oldest first,
#: each with the title of the item it is written on.
_PAGE_NOTES = f"""
SELECT n.written_on, n.text,
       coalesce(t.title, c.title, tc.title, s.title) AS about
FROM note n
LEFT JOIN topic t ON t.id = n.topic_id
LEFT JOIN course tc ON tc.id = t.course_id
LEFT JOIN course c ON c.id = n.course_id
LEFT JOIN specialization s ON s.id = n.specialization_id
WHERE coalesce(n.specialization_id, c.specialization_id, tc.specialization_id) = :spec
  AND {shared_note("n")}
ORDER BY n.written_on, n.uid
"""


def page_notes(reader: Reader, *, spec_id: int) -> list[Row]:
    """The notes a shared page shows (never a private one): written_on, about, text."""
    return reader.all(_PAGE_NOTES, spec=spec_id)
