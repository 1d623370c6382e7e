"""Backups: the whole record as one YAML or JSON document, and back.

The document is meant to outlive the SQLite schema, so it holds no row ids and
no positions: order in the lists is the order of courses and topics. Every
value is text (dates are `YYYY-MM-DD`), so the YAML form reads back through
the same strict loader as catalogs, where `yes`, `null` or `0123` are never
anything but the strings they look like. A field that is not set is left out
rather than written as null, and a progress row is written exactly when one
is stored, so that restoring a backup and exporting again gives the same bytes.
A note's `private` flag is written only when set, as `true` (read back from the
text `true` or `false`, or a JSON boolean).

Besides the catalog and progress rows, each item carries the learner's dated
notes and links, topics their reviews, specializations their goal. The
command history is not part of a backup: its entries point at row ids of the
store that made them, and a restore is itself recorded as one command.

Version 1 readers refuse keys they do not know instead of dropping them: a
later coursetrack that records more adds keys under a new `version`, and an
older one then says it is too old rather than restoring half of a record.
The format is described in docs/export.md.

A backup is checked by pydantic models (`Backup` and the entries under it)
against the rules the command line keeps, so a restore cannot put in what no
command could: a done item without its date, a review of an unfinished topic,
a date past 2999 (which made `status` raise OverflowError for good), a
`javascript:` URL, a 20 MB title. Errors point at the file's line:col.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import func
from sqlmodel import Session, col, select

from coursetrack import strict_yaml
from coursetrack.catalog import (
    RULE_ERROR,
    blank_is_absent,
    reader_problem,
    stored_value,
    yaml_problem,
)
from coursetrack.errors import ExportError
from coursetrack.models import (
    Course,
    Goal,
    Grade,
    Link,
    Note,
    Progress,
    Review,
    Specialization,
    Status,
    Topic,
    dates_of,
    described_by,
    numbers_of,
)
from coursetrack.refs import resolve
from coursetrack.slugs import slug_problem
from coursetrack.store import group
from coursetrack.validate import MAX_BACKUP_ROWS, MAX_INTERVAL, date_problem

FORMAT = "coursetrack-backup"
VERSION = 1
YAML_HEADER = (
    f"# A coursetrack backup ({FORMAT} version {VERSION}).\n"
    "# Restore it into an empty store with: coursetrack import FILE\n"
)

# What a backup holds of each row comes from the models (`described_by`):
# a column added there is backed up, and restored, without a second list here.
_SPEC_FIELDS = described_by(Specialization)
_COURSE_FIELDS = described_by(Course)
_TOPIC_FIELDS = described_by(Topic)
_PROGRESS_FIELDS = described_by(Progress)
_DATE_FIELDS = dates_of(Progress)


@dataclass(frozen=True)
class _Kind:
    """Records the learner keeps on an item besides its progress row."""

    key: str
    model: type
    fields: tuple[str, ...]
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()


def _kind(key: str, model: type) -> _Kind:
    return _Kind(key, model, described_by(model), dates_of(model), numbers_of(model))


_NOTES = _kind("notes", Note)
_LINKS = _kind("links", Link)
_REVIEWS = _kind("reviews", Review)
_GOAL = _kind("goal", Goal)
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
        if value is None or value is False:  # a flag is written only when set
            continue
        if name in kind.dates:
            value = value.isoformat()
        elif name in kind.numbers:
            value = int(value)
        out[name] = value
    return out


def _rows(session: Session, query: Any) -> list[Any]:
    """Rows as plain tuples (attribute access by column), not ORM objects: a backup reads
    every row of the store, and an ORM object per row cost it twice the time and memory."""
    return session.connection().execute(query).all()


def _attachments(session: Session) -> dict[tuple[str, str, int], list[Any]]:
    """Every note, link, review and goal, by (kind, owner column, owner id), by age."""
    out: dict[tuple[str, str, int], list[Any]] = {}
    for kind in (_GOAL, _NOTES, _LINKS, _REVIEWS):
        table = kind.model.__table__
        owners = [column for column in _OWNER.values() if column in table.c]
        for row in _rows(session, select(table).order_by(table.c.id)):
            for column in owners:
                owner = getattr(row, column)
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


def chosen(session: Session, spec_ref: str | None) -> list[Any]:
    """The specializations a backup holds: every one, by slug, or the one `spec_ref` names."""
    if spec_ref is not None:
        target = resolve(session, spec_ref, models=True)
        if target.kind != "specialization":
            raise ExportError(
                f"{spec_ref!r} is a {target.kind}; a backup holds whole specializations, "
                f"e.g. {target.specialization.slug}"
            )
        return [target.specialization]
    table = Specialization.__table__
    return _rows(session, select(table).order_by(table.c.slug))


def _entries(
    session: Session, specs: list[Any], progress: Callable[[int, int], None] | None
) -> Iterator[dict[str, Any]]:
    """Each specialization's entry of the document, one at a time.

    Courses and topics are read in one query each, whatever the store holds;
    `progress` is told (specializations done, specializations) as it goes.
    """
    progress_table = Progress.__table__
    by_spec, by_course, by_topic = {}, {}, {}
    for p in _rows(session, select(progress_table)):
        if p.specialization_id is not None:
            by_spec[p.specialization_id] = p
        if p.course_id is not None:
            by_course[p.course_id] = p
        if p.topic_id is not None:
            by_topic[p.topic_id] = p
    attached = _attachments(session)
    spec_ids = [spec.id for spec in specs]
    course_table, topic_table = Course.__table__, Topic.__table__
    courses_of: dict[int, list[Any]] = {}
    for course in _rows(
        session,
        select(course_table)
        .where(course_table.c.specialization_id.in_(spec_ids))
        .order_by(course_table.c.specialization_id, course_table.c.position),
    ):
        courses_of.setdefault(course.specialization_id, []).append(course)
    topics_of: dict[int, list[Any]] = {}
    in_specs = select(course_table.c.id).where(course_table.c.specialization_id.in_(spec_ids))
    for topic in _rows(
        session,
        select(topic_table)
        .where(topic_table.c.course_id.in_(in_specs))
        .order_by(topic_table.c.course_id, topic_table.c.position),
    ):
        topics_of.setdefault(topic.course_id, []).append(topic)
    for done, spec in enumerate(specs, start=1):
        entry: dict[str, Any] = (
            _fields(spec, _SPEC_FIELDS)
            | _progress(by_spec.get(spec.id))
            | _extras("specialization", spec.id, attached)
        )
        course_entries = []
        for course in courses_of.pop(spec.id, []):
            item = (
                _fields(course, _COURSE_FIELDS)
                | _progress(by_course.get(course.id))
                | _extras("course", course.id, attached)
            )
            topic_entries = [
                _fields(topic, _TOPIC_FIELDS)
                | _progress(by_topic.get(topic.id))
                | _extras("topic", topic.id, attached)
                for topic in topics_of.pop(course.id, [])
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
    session: Session,
    spec_ref: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The backup document for every specialization, or for the one `spec_ref` names."""
    specs = chosen(session, spec_ref)
    return {
        "format": FORMAT,
        "version": VERSION,
        "specializations": list(_entries(session, specs, progress)),
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
#: A dumper of each base `strict_yaml` may choose (libyaml's, PyYAML's), same representer.
_DUMPERS: dict[type, type] = {}


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
    session: Session,
    write: Callable[[str], Any],
    specs: list[Any],
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
    for entry in _entries(session, specs, progress):
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


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _json_int(text: str) -> Callable[[str], int]:
    """json's int parser, bounded: Python refuses to convert over 4300 digits (a traceback)."""

    def parse_int(digits: str) -> int:
        if len(digits) > 100:  # far beyond any value a field takes; its rule says the range
            line, col = _line_col(text, max(text.find(digits), 0))
            raise ExportError(
                f"{line}:{col}: a number of {len(digits):,} digits; no value in a backup "
                "is that large"
            )
        return int(digits)

    return parse_int


_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


def _lone_surrogate(text: str) -> tuple[int, int, str] | None:
    """Where a JSON `\\uD800`-style escape stands without its other half, if anywhere.

    JSON decodes such an escape into a lone surrogate, which is not text: the
    store cannot hold it, and the error would only come at the write.
    """
    pending: re.Match[str] | None = None
    for match in _JSON_ESCAPE.finditer(text):
        code = int(match.group(1), 16) if match.group(1) else None
        if pending is not None:
            if code is not None and 0xDC00 <= code <= 0xDFFF and match.start() == pending.end():
                pending = None
                continue
            break
        if code is not None and 0xD800 <= code <= 0xDBFF:
            pending = match
        elif code is not None and 0xDC00 <= code <= 0xDFFF:
            pending = match
            break
    if pending is None:
        return None
    return (*_line_col(text, pending.start()), pending.group(1))


def parse(text: str, *, label: str) -> Backup:
    """Read and check a backup in either form; errors name the place in the file."""
    where = _Where(label)
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_json_int(text))
        except json.JSONDecodeError as exc:
            raise ExportError(
                f"{label}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})"
            ) from None
        except ExportError as exc:
            place = "" if str(exc)[:1].isdigit() else " "
            raise ExportError(f"{label}:{place}{exc}") from None
        except RecursionError:
            raise ExportError(f"{label}: nested too deeply to be a backup") from None
        lone = _lone_surrogate(text)
        if lone is not None:
            line, col, code = lone
            raise ExportError(
                f"{label}:{line}:{col}: \\u{code} is half of a UTF-16 surrogate pair, not a "
                "character; a backup holds UTF-8 text: fix or remove the escape"
            )
        return _check_document(data, where)
    # Read by libyaml when PyYAML has it; an error is found again by the pure-Python
    # loader, which words and places it (see `strict_yaml`).
    return strict_yaml.parsed(
        lambda loader: _parse_yaml(text, label=label, loader=loader),
        refused=(ExportError,),
        text=text,
    )


