"""The learner's notebook: dated notes and links on any specialization, course or topic.

Each item has one list of notes, oldest first, and one list of links. `done
--note` and `update --note` write to the same list through `add_note`. Notes
and links are named by their row id (`note edit 12`, `link rm 3`): the id is
what `note list`, `link list` and `show` print, and what undo restores.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack.errors import InputError
from coursetrack.refs import Target
from coursetrack.services.figures import WHEN_SET, as_data
from coursetrack.store import notes as store
from coursetrack.validate import checked

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer


def _kind(item: Any) -> str:
    """Which kind of item `item` is (a row or a model): a topic hangs under a course,
    a course under a specialization."""
    if hasattr(item, "course_id"):
        return "topic"
    if hasattr(item, "specialization_id"):
        return "course"
    return "specialization"


#: The blank lines at a note's end (spaces and tabs on them too): all a note loses.
_TRAILING_BLANK_LINES = re.compile(r"(?:\r?\n[ \t]*)+\Z")


def note_text(text: str) -> str:
    """A note's text as stored, or why it cannot be: the one check for adding and editing.

    Kept as typed, but for its trailing blank lines: a note is Markdown, where a first
    line's indentation may be a code block and a space in a fence is the code's.
    """
    if not text.strip():
        raise InputError("the note is empty; write its text after the ref, in quotes")
    cleaned = _TRAILING_BLANK_LINES.sub("", text)
    checked("text", cleaned, what="the note")
    return cleaned


@dataclass
class NewNote:
    id: int
    written_on: dt.date
    text: str
    private: bool


def add_note(
    writer: Writer, *, item: Any, text: str, on: dt.date, private: bool = False
) -> NewNote:
    """Append a note, dated `on`, to the item's list (`item`: a specialization, course
    or topic, as `refs.resolve` gives it).

    A private note is the learner's alone: in a study group the others never
    read it (row-level security), and no shared page or post shows it.
    """
    cleaned = note_text(text)
    note_id = store.insert_note(
        writer, kind=_kind(item), item_id=item.id, written_on=on, text=cleaned, private=private
    )
    return NewNote(note_id, on, cleaned, private)


@dataclass
class Noted:
    """What `note REF TEXT` did: the note, on the item `ref`, which now has `notes`."""

    ref: str
    written_on: dt.date
    text: str
    private: bool
    notes: int


def note_item(writer: Writer, *, ref: str, text: str, on: dt.date, private: bool = False) -> Noted:
    """`note REF TEXT`: add a note to the item `ref` names (see `add_note`)."""
    from coursetrack.refs import resolve

    target = resolve(writer, ref)
    added = add_note(writer, item=target.item, text=text, on=on, private=private)
    count = store.count_notes(writer, kind=target.kind, item_id=target.item.id)
    return Noted(target.ref, added.written_on, added.text, private, count)


@dataclass
class Linked:
    """What `link REF URL` did: `added`, `retitled` or `unchanged` (the URL was kept)."""

    ref: str
    action: str
    url: str
    title: str | None
    added_on: dt.date


def link_item(writer: Writer, *, ref: str, url: str, title: str | None, on: dt.date) -> Linked:
    """Keep a link on the item `ref` names; the same URL twice is kept once (with the
    newer title)."""
    from coursetrack.refs import resolve

    target = resolve(writer, ref)
    kind, item_id = target.kind, target.item.id
    url = checked("link_url", url.strip(), what="the URL")
    title = title.strip() or None if title is not None else None
    if title is not None:
        checked("title", title, what="--title")
    existing = store.link_by_url(writer, kind=kind, item_id=item_id, url=url)
    if existing is not None:
        if title is not None and title != existing.title:
            store.retitle_link(writer, link_id=existing.id, title=title)
            return Linked(target.ref, "retitled", existing.url, title, existing.added_on)
        return Linked(target.ref, "unchanged", existing.url, existing.title, existing.added_on)
    store.insert_link(writer, kind=kind, item_id=item_id, url=url, title=title, added_on=on)
    return Linked(target.ref, "added", url, title, on)


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
    #: kept from the group and the post (`note --private`): shown marked, and in JSON
    #: only when true
    private: bool = field(default=False, metadata={WHEN_SET: True})

    def to_dict(self) -> dict:
        return as_data(self)


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
    return NoteRow(r.id, _ref(r), r.written_on, r.text, bool(r.private))


def _link_row(r: Row) -> LinkRow:
    return LinkRow(r.id, _ref(r), r.url, r.title, r.added_on)


#: Per table: the row type made.
_KINDS = {"note": _note_row, "link": _link_row}


def _listed(source: Reader, kind: str, target: Target | None) -> list:
    rows = store.listed(
        source,
        table=kind,
        kind=target.kind if target is not None else None,
        item_id=target.item.id if target is not None else None,
    )
    return [_KINDS[kind](r) for r in rows]


def list_notes(source: Reader, *, target: Target | None) -> list[NoteRow]:
    """Notes on `target` and every item under it (None: all), oldest first."""
    return _listed(source, "note", target)


def list_links(source: Reader, *, target: Target | None) -> list[LinkRow]:
    """Links on `target` and every item under it (None: all), in the order added."""
    return _listed(source, "link", target)


@dataclass
class Listing:
    """`note list`/`link list`: the rows, and the canonical ref of the item asked for."""

    rows: list
    base: str | None


def listing(reader: Reader, *, kind: str, ref: str | None) -> Listing:
    """The notes (`kind` "note") or links under the item `ref` names (None: all)."""
    from coursetrack.refs import read_target

    target = read_target(reader, ref) if ref is not None else None
    return Listing(_listed(reader, kind, target), target.ref if target is not None else None)


def parse_id(value: str, noun: str) -> int:
    """A row id as the user typed it: `12` or `#12`."""
    digits = value.strip().removeprefix("#")
    if not digits.isascii() or not digits.isdigit():
        raise InputError(
            f"{noun} id {value!r} is not a number; "
            f"'coursetrack {noun} list' shows each {noun} with its id"
        )
    return int(digits)


def _one(reader: Reader, kind: str, row_id: int):
    row = None
    if row_id <= _MAX_ID:
        row = store.one_listed(reader, table=kind, row_id=row_id)
    if row is None:
        raise InputError(f"there is no {kind} #{row_id}; 'coursetrack {kind} list' shows the ids")
    return _KINDS[kind](row)


def edit_note(writer: Writer, *, note_id: int, text: str, on: dt.date | None = None) -> NoteRow:
    """Replace a note's text (and, with `on`, its date), checked as a new note is."""
    before = _one(writer, "note", note_id)
    cleaned = note_text(text)
    store.update_note(writer, note_id=note_id, text=cleaned, written_on=on)
    when = on if on is not None else before.written_on
    return NoteRow(before.id, before.ref, when, cleaned, before.private)


def _remove(writer: Writer, kind: str, ids: list[int]) -> list:
    """Delete the rows named, all or none: an unknown id changes nothing."""
    rows = [_one(writer, kind, i) for i in dict.fromkeys(ids)]
    store.delete_rows(writer, table=kind, ids=[row.id for row in rows])
    return rows


def remove_notes(writer: Writer, *, note_ids: list[int]) -> list[NoteRow]:
    return _remove(writer, "note", note_ids)


def remove_links(writer: Writer, *, link_ids: list[int]) -> list[LinkRow]:
    return _remove(writer, "link", link_ids)
