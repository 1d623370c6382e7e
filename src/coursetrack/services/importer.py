"""Importing a catalog into the store.

Items are matched by slug, so importing the same file again is harmless:
titles, descriptions and urls are refreshed, new courses and topics are added,
and progress is never touched. Items the file no longer lists are reported and
kept, unless the caller asks to prune them. A field the file leaves out keeps
its stored value (a certificate URL the learner recorded survives a re-import).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from coursetrack.catalog import CatalogSpec, CourseSpec, TopicSpec
from coursetrack.errors import ConflictError
from coursetrack.models import Course, Specialization, Status, Topic, described_by
from coursetrack.models import Progress as ProgressRow  # `Progress` here is the callback
from coursetrack.store import group
from coursetrack.validate import URL_RULES, field_problem

#: Told (courses merged so far, courses in the catalog) as the import goes.
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    slug: str
    title: str
    created: bool
    courses: int
    topics: int
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.added or self.updated or self.removed)


def _refreshed(model: type) -> tuple[str, ...]:
    """What a re-import copies onto a stored row: what the models say describes it, less
    the slug it is matched by."""
    return tuple(name for name in described_by(model) if name != "slug")


_SPEC_FIELDS = _refreshed(Specialization)
_COURSE_FIELDS = _refreshed(Course)
_TOPIC_FIELDS = _refreshed(Topic)


def _refresh(row: object, source: object, names: tuple[str, ...]) -> list[str]:
    """Copy the fields the file gives onto the row; the names that changed.

    A stored URL that breaks today's rule (a `javascript:` one imported from a
    hostile catalog by an older coursetrack) is dropped even where the file
    gives none: re-importing the genuine catalog must not leave it behind.
    """
    changed = []
    for name in names:
        value = getattr(source, name)
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed + _drop_unsafe_urls(row, names)


def _drop_unsafe_urls(row: object, names: tuple[str, ...]) -> list[str]:
    """Clear stored URLs that today's rule refuses; what was removed, for the report."""
    dropped = []
    for name in names:
        stored = getattr(row, name) if name in URL_RULES else None
        if stored is not None and field_problem(name, stored) is not None:
            setattr(row, name, None)
            dropped.append(f"{name} removed: not a safe URL")
    return dropped


