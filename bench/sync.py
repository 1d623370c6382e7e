"""`coursetrack sync` against `status` on PostgreSQL, as ratios measured in one run (issue 24).

    python bench/sync.py [--pairs N] [--big-pairs N] [--quick] [--only PART[,PART...]]

Starts a throwaway PostgreSQL server of its own (the test suite's tests/postgres.py)
and a SQLite replica of the shipped catalog (`dls/1` done ten days ago), synced with a
hub database on that server. Each case runs as a whole process, alternately with what
it is compared to, and its ratio is the median of the pairs' ratios of wall time (a
sync's work is the server's as much as the client's; the client's CPU time ratio is
printed beside it). The parts (`--only`):

- idle: `sync` with nothing to exchange against `status dls` on the same hub: target
  about 1x, <= 1.2x (issue 24: "costs about one read on PostgreSQL");
- week: a week of work, 50 commands run on the replica (`reviewed`, `start`, `note`,
  `done`, `link`), synced, against `status dls` on the hub: target <= 2x. Each run
  starts from the same week: the replica a copy of the week's file, the hub a copy of
  the database as it was before the week (made from a template), both untimed;
- first: the first sync of a 20,000-topic store (one `import` of a catalog of 200
  courses x 100 topics) into an empty hub, against that store's own `import` of the
  catalog into a new file (time, and the process's own peak memory, `ru_maxrss` of the
  child, each run from a fresh copy); the same for 5,000 topics, and the sync's peak
  memory at 20,000 against 5,000 topics: memory is bounded when 4x the topics is far
  below 4x the memory (target <= 2x). `--big-pairs` pairs each (default 15).

It exits 0 whatever the figures say, and says why when it cannot run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the suite's throwaway server

from run import Case, Run, coursetrack, fresh_copy, run_once  # noqa: E402

import postgres  # noqa: E402

PARTS = ("idle", "week", "first")
WEEK = 50  # commands in a week of work
#: "About one read on PostgreSQL": a sync with nothing to exchange against `status`.
IDLE = 1.2
#: The first sync's peak memory at 4x the topics: bounded memory grows far less than 4x.
GROWTH = 2.0


@dataclass
class Row:
    """One line of the table: a case, what it is compared to, their medians and ratios."""

    case: str
    floor: str
    value: str
    base: str
    ratio: float
    cpu_ratio: float | None
    target: float | None  # None: a figure to read, no target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21, help="alternating pairs (median)")
    parser.add_argument(
        "--big-pairs", type=int, default=15, help="pairs of the 20,000 and 5,000-topic cases"
    )
    parser.add_argument("--quick", action="store_true", help="5 pairs, 2 of the big cases")
    parser.add_argument("--only", default=",".join(PARTS), help=f"parts: {', '.join(PARTS)}")
    opts = parser.parse_args()
    parts = [p.strip() for p in opts.only.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; parts: {', '.join(PARTS)}")
    pairs, big_pairs = (5, 2) if opts.quick else (opts.pairs, opts.big_pairs)
    with postgres.for_bench("coursetrack-bench-sync-") as started:
        if started is None:
            return 0
        server, tmp = started
        return _run(server, tmp, parts, pairs, big_pairs)


def _run(server: postgres.Server, root: Path, parts: list[str], pairs: int, big: int) -> int:
    os.environ.update(
        {
            "XDG_DATA_HOME": str(root / "home"),
            "NO_COLOR": "1",
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
        }
    )
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.pop("COURSETRACK_DB", None)
    os.environ.pop("COURSETRACK_NOW", None)  # the hub's clock and the replica's agree

    load_before = _load()
    rows: list[Row] = []
    if "idle" in parts or "week" in parts:
        replica, hub = _replica(server, root)
        if "idle" in parts:
            rows.append(_idle(server, replica, hub, pairs))
        if "week" in parts:
            rows.append(_week(server, root, replica, hub, pairs))
    if "first" in parts:
        rows += _first(server, root, big)
    load_after = _load()
    _print(rows)
    print(
        f"\nwall time medians of {pairs} alternating pairs ({big} for the 20,000 and 5,000-topic "
        f"cases); ratio: the median of the pairs' ratios of wall time (cpu: of the client's CPU "
        f"time); memory: each process's own peak RSS; load average {load_before} before, "
        f"{load_after} after ({os.cpu_count()} CPUs); python {sys.version.split()[0]}"
    )
    return 0


def _cli(db: str, *args: str) -> None:
    """One coursetrack command, untimed (building a store); its failure stops the bench."""
    done = subprocess.run(coursetrack("--db", db, *args), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench/sync.py: `{' '.join(args)}` failed: {done.stderr.strip()}")


def _replica(server: postgres.Server, root: Path) -> tuple[Path, str]:
    """The shipped catalog with `dls/1` done ten days ago, synced with a hub of its own."""
    replica = root / "replica.db"
    hub = server.create_database()
    print("building the replica and its hub ...", flush=True)
    _cli(str(replica), "import", "deep-learning-specialization")
    _cli(str(replica), "done", "dls/1", "--on", "10 days ago")
    _cli(str(replica), "sync", server.url(hub))
    return replica, hub


def _says(case: Case, expected: str) -> None:
    """Run `case` once, untimed, and stop unless it prints `expected` (what is timed is
    what it claims to be: nothing to exchange, the week pushed)."""
    if case.prepare is not None:
        case.prepare()
    done = subprocess.run(case.argv, capture_output=True, text=True, env={**os.environ})
    if done.stdout.strip() != expected:
        raise SystemExit(
            f"bench/sync.py: {case.name} printed {done.stdout.strip()!r} {done.stderr.strip()!r}, "
            f"not {expected!r}"
        )
    print(f"{case.name}: {expected}", flush=True)


def _idle(server: postgres.Server, replica: Path, hub: str, pairs: int) -> Row:
    """`sync` with nothing to exchange (it changes nothing: no store to refresh)."""
    idle = Case("sync, nothing to exchange", coursetrack("--db", str(replica), "sync"))
    _says(idle, "pulled 0 commands, pushed 0")
    return _paired(
        idle,
        Case("status dls, PostgreSQL", coursetrack("--db", server.url(hub), "status", "dls")),
        pairs=pairs,
        target=IDLE,
    )


def week_of_work() -> list[list[str]]:
    """50 everyday commands: reviews of what was done before, then topics started, noted,
    done, and some linked, in the shipped catalog's order."""
    commands: list[list[str]] = [
        ["reviewed", f"dls/1/{t}", "--grade", "good"] for t in (1, 2, 3, 4)
    ]
    topics = [f"dls/2/{t}" for t in (1, 2, 3)] + [f"dls/3/{t}" for t in (1, 2)]
    topics += [f"dls/4/{t}" for t in (1, 2, 3, 4)] + [f"dls/5/{t}" for t in (1, 2, 3, 4)]
    for i, ref in enumerate(topics):
        commands += [["start", ref], ["note", ref, f"week note {i}: what it taught"], ["done", ref]]
        if i % 2 == 0:
            commands.append(["link", ref, f"https://github.com/me/dl/blob/main/w{i}.ipynb"])
    return commands[:WEEK]