def _parse_yaml(text: str, *, label: str, loader: type) -> Backup:
    where = _Where(label)
    try:
        node = strict_yaml.compose(text, loader)
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


# --- the document, checked by the command line's rules ------------------------------


def _day(value: Any, info: ValidationInfo) -> dt.date:
    """A `YYYY-MM-DD` text within 1900-2999 (a date beyond breaks date arithmetic)."""
    name = info.field_name
    if not isinstance(value, str):
        raise PydanticCustomError(
            RULE_ERROR, "{name} must be a date (YYYY-MM-DD), as text", {"name": name}
        )
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or day.isoformat() != value:
        raise PydanticCustomError(
            RULE_ERROR,
            "{name} {value} is not a date (YYYY-MM-DD)",
            {"name": name, "value": repr(value[:40])},
        )
    problem = date_problem(day, what=name)
    if problem:
        raise PydanticCustomError(RULE_ERROR, "{problem}", {"problem": problem})
    return day


def _interval(value: Any, info: ValidationInfo) -> int:
    """Days between reviews: 1 to 36500, as JSON writes it (a number) or YAML (text)."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INTERVAL:
        raise PydanticCustomError(
            RULE_ERROR,
            "{name} must be a whole number from 1 to {max} days",
            {"name": info.field_name, "max": MAX_INTERVAL},
        )
    return value


def _flag(value: Any, info: ValidationInfo) -> bool:
    """true or false, as JSON writes it (a boolean) or YAML (text: the strict loader
    reads `true` as the string it looks like)."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise PydanticCustomError(RULE_ERROR, "{name} must be true or false", {"name": info.field_name})


