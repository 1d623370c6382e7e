"""Making a backup: the store read into the backup document, written as YAML or JSON.

The format (what each level holds, the header, the version) is `backup`'s;
this reads the rows and writes them, so that restoring a backup and exporting
again gives the same bytes. `write_yaml` streams a large store course by
course instead of holding the whole document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from coursetrack import rubrics, strict_yaml
from coursetrack.backup import (
    ATTACHED,
    COURSE_FIELDS,
    DATE_FIELDS,
    FORMAT,
    GOAL,
    LINKS,
    NOTES,
    OWNER,
    PLAIN_VERSION,
    PROGRESS_FIELDS,
    REVIEWER,
    REVIEWS,
    SPEC_FIELDS,
    TOPIC_FIELDS,
    VERSION,
    YAML_HEADER,
    Records,
    yaml_header,
)
from coursetrack.errors import ExportError
from coursetrack.refs import resolve
from coursetrack.store import backup as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row


def _fields(row: Row, names: tuple[str, ...]) -> dict[str, Any]:
    """The row's set columns; a rubric as the list of criteria a document writes."""
    out = {name: row[name] for name in names if row[name] is not None}
    if "rubric" in out:
        out["rubric"] = rubrics.read(out["rubric"])
    return out


def _progress(row: Row | None) -> dict[str, Any]:
    if row is None:
        return {}
    out: dict[str, str] = {"status": str(row["status"])}
    for name in PROGRESS_FIELDS[1:]:
        value = row[name]
        if value is not None:
            out[name] = value.isoformat() if name in DATE_FIELDS else value
    return {"progress": out}


def _record(row: Row, kind: Records) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in kind.fields:
        value = row[name]
        if name in kind.flags:
            value = bool(value)  # SQLite keeps 0/1
        if value is None or value is False:  # a flag is written only when set
            continue
        if name in kind.dates:
            value = value.isoformat()
        elif name in kind.numbers:
            value = int(value)
        out[name] = value
    return out


def _attachments(reader: Reader) -> dict[tuple[str, str, int], list[Row]]:
    """Every note, link, review and goal, by (kind, owner column, owner id), by age."""
    out: dict[tuple[str, str, int], list[Row]] = {}
    for kind in (GOAL, NOTES, LINKS, REVIEWS):
        owners = store.OWNERS[kind.key]
        for row in store.owned(reader, kind.key):
            for column in owners:
                owner = row[column]
                if owner is not None:
                    out.setdefault((kind.key, column, owner), []).append(row)
    return out