def _week(server: postgres.Server, root: Path, replica: Path, hub: str, pairs: int) -> Row:
    """A week of work synced, each run from the same week and the same hub."""
    before = server.create_database(hub)  # the hub before the week (a template)
    week = root / "week.db"
    shutil.copyfile(replica, week)
    commands = week_of_work()
    print(f"a week of work: {len(commands)} commands on a copy of the replica ...", flush=True)
    for args in commands:
        _cli(str(week), *args)
    run_hub = server.create_database(before)
    run_replica = root / "week-run.db"
    copy = fresh_copy(week, run_replica)

    def fresh_week() -> None:
        copy()
        server.remake_database(run_hub, before)

    synced = Case(
        f"sync, a week of work ({len(commands)} commands)",
        coursetrack("--db", str(run_replica), "sync", server.url(run_hub)),
        prepare=fresh_week,
    )
    _says(synced, f"pulled 0 commands, pushed {len(commands)}")
    return _paired(
        synced,
        Case("status dls, PostgreSQL", coursetrack("--db", server.url(hub), "status", "dls")),
        pairs=pairs,
        target=2.0,
    )


def catalog(path: Path, courses: int, topics: int = 100) -> Path:
    """One catalog of `courses` x `topics` topics, for import."""
    lines = ["slug: big", "title: Big", "courses:"]
    for c in range(courses):
        lines += [f"  - title: Course {c}", f"    slug: c{c}", "    topics:"]
        lines += [f"      - Topic {c}.{t}" for t in range(topics)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _first(server: postgres.Server, root: Path, pairs: int) -> list[Row]:
    """The first sync of a big store, against its own import; 20,000 against 5,000."""
    rows: list[Row] = []
    syncs: dict[int, list[Run]] = {}
    above: dict[int, float] = {}  # peak memory above a sync's with nothing to exchange
    for courses in (200, 50):
        size = f"{courses * 100:,}"
        source = catalog(root / f"big{courses}.yaml", courses)
        store = root / f"big{courses}.db"
        print(f"importing {size} topics into a SQLite store ...", flush=True)
        _cli(str(store), "import", str(source))
        hub = server.create_database()
        run_store, imported = root / f"big{courses}-run.db", root / f"big{courses}-import.db"
        copy = fresh_copy(store, run_store)

        def fresh_store(copy: Callable[[], None] = copy, hub: str = hub) -> None:
            copy()
            server.remake_database(hub, postgres.TEMPLATE)

        def no_store(imported: Path = imported) -> None:
            imported.unlink(missing_ok=True)

        sync = Case(
            f"first sync, {size} topics",
            coursetrack("--db", str(run_store), "sync", server.url(hub)),
            prepare=fresh_store,
        )
        load = Case(
            f"import, {size} topics",
            coursetrack("--db", str(imported), "import", str(source)),
            prepare=no_store,
        )
        print(f"timing the first sync of {size} topics ({pairs} pairs) ...", flush=True)
        mine, theirs = _pairs(sync, load, pairs=pairs, warm=False)  # seconds each: warm enough
        idle = run_once(
            "sync, nothing", coursetrack("--db", str(run_store), "sync"), {**os.environ}
        )
        syncs[courses] = mine
        above[courses] = statistics.median(r.rss_mb for r in mine) - idle.rss_mb
        rows.append(_row(sync.name, load.name, mine, theirs, target=None))
        rows.append(_memory_row(f"  its peak memory, {size}", "  the import's", mine, theirs))
    large, small = syncs[200], syncs[50]
    rows.append(
        _memory_row(
            "first sync's memory, 20,000 topics",
            "first sync's memory, 5,000 topics",
            large,
            small,
            target=GROWTH,
        )
    )
    print(
        f"\nthe first sync's peak memory above a sync with nothing to exchange (same store): "
        f"{above[200]:.1f}MB at 20,000 topics, {above[50]:.1f}MB at 5,000 "
        f"({above[200] / above[50] if above[50] > 0 else float('nan'):.2f}x for 4x the topics)"
    )
    return rows


def _pairs(one: Case, other: Case, *, pairs: int, warm: bool = True) -> tuple[list[Run], list[Run]]:
    """`one` and `other` run alternately, `pairs` times each (after one untimed run each)."""
    if warm:
        for case in (one, other):
            _measured(case)
    mine, theirs = [], []
    for _ in range(pairs):
        mine.append(_measured(one))
        theirs.append(_measured(other))
    return mine, theirs


def _measured(case: Case) -> Run:
    if case.prepare is not None:
        case.prepare()
    return run_once(case.name, case.argv, {**os.environ, **(case.env or {})}, expect=case.expect)


def _paired(one: Case, other: Case, *, pairs: int, target: float) -> Row:
    mine, theirs = _pairs(one, other, pairs=pairs)
    return _row(one.name, other.name, mine, theirs, target=target)


def _row(case: str, floor: str, mine: list[Run], theirs: list[Run], *, target: float | None) -> Row:
    """Wall-time medians and the median of the pairs' ratios (wall, and client CPU)."""
    pairs = list(zip(mine, theirs, strict=True))
    return Row(
        case,
        floor,
        f"{statistics.median(r.wall for r in mine) * 1000:7.0f}ms",
        f"{statistics.median(r.wall for r in theirs) * 1000:7.0f}ms",
        statistics.median(a.wall / b.wall for a, b in pairs),
        statistics.median(a.cpu / b.cpu for a, b in pairs if b.cpu),
        target,
    )


def _memory_row(
    case: str, floor: str, mine: list[Run], theirs: list[Run], *, target: float | None = None
) -> Row:
    """Peak-memory medians and the median of the pairs' ratios."""
    return Row(
        case,
        floor,
        f"{statistics.median(r.rss_mb for r in mine):6.1f}MB",
        f"{statistics.median(r.rss_mb for r in theirs):6.1f}MB",
        statistics.median(a.rss_mb / b.rss_mb for a, b in zip(mine, theirs, strict=True)),
        None,
        target,
    )


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _print(rows: list[Row]) -> None:
    if not rows:
        return
    width = max(len(r.case) for r in rows)
    floor_width = max(len(r.floor) for r in rows)
    print()
    print(
        f"{'case':<{width}}  {'value':>9}  {'compared to':<{floor_width}}  {'value':>9}  "
        "ratio    cpu  target"
    )
    for r in rows:
        if r.target is None:
            mark, target = "", "-"
        else:
            mark, target = ("ok" if r.ratio <= r.target else "MISSED"), f"<={r.target}"
        cpu = f"{r.cpu_ratio:5.2f}" if r.cpu_ratio is not None else "    -"
        print(
            f"{r.case:<{width}}  {r.value:>9}  {r.floor:<{floor_width}}  {r.base:>9}  "
            f"{r.ratio:5.2f}  {cpu}  {target:<6} {mark}"
        )


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s)")
    sys.exit(code)
