"""Recording progress: start, done, reopen.

Only units (topics, and courses without topics) carry a status. Marking a
course or a specialization done marks its open units done; reopening one
reopens its done units. Each function resolves every ref before it changes
anything, and runs inside the caller's single write transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, TextClause, bindparam, text
from sqlmodel import Session, select

from coursetrack.dates import today
from coursetrack.errors import InputError
from coursetrack.models import Course, Status, Topic
from coursetrack.refs import Target, resolve
from coursetrack.services.state import ensure_progress


@dataclass
class Change:
    """What one ref's command did: `changed` units, and a word for the rest."""

    ref: str
    title: str
    action: str
    changed: int
    unchanged: int = 0


def _scopes(target: Target) -> list[tuple[str, str, dict]]:
    """The units under a target as SQL: (progress column, query of unit ids, params).

    Units are topics, and courses that have none. Done and reopen work on the
    whole set at once, so a program of 100,000 topics is a few statements under
    the write lock rather than 100,000 round trips.
    """
    topicless = "NOT EXISTS (SELECT 1 FROM topic WHERE topic.course_id = course.id)"
    if target.topic is not None:
        return [("topic_id", "SELECT :id AS id", {"id": target.topic.id})]
    if target.course is not None:
        params = {"id": target.course.id}
        return [
            ("topic_id", "SELECT id FROM topic WHERE course_id = :id", params),
            ("course_id", f"SELECT id FROM course WHERE id = :id AND {topicless}", params),
        ]
    params = {"id": target.specialization.id}
    return [
        (
            "topic_id",
            "SELECT topic.id FROM topic JOIN course ON course.id = topic.course_id "
            "WHERE course.specialization_id = :id",
            params,
        ),
        (
            "course_id",
            f"SELECT id FROM course WHERE specialization_id = :id AND {topicless}",
            params,
        ),
    ]


def _title(session: Session, column: str, unit_id: int) -> str:
    model = Topic if column == "topic_id" else Course
    item = session.get(model, unit_id)
    return item.title if item is not None else "?"


def _unit_ref(target: Target, column: str, unit_id: int, title: str) -> str:
    """How a message names one unit under the ref the user gave."""
    if target.item.id == unit_id and (column == "topic_id") == (target.kind == "topic"):
        return target.ref
    return f"{title!r} in {target.ref}"


def _dated(sql: str) -> TextClause:
    """`sql` with `:on` bound as a date: PostgreSQL needs the type where `:on` is a
    value of its own (a CASE, an INSERT's SELECT list); SQLite gets the same ISO text."""
    return text(sql).bindparams(bindparam("on", type_=Date))


def mark_done(
    session: Session, *, refs: list[str], on: dt.date | None, note: str | None = None
) -> list[Change]:
    """Mark every open unit under each ref done on `on` (None: today, see `not_before`)."""
    targets = [resolve(session, ref, models=True) for ref in refs]
    conn = session.connection()
    day = on or today()
    # a day left out is today, but never before the unit's start (see `dates.not_before`)
    completed = (
        ":on" if on is not None else "CASE WHEN started_on > :on THEN started_on ELSE :on END"
    )
    changes = []
    for target in targets:
        session.flush()
        changed = unchanged = 0
        for column, units, params in _scopes(target):
            args = {**params, "on": day, "done": Status.DONE.value}
            early = (
                on is not None
                and conn.execute(
                    _dated(
                        f"SELECT {column}, started_on FROM progress WHERE {column} IN ({units}) "
                        "AND status != :done AND started_on > :on ORDER BY started_on DESC LIMIT 1"
                    ),
                    args,
                ).first()
            )
            if early:
                unit = _unit_ref(target, column, early[0], _title(session, column, early[0]))
                raise InputError(
                    f"--on {on} is before {unit} was started ({early[1]}); "
                    "give a later date, or fix the start first"
                )
            unchanged += conn.execute(
                text(
                    f"SELECT count(*) FROM progress WHERE {column} IN ({units}) AND status = :done"
                ),
                args,
            ).scalar_one()
            changed += conn.execute(
                _dated(
                    f"UPDATE progress SET status = :done, completed_on = {completed} "
                    f"WHERE {column} IN ({units}) AND status != :done"
                ),
                args,
            ).rowcount
            changed += conn.execute(
                _dated(
                    f"INSERT INTO progress ({column}, status, completed_on) "
                    f"SELECT unit.id, :done, :on FROM ({units}) AS unit "
                    f"WHERE NOT EXISTS (SELECT 1 FROM progress WHERE {column} = unit.id) "
                    "ORDER BY unit.id"
                ),
                args,
            ).rowcount
        session.expire_all()  # Progress rows loaded before are stale now
        if note is not None:
            # imported here: notes (and their validation) cost a write without --note
            from coursetrack.services.notes import add_note

            add_note(session, item=target.item, text=note, on=on or today())
        changes.append(Change(target.ref, target.item.title, "done", changed, unchanged))
    session.flush()
    return changes


