"""The study group's views: where each learner stands, read in the group's scope.

Every statement here runs in a transaction that `enter` has put in the group's
scope (`group.read_group`): the per-learner tables then hold every row the
group may read, each with its `learner`, and every figure is computed per
learner (GROUP BY learner). The single-learner queries of `store.queries` must
not run in such a transaction: they would add every learner's progress
together. A view is narrowed to a specialization or one of its courses
(`Scope`), a condition on the course `c` (`{narrow}` below), which is the one
place these statements are put together. Only PostgreSQL has groups, and roles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coursetrack.store import group
from coursetrack.store.notes import SHARED_NOTE, shared_note
from coursetrack.vocabulary import Status, sql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from coursetrack.store.reader import Reader, Row

_OF_SPECIALIZATION = "c.specialization_id = :spec_id"
_OF_COURSE = "c.id = :course_id"


@dataclass(frozen=True)
class Scope:
    """What a view reads: a specialization, or one of its courses (`course_id`)."""

    spec_id: int
    course_id: int | None = None

    @property
    def narrow(self) -> str:
        return _OF_SPECIALIZATION if self.course_id is None else _OF_COURSE

    def params(self) -> dict[str, int]:
        """The scope's parameters: the specialization's id, and the course's if any."""
        if self.course_id is None:
            return {"spec_id": self.spec_id}
        return {"spec_id": self.spec_id, "course_id": self.course_id}

    def own(self) -> dict[str, int]:
        """The parameter of the narrowing alone."""
        if self.course_id is None:
            return {"spec_id": self.spec_id}
        return {"course_id": self.course_id}


#: What a group view checks first: the database (its group's roles are named after
#: it), and whether the store is a study group's (row-level security FORCEd on `progress`).
_STORE = """
SELECT current_database() AS database,
       coalesce((SELECT relforcerowsecurity FROM pg_class
                 WHERE oid = to_regclass('progress')), false) AS grouped
"""


def enter(reader: Reader) -> str | None:
    """Put the reader's snapshot in the group's scope; the database's name (its roles are
    named after it), or None if the store is not a study group's (nothing is changed)."""
    row = reader.one(_STORE)
    assert row is not None
    if not row.grouped:
        return None
    group.read_group(reader)
    return row.database


#: How many units are under `{narrow}`, and per course: the catalog alone.
_UNITS = """
SELECT c.id AS course_id, c.position, c.slug, c.title, count(*) AS units_total
FROM course c LEFT JOIN topic t ON t.course_id = c.id
WHERE {narrow} GROUP BY c.id, c.position, c.slug, c.title ORDER BY c.position
"""

#: Each learner's progress row of each unit under `{narrow}` (the unit rule of `UNITS`:
#: a topic, or a course without topics); a unit with no row is not started.
_GROUP_UNIT_ROWS = """
SELECT p.learner, p.status, p.started_on, p.completed_on, c.id AS course_id,
       t.position AS topic_position
FROM progress p JOIN topic t ON t.id = p.topic_id JOIN course c ON c.id = t.course_id
WHERE {narrow}
UNION ALL
SELECT p.learner, p.status, p.started_on, p.completed_on, c.id, NULL
FROM progress p JOIN course c ON c.id = p.course_id
WHERE {narrow} AND NOT EXISTS (SELECT 1 FROM topic k WHERE k.course_id = c.id)
"""

#: Per learner and course: units done, how many of them within the pace window
#: (`:start` to `:today`: a completion is an active day, so none precedes a learner's
#: first one and `plan`'s window needs no per-learner start here), and the last done.
_GROUP_DONE = (
    "SELECT u.learner, u.course_id, count(*) AS units_done,"
    " sum(CASE WHEN u.completed_on >= :start AND u.completed_on <= :today"
    " THEN 1 ELSE 0 END) AS done_in_window,"
    " max(u.completed_on) AS last_done_on"
    " FROM (" + _GROUP_UNIT_ROWS + f") u WHERE u.status = {sql(Status.DONE)}"
    " GROUP BY u.learner, u.course_id"
)

