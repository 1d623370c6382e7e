"""The learner's notebook: dated notes and links on any specialization, course or topic.

Each item has one list of notes, oldest first, and one list of links. `done
--note` and `update --note` write to the same list through `add_note`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from coursetrack.errors import InputError
from coursetrack.models import Course, Link, Note, Specialization, Topic
from coursetrack.validate import checked

Item = Specialization | Course | Topic


def _owner(item: Item) -> dict[str, int | None]:
    """The owner column that points at `item` (exactly one is set)."""
    if isinstance(item, Topic):
        return {"topic_id": item.id}
    if isinstance(item, Course):
        return {"course_id": item.id}
    return {"specialization_id": item.id}


def _owned_by(model: type[Note] | type[Link], item: Item):
    if isinstance(item, Topic):
        return model.topic_id == item.id
    if isinstance(item, Course):
        return model.course_id == item.id
    return model.specialization_id == item.id


def add_note(session: Session, *, item: Item, text: str, on: dt.date) -> Note:
    """Append a note, dated `on`, to the item's list."""
    cleaned = text.strip()
    if not cleaned:
        raise InputError("the note is empty; write its text after the ref, in quotes")
    checked("text", cleaned, what="the note")
    note = Note(**_owner(item), written_on=on, text=cleaned)
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, item: Item) -> list[Note]:
    """The item's notes, oldest first (in the order written, within a day)."""
    return list(
        session.exec(
            select(Note).where(_owned_by(Note, item)).order_by(Note.written_on, Note.id)
        ).all()
    )


@dataclass
class LinkChange:
    """What `add_link` did: `added`, `retitled` or `unchanged` (the URL was already kept)."""

    action: str
    link: Link


def add_link(
    session: Session, *, item: Item, url: str, title: str | None, on: dt.date
) -> LinkChange:
    """Keep a link on the item; the same URL twice is kept once (with the newer title)."""
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


def links_of(session: Session, item: Item) -> list[Link]:
    """The item's links, in the order they were added."""
    return list(
        session.exec(
            select(Link).where(_owned_by(Link, item)).order_by(Link.added_on, Link.id)
        ).all()
    )
