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
"""

from __future__ import annotations

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


def more_policies(table: str) -> dict[str, tuple[str, str]]:
    """A per-learner table's policies besides own_rows and group_reads: name -> (command
    as pg_policy writes it, USING)."""
    return dict(_MORE_POLICIES.get(table, {}))


def peer_review_grants(present: set[str], learners: str, curators: str) -> list[str]:
    """Learners read every column of peer_review but who reviewed; curators all of it.

    The table-level SELECT granted with the other per-learner tables goes (which takes
    any column grant with it, a `learner` one granted by hand included), then each
    column a learner may read is granted again."""
    if "peer_review" not in present:
        return []
    from coursetrack.models import PeerReview, columns_of

    def quote(name: str) -> str:  # as `group.quote`, which imports this module
        return '"' + name.replace('"', '""') + '"'

    shown = ", ".join(c for c in columns_of(PeerReview) if c not in PEER_REVIEW_HIDDEN)
    return [
        f"REVOKE SELECT ON peer_review FROM {quote(learners)}",
        f"GRANT SELECT ({shown}) ON peer_review TO {quote(learners)}",
        f"GRANT SELECT ON peer_review TO {quote(curators)}",
    ]
