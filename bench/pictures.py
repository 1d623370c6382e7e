"""What the pictures cost: `chart`, `export markdown --chart` and `export html` next to `status`.

    python bench/pictures.py [--runs N]

matplotlib is imported by `export markdown --chart` and `export html` only; the
`chart` command draws with Rich, which every command already loads. Each case
is timed in N interleaved pairs with `status dls` on the same store (see
bench/run.py): its CPU time, its own peak RSS, and the median of the pairs'
ratios of CPU time. It always exits 0.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import Case, coursetrack, measure_pair  # bench/run.py, beside this file

NOW = "2024-05-22T10:00:00+00:00"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="pairs per case (median)")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "COURSETRACK_DB": str(Path(tmp) / "store.db"),
            "COURSETRACK_NOW": NOW,
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
        }
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once, as installed code is
        full = {**os.environ, **env}
        steps = [
            ["import", "deep-learning-specialization"],
            ["done", "dls/1", "--on", "2024-04-06"],
            ["done", "dls/2/1", "dls/2/2", "--on", "2024-04-20"],
            ["done", "dls/3/1", "--on", "2024-05-20"],
        ]
        for step in steps:
            subprocess.run(coursetrack(*step), env=full, check=True, capture_output=True)
        post = Path(tmp) / "post" / "index.md"
        post.parent.mkdir()
        cases = [
            ("--help", coursetrack("--help")),
            ("chart dls", coursetrack("chart", "dls")),
            ("export markdown dls", coursetrack("export", "markdown", "dls")),
            (
                "export markdown dls --chart",
                coursetrack("export", "markdown", "dls", "--chart", "-o", str(post), "--force"),
            ),
            ("export html dls", coursetrack("export", "html", "dls")),
        ]
        status = Case("status dls", coursetrack("status", "dls"), env=env)
        rows = [measure_pair(Case(name, argv, env=env), status, runs=runs) for name, argv in cases]
    head = f"case (median of {runs} pairs)"
    print(f"{head:34} {'CPU ms':>7} {'x status':>9} {'RSS MB':>7}")
    for figure, _, ratio in rows:
        print(f"{figure.name:34} {figure.cpu * 1000:7.0f} {ratio:9.2f} {figure.rss_mb:7.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