#: Units per course under `{narrow}`.
_GROUP_COURSE_UNITS = (
    "SELECT c.id AS course_id, count(*) AS units_total"
    " FROM course c LEFT JOIN topic t ON t.course_id = c.id WHERE {narrow} GROUP BY c.id"
)

#: The group's learners, one row each: every login role that is a member of its
#: learners' role `:role` (directly, or through another role: the curators), and
#: everyone with a record the group may read (a login may have been dropped since);
#: whether they agreed to be listed in the post, their goal for `:spec_id`, and their
#: units done under `{narrow}` (in the pace window, the last, the courses finished).
#: Only PostgreSQL has groups, and roles.
_LEARNERS = (
    """
WITH RECURSIVE members(oid) AS (
    SELECT m.member FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
    WHERE g.rolname = :role
    UNION
    SELECT m.member FROM pg_auth_members m JOIN members x ON m.roleid = x.oid
),
done AS (
    SELECT d.learner, CAST(sum(d.units_done) AS INTEGER) AS units_done,
           CAST(sum(d.done_in_window) AS INTEGER) AS done_in_window,
           max(d.last_done_on) AS last_done_on,
           sum(CASE WHEN d.units_done = n.units_total THEN 1 ELSE 0 END) AS courses_done
    FROM ("""
    + _GROUP_DONE
    + """) d
    JOIN ("""
    + _GROUP_COURSE_UNITS
    + """) n ON n.course_id = d.course_id
    GROUP BY d.learner
)
SELECT l.learner, coalesce(m.shared, false) AS shared, g.target_on AS goal_on,
       coalesce(done.units_done, 0) AS units_done,
       coalesce(done.done_in_window, 0) AS done_in_window,
       done.last_done_on, coalesce(done.courses_done, 0) AS courses_done
FROM (
    SELECT r.rolname AS learner FROM pg_roles r JOIN members x ON x.oid = r.oid
    WHERE r.rolcanlogin
    UNION SELECT learner FROM progress UNION SELECT learner FROM goal
    UNION SELECT learner FROM member UNION SELECT learner FROM review
    UNION SELECT learner FROM link UNION SELECT learner FROM note WHERE """
    + SHARED_NOTE
    + """
) l
LEFT JOIN member m ON m.learner = l.learner
LEFT JOIN goal g ON g.learner = l.learner AND g.specialization_id = :spec_id
LEFT JOIN done ON done.learner = l.learner
"""
)

#: Per course under `{narrow}`: how many learners finished it (every unit done).
_FINISHERS = (
    "SELECT n.course_id, count(d.learner) AS finished FROM ("
    + _GROUP_COURSE_UNITS
    + ") n LEFT JOIN ("
    + _GROUP_DONE
    + ") d ON d.course_id = n.course_id AND d.units_done = n.units_total"
    " GROUP BY n.course_id"
)

#: Per learner, in one course: units started, and the first topic in progress.
_STARTED = (
    "SELECT u.learner,"
    f" sum(CASE WHEN u.status = {sql(Status.IN_PROGRESS)} THEN 1 ELSE 0 END) AS units_started,"
    f" min(CASE WHEN u.status = {sql(Status.IN_PROGRESS)} THEN u.topic_position END)"
    " AS current_position"
    " FROM (" + _GROUP_UNIT_ROWS + ") u GROUP BY u.learner"
)

#: Per learner with a record in the course `:course_id`: the first topic not done yet.
_NEXT_TOPIC = f"""
SELECT l.learner, min(t.position) AS next_position
FROM (
    SELECT DISTINCT p.learner FROM progress p JOIN topic k ON k.id = p.topic_id
    WHERE k.course_id = :course_id
) l
JOIN topic t ON t.course_id = :course_id
WHERE NOT EXISTS (
    SELECT 1 FROM progress d
    WHERE d.topic_id = t.id AND d.learner = l.learner AND d.status = {sql(Status.DONE)}
)
GROUP BY l.learner
"""


