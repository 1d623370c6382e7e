"""Backups: the whole record as one YAML or JSON document, and back.

The document is meant to outlive the SQLite schema, so it holds no row ids and
no positions: order in the lists is the order of courses and topics. Every
value is text (dates are `YYYY-MM-DD`), so the YAML form reads back through
the same strict loader as catalogs, where `yes`, `null` or `0123` are never
anything but the strings they look like. A field that is not set is left out
rather than written as null, and a progress row is written exactly when one
is stored, so that restoring a backup and exporting again gives the same bytes.

Besides the catalog and progress rows, each item carries the learner's dated
notes and links, topics their reviews, specializations their goal. The
command history is not part of a backup: its entries point at row ids of the
store that made them, and a restore is itself recorded as one command.

Version 1 readers refuse keys they do not know instead of dropping them: a
later coursetrack that records more adds keys under a new `version`, and an
older one then says it is too old rather than restoring half of a record.
The format is described in docs/export.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlmodel import Session, col, select

from coursetrack.catalog import StrictLoader, reader_problem, yaml_problem
from coursetrack.errors import ExportError
from coursetrack.models import (
    Course,
    Goal,
    Link,
    Note,
    Progress,
    Review,
    Specialization,
    Status,
    Topic,
)
from coursetrack.refs import resolve
from coursetrack.slugs import slug_problem

FORMAT = "coursetrack-backup"
VERSION = 1
YAML_HEADER = (
    f"# A coursetrack backup ({FORMAT} version {VERSION}).\n"
    "# Restore it into an empty store with: coursetrack import FILE\n"
)

_SPEC_FIELDS = ("slug", "title", "provider", "url", "description", "certificate_url")
_COURSE_FIELDS = ("slug", "title", "description", "url", "certificate_url")
_TOPIC_FIELDS = ("slug", "title", "description", "url")
_PROGRESS_FIELDS = ("status", "started_on", "completed_on")
_DATE_FIELDS = ("started_on", "completed_on")
_STATUSES = tuple(s.value for s in Status)
_GRADES = ("again", "hard", "good", "easy")


@dataclass(frozen=True)
class _Kind:
    """Records the learner keeps on an item besides its progress row."""

    key: str
    model: type
    fields: tuple[str, ...]
    optional: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()


_NOTES = _Kind("notes", Note, ("written_on", "text"), dates=("written_on",))
_LINKS = _Kind("links", Link, ("url", "title", "added_on"), ("title",), dates=("added_on",))
_REVIEWS = _Kind(
    "reviews",
    Review,
    ("reviewed_on", "grade", "interval_days", "due_on"),
    dates=("reviewed_on", "due_on"),
    numbers=("interval_days",),
    choices=(("grade", _GRADES),),
)
_GOAL = _Kind("goal", Goal, ("target_on",), dates=("target_on",))
#: What each level may carry, in the order it is written. `goal` is one mapping;
#: the others are lists, oldest record first.
_ATTACHED = {
    "specialization": (_GOAL, _NOTES, _LINKS),
    "course": (_NOTES, _LINKS),
    "topic": (_NOTES, _LINKS, _REVIEWS),
}
_OWNER = {"specialization": "specialization_id", "course": "course_id", "topic": "topic_id"}

_YAML_MARKER = re.compile(rf"^format:[ \t]*(['\"]?){FORMAT}\1[ \t]*(#.*)?$", re.MULTILINE)
_JSON_MARKER = re.compile(rf'"format"\s*:\s*"{FORMAT}"')


# --- out -------------------------------------------------------------------------


def _fields(row: object, names: tuple[str, ...]) -> dict[str, str]:
    return {name: getattr(row, name) for name in names if getattr(row, name) is not None}


def _progress(row: Progress | None) -> dict[str, Any]:
    if row is None:
        return {}
    out: dict[str, str] = {"status": str(row.status)}
    for name in _PROGRESS_FIELDS[1:]:
        value = getattr(row, name)
        if value is not None:
            out[name] = value.isoformat() if name in _DATE_FIELDS else value
    return {"progress": out}


def _record(row: object, kind: _Kind) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in kind.fields:
        value = getattr(row, name)
        if value is None:
            continue
        if name in kind.dates:
            value = value.isoformat()
        elif name in kind.numbers:
            value = int(value)
        out[name] = value
    return out


def _attachments(session: Session) -> dict[tuple[str, str, int], list[Any]]:
    """Every note, link, review and goal, by (kind, owner column, owner id), by age."""
    out: dict[tuple[str, str, int], list[Any]] = {}
    for kind in (_GOAL, _NOTES, _LINKS, _REVIEWS):
        for row in session.exec(select(kind.model).order_by(kind.model.id)).all():
            for column in _OWNER.values():
                owner = getattr(row, column, None)
                if owner is not None:
                    out.setdefault((kind.key, column, owner), []).append(row)
    return out


def _extras(level: str, owner: int, attached: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in _ATTACHED[level]:
        rows = attached.get((kind.key, _OWNER[level], owner), [])
        if kind is _GOAL and rows:
            out[kind.key] = _record(rows[0], kind)
        elif rows:
            out[kind.key] = [_record(row, kind) for row in rows]
    return out


def collect(
    session: Session,
    spec_ref: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The backup document for every specialization, or for the one `spec_ref` names.

    Courses and topics are read in one query each, whatever the store holds;
    `progress` is told (specializations done, specializations) as it goes.
    """
    if spec_ref is not None:
        target = resolve(session, spec_ref)
        if target.kind != "specialization":
            raise ExportError(
                f"{spec_ref!r} is a {target.kind}; a backup holds whole specializations, "
                f"e.g. {target.specialization.slug}"
            )
        specs = [target.specialization]
    else:
        specs = list(session.exec(select(Specialization).order_by(Specialization.slug)).all())
    rows = session.exec(select(Progress)).all()
    by_spec = {p.specialization_id: p for p in rows if p.specialization_id is not None}
    by_course = {p.course_id: p for p in rows if p.course_id is not None}
    by_topic = {p.topic_id: p for p in rows if p.topic_id is not None}
    attached = _attachments(session)
    spec_ids = [spec.id for spec in specs]
    courses_of: dict[int, list[Course]] = {}
    for course in session.exec(
        select(Course)
        .where(col(Course.specialization_id).in_(spec_ids))
        .order_by(col(Course.specialization_id), col(Course.position))
    ).all():
        courses_of.setdefault(course.specialization_id, []).append(course)
    topics_of: dict[int, list[Topic]] = {}
    in_specs = select(Course.id).where(col(Course.specialization_id).in_(spec_ids))
    for topic in session.exec(
        select(Topic)
        .where(col(Topic.course_id).in_(in_specs))
        .order_by(col(Topic.course_id), col(Topic.position))
    ).all():
        topics_of.setdefault(topic.course_id, []).append(topic)
    out = []
    for done, spec in enumerate(specs, start=1):
        entry: dict[str, Any] = (
            _fields(spec, _SPEC_FIELDS)
            | _progress(by_spec.get(spec.id))
            | _extras("specialization", spec.id, attached)
        )
        course_entries = []
        for course in courses_of.get(spec.id, []):
            item = (
                _fields(course, _COURSE_FIELDS)
                | _progress(by_course.get(course.id))
                | _extras("course", course.id, attached)
            )
            topics = topics_of.get(course.id, [])
            topic_entries = [
                _fields(topic, _TOPIC_FIELDS)
                | _progress(by_topic.get(topic.id))
                | _extras("topic", topic.id, attached)
                for topic in topics
            ]
            if topic_entries:
                item["topics"] = topic_entries
            course_entries.append(item)
        if course_entries:
            entry["courses"] = course_entries
        out.append(entry)
        if progress is not None:
            progress(done, len(specs))
    return {"format": FORMAT, "version": VERSION, "specializations": out}


