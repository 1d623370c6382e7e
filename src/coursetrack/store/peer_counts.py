"""Peer review in the flow (issue 23): the counts `status`, `next`, `group status` and the
cohort post show, and the part of the group's security that lets a learner learn them.

A learner may not read who reviewed whom (`store.group`: the reviewer's name is hidden
from a request's author by row-level security and column privileges), yet the group's
views count, per learner, the reviews given and received, and `status` counts the
requests of others still waiting for her review. So the counting is the store's, in three
functions that run as the tables' owner (SECURITY DEFINER), which every learner of the
group may call and which return counts only:

- `coursetrack_peer_tally(spec)`: per learner, the reviews given and received on requests
  under the specialization `spec` (NULL: all), for `group status SPEC` and the post;
- `coursetrack_peer_flow(since)`: for the learner who calls it (`session_user`), how many
  requests of others she has not reviewed (`waiting`), and how many reviews of her own
  requests were given on or after `since` (`new_reviews`; no read marker is kept, so
  that a read command never writes);
- `coursetrack_review_counts()`: how many reviews each request has, for `peer list`
  (the least reviewed first) and `peer show` (`store.peer`).

Running as the owner is not enough by itself: the peer tables are FORCE ROW LEVEL
SECURITY, which holds their owner too, and the policies name `session_user`, which stays
the learner inside the function. So each of the two tables has one more SELECT policy,
`peer_tally` (`tally_policy`), that admits every row only when all three hold:

- `current_user` is the tables' owner: inside a SECURITY DEFINER function of the owner
  (or the owner's own session, who may switch the policies off anyway);
- `pg_trigger_depth() = 0`: not inside a trigger, so no trigger function the owner runs
  for a learner's write (the history, the rules of peer review) ever reads through it;
- the transaction-local scope setting (`engine.SCOPE_SETTING`) is `TALLY_SCOPE`, which
  the functions set for their own query and put back as it was before they return
  (a group view calls the tally in the group's scope, and keeps it after).

A learner can set the setting herself, but not be the owner outside a function of the
owner's; and the owner's other definer functions called outside a trigger (the writers'
gate) do not read these tables. What a learner learns is what the functions return:
counts per learner (a learner may infer who reviewed her by watching the counts move
between two reviews: the closing note of issue 23 says why that cannot be closed while
the group sees who gives reviews at all).

`security` is what `store.group.apply_security` adds for them; `store.check` compares
it (`tally_policy`, `functions`). Nothing here is queried on SQLite or on a PostgreSQL
store that is not a group's: `flow` asks first, in one cheap catalog lookup.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from coursetrack.store.engine import SCOPE_SETTING

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

#: The value of the scope setting under which the tally policy admits the owner.
TALLY_SCOPE = "peer_tally"
#: The policy, on each of `TABLES`, that lets the owner's functions count every row.
TALLY_POLICY = "peer_tally"
TABLES = ("peer_request", "peer_review")
#: The functions, by name: what `store.check` compares and `group_grants` expects callable.
TALLY_FUNCTION, FLOW_FUNCTION = "coursetrack_peer_tally", "coursetrack_peer_flow"
COUNTS_FUNCTION = "coursetrack_review_counts"
#: A review given this many days ago or later is new (today included): the last 7 days.
NEW_DAYS = 7


def tally_policy(owner: str) -> str:
    """The condition of the `peer_tally` policy (see the module's docstring)."""
    return (
        f"current_user = {_literal(owner)} AND pg_trigger_depth() = 0 "
        f"AND current_setting('{SCOPE_SETTING}', true) = '{TALLY_SCOPE}'"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: Each function's body (between its $$), as `functions` gives them to `store.check`.
_TALLY_BODY = f"""
DECLARE
    scope text := current_setting('{SCOPE_SETTING}', true);
BEGIN
    PERFORM set_config('{SCOPE_SETTING}', '{TALLY_SCOPE}', true);
    -- one pass over the reviews: each counts once as given (by its reviewer) and once
    -- as received (by its request's author)
    RETURN QUERY
    SELECT x.learner::text, sum(x.given)::bigint, sum(x.received)::bigint
    FROM peer_review v JOIN peer_request q ON q.id = v.request_id
    CROSS JOIN LATERAL (VALUES (v.learner, 1, 0), (q.learner, 0, 1)) AS x (learner, given, received)
    WHERE spec IS NULL
        OR q.course_id IN (SELECT c.id FROM course c WHERE c.specialization_id = spec)
        OR q.topic_id IN (SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id
                          WHERE c.specialization_id = spec)
    GROUP BY x.learner;
    PERFORM set_config('{SCOPE_SETTING}', coalesce(scope, ''), true);
END """

_FLOW_BODY = f"""
DECLARE
    scope text := current_setting('{SCOPE_SETTING}', true);
BEGIN
    PERFORM set_config('{SCOPE_SETTING}', '{TALLY_SCOPE}', true);
    RETURN QUERY SELECT
        (SELECT count(*) FROM peer_request q WHERE q.learner <> session_user
            AND NOT EXISTS (SELECT 1 FROM peer_review v
                            WHERE v.request_id = q.id AND v.learner = session_user)),
        (SELECT count(*) FROM peer_review v JOIN peer_request q ON q.id = v.request_id
            WHERE q.learner = session_user AND v.reviewed_on >= since);
    PERFORM set_config('{SCOPE_SETTING}', coalesce(scope, ''), true);
END """

_COUNTS_BODY = f"""
DECLARE
    scope text := current_setting('{SCOPE_SETTING}', true);
BEGIN
    PERFORM set_config('{SCOPE_SETTING}', '{TALLY_SCOPE}', true);
    RETURN QUERY
    SELECT v.request_id, count(*)::integer FROM peer_review v GROUP BY v.request_id;
    PERFORM set_config('{SCOPE_SETTING}', coalesce(scope, ''), true);
END """

_SIGNATURES = {
    TALLY_FUNCTION: (
        "spec integer DEFAULT NULL",
        "integer",
        "TABLE (learner text, given bigint, received bigint)",
        _TALLY_BODY,
    ),
    FLOW_FUNCTION: (
        "since date",
        "date",
        "TABLE (waiting bigint, new_reviews bigint)",
        _FLOW_BODY,
    ),
    COUNTS_FUNCTION: ("", "", "TABLE (request_id integer, reviews integer)", _COUNTS_BODY),
}


def functions() -> dict[str, str]:
    """Each function's body, by name (what `store.check` compares with `prosrc`)."""
    return {name: body for name, (_, _, _, body) in _SIGNATURES.items()}


def signature(name: str) -> str:
    """`name(argument types)`, as GRANT and to_regprocedure name the function."""
    return f"{name}({_SIGNATURES[name][1]})"


def security(tables: set[str], *, schema: str, owner: str, learners: str) -> list[str]:
    """The statements `apply_security` adds (idempotent): the policies and the functions,
    callable by the group's learners and no one else. None on a store of an older schema
    (a test's) that has no peer tables."""
    if not set(TABLES) <= tables:
        return []

    def quote(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    out = []
    for table in TABLES:
        out += [
            f"DROP POLICY IF EXISTS {TALLY_POLICY} ON {table}",
            f"CREATE POLICY {TALLY_POLICY} ON {table} FOR SELECT USING ({tally_policy(owner)})",
        ]
    for name, (arguments, _, returns, body) in _SIGNATURES.items():
        out += [
            # a signature of an older version would be another function: gone first
            f"DROP FUNCTION IF EXISTS {signature(name)}",
            f"CREATE FUNCTION {name}({arguments}) RETURNS {returns} LANGUAGE plpgsql "
            f"SECURITY DEFINER SET search_path = {quote(schema)}, pg_temp "
            f"AS $${body}$$",
            f"REVOKE ALL ON FUNCTION {signature(name)} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {signature(name)} TO {quote(learners)}",
        ]
    return out


#: Whether the store is a group's that has the flow's function: one catalog lookup.
_HAS_FLOW = (
    "SELECT coalesce((SELECT relforcerowsecurity FROM pg_class "
    "WHERE oid = to_regclass('progress')), false) "
    f"AND to_regprocedure('{signature(FLOW_FUNCTION)}') IS NOT NULL"
)


def flow(reader: Reader, today: dt.date) -> Row | None:
    """The learner's `waiting` and `new_reviews` (reviews given from `NEW_DAYS` - 1 days
    ago to today); None on SQLite (not a statement) or on a store that is not a group's."""
    if reader.dialect != "postgresql" or not reader.scalar(_HAS_FLOW):
        return None
    since = today - dt.timedelta(days=NEW_DAYS - 1)
    return reader.one(
        f"SELECT waiting, new_reviews FROM {FLOW_FUNCTION}(CAST(:since AS date))", since=since
    )


def made(reader: Reader, name: str) -> bool:
    """Whether the store has the function `name` (a study group's, on PostgreSQL)."""
    return bool(reader.scalar(f"SELECT to_regprocedure('{signature(name)}') IS NOT NULL"))


def tally(reader: Reader, spec_id: int) -> dict[str, tuple[int, int]]:
    """Per learner: (reviews given, reviews received) on requests under a specialization.

    Only on a group's store (the group views call it): {} where its function is missing."""
    if not made(reader, TALLY_FUNCTION):
        return {}
    rows = reader.all(
        f"SELECT learner, given, received FROM {TALLY_FUNCTION}(CAST(:spec AS integer))",
        spec=spec_id,
    )
    return {row.learner: (int(row.given), int(row.received)) for row in rows}
