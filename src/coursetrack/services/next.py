"""`coursetrack next`: the open units to work on, and the units in course order.

A unit is a topic, or a course that has no topics, as `status` counts them;
`units_of` is also what the burn-up (`services.chart`) counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from coursetrack.errors import InputError
from coursetrack.refs import Target, read_target
from coursetrack.store import units as store

if TYPE_CHECKING:
    from coursetrack.services.overview import PeerFlow
    from coursetrack.store.reader import Reader, Row

DEFAULT_NEXT_LIMIT = 5
#: `next --limit` at most: more rows than any store holds, and within SQLite's integers.
MAX_NEXT_LIMIT = 1_000_000


@dataclass
class Unit:
    """A topic, or a course without topics, with the learner's state of it."""

    spec_id: int
    spec_slug: str
    course_position: int
    course_slug: str
    course_title: str
    topic_position: int | None
    topic_slug: str | None
    topic_title: str | None
    status: str
    started_on: dt.date | None
    completed_on: dt.date | None

    @property
    def kind(self) -> str:
        return "course" if self.topic_slug is None else "topic"

    @property
    def title(self) -> str:
        return self.topic_title if self.topic_title is not None else self.course_title

    @property
    def ref(self) -> str:
        parts = [self.spec_slug, self.course_slug]
        if self.topic_slug is not None:
            parts.append(self.topic_slug)
        return "/".join(parts)

    @property
    def short_ref(self) -> str:
        """The ref by positions (dls/2/1): quick to type, but shifts when items move."""
        parts = [self.spec_slug, str(self.course_position)]
        if self.topic_position is not None:
            parts.append(str(self.topic_position))
        return "/".join(parts)


def _where(target: Target | None) -> dict[str, int | None]:
    """The course or specialization a target narrows the units to (none: every unit)."""
    if target is None:
        return {}
    course = target.course
    return {"spec_id": target.specialization.id, "course_id": course.id if course else None}


def _unit(row: Row) -> Unit:
    return Unit(
        spec_id=row.spec_id,
        spec_slug=row.spec_slug,
        course_position=row.course_position,
        course_slug=row.course_slug,
        course_title=row.course_title,
        topic_position=row.topic_position,
        topic_slug=row.topic_slug,
        topic_title=row.topic_title,
        status=row.status,
        started_on=row.started_on,
        completed_on=row.completed_on,
    )


def units_of(reader: Reader, target: Target | None = None) -> list[Unit]:
    """The units under a specialization or course (None: every one), in course order."""
    return [_unit(row) for row in store.units(reader, **_where(target))]


def _scope(reader: Reader, ref: str | None, *, command: str) -> Target | None:
    """A specialization or course to work within; a topic makes no sense here."""
    if ref is None:
        return None
    target = read_target(reader, ref)
    if target.kind == "topic":
        raise InputError(
            f"{command} takes a specialization or a course, and {target.ref} is a topic; "
            f"try 'coursetrack {command} {target.specialization.slug}'"
        )
    return target


@dataclass
class NextUnit:
    ref: str
    short_ref: str
    kind: str
    title: str
    status: str
    started_on: dt.date | None
    course: dict


@dataclass
class NextList:
    """`coursetrack next`: the open units to work on, in-progress ones first."""

    scope: str | None
    units_total: int
    open_units: int
    limit: int
    units: list[NextUnit] = field(default_factory=list)
    peer: PeerFlow | None = None  # a study group's store only; in JSON only then

    def to_dict(self) -> dict:
        data = asdict(self)
        if self.peer is None:
            del data["peer"]
        return data


def next_units(
    reader: Reader,
    *,
    ref: str | None,
    limit: int = DEFAULT_NEXT_LIMIT,
    today: dt.date | None = None,
) -> NextList:
    """Open units in course order, the ones already started first; on a study group's
    store, what peer review asks of the learner too (`overview.peer_flow`)."""
    if not 1 <= limit <= MAX_NEXT_LIMIT:
        raise InputError(f"--limit {limit} is out of range: give 1 to {MAX_NEXT_LIMIT:,}")
    target = _scope(reader, ref, command="next")
    # Counted and picked in the database: only `limit` units ever reach Python.
    counts = store.next_counts(reader, **_where(target))
    chosen = [_unit(row) for row in store.next_units(reader, limit=limit, **_where(target))]
    peer = None
    if reader.dialect == "postgresql":  # nothing to import or ask on SQLite
        from coursetrack import dates
        from coursetrack.services.overview import peer_flow

        peer = peer_flow(reader, today or dates.today())
    return NextList(
        peer=peer,
        scope=target.ref if target else None,
        units_total=counts.total,
        open_units=counts.open_units,
        limit=limit,
        units=[
            NextUnit(
                ref=u.ref,
                short_ref=u.short_ref,
                kind=u.kind,
                title=u.title,
                status=u.status,
                started_on=u.started_on,
                course={
                    "ref": f"{u.spec_slug}/{u.course_slug}",
                    "position": u.course_position,
                    "title": u.course_title,
                },
            )
            for u in chosen
        ],
    )
