"""The rules of the record, declared once: the store itself refuses a row that breaks one.

The CLI checks every value before it writes (validate.py, dates.py, the backup's
pydantic models), with kinder words; these rules are the backstop for whatever
reaches the rows another way: `undo`, a learner's `psql`, the sqlite3 shell.
Each rule has a name (its constraint is `ck_<name>`), its table, one predicate
per engine and the words a user sees when the store refuses a write
(`engine._translate_errors`). The models' `__table_args__` take their CHECK
constraints from here (`models.rule_checks`), migration 6 creates them on both
engines, and `violations` counts the rows that break each one (`coursetrack check`).

The limits come from validate.py and dates.py, never retyped. On SQLite a column
holds any type, so a text rule also says `typeof(x) = 'text'`; SQLite's length()
stops at a NUL, so a NUL is looked for in the bytes (`instr(CAST(x AS BLOB),
x'00')`); a date is a real one when `date(x, '+0 days') IS x` (the modifier
makes SQLite carry 2025-02-30 over to March; plain date() returns it as given).
PostgreSQL's types already hold those; its text never holds a NUL.

One rule spans two tables, a review only of a done topic (per learner): a
trigger on each engine (`cross_table_ddl`). On PostgreSQL it is a CONSTRAINT
TRIGGER, DEFERRABLE, so that undo, which re-inserts rows in any order under
`SET CONSTRAINTS ALL DEFERRED`, is checked at `SET CONSTRAINTS ALL IMMEDIATE`.
SQLite cannot defer a trigger: its triggers stand aside while
`PRAGMA defer_foreign_keys` is on (undo's mode) and `store.history.revert`
checks the rule (`check_deferred`) before that transaction commits. Peer review's
rules that no CHECK can hold (a rubric, a review's reviewer and scores: `TRIGGERED`)
are triggers the same way, written in `store.peer_rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from coursetrack.dates import EARLIEST, LATEST
from coursetrack.validate import (
    MAX_CRITERIA,
    MAX_CRITERION,
    MAX_DESCRIPTION,
    MAX_INTERVAL,
    MAX_NOTE,
    MAX_POINTS,
    MAX_PROVIDER,
    MAX_SLUG,
    MAX_TITLE,
    MAX_URL,
    URL_SCHEMES,
    WEB_SCHEMES,
)
from coursetrack.vocabulary import Grade, Op, Status, Verdict, listed, one_of, sql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from coursetrack.store.reader import Reader

#: PostgreSQL's role names (a learner's name) are at most 63 bytes (NAMEDATALEN - 1).
MAX_LEARNER_BYTES = 63
#: A command's line as typed: every argument has its own limit, the longest a note's
#: (MAX_NOTE); ten of them bound what one line can hold, so `log` stays fast.
MAX_COMMAND_LINE = 10 * MAX_NOTE
#: A command's moment, ISO 8601 with a fraction and an offset: 2026-03-01T09:00:00.123456+01:00
MAX_MOMENT = 40


@dataclass(frozen=True)
class Rule:
    """One rule of the record on one table."""

    name: str  # e.g. note_text; the constraint is ck_<name>
    table: str
    says: str  # what holds, as a user reads it after "the store refused: "
    sqlite: str  # the CHECK's predicate on SQLite
    postgresql: str  # ... and on PostgreSQL
    column: str | None = None  # the column it is about (None: the row)
    fix: str = ""  # how the upgrade mends a row that breaks it (see store.fixups)
    limit: int | None = None
    schema: int = 6  # the schema step that made it (migration 6, or `migration_peer`'s 7)

    @property
    def constraint(self) -> str:
        return f"ck_{self.name}"

    def predicate(self, dialect: str) -> str:
        return self.postgresql if dialect == "postgresql" else self.sqlite


def _count(n: int) -> str:
    return f"{n:,}"


_NO_NUL = "instr(CAST({c} AS BLOB), x'00') = 0"


def _text(
    table: str,
    column: str,
    limit: int,
    what: str,
    *,
    nullable: bool = True,
    required: bool = False,
    fix: str = "cut",
) -> Rule:
    sqlite = (
        f"typeof({column}) = 'text' AND {_NO_NUL.format(c=column)} AND length({column}) <= {limit}"
    )
    postgresql = f"length({column}) <= {limit}"
    says = f"{what} is text of at most {_count(limit)} characters, with no NUL"
    if required:
        sqlite += f" AND trim({column}) <> ''"
        postgresql += f" AND trim({column}) <> ''"
        says = f"{what} is text of 1 to {_count(limit)} characters, not blank, with no NUL"
    if nullable:
        sqlite = f"{column} IS NULL OR ({sqlite})"
    return Rule(f"{table}_{column}", table, says, sqlite, postgresql, column, fix=fix, limit=limit)


def _url(table: str, column: str, what: str, schemes: tuple[str, ...], *, nullable: bool) -> Rule:
    text = _text(table, column, MAX_URL, what, nullable=False)
    starts = " OR ".join(
        f"(lower(substr({column}, 1, {len(p)})) = '{p}' AND length({column}) > {len(p)})"
        for p in (f"{s}://" if s != "mailto" else f"{s}:" for s in schemes)
    )
    sqlite = f"{text.sqlite} AND ({starts})"
    postgresql = f"{text.postgresql} AND ({starts})"
    if nullable:
        sqlite = f"{column} IS NULL OR ({sqlite})"
    allowed = ", ".join(f"{s}:" for s in schemes)
    says = f"{what} is a URL ({allowed}) of at most {_count(MAX_URL)} characters"
    return Rule(
        f"{table}_{column}", table, says, sqlite, postgresql, column, fix="url", limit=MAX_URL
    )


def _slug(table: str, what: str) -> Rule:
    c = "slug"
    sqlite = (
        f"typeof({c}) = 'text' AND {_NO_NUL.format(c=c)} AND length({c}) BETWEEN 1 AND {MAX_SLUG}"
        f" AND {c} NOT GLOB '*[^a-z0-9._-]*' AND {c} NOT GLOB '[._-]*'"
        f" AND {c} NOT GLOB '*[._-]' AND {c} NOT GLOB '*[._-][._-]*' AND {c} GLOB '*[^0-9]*'"
    )
    postgresql = (
        f"length({c}) <= {MAX_SLUG} AND {c} ~ '^[a-z0-9]+([-_.][a-z0-9]+)*$' AND {c} !~ '^[0-9]+$'"
    )
    says = (
        f"{what} is 1 to {MAX_SLUG} lowercase letters and digits joined by '-', '_' or '.', "
        "not all digits"
    )
    return Rule(f"{table}_slug", table, says, sqlite, postgresql, c, fix="slug", limit=MAX_SLUG)


def _date(table: str, column: str, what: str, *, nullable: bool = False) -> Rule:
    low, high = EARLIEST.isoformat(), LATEST.isoformat()
    sqlite = f"date({column}, '+0 days') IS {column} AND {column} BETWEEN '{low}' AND '{high}'"
    if nullable:
        sqlite = f"{column} IS NULL OR ({sqlite})"
    postgresql = f"{column} BETWEEN DATE '{low}' AND DATE '{high}'"
    says = f"{what} is a real date from {low} to {high}"
    return Rule(f"{table}_{column}", table, says, sqlite, postgresql, column, fix="date")


def _flag(table: str, column: str, what: str) -> Rule:
    says = f"{what} is true or false"
    return Rule(
        f"{table}_{column}",
        table,
        says,
        f"{column} IN (0, 1)",
        f"{column} IS NOT NULL",
        column,
        fix="flag",
    )


def _learner(table: str) -> Rule:
    c = "learner"
    sqlite = (
        f"typeof({c}) = 'text' AND {_NO_NUL.format(c=c)} "
        f"AND length(CAST({c} AS BLOB)) BETWEEN 1 AND {MAX_LEARNER_BYTES}"
    )
    postgresql = f"octet_length({c}) BETWEEN 1 AND {MAX_LEARNER_BYTES}"
    says = f"a learner's name is 1 to {MAX_LEARNER_BYTES} bytes (a PostgreSQL role name)"
    return Rule(
        f"{table}_learner", table, says, sqlite, postgresql, c, fix="cut", limit=MAX_LEARNER_BYTES
    )


#: A peer review request is of one course or one topic (a specialization is not reviewed).
_ONE_ITEM = " + ".join(
    f"CASE WHEN {c} IS NULL THEN 0 ELSE 1 END" for c in ("course_id", "topic_id")
)
_ONE_ITEM += " = 1"

_DIGITS = "[0-9]"
#: The start of a moment, as a regular expression (PostgreSQL's spelling, and Python's).
MOMENT_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
_MOMENT_GLOB = (
    f"{_DIGITS * 4}-{_DIGITS * 2}-{_DIGITS * 2}T{_DIGITS * 2}:{_DIGITS * 2}:{_DIGITS * 2}*"
)


def _catalog(table: str, item: str) -> list[Rule]:
    rules = [
        _slug(table, f"a {item}'s slug"),
        _text(table, "title", MAX_TITLE, f"a {item}'s title", nullable=False, required=True),
    ]
    if table == "specialization":
        rules.append(_text(table, "provider", MAX_PROVIDER, "a program's provider"))
    rules += [
        _text(table, "description", MAX_DESCRIPTION, f"a {item}'s description"),
        _url(table, "url", f"a {item}'s url", URL_SCHEMES, nullable=True),
    ]
    if table != "topic":
        rules.append(
            _url(
                table, "certificate_url", f"a {item}'s certificate_url", URL_SCHEMES, nullable=True
            )
        )
    return rules


#: Every rule held by a CHECK constraint, table by table (migration 6 made those not
#: in schema 5). The enum and one-owner rules were in the store before; their
#: predicates stay in the models (`one_of`, `ONE_OWNER`), their words are here.
RULES: tuple[Rule, ...] = (
    *_catalog("specialization", "program"),
    *_catalog("course", "course"),
    *_catalog("topic", "topic"),
    _date("progress", "started_on", "a start day", nullable=True),
    _date("progress", "completed_on", "a completion day", nullable=True),
    Rule(
        "progress_done_completed",
        "progress",
        "an item is done exactly when it has a completion day",
        f"(status = {sql(Status.DONE)}) = (completed_on IS NOT NULL)",
        f"(status = {sql(Status.DONE)}) = (completed_on IS NOT NULL)",
        fix="completion",
    ),
    Rule(
        "progress_completed_after_start",
        "progress",
        "an item is completed on or after the day it was started",
        "completed_on >= started_on",
        "completed_on >= started_on",
        fix="order",
    ),
    _learner("progress"),
    _date("note", "written_on", "a note's day"),
    _text("note", "text", MAX_NOTE, "a note", nullable=False, required=True, fix="split"),
    _flag("note", "private", "a note's private flag"),
    _learner("note"),
    _url("link", "url", "a link", WEB_SCHEMES, nullable=False),
    _text("link", "title", MAX_TITLE, "a link's title"),
    _date("link", "added_on", "a link's day"),
    _learner("link"),
    _date("review", "reviewed_on", "a review's day"),
    Rule(
        "review_interval_days",
        "review",
        f"a review's interval is a whole number of days from 1 to {_count(MAX_INTERVAL)}",
        f"typeof(interval_days) = 'integer' AND interval_days BETWEEN 1 AND {MAX_INTERVAL}",
        f"interval_days BETWEEN 1 AND {MAX_INTERVAL}",
        "interval_days",
        fix="interval",
    ),
    _date("review", "due_on", "a review's due day"),
    Rule(
        "review_due_after_review",
        "review",
        "a review is due after the day it was made",
        "due_on > reviewed_on",
        "due_on > reviewed_on",
        fix="due",
    ),
    _learner("review"),
    _date("goal", "target_on", "a goal's day"),
    _learner("goal"),
    Rule(
        "command_at",
        "command",
        f"a command's moment is ISO 8601 (YYYY-MM-DDTHH:MM:SS...), at most {MAX_MOMENT} characters",
        f"typeof(at) = 'text' AND length(at) <= {MAX_MOMENT} AND at GLOB '{_MOMENT_GLOB}'",
        f"length(at) <= {MAX_MOMENT} AND at ~ '^{MOMENT_PATTERN}'",
        "at",
        fix="moment",
    ),
    _text("command", "line", MAX_COMMAND_LINE, "a command's line", nullable=False),
    _learner("command"),
    _learner("member"),
    _flag("member", "shared", "a member's shared flag"),
    *(
        replace(rule, schema=7)
        for rule in (
            Rule(
                "peer_request_one_item",
                "peer_request",
                "a peer review request is of exactly one course or topic",
                _ONE_ITEM,
                _ONE_ITEM,
            ),
            _url("peer_request", "url", "a peer review request's url", WEB_SCHEMES, nullable=False),
            _text("peer_request", "note", MAX_NOTE, "a peer review request's note", required=True),
            _date("peer_request", "asked_on", "a peer review request's day"),
            _learner("peer_request"),
            _date("peer_review", "reviewed_on", "a peer review's day"),
            Rule(
                "peer_review_grade",
                "peer_review",
                f"a peer review's grade is {listed(Verdict)}",
                one_of("grade", Verdict),
                one_of("grade", Verdict),
                "grade",
            ),
            _text(
                "peer_review",
                "comment",
                MAX_NOTE,
                "a peer review's comment",
                nullable=False,
                required=True,
            ),
            _learner("peer_review"),
        )
    ),
)

#: The rule no CHECK can hold: it reads another table (a trigger on each engine).
REVIEW_DONE_TOPIC = Rule(
    "review_done_topic",
    "review",
    "a review is only of a topic its learner has done",
    "",
    "",
    fix="review",
)


#: A rubric (`course.rubric`, `topic.rubric`) is well formed: JSON that SQLite's CHECK cannot
#: read (json_each is a subquery), held by triggers (`store.peer_rules`).
def _rubric(table: str) -> Rule:
    says = (
        f"a {table}'s rubric is a JSON list of 1 to {MAX_CRITERIA} criteria, each "
        f'{{"criterion": 1 to {MAX_CRITERION} characters, not blank, unique in the rubric, '
        f'"points": a whole number from 1 to {MAX_POINTS}}}'
    )
    return Rule(f"{table}_rubric", table, says, "", "", "rubric", schema=7)


COURSE_RUBRIC, TOPIC_RUBRIC = _rubric("course"), _rubric("topic")
#: A peer review is never of its reviewer's own request (SQLite's one learner reviews nothing).
PEER_REVIEW_NOT_OWN = Rule(
    "peer_review_not_own",
    "peer_review",
    "a peer review is never of its reviewer's own request",
    "",
    "",
    schema=7,
)
#: A review's scores fit the rubric of its request's item (a rubric changed must still fit).
PEER_REVIEW_SCORES = Rule(
    "peer_review_scores",
    "peer_review",
    "a peer review's scores give each criterion of its item's rubric, and no other, a whole "
    "number from 0 to its points; a review of an item without a rubric has none",
    "",
    "",
    "scores",
    schema=7,
)

#: The rules no CHECK can hold, each held by triggers on both engines: the review of a
#: done topic (below), and peer review's (`store.peer_rules`).
TRIGGERED: tuple[Rule, ...] = (
    REVIEW_DONE_TOPIC,
    COURSE_RUBRIC,
    TOPIC_RUBRIC,
    PEER_REVIEW_NOT_OWN,
    PEER_REVIEW_SCORES,
)

#: The rules the store held before schema 6: their predicates are in the models.
_EARLIER = {
    "progress_status": ("progress", f"a status is {listed(Status)}"),
    "progress_one_owner": ("progress", "a progress row belongs to exactly one item"),
    "note_one_owner": ("note", "a note belongs to exactly one item"),
    "link_one_owner": ("link", "a link belongs to exactly one item"),
    "review_grade": ("review", f"a review's grade is {listed(Grade)}"),
    "change_op": ("change", f"a history row records an {listed(Op)}"),
}


def named(name: str) -> Rule:
    return next(r for r in RULES if r.name == name)


def of_table(table: str, schema: int | None = None) -> tuple[Rule, ...]:
    """The CHECK rules of `table`, in declared order: every one, or those the schema step
    `schema` made (migration 6 makes its own, `migration_peer` the peer tables')."""
    return tuple(r for r in RULES if r.table == table and schema in (None, r.schema))


def made_by(schema: int) -> tuple[Rule, ...]:
    """The CHECK rules the schema step `schema` made, in declared order."""
    return tuple(r for r in RULES if r.schema == schema)


def by_constraint(name: str | None) -> Rule | None:
    """The rule whose constraint (or trigger) is `name`: what an engine's refusal names."""
    if not name:
        return None
    for rule in (*RULES, *TRIGGERED):
        if rule.constraint == name:
            return rule
    rule_name = name.removeprefix("ck_")
    if rule_name in _EARLIER:
        table, says = _EARLIER[rule_name]
        return Rule(rule_name, table, says, "", "")
    return None


def refusal(rule: Rule) -> str:
    """What the user reads when the store refuses a write that breaks `rule`."""
    return f"{rule.says} (rule {rule.name})"


# --- the rule across tables ------------------------------------------------------------

#: SQLite's trigger stands aside while undo defers its checks (see the module's docstring).
_NOT_DEFERRED = "NOT (SELECT defer_foreign_keys FROM pragma_defer_foreign_keys)"


#: A progress row that goes with its topic (`rm`) leaves no review behind: they go too.
_TOPIC_KEPT = "EXISTS (SELECT 1 FROM topic WHERE id = OLD.topic_id)"


def _unreviewable(topic: str, learner: str) -> str:
    """Reviews of `topic` by `learner` exist, and the learner has not done the topic."""
    return (
        f"EXISTS (SELECT 1 FROM review r WHERE r.topic_id = {topic} AND r.learner = {learner}) "
        f"AND NOT EXISTS (SELECT 1 FROM progress p WHERE p.topic_id = {topic} "
        f"AND p.learner = {learner} AND p.status = {sql(Status.DONE)})"
    )


def cross_table_ddl(dialect: str, schema_name: str = "public") -> list[str]:
    """The triggers that hold `REVIEW_DONE_TOPIC`: a review written, a progress row changed
    or removed. A topic removed takes its progress and reviews with it: the item is gone
    by the time its progress goes, so there is nothing left to check."""
    name = REVIEW_DONE_TOPIC.constraint
    if dialect != "postgresql":
        raise_it = f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
        return [
            f"CREATE TRIGGER rule_{name}_insert AFTER INSERT ON review "
            f"WHEN {_NOT_DEFERRED} AND {_unreviewable('NEW.topic_id', 'NEW.learner')} {raise_it}",
            f"CREATE TRIGGER rule_{name}_update AFTER UPDATE OF topic_id, learner ON review "
            f"WHEN {_NOT_DEFERRED} AND {_unreviewable('NEW.topic_id', 'NEW.learner')} {raise_it}",
            f"CREATE TRIGGER rule_{name}_progress_update "
            "AFTER UPDATE OF status, topic_id, learner ON progress "
            f"WHEN OLD.topic_id IS NOT NULL AND {_NOT_DEFERRED} AND {_TOPIC_KEPT} "
            f"AND {_unreviewable('OLD.topic_id', 'OLD.learner')} {raise_it}",
            f"CREATE TRIGGER rule_{name}_progress_delete AFTER DELETE ON progress "
            f"WHEN OLD.topic_id IS NOT NULL AND {_NOT_DEFERRED} AND {_TOPIC_KEPT} "
            f"AND {_unreviewable('OLD.topic_id', 'OLD.learner')} {raise_it}",
        ]
    quoted = '"' + schema_name.replace('"', '""') + '"'
    says = REVIEW_DONE_TOPIC.says.replace("'", "''")
    function = f"""CREATE OR REPLACE FUNCTION coursetrack_{name}() RETURNS trigger
        LANGUAGE plpgsql SET search_path = {quoted}, pg_temp AS $$
        DECLARE
            t integer;
            l text;
        BEGIN
            IF TG_TABLE_NAME = 'review' THEN
                t := NEW.topic_id;
                l := NEW.learner;
            ELSE
                t := OLD.topic_id;
                l := OLD.learner;
            END IF;
            IF t IS NOT NULL AND EXISTS (SELECT 1 FROM topic WHERE id = t)
                    AND {_unreviewable("t", "l")} THEN
                RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = '{name}',
                    TABLE = 'review', MESSAGE = '{says} (rule {REVIEW_DONE_TOPIC.name})';
            END IF;
            RETURN NULL;
        END $$"""
    each = f"DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION coursetrack_{name}()"
    return [
        function,
        f"DROP TRIGGER IF EXISTS {name} ON review",
        f"DROP TRIGGER IF EXISTS {name} ON progress",
        f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OF topic_id, learner "
        f"ON review {each}",
        f"CREATE CONSTRAINT TRIGGER {name} AFTER UPDATE OF status, topic_id, learner OR DELETE "
        f"ON progress {each}",
    ]


def review_violations_sql() -> str:
    """The reviews that break `REVIEW_DONE_TOPIC` (the same on both engines)."""
    return (
        "SELECT r.id FROM review r WHERE NOT EXISTS (SELECT 1 FROM progress p "
        "WHERE p.topic_id = r.topic_id AND p.learner = r.learner "
        f"AND p.status = {sql(Status.DONE)})"
    )


def check_deferred(reader: Reader) -> None:
    """SQLite's end of a deferred transaction (undo): the rule its triggers let pass.

    Raises sqlite3.IntegrityError naming the rule, as the trigger would have."""
    import sqlite3

    for rule in TRIGGERED:
        if reader.scalar(triggered_violations_sql(rule, "sqlite") + " LIMIT 1") is not None:
            raise sqlite3.IntegrityError(f"CHECK constraint failed: {rule.constraint}")


def triggered_violations_sql(rule: Rule, dialect: str) -> str:
    """The ids of the rows that break a rule held by triggers (`TRIGGERED`)."""
    if rule is REVIEW_DONE_TOPIC:
        return review_violations_sql()
    from coursetrack.store import peer_rules

    return peer_rules.violations_sql(rule, dialect)


def _also_reads(rule: Rule) -> tuple[str, ...]:
    """The tables a rule held by triggers reads besides its own."""
    if rule is REVIEW_DONE_TOPIC:
        return ("progress",)
    if rule in (PEER_REVIEW_NOT_OWN, PEER_REVIEW_SCORES):
        return ("peer_request",)
    return ()


# --- what breaks them --------------------------------------------------------------------


def all_rules() -> tuple[Rule, ...]:
    """Every rule, with the predicates of the earlier ones read from the models."""
    from sqlalchemy import CheckConstraint

    from coursetrack.models import SQLModel

    earlier = []
    for table in SQLModel.metadata.sorted_tables:
        for constraint in table.constraints:
            name = constraint.name or ""
            # a constraint is named, or not: none is marked to stay unnamed (NONE_NAME)
            assert isinstance(name, str)
            name = name.removeprefix("ck_")
            if name in _EARLIER:
                assert isinstance(constraint, CheckConstraint)  # the earlier rules are CHECKs
                text = str(constraint.sqltext)
                earlier.append(Rule(name, table.name, _EARLIER[name][1], text, text))
    return (*earlier, *RULES, *TRIGGERED)


def violations(
    conn: Connection,
    *,
    readable: Callable[[str], bool] = lambda table: True,
    schema: int | None = None,
) -> list[tuple[Rule, str, int]]:
    """(rule, table, rows breaking it) for each rule some row breaks: `coursetrack check`.

    Asks each rule's predicate negated (a NULL predicate passes, as in a CHECK). On a
    study group, row-level security limits it to the rows the session may read; a
    table it may not read at all (`readable`) is passed over. `schema`: only the rules a
    store at that schema holds (an upgrade's step asks before the later ones exist)."""
    dialect = conn.dialect.name
    found = []
    for rule in all_rules():
        if schema is not None and rule.schema > schema:
            continue
        if not readable(rule.table) or not all(readable(t) for t in _also_reads(rule)):
            continue
        if rule in TRIGGERED:
            sql = f"SELECT count(*) FROM ({triggered_violations_sql(rule, dialect)}) AS v"
        else:
            sql = f"SELECT count(*) FROM {rule.table} WHERE NOT ({rule.predicate(dialect)})"
        count = int(conn.exec_driver_sql(sql).scalar_one())
        if count:
            found.append((rule, rule.table, count))
    return found
