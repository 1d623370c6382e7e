"""The group's view on a 200-learner cohort, as a ratio measured in one run.

    python bench/group.py [--runs N] [--quick] [--learners N]

Starts a throwaway PostgreSQL server of its own (the test suite's
`tests/postgres.py`) and builds a study group's store as its owner would:
`import deep-learning-specialization`, `group init`, then 200 learners who are
**real login roles** (`store.members.add`: members of the group's learners' role,
each with a SCRAM password). Their records are generated and **inserted by the
server's superuser with explicit `learner` values** (one transaction, bound to
a command as the history triggers require): faster than 200 x 20 commands,
and the same rows each learner's own `done`, `start`, `goal`, `note` and
`group share` would store. A learner did 0 to all 17 units over the last 120
days, has one in progress, half set a goal, a third agreed to be listed, each
wrote two notes (one private).

Then, as one of them (a real role, held by row-level security):

- `group status dls` (all 200 learners) against `status dls` of that learner on
  the same server, each a whole process: target <= 2x;
- the same pair in-process, the service call alone in its own read snapshot
  (no start-up): what the queries cost.

The two commands of a pair run alternately and the ratio is the median of the
pairs' ratios, so a machine whose load changes during the run (other work on
the same cores) moves both sides of each pair alike.

It exits 0 whatever the figures say, and says why when it cannot run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the suite's throwaway server

from run import Figure, coursetrack  # noqa: E402

import postgres  # noqa: E402

OWNER = "bench_owner"
DATABASE = "cohort"
TODAY = dt.date(2026, 3, 1)
NOW = "2026-03-01T12:00:00+00:00"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per case (median)")
    parser.add_argument("--quick", action="store_true", help="3 runs per case")
    parser.add_argument("--learners", type=int, default=200, help="learners in the cohort")
    opts = parser.parse_args()
    runs = 3 if opts.quick else opts.runs
    with postgres.for_bench("coursetrack-bench-group-") as started:
        if started is None:
            return 0
        server, tmp = started
        return _run(server, tmp, runs, opts.learners)


def _url(server: postgres.Server, role: str) -> str:
    return f"postgresql://{role}@/{DATABASE}?host={server.socket}"


def _build(server: postgres.Server, learners: int) -> list[str]:
    """The group's store and its cohort; the learners' names."""
    from sqlalchemy import create_engine

    from coursetrack.store import members

    admin = server._admin
    admin.execute(f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE')
    admin.execute(f'CREATE DATABASE "{DATABASE}" OWNER "{OWNER}"')
    owner = _url(server, OWNER)
    for args in (["import", "deep-learning-specialization"], ["group", "init"]):
        subprocess.run(coursetrack("--db", owner, *args), check=True, capture_output=True)
    names = [f"learner{i:03d}" for i in range(1, learners + 1)]
    engine = create_engine(owner.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.begin() as conn:
        for name in names:
            members.add(conn, name, curator=False)
    engine.dispose()
    _records(server, names)
    return names


def _records(server: postgres.Server, names: list[str]) -> None:
    rng = random.Random(13)
    with server.connect(DATABASE) as con, con.transaction():
        units = con.execute(
            "SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id "
            "JOIN specialization s ON s.id = c.specialization_id WHERE s.slug = 'dls' "
            "ORDER BY c.position, t.position"
        ).fetchall()
        spec_id = con.execute("SELECT id FROM specialization WHERE slug = 'dls'").fetchone()[0]
        command = con.execute(
            "INSERT INTO command (at, line, learner, gid, replica, stamp) "
            "VALUES (%s, 'bench: the cohort', %s, 'bench:' || md5(random()::text), 'bench', "
            "'0000000000000000.0000.bench.' || md5(random()::text)) "
            "RETURNING id",
            (NOW, OWNER),
        ).fetchone()[0]
        con.execute("SELECT set_config('coursetrack.command', %s, true)", (str(command),))
        progress, goals, notes, members = [], [], [], []
        for name in names:
            done = rng.randint(0, len(units))
            day = TODAY - dt.timedelta(days=120)
            for i, (topic_id,) in enumerate(units[: done + 1]):
                day = min(TODAY, day + dt.timedelta(days=rng.randint(0, 12)))
                if i < done:
                    progress.append((name, topic_id, "done", day, day))
                else:
                    progress.append((name, topic_id, "in-progress", day, None))
            if rng.random() < 0.5:
                goals.append((name, spec_id, TODAY + dt.timedelta(days=rng.randint(10, 200))))
            for private in (False, True):
                (topic_id,) = rng.choice(units)
                notes.append((name, topic_id, day, f"{name}'s note on {topic_id}", private))
            members.append((name, rng.random() < 1 / 3))
        cur = con.cursor()
        cur.executemany(
            "INSERT INTO progress (learner, topic_id, status, started_on, completed_on) "
            "VALUES (%s, %s, %s, %s, %s)",
            progress,
        )
        cur.executemany(
            "INSERT INTO goal (learner, specialization_id, target_on) VALUES (%s, %s, %s)", goals
        )
        cur.executemany(
            "INSERT INTO note (learner, topic_id, written_on, text, private) "
            "VALUES (%s, %s, %s, %s, %s)",
            notes,
        )
        cur.executemany("INSERT INTO member (learner, shared) VALUES (%s, %s)", members)
    with server.connect(DATABASE) as con:
        con.execute("ANALYZE")
    print(
        f"a cohort of {len(names)} learners: {len(progress)} progress rows, "
        f"{len(goals)} goals, {len(notes)} notes",
        flush=True,
    )


def _alternate(case: tuple[str, object], floor: tuple[str, object], runs: int) -> tuple:
    """Time `case` and `floor` (callables) alternately, `runs` times each after one
    untimed warm-up: their median figures and the median of the pairs' ratios."""
    times: dict[str, list[float]] = {"case": [], "floor": []}
    ratios = []
    for _name, call in (case, floor):
        call()
    for _ in range(runs):
        pair = []
        for key, (_name, call) in (("case", case), ("floor", floor)):
            start = time.perf_counter()
            call()
            pair.append(time.perf_counter() - start)
            times[key].append(pair[-1])
        ratios.append(pair[0] / pair[1])
    return (
        Figure(case[0], statistics.median(times["case"]), 0.0),
        Figure(floor[0], statistics.median(times["floor"]), 0.0),
        statistics.median(ratios),
    )


