"""Recording progress: start, done, reopen.

Only units (topics, and courses without topics) carry a status. Marking a
course or a specialization done marks its open units done; reopening one
reopens its done units. Each function resolves every ref before it changes
anything, and runs inside the caller's single write transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session, select

from coursetrack.dates import not_before, today
from coursetrack.errors import InputError
from coursetrack.models import Course, Status, Topic
from coursetrack.refs import Target, courses_of, resolve
from coursetrack.services.notes import add_note
from coursetrack.services.state import ensure_progress, progress_of


@dataclass
class Change:
    """What one ref's command did: `changed` units, and a word for the rest."""

    ref: str
    title: str
    action: str
    changed: int
    unchanged: int = 0


def _units(session: Session, target: Target) -> Iterator[Course | Topic]:
    """The units under a target, in order: topics, or courses that have none."""
    if target.topic is not None:
        yield target.topic
        return
    for course in courses_of(session, target):
        topics = session.exec(
            select(Topic).where(Topic.course_id == course.id).order_by(Topic.position)
        ).all()
        if topics:
            yield from topics
        else:
            yield course


def _unit_ref(target: Target, unit: Course | Topic) -> str:
    """How a message names one unit under the ref the user gave."""
    return target.ref if unit is target.item else f"{unit.title!r} in {target.ref}"


def mark_done(
    session: Session, *, refs: list[str], on: dt.date | None, note: str | None = None
) -> list[Change]:
    """Mark every open unit under each ref done on `on` (None: today, see `not_before`)."""
    targets = [resolve(session, ref) for ref in refs]
    changes = []
    for target in targets:
        changed = unchanged = 0
        for unit in _units(session, target):
            row = ensure_progress(session, unit)
            if row.status == Status.DONE:
                unchanged += 1
                continue
            day = on if on is not None else not_before(row.started_on)
            if row.started_on is not None and day < row.started_on:
                raise InputError(
                    f"--on {day} is before {_unit_ref(target, unit)} was started "
                    f"({row.started_on}); give a later date, or fix the start first"
                )
            row.status = Status.DONE
            row.completed_on = day
            changed += 1
        if note is not None:
            add_note(session, item=target.item, text=note, on=on or today())
        changes.append(Change(target.ref, target.item.title, "done", changed, unchanged))
    session.flush()
    return changes


def start_items(session: Session, *, refs: list[str], on: dt.date) -> list[Change]:
    """Record that the learner started each ref on `on` (kept if already started)."""
    targets = [resolve(session, ref) for ref in refs]
    changes = []
    for target in targets:
        item = target.item
        row = ensure_progress(session, item)
        is_unit = target.kind == "topic" or (
            target.kind == "course" and not _has_topics(session, target.course)
        )
        if is_unit and row.status == Status.DONE:
            changes.append(Change(target.ref, item.title, "already done", 0, 1))
            continue
        if row.started_on is not None:
            changes.append(Change(target.ref, item.title, "already started", 0, 1))
            continue
        row.started_on = on
        if is_unit:
            row.status = Status.IN_PROGRESS
        changes.append(Change(target.ref, item.title, "started", 1))
    session.flush()
    return changes


def reopen_items(session: Session, *, refs: list[str]) -> list[Change]:
    """Undo `done` on every done unit under each ref."""
    targets = [resolve(session, ref) for ref in refs]
    changes = []
    for target in targets:
        changed = unchanged = 0
        for unit in _units(session, target):
            row = progress_of(session, unit)
            if row is None or row.status != Status.DONE:
                unchanged += 1
                continue
            row.status = Status.IN_PROGRESS if row.started_on else Status.TODO
            row.completed_on = None
            changed += 1
        changes.append(Change(target.ref, target.item.title, "reopened", changed, unchanged))
    session.flush()
    return changes


def _has_topics(session: Session, course: Course | None) -> bool:
    if course is None:
        return False
    return (
        session.exec(select(Topic.id).where(Topic.course_id == course.id).limit(1)).first()
        is not None
    )
