"""The tables: the one description of the schema.

The catalog (specializations, courses, topics) is kept apart from the learner's
progress, so re-importing a catalog rewrites titles and descriptions without
ever touching what the learner recorded. Each progress row belongs to exactly
one catalog item; deleting the item deletes its progress.

These classes carry every constraint, index and enum of the store; the rules of the
record (lengths, dates) are declared in `store.rules` and read from there, the words
(status, grade, op) in `coursetrack.vocabulary`, a light module a read can import. The
migrations in `store.migrations` are frozen DDL for each engine (a released step is
never edited); tests/test_schema.py compares a migrated store on SQLite and on
PostgreSQL with these classes, and the history triggers, backups and imports
take their column lists from here.

Foreign keys are DEFERRABLE (initially immediate): `undo` re-inserts removed
rows in whatever order the history holds them and defers the checks to commit
(PostgreSQL: `SET CONSTRAINTS ALL DEFERRED`; SQLite: `PRAGMA defer_foreign_keys`,
which needs no clause in the DDL).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Field, SQLModel

from coursetrack.store import rules

# the words, written in `coursetrack.vocabulary`; the models name the same enums
from coursetrack.vocabulary import Grade, Op, Status, Verdict, one_of  # noqa: F401 (re-exported)

#: The columns that name what a progress row, note or link belongs to.
OWNER_COLUMNS = ("specialization_id", "course_id", "topic_id")

#: Exactly one owner. Both engines run it (PostgreSQL cannot add booleans).
ONE_OWNER = " + ".join(f"CASE WHEN {c} IS NULL THEN 0 ELSE 1 END" for c in OWNER_COLUMNS) + " = 1"


class _RulePredicate(ColumnElement):
    """A rule's predicate in a CheckConstraint, as the engine at hand spells it (`store.rules`)."""

    inherit_cache = False

    def __init__(self, name: str) -> None:
        self.name = name


@compiles(_RulePredicate)
def _sqlite_predicate(element: _RulePredicate, compiler: object, **kw: object) -> str:
    return rules.named(element.name).sqlite


@compiles(_RulePredicate, "postgresql")
def _postgresql_predicate(element: _RulePredicate, compiler: object, **kw: object) -> str:
    return rules.named(element.name).postgresql


def rule_checks(table: str) -> tuple[CheckConstraint, ...]:
    """The CHECK constraint of each rule of the record on `table` (`store.rules`)."""
    return tuple(
        CheckConstraint(_RulePredicate(r.name), name=r.constraint) for r in rules.of_table(table)
    )


def _ref(target: str, *, nullable: bool = False, cascade: bool = True, unique: bool = False) -> Any:
    """A foreign key column: deferrable, cascading unless told otherwise.

    Any, as sqlmodel's `Field` itself: the column's type is the annotation it is assigned to
    (`int`, or `int | None` when nullable)."""
    return Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey(
                target,
                ondelete="CASCADE" if cascade else None,
                deferrable=True,
                initially="IMMEDIATE",
            ),
            nullable=nullable,
            unique=unique,
        ),
    )


#: Slugs sort by code point on both engines: SQLite compares bytes, and on PostgreSQL the
#: column's collation is "C", whatever the database's locale (en_US would put `ab` before
#: `a-c`, and status and next would list items in another order than on SQLite).
SLUG = String().with_variant(String(collation="C"), "postgresql")


#: The one learner of a SQLite store (a file is one person's record).
LOCAL_LEARNER = "me"


class _CurrentLearner(FunctionElement):
    """The learner a row belongs to when it is written: the database role on PostgreSQL.

    A column default, so no command can name someone else: on PostgreSQL it is
    `CURRENT_USER` (and row-level security checks it, see `store.group`); a
    SQLite store has one learner, `LOCAL_LEARNER`.
    """

    type = String()
    name = "current_learner"
    inherit_cache = True


@compiles(_CurrentLearner)
def _local_learner(element: _CurrentLearner, compiler: object, **kw: object) -> str:
    return f"'{LOCAL_LEARNER}'"


@compiles(_CurrentLearner, "postgresql")
def _database_role(element: _CurrentLearner, compiler: object, **kw: object) -> str:
    return "CURRENT_USER"


