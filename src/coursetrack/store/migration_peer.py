"""Schema 7, peer review in a study group (issue 23): a step of its own module.

`store.migrations` holds steps 1 to 6 and is near the house's 600 lines; this step is
appended to its `MIGRATIONS` all the same, and is frozen like them once released.

It adds, on both engines:
- `course.rubric`, `topic.rubric`: NULL, or the JSON list of criteria a peer review scores;
- `peer_request`: a learner asks the group to review their work on one course or topic
  (a link to it, a note), once per item and learner;
- `peer_review`: one review of a request per reviewer (`learner`), a verdict, the
  scores of the item's rubric, a comment. Its request is never removed under it (a
  foreign key that does not cascade);
- their rules of the record (`store.rules`, the CHECKs of schema 7, and the triggers of
  `store.peer_rules`), and the history of the two new tables (and of the catalog's
  new column).

A SQLite store keeps the tables empty (peer review needs a group); they exist so that
one schema describes every store. A study group's security for the new tables is
applied by the upgrade's last step (`schema._keep_group_security`).

SQLite adds a column by ALTER TABLE, which writes it into the table's DDL text; a new
store (`store.fresh`) runs this very step on the tables schema 6 makes, so that its
text is an upgraded store's to the byte.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.store.triggers import TRACKED_V6, _pg, _run, install_history

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: The tracked tables and their columns as schema 7 leaves them (frozen: the history
#: this step makes, whatever later steps add).
TRACKED_V7: dict[str, tuple[str, ...]] = {
    **TRACKED_V6,
    "course": (*TRACKED_V6["course"], "rubric"),
    "topic": (*TRACKED_V6["topic"], "rubric"),
    "peer_request": ("id", "course_id", "topic_id", "url", "note", "asked_on", "learner"),
    "peer_review": (
        "id", "request_id", "reviewed_on", "grade", "scores", "comment", "learner",
    ),
}  # fmt: skip


def _checks(table: str, dialect: str) -> str:
    """The CHECKs of schema 7's rules on `table`, as its CREATE TABLE names them."""
    from coursetrack.store import rules

    return ",\n".join(
        f"            CONSTRAINT {r.constraint} CHECK ({r.predicate(dialect)})"
        for r in rules.of_table(table, 7)
    )


def statements(dialect: str) -> list[str]:
    """The tables and columns of schema 7 on `dialect` (the step's DDL, triggers aside)."""
    pg = dialect == "postgresql"
    key = "id SERIAL PRIMARY KEY" if pg else "id INTEGER PRIMARY KEY"
    refs = "DEFERRABLE INITIALLY IMMEDIATE" if pg else ""
    cascade = f"ON DELETE CASCADE {refs}".rstrip()
    learner = "CURRENT_USER" if pg else "'me'"
    return [
        "ALTER TABLE course ADD COLUMN rubric VARCHAR",
        "ALTER TABLE topic ADD COLUMN rubric VARCHAR",
        f"""CREATE TABLE peer_request (
            {key},
            course_id INTEGER REFERENCES course (id) {cascade},
            topic_id INTEGER REFERENCES topic (id) {cascade},
            url VARCHAR NOT NULL,
            note VARCHAR,
            asked_on DATE NOT NULL,
            learner VARCHAR NOT NULL DEFAULT {learner},
            UNIQUE (course_id, learner),
            UNIQUE (topic_id, learner),
{_checks("peer_request", dialect)}
        )""",
        f"""CREATE TABLE peer_review (
            {key},
            request_id INTEGER NOT NULL {f"REFERENCES peer_request (id) {refs}".rstrip()},
            reviewed_on DATE NOT NULL,
            grade VARCHAR NOT NULL,
            scores VARCHAR,
            comment VARCHAR NOT NULL,
            learner VARCHAR NOT NULL DEFAULT {learner},
            UNIQUE (request_id, learner),
{_checks("peer_review", dialect)}
        )""",
    ]


def _m007_peer_review(conn: Connection) -> None:
    """Peer review: rubrics on the catalog, requests and reviews, their rules and history."""
    from coursetrack.store import peer_rules

    pg = _pg(conn)
    _run(conn, statements("postgresql" if pg else "sqlite"))
    install_history(conn, TRACKED_V7)
    if pg:
        current = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        _run(conn, peer_rules.ddl("postgresql", current))
    else:
        _run(conn, peer_rules.ddl("sqlite"))
