"""`peer list` in a 200-learner study group against `group status`, as a ratio.

    python bench/peer.py [--pairs N] [--quick] [--learners N]

Starts a throwaway PostgreSQL server of its own and builds the cohort of
bench/group.py (the same learners, real login roles, the same records, inserted
by the server's superuser with explicit `learner` values, bound to a command as
the history triggers require). Then, the same way, peer review: each learner
asks for review of their work on 5 different topics (1,000 requests in all) and
each request has 0 to 3 reviews by other learners (about 1,500).

Then, as one of them (a real role, held by row-level security, who reviewed
some requests and asked for 5):

- `peer list dls` (every request she may review: not hers, not reviewed by her,
  about 990 rows) against `group status dls` of the same group (200 learners),
  each a whole process: target <= 1.5x (issue 23);
- the same pair in-process, the service call alone in its own read snapshot
  (no start-up): what the queries and their rows cost.

The two commands of a pair run alternately, and the ratio is the median of the
pairs' ratios of wall time (the server's work is not the client's CPU time), so
a machine whose load changes during the run moves both sides of a pair alike.
The load average is printed before and after.

It exits 0 whatever the figures say, and says why when it cannot run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

# bench/group.py, imported before it puts tests/ first on the path (tests/ has a group.py)
import group as cohort
import postgres

REQUESTS_EACH = 5
MOST_REVIEWS = 3
TARGET = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21, help="alternating pairs (median)")
    parser.add_argument("--quick", action="store_true", help="5 pairs")
    parser.add_argument("--learners", type=int, default=200, help="learners in the cohort")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the plan of peer list's query (EXPLAIN ANALYZE, as the learner) first",
    )
    opts = parser.parse_args()
    pairs = 5 if opts.quick else opts.pairs
    with postgres.for_bench("coursetrack-bench-peer-") as started:
        if started is None:
            return 0
        server, tmp = started
        return _run(server, tmp, pairs, opts.learners, explain=opts.explain)


def _requests_and_reviews(server: postgres.Server, names: list[str]) -> None:
    """Each learner's requests on 5 different topics, each with 0..3 reviews by others."""
    rng = random.Random(23)
    with server.connect(cohort.DATABASE) as con, con.transaction():
        topics = [
            row[0]
            for row in con.execute(
                "SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id "
                "JOIN specialization s ON s.id = c.specialization_id WHERE s.slug = 'dls' "
                "ORDER BY c.position, t.position"
            ).fetchall()
        ]
        command = con.execute(
            "INSERT INTO command (at, line, learner, gid, replica, stamp) "
            "VALUES (%s, 'bench: peer review', %s, 'bench:' || md5(random()::text), 'bench', "
            "'0000000000000000.0000.bench.' || md5(random()::text)) "
            "RETURNING id",
            (cohort.NOW, cohort.OWNER),
        ).fetchone()[0]
        con.execute("SELECT set_config('coursetrack.command', %s, true)", (str(command),))
        requests = []
        for name in names:
            for topic_id in rng.sample(topics, REQUESTS_EACH):
                asked = cohort.TODAY - dt.timedelta(days=rng.randint(1, 60))
                url = f"https://github.com/{name}/dls/blob/main/topic-{topic_id}.ipynb"
                requests.append((name, topic_id, url, asked))
        cur = con.cursor()
        ids = []
        for request in requests:
            cur.execute(
                "INSERT INTO peer_request (learner, topic_id, url, asked_on) "
                "VALUES (%s, %s, %s, %s) RETURNING id",
                request,
            )
            ids.append(cur.fetchone()[0])
        reviews = []
        for request_id, (author, _topic, _url, asked) in zip(ids, requests, strict=True):
            others = [n for n in names if n != author]
            for reviewer in rng.sample(others, rng.randint(0, MOST_REVIEWS)):
                day = min(cohort.TODAY, asked + dt.timedelta(days=rng.randint(0, 14)))
                grade = "pass" if rng.random() < 0.7 else "revise"
                comment = f"{reviewer} on request {request_id}: clear, and the shapes are checked."
                reviews.append((reviewer, request_id, day, grade, comment))
        cur.executemany(
            "INSERT INTO peer_review (learner, request_id, reviewed_on, grade, comment) "
            "VALUES (%s, %s, %s, %s, %s)",
            reviews,
        )
    with server.connect(cohort.DATABASE) as con:
        con.execute("ANALYZE")
    print(f"peer review: {len(requests)} requests, {len(reviews)} reviews", flush=True)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _run(server: postgres.Server, root: Path, pairs: int, learners: int, *, explain: bool) -> int:
    from run import measure_pair

    os.environ.update(
        {
            "XDG_DATA_HOME": str(root / "home"),
            "NO_COLOR": "1",
            "COURSETRACK_NOW": cohort.NOW,
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
        }
    )
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.pop("COURSETRACK_DB", None)
    print(f"building a study group of {learners} learners (real roles) ...", flush=True)
    names = cohort._build(server, learners)
    _requests_and_reviews(server, names)
    me = cohort._url(server, names[len(names) // 2])
    from coursetrack.services.group import group_status
    from coursetrack.services.peer import listing

    with_me = {"COURSETRACK_DB": me}
    shown = len(listing_rows(me))
    print(f"as {names[len(names) // 2]}: peer list dls shows {shown} requests", flush=True)
    if explain:
        print("\n".join(_plan(me)), flush=True)
    load_before = _load()
    whole = measure_pair(
        (f"peer list dls, {shown} requests", cohort.coursetrack("peer", "list", "dls")),
        (f"group status dls, {learners} learners", cohort.coursetrack("group", "status", "dls")),
        runs=pairs,
        env=with_me,
        cpu=False,
    )
    inside = cohort._alternate(
        (
            "peer list dls, in-process",
            cohort._in_process(me, lambda r: listing(r, ref="dls", mine=False)),
        ),
        (
            "group status dls, in-process",
            cohort._in_process(me, lambda r: group_status(r, ref="dls", today=cohort.TODAY)),
        ),
        pairs * 3,
    )
    load_after = _load()
    rows = [whole, inside]
    width = max(len(case.name) for case, *_ in rows)
    floor_width = max(len(floor.name) for _, floor, *_ in rows)
    print()
    print(f"{'case':<{width}}  {'value':>9}  {'floor':<{floor_width}}  {'floor':>9}  ratio  target")
    for case, floor, ratio in rows:
        value, base = case.seconds * 1000, floor.seconds * 1000
        mark = "ok" if ratio <= TARGET else "MISSED"
        print(
            f"{case.name:<{width}}  {value:7.1f}ms  {floor.name:<{floor_width}}  "
            f"{base:7.1f}ms  {ratio:5.2f}  <={TARGET:<4} {mark}"
        )
    print(
        f"\nwall-time medians of {pairs} alternating pairs (in-process: {pairs * 3}); ratio: "
        f"the median of the pairs' ratios; load average {load_before} before, "
        f"{load_after} after ({os.cpu_count()} CPUs); python {sys.version.split()[0]}"
    )
    return 0


def listing_rows(url: str) -> list:
    """What `peer list dls` lists as the learner of `url` (to name the case)."""
    from coursetrack.services.peer import listing
    from coursetrack.store.reader import open_reader

    with open_reader(url) as reader:
        return list(listing(reader, ref="dls", mine=False).requests)


def _plan(url: str) -> list[str]:
    """EXPLAIN ANALYZE of the statement `peer list dls` lists by, run as the learner of
    `url` in the command's own transaction (the group's scope set, row-level security
    holding): the service's call, with that one statement explained instead of run."""
    from coursetrack.services.peer import listing
    from coursetrack.store.reader import open_reader

    plan: list[str] = []
    with open_reader(url) as reader:
        run = reader.all

        def explained(sql: str, **params: object) -> list:
            if "ORDER BY reviews" not in sql:
                return run(sql, **params)
            plan.extend(
                next(iter(row.values())) for row in run(f"EXPLAIN (ANALYZE) {sql}", **params)
            )
            return []

        reader.all = explained  # type: ignore[method-assign]
        listing(reader, ref="dls", mine=False)
    return plan


if __name__ == "__main__":
    sys.exit(main())