def _learner() -> str:
    """The column naming whose record a row is (see `_CurrentLearner`)."""
    return Field(
        default=None,
        sa_column=Column(String, nullable=False, server_default=_CurrentLearner()),
    )


class _RandomUid(FunctionElement):
    """A uid's default: 32 random hex digits, for a row written by other means than
    coursetrack (the sqlite3 shell, psql); coursetrack's own inserts pass the row's uid
    (`store.uids`). Spelled as each engine prints it back (`store.sync_schema`)."""

    type = String()
    name = "random_uid"
    inherit_cache = True


@compiles(_RandomUid)
def _sqlite_random_uid(element: _RandomUid, compiler: object, **kw: object) -> str:
    from coursetrack.store.sync_schema import UID_DEFAULT_SQLITE

    return UID_DEFAULT_SQLITE


@compiles(_RandomUid, "postgresql")
def _postgresql_random_uid(element: _RandomUid, compiler: object, **kw: object) -> str:
    from coursetrack.store.sync_schema import UID_DEFAULT_POSTGRESQL

    return UID_DEFAULT_POSTGRESQL


def _uid() -> str:
    """The column naming a row across replicas (issue 24, `store.uids`): last of its table's
    (PostgreSQL adds a column at the end), unique, never NULL."""
    return Field(
        default=None,
        sa_column=Column(String, nullable=False, unique=True, server_default=_RandomUid()),
    )


