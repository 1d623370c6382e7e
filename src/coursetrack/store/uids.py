"""How rows are named across replicas (issue 24, docs/sync.md "How rows are named").

Row ids are each store's own serials; a row that travels between stores is named by
its `uid`:
- a catalog item (specialization, course, topic): the hash of its slug path when it
  is made (`import`, `add`, a restore), kept through renames and moves, so that two
  replicas importing the same catalog before they first sync make the same items;
- a note, link or review: `<stamp of the command that made it>.<index in that
  command>.<random>`, which sorts in creation order on every replica (like a ULID).

Nothing here imports SQLAlchemy, nor hashlib until a catalog item is made: every write
on SQLite imports it (tests/test_reader.py lists what a command may not import).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer

#: The stamp a record made before stamps existed is named with (`sync_schema`'s upgrade
#: uses it for a row no command of the history inserted).
NO_STAMP = "0" * 16 + ".0000." + "0" * 16


def catalog_uid(
    spec_slug: str, course_slug: str | None = None, topic_slug: str | None = None
) -> str:
    """A catalog item's uid: sha256 of its slug path ("dls", "dls/c1", "dls/c1/t1"), 32 hex."""
    return _path_uid(tuple(s for s in (spec_slug, course_slug, topic_slug) if s is not None), 1)


def record_uid(writer: Writer) -> str:
    """A new note's, link's or review's uid, in the command `writer` records.

    The command's stamp (`writer.info["stamp"]`, set by `recording.record_command`),
    the index of this uid among the ones the command made, and 8 random hex digits.
    """
    index = writer.info.get("uid_index", 0)
    writer.info["uid_index"] = index + 1
    return f"{writer.info['stamp']}.{index:04d}.{os.urandom(4).hex()}"


def old_record_uid(stamp: str | None, row_id: int) -> str:
    """The uid the upgrade gives a record made before schema 8: the stamp of the command
    that inserted it (or zeros), its id, random digits; so the old order is kept."""
    return f"{stamp or NO_STAMP}.{row_id:010d}.{os.urandom(4).hex()}"


def _path_uid(path: tuple[str, ...], n: int) -> str:
    """The uid of `path`, or of its n-th namesake (n > 1: "dls/c1#2")."""
    import hashlib  # here: a write that makes no catalog item does not import it

    text = "/".join(path) + (f"#{n}" if n > 1 else "")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def settle_catalog(reader: Reader, table: str, path: tuple[str, ...]) -> str:
    """The uid of a new catalog item at `path` in `table`: `catalog_uid`, unless an item
    renamed or moved away from that path keeps it (an item keeps its uid): then the
    first free of "path#2", "path#3"... (the same on every replica that did the same)."""
    n = 1
    uid = _path_uid(path, n)
    while reader.scalar(f"SELECT count(*) FROM {_catalog(table)} WHERE uid = :uid", uid=uid):
        n += 1
        uid = _path_uid(path, n)
    return uid


def catalog_uids(reader: Reader, table: str, paths: list[tuple[str, ...]]) -> list[str]:
    """`settle_catalog` of many new items at once: one query per 500 for the usual case,
    where no uid is taken."""
    candidates = [_path_uid(path, 1) for path in paths]
    taken: set[str] = set()
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        params = {f"u{n}": uid for n, uid in enumerate(chunk)}
        taken.update(
            row.uid
            for row in reader.all(
                f"SELECT uid FROM {_catalog(table)} WHERE uid IN "
                f"({', '.join(':' + name for name in params)})",
                **params,
            )
        )
    if not taken:
        return candidates
    return [
        settle_catalog(reader, table, path) if uid in taken else uid
        for path, uid in zip(paths, candidates, strict=True)
    ]


def _catalog(table: str) -> str:
    if table not in ("specialization", "course", "topic"):
        raise ValueError(table)
    return table


#: The slug path of a course (topic) parent, by id: a specialization's, a course's.
_PARENT_PATHS = {
    "course": "SELECT id, slug FROM specialization WHERE id = :id",
    # every course of the parent's specialization at once: an import's topics are
    # under many courses of one specialization
    "topic": "SELECT c.id, s.slug, c.slug AS course_slug FROM course c "
    "JOIN specialization s ON s.id = c.specialization_id "
    "WHERE c.specialization_id = (SELECT specialization_id FROM course WHERE id = :id)",
}


class ParentPaths:
    """The slug paths of the parents new courses (topics) go under, read as they are met."""

    def __init__(self, reader: Reader, kind: str) -> None:
        self.reader, self.kind = reader, kind
        self.known: dict[int, tuple[str, ...]] = {}

    def __call__(self, parent_id: int) -> tuple[str, ...]:
        if parent_id not in self.known:
            for row in self.reader.all(_PARENT_PATHS[self.kind], id=parent_id):
                path = (row.slug, row.course_slug) if self.kind == "topic" else (row.slug,)
                self.known[row.id] = path
        return self.known[parent_id]


def with_catalog_uids(
    reader: Reader, kind: str, parent: str, rows: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """New courses (topics), each with its parent's id under `parent` and its slug, given
    their uids (`catalog_uids`)."""
    paths = ParentPaths(reader, kind)
    settled = catalog_uids(reader, kind, [(*paths(row[parent]), row["slug"]) for row in rows])
    return [{**row, "uid": uid} for row, uid in zip(rows, settled, strict=True)]
