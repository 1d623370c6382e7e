"""Restoring a backup: a checked `backup.Backup` written into the store.

Beside `importer`, which merges a catalog; a restore puts in a whole record,
progress and the learner's notes, links, reviews and goals included (and their peer
review, as far as the store may hold it as theirs: `restore_peer`), and is itself
recorded as one command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack.backup import (
    ATTACHED,
    COURSE_FIELDS,
    GOAL,
    OWNER,
    SPEC_FIELDS,
    TOPIC_FIELDS,
    Backup,
)
from coursetrack.errors import ExportError
from coursetrack.services.restore_peer import PeerItem, Place, restore_peer
from coursetrack.store import backup as store
from coursetrack.store import group

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer


@dataclass
class RestoreReport:
    specializations: list[str]
    courses: int
    topics: int
    progress: int
    records: int
    peer_requests: int = 0
    peer_reviews: int = 0
    #: Peer review the backup holds and the store cannot take as the restorer's (a study
    #: group's reviews received belong to their reviewers), one line each.
    not_restored: list[str] = field(default_factory=list)


_ITEM_FIELDS = {
    "specialization": SPEC_FIELDS,
    "course": COURSE_FIELDS,
    "topic": TOPIC_FIELDS,
}


def _unplaced(path: tuple, message: str) -> ExportError:
    return ExportError(message)


def restore(writer: Writer, document: Backup, place: Place = _unplaced) -> RestoreReport:
    """Write a checked backup into the store, all or nothing (the caller's transaction).

    A specialization the store already has is refused rather than merged: a
    merge would have to choose between two records of the same progress, and
    a restore that silently picks one is not a restore. In a study group the
    catalog is shared: a specialization the group has already takes the
    learner's records onto its rows (if the learner keeps none there yet), and
    one it lacks needs a curator to restore. The records are the restorer's:
    a backup holds no learner.

    Rows go in with one executemany per table and level (`store.backup`), not
    one statement each, so that the largest backup allowed (MAX_BACKUP_ROWS)
    holds the write lock for seconds, not minutes; the history triggers still
    record every row. The order of the writes, and so the rows' ids, is a
    specialization, its courses, their topics, then the records by kind, then peer
    review (`restore_peer`, which refuses at its place in the file, by `place`, what
    only the store can tell is wrong).
    """
    specs = document.specializations
    wanted = [s.slug for s in specs]
    every = store.specialization_ids(writer)
    stored = {slug: every[slug] for slug in wanted if slug in every}
    shared = group.is_group(writer)
    if stored and not shared:
        names = ", ".join(sorted(stored))
        raise ExportError(
            f"the store already has {names}; restore into an empty store (--db NEW.db), or "
            f"remove it first with 'coursetrack rm {sorted(stored)[0]}'"
        )
    new = [slug for slug in wanted if slug not in stored]
    if new:
        group.require_curator(writer, f"restoring {', '.join(new)} (new to the catalog)")
    if stored:
        _refuse_a_merge(writer, stored)
    report = RestoreReport(specializations=wanted, courses=0, topics=0, progress=0, records=0)

    # (kind, owner column) -> rows: one executemany takes rows of the same keys
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    peer: list[PeerItem] = []

    def keep(entry: Any, level: str, row_id: int, path: tuple = ()) -> None:
        owner = {OWNER[level]: row_id}
        if level != "specialization" and (entry.peer_request is not None or entry.peer_reviews):
            peer.append(
                PeerItem(path, OWNER[level], row_id, entry.peer_request, entry.peer_reviews)
            )
        if entry.progress is not None:
            rows.setdefault(("progress", OWNER[level]), []).append(
                {**entry.progress.model_dump(), **owner}
            )
        for kind in ATTACHED[level]:
            found = getattr(entry, kind.key)
            for record in [found] if kind is GOAL else found:
                if record is not None:
                    rows.setdefault((kind.key, OWNER[level]), []).append(
                        {**record.model_dump(), **owner}
                    )

    def values(entry: Any, level: str) -> dict[str, Any]:
        return {name: getattr(entry, name) for name in _ITEM_FIELDS[level]}

    for s, spec_entry in enumerate(specs):
        here = ("specializations", s)
        if spec_entry.slug in stored:
            report.courses += len(spec_entry.courses)
            report.topics += _attach(writer, spec_entry, stored[spec_entry.slug], keep, here)
            continue
        spec_id = store.insert_specialization(writer, values(spec_entry, "specialization"))
        keep(spec_entry, "specialization", spec_id)
        courses = spec_entry.courses
        if not courses:
            continue
        store.insert_courses(
            writer,
            [
                {**values(c, "course"), "specialization_id": spec_id, "position": n}
                for n, c in enumerate(courses, start=1)
            ],
        )
        course_ids = store.course_ids(writer, spec_id)
        fresh_topics = []
        for n, course_entry in enumerate(courses, start=1):
            keep(course_entry, "course", course_ids[n], (*here, "courses", n - 1))
            fresh_topics += [
                {**values(t, "topic"), "course_id": course_ids[n], "position": k}
                for k, t in enumerate(course_entry.topics, start=1)
            ]
        report.courses += len(courses)
        if not fresh_topics:
            continue
        store.insert_topics(writer, fresh_topics)
        topic_ids = store.topic_ids(writer, spec_id)
        for n, course_entry in enumerate(courses, start=1):
            for k, topic_entry in enumerate(course_entry.topics, start=1):
                path = (*here, "courses", n - 1, "topics", k - 1)
                keep(topic_entry, "topic", topic_ids[(course_ids[n], k)], path)
        report.topics += len(fresh_topics)
    for (kind, owner), batch in rows.items():
        store.insert_records(writer, kind, owner, batch)
        if kind == "progress":
            report.progress += len(batch)
        else:
            report.records += len(batch)
    restored = restore_peer(writer, peer, place)
    report.peer_requests, report.peer_reviews = restored.requests, restored.reviews
    report.not_restored = restored.not_restored
    return report


def _refuse_a_merge(reader: Reader, stored: dict[str, int]) -> None:
    """A learner restoring onto the group's catalog must keep no record there yet.

    Reading as the learner, row-level security shows their own rows only.
    """
    kept = sum(store.records_on(reader, spec_id) for spec_id in stored.values())
    if kept:
        names = ", ".join(sorted(stored))
        raise ExportError(
            f"you keep {kept} record(s) on {names} in this store already; a restore does not "
            "merge two records of the same study, so nothing was restored (restore into a "
            "store where you have none)"
        )


def _attach(reader: Reader, entry: Any, spec_id: int, keep: Callable, here: tuple) -> int:
    """The learner's records of `entry` onto the group's catalog rows of the same slugs.

    The catalog is the group's: its titles and descriptions stay as they are; an
    item the backup holds and the catalog lacks is refused (a curator adds it first).
    Returns the number of topics.
    """
    courses = store.course_ids_by_slug(reader, spec_id)
    topics = store.topic_ids_by_slug(reader, spec_id)
    missing = [f"{entry.slug}/{c.slug}" for c in entry.courses if c.slug not in courses] + [
        f"{entry.slug}/{c.slug}/{t.slug}"
        for c in entry.courses
        if c.slug in courses
        for t in c.topics
        if (courses[c.slug], t.slug) not in topics
    ]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ExportError(
            f"the group's catalog has no {', '.join(missing[:3])}{more}, which the backup "
            "holds records of; a curator adds them (coursetrack import), then restore again"
        )
    keep(entry, "specialization", spec_id)
    count = 0
    for n, course_entry in enumerate(entry.courses):
        course_id = courses[course_entry.slug]
        keep(course_entry, "course", course_id, (*here, "courses", n))
        for k, topic_entry in enumerate(course_entry.topics):
            path = (*here, "courses", n, "topics", k)
            keep(topic_entry, "topic", topics[(course_id, topic_entry.slug)], path)
            count += 1
    return count
