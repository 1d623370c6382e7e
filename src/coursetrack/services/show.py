"""`coursetrack show REF`: everything the store knows about one item."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlmodel import Session

from coursetrack.refs import resolve
from coursetrack.services import status as status_service
from coursetrack.services.notes import links_of, notes_of
from coursetrack.services.planning import goal_of
from coursetrack.services.review import due_count, schedule_of


@dataclass
class NoteEntry:
    written_on: dt.date | None  # None: a note kept from before notes were dated
    text: str


@dataclass
class LinkEntry:
    url: str
    title: str | None
    added_on: dt.date


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
        }
        for key, kinds in kind_only.items():
            if self.kind not in kinds:
                del data[key]
        return data


def show_item(session: Session, *, ref: str, today: dt.date) -> Details:
    target = resolve(session, ref)
    item = target.item
    notes = [NoteEntry(n.written_on, n.text) for n in notes_of(session, item)]
    common = {
        "kind": target.kind,
        "ref": target.ref,
        "title": item.title,
        "description": item.description,
        "url": item.url,
        "notes": notes,
        "links": [LinkEntry(x.url, x.title, x.added_on) for x in links_of(session, item)],
    }
    if target.kind == "specialization":
        report = status_service.specialization_report(session, target)
        extra = {
            "provider": target.specialization.provider,
            "goal_on": goal_of(session, ref=target.ref).target_on,
            "reviews_due": due_count(session, target, today),
        }
    elif target.kind == "course":
        report = status_service.course_report(session, target)
        extra = {
            "position": target.course.position,
            "reviews_due": due_count(session, target, today),
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