def _active_days(narrow: str) -> str:
    """Each (learner, day) with anything recorded under `{narrow}`: a start, a completion,
    a review, a note or a link, as `queries.ACTIVITY_DAYS` counts one learner's (for a
    specialization its own start, notes and links too). Each table is read once. A
    private note does not count: every learner of the group sees the same figures."""
    own = " OR x.specialization_id = :spec_id" if narrow == _OF_SPECIALIZATION else ""
    owned = (
        f"(x.topic_id IN (SELECT id FROM topics) OR x.course_id IN (SELECT id FROM courses){own})"
    )
    return f"""
WITH topics AS (SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id WHERE {narrow}),
courses AS (SELECT c.id FROM course c WHERE {narrow}),
p AS (
    SELECT x.learner, x.started_on,
           CASE WHEN x.specialization_id IS NULL THEN x.completed_on END AS completed_on
    FROM progress x WHERE {owned}
)
SELECT a.learner, a.day AS day_on FROM (
    SELECT p.learner, p.started_on AS day FROM p
    UNION SELECT p.learner, p.completed_on FROM p
    UNION SELECT x.learner, x.reviewed_on FROM review x
          WHERE x.topic_id IN (SELECT id FROM topics)
    UNION SELECT x.learner, x.written_on FROM note x WHERE {shared_note("x")} AND {owned}
    UNION SELECT x.learner, x.added_on FROM link x WHERE {owned}
) a WHERE a.day IS NOT NULL
"""


#: The group's notes on a specialization, its courses and topics, oldest first: never a
#: private one (a learner's own private notes are theirs to read, not to publish).
_NOTES = f"""
SELECT x.learner, x.specialization_id, x.course_id, x.topic_id, x.written_on, x.text
FROM note x
LEFT JOIN course c1 ON c1.id = x.course_id
LEFT JOIN topic t ON t.id = x.topic_id LEFT JOIN course c2 ON c2.id = t.course_id
WHERE {shared_note("x")}
  AND (x.specialization_id = :spec_id OR c1.specialization_id = :spec_id
       OR c2.specialization_id = :spec_id)
ORDER BY x.written_on, x.id
"""


def units(reader: Reader, scope: Scope) -> list[Row]:
    """Per course in scope, in order: its position, slug, title and units (the catalog)."""
    return reader.all(_UNITS.format(narrow=scope.narrow), **scope.own())


def learners(
    reader: Reader, scope: Scope, *, database: str, start: dt.date, today: dt.date
) -> list[Row]:
    """Every learner of the group, one row each, with what they did in scope: units done
    (from `start` to `today`, the last), courses finished, goal, whether listed."""
    role = group.role_name(database, group.LEARNERS)
    sql = _LEARNERS.format(narrow=scope.narrow)
    return reader.all(sql, role=role, start=start, today=today, **scope.params())


def active_days(reader: Reader, scope: Scope) -> list[Row]:
    """Each (learner, day_on) with anything recorded in scope."""
    return reader.all(_active_days(scope.narrow), **scope.params())


def started(reader: Reader, course_id: int) -> list[Row]:
    """Per learner in a course: units started, and the position of the first in progress."""
    return reader.all(_STARTED.format(narrow=_OF_COURSE), course_id=course_id)


def next_topics(reader: Reader, course_id: int) -> list[Row]:
    """Per learner with a record in a course: the position of the first topic not done."""
    return reader.all(_NEXT_TOPIC, course_id=course_id)


def finishers(reader: Reader, spec_id: int, *, today: dt.date) -> list[Row]:
    """Per course of a specialization: how many learners finished it."""
    sql = _FINISHERS.format(narrow=_OF_SPECIALIZATION)
    return reader.all(sql, spec_id=spec_id, start=today, today=today)


def notes(reader: Reader, spec_id: int) -> list[Row]:
    """The group's non-private notes on a specialization and what is under it, oldest first."""
    return reader.all(_NOTES, spec_id=spec_id)


# --- what a curator's catalog change would take from the others ---------------------