Day = Annotated[dt.date, BeforeValidator(_day)]
Interval = Annotated[int, BeforeValidator(_interval)]
Flag = Annotated[bool, BeforeValidator(_flag)]
# The store's own lists, not copies (a tuple subscript is one Literal of its items)
StatusName = Literal[tuple(s.value for s in Status)]  # type: ignore[valid-type]
#: The models' grades, which the store's CHECK also holds.
GradeName = Literal[tuple(g.value for g in Grade)]  # type: ignore[valid-type]


class _Entry(BaseModel):
    """Every mapping of a backup: known keys only, text as text, the store's rules."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    #: Field name -> the `validate` rule it follows, where the two differ.
    _rules: ClassVar[dict[str, str]] = {}

    _blank_is_absent = field_validator("*", mode="before")(blank_is_absent)

    @field_validator("*", mode="after")
    @classmethod
    def _within_rules(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name
        if name == "slug" and isinstance(value, str):
            problem = slug_problem(value)
            if problem:
                raise PydanticCustomError(RULE_ERROR, "{problem}", {"problem": problem})
        return stored_value(value, cls._rules.get(name, name), what=name)


class NoteEntry(_Entry):
    written_on: Day
    text: str
    private: Flag = False  # written only when true


class LinkEntry(_Entry):
    _rules: ClassVar[dict[str, str]] = {"url": "link_url"}

    url: str
    title: str | None = None
    added_on: Day


class ReviewEntry(_Entry):
    reviewed_on: Day
    grade: GradeName
    interval_days: Interval
    due_on: Day

    @model_validator(mode="after")
    def _due_after_review(self) -> ReviewEntry:
        if self.due_on <= self.reviewed_on:
            raise PydanticCustomError(
                RULE_ERROR,
                "due_on {due} is not after reviewed_on {on}",
                {"due": str(self.due_on), "on": str(self.reviewed_on)},
            )
        return self


class GoalEntry(_Entry):
    target_on: Day


class ProgressEntry(_Entry):
    """The rules `start`, `done` and `reopen` keep."""

    status: StatusName
    started_on: Day | None = None
    completed_on: Day | None = None

    @model_validator(mode="after")
    def _dates_fit_the_status(self) -> ProgressEntry:
        problem = None
        if self.status == "done" and self.completed_on is None:
            problem = "a done item needs completed_on, the day it was finished"
        elif self.status != "done" and self.completed_on is not None:
            problem = f"completed_on is only for done items; this one is {self.status}"
        elif self.started_on and self.completed_on and self.completed_on < self.started_on:
            problem = f"completed_on {self.completed_on} is before started_on {self.started_on}"
        if problem:
            raise PydanticCustomError(RULE_ERROR, "{problem}", {"problem": problem})
        return self


def _unique_slugs(items: list) -> list:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.slug in seen:
            raise PydanticCustomError(
                RULE_ERROR, "duplicate slug {slug}", {"slug": repr(item.slug), "at": index}
            )
        seen.add(item.slug)
    return items


class TopicEntry(_Entry):
    slug: str
    title: str
    description: str | None = None
    url: str | None = None
    progress: ProgressEntry | None = None
    notes: list[NoteEntry] = []
    links: list[LinkEntry] = []
    reviews: list[ReviewEntry] = []

    @model_validator(mode="after")
    def _reviews_of_a_done_topic(self) -> TopicEntry:
        status = self.progress.status if self.progress else "todo"
        if self.reviews and status != "done":
            raise PydanticCustomError(
                RULE_ERROR,
                "topic {slug} has reviews but is {status}; reviews are of done topics",
                {"slug": repr(self.slug), "status": status},
            )
        return self


class CourseEntry(_Entry):
    slug: str
    title: str
    description: str | None = None
    url: str | None = None
    certificate_url: str | None = None
    progress: ProgressEntry | None = None
    notes: list[NoteEntry] = []
    links: list[LinkEntry] = []
    topics: Annotated[list[TopicEntry], AfterValidator(_unique_slugs)] = []


class SpecializationEntry(_Entry):
    slug: str
    title: str
    provider: str | None = None
    url: str | None = None
    description: str | None = None
    certificate_url: str | None = None
    progress: ProgressEntry | None = None
    goal: GoalEntry | None = None
    notes: list[NoteEntry] = []
    links: list[LinkEntry] = []
    courses: Annotated[list[CourseEntry], AfterValidator(_unique_slugs)] = []


def _version(value: Any, _info: ValidationInfo) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**9:
        raise PydanticCustomError(
            RULE_ERROR, "version must be a whole number, e.g. {version}", {"version": VERSION}
        )
    if value > VERSION:
        raise PydanticCustomError(
            RULE_ERROR,
            "this backup is version {found}, written by a newer coursetrack; this one reads "
            "up to version {version}: upgrade coursetrack to restore it",
            {"found": value, "version": VERSION},
        )
    if value < 1:
        raise PydanticCustomError(
            RULE_ERROR, "there is no backup version {found}", {"found": value}
        )
    return value


class Backup(_Entry):
    """A whole backup document, checked (`parse` gives it, `restore` writes it)."""

    format: Literal["coursetrack-backup"]
    version: Annotated[int, BeforeValidator(_version)]
    specializations: Annotated[list[SpecializationEntry], AfterValidator(_unique_slugs)] = []


#: Which model a key's entries follow, to list the keys allowed where one is unknown.
_MODEL_OF = {
    "specializations": SpecializationEntry,
    "courses": CourseEntry,
    "topics": TopicEntry,
    "notes": NoteEntry,
    "links": LinkEntry,
    "reviews": ReviewEntry,
    "goal": GoalEntry,
    "progress": ProgressEntry,
}


def _check_document(data: Any, where: _Where) -> Backup:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise where.error((), f"not a coursetrack backup: it needs 'format: {FORMAT}' at the top")
    rows = _mappings(data) - 1  # every mapping but the document is a row to write
    if rows > MAX_BACKUP_ROWS:
        raise where.error(
            ("specializations",),
            f"the backup holds {rows:,} records; one backup may hold {MAX_BACKUP_ROWS:,} "
            "(see 'Limits' in the README): export one specialization per file "
            "('coursetrack export yaml SPEC')",
        )
    try:
        return Backup.model_validate(data)
    except ValidationError as exc:
        raise _first_error(exc, where) from None


def _mappings(data: Any) -> int:
    """How many mappings `data` holds, itself included; counted before validation,
    so an oversized backup is refused before pydantic builds a model of it."""
    count, stack = 0, [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            count += 1
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return count


def _first_error(exc: ValidationError, where: _Where) -> ExportError:
    """The first problem in the file's order, as `file:line:col: what is wrong`."""
    errors = exc.errors()

    def path_of(err: Any) -> tuple:
        loc = tuple(err["loc"])
        index = (err.get("ctx") or {}).get("at")
        return (*loc, index, "slug") if index is not None else loc

    def order(err: Any) -> tuple[int, int]:
        path = path_of(err)
        for end in range(len(path), -1, -1):
            mark = where.marks.get(path[:end])
            if mark is not None:
                return (mark.line, mark.column)
        return (0, 0)

    first = min(errors, key=order)
    message = _describe(first, tuple(first["loc"]))
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return where.error(path_of(first), message)


