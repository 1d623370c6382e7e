"""`coursetrack show REF`: everything the store knows about one item.

A course lists its topics with their notes, a specialization its courses. What
is read is bounded (the newest `SHOW_NOTES` notes and `SHOW_LINKS` links of the
item, the newest `SHOW_CHILD_NOTES` of each topic, with counts of the rest), so
an item with thousands of notes prints as quickly as one with none;
`note list REF` and `link list REF` give everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlalchemy import text
from sqlmodel import Session

from coursetrack.models import Link, Note
from coursetrack.refs import resolve
from coursetrack.services import status as status_service
from coursetrack.services.notes import count_of, links_of, notes_of
from coursetrack.services.planning import goal_of
from coursetrack.services.review import due_count, schedule_of

SHOW_NOTES = 20
SHOW_LINKS = 20
SHOW_CHILD_NOTES = 3


@dataclass
class NoteEntry:
    id: int
    written_on: dt.date | None  # None: a note kept from before notes were dated
    text: str


@dataclass
class LinkEntry:
    id: int
    url: str
    title: str | None
    added_on: dt.date


@dataclass
class Child:
    """A course of a specialization, or a topic of a course (with its newest notes)."""

    position: int
    ref: str
    title: str
    status: str
    units_done: int
    units_total: int
    completed_on: dt.date | None
    notes: list[NoteEntry] | None = None
    notes_total: int | None = None


@dataclass
class ReviewState:
    due_on: dt.date
    due: bool  # due today or earlier
    interval_days: int
    reviews: list[dict] = field(default_factory=list)


@dataclass
class Details:
    kind: str
    ref: str
    title: str
    description: str | None
    url: str | None
    status: str
    started_on: dt.date | None
    completed_on: dt.date | None
    units_done: int
    units_total: int
    percent: float
    certificate_url: str | None
    notes: list[NoteEntry]
    links: list[LinkEntry]
    notes_total: int = 0
    links_total: int = 0
    children: list[Child] | None = None
    position: int | None = None
    provider: str | None = None
    goal_on: dt.date | None = None
    course: dict | None = None
    reviews_due: int | None = None
    review: ReviewState | None = None

    def to_dict(self) -> dict:
        """JSON: every field, except those that do not apply to this kind of item."""
        data = asdict(self)
        kind_only = {
            "position": ("course", "topic"),
            "provider": ("specialization",),
            "goal_on": ("specialization",),
            "course": ("topic",),
            "reviews_due": ("specialization", "course"),
            "review": ("topic",),
            "children": ("specialization", "course"),
        }
        for key, kinds in kind_only.items():
            if self.kind not in kinds:
                del data[key]
        return data


def show_item(session: Session, *, ref: str, today: dt.date) -> Details:
    target = resolve(session, ref)
    item = target.item
    notes = [
        NoteEntry(n.id, n.written_on, n.text) for n in notes_of(session, item, newest=SHOW_NOTES)
    ]
    links = [
        LinkEntry(x.id, x.url, x.title, x.added_on)
        for x in links_of(session, item, newest=SHOW_LINKS)
    ]
    common = {
        "kind": target.kind,
        "ref": target.ref,
        "title": item.title,
        "description": item.description,
        "url": item.url,
        "notes": notes,
        "notes_total": count_of(session, Note, item) if len(notes) == SHOW_NOTES else len(notes),
        "links": links,
        "links_total": count_of(session, Link, item) if len(links) == SHOW_LINKS else len(links),
    }
    if target.kind == "specialization":
        report = status_service.specialization_report(session, target)
        extra = {
            "provider": target.specialization.provider,
            "goal_on": goal_of(session, ref=target.ref).target_on,
            "reviews_due": due_count(session, target, today),
            "children": _children(report, target.ref),
        }
    elif target.kind == "course":
        report = status_service.course_report(session, target)
        children = _children(report, target.ref)
        _attach_topic_notes(session, target.course.id, children)
        extra = {
            "position": target.course.position,
            "reviews_due": due_count(session, target, today),
            "children": children,
        }
    else:
        report = status_service.topic_report(session, target)
        course = target.course
        schedule = schedule_of(session, target.topic)
        extra = {
            "position": target.topic.position,
            "course": {
                "ref": f"{target.specialization.slug}/{course.slug}",
                "position": course.position,
                "title": course.title,
            },
            "review": None
            if schedule is None
            else ReviewState(
                due_on=schedule.due_on,
                due=schedule.due_on <= today,
                interval_days=schedule.interval_days,
                reviews=[asdict(r) for r in schedule.reviews],
            ),
        }
    return Details(
        **common,
        status=str(report.status),
        started_on=report.started_on,
        completed_on=report.completed_on,
        units_done=report.units_done,
        units_total=report.units_total,
        percent=report.percent,
        certificate_url=getattr(item, "certificate_url", None),
        **extra,
    )


def _children(report, ref: str) -> list[Child]:
    return [
        Child(
            position=item.position,
            ref=f"{ref}/{item.slug}",
            title=item.title,
            status=str(item.status),
            units_done=item.units_done,
            units_total=item.units_total,
            completed_on=item.completed_on,
        )
        for item in report.items
    ]


#: The newest notes of each topic of a course, and how many each has: per topic, a
#: bounded sort (ORDER BY ... LIMIT) and an index-only count, never every note's text.
_TOPIC_NOTES = """
SELECT t.slug AS topic_slug, n.id AS id, n.written_on AS written_on, n.text AS text,
       (SELECT count(*) FROM note c WHERE c.topic_id = t.id) AS total
FROM topic t
JOIN note n ON n.id IN (
    SELECT k.id FROM note k WHERE k.topic_id = t.id
    ORDER BY k.written_on DESC, k.id DESC LIMIT :keep
)
WHERE t.course_id = :course
ORDER BY t.position, n.written_on, n.id
"""


def _attach_topic_notes(session: Session, course_id: int, children: list[Child]) -> None:
    by_slug = {child.ref.rsplit("/", 1)[1]: child for child in children}
    for child in children:
        child.notes, child.notes_total = [], 0
    rows = session.connection().execute(
        text(_TOPIC_NOTES), {"course": course_id, "keep": SHOW_CHILD_NOTES}
    )
    for row in rows:
        child = by_slug[row.topic_slug]
        written = row.written_on
        if isinstance(written, str):
            written = dt.date.fromisoformat(written)
        child.notes.append(NoteEntry(row.id, written, row.text))
        child.notes_total = row.total
