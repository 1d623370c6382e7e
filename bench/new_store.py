"""What a brand-new store costs: made at once at the newest schema, against every step replayed.

    python bench/new_store.py [--stores N] [--rounds N]

A new store is made in one transaction at the newest schema (`store.fresh`); before,
migrations 1 to 6 ran in turn, schema 6 rebuilding every table. Times, in this
process, opening N new stores for writing each way (a SQLite file, and a database of
a throwaway PostgreSQL server when the machine has one), and N reads of a store that
does not exist yet (an empty one made in memory). The rounds interleave the two ways,
so that a machine busy with something else slows both alike; each figure is the best
round's mean, and the ratio is the replay's time over the new way's. Exits 0 whatever
the figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the suite's throwaway server

import postgres  # noqa: E402
from coursetrack import store as db  # noqa: E402
from coursetrack.store import fresh  # noqa: E402


def best(rounds: int, each: Callable[[bool], float]) -> tuple[float, float]:
    """The best round's mean time (ms) made at once and replayed, rounds interleaved."""
    made, replayed = [], []
    real = fresh.VERSION
    try:
        for _ in range(rounds):
            for at_once, times in ((True, made), (False, replayed)):
                fresh.VERSION = real if at_once else -1  # not the newest: migrate replays
                times.append(each(at_once))
    finally:
        fresh.VERSION = real
    return min(made), min(replayed)


def show(what: str, figures: tuple[float, float]) -> None:
    made, replayed = figures
    ratio = replayed / made
    print(f"{what}: made at once {made:.1f} ms, replayed {replayed:.1f} ms ({ratio:.1f}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=20, help="stores per round (20)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds each way (3)")
    options = parser.parse_args()
    n = options.stores
    with tempfile.TemporaryDirectory(prefix="coursetrack-new-store-") as tmp:
        root = Path(tmp)
        db.open_store(str(root / "warm.db"), write=True).close()  # imports loaded once
        made = iter(range(1_000_000))

        def files(at_once: bool) -> float:
            start = time.perf_counter()
            for _ in range(n):
                db.open_store(str(root / f"{next(made)}.db"), write=True).close()
            return (time.perf_counter() - start) / n * 1000

        def missing(at_once: bool) -> float:
            start = time.perf_counter()
            for _ in range(n):
                db.open_store(str(root / "none.db"), write=False).close()
            return (time.perf_counter() - start) / n * 1000

        show("a new SQLite file", best(options.rounds, files))
        show("a read of a store that does not exist yet", best(options.rounds, missing))
    with postgres.for_bench("coursetrack-bench-new-store-") as started:
        if started is None:
            return 0
        server, _ = started

        def databases(at_once: bool) -> float:
            names = [server.create_database() for _ in range(n)]
            start = time.perf_counter()
            for name in names:
                db.open_store(server.url(name), write=True).close()
            spent = (time.perf_counter() - start) / n * 1000
            for name in names:
                server.drop_database(name)
            return spent

        show("a new PostgreSQL database", best(options.rounds, databases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