def _describe(err: Any, loc: tuple) -> str:
    names = [part for part in loc if isinstance(part, str)]
    field = names[-1] if names else "backup"
    kind = err["type"]
    if kind == RULE_ERROR:
        return err["msg"]
    if kind == "extra_forbidden":
        owner = _MODEL_OF.get(names[-2], Backup) if len(names) > 1 else Backup
        allowed = ", ".join(owner.model_fields)
        return f"unknown key {field!r}; backup version {VERSION} allows here: {allowed}"
    if kind == "missing":
        return f"missing required key {field!r}"
    if kind == "string_type":
        return f"{field} must be text"
    if kind == "list_type":
        return f"{field} must be a list"
    if kind == "string_unicode":
        return f"{field} is not valid Unicode text (it holds a lone surrogate); retype it"
    if kind == "literal_error":
        expected = err["ctx"]["expected"].replace("'", "")
        return f"{field} {err['input']!r} is not one of {expected}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"each entry of {field} must be a mapping"
    return f"{field}: {err['msg']}"


# --- restore -----------------------------------------------------------------------


@dataclass
class RestoreReport:
    specializations: list[str]
    courses: int
    topics: int
    progress: int
    records: int


_ITEM_FIELDS = {
    "specialization": _SPEC_FIELDS,
    "course": _COURSE_FIELDS,
    "topic": _TOPIC_FIELDS,
}


