"""The tables.

The catalog (specializations, courses, topics) is kept apart from the learner's
progress, so re-importing a catalog rewrites titles and descriptions without
ever touching what the learner recorded. Each progress row belongs to exactly
one catalog item; deleting the item deletes its progress.

The DDL that creates these tables is frozen in `store.MIGRATIONS`; a test checks
that the two agree.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in-progress"
    DONE = "done"


class Specialization(SQLModel, table=True):
    __tablename__ = "specialization"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True)
    title: str
    provider: str | None = None
    url: str | None = None
    description: str | None = None
    certificate_url: str | None = None


class Course(SQLModel, table=True):
    __tablename__ = "course"

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int = Field(foreign_key="specialization.id", ondelete="CASCADE", index=True)
    position: int
    slug: str
    title: str
    description: str | None = None
    url: str | None = None
    certificate_url: str | None = None


class Topic(SQLModel, table=True):
    __tablename__ = "topic"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", ondelete="CASCADE", index=True)
    position: int
    slug: str
    title: str
    description: str | None = None
    url: str | None = None


class Progress(SQLModel, table=True):
    """The learner's state of one item.

    For a topic, and a course without topics, `status` is what the learner set.
    For a course with topics and for a specialization it is derived from their
    units; the row then only keeps an explicit start date. Notes are in `note`.
    """

    __tablename__ = "progress"

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int | None = Field(
        default=None, foreign_key="specialization.id", ondelete="CASCADE", unique=True
    )
    course_id: int | None = Field(
        default=None, foreign_key="course.id", ondelete="CASCADE", unique=True
    )
    topic_id: int | None = Field(
        default=None, foreign_key="topic.id", ondelete="CASCADE", unique=True
    )
    status: str = Field(default=Status.TODO)
    started_on: dt.date | None = None
    completed_on: dt.date | None = None


class Note(SQLModel, table=True):
    """A dated note on any item: one list per item, oldest first."""

    __tablename__ = "note"

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int | None = Field(
        default=None, foreign_key="specialization.id", ondelete="CASCADE", index=True
    )
    course_id: int | None = Field(
        default=None, foreign_key="course.id", ondelete="CASCADE", index=True
    )
    topic_id: int | None = Field(
        default=None, foreign_key="topic.id", ondelete="CASCADE", index=True
    )
    written_on: dt.date
    text: str


class Link(SQLModel, table=True):
    """A link the learner keeps on an item: their notebook, a summary, a video."""

    __tablename__ = "link"

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int | None = Field(
        default=None, foreign_key="specialization.id", ondelete="CASCADE", index=True
    )
    course_id: int | None = Field(
        default=None, foreign_key="course.id", ondelete="CASCADE", index=True
    )
    topic_id: int | None = Field(
        default=None, foreign_key="topic.id", ondelete="CASCADE", index=True
    )
    url: str
    title: str | None = None
    added_on: dt.date


class Review(SQLModel, table=True):
    """One review of a finished topic, and when the next one is due."""

    __tablename__ = "review"

    id: int | None = Field(default=None, primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", ondelete="CASCADE", index=True)
    reviewed_on: dt.date
    grade: str
    interval_days: int
    due_on: dt.date


class Goal(SQLModel, table=True):
    """The date by which the learner means to finish a specialization."""

    __tablename__ = "goal"

    id: int | None = Field(default=None, primary_key=True)
    specialization_id: int = Field(foreign_key="specialization.id", ondelete="CASCADE", unique=True)
    target_on: dt.date


class Command(SQLModel, table=True):
    """One command that changed the store; its row changes are in `change`."""

    __tablename__ = "command"

    id: int | None = Field(default=None, primary_key=True)
    at: str  # ISO 8601 UTC timestamp
    line: str  # the command as typed, less global options
    undoes: int | None = Field(default=None, foreign_key="command.id")
    undone_by: int | None = Field(default=None, foreign_key="command.id")


class Change(SQLModel, table=True):
    """One row inserted, updated or deleted, with its values before and after (JSON).

    Written by triggers, so cascades and bulk updates are recorded too.
    """

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_row", "table_name", "row_id", "command_id"),)

    id: int | None = Field(default=None, primary_key=True)
    command_id: int = Field(foreign_key="command.id", index=True)
    table_name: str
    row_id: int
    op: str  # insert | update | delete
    old: str | None = None
    new: str | None = None
