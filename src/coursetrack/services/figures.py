"""The learner's state of an item: its progress row.

Reads take a `Reader` (plain rows, sqlite3 alone on SQLite). The status names
are the values of `models.Status`, kept here as plain strings so a read needs
no SQLModel (a test checks they agree); `store.progress` writes the same words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.store import progress as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

TODO = store.TODO
IN_PROGRESS = store.IN_PROGRESS
DONE = store.DONE

#: The progress column that points at each kind of item.
OWNER = store.OWNER


def progress_of(reader: Reader, kind: str, item_id: int) -> Row | None:
    """The progress row (status, started_on, completed_on) of an item, if it has one."""
    return store.progress_of(reader, kind=kind, item_id=item_id)