def restore(session: Session, document: Backup) -> RestoreReport:
    """Write a checked backup into the store, all or nothing (the caller's transaction).

    A specialization the store already has is refused rather than merged: a
    merge would have to choose between two records of the same progress, and
    a restore that silently picks one is not a restore. In a study group the
    catalog is shared: a specialization the group has already takes the
    learner's records onto its rows (if the learner keeps none there yet), and
    one it lacks needs a curator to restore. The records are the restorer's:
    a backup holds no learner.

    Rows go in with one executemany per table and level, not one ORM object
    each, so that the largest backup allowed (MAX_BACKUP_ROWS) holds the
    write lock for seconds, not minutes; the history triggers still record
    every row.
    """
    specs = document.specializations
    wanted = [s.slug for s in specs]
    stored = dict(
        session.exec(
            select(Specialization.slug, Specialization.id).where(
                col(Specialization.slug).in_(wanted)
            )
        ).all()
    )
    connection = session.connection()
    shared = group.is_group(connection)
    if stored and not shared:
        names = ", ".join(sorted(stored))
        raise ExportError(
            f"the store already has {names}; restore into an empty store (--db NEW.db), or "
            f"remove it first with 'coursetrack rm {sorted(stored)[0]}'"
        )
    new = [slug for slug in wanted if slug not in stored]
    if new:
        group.require_curator(connection, f"restoring {', '.join(new)} (new to the catalog)")
    if stored:
        _refuse_a_merge(session, stored)
    report = RestoreReport(specializations=wanted, courses=0, topics=0, progress=0, records=0)

    def bulk(model: Any, batch: list[dict[str, Any]]) -> None:
        # Core, not the ORM's bulk insert: half the time for the same executemany
        connection.execute(model.__table__.insert(), batch)

    # (table, owner column) -> rows: one executemany takes rows of the same keys
    rows: dict[tuple[type, str], list[dict[str, Any]]] = {}

    def keep(entry: Any, level: str, row_id: int) -> None:
        owner = {_OWNER[level]: row_id}
        if entry.progress is not None:
            rows.setdefault((Progress, _OWNER[level]), []).append(
                {**entry.progress.model_dump(), **owner}
            )
        for kind in _ATTACHED[level]:
            found = getattr(entry, kind.key)
            for record in [found] if kind is _GOAL else found:
                if record is not None:
                    rows.setdefault((kind.model, _OWNER[level]), []).append(
                        {**record.model_dump(), **owner}
                    )

    def values(entry: Any, level: str) -> dict[str, Any]:
        return {name: getattr(entry, name) for name in _ITEM_FIELDS[level]}

    for spec_entry in specs:
        if spec_entry.slug in stored:
            report.courses += len(spec_entry.courses)
            report.topics += _attach(session, spec_entry, stored[spec_entry.slug], keep)
            continue
        spec = Specialization(**values(spec_entry, "specialization"))
        session.add(spec)
        session.flush()
        keep(spec_entry, "specialization", spec.id)
        courses = spec_entry.courses
        if not courses:
            continue
        bulk(
            Course,
            [
                {**values(c, "course"), "specialization_id": spec.id, "position": n}
                for n, c in enumerate(courses, start=1)
            ],
        )
        course_ids = dict(
            session.exec(
                select(Course.position, Course.id).where(Course.specialization_id == spec.id)
            ).all()
        )
        fresh_topics = []
        for n, course_entry in enumerate(courses, start=1):
            keep(course_entry, "course", course_ids[n])
            fresh_topics += [
                {**values(t, "topic"), "course_id": course_ids[n], "position": k}
                for k, t in enumerate(course_entry.topics, start=1)
            ]
        report.courses += len(courses)
        if not fresh_topics:
            continue
        bulk(Topic, fresh_topics)
        topic_ids = {
            (course_id, position): topic_id
            for topic_id, course_id, position in session.exec(
                select(Topic.id, Topic.course_id, Topic.position).where(
                    col(Topic.course_id).in_(list(course_ids.values()))
                )
            ).all()
        }
        for n, course_entry in enumerate(courses, start=1):
            for k, topic_entry in enumerate(course_entry.topics, start=1):
                keep(topic_entry, "topic", topic_ids[(course_ids[n], k)])
        report.topics += len(fresh_topics)
    for (model, _owner), batch in rows.items():
        bulk(model, batch)
        if model is Progress:
            report.progress += len(batch)
        else:
            report.records += len(batch)
    session.flush()
    return report


