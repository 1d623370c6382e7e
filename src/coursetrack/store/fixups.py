"""The upgrade to the rules (schema 6): rows that break one are mended, nothing is lost.

A store made before the rules may hold what they refuse (a note over the limit,
a review of a topic that is no longer done, a date no program can compute with).
Before the constraints are made, each such row is put in a form the rules allow,
and whatever that form cannot hold is kept in a note on the same item, of the
same learner:

- text over its limit is cut there (a note's text is split into notes of the
  same day instead), the whole kept in notes; a NUL becomes the four characters
  `\\x00` (as a command's line already does); bytes become text;
- a URL the rules refuse is moved into a note (a link becomes a note);
- a slug of the wrong form is made from it again (`slugify`), kept unique, the old
  one kept in a note;
- a date out of 1900..2999 is clamped, one that is no date at all (2025-02-30)
  left empty or made today, the original kept in a note; a start after the
  completion becomes the completion day, the start kept in a note;
- a review's interval is clamped, a due day not after the review recomputed;
- a review of a topic its learner has not done becomes a note recording it.

History does not record these changes (an upgrade is no command to undo); the
SQLite store's copy made before the upgrade keeps the old rows as they were.
`mend` returns one sentence per rule it applied, for the opener to print.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from coursetrack.dates import EARLIEST, LATEST
from coursetrack.store.rules import (
    MAX_MOMENT,
    MOMENT_PATTERN,
    REVIEW_DONE_TOPIC,
    Rule,
    made_by,
    review_violations_sql,
)
from coursetrack.validate import MAX_INTERVAL, MAX_NOTE
from coursetrack.vocabulary import Status

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

OWNERS = ("specialization_id", "course_id", "topic_id")
#: Where a catalog row's kept values go: a note on the item itself.
_ITEM_OWNER = {"specialization": "specialization_id", "course": "course_id", "topic": "topic_id"}
#: Where a slug must be unique.
_SLUG_SCOPE = {"specialization": None, "course": "specialization_id", "topic": "course_id"}
KEPT = "kept by the upgrade to the store's rules"


def _sql(conn: Connection, sql: str, params: dict | None = None) -> Any:
    from sqlalchemy import text

    return conn.execute(text(sql), params or {})


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        value = bytes(value).decode("utf-8", "replace")
    return str(value).replace("\x00", "\\x00")


def _chunks(text: str, size: int = MAX_NOTE) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [text]


class _Mender:
    def __init__(self, conn: Connection, today: dt.date) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.today = min(max(today, EARLIEST), LATEST)

    def day(self, value: dt.date) -> Any:
        """A date as this engine's driver takes it for a DATE column."""
        return value if self.pg else value.isoformat()

    def keep(self, row: dict, owner: dict, text: str, *, day: dt.date | None = None) -> int:
        """Keep `text` in notes (split at the limit) on `owner`'s item, of `row`'s learner."""
        learner = row.get("learner")
        columns = [*OWNERS, "written_on", "text", "private"]
        if learner is not None:
            columns.append("learner")
        sql = (
            f"INSERT INTO note ({', '.join(columns)}) VALUES "
            f"({', '.join(':' + c for c in columns)})"
        )
        count = 0
        for part in _chunks(text):
            params = {c: owner.get(c) for c in OWNERS}
            params.update(
                # a day of the row itself may be one a later rule mends: keep it in range
                written_on=self.day(min(max(day, EARLIEST), LATEST) if day else self.today),
                text=part,
                private=row.get("private", False) if "text" in row else False,
                learner=learner,
            )
            _sql(self.conn, sql, params)
            count += 1
        return count

    def owner_of(self, table: str, row: dict) -> dict:
        if table in _ITEM_OWNER:
            return {_ITEM_OWNER[table]: row["id"]}
        return {c: row.get(c) for c in OWNERS}

    def set(self, table: str, row_id: int, **values: Any) -> None:
        assignments = ", ".join(f"{c} = :{c}" for c in values)
        _sql(
            self.conn, f"UPDATE {table} SET {assignments} WHERE id = :id", {**values, "id": row_id}
        )

    def broken(self, rule: Rule) -> list[dict]:
        dialect = "postgresql" if self.pg else "sqlite"
        columns = "*"
        if self.pg:  # as text: psycopg2 cannot make a Python date of year 5874897
            columns = ", ".join(
                f"CAST({c} AS text) AS {c}" if kind == "date" else c
                for c, kind in _sql(
                    self.conn,
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = :t "
                    "ORDER BY ordinal_position",
                    {"t": rule.table},
                )
            )
        sql = (
            f"SELECT {columns} FROM {rule.table} WHERE NOT ({rule.predicate(dialect)}) ORDER BY id"
        )
        return [dict(r._mapping) for r in _sql(self.conn, sql)]

    def date_of(self, value: Any) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(_as_text(value).strip()[:10])
        except ValueError:
            return None

    # --- one method per kind of fix: mends the row, says what it did -------------------

    def cut(self, rule: Rule, row: dict) -> str:
        column, limit = rule.column, rule.limit or 0
        assert column is not None  # rules.py makes every rule mended this way about one column
        value = row[column]
        text = _as_text(value)
        if rule.name.endswith("_learner"):
            new = text.encode("utf-8")[:limit].decode("utf-8", "ignore") or "me"
            self.set(rule.table, row["id"], **{column: new})
            return "cut to the longest name the rule allows"
        new = "(untitled)" if column == "title" and not text.strip() else text[:limit]
        self.set(rule.table, row["id"], **{column: new})
        if new != text and rule.table != "command":
            self.keep(row, self.owner_of(rule.table, row), f"{KEPT}: the {column} was: {text}")
            return f"cut at {limit:,} characters, the whole kept in a note on the item"
        return f"cut at {limit:,} characters"

    def split(self, rule: Rule, row: dict) -> str:
        text = _as_text(row["text"])
        if not text.strip():
            text = "(empty note)"
        first, *rest = _chunks(text)
        self.set("note", row["id"], text=first)
        day = self.date_of(row["written_on"]) or self.today
        for part in rest:
            self.keep(row, self.owner_of("note", row), part, day=day)
        return f"split into notes of at most {MAX_NOTE:,} characters, of the same day"

    def url(self, rule: Rule, row: dict) -> str:
        assert rule.column is not None  # rules.py makes every rule mended this way about one column
        text = _as_text(row[rule.column])
        owner = self.owner_of(rule.table, row)
        if rule.table == "link":
            title = f" ({_as_text(row['title'])})" if row.get("title") else ""
            self.keep(
                row, owner, f"{KEPT}: a link to {text}{title}", day=self.date_of(row["added_on"])
            )
            _sql(self.conn, "DELETE FROM link WHERE id = :id", {"id": row["id"]})
            return "the link made a note on its item"
        self.keep(row, owner, f"{KEPT}: the {rule.column} was: {text}")
        self.set(rule.table, row["id"], **{rule.column: None})
        return "the URL moved into a note on the item"

    def slug(self, rule: Rule, row: dict) -> str:
        from coursetrack.slugs import full_slug, slug_problem

        old = _as_text(row["slug"])
        base = full_slug(old) or f"{rule.table}-{row['id']}"
        if slug_problem(base):
            base = f"{rule.table}-{base}"[:90].strip("-")
        scope = _SLUG_SCOPE[rule.table]
        where = f" AND {scope} = :scope" if scope else ""
        new, n = base, 1
        while _sql(
            self.conn,
            f"SELECT 1 FROM {rule.table} WHERE slug = :s AND id <> :id{where}",
            {"s": new, "id": row["id"], "scope": row.get(scope) if scope else None},
        ).first():
            n += 1
            new = f"{base[: 100 - len(str(n)) - 1]}-{n}"
        self.set(rule.table, row["id"], slug=new)
        self.keep(row, self.owner_of(rule.table, row), f"{KEPT}: the slug was: {old}")
        return "the slug made again from it, the old one kept in a note on the item"

    def date(self, rule: Rule, row: dict) -> str:
        column = rule.column
        assert column is not None  # rules.py makes every rule mended this way about one column
        value = row[column]
        parsed = self.date_of(value)
        nullable = column in ("started_on", "completed_on")
        if parsed is not None and not isinstance(value, dt.date) and parsed.isoformat() != value:
            parsed = None  # '2025-02-30' and friends
        year = re.match(r"\s*([0-9]{1,9})-[0-9]{2}-[0-9]{2}", _as_text(value))
        new: dt.date | None
        if parsed is None and year and int(year.group(1)) > LATEST.year:
            new = LATEST
        elif parsed is None and year and int(year.group(1)) < EARLIEST.year:
            new = EARLIEST
        elif parsed is None:
            new = None if nullable else self.today
        else:
            new = min(max(parsed, EARLIEST), LATEST)
        self.set(rule.table, row["id"], **{column: None if new is None else self.day(new)})
        self.keep(
            row, self.owner_of(rule.table, row), f"{KEPT}: the {column} was {_as_text(value)}"
        )
        return f"made a date from {EARLIEST} to {LATEST}, the original kept in a note"

    def flag(self, rule: Rule, row: dict) -> str:
        assert rule.column is not None  # rules.py makes every rule mended this way about one column
        value = row[rule.column]
        truth = value not in (None, 0, "0", "", b"", "false", "False")
        self.set(rule.table, row["id"], **{rule.column: 1 if truth else 0})
        return "made true or false"

    def completion(self, rule: Rule, row: dict) -> str:
        if row["status"] == Status.DONE:
            day = self.date_of(row["started_on"]) or self.today
            self.set("progress", row["id"], completed_on=self.day(day))
            return "a done item without a completion day completed on its start day (or today)"
        completed = _as_text(row["completed_on"])
        self.keep(
            row,
            self.owner_of("progress", row),
            f"{KEPT}: completed on {completed}, while {row['status']}",
        )
        self.set("progress", row["id"], completed_on=None)
        return "a completion day of an item not done moved into a note"

    def order(self, rule: Rule, row: dict) -> str:
        started = _as_text(row["started_on"])
        self.keep(row, self.owner_of("progress", row), f"{KEPT}: started on {started}")
        self.set("progress", row["id"], started_on=row["completed_on"])
        return "started on its completion day, the start kept in a note"

    def interval(self, rule: Rule, row: dict) -> str:
        try:
            days = int(float(_as_text(row["interval_days"])))
        except ValueError:
            days = 1
        self.set("review", row["id"], interval_days=min(max(days, 1), MAX_INTERVAL))
        return f"the interval clamped to 1..{MAX_INTERVAL:,} days"

    def due(self, rule: Rule, row: dict) -> str:
        reviewed = self.date_of(row["reviewed_on"]) or self.today
        days = int(row["interval_days"])
        due = min(reviewed + dt.timedelta(days=min(days, (LATEST - reviewed).days)), LATEST)
        if due <= reviewed:
            reviewed = due - dt.timedelta(days=1)
        self.set("review", row["id"], reviewed_on=self.day(reviewed), due_on=self.day(due))
        return "due its interval after the review"

    def moment(self, rule: Rule, row: dict) -> str:
        original = _as_text(row["at"])
        previous = _sql(
            self.conn,
            "SELECT at FROM command WHERE id < :id ORDER BY id DESC LIMIT 1",
            {"id": row["id"]},
        ).scalar()
        at = previous if previous and self._moment_ok(previous) else "1900-01-01T00:00:00+00:00"
        line = f"{_as_text(row['line'])} (recorded at {original[:200]!r})"
        self.set("command", row["id"], at=at, line=line)
        return "given the moment of the command before it, the original kept in its line"

    def _moment_ok(self, value: str) -> bool:
        return bool(re.match(MOMENT_PATTERN, value)) and len(value) <= MAX_MOMENT

    def review(self) -> int:
        ids = [r[0] for r in _sql(self.conn, review_violations_sql() + " ORDER BY r.id")]
        for review_id in ids:
            row = dict(
                _sql(self.conn, "SELECT * FROM review WHERE id = :id", {"id": review_id})
                .one()
                ._mapping
            )
            reviewed = self.date_of(row["reviewed_on"])
            self.keep(
                row,
                {"topic_id": row["topic_id"]},
                f"{KEPT}: reviewed on {row['reviewed_on']} ({row['grade']}, next due "
                f"{row['due_on']}) while the topic was not done",
                day=reviewed,
            )
            _sql(self.conn, "DELETE FROM review WHERE id = :id", {"id": review_id})
        return len(ids)


def mend(conn: Connection, today: dt.date) -> list[str]:
    """Mend every row that breaks a rule (see the module's docstring); say what was done."""
    mender = _Mender(conn, today)
    said: list[str] = []
    for rule in made_by(6):  # the rules schema 6 added; later ones came with their tables
        rows = mender.broken(rule)
        if not rows:
            continue
        how = ""
        for row in rows:
            how = getattr(mender, rule.fix)(rule, row)
        noun = "row" if len(rows) == 1 else "rows"
        said.append(f"{len(rows)} {rule.table} {noun} broke rule {rule.name} ({rule.says}): {how}")
    count = mender.review()
    if count:
        noun = "review" if count == 1 else "reviews"
        said.append(
            f"{count} {noun} broke rule {REVIEW_DONE_TOPIC.name} (a review is only of a done "
            "topic): each made a note on its topic, of its day"
        )
    return said
