"""What the shareable HTML page shows: the post's facts, the burn-up and public notes.

Courses, percentages and dates come from `services.export.post_data` (itself
built on `status`), the weekly series from `services.chart`; this adds the
learner's notes as one dated list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.errors import ExportError
from coursetrack.refs import Target, read_target

if TYPE_CHECKING:
    from coursetrack.services.chart import Burnup
    from coursetrack.services.export import PostData
    from coursetrack.store.reader import Reader


@dataclass
class PageNote:
    written_on: dt.date
    about: str  # the title of the specialization, course or topic it is written on
    text: str


@dataclass
class PageData:
    post: PostData
    chart: Burnup
    notes: list[PageNote]


def public_notes(reader: Reader, spec_id: int) -> list[PageNote]:
    """The notes a shared page may show, oldest first.

    A private note (`note --private`) is left out, by the store's one rule
    (`store.notes.shared_note`).
    """
    from coursetrack.store import notes

    rows = notes.page_notes(reader, spec_id=spec_id)
    return [PageNote(row.written_on, row.about, row.text) for row in rows]


def page_target(reader: Reader, ref: str) -> Target:
    """The specialization a page shows; a course or topic is refused with an example.

    Read first, alone: `export html` refuses a taken destination after this and
    before reading the page (whose services it imports only then) or drawing it.
    """
    target = read_target(reader, ref)
    if target.kind != "specialization":
        raise ExportError(
            f"{ref!r} is a {target.kind}; a page shows a whole specialization, "
            f"e.g. coursetrack export html {target.specialization.slug}"
        )
    return target


def page_data(reader: Reader, *, ref: str, today: dt.date) -> PageData:
    """What `export html` shows, in one read (sqlite3 alone on SQLite)."""
    from coursetrack.services.chart import burnup
    from coursetrack.services.export import post_data

    spec = page_target(reader, ref).specialization
    return PageData(
        post=post_data(reader, spec.slug),
        chart=burnup(reader, ref=spec.slug, today=today),
        notes=public_notes(reader, spec.id),
    )
