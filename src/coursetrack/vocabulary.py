"""The words the record is written in: an item's status, a review's grade, a peer review's
verdict, a history row's op.

Written once, here: the models' CHECKs, the store's SQL (bound as a parameter, or
generated with `sql`), the backup format, the views' colours and the CLI's choices
take them from these enums (tests/test_vocabulary.py holds src/ to it). A module of
its own, apart from the SQLModel tables, so that a read over sqlite3 alone takes the
words without loading the ORM; `coursetrack.models` exposes the same classes.

The frozen DDL of released migration steps (`store.migrations`) keeps the words it
was released with: a step does what it did, whatever the words become later.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a unit stands: what the learner set, or what its units add up to."""

    TODO = "todo"
    IN_PROGRESS = "in-progress"
    DONE = "done"


class Grade(StrEnum):
    """How a review went, hardest first: it sets the next interval."""

    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"


class Verdict(StrEnum):
    """What a peer's review of a learner's work says (issue 23): it passes, or needs another go."""

    PASS = "pass"
    REVISE = "revise"


class Op(StrEnum):
    """What a history row records."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


def sql(word: StrEnum) -> str:
    """A word as an SQL string literal, for a statement that cannot bind it (DDL, a
    trigger, a shared subquery): the same text on both engines."""
    return "'" + word.value.replace("'", "''") + "'"


def one_of(column: str, enum: type[StrEnum]) -> str:
    """A CHECK that a column holds one of an enum's values, as the DDL writes it."""
    return f"{column} IN ({', '.join(sql(m) for m in enum)})"


def listed(enum: type[StrEnum], *, last: str = "or") -> str:
    """An enum's words as a sentence lists them: `todo, in-progress or done`."""
    words = [m.value for m in enum]
    return f"{', '.join(words[:-1])} {last} {words[-1]}"
