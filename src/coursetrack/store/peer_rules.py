"""The rules of peer review no CHECK can hold, as each engine's triggers (issue 23).

Declared in `store.rules` (`COURSE_RUBRIC`, `TOPIC_RUBRIC`, `PEER_REVIEW_NOT_OWN`,
`PEER_REVIEW_SCORES`), written out here: a rubric is a JSON array, and a review's
scores are checked against the rubric of its request's item, in another table.
SQLite refuses a subquery in a CHECK, and json_each is one; PostgreSQL's cast of a
malformed text to json raises an error, not a check violation naming the rule. So
each rule is a trigger that raises as a CHECK would (`CHECK constraint failed: ck_…`
on SQLite, SQLSTATE check_violation with the constraint's name on PostgreSQL), and
`violations_sql` lists the rows that break it, for `coursetrack check` and undo.

A rubric is read as the catalog writes it: `[{"criterion": "…", "points": 5}, …]`,
1 to MAX_CRITERIA criteria, each object holding those two keys and no other, the
criterion 1 to MAX_CRITERION characters, not blank, with no NUL, unique in its rubric,
the points a whole number from 1 to MAX_POINTS. A review's scores are a JSON object,
criterion -> a whole number from 0 to its points, every criterion once and no other
key, present exactly when the item has a rubric, and no longer than a note may be (as
the comment is: JSON's blanks would pad them past it). Both engines parse JSON as text
(SQLite's json1, PostgreSQL's `json`, not `jsonb`, which would fold a repeated key).

The review rules hold whatever changes: a review written, its request moved to another
item or author, or the item's rubric changed (a catalog may raise a criterion's points,
not take away a criterion its reviews scored: the reviews given would no longer say
what they scored). `undo` puts back rows in any
order: PostgreSQL's are CONSTRAINT TRIGGERs, deferred with the foreign keys; SQLite's
stand aside while `PRAGMA defer_foreign_keys` is on and `rules.check_deferred` runs
`violations_sql` before the transaction commits, as for the rule on reviews.

On PostgreSQL the review rule reads a request of another learner (the reviewer is
not its author) and, when a request changes, the reviews of others: row-level
security and the group's column privileges would hide them from the learner whose
write fires it. Its function is SECURITY DEFINER, owned by the tables' owner (which
FORCE ROW LEVEL SECURITY still holds: the policies name `session_user`, the learner),
and sets the group's read scope for its own run (`coursetrack.scope`, put back as it
was before it returns; a refusal rolls it back with the statement): it reads what the
group may read, as a group view does, and nothing more (`store.group`). (A function's
own SET clause would do it more neatly, but PostgreSQL 15 lets only a superuser put a
custom setting there.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursetrack.validate import MAX_CRITERIA, MAX_CRITERION, MAX_NOTE, MAX_POINTS

if TYPE_CHECKING:
    from coursetrack.store.rules import Rule

#: SQLite's triggers stand aside while undo defers its checks (as `rules._NOT_DEFERRED`).
_NOT_DEFERRED = "NOT (SELECT defer_foreign_keys FROM pragma_defer_foreign_keys)"


#: JSON's escape of a NUL: SQLite's json1 cuts a string at it, so a criterion "a\u0000b"
#: would read as "a" there and as an error on PostgreSQL. The text is refused whole (as
#: would be a criterion that spells those six characters out, escaping its backslash).
_NUL = "\\u0000"


def rubric_ok_sqlite(x: str) -> str:
    """SQLite: whether the text `x` is NULL or a well-formed rubric (see the docstring)."""
    e = "json_extract(e.value, '$.criterion')"
    return (
        f"CASE WHEN {x} IS NULL THEN 1 "
        f"WHEN typeof({x}) <> 'text' OR NOT json_valid({x}) OR instr({x}, '{_NUL}') THEN 0 "
        f"WHEN json_type({x}) <> 'array' THEN 0 "
        f"ELSE json_array_length({x}) BETWEEN 1 AND {MAX_CRITERIA} "
        # CASE, so that an element that is no object is never read as one (json1 would fail)
        f"AND NOT EXISTS (SELECT 1 FROM json_each({x}) e WHERE CASE WHEN e.type <> 'object' "
        "THEN 1 ELSE (SELECT count(*) FROM json_each(e.value)) <> 2 "
        "OR json_type(e.value, '$.criterion') IS NOT 'text' "
        "OR json_type(e.value, '$.points') IS NOT 'integer' "
        f"OR instr(CAST({e} AS BLOB), x'00') > 0 "
        f"OR length({e}) NOT BETWEEN 1 AND {MAX_CRITERION} OR trim({e}) = '' "
        f"OR json_extract(e.value, '$.points') NOT BETWEEN 1 AND {MAX_POINTS} END) "
        "AND (SELECT count(DISTINCT CASE WHEN type = 'object' "
        f"THEN json_extract(value, '$.criterion') END) FROM json_each({x})) "
        f"= json_array_length({x}) END"
    )


def scores_ok_sqlite(s: str, r: str) -> str:
    """SQLite: whether the scores `s` fit the rubric `r` (both SQL expressions)."""
    return (
        f"CASE WHEN {r} IS NULL THEN {s} IS NULL "
        f"WHEN {s} IS NULL OR typeof({s}) <> 'text' OR length({s}) > {MAX_NOTE} "
        f"OR NOT json_valid({s}) OR instr({s}, '{_NUL}') "
        f"OR typeof({r}) <> 'text' OR NOT json_valid({r}) THEN 0 "
        f"WHEN json_type({s}) <> 'object' OR json_type({r}) <> 'array' THEN 0 "
        f"ELSE (SELECT count(*) = json_array_length({r}) AND count(DISTINCT key) = count(*) "
        f"FROM json_each({s})) "
        f"AND (SELECT count(*) FROM json_each({s}) s JOIN json_each({r}) c "
        "ON s.key = json_extract(c.value, '$.criterion') WHERE s.type = 'integer' "
        f"AND s.value BETWEEN 0 AND json_extract(c.value, '$.points')) = json_array_length({r}) "
        "END"
    )


def _rubric_of(request: str) -> str:
    """The rubric of the item a request (`request`: its peer_request alias) is of."""
    return (
        f"coalesce((SELECT rubric FROM course WHERE id = {request}.course_id), "
        f"(SELECT rubric FROM topic WHERE id = {request}.topic_id))"
    )


def violations_sql(rule: Rule, dialect: str) -> str:
    """The ids of the rows that break `rule` (one of this module's), on `dialect`."""
    from coursetrack.store import rules

    pg = dialect == "postgresql"
    if rule in (rules.COURSE_RUBRIC, rules.TOPIC_RUBRIC):
        ok = "coursetrack_rubric_ok(rubric)" if pg else f"({rubric_ok_sqlite('rubric')})"
        return f"SELECT id FROM {rule.table} WHERE rubric IS NOT NULL AND NOT {ok}"
    joined = "FROM peer_review v JOIN peer_request q ON q.id = v.request_id"
    if rule is rules.PEER_REVIEW_NOT_OWN:
        return f"SELECT v.id {joined} WHERE v.learner = q.learner"
    assert rule is rules.PEER_REVIEW_SCORES, rule
    if pg:
        ok = f"coursetrack_scores_ok(v.scores, {_rubric_of('q')})"
    else:
        ok = f"({scores_ok_sqlite('v.scores', _rubric_of('q'))})"
    return f"SELECT v.id {joined} WHERE NOT {ok}"


def trigger_names(rule: Rule, dialect: str) -> set[tuple[str, str]]:
    """(table, trigger) of each trigger that holds `rule` on `dialect` (`store.check`)."""
    from coursetrack.store import rules

    name = rule.constraint
    if dialect == "postgresql":
        if rule in (rules.COURSE_RUBRIC, rules.TOPIC_RUBRIC):
            return {(rule.table, name)}
        if rule is rules.PEER_REVIEW_SCORES:
            return {(t, name) for t in ("peer_review", "peer_request", "course", "topic")}
        return {("peer_review", name), ("peer_request", name)}
    if rule in (rules.COURSE_RUBRIC, rules.TOPIC_RUBRIC):
        return {(rule.table, f"rule_{name}_{op}") for op in ("insert", "update")}
    found = {
        ("peer_review", f"rule_{name}_insert"),
        ("peer_review", f"rule_{name}_update"),
        ("peer_request", f"rule_{name}_request"),
    }
    if rule is rules.PEER_REVIEW_SCORES:
        found |= {(t, f"rule_{name}_{t}") for t in ("course", "topic")}
    return found


def _raise_sqlite(rule: Rule) -> str:
    return f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {rule.constraint}'); END"


def _sqlite_ddl() -> list[str]:
    from coursetrack.store import rules

    out = []
    for rule in (rules.COURSE_RUBRIC, rules.TOPIC_RUBRIC):
        bad = f"NEW.rubric IS NOT NULL AND NOT ({rubric_ok_sqlite('NEW.rubric')})"
        t, n = rule.table, rule.constraint
        out += [
            f"CREATE TRIGGER rule_{n}_insert AFTER INSERT ON {t} WHEN {bad} {_raise_sqlite(rule)}",
            f"CREATE TRIGGER rule_{n}_update AFTER UPDATE OF rubric ON {t} "
            f"WHEN {bad} {_raise_sqlite(rule)}",
        ]
    own = rules.PEER_REVIEW_NOT_OWN
    mine = "EXISTS (SELECT 1 FROM peer_request q WHERE q.id = NEW.request_id AND q.learner = {l})"
    n = own.constraint
    out += [
        f"CREATE TRIGGER rule_{n}_insert AFTER INSERT ON peer_review "
        f"WHEN {_NOT_DEFERRED} AND {mine.format(l='NEW.learner')} {_raise_sqlite(own)}",
        f"CREATE TRIGGER rule_{n}_update AFTER UPDATE OF request_id, learner ON peer_review "
        f"WHEN {_NOT_DEFERRED} AND {mine.format(l='NEW.learner')} {_raise_sqlite(own)}",
        f"CREATE TRIGGER rule_{n}_request AFTER UPDATE OF learner ON peer_request "
        f"WHEN {_NOT_DEFERRED} AND EXISTS (SELECT 1 FROM peer_review v "
        f"WHERE v.request_id = NEW.id AND v.learner = NEW.learner) {_raise_sqlite(own)}",
    ]
    scores = rules.PEER_REVIEW_SCORES
    n = scores.constraint
    rubric = "(SELECT " + _rubric_of("q") + " FROM peer_request q WHERE q.id = NEW.request_id)"
    bad = f"NOT ({scores_ok_sqlite('NEW.scores', rubric)})"
    out += [
        f"CREATE TRIGGER rule_{n}_insert AFTER INSERT ON peer_review "
        f"WHEN {_NOT_DEFERRED} AND {bad} {_raise_sqlite(scores)}",
        f"CREATE TRIGGER rule_{n}_update AFTER UPDATE OF request_id, scores ON peer_review "
        f"WHEN {_NOT_DEFERRED} AND {bad} {_raise_sqlite(scores)}",
        f"CREATE TRIGGER rule_{n}_request AFTER UPDATE OF course_id, topic_id ON peer_request "
        f"WHEN {_NOT_DEFERRED} AND EXISTS (SELECT 1 FROM peer_review v "
        f"WHERE v.request_id = NEW.id AND NOT ({scores_ok_sqlite('v.scores', _rubric_of('NEW'))})) "
        f"{_raise_sqlite(scores)}",
        *(
            f"CREATE TRIGGER rule_{n}_{t} AFTER UPDATE OF rubric ON {t} "
            f"WHEN {_NOT_DEFERRED} AND OLD.rubric IS NOT NEW.rubric AND EXISTS (SELECT 1 "
            f"FROM peer_request q JOIN peer_review v ON v.request_id = q.id "
            f"WHERE q.{t}_id = NEW.id AND NOT ({scores_ok_sqlite('v.scores', 'NEW.rubric')})) "
            f"{_raise_sqlite(scores)}"
            for t in ("course", "topic")
        ),
    ]
    return out


def _quoted(text: str) -> str:
    return text.replace("'", "''")


def _pg_ddl(schema_name: str) -> list[str]:
    from coursetrack.store import rules
    from coursetrack.store.engine import SCOPE_SETTING
    from coursetrack.store.group import GROUP_SCOPE

    path = '"' + schema_name.replace('"', '""') + '"'
    course, topic = rules.COURSE_RUBRIC, rules.TOPIC_RUBRIC
    own, scores = rules.PEER_REVIEW_NOT_OWN, rules.PEER_REVIEW_SCORES

    def raise_it(rule: Rule, table: str) -> str:
        return (
            "RAISE EXCEPTION USING ERRCODE = 'check_violation', "
            f"CONSTRAINT = '{rule.constraint}', TABLE = '{table}', "
            f"MESSAGE = '{_quoted(rules.refusal(rule))}'"
        )

    return [
        # a rubric: NULL, or well formed (the module's docstring); any error reading it is "no"
        f"""CREATE OR REPLACE FUNCTION coursetrack_rubric_ok(r text) RETURNS boolean
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            doc json;
            item json;
            c text;
            seen text[] := '{{}}';
        BEGIN
            IF r IS NULL THEN
                RETURN true;
            END IF;
            IF strpos(r, '{_NUL}') > 0 THEN
                RETURN false;
            END IF;
            doc := r::json;
            IF json_typeof(doc) <> 'array'
                    OR json_array_length(doc) NOT BETWEEN 1 AND {MAX_CRITERIA} THEN
                RETURN false;
            END IF;
            FOR item IN SELECT value FROM json_array_elements(doc) LOOP
                IF json_typeof(item) <> 'object'
                        OR (SELECT count(*) FROM json_object_keys(item)) <> 2
                        OR json_typeof(item -> 'criterion') IS DISTINCT FROM 'string'
                        OR json_typeof(item -> 'points') IS DISTINCT FROM 'number'
                        OR (item ->> 'points') !~ '^-?[0-9]+$' THEN
                    RETURN false;
                END IF;
                c := item ->> 'criterion';
                IF char_length(c) NOT BETWEEN 1 AND {MAX_CRITERION} OR trim(c) = ''
                        OR c = ANY (seen)
                        OR (item ->> 'points')::numeric NOT BETWEEN 1 AND {MAX_POINTS} THEN
                    RETURN false;
                END IF;
                seen := seen || c;
            END LOOP;
            RETURN true;
        EXCEPTION WHEN OTHERS THEN
            RETURN false;
        END $$""",
        # scores that fit a rubric (well formed): every criterion once, 0 to its points
        f"""CREATE OR REPLACE FUNCTION coursetrack_scores_ok(s text, r text) RETURNS boolean
        LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
        DECLARE
            doc json;
            item json;
            v json;
        BEGIN
            IF r IS NULL OR s IS NULL THEN
                RETURN r IS NULL AND s IS NULL;
            END IF;
            IF strpos(s, '{_NUL}') > 0 OR length(s) > {MAX_NOTE} THEN
                RETURN false;
            END IF;
            doc := s::json;
            IF json_typeof(doc) <> 'object'
                    OR (SELECT count(*) FROM json_object_keys(doc)) <> json_array_length(r::json)
                    OR (SELECT count(DISTINCT k) FROM json_object_keys(doc) k)
                        <> json_array_length(r::json) THEN
                RETURN false;
            END IF;
            FOR item IN SELECT value FROM json_array_elements(r::json) LOOP
                v := doc -> (item ->> 'criterion');
                IF v IS NULL OR json_typeof(v) <> 'number' OR v::text !~ '^-?[0-9]+$'
                        OR v::text::numeric NOT BETWEEN 0 AND (item ->> 'points')::numeric THEN
                    RETURN false;
                END IF;
            END LOOP;
            RETURN true;
        EXCEPTION WHEN OTHERS THEN
            RETURN false;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION coursetrack_ck_rubric() RETURNS trigger
        LANGUAGE plpgsql SET search_path = {path}, pg_temp AS $$
        BEGIN
            IF NOT coursetrack_rubric_ok(NEW.rubric) THEN
                IF TG_TABLE_NAME = 'course' THEN
                    {raise_it(course, "course")};
                END IF;
                {raise_it(topic, "topic")};
            END IF;
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION coursetrack_ck_peer_review() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path}, pg_temp AS $$
        DECLARE
            v record;
            scope text := current_setting('{SCOPE_SETTING}', true);
        BEGIN
            PERFORM set_config('{SCOPE_SETTING}', '{GROUP_SCOPE}', true);
            FOR v IN
                SELECT r.learner, r.scores, q.learner AS author,
                       coalesce(c.rubric, t.rubric) AS rubric
                FROM peer_review r JOIN peer_request q ON q.id = r.request_id
                LEFT JOIN course c ON c.id = q.course_id
                LEFT JOIN topic t ON t.id = q.topic_id
                WHERE TG_TABLE_NAME = 'peer_review' AND r.id = NEW.id
                    OR TG_TABLE_NAME = 'peer_request' AND r.request_id = NEW.id
                    OR TG_TABLE_NAME = 'course' AND q.course_id = NEW.id
                    OR TG_TABLE_NAME = 'topic' AND q.topic_id = NEW.id
            LOOP
                IF v.learner = v.author THEN
                    {raise_it(own, "peer_review")};
                END IF;
                IF NOT coursetrack_scores_ok(v.scores, v.rubric) THEN
                    {raise_it(scores, "peer_review")};
                END IF;
            END LOOP;
            PERFORM set_config('{SCOPE_SETTING}', coalesce(scope, ''), true);
            RETURN NULL;
        END $$""",
        *(f"DROP TRIGGER IF EXISTS {r.constraint} ON {r.table}" for r in (course, topic)),
        *(
            f"CREATE TRIGGER {r.constraint} AFTER INSERT OR UPDATE OF rubric ON {r.table} "
            "FOR EACH ROW WHEN (NEW.rubric IS NOT NULL) EXECUTE FUNCTION coursetrack_ck_rubric()"
            for r in (course, topic)
        ),
        *(
            f"DROP TRIGGER IF EXISTS {r.constraint} ON {t}"
            for r in (own, scores)
            for t in ("peer_review", "peer_request")
        ),
        *(
            f"CREATE CONSTRAINT TRIGGER {r.constraint} AFTER INSERT OR UPDATE OF "
            f"{columns} ON {table} DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW "
            "EXECUTE FUNCTION coursetrack_ck_peer_review()"
            for r, table, columns in (
                (own, "peer_review", "request_id, learner"),
                (scores, "peer_review", "request_id, scores"),
            )
        ),
        *(
            # on INSERT too: a request removed and asked again under its id, foreign keys
            # deferred, is the same move as an UPDATE under the reviews it keeps
            f"CREATE CONSTRAINT TRIGGER {r.constraint} AFTER INSERT OR UPDATE OF {columns} "
            "ON peer_request DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW "
            "EXECUTE FUNCTION coursetrack_ck_peer_review()"
            for r, columns in ((own, "learner"), (scores, "course_id, topic_id"))
        ),
        *(f"DROP TRIGGER IF EXISTS {scores.constraint} ON {t}" for t in ("course", "topic")),
        *(
            f"CREATE CONSTRAINT TRIGGER {scores.constraint} AFTER UPDATE OF rubric ON {t} "
            "DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW "
            "WHEN (OLD.rubric IS DISTINCT FROM NEW.rubric) "
            "EXECUTE FUNCTION coursetrack_ck_peer_review()"
            for t in ("course", "topic")
        ),
    ]


def ddl(dialect: str, schema_name: str = "public") -> list[str]:
    """The triggers (and on PostgreSQL their functions) that hold the peer review rules."""
    return _pg_ddl(schema_name) if dialect == "postgresql" else _sqlite_ddl()
