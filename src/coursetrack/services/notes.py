"""The learner's notebook: dated notes and links on any specialization, course or topic.

Each item has one list of notes, oldest first, and one list of links. `done
--note` and `update --note` write to the same list through `add_note`. Notes
and links are named by their row id (`note edit 12`, `link rm 3`): the id is
what `note list`, `link list` and `show` print, and what undo restores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.errors import InputError
from coursetrack.refs import Target
from coursetrack.store import queries
from coursetrack.store.reader import as_reader
from coursetrack.validate import checked

if TYPE_CHECKING:  # listing reads through sqlite3 alone; the writes import these where used
    from sqlmodel import Session

    from coursetrack.models import Course, Link, Note, Specialization, Topic
    from coursetrack.store.reader import Reader, Row

    Item = Specialization | Course | Topic


def _owner(item: Item) -> dict[str, int | None]:
    """The owner column that points at `item` (exactly one is set)."""
    from coursetrack.models import Course, Topic

    if isinstance(item, Topic):
        return {"topic_id": item.id}
    if isinstance(item, Course):
        return {"course_id": item.id}
    return {"specialization_id": item.id}


def _owned_by(model: type[Note] | type[Link], item: Item):
    from coursetrack.models import Course, Topic

    if isinstance(item, Topic):
        return model.topic_id == item.id
    if isinstance(item, Course):
        return model.course_id == item.id
    return model.specialization_id == item.id


def note_text(text: str) -> str:
    """A note's text as stored, or why it cannot be: the one check for adding and editing."""
    cleaned = text.strip()
    if not cleaned:
        raise InputError("the note is empty; write its text after the ref, in quotes")
    checked("text", cleaned, what="the note")
    return cleaned


def add_note(
    session: Session, *, item: Item, text: str, on: dt.date, private: bool = False
) -> Note:
    """Append a note, dated `on`, to the item's list.

    A private note is the learner's alone: in a study group the others never
    read it (row-level security), and no shared page or post shows it.
    """
    from coursetrack.models import Note

    note = Note(**_owner(item), written_on=on, text=note_text(text), private=private)
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, item: Item, *, newest: int | None = None) -> list[Note]:
    """The item's notes, oldest first (in the order written, within a day).

    `newest`: only that many of the latest, so a page of one item stays quick
    however many notes it holds.
    """
    from sqlmodel import select

    from coursetrack.models import Note

    query = select(Note).where(_owned_by(Note, item))
    if newest is None:
        return list(session.exec(query.order_by(Note.written_on, Note.id)).all())
    latest = session.exec(
        query.order_by(Note.written_on.desc(), Note.id.desc()).limit(newest)  # type: ignore[attr-defined]
    ).all()
    return list(reversed(latest))


def count_of(session: Session, model: type[Note] | type[Link], item: Item) -> int:
    """How many notes (or links) the item has, counted in SQL."""
    from sqlalchemy import func
    from sqlmodel import select

    return session.exec(select(func.count()).select_from(model).where(_owned_by(model, item))).one()


@dataclass
class LinkChange:
    """What `add_link` did: `added`, `retitled` or `unchanged` (the URL was already kept)."""

    action: str
    link: Link


def add_link(
    session: Session, *, item: Item, url: str, title: str | None, on: dt.date
) -> LinkChange:
    """Keep a link on the item; the same URL twice is kept once (with the newer title)."""
    from sqlmodel import select

    from coursetrack.models import Link

    url = checked("link_url", url.strip(), what="the URL")
    title = title.strip() or None if title is not None else None
    if title is not None:
        checked("title", title, what="--title")
    existing = session.exec(
        select(Link).where(_owned_by(Link, item)).where(Link.url == url)
    ).first()
    if existing is not None:
        if title is not None and title != existing.title:
            existing.title = title
            session.flush()
            return LinkChange("retitled", existing)
        return LinkChange("unchanged", existing)
    link = Link(**_owner(item), url=url, title=title, added_on=on)
    session.add(link)
    session.flush()
    return LinkChange("added", link)