class Specialization(SQLModel, table=True):
    __tablename__ = "specialization"
    __table_args__ = (*rule_checks("specialization"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, sa_type=SLUG)
    title: str
    provider: str | None = None
    url: str | None = None
    description: str | None = None
    certificate_url: str | None = None
    uid: str | None = _uid()


class Course(SQLModel, table=True):
    __tablename__ = "course"
    __table_args__ = (
        *rule_checks("course"),
        UniqueConstraint("specialization_id", "slug"),
        Index("ix_course_specialization_id", "specialization_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int = _ref("specialization.id")
    position: int
    slug: str = Field(sa_type=SLUG)
    title: str
    description: str | None = None
    url: str | None = None
    certificate_url: str | None = None
    #: What a peer review scores (JSON, `rules.COURSE_RUBRIC`); None: a grade and a comment.
    rubric: str | None = None
    uid: str | None = _uid()


class Topic(SQLModel, table=True):
    __tablename__ = "topic"
    __table_args__ = (
        *rule_checks("topic"),
        UniqueConstraint("course_id", "slug"),
        Index("ix_topic_course_id", "course_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = _ref("course.id")
    position: int
    slug: str = Field(sa_type=SLUG)
    title: str
    description: str | None = None
    url: str | None = None
    rubric: str | None = None  # as a course's
    uid: str | None = _uid()


class Progress(SQLModel, table=True):
    """The learner's state of one item.

    For a topic, and a course without topics, `status` is what the learner set.
    For a course with topics and for a specialization it is derived from their
    units; the row then only keeps an explicit start date. Notes are in `note`.
    """

    __tablename__ = "progress"
    __table_args__ = (
        *rule_checks("progress"),
        CheckConstraint(one_of("status", Status), name="ck_progress_status"),
        CheckConstraint(ONE_OWNER, name="ck_progress_one_owner"),
        # the item first: its index also finds an item's rows (every status join)
        *(UniqueConstraint(c, "learner") for c in OWNER_COLUMNS),
    )

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int | None = _ref("specialization.id", nullable=True)
    course_id: int | None = _ref("course.id", nullable=True)
    topic_id: int | None = _ref("topic.id", nullable=True)
    status: str = Field(default=Status.TODO, sa_column_kwargs={"server_default": Status.TODO.value})
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    learner: str | None = _learner()


class Note(SQLModel, table=True):
    """A dated note on any item: one list per item, oldest first."""

    __tablename__ = "note"
    __table_args__ = (
        *rule_checks("note"),
        CheckConstraint(ONE_OWNER, name="ck_note_one_owner"),
        *(Index(f"ix_note_{c}", c) for c in OWNER_COLUMNS),
    )

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int | None = _ref("specialization.id", nullable=True)
    course_id: int | None = _ref("course.id", nullable=True)
    topic_id: int | None = _ref("topic.id", nullable=True)
    written_on: dt.date
    text: str
    learner: str | None = _learner()
    #: Kept from the group: only its learner reads it (`note --private`).
    private: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    uid: str | None = _uid()


class Link(SQLModel, table=True):
    """A link the learner keeps on an item: their notebook, a summary, a video."""

    __tablename__ = "link"
    __table_args__ = (
        *rule_checks("link"),
        CheckConstraint(ONE_OWNER, name="ck_link_one_owner"),
        *(Index(f"ix_link_{c}", c) for c in OWNER_COLUMNS),
    )

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int | None = _ref("specialization.id", nullable=True)
    course_id: int | None = _ref("course.id", nullable=True)
    topic_id: int | None = _ref("topic.id", nullable=True)
    url: str
    title: str | None = None
    added_on: dt.date
    learner: str | None = _learner()
    uid: str | None = _uid()


class Review(SQLModel, table=True):
    """One review of a finished topic, and when the next one is due."""

    __tablename__ = "review"
    __table_args__ = (
        *rule_checks("review"),
        CheckConstraint(one_of("grade", Grade), name="ck_review_grade"),
        Index("ix_review_topic_id", "topic_id", "reviewed_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = _ref("topic.id")
    reviewed_on: dt.date
    grade: str
    interval_days: int
    due_on: dt.date
    learner: str | None = _learner()
    uid: str | None = _uid()


class Goal(SQLModel, table=True):
    """The date by which the learner means to finish a specialization."""

    __tablename__ = "goal"
    __table_args__ = (
        *rule_checks("goal"),
        UniqueConstraint("specialization_id", "learner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int = _ref("specialization.id")
    target_on: dt.date
    learner: str | None = _learner()


class PeerRequest(SQLModel, table=True):
    """A learner asks the study group to review their work on a course or topic (issue 23).

    One per item and learner: asking again replaces the link and note, and keeps the
    reviews given so far. Its author is known to the group; its reviewers are not."""

    __tablename__ = "peer_request"
    __table_args__ = (
        *rule_checks("peer_request"),
        UniqueConstraint("course_id", "learner"),
        UniqueConstraint("topic_id", "learner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    course_id: int | None = _ref("course.id", nullable=True)
    topic_id: int | None = _ref("topic.id", nullable=True)
    url: str
    note: str | None = None
    asked_on: dt.date
    learner: str | None = _learner()


class PeerReview(SQLModel, table=True):
    """One learner's review of another's request: `learner` is the REVIEWER, whom the
    request's author never reads (`store.group`: column privileges).

    A request that has reviews is never removed under them (no cascade: its removal, or
    the undo of its asking, is refused)."""

    __tablename__ = "peer_review"
    __table_args__ = (
        *rule_checks("peer_review"),
        UniqueConstraint("request_id", "learner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = _ref("peer_request.id", cascade=False)
    reviewed_on: dt.date
    grade: str  # a Verdict
    scores: str | None = None  # JSON: criterion -> points, when the item has a rubric
    comment: str
    learner: str | None = _learner()


class Command(SQLModel, table=True):
    """One command that changed the store; its row changes are in `change`."""

    __tablename__ = "command"
    __table_args__ = (
        *rule_checks("command"),
        Index("ix_command_stamp", "stamp", unique=True),
        Index("ix_command_seq", "seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: str  # ISO 8601 UTC timestamp
    line: str  # the command as typed, less global options
    undoes: int | None = _ref("command.id", nullable=True, cascade=False)
    undone_by: int | None = _ref("command.id", nullable=True, cascade=False)
    learner: str | None = _learner()
    #: Issue 24 (docs/sync.md): the command's name on every store, f"{replica}:{id where
    #: it was made}"; the replica that made it; its stamp (`store.clock`), by which every
    #: store orders its commands; the name of the machine (NULL before schema 8); the
    #: hub's arrival number (NULL until the hub holds it; 0: the catalog, from a group's
    #: hub); the rule that refused it at a sync's replay (NULL: applied); the exchanged
    #: form, kept once built.
    gid: str = Field(unique=True)
    replica: str
    stamp: str
    machine: str | None = None
    seq: int | None = None
    set_aside: str | None = None
    payload: str | None = None


class Change(SQLModel, table=True):
    """One row inserted, updated or deleted, with its values before and after (JSON).

    Written by triggers, so cascades and bulk updates are recorded too.
    """

    __tablename__ = "change"
    __table_args__ = (
        CheckConstraint(one_of("op", Op), name="ck_change_op"),
        Index("ix_change_command_id", "command_id"),
        Index("ix_change_row", "table_name", "row_id", "command_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    command_id: int = _ref("command.id", cascade=False)
    table_name: str
    row_id: int
    op: str  # insert | update | delete
    old: str | None = None
    new: str | None = None
    learner: str | None = _learner()


class Member(SQLModel, table=True):
    """A learner of a study group, and whether they agreed to be listed in its post."""

    __tablename__ = "member"
    __table_args__ = (*rule_checks("member"),)

    id: int | None = Field(default=None, primary_key=True)
    learner: str | None = Field(
        default=None,
        sa_column=Column(String, nullable=False, unique=True, server_default=_CurrentLearner()),
    )
    shared: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )


class SyncState(SQLModel, table=True):
    """Who this store is for a sync (issue 24), one row made with the store: its replica
    id (16 random hex) and machine name, and the hub it syncs with (its URL, never a
    password, and replica id; NULL until `sync URL`). Not tracked: no command's."""

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="ck_sync_state_one_row"),)

    id: int | None = Field(default=None, primary_key=True)
    replica: str
    name: str | None = None
    hub_url: str | None = None
    hub_replica: str | None = None


#: The tables whose every row change the history triggers record, in the
#: order a catalog is built.
TRACKED: tuple[type[SQLModel], ...] = (
    Specialization, Course, Topic, Progress, Note, Link, Review, Goal, Member,
    PeerRequest, PeerReview,
)  # fmt: skip

#: Tables whose rows belong to one learner (the rest, the catalog, is shared).
PER_LEARNER: tuple[type[SQLModel], ...] = (
    Progress, Note, Link, Review, Goal, Member, PeerRequest, PeerReview, Command, Change,
)  # fmt: skip

#: The catalog: the tracked tables no learner owns, shared by a study group.
CATALOG: tuple[type[SQLModel], ...] = tuple(m for m in TRACKED if m not in PER_LEARNER)


def table_name(model: type[SQLModel]) -> str:
    """A model's table: every model here names it as text (sqlmodel also allows a function)."""
    name = model.__tablename__
    assert isinstance(name, str)
    return name


def table_names(models: tuple[type[SQLModel], ...]) -> tuple[str, ...]:
    """The tables of `models`, in their order."""
    return tuple(table_name(m) for m in models)


def columns_of(model: type[SQLModel]) -> tuple[str, ...]:
    """A table's column names in declared order: the one list backups, imports and triggers use."""
    return tuple(c.name for c in model.__table__.columns)  # type: ignore[attr-defined]


#: Columns that place a row rather than describe it: its id, its parent or
#: owner, its position (which the order of a file gives).
#: A row's learner is whoever writes it (a backup restores as the learner restoring it).
#: A row's uid is made where the row is made (`store.uids`), never carried.
_PLACEMENT = frozenset({"id", "uid", "position", "learner", *OWNER_COLUMNS})


def described_by(model: type[SQLModel]) -> tuple[str, ...]:
    """The columns a catalog, a backup or an import carries for a row, in table order."""
    return tuple(c for c in columns_of(model) if c not in _PLACEMENT)


def dates_of(model: type[SQLModel]) -> tuple[str, ...]:
    """The model's date columns: written as ISO text in backups."""
    return tuple(
        c.name
        for c in model.__table__.columns  # type: ignore[attr-defined]
        if c.type.python_type is dt.date
    )


def numbers_of(model: type[SQLModel]) -> tuple[str, ...]:
    """The model's integer columns that describe the row (not its id, parent or owner)."""
    return tuple(
        c.name
        for c in model.__table__.columns  # type: ignore[attr-defined]
        if c.name in described_by(model) and c.type.python_type is int
    )
