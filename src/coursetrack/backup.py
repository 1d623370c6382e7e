"""Backups: the whole record as one YAML or JSON document, and back.

The document is meant to outlive the SQLite schema, so it holds no row ids and
no positions: order in the lists is the order of courses and topics. Every
value is text (dates are `YYYY-MM-DD`), so the YAML form reads back through
the same strict loader as catalogs, where `yes`, `null` or `0123` are never
anything but the strings they look like. A field that is not set is left out
rather than written as null, and a progress row is written exactly when one
is stored, so that restoring a backup and exporting again gives the same bytes.
A note's `private` flag is written only when set, as `true` (read back from the
text `true` or `false`, or a JSON boolean). A course's or topic's rubric is the
catalog's list of `criterion` and `points` (`coursetrack.rubrics`), not the JSON
text the store keeps; its points, like `interval_days`, are written as numbers.

Besides the catalog and progress rows, each item carries the learner's dated
notes and links, topics their reviews, specializations their goal. The
command history is not part of a backup: its entries point at row ids of the
store that made them, and a restore is itself recorded as one command.

Version 1 readers refuse keys they do not know instead of dropping them: a
later coursetrack that records more adds keys under a new `version`, and an
older one then says it is too old rather than restoring half of a record.
Version 2 adds peer review (issue 23, `PeerRequestEntry`, `PeerGivenEntry`) on
courses and topics; a backup without any is still written as version 1, byte for
byte as before, and a peer key under version 1 is refused (`_peer_needs_v2`). The
format is described in the README's Backups section.

This module is the format: what each level holds, the markers, and the
pydantic models (`Backup` and the entries under it) that a document is checked
by; `backup_reading` reads a document's text into them (YAML by the strict
loader of `documents`, which catalogs share), `services.backup_export` writes a
backup and `services.restore` puts one into the store.

A backup is checked by pydantic models (`Backup` and the entries under it)
against the rules the command line keeps, so a restore cannot put in what no
command could: a done item without its date, a review of an unfinished topic,
a date past 2999 (which made `status` raise OverflowError for good), a
`javascript:` URL, a 20 MB title. Errors point at the file's line:col.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from coursetrack import documents, rubrics
from coursetrack.documents import RULE_ERROR, blank_is_absent, stored_value
from coursetrack.errors import ExportError
from coursetrack.slugs import slug_problem
from coursetrack.store import backup as columns
from coursetrack.validate import (
    MAX_CRITERIA,
    MAX_CRITERION,
    MAX_INTERVAL,
    MAX_POINTS,
    date_problem,
    text_problem,
)
from coursetrack.vocabulary import Status

FORMAT = "coursetrack-backup"
#: The highest version this coursetrack reads (and writes, when a backup holds peer review).
VERSION = 2
#: The version of a backup that holds no peer review: written as it always was.
PLAIN_VERSION = 1


def yaml_header(version: int) -> str:
    """The comment a YAML backup of `version` starts with."""
    return (
        f"# A coursetrack backup ({FORMAT} version {version}).\n"
        "# Restore it into an empty store with: coursetrack import FILE\n"
    )


YAML_HEADER = yaml_header(PLAIN_VERSION)

# What a backup holds of each row is the store's list of it (`store.backup`): a column
# added there is backed up, and restored, without a second list here.
SPEC_FIELDS = columns.ITEMS["specialization"]
COURSE_FIELDS = columns.ITEMS["course"]
TOPIC_FIELDS = columns.ITEMS["topic"]
PROGRESS_FIELDS = columns.PROGRESS
DATE_FIELDS = columns.dates(PROGRESS_FIELDS)


@dataclass(frozen=True)
class Records:
    """Records the learner keeps on an item besides its progress row (`key`: where a
    backup files them, and the name the store knows their kind by)."""

    key: str
    fields: tuple[str, ...]
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


def _records(key: str) -> Records:
    fields = columns.RECORDS[key][1]
    return Records(
        key,
        fields,
        columns.dates(fields),
        tuple(c for c in fields if c in columns.NUMBERS),
        tuple(c for c in fields if c in columns.FLAGS),
    )


NOTES = _records("notes")
LINKS = _records("links")
REVIEWS = _records("reviews")
GOAL = _records("goal")
#: What each level may carry, in the order it is written. `goal` is one mapping;
#: the others are lists, oldest record first.
ATTACHED = {
    "specialization": (GOAL, NOTES, LINKS),
    "course": (NOTES, LINKS),
    "topic": (NOTES, LINKS, REVIEWS),
}
OWNER = {"specialization": "specialization_id", "course": "course_id", "topic": "topic_id"}

_YAML_MARKER = re.compile(rf"^format:[ \t]*(['\"]?){FORMAT}\1[ \t]*(#.*)?$", re.MULTILINE)
_JSON_MARKER = re.compile(rf'"format"\s*:\s*"{FORMAT}"')


# --- reading ----------------------------------------------------------------------


def looks_like_backup(text: str) -> bool:
    """Whether `text` declares itself a backup (rather than a catalog).

    Decided by the top-level marker alone, so that a damaged backup is reported
    as a damaged backup and not as a catalog with an unknown key.
    """
    if text.lstrip().startswith("{"):
        return _JSON_MARKER.search(text) is not None
    return _YAML_MARKER.search(text) is not None


def parse(text: str, *, label: str) -> Backup:
    """Read and check a backup in either form; errors name the place in the file
    (`backup_reading`)."""
    from coursetrack import backup_reading

    return backup_reading.parse(text, label=label)


def place(text: str, label: str, path: tuple, message: str) -> ExportError:
    """`message` at the place of `path` in the backup `text`: `file:line:col: ...`, for a
    problem the restore finds once the store is read (`backup_reading.place`)."""
    from coursetrack import backup_reading

    return backup_reading.place(text, label, path, message)


# --- the document, checked by the command line's rules ------------------------------


def _day(value: Any, info: ValidationInfo) -> dt.date:
    """A `YYYY-MM-DD` text within 1900-2999 (a date beyond breaks date arithmetic)."""
    name = info.field_name
    assert name is not None  # a field validator's call names its field
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
StatusName = Literal[columns.STATUSES]  # type: ignore[valid-type]
#: The grades the store's CHECK holds.
GradeName = Literal[columns.GRADES]  # type: ignore[valid-type]


class _Entry(BaseModel):
    """Every mapping of a backup: known keys only, text as text, the store's rules."""

    # Built at the first backup read, not at import: a catalog import asks this module
    # only whether its text is a backup.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)
    #: Field name -> the `validate` rule it follows, where the two differ.
    _rules: ClassVar[dict[str, str]] = {}

    _blank_is_absent = field_validator("*", mode="before")(blank_is_absent)

    @field_validator("*", mode="after")
    @classmethod
    def _within_rules(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name
        assert name is not None  # a field validator's call names its field
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


def _scores(value: Any, info: ValidationInfo) -> dict[str, int]:
    """A peer review's scores: criterion -> whole points, as JSON writes them (numbers)
    or YAML (text). Their fit to the item's rubric is the restore's to check (the
    rubric is the catalog's: in a study group, the group's, not the file's)."""
    if not isinstance(value, dict) or not 1 <= len(value) <= MAX_CRITERIA:
        raise PydanticCustomError(
            RULE_ERROR,
            "scores must be a mapping of 1 to {most} criteria, each to its points",
            {"most": MAX_CRITERIA},
        )
    out: dict[str, int] = {}
    for criterion, points in value.items():
        problem = text_problem(criterion, what="a criterion", limit=MAX_CRITERION, required=True)
        if problem:
            raise PydanticCustomError(RULE_ERROR, "{problem}", {"problem": problem})
        if isinstance(points, str) and re.fullmatch(r"[0-9]{1,3}", points):
            points = int(points)
        if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= MAX_POINTS:
            raise PydanticCustomError(
                RULE_ERROR,
                "the score of {criterion} must be a whole number from 0 to {most}",
                {"criterion": repr(criterion[:40]), "most": MAX_POINTS},
            )
        out[criterion] = points
    return out


def _learner_name(value: Any, info: ValidationInfo) -> str:
    """A learner's name as the store holds it: 1 to 63 bytes (a PostgreSQL role's)."""
    from coursetrack.store.rules import MAX_LEARNER_BYTES

    if isinstance(value, str):
        problem = text_problem(value, what=str(info.field_name), limit=MAX_LEARNER_BYTES)
        if problem is None and not 1 <= len(value.encode()) <= MAX_LEARNER_BYTES:
            problem = (
                f"{info.field_name} must be a learner's name of 1 to {MAX_LEARNER_BYTES} bytes"
            )
        if problem:
            raise PydanticCustomError(RULE_ERROR, "{problem}", {"problem": problem})
    return value


Scores = Annotated[dict[str, int], BeforeValidator(_scores)]
LearnerName = Annotated[str, BeforeValidator(_learner_name)]
#: A peer review's grade: the words of `vocabulary.Verdict` (the store's CHECK).
VerdictName = Literal[columns.VERDICTS]  # type: ignore[valid-type]
#: How the author of a request reads the reviewers of their work (numbered by the
#: order they reviewed, as `peer show` numbers them).
REVIEWER = "reviewer {n}"


class PeerReceivedEntry(_Entry):
    """A review the learner's request received; its reviewer is `reviewer N`, never a name."""

    _rules: ClassVar[dict[str, str]] = {"comment": "text"}

    reviewer: str
    reviewed_on: Day
    grade: VerdictName
    scores: Scores | None = None
    comment: str


def _numbered(reviews: list[PeerReceivedEntry]) -> list[PeerReceivedEntry]:
    """Reviewers are `reviewer 1`, `reviewer 2`, ... in the order listed (the order they
    reviewed): the export numbers them so, and a restore keeps that order."""
    for index, review in enumerate(reviews):
        expected = REVIEWER.format(n=index + 1)
        if review.reviewer != expected:
            raise PydanticCustomError(
                RULE_ERROR,
                "reviewer {found} should be {expected}: reviewers are numbered in the order "
                "they are listed (the order they reviewed)",
                {
                    "found": repr(review.reviewer[:40]),
                    "expected": repr(expected),
                    "at": index,
                    "field": "reviewer",
                },
            )
    return reviews


class PeerRequestEntry(_Entry):
    """The learner's own request for review of an item, with the reviews it received."""

    _rules: ClassVar[dict[str, str]] = {"url": "link_url", "note": "text"}

    url: str
    note: str | None = None
    asked_on: Day
    reviews: Annotated[list[PeerReceivedEntry], AfterValidator(_numbered)] = []


class PeerGivenEntry(_Entry):
    """A review the learner gave of another's request on the item (its author is known to
    the group; the request's note is the author's and is not kept)."""

    _rules: ClassVar[dict[str, str]] = {"url": "link_url", "comment": "text"}

    author: LearnerName
    url: str
    asked_on: Day
    reviewed_on: Day
    grade: VerdictName
    scores: Scores | None = None
    comment: str


def _one_per_author(reviews: list[PeerGivenEntry]) -> list[PeerGivenEntry]:
    """One review per reviewer of a request, and one request per author and item."""
    seen: set[str] = set()
    for index, review in enumerate(reviews):
        if review.author in seen:
            raise PydanticCustomError(
                RULE_ERROR,
                "a second review of the request by {author} on this item; a learner reviews "
                "a request once",
                {"author": repr(review.author[:40]), "at": index, "field": "author"},
            )
        seen.add(review.author)
    return reviews


PeerGiven = Annotated[list[PeerGivenEntry], AfterValidator(_one_per_author)]
#: The keys of peer review (version 2), on a course or topic.
PEER_KEYS = ("peer_request", "peer_reviews")


def _peer_needs_v2(value: Any, info: ValidationInfo) -> Any:
    """Peer review is version 2's: a version-1 backup that holds it is refused at the key
    (the document's version is handed down as the validation's context)."""
    version = (info.context or {}).get("version")
    if value is not None and value != [] and isinstance(version, int) and version < 2:
        raise PydanticCustomError(
            RULE_ERROR,
            "{name} is peer review, which a backup holds from version 2; this one says "
            "version {version}",
            {"name": info.field_name, "version": version},
        )
    return value


class ProgressEntry(_Entry):
    """The rules `start`, `done` and `reopen` keep."""

    status: StatusName
    started_on: Day | None = None
    completed_on: Day | None = None

    @model_validator(mode="after")
    def _dates_fit_the_status(self) -> ProgressEntry:
        problem = None
        if self.status == Status.DONE and self.completed_on is None:
            problem = "a done item needs completed_on, the day it was finished"
        elif self.status != Status.DONE and self.completed_on is not None:
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


#: A course's or topic's rubric: a list of criteria in the document, JSON text once read
#: (the store's form, `coursetrack.rubrics`), checked as a catalog's.
Rubric = Annotated[str | None, BeforeValidator(rubrics.checked)]


class TopicEntry(_Entry):
    slug: str
    title: str
    description: str | None = None
    url: str | None = None
    rubric: Rubric = None
    progress: ProgressEntry | None = None
    notes: list[NoteEntry] = []
    links: list[LinkEntry] = []
    reviews: list[ReviewEntry] = []
    peer_request: PeerRequestEntry | None = None
    peer_reviews: PeerGiven = []

    _peer_v2 = field_validator(*PEER_KEYS, mode="before")(_peer_needs_v2)

    @model_validator(mode="after")
    def _reviews_of_a_done_topic(self) -> TopicEntry:
        status = self.progress.status if self.progress else Status.TODO.value
        if self.reviews and status != Status.DONE:
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
    rubric: Rubric = None
    progress: ProgressEntry | None = None
    notes: list[NoteEntry] = []
    links: list[LinkEntry] = []
    peer_request: PeerRequestEntry | None = None
    peer_reviews: PeerGiven = []
    topics: Annotated[list[TopicEntry], AfterValidator(_unique_slugs)] = []

    _peer_v2 = field_validator(*PEER_KEYS, mode="before")(_peer_needs_v2)


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


BACKUP = documents.Kind(
    noun="backup",
    error=ExportError,
    models={
        None: Backup,
        "specializations": SpecializationEntry,
        "courses": CourseEntry,
        "topics": TopicEntry,
        "notes": NoteEntry,
        "links": LinkEntry,
        "reviews": ReviewEntry,
        "goal": GoalEntry,
        "progress": ProgressEntry,
        "peer_request": PeerRequestEntry,
        "peer_reviews": PeerGivenEntry,
        ("peer_request", "reviews"): PeerReceivedEntry,
    },
    empty=f"a backup is a mapping with format: {FORMAT}, version and specializations",
    allows=f"backup version {VERSION} allows here",
)
