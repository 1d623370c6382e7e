"""coursetrack's speed and memory, as ratios measured in one run.

    python bench/run.py [--runs N] [--quick] [--only PART[,PART...]]

Builds its own stores under a temporary directory, runs each case as a whole
process, and prints each figure next to its floor, with the target ratio. It
exits 0 whatever the figures say: they are for reading, not for tests.
`--only` runs some parts: startup, everyday (every everyday command against the
no-ORM floor), scale (20,000 topics), import, memory, huge (100,000).

Every case is timed in interleaved pairs with its floor: the case, then its
floor, again and again, and its ratio is the median of the pairs' ratios. A
machine's load drifting between two separate series of runs (another process,
a CPU's clock) moved a ratio from 1.04 to 1.41 between two runs of this bench,
and `note` read 1.50 where pairs give 0.94; in a pair both processes meet the
same load, and the median of many pairs drops the pairs a burst of it hit.
Times are CPU time (user + system) of the process, which the load of other
processes on the machine touches less than wall time.

Memory is each case's own peak RSS. A child's `ru_maxrss` counts the
high-water mark of the process that spawned it (exec inherits it), so the
bench's own memory (a store built in-process) would show in every case after
it: each case is started by a small launcher of its own (`LAUNCHER`, a Python
of about 10 MB, below any case) which waits for it with `os.wait4`.

Every case runs once before it is timed, with bytecode caching on (in a
PYTHONPYCACHEPREFIX under the temporary directory): an installed coursetrack,
like its dependencies, is imported from compiled bytecode, so a shell that sets
PYTHONDONTWRITEBYTECODE must not make it pay for compiling its sources on
every run while the floors do not. A write runs on a fresh copy of its store
each time (copied before it starts), so that every run does the same work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PY = sys.executable
SPECS, COURSES, TOPICS = 200, 10, 10  # 20,000 topics

#: The floor of every everyday command: what a read cannot do without (issue 20).
NO_ORM_FLOOR = "typer, rich.table, sqlite3"


@dataclass
class Figure:
    name: str
    seconds: float  # wall time
    rss_mb: float  # the process's own peak
    cpu: float = 0.0  # user + system time


#: Runs argv[1:] and reports, on its stdout, the child's wall time, CPU time, peak RSS
#: (KiB) and exit code; the child's stdout goes to /dev/null, its stderr to ours.
LAUNCHER = textwrap.dedent(
    """
    import os, sys, time
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, code)
    """
)


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float


def run_once(name: str, argv: list[str], env: dict[str, str], *, expect: int = 0) -> Run:
    """One process of `argv`, measured by a launcher of its own (see the module's docstring)."""
    done = subprocess.run(
        [PY, "-I", "-S", "-c", LAUNCHER, *argv], env=env, capture_output=True, text=True
    )
    wall, cpu, rss, code = done.stdout.split()
    if int(code) != expect:
        print(f"  ! {name} exited {code}: {done.stderr.strip()[:200]}")
    return Run(float(wall), float(cpu), int(rss) / 1024)


@dataclass
class Case:
    """A command to measure: `prepare` runs before each run, untimed (a fresh store)."""

    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    prepare: Callable[[], None] | None = None
    expect: int = 0  # its exit code (a refusal: 1)
    warm: bool = True  # run once, untimed, first


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    return {**os.environ, **(extra or {})}


def _run(case: Case) -> Run:
    if case.prepare is not None:
        case.prepare()
    return run_once(case.name, case.argv, _env(case.env), expect=case.expect)


def _figure(name: str, runs: list[Run]) -> Figure:
    return Figure(
        name,
        statistics.median(r.wall for r in runs),
        statistics.median(r.rss_mb for r in runs),
        statistics.median(r.cpu for r in runs),
    )


def measure(
    name: str, argv: list[str], *, runs: int, env: dict | None = None, warm: bool = True
) -> Figure:
    """Medians of `runs` processes of `argv` alone (wall, CPU, own peak RSS).

    `warm`: run it once first, untimed (bytecode written, files in the page cache).
    For a ratio, prefer `measure_pair`.
    """
    case = Case(name, argv, env=env, warm=warm)
    if warm:
        _run(case)
    return _figure(name, [_run(case) for _ in range(runs)])


def measure_pair(
    case: tuple[str, list[str]] | Case,
    floor: tuple[str, list[str]] | Case,
    *,
    runs: int,
    env: dict | None = None,
    cpu: bool = True,
) -> tuple[Figure, Figure, float]:
    """`case` and `floor` run alternately, `runs` times each (see the module's docstring).

    Returns their median figures and the median of the pairs' ratios of CPU
    time (`cpu=False`: of wall time).
    """
    one, other = (c if isinstance(c, Case) else Case(c[0], c[1], env=env) for c in (case, floor))
    for c in (one, other):
        if c.warm:  # bytecode written, files in the page cache
            _run(c)
    mine: list[Run] = []
    theirs: list[Run] = []
    ratios = []
    for _ in range(runs):
        mine.append(_run(one))
        theirs.append(_run(other))
        a, b = (mine[-1].cpu, theirs[-1].cpu) if cpu else (mine[-1].wall, theirs[-1].wall)
        ratios.append(a / b if b else float("nan"))
    return _figure(one.name, mine), _figure(other.name, theirs), statistics.median(ratios)


def coursetrack(*args: str) -> list[str]:
    """The installed console script, as a user runs it (its name drives completion)."""
    script = Path(PY).with_name("coursetrack")
    if script.exists():
        return [str(script), *args]
    return [PY, "-m", "coursetrack", *args]


def build_big_store(path: Path) -> None:
    """200 specializations x 10 courses x 10 topics, half done, with history."""
    from coursetrack import store as db
    from coursetrack.catalog import CatalogSpec
    from coursetrack.services.importer import import_catalog
    from coursetrack.services.marking import mark_done

    store = db.open_store(str(path), write=True)
    for s in range(SPECS):
        catalog = CatalogSpec.model_validate(
            {
                "slug": f"s{s:03d}",
                "title": f"Specialization {s}",
                "courses": [
                    {
                        "slug": f"c{c}",
                        "title": f"Course {c} of {s}",
                        "description": "What it taught. " * 3,
                        "topics": [{"slug": f"t{t}", "title": f"Topic {t}"} for t in range(TOPICS)],
                    }
                    for c in range(COURSES)
                ],
            }
        )
        with store.write(f"import s{s:03d}") as session:
            import_catalog(session, catalog=catalog)
        refs = [f"s{s:03d}/c{c}" for c in range(COURSES // 2)]
        import datetime as dt

        with store.write(f"done s{s:03d}") as session:
            mark_done(session, refs=refs, on=dt.date(2026, 1, 1) + dt.timedelta(days=s % 60))
    store.close()


def big_catalog(path: Path) -> None:
    """One catalog of 20,000 topics (200 courses x 100 topics), for import."""
    lines = ["slug: big", "title: Big", "courses:"]
    for c in range(200):
        lines += [f"  - title: Course {c}", f"    slug: c{c}", "    topics:"]
        lines += [f"      - Topic {c}.{t}" for t in range(100)]
    path.write_text("\n".join(lines) + "\n")


HUGE_COURSES, HUGE_TOPICS = 100, 1000  # one program of 100,000 topics


def build_huge_store(path: Path) -> None:
    """One specialization of 100,000 topics, imported as a user would (no progress yet)."""
    from coursetrack import store as db
    from coursetrack.catalog import CatalogSpec
    from coursetrack.services.importer import import_catalog

    catalog = CatalogSpec.model_validate(
        {
            "slug": "huge",
            "title": "Huge",
            "courses": [
                {
                    "slug": f"c{c}",
                    "title": f"Course {c}",
                    "topics": [
                        {"slug": f"t{t}", "title": f"Topic {t}"} for t in range(HUGE_TOPICS)
                    ],
                }
                for c in range(HUGE_COURSES)
            ],
        }
    )
    store = db.open_store(str(path), write=True)
    with store.write("import huge") as session:
        import_catalog(session, catalog=catalog)
    store.close()


def add_big_note(path: Path, megabytes: int) -> None:
    """A note of that size, written straight into the store (as a store from before limits)."""
    import sqlite3

    con = sqlite3.connect(path)
    with con:
        cur = con.execute(
            "INSERT INTO command (at, line, gid, replica, stamp) "
            "VALUES ('2026-01-01T00:00:00+00:00', 'note', 'bench:' || lower(hex(randomblob(8))), "
            "'bench', '0000000000000000.0000.bench.' || lower(hex(randomblob(8))))"
        )
        # the history records a change under the command its transaction binds
        con.execute("INSERT INTO history_binding (id, command_id) VALUES (1, ?)", (cur.lastrowid,))
        con.execute(
            "INSERT INTO note (topic_id, written_on, text) VALUES (1, '2026-01-01', ?)",
            ("x" * (megabytes * 1_000_000),),
        )
        con.execute("DELETE FROM history_binding")
    con.close()


Row = tuple[Figure, Figure, float, str, float]  # case, floor, target, "time"|"rss", ratio


class Table:
    """The rows to print: each a case, its floor, the target and the measured ratio."""

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.rows: list[Row] = []

    def pair(
        self, case: Case, floor: Case, target: float, *, runs: int | None = None
    ) -> tuple[Figure, Figure]:
        """Time `case` with `floor` in interleaved pairs; add the row; return both figures."""
        mine, theirs, ratio = measure_pair(case, floor, runs=runs or self.runs)
        self.rows.append((mine, theirs, target, "time", ratio))
        return mine, theirs

    def memory(self, case: Figure, floor: Figure, target: float) -> None:
        ratio = case.rss_mb / floor.rss_mb if floor.rss_mb else float("nan")
        self.rows.append((case, floor, target, "rss", ratio))

    def fixed(self, case: Figure, floor: Figure, target: float) -> None:
        """A wall time against a fixed figure (a timeout), not a process."""
        self.rows.append((case, floor, target, "wall", case.seconds / floor.seconds))

    def print(self, note: str) -> None:
        width = max(len(r[0].name) for r in self.rows) + len(" (peak RSS)")
        floor_width = max(len(r[1].name) for r in self.rows)
        print()
        print(
            f"{'case':<{width}}  {'value':>9}  {'floor':<{floor_width}}  {'floor':>9}  "
            "ratio  target"
        )
        for case, floor, target, unit, ratio in self.rows:
            if unit == "rss":
                value, base, fmt = case.rss_mb, floor.rss_mb, "{:7.1f}MB"
                label = f"{case.name} (peak RSS)"
            elif unit == "wall":
                value, base, fmt = case.seconds * 1000, floor.seconds * 1000, "{:7.0f}ms"
                label = f"{case.name} (wall)"
            else:
                value, base, fmt = case.cpu * 1000, floor.cpu * 1000, "{:7.0f}ms"
                label = case.name
            mark = "ok" if ratio <= target else "MISSED"
            print(
                f"{label:<{width}}  {fmt.format(value):>9}  {floor.name:<{floor_width}}  "
                f"{fmt.format(base):>9}  {ratio:5.2f}  <={target:<4} {mark}"
            )
        print(f"\n{note}; python {sys.version.split()[0]}")


def fresh_copy(source: Path, target: Path) -> Callable[[], None]:
    """What a write's `prepare` does: its store as it was, before each run."""

    def prepare() -> None:
        shutil.copyfile(source, target)

    return prepare


def huge_cases(root: Path, table: Table, *, base: Path, heavy_runs: int) -> None:
    """A write at 100,000 topics: `done` of the whole program, on a fresh copy each
    run (the whole process is an upper bound of the time it holds the lock), and
    `log` after it."""
    print("building the 100,000-topic store ...", flush=True)
    start = time.perf_counter()
    huge = root / "huge.db"
    build_huge_store(huge)
    print(f"  built in {time.perf_counter() - start:.1f} s")
    copy, small = root / "huge-run.db", root / "small-run.db"
    huge_done, _ = table.pair(
        Case("done of 100,000 topics", coursetrack("done", "huge", "--note", "all of it"),
             env={"COURSETRACK_DB": str(copy)}, prepare=fresh_copy(huge, copy), warm=False),
        Case("done dls/2/2 (shipped)", coursetrack("done", "dls/2/2"),
             env={"COURSETRACK_DB": str(small)}, prepare=fresh_copy(base, small)),
        10.0,
        runs=heavy_runs,
    )  # fmt: skip
    from coursetrack.store import DEFAULT_BUSY_TIMEOUT

    table.fixed(huge_done, Figure("the busy timeout", DEFAULT_BUSY_TIMEOUT, 0.0), 0.1)
    done_env = {"COURSETRACK_DB": str(copy)}  # the last run's store: the done is in it
    small_log = Case("log -n 1 (shipped)", coursetrack("log", "-n", "1"))
    table.pair(
        Case("log -n 1 after a done of 100,000 topics", coursetrack("log", "-n", "1"),
             env=done_env),
        small_log,
        3.0,
        runs=heavy_runs,
    )  # fmt: skip
    add_big_note(copy, 50)
    table.pair(
        Case("log -n 1 of a 50 MB note", coursetrack("log", "-n", "1"), env=done_env),
        small_log,
        3.0,
        runs=heavy_runs,
    )


PARTS = ("startup", "everyday", "scale", "import", "memory", "huge")

#: The issue's everyday commands: reads on the shipped store, each write on a fresh copy
#: of it (dls/1 and dls/2/1 done, a note).
EVERYDAY_READS = (
    ["status"],
    ["status", "dls"],
    ["next"],
    ["show", "dls/2/1"],
    ["plan", "dls"],
    ["log", "-n", "5"],
    ["review"],
    ["chart", "dls"],
    ["export", "markdown", "dls"],
)
EVERYDAY_WRITES = (
    ["done", "dls/2/2"],
    ["start", "dls/3/1"],
    ["reopen", "dls/2/1"],
    ["note", "dls/3", "bench"],
    ["link", "dls/3/1", "https://example.org/nb", "--title", "notebook"],
    ["reviewed", "dls/2/1", "--grade", "good"],
    ["goal", "dls", "--by", "2999-01-01"],
    ["undo", "--yes"],
)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Parts: " + ", ".join(PARTS) + ". It exits 0 whatever the figures say.",
    )
    parser.add_argument("--runs", type=int, default=7, help="pairs per case (median)")
    parser.add_argument("--quick", action="store_true", help="3 pairs per case")
    parser.add_argument("--only", help=f"parts to run, comma-separated: {', '.join(PARTS)}")
    opts = parser.parse_args()
    runs = 3 if opts.quick else opts.runs
    heavy_runs = max(3, runs // 2)
    parts = set(opts.only.split(",")) if opts.only else set(PARTS)
    if parts - set(PARTS):
        parser.error(f"no such part: {', '.join(sorted(parts - set(PARTS)))}")

    with tempfile.TemporaryDirectory(prefix="coursetrack-bench-") as tmp:
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        env = {
            "XDG_DATA_HOME": str(home),
            "COURSETRACK_DB": str(root / "dls.db"),
            "NO_COLOR": "1",
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
        }
        os.environ.update(env)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        for args in (
            ["import", "deep-learning-specialization"],
            ["done", "dls/1", "dls/2/1"],
            ["note", "dls/2/1", "what batch norm does"],
        ):
            subprocess.run(coursetrack(*args), check=True, capture_output=True)
        base = root / "base.db"  # what each write starts from
        shutil.copyfile(root / "dls.db", base)

        big = root / "big.db"
        big_env = {"COURSETRACK_DB": str(big)}
        if parts & {"scale", "memory"}:
            print("building the 20,000-topic store ...", flush=True)
            start = time.perf_counter()
            build_big_store(big)
            print(f"  built in {time.perf_counter() - start:.1f} s")
        catalog = root / "big.yaml"
        big_catalog(catalog)

        table = Table(runs)
        floors = {"typer": "typer", "no-ORM": NO_ORM_FLOOR,
                  "deps": "typer, rich.table, sqlmodel, yaml"}  # fmt: skip

        def floor(name: str) -> Case:
            return Case(f"python -c 'import {floors[name]}'", [PY, "-c", f"import {floors[name]}"])

        if "startup" in parts:
            print("startup ...", flush=True)
            table.pair(Case("coursetrack --help", coursetrack("--help")), floor("no-ORM"), 1.3)
            table.pair(Case("coursetrack --version", coursetrack("--version")), floor("typer"), 1.3)
            # What bash's completion function runs on `coursetrack done dls/<Tab>`; the
            # console script's name is what Typer derives _COURSETRACK_COMPLETE from.
            completion_env = {
                "_COURSETRACK_COMPLETE": "complete_bash",
                "COMP_WORDS": "coursetrack done dls/",
                "COMP_CWORD": "2",
            }
            offered = subprocess.run(
                coursetrack(), env=_env(completion_env), capture_output=True, text=True
            ).stdout.split()
            if not offered:
                print("  ! completion of 'done dls/' offered nothing: its figure means little")
            table.pair(
                Case(f"completion of 'done dls/' ({len(offered)} refs)", coursetrack(),
                     env=completion_env),
                floor("typer"),
                1.3,
                runs=max(15, 3 * runs),
            )  # fmt: skip
        if "everyday" in parts:
            print("everyday commands ...", flush=True)
            for args in EVERYDAY_READS:
                table.pair(Case(" ".join(args), coursetrack(*args)), floor("no-ORM"), 1.3)
            run_db = root / "write.db"
            for args in EVERYDAY_WRITES:
                write = Case(" ".join(args), coursetrack(*args),
                             env={"COURSETRACK_DB": str(run_db)},
                             prepare=fresh_copy(base, run_db))  # fmt: skip
                table.pair(write, floor("no-ORM"), 1.3)
            taken = root / "taken.html"
            taken.write_text("already here\n")
            refused = coursetrack("export", "html", "dls", "-o", str(taken))
            refused_case = Case("export html dls -o taken.html (refused)", refused, expect=1)
            table.pair(refused_case, floor("no-ORM"), 1.3)

        shipped_cases = {
            "status": ["status"],
            "next": ["next"],
            "plan": ["plan", "dls"],
            "export markdown": ["export", "markdown", "dls"],
            "show": ["show", "dls/1"],
        }
        big_cases = {
            "status": ["status"],
            "next": ["next"],
            "plan": ["plan", "s100"],
            "export markdown": ["export", "markdown", "s100"],
            "show": ["show", "s100/c0"],
        }
        if "scale" in parts:
            print("20,000 topics ...", flush=True)
        for name, args in shipped_cases.items() if "scale" in parts else ():
            table.pair(
                Case(f"{name} at 20,000 topics", coursetrack(*big_cases[name]), env=big_env),
                Case(f"{name} (shipped catalog)", coursetrack(*args)),
                1.5,
                runs=heavy_runs,
            )
        if "import" in parts:
            print("import of 20,000 topics ...", flush=True)
            target = root / "import.db"

            def empty() -> None:
                target.unlink(missing_ok=True)

            table.pair(
                Case("import of 20,000 topics", coursetrack("import", str(catalog)),
                     env={"COURSETRACK_DB": str(target)}, prepare=empty, warm=False),
                floor("no-ORM"),
                10.0,
                runs=heavy_runs,
            )  # fmt: skip
        if "memory" in parts:
            print("memory ...", flush=True)
            # Memory that follows the store's size, as the targets put it: the
            # same command on the shipped catalog (each process's own peak, whatever
            # the bench holds: see the docstring).
            big_status, small_status = table.pair(
                Case("status at 20,000 topics", coursetrack("status"), env=big_env),
                Case("status (shipped catalog)", coursetrack("status")),
                float("inf"),
                runs=heavy_runs,
            )
            table.rows.pop()  # its time is in `scale`; here: its memory
            table.memory(big_status, small_status, 1.5)
        if "huge" in parts:
            huge_cases(root, table, base=base, heavy_runs=heavy_runs)

    table.print(
        f"CPU time (user + system) of each process unless marked; medians of {runs} "
        f"interleaved pairs with the floor ({heavy_runs} for 20,000-topic cases; completion: "
        f"{max(15, 3 * runs)}); ratio: the median of the pairs' ratios (memory: of the "
        "medians of each process's own peak)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
