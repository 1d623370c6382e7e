"""coursetrack's speed and memory, as ratios measured in one run.

    python bench/run.py [--runs N] [--quick] [--only PART[,PART...]]

Builds its own stores under a temporary directory, times each case as a whole
process (median of N runs), and prints each figure next to its floor — the
same machine, the same moment — with the target ratio. It exits 0 whatever the
figures say: they are for reading, not for tests. `--only` runs some parts:
startup, reads, writes, scale (20,000 topics), import, memory, huge (100,000).

Completion is measured in interleaved pairs: the case, then its floor, again
and again, and its ratio is the median of the pairs' ratios. A Tab is short
(about 100 ms) and so close to its floor that a machine's load drifting
between two separate series of runs (another process, a CPU's clock) moved its
ratio from 1.04 to 1.41 between two runs of this bench; in a pair both
processes meet the same load, and the median of many pairs drops the pairs a
burst of it hit. It takes three times the runs (at least 15 pairs): each costs
little.

Every case runs once before it is timed, with bytecode caching on (in a
PYTHONPYCACHEPREFIX under the temporary directory): an installed coursetrack,
like its dependencies, is imported from compiled bytecode, so a shell that sets
PYTHONDONTWRITEBYTECODE must not make it pay for compiling its sources on
every run while the floors do not.
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
from dataclasses import dataclass
from pathlib import Path

PY = sys.executable
SPECS, COURSES, TOPICS = 200, 10, 10  # 20,000 topics


@dataclass
class Figure:
    name: str
    seconds: float
    rss_mb: float


def measure(
    name: str, argv: list[str], *, runs: int, env: dict | None = None, warm: bool = True
) -> Figure:
    """Median wall time and median peak RSS of `argv` as a fresh process.

    `warm`: run it once first, untimed (bytecode written, files in the page cache).
    """
    times, rss = [], []
    full_env = {**os.environ, **(env or {})}
    if warm:
        subprocess.run(argv, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=full_env
        )
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        rss.append(usage.ru_maxrss / 1024)
        if os.waitstatus_to_exitcode(status) != 0:
            err = proc.stderr.read().decode() if proc.stderr else ""
            print(f"  ! {name} exited {os.waitstatus_to_exitcode(status)}: {err.strip()[:200]}")
        if proc.stderr:
            proc.stderr.close()
    return Figure(name, statistics.median(times), statistics.median(rss))


def measure_pair(
    case: tuple[str, list[str]],
    floor: tuple[str, list[str]],
    *,
    runs: int,
    env: dict | None = None,
) -> tuple[Figure, Figure, float]:
    """`case` and `floor` run alternately, `runs` times each (see the module's docstring).

    Returns their median figures and the median of the pairs' ratios of time.
    """
    full_env = {**os.environ, **(env or {})}
    figures: dict[str, list[tuple[float, float]]] = {"case": [], "floor": []}
    ratios = []
    for argv in (case[1], floor[1]):  # warm: bytecode written, files in the page cache
        subprocess.run(argv, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(runs):
        pair = []
        for key, argv in (("case", case[1]), ("floor", floor[1])):
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env=full_env)  # fmt: skip
            _, _status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
            figures[key].append((seconds, usage.ru_maxrss / 1024))
            pair.append(seconds)
        ratios.append(pair[0] / pair[1])

    def figure(name: str, key: str) -> Figure:
        return Figure(
            name,
            statistics.median(t for t, _ in figures[key]),
            statistics.median(m for _, m in figures[key]),
        )

    return figure(case[0], "case"), figure(floor[0], "floor"), statistics.median(ratios)


MINIMAL_APP = textwrap.dedent(
    """
    import typer

    app = typer.Typer()

    @app.command()
    def hello(name: str) -> None:
        \"\"\"Say hello.\"\"\"
        print(name)

    @app.command()
    def bye(name: str) -> None:
        \"\"\"Say goodbye.\"\"\"
        print(name)

    app()
    """
)


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
    from coursetrack.services.progress import mark_done

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
            "INSERT INTO command (at, line) VALUES ('2026-01-01T00:00:00+00:00', 'note')"
        )
        # the history records a change under the command its transaction binds
        con.execute("INSERT INTO history_binding (id, command_id) VALUES (1, ?)", (cur.lastrowid,))
        con.execute(
            "INSERT INTO note (topic_id, written_on, text) VALUES (1, '2026-01-01', ?)",
            ("x" * (megabytes * 1_000_000),),
        )
        con.execute("DELETE FROM history_binding")
    con.close()


def huge_cases(root: Path, *, runs: int, heavy_runs: int, ratio) -> None:
    """A write at 100,000 topics: `done` of the whole program, on a fresh copy each
    run (the whole process is an upper bound of the time it holds the lock), and
    `log` after it."""
    print("building the 100,000-topic store ...", flush=True)
    start = time.perf_counter()
    huge = root / "huge.db"
    build_huge_store(huge)
    print(f"  built in {time.perf_counter() - start:.1f} s")
    one_done = measure("done dls/2/2 (shipped)", coursetrack("done", "dls/2/2"), runs=runs)
    dones = []
    for n in range(heavy_runs):
        copy = root / f"huge-{n}.db"
        shutil.copyfile(huge, copy)
        dones.append(
            measure(
                "done of 100,000 topics",
                coursetrack("done", "huge", "--note", "all of it"),
                runs=1,
                env={"COURSETRACK_DB": str(copy)},
                warm=False,  # a second done of the same store changes nothing
            )
        )
    huge_done = Figure(
        "done of 100,000 topics",
        statistics.median(f.seconds for f in dones),
        statistics.median(f.rss_mb for f in dones),
    )
    ratio(huge_done, one_done, 10.0)
    from coursetrack.store import DEFAULT_BUSY_TIMEOUT

    ratio(huge_done, Figure("the busy timeout", DEFAULT_BUSY_TIMEOUT, 0.0), 0.1)
    done_env = {"COURSETRACK_DB": str(root / "huge-0.db")}
    small_log = measure("log -n 1 (shipped)", coursetrack("log", "-n", "1"), runs=runs)
    ratio(
        measure(
            "log -n 1 after a done of 100,000 topics",
            coursetrack("log", "-n", "1"),
            runs=heavy_runs,
            env=done_env,
        ),
        small_log,
        3.0,
    )
    add_big_note(root / "huge-0.db", 50)
    ratio(
        measure(
            "log -n 1 of a 50 MB note",
            coursetrack("log", "-n", "1"),
            runs=heavy_runs,
            env=done_env,
        ),
        small_log,
        3.0,
    )


PARTS = ("startup", "reads", "writes", "scale", "import", "memory", "huge")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per case (median)")
    parser.add_argument("--quick", action="store_true", help="3 runs per case")
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
        minimal = root / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        subprocess.run(coursetrack("import", "deep-learning-specialization"), check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run(coursetrack("done", "dls/1", "dls/2/1"), check=True, capture_output=True)

        big = root / "big.db"
        big_env = {"COURSETRACK_DB": str(big)}
        if parts & {"scale", "memory"}:
            print("building the 20,000-topic store ...", flush=True)
            start = time.perf_counter()
            build_big_store(big)
            print(f"  built in {time.perf_counter() - start:.1f} s")
        catalog = root / "big.yaml"
        big_catalog(catalog)

        rows: list[tuple[Figure, Figure, float, str, float | None]] = []

        def ratio(
            case: Figure,
            floor: Figure,
            target: float,
            what: str = "time",
            measured: float | None = None,  # a paired measurement's own ratio
        ) -> None:
            rows.append((case, floor, target, "rss" if what == "memory" else "time", measured))

        floors: dict[str, Figure] = {}

        def floor_of(name: str) -> Figure:
            """A floor, measured once, when a part first needs it."""
            imports = {"typer": "typer", "reads": "typer, rich.table, sqlite3",
                       "deps": "typer, rich.table, sqlmodel, yaml"}[name]  # fmt: skip
            if name not in floors:
                argv = [PY, "-c", f"import {imports}"]
                floors[name] = measure(f"python -c 'import {imports}'", argv, runs=runs)
            return floors[name]

        if "startup" in parts:
            minimal_help = measure(
                "minimal Typer app --help", [PY, str(minimal), "--help"], runs=runs
            )
            ratio(
                measure("coursetrack --help", coursetrack("--help"), runs=runs), minimal_help, 1.2
            )
            ratio(
                measure("coursetrack --version", coursetrack("--version"), runs=runs),
                floor_of("typer"),
                1.3,
            )
            # What bash's completion function runs on `coursetrack done dls/<Tab>`; the
            # console script's name is what Typer derives _COURSETRACK_COMPLETE from.
            completion_env = {
                "_COURSETRACK_COMPLETE": "complete_bash",
                "COMP_WORDS": "coursetrack done dls/",
                "COMP_CWORD": "2",
            }
            offered = subprocess.run(
                coursetrack(), env={**os.environ, **completion_env}, capture_output=True, text=True
            ).stdout.split()
            if not offered:
                print("  ! completion of 'done dls/' offered nothing: its figure means little")
            tab, tab_floor, tab_ratio = measure_pair(
                (f"completion of 'done dls/' ({len(offered)} refs)", coursetrack()),
                ("python -c 'import typer' (paired)", [PY, "-c", "import typer"]),
                runs=max(15, 3 * runs),
                env=completion_env,
            )
            ratio(tab, tab_floor, 1.3, measured=tab_ratio)
        small = {}
        if "reads" in parts:
            # Reads run through sqlite3 alone: their floor is what they cannot do without.
            for args in (["status"], ["status", "dls"], ["next"], ["show", "dls/1/1"]):
                figure = measure("coursetrack " + " ".join(args), coursetrack(*args), runs=runs)
                small[" ".join(args)] = figure
                ratio(figure, floor_of("reads"), 2.0)
        if "writes" in parts:
            # Writes keep SQLModel sessions: their floor imports it.
            for args in (["done", "dls/2/2"], ["start", "dls/3/1"], ["note", "dls/3", "bench"]):
                figure = measure("coursetrack " + " ".join(args), coursetrack(*args), runs=runs)
                ratio(figure, floor_of("deps"), 1.15)
        if "reads" in parts:
            # log, review and export markdown read through sqlite3 alone too (after the
            # writes: the log has them to show). The post also needs yaml and markdown-it:
            # its figure is reported against the same floor, for comparison.
            for args in (["log", "-n", "5"], ["review"], ["export", "markdown", "dls"]):
                figure = measure("coursetrack " + " ".join(args), coursetrack(*args), runs=runs)
                ratio(figure, floor_of("reads"), 2.0)

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
        for name, args in shipped_cases.items() if "scale" in parts else ():
            base = small.get(name) or measure(f"{name} (shipped)", coursetrack(*args), runs=runs)
            large = measure(
                f"{name} at 20,000 topics",
                coursetrack(*big_cases[name]),
                runs=heavy_runs,
                env=big_env,
            )
            ratio(large, Figure(f"{name} (shipped catalog)", base.seconds, base.rss_mb), 1.5)

        if "import" in parts:
            imports = []
            for n in range(heavy_runs):
                target = root / f"import-{n}.db"
                imports.append(
                    measure(
                        "import of 20,000 topics",
                        coursetrack("import", str(catalog)),
                        runs=1,
                        env={"COURSETRACK_DB": str(target)},
                        warm=False,  # a second import of the same file would be another case
                    )
                )
            imported = Figure(
                "import of 20,000 topics",
                statistics.median(f.seconds for f in imports),
                statistics.median(f.rss_mb for f in imports),
            )
            ratio(imported, floor_of("deps"), 10.0)
        if "memory" in parts:
            # Before the 100,000-topic cases: a child's peak RSS counts the bench's own
            # memory at fork, and those cases grow it (the stores, a 50 MB note).
            big_status = measure("status at 20,000 topics", coursetrack("status"),
                                 runs=heavy_runs, env=big_env)  # fmt: skip
            ratio(big_status, floor_of("deps"), 1.3, what="memory")
        if "huge" in parts:
            huge_cases(root, runs=runs, heavy_runs=heavy_runs, ratio=ratio)

    width = max(len(r[0].name) for r in rows)
    floor_width = max(len(r[1].name) for r in rows)
    print()
    print(f"{'case':<{width}}  {'value':>9}  {'floor':<{floor_width}}  {'floor':>9}  ratio  target")
    for case, floor, target, unit, measured in rows:
        if unit == "rss":
            value, base, fmt = case.rss_mb, floor.rss_mb, "{:7.1f}MB"
            label = f"{case.name} (peak RSS)"
        else:
            value, base, fmt = case.seconds * 1000, floor.seconds * 1000, "{:7.0f}ms"
            label = case.name
        r = value / base if base else float("nan")
        if measured is not None:
            r = measured
        mark = "ok" if r <= target else "MISSED"
        print(
            f"{label:<{width}}  {fmt.format(value):>9}  {floor.name:<{floor_width}}  "
            f"{fmt.format(base):>9}  {r:5.2f}  <={target:<4} {mark}"
        )
    version = sys.version.split()[0]
    print(
        f"\nmedians of {runs} runs ({heavy_runs} for 20,000-topic cases; completion: the "
        f"median ratio of {max(15, 3 * runs)} interleaved pairs); python {version}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
