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
from typing import TYPE_CHECKING

from coursetrack import rubrics
from coursetrack.refs import read_target
from coursetrack.services import overview as status_service
from coursetrack.services.figures import DONE, WHEN_SET, HasProgress, Progress, progress_of
from coursetrack.services.schedule import ReviewRecord, Schedule, due_count, schedule_from
from coursetrack.store import notes, queries

if TYPE_CHECKING:
    from coursetrack.services.overview import ItemProgress, Report
    from coursetrack.store.reader import Reader

SHOW_NOTES = 20
SHOW_LINKS = 20
SHOW_CHILD_NOTES = 3


@dataclass
class NoteEntry:
    id: int
    written_on: dt.date | None  # None: a note kept from before notes were dated
    text: str
    #: kept from the group and the post (`note --private`); in JSON only when true
    private: bool = field(default=False, metadata={WHEN_SET: True})


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
class Details(HasProgress):
    kind: str
    ref: str
    title: str
    description: str | None
    url: str | None
    progress: Progress
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
    #: what a peer review scores on this course or topic (`rubrics`); in JSON only when set
    rubric: list[dict] | None = field(default=None, metadata={WHEN_SET: True})

    FIGURES_ORDER = ("status", "started_on", "completed_on", "units_done", "units_total", "percent")

    def to_dict(self) -> dict:
        """JSON: every field, except those that do not apply to this kind of item."""
        data = super().to_dict()
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


def show_item(reader: Reader, *, ref: str, today: dt.date) -> Details:
    target = read_target(reader, ref)
    item = target.item
    kind, item_id = target.kind, item.id
    newest_notes = notes.newest_notes(reader, kind=kind, item_id=item_id, limit=SHOW_NOTES)
    note_entries = [
        NoteEntry(n.id, n.written_on, n.text, bool(n.private)) for n in reversed(newest_notes)
    ]
    newest_links = notes.newest_links(reader, kind=kind, item_id=item_id, limit=SHOW_LINKS)
    links = [LinkEntry(x.id, x.url, x.title, x.added_on) for x in reversed(newest_links)]
    if len(note_entries) == SHOW_NOTES:
        notes_total = notes.count_notes(reader, kind=kind, item_id=item_id)
    else:
        notes_total = len(note_entries)
    if len(links) == SHOW_LINKS:
        links_total = notes.count_links(reader, kind=kind, item_id=item_id)
    else:
        links_total = len(links)
    common = {
        "kind": target.kind,
        "ref": target.ref,
        "title": item.title,
        "description": item.description,
        "url": item.url,
        "notes": note_entries,
        "notes_total": notes_total,
        "links": links,
        "links_total": links_total,
    }
    report: Report | ItemProgress
    if target.kind == "specialization":
        from coursetrack.services.goals import goal_on  # a course or topic has no goal

        report = status_service.specialization_report(reader, target)
        extra = {
            "provider": target.specialization.provider,
            "goal_on": goal_on(reader, target.specialization.id),
            "reviews_due": due_count(reader, target, today),
            "children": _children(report, target.ref),
        }
    elif target.kind == "course":
        assert target.course is not None  # what its kind says
        report = status_service.course_report(reader, target)
        children = _children(report, target.ref)
        _attach_topic_notes(reader, target.course.id, children)
        extra = {
            "position": target.course.position,
            "reviews_due": due_count(reader, target, today),
            "children": children,
        }
    else:
        report = status_service.topic_report(reader, target)
        course = target.course
        assert course is not None and target.topic is not None  # what its kind says
        schedule = _schedule(reader, target.topic.id)
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
        progress=report.progress,
        certificate_url=item.get("certificate_url"),
        rubric=rubrics.read(item.get("rubric")),
        **extra,
    )


def _schedule(reader: Reader, topic_id: int) -> Schedule | None:
    """A topic's review schedule, or None if it is not done (as `review.schedule_of`)."""
    progress = progress_of(reader, "topic", topic_id)
    if progress is None or progress.status != DONE or progress.completed_on is None:
        return None
    reviews = [
        ReviewRecord(r.reviewed_on, r.grade, r.interval_days, r.due_on)
        for r in reader.all(queries.REVIEWS_OF_TOPIC, topic_id=topic_id)
    ]
    return schedule_from(progress.completed_on, reviews)


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


def _attach_topic_notes(reader: Reader, course_id: int, children: list[Child]) -> None:
    by_slug = {child.ref.rsplit("/", 1)[1]: child for child in children}
    for child in children:
        child.notes, child.notes_total = [], 0
    rows = notes.topic_notes(reader, course_id=course_id, keep=SHOW_CHILD_NOTES)
    for row in rows:
        child = by_slug[row.topic_slug]
        assert child.notes is not None  # made a list above, for every child
        child.notes.append(NoteEntry(row.id, row.written_on, row.text, bool(row.private)))
        child.notes_total = row.total
