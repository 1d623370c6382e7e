"""The study group's security for peer review (issue 23), applied with the rest of it
(`store.group.apply_security`, security version 4) and compared by `store.check`.

- `peer_request`: each learner's own to change (`own_rows`); the group reads every one
  in a group view (its author is known: a link to one's work names it anyway).
- `peer_review`: each reviewer's own to change and read (`own_rows`); a request's
  author reads its reviews in any transaction (`authors_read`), but never who gave
  them: learners may SELECT every column of it but `learner`, so no query of theirs can
  return, filter on or sort by it (`SELECT *` is refused; pg_stats shows them none of
  its statistics). Curators may read it all, and every row in a group view.
- Every query of the program names the columns it reads of peer_review.
- What the group may know of the reviews it cannot read: how many each request has
  (`peer list` puts the least reviewed first), how many each learner gave and received
  (`group status`, the cohort post), how many wait for her (`status`), never who
  reviewed what: functions of the tables' owner count them (`store.peer_counts`).
- What runs as the owner is as coursetrack makes it, and for whom it is made: the review
  rule's function (`rule_functions`, made again with the rest) is compared by `check`
  (`changed_functions`; the count functions are `store.peer_counts`'); a trigger function
  that runs as the owner runs for its triggers alone, since any role may attach one she
  may execute to a temporary table of hers; and who reads who reviewed, or runs such a
  function, by a grant made by hand, to PUBLIC or to one learner, loses it (`taken_back`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: Policies a per-learner table has besides `own_rows` and `group_reads`: (command, USING).
#: A request's author reads its reviews, in any transaction, but never who gave them:
#: learners may SELECT every column of peer_review but `learner` (`PEER_REVIEW_HIDDEN`),
#: so no query of theirs can return, filter on or sort by it (`SELECT *` is refused), and
#: pg_stats shows them no statistics of it. A curator may read it all (in a group view).
_MORE_POLICIES = {
    "peer_review": {
        "authors_read": (
            "r",
            "request_id IN (SELECT peer_request.id FROM peer_request "
            "WHERE peer_request.learner = session_user)",
        ),
    },
}

#: The columns of peer_review a learner may not read: who reviewed.
PEER_REVIEW_HIDDEN = ("learner",)

#: The tables learners read column by column, each with the columns they may not read.
#: Column grants hide the system columns as well: a new review's foreign key locks its
#: request (FOR KEY SHARE), which writes the reviewer's transaction id in the request's
#: `xmax`, and the `xmin` of the rows the group reads would tell whose it was.
COLUMN_GRANTED = {"peer_review": PEER_REVIEW_HIDDEN, "peer_request": ()}


def more_policies(table: str) -> dict[str, tuple[str, str]]:
    """A per-learner table's policies besides own_rows and group_reads: name -> (command
    as pg_policy writes it, USING)."""
    return dict(_MORE_POLICIES.get(table, {}))


def peer_review_grants(present: set[str], learners: str, curators: str) -> list[str]:
    """Learners read every column of peer_review but who reviewed, and every column of
    peer_request (`COLUMN_GRANTED`: no system column); curators all of peer_review.

    The table-level SELECT granted with the other per-learner tables goes (which takes
    any column grant with it, a `learner` one granted by hand included), then each
    column a learner may read is granted again."""
    if "peer_review" not in present:
        return []
    from coursetrack.models import PeerRequest, PeerReview, columns_of

    def quote(name: str) -> str:  # as `group.quote`, which imports this module
        return '"' + name.replace('"', '""') + '"'

    out = []
    for model in (PeerReview, PeerRequest):
        table = str(model.__tablename__)
        shown = ", ".join(c for c in columns_of(model) if c not in COLUMN_GRANTED[table])
        out += [
            f"REVOKE SELECT ON {table} FROM {quote(learners)}",
            f"GRANT SELECT ({shown}) ON {table} TO {quote(learners)}",
        ]
    return [*out, f"GRANT SELECT ON peer_review TO {quote(curators)}"]


def rule_functions(schema: str) -> list[str]:
    """The functions of peer review's rules (`store.peer_rules`), which the group's
    security makes again: the review rule's runs as the owner and reads every review."""
    from coursetrack.store import peer_rules

    made = peer_rules.ddl("postgresql", schema)
    return [s for s in made if s.startswith("CREATE OR REPLACE FUNCTION")]


def changed_functions(conn: Connection, schema: str) -> list[str]:
    """The functions of `rule_functions` that are not as made: their body, or whether
    they run as the owner (`store.check`)."""
    made = {
        statement.split("FUNCTION ", 1)[1].split("(", 1)[0]: (
            "SECURITY DEFINER" in statement.split("$$")[0],
            statement.split("$$")[1],
        )
        for statement in rule_functions(schema)
        if statement.startswith("CREATE")
    }
    found = {
        name: (definer, body)
        for name, definer, body in conn.exec_driver_sql(
            "SELECT proname, prosecdef, prosrc FROM pg_proc WHERE proname = ANY(%(n)s) "
            "AND pronamespace = current_schema()::regnamespace",
            {"n": list(made)},
        ).all()
    }
    return [name for name, shape in made.items() if found.get(name) != shape]


#: Who was granted by hand what `taken_back` takes back: (what, a role or PUBLIC).
_BY_HAND = """
SELECT 'FUNCTION ' || p.oid::regprocedure::text, a.grantee FROM pg_proc p,
    aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
WHERE p.oid::regprocedure::text = ANY(%(f)s) AND a.grantee <> p.proowner
UNION SELECT 'TABLE peer_review', a.grantee FROM pg_class c, aclexplode(c.relacl) a
WHERE c.oid = to_regclass('peer_review') AND a.grantee <> c.relowner
    AND a.privilege_type = 'SELECT' AND a.grantee <> coalesce(to_regrole(%(c)s)::oid, 0)
UNION SELECT 'TABLE peer_review', a.grantee FROM pg_attribute t, aclexplode(t.attacl) a
WHERE t.attrelid = to_regclass('peer_review') AND t.attname = 'learner'
    AND a.grantee <> coalesce(to_regrole(%(c)s)::oid, 0)
"""


def taken_back(conn: Connection, functions: list[str], curators: str) -> list[str]:
    """What `group.apply_security` takes back from whoever was granted it by hand, a
    single learner as well as PUBLIC: reading who reviewed (the curators' alone), and
    running `functions` (`group.owners_triggers`: they run as the owner)."""
    found = conn.exec_driver_sql(
        "SELECT what, CASE WHEN grantee = 0 THEN 'PUBLIC' "
        f"ELSE quote_ident(pg_get_userbyid(grantee)) END FROM ({_BY_HAND}) g (what, grantee)",
        {"f": [f"{name}()" for name in functions], "c": curators},
    ).all()
    return [
        f"REVOKE {'SELECT' if what.startswith('TABLE') else 'ALL'} ON {what} FROM {who}"
        for what, who in sorted(found)
    ]