def _extras(level: str, owner: int, attached: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ATTACHED[level]:
        rows = attached.get((kind.key, OWNER[level], owner), [])
        if kind is GOAL and rows:
            out[kind.key] = _record(rows[0], kind)
        elif rows:
            out[kind.key] = [_record(row, kind) for row in rows]
    return out


def chosen(reader: Reader, spec_ref: str | None) -> list[Row]:
    """The specializations a backup holds: every one, by slug, or the one `spec_ref` names."""
    if spec_ref is not None:
        target = resolve(reader, spec_ref)
        if target.kind != "specialization":
            raise ExportError(
                f"{spec_ref!r} is a {target.kind}; a backup holds whole specializations, "
                f"e.g. {target.specialization.slug}"
            )
        return [target.specialization]
    return store.specializations(reader)


@dataclass
class _Read:
    """Every row an export writes, read before anything is written: the backup's version
    (2 when it holds peer review) is its first line."""

    specs: list[Row]
    by_owner: dict[str, dict[int, Row]]
    attached: dict[tuple[str, str, int], list[Row]]
    courses_of: dict[int, list[Row]]
    topics_of: dict[int, list[Row]]
    peer: dict[tuple[str, int], dict[str, Any]]

    @property
    def version(self) -> int:
        """1 (the format as it always was) unless a written item holds peer review."""
        written = [("course_id", c["id"]) for cs in self.courses_of.values() for c in cs] + [
            ("topic_id", t["id"]) for ts in self.topics_of.values() for t in ts
        ]
        return VERSION if any(key in self.peer for key in written) else PLAIN_VERSION


def _read(reader: Reader, specs: list[Row]) -> _Read:
    """Each table read once, whatever the store holds (one specialization's courses and
    topics when one is asked for; all of them otherwise)."""
    by_owner: dict[str, dict[int, Row]] = {column: {} for column in OWNER.values()}
    for p in store.owned(reader, "progress"):
        for column, rows in by_owner.items():
            if p[column] is not None:
                rows[p[column]] = p
    # rows of a specialization not asked for are read and left, never written
    only = specs[0]["id"] if len(specs) == 1 else None
    courses_of: dict[int, list[Row]] = {}
    for course in store.courses(reader, only):
        courses_of.setdefault(course["specialization_id"], []).append(course)
    topics_of: dict[int, list[Row]] = {}
    for topic in store.topics(reader, only):
        topics_of.setdefault(topic["course_id"], []).append(topic)
    return _Read(specs, by_owner, _attachments(reader), courses_of, topics_of, _peer(reader))


def _peer_review(row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {"reviewed_on": row["reviewed_on"].isoformat(), "grade": row["grade"]}
    if row["scores"] is not None:
        out["scores"] = json.loads(row["scores"])  # in the order the review gave them
    out["comment"] = row["comment"]
    return out


def _item_of(row: Row) -> tuple[str, int]:
    return (
        ("course_id", row["course_id"])
        if row["course_id"] is not None
        else (
            "topic_id",
            row["topic_id"],
        )
    )


def _peer(reader: Reader) -> dict[tuple[str, int], dict[str, Any]]:
    """The learner's peer review by item ((owner column, id)): `peer_request`, their own
    request with the reviews it received (reviewers numbered in the order they reviewed,
    as `peer show` numbers them), and `peer_reviews`, the reviews they gave, oldest first.

    A review the learner may read is theirs, or of their own request (`store.backup`)."""
    learner, grouped = store.whose(reader)
    own = store.own_requests(reader, learner)
    mine = {row["id"] for row in own}
    received: dict[int, list[Row]] = {}
    given: list[Row] = []
    for review in store.readable_reviews(reader, None if grouped else learner):
        if review["request_id"] in mine:
            received.setdefault(review["request_id"], []).append(review)
        else:
            given.append(review)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for request in own:
        entry: dict[str, Any] = {
            name: request[name].isoformat() if name == "asked_on" else request[name]
            for name in store.PEER_REQUEST
            if request[name] is not None
        }
        reviews = [
            {"reviewer": REVIEWER.format(n=n), **_peer_review(review)}
            for n, review in enumerate(received.get(request["id"], []), start=1)
        ]
        if reviews:
            entry["reviews"] = reviews
        out.setdefault(_item_of(request), {})["peer_request"] = entry
    requests = store.requests_by_id(reader, (review["request_id"] for review in given))
    for review in given:
        other = requests.get(review["request_id"])
        if other is None:  # the group's security hides the request the learner reviewed
            raise ExportError(
                f"peer review {review['id']} is of a request this store does not let you "
                "read, so the backup cannot say whose work it reviewed; ask the group's "
                "owner to bring its security up to date (coursetrack check)"
            )
        out.setdefault(_item_of(other), {}).setdefault("peer_reviews", []).append(
            {
                "author": other["learner"],
                "url": other["url"],
                "asked_on": other["asked_on"].isoformat(),
                **_peer_review(review),
            }
        )
    return out


def _entries(read: _Read, progress: Callable[[int, int], None] | None) -> Iterator[dict[str, Any]]:
    """Each specialization's entry of the document, one at a time; `progress` is told
    (specializations done, specializations) as it goes."""
    attached, courses_of, topics_of = read.attached, read.courses_of, read.topics_of
    by_spec, by_course, by_topic = (read.by_owner[OWNER[level]] for level in OWNER)
    for done, spec in enumerate(read.specs, start=1):
        entry: dict[str, Any] = (
            _fields(spec, SPEC_FIELDS)
            | _progress(by_spec.get(spec["id"]))
            | _extras("specialization", spec["id"], attached)
        )
        course_entries = []
        for course in courses_of.pop(spec["id"], []):
            item = (
                _fields(course, COURSE_FIELDS)
                | _progress(by_course.get(course["id"]))
                | _extras("course", course["id"], attached)
                | read.peer.get(("course_id", course["id"]), {})
            )
            topic_entries = [
                _fields(topic, TOPIC_FIELDS)
                | _progress(by_topic.get(topic["id"]))
                | _extras("topic", topic["id"], attached)
                | read.peer.get(("topic_id", topic["id"]), {})
                for topic in topics_of.pop(course["id"], [])
            ]
            if topic_entries:
                item["topics"] = topic_entries
            course_entries.append(item)
        if course_entries:
            entry["courses"] = course_entries
        yield entry
        if progress is not None:
            progress(done, len(read.specs))


def collect(
    reader: Reader,
    spec_ref: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The backup document for every specialization, or for the one `spec_ref` names."""
    read = _read(reader, chosen(reader, spec_ref))
    return {
        "format": FORMAT,
        "version": read.version,
        "specializations": list(_entries(read, progress)),
    }


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """safe_dump's rules, with two choices of style for text that spans lines."""
    style = None
    if _UNICODE_BREAKS.search(value):
        # A reader folds these line breaks inside a plain or single-quoted
        # scalar; only double quotes keep them (as escapes).
        style = '"'
    elif "\n" in value:
        style = "|"  # notes stay readable; the emitter quotes instead where it must
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")
#: A dumper of each base `strict_yaml` may choose (libyaml's, PyYAML's), same representer
#: (type[Any]: the two bases share no class, but both have PyYAML's class methods).
_DUMPERS: dict[type, type[Any]] = {}


def _dump(data: Any) -> str:
    text = _dump_with(strict_yaml.dumper_base(), data)
    if "\\U" in text and strict_yaml.dumper_base() is not yaml.SafeDumper:
        # libyaml escapes characters beyond U+FFFF (an emoji: "\U0001F393") where
        # PyYAML writes them as they are: such a piece is written by PyYAML.
        text = _dump_with(yaml.SafeDumper, data)
    return text


def _dump_with(base: type, data: Any) -> str:
    dumper = _DUMPERS.get(base)
    if dumper is None:
        dumper = _DUMPERS[base] = type("_Dumper", (base,), {})
        dumper.add_representer(str, _represent_str)
    return yaml.dump(
        data,
        Dumper=dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=2**30,  # one line per value, whatever its length, so diffs stay small
    )


def to_yaml(document: dict[str, Any]) -> str:
    """The YAML form of a whole document (`write_yaml` writes the same bytes as it reads)."""
    return yaml_header(document["version"]) + _dump(document)


_LINE_START = re.compile(r"^(?=.)", re.MULTILINE)


def _indented(text: str, indent: str) -> str:
    """`text` moved right: an empty line (inside a `|` block) stays empty, as the
    emitter writes it at any depth."""
    return _LINE_START.sub(indent, text)


@dataclass
class Written:
    specializations: list[str]
    courses: int
    topics: int


def write_yaml(
    reader: Reader,
    write: Callable[[str], Any],
    specs: list[Row],
    progress: Callable[[int, int], None] | None = None,
) -> Written:
    """Write the YAML form of the backup `collect` makes, course by course.

    The same bytes as `to_yaml(collect(...))`, without the whole document, or
    its YAML nodes (most of the memory), held at once: each course is
    dumped as the item of a list at the top level and moved right by the
    depth the whole document would give it. The emitter writes a block list
    under a key at the key's own indentation, and puts a mapping's keys two
    columns right of its item's '- '; a `|` block keeps its indentation
    relative to its key. tests/test_backup.py compares the two forms.
    """
    written = Written([], 0, 0)
    if not specs:
        write(YAML_HEADER)
        write(_dump({"format": FORMAT, "version": PLAIN_VERSION, "specializations": []}))
        return written
    read = _read(reader, specs)
    write(yaml_header(read.version))
    write(_dump({"format": FORMAT, "version": read.version}))
    write("specializations:\n")
    for entry in _entries(read, progress):
        courses = entry.pop("courses", [])
        written.specializations.append(entry["slug"])
        write(_dump([entry]))
        if not courses:
            continue
        write("  courses:\n")
        for course in courses:
            topics = course.pop("topics", [])
            write(_indented(_dump([course]), "  "))
            written.courses += 1
            if topics:
                write("    topics:\n")
                write(_indented(_dump(topics), "    "))
                written.topics += len(topics)
    return written


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