def _refuse_a_merge(session: Session, stored: dict[str, int]) -> None:
    """A learner restoring onto the group's catalog must keep no record there yet.

    Reading as the learner, row-level security shows their own rows only.
    """
    spec_ids = list(stored.values())
    course_ids = select(Course.id).where(col(Course.specialization_id).in_(spec_ids))
    topic_ids = select(Topic.id).where(col(Topic.course_id).in_(course_ids))
    kept = 0
    for model in (Progress, Note, Link):
        kept += session.exec(
            select(func.count())
            .select_from(model)
            .where(
                col(model.specialization_id).in_(spec_ids)
                | col(model.course_id).in_(course_ids)
                | col(model.topic_id).in_(topic_ids)
            )
        ).one()
    kept += session.exec(
        select(func.count()).select_from(Review).where(col(Review.topic_id).in_(topic_ids))
    ).one()
    kept += session.exec(
        select(func.count()).select_from(Goal).where(col(Goal.specialization_id).in_(spec_ids))
    ).one()
    if kept:
        names = ", ".join(sorted(stored))
        raise ExportError(
            f"you keep {kept} record(s) on {names} in this store already; a restore does not "
            "merge two records of the same study, so nothing was restored (restore into a "
            "store where you have none)"
        )


def _attach(session: Session, entry: Any, spec_id: int, keep: Callable) -> int:
    """The learner's records of `entry` onto the group's catalog rows of the same slugs.

    The catalog is the group's: its titles and descriptions stay as they are; an
    item the backup holds and the catalog lacks is refused (a curator adds it first).
    Returns the number of topics.
    """
    courses = dict(
        session.exec(
            select(Course.slug, Course.id).where(Course.specialization_id == spec_id)
        ).all()
    )
    topics = {
        (course_id, slug): topic_id
        for course_id, slug, topic_id in session.exec(
            select(Topic.course_id, Topic.slug, Topic.id).where(
                col(Topic.course_id).in_(list(courses.values()))
            )
        ).all()
    }
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
    for course_entry in entry.courses:
        course_id = courses[course_entry.slug]
        keep(course_entry, "course", course_id)
        for topic_entry in course_entry.topics:
            keep(topic_entry, "topic", topics[(course_id, topic_entry.slug)])
            count += 1
    return count
