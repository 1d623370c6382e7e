"""Recording progress: start, done, reopen.

Only units (topics, and courses without topics) carry a status. Marking a
course or a specialization done marks its open units done; reopening one
reopens its done units. Each function resolves every ref before it changes
anything, and runs inside the caller's single write transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.dates import today
from coursetrack.errors import InputError
from coursetrack.refs import Target, resolve
from coursetrack.store import notes as notes_store
from coursetrack.store import progress as store

if TYPE_CHECKING:
    from coursetrack.store.writer import Writer


@dataclass
class Change:
    """What one ref's command did: `changed` units, and a word for the rest."""

    ref: str
    title: str
    action: str
    changed: int
    unchanged: int = 0


def _unit_ref(target: Target, unit: store.EarlyUnit) -> str:
    """How a message names one unit under the ref the user gave."""
    if target.item.id == unit.unit_id and (unit.kind == "topic") == (target.kind == "topic"):
        return target.ref
    return f"{unit.title!r} in {target.ref}"


def mark_done(
    writer: Writer, *, refs: list[str], on: dt.date | None, note: str | None = None
) -> list[Change]:
    """Mark every open unit under each ref done on `on` (None: today, see `not_before`)."""
    targets = [resolve(writer, ref) for ref in refs]
    day = on or today()
    changes = []
    for target in targets:
        kind, item_id = target.kind, target.item.id
        early = on is not None and store.started_after(writer, kind=kind, item_id=item_id, on=on)
        if early:
            raise InputError(
                f"--on {on} is before {_unit_ref(target, early)} was started "
                f"({early.started_on}); give a later date, or fix the start first"
            )
        # a day left out is today, but never before the unit's start (see `dates.not_before`)
        changed, unchanged = store.mark_done(
            writer, kind=kind, item_id=item_id, on=day, not_before_start=on is None
        )
        if note is not None:
            # imported here: notes' validation costs a write without --note
            from coursetrack.services.notes import note_text

            notes_store.insert_note(
                writer, kind=kind, item_id=item_id, written_on=day, text=note_text(note)
            )
        changes.append(Change(target.ref, target.item.title, store.DONE, changed, unchanged))
    return changes


def start_items(writer: Writer, *, refs: list[str], on: dt.date) -> list[Change]:
    """Record that the learner started each ref on `on` (kept if already started)."""
    targets = [resolve(writer, ref) for ref in refs]
    changes = []
    for target in targets:
        item = target.item
        row = store.progress_row(writer, kind=target.kind, item_id=item.id)
        # A course done as a unit keeps that record once it has topics: a start after it
        # would come after its completion (and its backup would not restore).
        if row is not None and row.status == store.DONE:
            changes.append(Change(target.ref, item.title, "already done", 0, 1))
            continue
        if row is not None and row.started_on is not None:
            changes.append(Change(target.ref, item.title, "already started", 0, 1))
            continue
        is_unit = target.kind == "topic" or (
            target.kind == "course" and not store.has_topics(writer, item.id)
        )
        store.mark_started(
            writer,
            kind=target.kind,
            item_id=item.id,
            on=on,
            status=store.IN_PROGRESS if is_unit else None,
        )
        changes.append(Change(target.ref, item.title, "started", 1))
    return changes


def reopen_items(writer: Writer, *, refs: list[str]) -> list[Change]:
    """Undo `done` on every done unit under each ref."""
    targets = [resolve(writer, ref) for ref in refs]
    changes = []
    for target in targets:
        changed, total = store.reopen(writer, kind=target.kind, item_id=target.item.id)
        changes.append(Change(target.ref, target.item.title, "reopened", changed, total - changed))
    return changes


@dataclass
class Finished:
    """A specialization whose last open unit a command just marked done."""

    ref: str
    title: str
    units: int


def finished_by(writer: Writer, changes: list[Change]) -> list[Finished]:
    """The specializations `mark_done` just finished: all their units are done now,
    and this command did at least one of them (not a repeat of a finished `done`)."""
    slugs = dict.fromkeys(c.ref.split("/")[0] for c in changes if c.changed)
    finished = []
    for slug in slugs:
        spec = store.specialization_by_slug(writer, slug)
        if spec is None:
            continue
        counts = store.unit_counts(writer, spec.id)
        if counts.total and counts.done == counts.total:
            finished.append(Finished(spec.slug, spec.title, counts.total))
    return finished
