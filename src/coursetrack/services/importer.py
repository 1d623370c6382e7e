"""Importing a catalog into the store.

Items are matched by slug, so importing the same file again is harmless:
titles, descriptions and urls are refreshed, new courses and topics are added,
and progress is never touched. Items the file no longer lists are reported and
kept, unless the caller asks to prune them. A field the file leaves out keeps
its stored value (a certificate URL the learner recorded survives a re-import),
but a rubric, which only a catalog gives, goes with the file's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack.errors import ConflictError
from coursetrack.services import rubric_fit
from coursetrack.services.rubric_fit import NewRubric
from coursetrack.store import importer as store
from coursetrack.store.group import require_curator
from coursetrack.store.group_views import others_finished, others_recorded
from coursetrack.store.reader import Row
from coursetrack.validate import URL_RULES, field_problem

if TYPE_CHECKING:
    from coursetrack.catalog import CatalogSpec, CourseSpec, TopicSpec
    from coursetrack.store.writer import Writer

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


#: Fields that are the catalog's alone, so that the file leaving one out clears it: a
#: rubric taken out of the file is taken off the item (nobody but the catalog sets one).
_THE_FILES_ALONE = ("rubric",)


def _refresh(row: Row, source: object, names: tuple[str, ...]) -> list[str]:
    """Copy the fields the file gives onto the row; the names that changed.

    A stored URL that breaks today's rule (a `javascript:` one imported from a
    hostile catalog by an older coursetrack) is dropped even where the file
    gives none: re-importing the genuine catalog must not leave it behind.
    """
    changed = []
    for name in names:
        value = getattr(source, name)
        if (value is not None or name in _THE_FILES_ALONE) and row[name] != value:
            row[name] = value
            changed.append(name)
    return changed + _drop_unsafe_urls(row, names)


def _drop_unsafe_urls(row: Row, names: tuple[str, ...]) -> list[str]:
    """Clear stored URLs that today's rule refuses; what was removed, for the report."""
    dropped = []
    for name in names:
        stored = row[name] if name in URL_RULES else None
        if stored is not None and field_problem(name, stored) is not None:
            row[name] = None
            dropped.append(f"{name} removed: not a safe URL")
    return dropped


@dataclass
class _Writes:
    """What one level (courses or topics) of the merge writes, in one statement each."""

    changed: list[Row] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    added: list[tuple[int, int, Any]] = field(default_factory=list)  # parent id, position, spec
    rubrics: list[NewRubric] = field(default_factory=list)  # given to stored rows

    def apply(self, writer: Writer, kind: str, source: str | None = None) -> None:
        """Write them, once the reviews given are known to fit the rubrics changed (the
        store's rule would refuse the write in words that name no item)."""
        refused = rubric_fit.refusal(writer, self.rubrics, source=source) if self.rubrics else None
        if refused:
            raise ConflictError(refused)
        store.update_rows(writer, kind, self.changed)
        store.delete_rows(writer, kind, self.removed)
        store.add_rows(writer, kind, self._new_rows(kind))

    def _new_rows(self, kind: str) -> Iterator[dict[str, Any]]:
        """The added rows' parameters, made as they are sent (20,000 dicts held at once
        would be most of a large import's memory)."""
        parent = "specialization_id" if kind == "course" else "course_id"
        fields = store.FIELDS[kind]
        for parent_id, position, item in self.added:
            values = {parent: parent_id, "position": position, "slug": item.slug}
            for name in fields:
                values[name] = getattr(item, name)
            yield values


def import_catalog(
    writer: Writer,
    *,
    catalog: CatalogSpec,
    prune: bool = False,
    progress: Progress | None = None,
    source: str | None = None,
) -> ImportReport:
    """Merge one catalog into the store inside the caller's transaction.

    Each level is written in bulk (`store.importer`: one statement for the rows
    that change, one for those removed, one for those added), not row by row:
    the history triggers still record every row. In a study group only a curator
    may import, and `--prune` never deletes an item other learners keep records on.
    A rubric changed must still fit the peer reviews given (`services.rubric_fit`: the
    refusal names the item and `source`, the file).
    """
    require_curator(writer, f"import {catalog.slug}")
    fields = store.FIELDS["specialization"]
    spec = store.specialization(writer, _slug(catalog))
    if spec is None and catalog._full_slug and catalog._full_slug != catalog.slug:
        spec = store.specialization(writer, catalog._full_slug)  # stored when slugs were long
        if spec is not None:
            catalog.slug = spec.slug
    created = spec is None
    if spec is None:
        spec = Row(slug=catalog.slug, **{name: getattr(catalog, name) for name in fields})
        spec["id"] = store.add_specialization(writer, spec)
        spec_changes = []
    else:
        spec_changes = _refresh(spec, catalog, fields)
        if spec_changes:
            store.update_rows(writer, "specialization", [spec])
    report = ImportReport(
        slug=spec.slug,
        title=spec.title,
        created=created,
        courses=len(catalog.courses),
        topics=sum(len(c.topics) for c in catalog.courses),
    )
    if spec_changes:
        report.updated.append(f"{spec.slug} ({', '.join(spec_changes)})")

    existing = {row.slug: row for row in store.courses(writer, spec.id)}
    writes = _Writes()
    course_ids = _merge_children(
        writer,
        report,
        writes,
        wanted=catalog.courses,
        existing=existing,
        prefix=spec.slug,
        kind="course",
        parent_id=spec.id,
        full_slugs=catalog._full_slugs,
        prune=prune,
        created=created,
    )
    writes.apply(writer, "course", source)
    if writes.added:  # the new courses' ids: the topics' parents
        course_ids.update(store.course_ids(writer, spec.id))
    # Every stored topic of the specialization in one query, not one per course.
    stored: dict[int, dict[str, Row]] = {}
    finished_alone: dict[int, Row] = {}
    if existing:  # a new specialization has neither
        for topic in store.topics(writer, spec.id):
            stored.setdefault(topic.course_id, {})[topic.slug] = topic
        finished_alone = store.done_courses_without_topics(writer, spec.id)
    # A course that gains its first topics is done by its topics from then on. This
    # learner's whole-course `done` is carried into them below; another learner's
    # cannot be (their rows are theirs): in a study group that import is refused.
    gaining = [
        course_ids[_slug(c)]
        for c in catalog.courses
        if c.topics and course_ids[_slug(c)] not in stored
    ]
    others = others_finished(writer, gaining)
    if others:
        count = f"{len(others)} other learner" + ("s" if len(others) != 1 else "")
        raise ConflictError(
            f"import {catalog.slug} would give courses that {count} ({', '.join(others[:5])}) "
            "finished as a whole their first topics, and their records would no longer count "
            "them done; nothing was changed (add the topics to a new course instead)"
        )
    writes = _Writes()
    carried = []
    total = len(catalog.courses)
    for done, course_spec in enumerate(catalog.courses, start=1):
        course_id = course_ids[_slug(course_spec)]
        _merge_children(
            writer,
            report,
            writes,
            wanted=course_spec.topics,
            existing=stored.get(course_id, {}),
            prefix=f"{spec.slug}/{course_spec.slug}",
            kind="topic",
            parent_id=course_id,
            full_slugs=catalog._full_slugs,
            prune=prune,
            created=created,
        )
        if course_id in finished_alone and course_spec.topics:
            carried.append(finished_alone[course_id])
            report.updated.append(
                f"{spec.slug}/{course_spec.slug} (its new topics are done, as the course was)"
            )
        if progress is not None:
            progress(done, total)
    writes.apply(writer, "topic", source)
    store.carry_done(writer, carried)
    return report