def links_of(session: Session, item: Item, *, newest: int | None = None) -> list[Link]:
    """The item's links, in the order they were added (`newest`: only the latest so many)."""
    from sqlmodel import select

    from coursetrack.models import Link

    query = select(Link).where(_owned_by(Link, item))
    if newest is None:
        return list(session.exec(query.order_by(Link.added_on, Link.id)).all())
    latest = session.exec(
        query.order_by(Link.added_on.desc(), Link.id.desc()).limit(newest)  # type: ignore[attr-defined]
    ).all()
    return list(reversed(latest))


# --- listing, editing and removing by id ----------------------------------------------

#: The largest row id SQLite can hold; a bigger number names nothing.
_MAX_ID = 2**63 - 1


@dataclass
class NoteRow:
    """A note with its id and the slug ref of the item it is on."""

    id: int
    ref: str
    written_on: dt.date | None
    text: str


@dataclass
class LinkRow:
    id: int
    ref: str
    url: str
    title: str | None
    added_on: dt.date


def _ref(row: Row) -> str:
    return "/".join(p for p in (row.spec_slug, row.course_slug, row.topic_slug) if p)


def _note_row(r: Row) -> NoteRow:
    return NoteRow(r.id, _ref(r), r.written_on, r.text)


def _link_row(r: Row) -> LinkRow:
    return LinkRow(r.id, _ref(r), r.url, r.title, r.added_on)


#: Per table: its rows' SQL (`queries`), list order, and the row type made.
_KINDS = {
    "note": (queries.NOTE_ROWS, queries.NOTE_ORDER, _note_row),
    "link": (queries.LINK_ROWS, queries.LINK_ORDER, _link_row),
}


def _listed(source: Reader | Session, kind: str, target: Target | None) -> list:
    rows, order, make = _KINDS[kind]
    where = queries.NOTES_SCOPES[target.kind if target is not None else None]
    params = {"id": target.item.id} if target is not None else {}
    return [make(r) for r in as_reader(source).all(rows.format(where=where) + order, **params)]


def list_notes(source: Reader | Session, *, target: Target | None) -> list[NoteRow]:
    """Notes on `target` and every item under it (None: all), oldest first."""
    return _listed(source, "note", target)


def list_links(source: Reader | Session, *, target: Target | None) -> list[LinkRow]:
    """Links on `target` and every item under it (None: all), in the order added."""
    return _listed(source, "link", target)


def parse_id(value: str, noun: str) -> int:
    """A row id as the user typed it: `12` or `#12`."""
    digits = value.strip().removeprefix("#")
    if not digits.isascii() or not digits.isdigit():
        raise InputError(
            f"{noun} id {value!r} is not a number; "
            f"'coursetrack {noun} list' shows each {noun} with its id"
        )
    return int(digits)


def _one(session: Session, kind: str, row_id: int):
    rows, _order, make = _KINDS[kind]
    row = None
    if row_id <= _MAX_ID:
        row = as_reader(session).one(rows.format(where=queries.BY_ID), id=row_id)
    if row is None:
        raise InputError(f"there is no {kind} #{row_id}; 'coursetrack {kind} list' shows the ids")
    return make(row)


def edit_note(session: Session, *, note_id: int, text: str, on: dt.date | None = None) -> NoteRow:
    """Replace a note's text (and, with `on`, its date), checked as a new note is."""
    from coursetrack.models import Note

    before = _one(session, "note", note_id)
    note = session.get(Note, note_id)
    assert note is not None
    note.text = note_text(text)
    if on is not None:
        note.written_on = on
    session.add(note)
    session.flush()
    return NoteRow(before.id, before.ref, note.written_on, note.text)


def _remove(session: Session, kind: str, ids: list[int]) -> list:
    """Delete the rows named, all or none: an unknown id changes nothing."""
    from coursetrack.models import Link, Note

    model = {"note": Note, "link": Link}[kind]
    rows = [_one(session, kind, i) for i in dict.fromkeys(ids)]
    for row in rows:
        session.delete(session.get(model, row.id))
    session.flush()
    return rows


def remove_notes(session: Session, *, note_ids: list[int]) -> list[NoteRow]:
    return _remove(session, "note", note_ids)


def remove_links(session: Session, *, link_ids: list[int]) -> list[LinkRow]:
    return _remove(session, "link", link_ids)