def end_group_read(source: Reader | Connection) -> None:
    """Back to reading only this learner's rows, for the rest of the transaction."""
    group.as_reader(source).scalar("SELECT set_config(:name, '', true)", name=group.SCOPE_SETTING)


def others_recorded(
    source: Reader | Connection,
    *,
    specializations: Sequence[int] = (),
    courses: Sequence[int] = (),
    topics: Sequence[int] = (),
    under: bool = False,
) -> list[str]:
    """The other learners (sorted) whose records hang on these catalog rows (`under`: or
    on the rows under them): deleting the rows would cascade to their progress, notes,
    links, reviews or goals. [] off a group, without a statement off PostgreSQL.

    Read in the group's scope, then back to the learner's; a private note is not
    visible even so, and the guard trigger refuses its deletion in the end.
    """
    reader = group.as_reader(source)
    if not group.is_group(reader):
        return []
    params = {"s": list(specializations), "c": list(courses), "t": list(topics)}
    return _in_group_scope(reader, _OTHERS_UNDER if under else _OTHERS, params)


def others_finished(source: Reader | Connection, courses: Sequence[int]) -> list[str]:
    """The other learners (sorted) who marked one of these courses done as a whole."""
    reader = group.as_reader(source)
    if not courses or not group.is_group(reader):
        return []
    return _in_group_scope(reader, _OTHERS_FINISHED, {"c": list(courses)})


def _in_group_scope(reader: Reader, sql: str, params: dict[str, list[int]]) -> list[str]:
    group.read_group(reader)  # a failure below ends the transaction, and the scope with it
    found = [row.learner for row in reader.all(sql, **params)]
    end_group_read(reader)
    return found


def _others_of(s: str, c: str, t: str) -> str:
    """Who else keeps records on the specializations `s`, courses `c`, topics `t` (arrays)."""
    owned = f"specialization_id = ANY({s}) OR course_id = ANY({c}) OR topic_id = ANY({t})"
    tables = [f"SELECT learner FROM {name} WHERE {owned}" for name in ("progress", "note", "link")]
    tables += [
        f"SELECT learner FROM review WHERE topic_id = ANY({t})",
        f"SELECT learner FROM goal WHERE specialization_id = ANY({s})",
        # a request for peer review is of a course or a topic (its reviews go with it)
        f"SELECT learner FROM peer_request WHERE course_id = ANY({c}) OR topic_id = ANY({t})",
    ]
    union = " UNION ".join(tables)
    return f"SELECT learner FROM ({union}) AS o WHERE learner <> session_user ORDER BY learner"


_IDS = "CAST(:{} AS integer[])"
_OTHERS = _others_of(_IDS.format("s"), _IDS.format("c"), _IDS.format("t"))
#: The same with the courses and topics under the rows named: one statement.
_OTHERS_UNDER = (
    f"WITH s AS (SELECT unnest({_IDS.format('s')}) AS id), "
    f"c AS (SELECT unnest({_IDS.format('c')}) AS id "
    "UNION SELECT id FROM course WHERE specialization_id IN (SELECT id FROM s)), "
    f"t AS (SELECT unnest({_IDS.format('t')}) AS id "
    "UNION SELECT id FROM topic WHERE course_id IN (SELECT id FROM c)) "
) + _others_of(*(f"ARRAY(SELECT id FROM {name})" for name in "sct"))
_OTHERS_FINISHED = (
    "SELECT DISTINCT learner FROM progress WHERE course_id = ANY(CAST(:c AS integer[])) "
    f"AND status = {sql(Status.DONE)} AND learner <> session_user ORDER BY learner"
)


def others_message(what: str, others: list[str]) -> str:
    """Why a curator's catalog change is refused: it would delete others' records."""
    count = f"{len(others)} other learner" + ("s" if len(others) != 1 else "")
    names = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
    return (
        f"{what} would delete the records {count} ({names}) keep on it (progress, notes, "
        "links, reviews, goals or requests for peer review), which are theirs alone; "
        "nothing was changed"
    )