def start_items(session: Session, *, refs: list[str], on: dt.date) -> list[Change]:
    """Record that the learner started each ref on `on` (kept if already started)."""
    targets = [resolve(session, ref, models=True) for ref in refs]
    changes = []
    for target in targets:
        item = target.item
        row = ensure_progress(session, item)
        is_unit = target.kind == "topic" or (
            target.kind == "course" and not _has_topics(session, target.course)
        )
        # A course done as a unit keeps that record once it has topics: a start after it
        # would come after its completion (and its backup would not restore).
        if row.status == Status.DONE:
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
    targets = [resolve(session, ref, models=True) for ref in refs]
    session.flush()
    conn = session.connection()
    changes = []
    for target in targets:
        changed = units_total = 0
        for column, units, params in _scopes(target):
            args = {**params, "done": Status.DONE.value}
            if column == "topic_id":
                # Off the review ladder: reviews are of done topics (a backup holding
                # reviews of an unfinished topic is refused), and done again starts afresh.
                conn.execute(
                    text(
                        f"DELETE FROM review WHERE topic_id IN ({units}) AND topic_id IN "
                        "(SELECT topic_id FROM progress WHERE status = :done)"
                    ),
                    args,
                )
            units_total += conn.execute(
                text(f"SELECT count(*) FROM ({units}) AS unit"), params
            ).scalar_one()
            changed += conn.execute(
                text(
                    "UPDATE progress SET completed_on = NULL, status = CASE "
                    f"WHEN started_on IS NOT NULL THEN '{Status.IN_PROGRESS.value}' "
                    f"ELSE '{Status.TODO.value}' END "
                    f"WHERE {column} IN ({units}) AND status = :done"
                ),
                args,
            ).rowcount
        changes.append(
            Change(target.ref, target.item.title, "reopened", changed, units_total - changed)
        )
    session.expire_all()
    return changes


def _has_topics(session: Session, course: Course | None) -> bool:
    if course is None:
        return False
    return (
        session.exec(select(Topic.id).where(Topic.course_id == course.id).limit(1)).first()
        is not None
    )


@dataclass
class Finished:
    """A specialization whose last open unit a command just marked done."""

    ref: str
    title: str
    units: int


def finished_by(session: Session, changes: list[Change]) -> list[Finished]:
    """The specializations `mark_done` just finished: all their units are done now,
    and this command did at least one of them (not a repeat of a finished `done`)."""
    from coursetrack.models import Specialization
    from coursetrack.services.planning import unit_counts
    from coursetrack.store.reader import reader_of

    slugs = dict.fromkeys(c.ref.split("/")[0] for c in changes if c.changed)
    finished = []
    for slug in slugs:
        spec = session.exec(select(Specialization).where(Specialization.slug == slug)).first()
        if spec is None:
            continue
        counts = unit_counts(reader_of(session), spec.id)
        if counts.total and counts.done == counts.total:
            finished.append(Finished(spec.slug, spec.title, counts.total))
    return finished
