"""`coursetrack goal`: the date by which the learner means to finish a specialization."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.errors import InputError
from coursetrack.refs import Target, read_target, resolve
from coursetrack.store import goals as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer


def whole_specialization(target: Target, *, command: str) -> Target:
    """The target, if it is a specialization; else a refusal naming one."""
    if target.kind != "specialization":
        raise InputError(
            f"{command} works on a whole specialization, and {target.ref} is a {target.kind}; "
            f"try 'coursetrack {command} {target.specialization.slug}'"
        )
    return target


@dataclass
class GoalState:
    ref: str
    title: str
    target_on: dt.date | None
    previous_on: dt.date | None = None


def goal_on(reader: Reader, spec_id: int) -> dt.date | None:
    """The date the learner means to finish a specialization by, if they set one."""
    return store.goal_on(reader, spec_id)


def goal_of(reader: Reader, *, ref: str) -> GoalState:
    target = whole_specialization(read_target(reader, ref), command="goal")
    spec = target.specialization
    return GoalState(target.ref, spec.title, goal_on(reader, spec.id))


def set_goal(writer: Writer, *, ref: str, by: dt.date, today: dt.date) -> GoalState:
    """Store (or move) the date by which the learner means to finish."""
    target = whole_specialization(resolve(writer, ref), command="goal")
    if by < today:
        raise InputError(
            f"--by {by.isoformat()} is in the past (today is {today.isoformat()}); "
            "give a date from today on"
        )
    spec = target.specialization
    previous = store.set_goal(writer, spec.id, by=by)
    return GoalState(target.ref, spec.title, by, previous)


def clear_goal(writer: Writer, *, ref: str) -> GoalState:
    """Remove the goal; `previous_on` says which one there was (None: there was none)."""
    target = whole_specialization(resolve(writer, ref), command="goal")
    previous = store.clear_goal(writer, target.specialization.id)
    return GoalState(target.ref, target.specialization.title, None, previous)
