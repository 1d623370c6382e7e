"""What a large import, export and log cost next to what a small one does.

    python bench/scale.py [--runs N] [--only PART[,PART...]]

Parts: import (a catalog of 20,000 topics into a new store), export (`export
yaml` of that store), log (`log -n 20` after an import of 100,000 topics).

Each case runs as a fresh process, in interleaved pairs with what it is
compared to, and its figure is the median of the pairs' ratios:

- time: CPU time (user + system, from wait4) against the no-ORM floor,
  `python -c "import typer, rich.table, sqlite3"` (import, export), or against
  the same command on a small store (log);
- memory: the case's own peak RSS against the same command on a small store
  (the shipped catalog, with some progress).

The stores are built by the command line in child processes, and this process
imports nothing of coursetrack, so a child's peak RSS is its own (a child
counts the pages it shares with its parent until it execs). Exits 0 whatever
the figures: they are for reading, not for tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
FLOOR = [PY, "-c", "import typer, rich.table, sqlite3"]
PARTS = ("import", "export", "log")


def coursetrack(*args: str) -> list[str]:
    """The installed console script, as a user runs it."""
    script = Path(PY).with_name("coursetrack")
    return [str(script), *args] if script.exists() else [PY, "-m", "coursetrack", *args]


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds and peak RSS (MiB) of `argv` as a fresh process."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **env}
    )
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        print(f"  ! {' '.join(argv[-3:])} exited {os.waitstatus_to_exitcode(status)}: {err[:200]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def paired(case, base, *, runs: int) -> tuple[float, float, float, float, float]:
    """`case` and `base` (each a function giving (argv, env) for one run) in turns.

    Returns the case's and the base's median CPU seconds and peak MiB, and the
    median of the pairs' CPU ratios.
    """
    for make in (case, base):  # warm: bytecode written, files in the page cache
        run(*make())
    figures: dict[str, list[tuple[float, float]]] = {"case": [], "base": []}
    ratios = []
    for _ in range(runs):
        pair = []
        for key, make in (("case", case), ("base", base)):
            cpu, rss = run(*make())
            figures[key].append((cpu, rss))
            pair.append(cpu)
        ratios.append(pair[0] / pair[1])

    def med(key: str, i: int) -> float:
        return statistics.median(f[i] for f in figures[key])

    return med("case", 0), med("base", 0), med("case", 1), med("base", 1), statistics.median(ratios)


def catalog_text(courses: int, topics: int, slug: str) -> str:
    lines = [f"slug: {slug}", f"title: {slug.title()}", "courses:"]
    for c in range(courses):
        lines += [f"  - title: Course {c}", f"    slug: c{c}", "    topics:"]
        lines += [f"      - Topic {c}.{t}" for t in range(topics)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="pairs per case (median)")
    parser.add_argument("--only", help=f"parts to run, comma-separated: {', '.join(PARTS)}")
    opts = parser.parse_args()
    parts = set(opts.only.split(",")) if opts.only else set(PARTS)
    if parts - set(PARTS):
        parser.error(f"no such part: {', '.join(sorted(parts - set(PARTS)))}")
    runs = opts.runs
    rows: list[tuple[str, str, float, float, str, float, float]] = []

    with tempfile.TemporaryDirectory(prefix="coursetrack-scale-") as tmp:
        root = Path(tmp)
        env = {
            "XDG_DATA_HOME": str(root / "home"),
            "NO_COLOR": "1",
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
        }
        os.environ.update(env)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        small = root / "small.db"
        for step in (["import", "deep-learning-specialization"], ["done", "dls/1", "dls/2/1"]):
            subprocess.run(coursetrack("--db", str(small), *step), check=True, capture_output=True)
        big_yaml = root / "big.yaml"
        big_yaml.write_text(catalog_text(200, 100, "big"))
        big = root / "big.db"
        subprocess.run(coursetrack("--db", str(big), "import", str(big_yaml)), check=True,
                       capture_output=True)  # fmt: skip
        counter = iter(range(10**6))

        def fresh() -> str:
            path = root / f"fresh-{next(counter)}.db"
            return str(path)

        floor = lambda: (FLOOR, {})  # noqa: E731

        if "import" in parts:
            big_import = lambda: (coursetrack("--db", fresh(), "import", str(big_yaml)), {})  # noqa: E731
            small_import = lambda: (  # noqa: E731
                coursetrack("--db", fresh(), "import", "deep-learning-specialization"),
                {},
            )
            cpu, base, rss, _, ratio = paired(big_import, floor, runs=runs)
            rows.append(("import of 20,000 topics", "the floor", cpu, base, "cpu", ratio, 10.0))
            _, _, rss, small_rss, _ = paired(big_import, small_import, runs=max(3, runs // 2))
            rows.append(("import of 20,000 topics", "import dls", rss, small_rss, "rss",
                         rss / small_rss, 1.5))  # fmt: skip
        if "export" in parts:
            big_export = lambda: (coursetrack("--db", str(big), "export", "yaml"), {})  # noqa: E731
            small_export = lambda: (coursetrack("--db", str(small), "export", "yaml"), {})  # noqa: E731
            cpu, base, _, _, ratio = paired(big_export, floor, runs=runs)
            rows.append(("export yaml of 20,000 topics", "the floor", cpu, base, "cpu", ratio,
                         10.0))  # fmt: skip
            _, _, rss, small_rss, _ = paired(big_export, small_export, runs=max(3, runs // 2))
            rows.append(("export yaml of 20,000 topics", "export yaml (small)", rss, small_rss,
                         "rss", rss / small_rss, 1.5))  # fmt: skip
        if "log" in parts:
            huge_yaml = root / "huge.yaml"
            huge_yaml.write_text(catalog_text(100, 1000, "huge"))
            huge = root / "huge.db"
            print("importing 100,000 topics ...", flush=True)
            start = time.perf_counter()
            subprocess.run(coursetrack("--db", str(huge), "import", str(huge_yaml)), check=True,
                           capture_output=True)  # fmt: skip
            print(f"  imported in {time.perf_counter() - start:.1f} s")
            huge_log = lambda: (coursetrack("--db", str(huge), "log", "-n", "20"), {})  # noqa: E731
            small_log = lambda: (coursetrack("--db", str(small), "log", "-n", "20"), {})  # noqa: E731
            cpu, base, _, _, ratio = paired(huge_log, small_log, runs=max(15, runs))
            rows.append(("log -n 20 after importing 100,000 topics", "log -n 20 (small)", cpu,
                         base, "cpu", ratio, 1.3))  # fmt: skip
        shutil.rmtree(root / "pycache", ignore_errors=True)

    width = max(len(r[0]) for r in rows)
    base_width = max(len(r[1]) for r in rows)
    print(
        f"\n{'case':<{width + 11}}  {'value':>9}  {'against':<{base_width}}  {'value':>9}  "
        "ratio  target"
    )
    for name, against, value, base, unit, ratio, target in rows:
        fmt = "{:7.0f}ms" if unit == "cpu" else "{:6.1f}MiB"
        scale = 1000 if unit == "cpu" else 1
        label = f"{name} ({'CPU' if unit == 'cpu' else 'peak RSS'})"
        mark = "ok" if ratio <= target else "MISSED"
        print(
            f"{label:<{width + 11}}  {fmt.format(value * scale):>9}  {against:<{base_width}}  "
            f"{fmt.format(base * scale):>9}  {ratio:5.2f}  <={target:<4} {mark}"
        )
    print(
        f"\nCPU: median of the pairs' ratios ({runs} pairs; {max(15, runs)} for log); "
        f"memory: medians of {max(3, runs // 2)} pairs; python {sys.version.split()[0]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
