"""Importing a catalog into the store.

Items are matched by slug, so importing the same file again is harmless:
titles, descriptions and urls are refreshed, new courses and topics are added,
and progress is never touched. Items the file no longer lists are reported and
kept, unless the caller asks to prune them. A field the file leaves out keeps
its stored value (a certificate URL the learner recorded survives a re-import).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from coursetrack.catalog import CatalogSpec, CourseSpec, TopicSpec
from coursetrack.models import Course, Specialization, Topic


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


_SPEC_FIELDS = ("title", "provider", "url", "description", "certificate_url")
_COURSE_FIELDS = ("title", "description", "url", "certificate_url")
_TOPIC_FIELDS = ("title", "description", "url")


def _refresh(row: object, source: object, names: tuple[str, ...]) -> list[str]:
    """Copy the fields the file gives onto the row; the names that changed."""
    changed = []
    for name in names:
        value = getattr(source, name)
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def import_catalog(session: Session, *, catalog: CatalogSpec, prune: bool = False) -> ImportReport:
    """Merge one catalog into the store inside the caller's transaction."""
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
    kept = _merge_children(
        session,
        report,
        wanted=catalog.courses,
        existing=existing,
        prefix=spec.slug,
        new=lambda item, pos: Course(
            specialization_id=spec.id, position=pos, slug=item.slug, title=item.title
        ),
        fields=_COURSE_FIELDS,
        kind="courses",
        prune=prune,
        created=created,
    )
    for course_spec in catalog.courses:
        course = kept[course_spec.slug]
        topics = {
            t.slug: t for t in session.exec(select(Topic).where(Topic.course_id == course.id)).all()
        }
        _merge_children(
            session,
            report,
            wanted=course_spec.topics,
            existing=topics,
            prefix=f"{spec.slug}/{course.slug}",
            new=lambda item, pos, course=course: Topic(
                course_id=course.id, position=pos, slug=item.slug, title=item.title
            ),
            fields=_TOPIC_FIELDS,
            kind="topics",
            prune=prune,
            created=created,
        )
    session.flush()
    return report


def _merge_children(
    session: Session,
    report: ImportReport,
    *,
    wanted: list[CourseSpec] | list[TopicSpec],
    existing: dict,
    prefix: str,
    new,
    fields: tuple[str, ...],
    kind: str,
    prune: bool,
    created: bool,
) -> dict:
    """Match `wanted` to `existing` by slug; returns the rows by slug.

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
    for position, item in enumerate(wanted, start=1):
        row = existing.get(item.slug)
        is_new = row is None
        if is_new:
            row = new(item, position)
        changes = _refresh(row, item, fields)
        if is_new and not created:
            report.added.append(f"{prefix}/{item.slug}")
        elif not is_new and changes:
            report.updated.append(f"{prefix}/{item.slug} ({', '.join(changes)})")
        row.position = position
        session.add(row)
        rows[item.slug] = row
    leftovers = sorted(
        (row for slug, row in existing.items() if slug not in rows), key=lambda r: r.position
    )
    for offset, row in enumerate(leftovers, start=len(rows) + 1):
        if prune:
            session.delete(row)
            report.removed.append(f"{prefix}/{row.slug}")
        else:
            row.position = offset
            session.add(row)
            report.missing.append(f"{prefix}/{row.slug}")
    session.flush()
    return rows