def _keep_stored_slugs(wanted: Sequence[Any], existing: dict, full_slugs: dict[int, str]) -> None:
    """A store's slugs never change: an item whose slug was derived from its title
    (short, `slugs.candidates`) takes the stored one derived from every word of it
    (the rule before), when only that one is stored."""
    listed = {item.slug for item in wanted}
    for item in wanted:
        full = full_slugs.get(id(item))
        if full and item.slug not in existing and full in existing and full not in listed:
            item.slug = full
            listed.add(full)


def _slug(item: CatalogSpec | CourseSpec | TopicSpec) -> str:
    """An item's slug: a loaded catalog has every one (`catalog` derives those left out)."""
    assert item.slug is not None
    return item.slug


def _merge_children(
    writer: Writer,
    report: ImportReport,
    writes: _Writes,
    *,
    wanted: Sequence[CourseSpec | TopicSpec],
    existing: dict[str, Row],
    prefix: str,
    kind: str,
    parent_id: int,
    prune: bool,
    created: bool,
    full_slugs: dict[int, str],
) -> dict[str, int]:
    """Match `wanted` to `existing` by slug, adding to `writes` what changes; returns the
    ids of the wanted rows already stored, by slug.

    The file's items take positions 1..N in its order; kept items the file no
    longer lists follow them in their old order. When the file lists stored
    items in another order, the parent is reported as updated: positional refs
    (dls/2) now name other items.
    """
    fields = store.FIELDS[kind]
    _keep_stored_slugs(wanted, existing, full_slugs)
    listed = {item.slug for item in wanted}
    old_order = [r.slug for r in sorted(existing.values(), key=lambda r: r.position)]
    if [slug for slug in old_order if slug in listed] != [
        item.slug for item in wanted if item.slug in existing
    ]:
        report.updated.append(f"{prefix} (order of {kind}s)")
    ids: dict[str, int] = {}
    for position, item in enumerate(wanted, start=1):
        slug = _slug(item)
        row = existing.get(slug)
        if row is None:
            writes.added.append((parent_id, position, item))
            if not created:
                report.added.append(f"{prefix}/{slug}")
            continue
        changes = _refresh(row, item, fields)
        if changes:
            report.updated.append(f"{prefix}/{slug} ({', '.join(changes)})")
        if "rubric" in changes:
            writes.rubrics.append(NewRubric(f"{prefix}/{slug}", kind, row.id, row["rubric"]))
        if changes or row.position != position:
            row["position"] = position
            writes.changed.append(row)
        ids[slug] = row.id
    leftovers = sorted(
        (row for slug, row in existing.items() if slug not in listed), key=lambda r: r.position
    )
    if prune and leftovers:
        gone = [row.id for row in leftovers]
        by_kind: dict[str, Any] = {f"{kind}s": gone}  # courses=gone or topics=gone
        others = others_recorded(writer, **by_kind)
        if kind == "course" and not others:  # and the topics under them
            others = others_recorded(writer, courses=gone, under=True)
        if others:
            from coursetrack.store.group_views import others_message

            names = ", ".join(f"{prefix}/{row.slug}" for row in leftovers)
            raise ConflictError(others_message(f"import --prune removing {names}", others))
    for offset, row in enumerate(leftovers, start=len(wanted) + 1):
        if prune:
            writes.removed.append(row.id)
            report.removed.append(f"{prefix}/{row.slug}")
            continue
        report.missing.append(f"{prefix}/{row.slug}")
        dropped = _drop_unsafe_urls(row, fields)
        if dropped:
            report.updated.append(f"{prefix}/{row.slug} ({', '.join(dropped)})")
        if dropped or row.position != offset:
            row["position"] = offset
            writes.changed.append(row)
    return ids
