"""Twenty learners writing one study group's store at once, against the same work in turn.

    python bench/group_writers.py [--learners N] [--commands N]

Starts a throwaway PostgreSQL server of its own (the test suite's
`tests/postgres.py`) and makes a study group's store as its owner would: a
12-topic catalog, `group init`, and N learners who are real login roles. Each
learner has a script of `done`/`reopen` commands (tests/test_group_concurrency.py's
scripts), run in one process of their own as the test runs them (the app's own
parsing, in-process).

- together: every learner's process started at the same moment (writers take
  turns on the store's write lock);
- in turn: the same processes, one after another, on the store emptied again.

It prints the wall time of each and their ratio (together / in turn: below 1,
the learners' work that needs no lock overlapped; above 1, waiting for each
other cost more than it saved), and checks that every command was kept. It
exits 0 whatever the figures say, and says why when it cannot run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the suite's throwaway server and scripts

import postgres  # noqa: E402

OWNER = "bench_owner"
DATABASE = "writers"
TOPICS = 12


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20, help="learners writing at once")
    parser.add_argument("--commands", type=int, default=50, help="commands per learner")
    opts = parser.parse_args()
    with postgres.for_bench("coursetrack-bench-writers-") as started:
        if started is None:
            return 0
        server, tmp = started
        return _run(server, tmp, opts.learners, opts.commands)


def _url(server: postgres.Server, role: str) -> str:
    return f"postgresql://{role}@/{DATABASE}?host={server.socket}"


def _build(server: postgres.Server, root: Path, learners: list[str]) -> None:
    import sqlalchemy
    from typer.testing import CliRunner

    from coursetrack.cli import app
    from coursetrack.store import group, members

    with server.connect("postgres") as con:
        con.execute(f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE')
        con.execute(f'CREATE DATABASE "{DATABASE}" OWNER "{OWNER}"')
    catalog = root / "race.yaml"
    topics = "\n".join(f"      - T{n:02d}" for n in range(1, TOPICS + 1))
    catalog.write_text(
        f"slug: race\ntitle: Race\ncourses:\n  - title: C\n    slug: c\n    topics:\n{topics}\n"
    )
    result = CliRunner().invoke(app, ["--db", _url(server, OWNER), "import", str(catalog)])
    assert result.exit_code == 0, result.output
    engine = sqlalchemy.create_engine(
        _url(server, OWNER).replace("postgresql://", "postgresql+psycopg2://", 1)
    )
    with engine.begin() as conn:
        group.init(conn)
        for learner in learners:
            members.add(conn, learner, curator=False)
    engine.dispose()


def _empty(server: postgres.Server) -> None:
    """The learners' records and history gone (TRUNCATE: the group's guard is per row)."""
    with server.connect(DATABASE) as con:
        con.execute("TRUNCATE progress, note, link, review, goal, member, change, command")


def _race(server: postgres.Server, scripts: dict[str, Path], together: bool) -> float:
    from test_concurrency import RACER

    def start(learner: str, at: float) -> subprocess.Popen:
        argv = [sys.executable, "-c", RACER, _url(server, learner), str(at), str(scripts[learner])]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    if together:
        at = time.time() + 3.0 + 0.3 * len(scripts)  # every process loaded, then all at once
        procs = [start(learner, at) for learner in scripts]
        outcomes = [p.communicate() for p in procs]
        seconds = time.time() - at
    else:
        seconds, outcomes = 0.0, []
        for learner in scripts:
            at = time.time() + 2.0
            outcomes.append(start(learner, at).communicate())
            seconds += time.time() - at
    failed = sum(int(out.splitlines()[-1]) if out.strip() else 1 for out, _ in outcomes)
    errors = [e for _, e in outcomes if e.strip() and "waiting for it" not in e]
    if failed or errors:
        print(f"  ! {failed} commands failed; {errors[:1]}")
    return seconds


def _run(server: postgres.Server, root: Path, learners: int, commands: int) -> int:
    import test_group_concurrency as scripted

    names = [f"racer{n:02d}" for n in range(1, learners + 1)]  # as the test's scripts name them
    print(f"building a study group of {learners} learners (real roles) ...", flush=True)
    _build(server, root, names)
    scripts = {}
    for learner, lines in scripted._scripts(learners, commands).items():
        scripts[learner] = root / f"{learner}.txt"
        scripts[learner].write_text("\n".join(lines) + "\n")
    total = learners * commands
    figures = {}
    for together in (True, False):
        _empty(server)
        figures[together] = _race(server, scripts, together)
        with server.connect(DATABASE) as con:
            kept = con.execute("SELECT count(*) FROM command").fetchone()[0]
        if kept != total:
            print(f"  ! {kept} commands kept of {total}")
    print()
    for together, label in ((True, "together"), (False, "in turn")):
        seconds = figures[together]
        print(
            f"{label:<8}  {learners} learners x {commands} commands  {seconds:6.1f} s  "
            f"{total / seconds:5.1f} commands/s"
        )
    print(f"ratio together / in turn: {figures[True] / figures[False]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
