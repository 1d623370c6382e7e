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
    PROGRESS_FIELDS,
    REVIEWS,
    SPEC_FIELDS,
    TOPIC_FIELDS,
    VERSION,
    YAML_HEADER,
    Records,
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


def _entries(
    reader: Reader, specs: list[Row], progress: Callable[[int, int], None] | None
) -> Iterator[dict[str, Any]]:
    """Each specialization's entry of the document, one at a time.

    Courses and topics are read in one query each, whatever the store holds;
    `progress` is told (specializations done, specializations) as it goes.
    """
    by_spec, by_course, by_topic = {}, {}, {}
    for p in store.owned(reader, "progress"):
        if p["specialization_id"] is not None:
            by_spec[p["specialization_id"]] = p
        if p["course_id"] is not None:
            by_course[p["course_id"]] = p
        if p["topic_id"] is not None:
            by_topic[p["topic_id"]] = p
    attached = _attachments(reader)
    # one specialization's rows when one is asked for; all of them otherwise (rows of a
    # specialization not asked for are read and left, never written)
    only = specs[0]["id"] if len(specs) == 1 else None
    courses_of: dict[int, list[Row]] = {}
    for course in store.courses(reader, only):
        courses_of.setdefault(course["specialization_id"], []).append(course)
    topics_of: dict[int, list[Row]] = {}
    for topic in store.topics(reader, only):
        topics_of.setdefault(topic["course_id"], []).append(topic)
    for done, spec in enumerate(specs, start=1):
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
            )
            topic_entries = [
                _fields(topic, TOPIC_FIELDS)
                | _progress(by_topic.get(topic["id"]))
                | _extras("topic", topic["id"], attached)
                for topic in topics_of.pop(course["id"], [])
            ]
            if topic_entries:
                item["topics"] = topic_entries
            course_entries.append(item)
        if course_entries:
            entry["courses"] = course_entries
        yield entry
        if progress is not None:
            progress(done, len(specs))


def collect(
    reader: Reader,
    spec_ref: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The backup document for every specialization, or for the one `spec_ref` names."""
    specs = chosen(reader, spec_ref)
    return {
        "format": FORMAT,
        "version": VERSION,
        "specializations": list(_entries(reader, specs, progress)),
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
    return YAML_HEADER + _dump(document)


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
    write(YAML_HEADER)
    if not specs:
        write(_dump({"format": FORMAT, "version": VERSION, "specializations": []}))
        return written
    write(_dump({"format": FORMAT, "version": VERSION}))
    write("specializations:\n")
    for entry in _entries(reader, specs, progress):
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