def import_catalog(
    session: Session,
    *,
    catalog: CatalogSpec,
    prune: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Merge one catalog into the store inside the caller's transaction.

    New courses and topics are inserted in bulk (one executemany per level, not
    one ORM object each): the history triggers still record every row.
    In a study group only a curator may import, and `--prune` never deletes an
    item other learners keep records on.
    """
    group.require_curator(session.connection(), f"import {catalog.slug}")
    spec = session.exec(select(Specialization).where(Specialization.slug == catalog.slug)).first()
    created = spec is None
    if spec is None:
        spec = Specialization(slug=catalog.slug, title=catalog.title)
        session.add(spec)
    spec_changes = _refresh(spec, catalog, _SPEC_FIELDS)
    session.flush()
    report = ImportReport(
        slug=spec.slug,
        title=spec.title,
        created=created,
        courses=len(catalog.courses),
        topics=sum(len(c.topics) for c in catalog.courses),
    )
    if spec_changes and not created:
        report.updated.append(f"{spec.slug} ({', '.join(spec_changes)})")

    existing = {
        c.slug: c
        for c in session.exec(select(Course).where(Course.specialization_id == spec.id)).all()
    }
    course_ids = _merge_children(
        session,
        report,
        wanted=catalog.courses,
        existing=existing,
        prefix=spec.slug,
        model=Course,
        parent={"specialization_id": spec.id},
        fields=_COURSE_FIELDS,
        kind="courses",
        prune=prune,
        created=created,
    )
    # Every stored topic of the specialization in one query, not one per course.
    stored: dict[int, dict[str, Topic]] = {}
    if existing:
        in_spec = select(Course.id).where(Course.specialization_id == spec.id)
        for topic in session.exec(select(Topic).where(Topic.course_id.in_(in_spec))).all():  # type: ignore[union-attr]
            stored.setdefault(topic.course_id, {})[topic.slug] = topic
    finished_alone = _done_courses_without_topics(session, set(course_ids.values()) - set(stored))
    # A course that gains its first topics is done by its topics from then on. This
    # learner's whole-course `done` is carried into them below; another learner's
    # cannot be (their rows are theirs): in a study group that import is refused.
    gaining = [
        course_ids[c.slug] for c in catalog.courses if c.topics and course_ids[c.slug] not in stored
    ]
    others = group.others_finished(session.connection(), gaining)
    if others:
        count = f"{len(others)} other learner" + ("s" if len(others) != 1 else "")
        raise ConflictError(
            f"import {catalog.slug} would give courses that {count} ({', '.join(others[:5])}) "
            "finished as a whole their first topics, and their records would no longer count "
            "them done; nothing was changed (add the topics to a new course instead)"
        )
    total = len(catalog.courses)
    for done, course_spec in enumerate(catalog.courses, start=1):
        course_id = course_ids[course_spec.slug]
        _merge_children(
            session,
            report,
            wanted=course_spec.topics,
            existing=stored.get(course_id, {}),
            prefix=f"{spec.slug}/{course_spec.slug}",
            model=Topic,
            parent={"course_id": course_id},
            fields=_TOPIC_FIELDS,
            kind="topics",
            prune=prune,
            created=created,
        )
        if course_id in finished_alone and course_spec.topics:
            _carry_done_into_topics(session, course_id, finished_alone[course_id])
            report.updated.append(
                f"{spec.slug}/{course_spec.slug} (its new topics are done, as the course was)"
            )
        if progress is not None:
            progress(done, total)
    session.flush()
    return report


def _done_courses_without_topics(session: Session, course_ids: set[int]) -> dict[int, ProgressRow]:
    """Courses that had no topics and were marked done themselves, with that progress."""
    if not course_ids:
        return {}
    rows = session.exec(
        select(ProgressRow).where(
            col(ProgressRow.course_id).in_(course_ids), ProgressRow.status == Status.DONE
        )
    ).all()
    return {row.course_id: row for row in rows}


def _carry_done_into_topics(session: Session, course_id: int, done: ProgressRow) -> None:
    """A finished course that gains topics stays finished: its units are now the topics."""
    session.flush()
    for topic_id in session.exec(select(Topic.id).where(Topic.course_id == course_id)).all():
        session.add(
            ProgressRow(
                topic_id=topic_id,
                status=Status.DONE,
                started_on=done.started_on,
                completed_on=done.completed_on,
            )
        )


def _merge_children(
    session: Session,
    report: ImportReport,
    *,
    wanted: list[CourseSpec] | list[TopicSpec],
    existing: dict,
    prefix: str,
    model: type[Course] | type[Topic],
    parent: dict[str, int],
    fields: tuple[str, ...],
    kind: str,
    prune: bool,
    created: bool,
) -> dict[str, int]:
    """Match `wanted` to `existing` by slug; returns the ids of the wanted rows by slug.

    The file's items take positions 1..N in its order; kept items the file no
    longer lists follow them in their old order. When the file lists stored
    items in another order, the parent is reported as updated: positional refs
    (dls/2) now name other items.
    """
    listed = {item.slug for item in wanted}
    old_order = [r.slug for r in sorted(existing.values(), key=lambda r: r.position)]
    if [slug for slug in old_order if slug in listed] != [
        item.slug for item in wanted if item.slug in existing
    ]:
        report.updated.append(f"{prefix} (order of {kind})")
    rows = {}
    fresh: list[dict] = []
    for position, item in enumerate(wanted, start=1):
        row = existing.get(item.slug)
        if row is None:
            values = {**parent, "position": position, "slug": item.slug, "title": item.title}
            for name in fields:  # every key in every row: one Core executemany takes them
                values[name] = getattr(item, name)
            fresh.append(values)
            if not created:
                report.added.append(f"{prefix}/{item.slug}")
            continue
        changes = _refresh(row, item, fields)
        if changes:
            report.updated.append(f"{prefix}/{item.slug} ({', '.join(changes)})")
        row.position = position
        session.add(row)
        rows[item.slug] = row
    listed_count = len(wanted)
    leftovers = sorted(
        (row for slug, row in existing.items() if slug not in listed), key=lambda r: r.position
    )
    if prune and leftovers:
        ids = [row.id for row in leftovers]
        others = group.others_recorded(
            session.connection(),
            courses=ids if model is Course else [],
            topics=ids if model is Topic else [],
        )
        if model is Course and not others:
            under = select(Topic.id).where(col(Topic.course_id).in_(ids))
            others = group.others_recorded(session.connection(), topics=session.exec(under).all())
        if others:
            gone = ", ".join(f"{prefix}/{row.slug}" for row in leftovers)
            raise ConflictError(group.others_message(f"import --prune removing {gone}", others))
    for offset, row in enumerate(leftovers, start=listed_count + 1):
        if prune:
            session.delete(row)
            report.removed.append(f"{prefix}/{row.slug}")
        else:
            row.position = offset
            session.add(row)
            report.missing.append(f"{prefix}/{row.slug}")
            dropped = _drop_unsafe_urls(row, fields)
            if dropped:
                report.updated.append(f"{prefix}/{row.slug} ({', '.join(dropped)})")
    session.flush()
    ids = {slug: row.id for slug, row in rows.items()}
    if fresh:
        session.connection().execute(model.__table__.insert(), fresh)  # Core: half the time
        if model is Course:  # the topics' parent ids
            query = select(Course.id, Course.slug).where(
                Course.specialization_id == parent["specialization_id"]
            )
            ids.update({slug: row_id for row_id, slug in session.exec(query).all()})
    return ids