class _Dumper(yaml.SafeDumper):
    """safe_dump's rules, with two choices of style for text that spans lines."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None
    if any(ch in value for ch in _UNICODE_BREAKS):
        # A reader folds these line breaks inside a plain or single-quoted
        # scalar; only double quotes keep them (as escapes).
        style = '"'
    elif "\n" in value:
        style = "|"  # notes stay readable; the emitter quotes instead where it must
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")
_Dumper.add_representer(str, _represent_str)


def to_yaml(document: dict[str, Any]) -> str:
    """The YAML form; one line per value, whatever its length, so diffs stay small."""
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=2**30,
    )
    return YAML_HEADER + body


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- in --------------------------------------------------------------------------


def looks_like_backup(text: str) -> bool:
    """Whether `text` declares itself a backup (rather than a catalog).

    Decided by the top-level marker alone, so that a damaged backup is reported
    as a damaged backup and not as a catalog with an unknown key.
    """
    if text.lstrip().startswith("{"):
        return _JSON_MARKER.search(text) is not None
    return _YAML_MARKER.search(text) is not None


@dataclass
class _Where:
    """Turns a path inside the document into `file:line:col` or `file: at a.b[2]`."""

    label: str
    marks: dict[tuple, yaml.Mark] = field(default_factory=dict)

    def error(self, path: tuple, message: str) -> ExportError:
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return ExportError(f"{self.label}:{mark.line + 1}:{mark.column + 1}: {message}")
        if path:
            return ExportError(f"{self.label}: at {_dotted(path)}: {message}")
        return ExportError(f"{self.label}: {message}")


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _yaml_to_python(node: yaml.Node, path: tuple, where: _Where) -> Any:
    where.marks[path] = node.start_mark
    if isinstance(node, yaml.ScalarNode):
        if node.tag != "tag:yaml.org,2002:str":
            raise where.error(path, f"tag {node.tag!r} is not allowed in a backup")
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_to_python(item, (*path, i), where) for i, item in enumerate(node.value)]
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise where.error(path, "keys must be plain words")
        key = key_node.value
        if key in out:
            raise where.error((*path, key), f"duplicate key {key!r}; keep one")
        where.marks[(*path, key)] = key_node.start_mark
        out[key] = _yaml_to_python(value_node, (*path, key), where)
    return out


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ExportError(f"duplicate key {key!r}; keep one")
        out[key] = value
    return out


def parse(text: str, *, label: str) -> dict[str, Any]:
    """Read and check a backup in either form; errors name the place in the file."""
    where = _Where(label)
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise ExportError(
                f"{label}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})"
            ) from None
        except ExportError as exc:
            raise ExportError(f"{label}: {exc}") from None
        except RecursionError:
            raise ExportError(f"{label}: nested too deeply to be a backup") from None
    else:
        try:
            node = yaml.compose(text, Loader=StrictLoader)
        except yaml.reader.ReaderError as exc:
            raise ExportError(f"{label}:{reader_problem(text, exc)}") from None
        except RecursionError:
            raise ExportError(f"{label}: nested too deeply to be a backup") from None
        except yaml.MarkedYAMLError as exc:
            mark, problem = yaml_problem(exc)
            place = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
            raise ExportError(f"{label}{place}: {problem}") from None
        except yaml.YAMLError as exc:
            raise ExportError(f"{label}: not valid YAML ({exc})") from None
        if node is None:
            raise ExportError(f"{label}: the file is empty")
        try:
            data = _yaml_to_python(node, (), where)
        except RecursionError:
            raise ExportError(f"{label}: nested too deeply to be a backup") from None
    return _check_document(data, where)


def _check_document(data: Any, where: _Where) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise where.error((), f"not a coursetrack backup: it needs 'format: {FORMAT}' at the top")
    _only_keys(data, ("format", "version", "specializations"), (), where)
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.isdigit():
        raise where.error(("version",), f"version must be a whole number, e.g. {VERSION}")
    if int(version) > VERSION:
        raise where.error(
            ("version",),
            f"this backup is version {version}, written by a newer coursetrack; this one reads "
            f"up to version {VERSION}: upgrade coursetrack to restore it",
        )
    if int(version) < 1:
        raise where.error(("version",), f"there is no backup version {version}")
    specs = _list(data, "specializations", (), where)
    seen: set[str] = set()
    out = []
    for i, spec in enumerate(specs):
        path = ("specializations", i)
        item = _item(spec, path, where, "specialization", children="courses", siblings=seen)
        courses = []
        course_slugs: set[str] = set()
        for j, course in enumerate(_list(spec, "courses", path, where)):
            cpath = (*path, "courses", j)
            citem = _item(course, cpath, where, "course", "topics", course_slugs)
            topic_slugs: set[str] = set()
            citem["topics"] = [
                _item(topic, (*cpath, "topics", k), where, "topic", None, topic_slugs)
                for k, topic in enumerate(_list(course, "topics", cpath, where))
            ]
            courses.append(citem)
        item["courses"] = courses
        out.append(item)
    return {"format": FORMAT, "version": VERSION, "specializations": out}


def _only_keys(data: dict, allowed: tuple[str, ...], path: tuple, where: _Where) -> None:
    for key in data:
        if key not in allowed:
            raise where.error(
                (*path, key),
                f"unknown key {key!r}; backup version {VERSION} allows here: {', '.join(allowed)}",
            )


def _list(data: dict, key: str, path: tuple, where: _Where) -> list:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise where.error((*path, key), f"{key} must be a list")
    return value


def _text(data: dict, key: str, path: tuple, where: _Where, *, required: bool) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise where.error(path, f"missing required key {key!r}")
        return None
    if not isinstance(value, str):
        raise where.error((*path, key), f"{key} must be text")
    return value


def _item(
    data: Any,
    path: tuple,
    where: _Where,
    level: str,
    children: str | None,
    siblings: set[str],
) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise where.error(path, "each entry must be a mapping (slug, title, ...)")
    names = _LEVEL_FIELDS[level]
    kinds = _ATTACHED[level]
    allowed = (*names, "progress", *(k.key for k in kinds), *((children,) if children else ()))
    _only_keys(data, allowed, path, where)
    out: dict[str, Any] = {}
    for name in names:
        value = _text(data, name, path, where, required=name in ("slug", "title"))
        if value is not None:
            out[name] = value
    slug = out["slug"]
    problem = slug_problem(slug)
    if problem:
        raise where.error((*path, "slug"), problem)
    if slug in siblings:
        raise where.error((*path, "slug"), f"duplicate slug {slug!r}")
    siblings.add(slug)
    if "progress" in data:
        out["progress"] = _check_progress(data["progress"], (*path, "progress"), where)
    for kind in kinds:
        if kind is _GOAL:
            if data.get(kind.key) is not None:
                out[kind.key] = [_check_record(data[kind.key], kind, (*path, kind.key), where)]
            continue
        out[kind.key] = [
            _check_record(record, kind, (*path, kind.key, i), where)
            for i, record in enumerate(_list(data, kind.key, path, where))
        ]
    return out


_LEVEL_FIELDS = {"specialization": _SPEC_FIELDS, "course": _COURSE_FIELDS, "topic": _TOPIC_FIELDS}


def _check_record(data: Any, kind: _Kind, path: tuple, where: _Where) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise where.error(
            path, f"each entry of {kind.key} must be a mapping ({', '.join(kind.fields)})"
        )
    _only_keys(data, kind.fields, path, where)
    choices = dict(kind.choices)
    out: dict[str, Any] = {}
    for name in kind.fields:
        if name in kind.numbers:
            value = data.get(name)
            if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value):
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool):
                raise where.error((*path, name), f"{name} must be a whole number")
            if not 1 <= value <= 36500:  # days; also keeps dates computed from it in range
                raise where.error((*path, name), f"{name} must be from 1 to 36500 days")
            out[name] = value
            continue
        text = _text(data, name, path, where, required=name not in kind.optional)
        if text is None:
            continue
        if name in kind.dates and not _is_iso_date(text):
            raise where.error((*path, name), f"{name} {text!r} is not a date (YYYY-MM-DD)")
        if name in choices and text not in choices[name]:
            raise where.error(
                (*path, name), f"{name} {text!r} is not one of {', '.join(choices[name])}"
            )
        out[name] = text
    return out


def _check_progress(data: Any, path: tuple, where: _Where) -> dict[str, str]:
    if not isinstance(data, dict):
        raise where.error(path, "progress must be a mapping (status, started_on, ...)")
    _only_keys(data, _PROGRESS_FIELDS, path, where)
    out: dict[str, str] = {}
    for name in _PROGRESS_FIELDS:
        value = _text(data, name, path, where, required=name == "status")
        if value is None:
            continue
        if name == "status" and value not in _STATUSES:
            raise where.error(
                (*path, name), f"status {value!r} is not one of {', '.join(_STATUSES)}"
            )
        if name in _DATE_FIELDS and not _is_iso_date(value):
            raise where.error((*path, name), f"{name} {value!r} is not a date (YYYY-MM-DD)")
        out[name] = value
    return out


def _is_iso_date(value: str) -> bool:
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


# --- restore -----------------------------------------------------------------------


@dataclass
class RestoreReport:
    specializations: list[str]
    courses: int
    topics: int
    progress: int
    records: int


def restore(session: Session, document: dict[str, Any]) -> RestoreReport:
    """Write a checked backup into the store, all or nothing (the caller's transaction).

    A specialization the store already has is refused rather than merged: a
    merge would have to choose between two records of the same progress, and
    a restore that silently picks one is not a restore.
    """
    specs = document["specializations"]
    wanted = [s["slug"] for s in specs]
    taken = set(
        session.exec(select(Specialization.slug).where(Specialization.slug.in_(wanted))).all()
    )
    if taken:
        names = ", ".join(sorted(taken))
        raise ExportError(
            f"the store already has {names}; restore into an empty store (--db NEW.db), or "
            f"remove it first with 'coursetrack rm {sorted(taken)[0]}'"
        )
    report = RestoreReport(specializations=wanted, courses=0, topics=0, progress=0, records=0)

    def add_records(entry: dict[str, Any], level: str, owner: int | None) -> None:
        for kind in _ATTACHED[level]:
            for record in entry.get(kind.key, []):
                values = {
                    name: dt.date.fromisoformat(value) if name in kind.dates else value
                    for name, value in record.items()
                }
                session.add(kind.model(**values, **{_OWNER[level]: owner}))
                report.records += 1

    def add_progress(entry: dict[str, Any], **owner: int | None) -> None:
        data = entry.get("progress")
        if data is None:
            return
        dates = {name: dt.date.fromisoformat(data[name]) for name in _DATE_FIELDS if name in data}
        session.add(Progress(status=data["status"], **dates, **owner))
        report.progress += 1

    for spec_entry in specs:
        spec = Specialization(**{k: spec_entry.get(k) for k in _SPEC_FIELDS})
        session.add(spec)
        session.flush()
        add_progress(spec_entry, specialization_id=spec.id)
        add_records(spec_entry, "specialization", spec.id)
        for position, course_entry in enumerate(spec_entry["courses"], start=1):
            course = Course(
                specialization_id=spec.id,
                position=position,
                **{k: course_entry.get(k) for k in _COURSE_FIELDS},
            )
            session.add(course)
            session.flush()
            report.courses += 1
            add_progress(course_entry, course_id=course.id)
            add_records(course_entry, "course", course.id)
            for tpos, topic_entry in enumerate(course_entry["topics"], start=1):
                topic = Topic(
                    course_id=course.id,
                    position=tpos,
                    **{k: topic_entry.get(k) for k in _TOPIC_FIELDS},
                )
                session.add(topic)
                session.flush()
                report.topics += 1
                add_progress(topic_entry, topic_id=topic.id)
                add_records(topic_entry, "topic", topic.id)
    session.flush()
    return report