def _process(*args: str):
    argv = coursetrack(*args)

    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    return run


def _in_process(url: str, call):
    """The service call alone, in its own read snapshot (the engine made anew each time,
    as a command makes it)."""
    from coursetrack.store.reader import open_reader

    def run() -> None:
        with open_reader(url) as reader:
            call(reader)

    return run


def _run(server: postgres.Server, root: Path, runs: int, learners: int) -> int:
    os.environ.update(
        {
            "XDG_DATA_HOME": str(root / "home"),
            "NO_COLOR": "1",
            "COURSETRACK_NOW": NOW,
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
        }
    )
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.pop("COURSETRACK_DB", None)
    print(f"building a study group of {learners} learners (real roles) ...", flush=True)
    names = _build(server, learners)
    me = _url(server, names[len(names) // 2])
    from coursetrack.services.group import group_status
    from coursetrack.services.overview import status_of

    rows = [
        (
            *_alternate(
                (
                    f"group status dls, {learners} learners",
                    _process("--db", me, "group", "status", "dls"),
                ),
                ("status dls, one learner", _process("--db", me, "status", "dls")),
                runs,
            ),
            2.0,
        ),
        (
            *_alternate(
                (
                    "group status dls, in-process",
                    _in_process(me, lambda r: group_status(r, ref="dls", today=TODAY)),
                ),
                ("status dls, in-process", _in_process(me, lambda r: status_of(r, "dls", TODAY))),
                runs * 5,
            ),
            2.0,
        ),
    ]
    width = max(len(case.name) for case, *_ in rows)
    floor_width = max(len(floor.name) for _, floor, *_ in rows)
    print()
    print(f"{'case':<{width}}  {'value':>9}  {'floor':<{floor_width}}  {'floor':>9}  ratio  target")
    for case, floor, ratio, target in rows:
        value, base = case.seconds * 1000, floor.seconds * 1000
        mark = "ok" if ratio <= target else "MISSED"
        print(
            f"{case.name:<{width}}  {value:7.1f}ms  {floor.name:<{floor_width}}  "
            f"{base:7.1f}ms  {ratio:5.2f}  <={target:<4} {mark}"
        )
    print(
        f"\nmedians of {runs} alternating pairs (in-process: {runs * 5}); ratio: the median "
        f"of the pairs' ratios; python {sys.version.split()[0]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
