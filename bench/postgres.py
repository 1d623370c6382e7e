"""coursetrack on PostgreSQL, as ratios measured in one run.

    python bench/postgres.py [--runs N] [--quick] [--everyday]

Starts a throwaway server of its own (the test suite's `tests/postgres.py`:
Debian's binaries, a temporary folder, a unix socket, no TCP port, fsync off)
and times each case as a whole process, in N interleaved pairs with its floor,
like `bench/run.py`: the client's CPU time (the server's is another process's),
and the median of the pairs' ratios:

- `status dls` on PostgreSQL over the unix socket against the same command on
  SQLite through SQLAlchemy (a `sqlite:///` URL, which does not take the
  sqlite3-only fast path): what the engine costs, not the fast path (<= 1.5x);
- `status` with 20,000 topics against the shipped 17, on PostgreSQL (<= 1.5x);
- every everyday command of issue 20 (`bench/run.py`'s reads and writes, on
  the same store: dls/1 and dls/2/1 done, a note) on PostgreSQL against the
  same command on a SQLite file, as a learner runs it (sqlite3 alone): what a
  command on PostgreSQL costs the client (<= 1.5x). Each write starts from a
  fresh copy of its store on both engines (a database made from a template,
  a file copied), untimed. `--everyday` runs only these.

It exits 0 whatever the figures say, and says why when it cannot run (no
server binaries, no PostgreSQL driver).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the suite's throwaway server

from run import (  # noqa: E402
    EVERYDAY_READS,
    EVERYDAY_WRITES,
    Case,
    Figure,
    big_catalog,
    coursetrack,
    fresh_copy,
    measure_pair,
)

import postgres  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="pairs per case (median)")
    parser.add_argument("--quick", action="store_true", help="3 pairs per case")
    parser.add_argument(
        "--everyday",
        action="store_true",
        help="only the everyday commands against SQLite's",
    )
    opts = parser.parse_args()
    runs = 3 if opts.quick else opts.runs
    with postgres.for_bench("coursetrack-bench-pg-") as started:
        if started is None:
            return 0
        server, tmp = started
        return _run(server, tmp, runs, everyday_only=opts.everyday)


def _run(server: postgres.Server, root: Path, runs: int, *, everyday_only: bool = False) -> int:
    os.environ.update(
        {
            "XDG_DATA_HOME": str(root / "home"),
            "NO_COLOR": "1",
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
        }
    )
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.pop("COURSETRACK_DB", None)

    def setup(db: str, *commands: list[str]) -> str:
        for args in commands:
            subprocess.run(coursetrack("--db", db, *args), check=True, capture_output=True)
        return db

    shipped = (
        ["import", "deep-learning-specialization"],
        ["done", "dls/1", "dls/2/1"],
        ["note", "dls/2/1", "what batch norm does"],
    )
    sqlite = setup(f"sqlite:///{root / 'dls.db'}", *shipped)
    sqlite_file = setup(str(root / "file.db"), *shipped)
    base = server.create_database()
    pg = setup(server.url(base), *shipped)

    rows: list[tuple[Figure, Figure, float, float]] = []
    for args in EVERYDAY_READS:
        words = " ".join(args)
        on_pg, on_sqlite, ratio = measure_pair(
            Case(f"{words}, PostgreSQL", coursetrack("--db", pg, *args)),
            Case("the same, SQLite file", coursetrack("--db", sqlite_file, *args)),
            runs=runs,
        )
        rows.append((on_pg, on_sqlite, ratio, 1.5))
    pg_run, file_run = server.create_database(base), root / "run.db"

    def fresh_database() -> None:
        server.remake_database(pg_run, base)

    for args in EVERYDAY_WRITES:
        words = " ".join(args)
        on_pg, on_sqlite, ratio = measure_pair(
            Case(f"{words}, PostgreSQL", coursetrack("--db", server.url(pg_run), *args),
                 prepare=fresh_database),
            Case("the same, SQLite file", coursetrack("--db", str(file_run), *args),
                 prepare=fresh_copy(root / "file.db", file_run)),
            runs=runs,
        )  # fmt: skip
        rows.append((on_pg, on_sqlite, ratio, 1.5))
    if not everyday_only:
        _engine_rows(server, root, rows, runs, pg=pg, sqlite=sqlite, setup=setup)
    _print(rows, runs)
    return 0


def _engine_rows(server, root, rows, runs, *, pg, sqlite, setup) -> None:
    """PostgreSQL against SQLite through SQLAlchemy, and 20,000 topics against 17."""
    catalog = root / "big.yaml"
    big_catalog(catalog)
    print("importing the 20,000-topic catalog into PostgreSQL ...", flush=True)
    pg_big = setup(server.url(server.create_database()), ["import", str(catalog)])
    on_pg, on_sqlite, ratio = measure_pair(
        Case("status dls, PostgreSQL (unix socket)", coursetrack("--db", pg, "status", "dls")),
        Case("status dls, SQLite through SQLAlchemy", coursetrack("--db", sqlite, "status", "dls")),
        runs=runs,
    )
    rows.append((on_pg, on_sqlite, ratio, 1.5))
    large, small, ratio = measure_pair(
        Case("status, PostgreSQL, 20,000 topics", coursetrack("--db", pg_big, "status")),
        Case("status, PostgreSQL, 17 topics", coursetrack("--db", pg, "status")),
        runs=max(3, runs // 3),
    )
    rows.append((large, small, ratio, 1.5))


def _print(rows: list[tuple[Figure, Figure, float, float]], runs: int) -> None:
    width = max(len(case.name) for case, *_ in rows)
    floor_width = max(len(floor.name) for _, floor, *_ in rows)
    print()
    print(f"{'case':<{width}}  {'value':>9}  {'floor':<{floor_width}}  {'floor':>9}  ratio  target")
    for case, floor, ratio, target in rows:
        value, base = case.cpu * 1000, floor.cpu * 1000
        mark = "ok" if ratio <= target else "MISSED"
        print(
            f"{case.name:<{width}}  {value:7.0f}ms  {floor.name:<{floor_width}}  "
            f"{base:7.0f}ms  {ratio:5.2f}  <={target:<4} {mark}"
        )
    print(
        f"\nclient CPU time (user + system); medians of {runs} interleaved pairs; ratio: the "
        f"median of the pairs' ratios; python {sys.version.split()[0]}"
    )


if __name__ == "__main__":
    sys.exit(main())
