"""What a store full to the limits costs the reads: every text field at its limit vs ordinary.

    python bench/full_store.py [--runs N] [--profile]

The limits bound every row (validate.py: titles 500 characters, slugs 100,
providers 200, descriptions 10,000, URLs 2,048, notes 100,000), so the views
must stay within 2x their usual time whatever the store holds (issue 19). Two
stores of the shipped DLS catalog are made the way a user makes them, by
`coursetrack import` of a backup: one with ordinary values (the shipped
titles, a short note and a link on every topic), one with the same rows at
their limits (a 100,000-character Markdown note on every topic: paragraphs,
code fences, lists, links; links with 500-character titles and 2,048-character
URLs). Each command then runs on both in interleaved pairs (full, ordinary,
again and again) and its figure is the median of the pairs' ratios (see
bench/run.py for why pairs). `--profile` runs each full case once under
cProfile and prints its top functions. Exits 0 whatever the figures.

Figures (2-core machine shared with four other busy processes, python 3.11.7,
9 pairs; wall-time ratios, full / ordinary): as first measured -> after the
first fixes -> now. CPU times (user + sys, mean of 7 interleaved runs) are
steadier on a loaded machine and are given where they matter:

    export html SPEC -o x.html     1.03 -> 1.02 -> 0.99
    export markdown SPEC -o x.md   9.62 -> 7.33 -> 4.54   (CPU 0.96 s vs 0.25 s: 3.9x)
      the same, warm cache                         1.41   (CPU 0.33 s vs 0.28 s: 1.2x)
    status                         1.07 -> 1.16 -> 1.00
    status SPEC                    0.94 -> 1.02 -> 1.05
    status SPEC/1                  0.81 -> 1.06 -> 0.91
    show SPEC/1/1                  2.34 -> 1.41 -> 1.43   (CPU: 0.41 s -> 0.24 s; ordinary 0.20 s)

`show` printed its 2,400 lines one Rich print each; now in one. `export
markdown` neutralises each note (markdown_notes): its own passes went from a
Python step per character to one per `<`, `{` or `]`; the parse leaves out
every markdown-it rule whose result the neutraliser never reads (emphasis,
entities, line breaks, normalising, joining), and skips the inline parse of a
run with nothing a rule acts on (no `<` `{` `](` `]:`, or no `]` when the note
defines a reference). A 100,000-character note went from 55 ms to 37 ms, of
which markdown-it's block parse, which the post's safety needs, is 30 ms:
ordinary notes are 250 times smaller, so a cold export stays near 4x (CPU).
A note of 20,000 characters or more is then kept, neutralised, in the user's
cache directory: an export whose long notes have not changed since the last
one reads them back ("warm cache"). Every other case here runs with no cache
(XDG_CACHE_HOME under a file), so "export markdown" is the cold figure: the
first export after a note is written or changed, and every export on a machine
whose cache cannot be written. Each topic's note is its own (the same note
on every topic would be one parse and 16 reads). Notes built to need escapes
in every line (100,000 characters of `[a](b) [c]: javascript:d` and the like)
cost up to 0.9 s each, cold (1.4 s before): two parses.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import coursetrack, measure_pair  # bench/run.py, beside this file

from coursetrack.validate import (
    MAX_DESCRIPTION,
    MAX_NOTE,
    MAX_PROVIDER,
    MAX_SLUG,
    MAX_TITLE,
    MAX_URL,
)

CATALOG = Path(__file__).resolve().parent.parent / "data" / "deep-learning-specialization.yaml"
NOW = "2026-10-01T10:00:00+00:00"
TARGET = 2.0


def fill(text: str, size: int) -> str:
    """`text` repeated to exactly `size` characters."""
    return (text * (size // len(text) + 1))[:size]


def title(seed: str) -> str:
    """A title at MAX_TITLE, with what escaping must handle: &, <, >, quotes."""
    return fill(f"{seed}: Networks & <Layers>, \"Attention\" and 'Residuals' · ", MAX_TITLE)


def slug(seed: str) -> str:
    return fill(f"{seed}-", MAX_SLUG - 1) + "x"


def url(seed: str) -> str:
    """A URL at MAX_URL, with a query string (& and % to escape)."""
    base = f"https://example.com/{seed}/notebook?q=deep+learning&lang=en&x=%C3%A9"
    return fill(base + "&page=1", MAX_URL)


#: A realistic Markdown note: prose, emphasis, inline code, links, a list, a code fence.
NOTE_BLOCK = """\
## Week {n}: what stuck

Broadcasting *silently* stretches a `(n, 1)` vector against an `(1, m)` one, so a
shape bug can train for hours before the loss says anything. Andrew's advice: keep
`assert a.shape == (n, 1)` after every reshape, and read [the NumPy notes]
(https://numpy.org/doc/stable/user/basics.broadcasting.html) once more.

- initialise weights with `np.random.randn(n_h, n_x) * 0.01`, never zeros
- vectorise: a `for` loop over **m** examples is 300x slower than `np.dot`
- the cost must go *down* on every iteration; plot it & check
- see <https://www.coursera.org/learn/neural-networks-deep-learning>

```python
def sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-z); stable for z < -709? no: use np.exp(-np.logaddexp(0, -z))
    return 1 / (1 + np.exp(-z))  # <html> & "quotes" stay text
```

> The derivative of the sigmoid is s * (1 - s): cheap, once s is known.

"""


def note(size: int, where: str = "") -> str:
    """A note of `size` characters, its own for each topic `where` (as a learner's are:
    markdown_notes keeps a long note's neutralised copy by its text)."""
    blocks = [f"Notes on {where}.\n\n"] if where else []
    n = 0
    while sum(map(len, blocks)) < size:
        n += 1
        blocks.append(NOTE_BLOCK.format(n=n))
    return "".join(blocks)[:size]


def backups() -> tuple[dict, dict]:
    """The shipped catalog as two backups: ordinary values, and every field at its limit."""
    import yaml

    shipped = yaml.safe_load(CATALOG.read_text())
    day = NOW[:10]

    def topic(t: dict, done: bool, *, full: bool, where: str) -> dict:
        entry = {
            "slug": slug(where) if full else t["slug"],
            "title": title(t["title"]) if full else t["title"],
            "notes": [
                {"written_on": day, "text": note(MAX_NOTE if full else 400, where)},
            ],
            "links": [
                {
                    "url": url(where) if full else f"https://example.com/{where}",
                    "title": title("my notebook") if full else "my notebook",
                    "added_on": day,
                }
            ],
        }
        if full:
            entry["description"] = fill(f"What {t['title']} covers & why. ", MAX_DESCRIPTION)
            entry["url"] = url(where)
        if done:
            entry["progress"] = {"status": "done", "completed_on": day}
            entry["reviews"] = [
                {"reviewed_on": day, "grade": "good", "interval_days": 1, "due_on": "2026-10-02"}
            ]
        return entry

    def document(full: bool) -> dict:
        courses = []
        for c, course in enumerate(shipped["courses"]):
            entry = {
                "slug": slug(f"c{c}") if full else course["slug"],
                "title": title(course["title"]) if full else course["title"],
                "description": fill(course["description"] + " & <more> ", MAX_DESCRIPTION)
                if full
                else course["description"],
                "url": url(f"c{c}") if full else course["url"],
                "topics": [
                    topic(t, done=c == 0 or (c == 1 and n == 0), full=full, where=f"c{c}t{n}")
                    for n, t in enumerate(course["topics"])
                ],
            }
            if full:
                entry["certificate_url"] = url(f"cert{c}")
            courses.append(entry)
        spec = {
            "slug": slug("dls") if full else shipped["slug"],
            "title": title(shipped["title"]) if full else shipped["title"],
            "provider": fill("Coursera / DeepLearning.AI & co ", MAX_PROVIDER)
            if full
            else shipped["provider"],
            "url": url("dls") if full else shipped["url"],
            "description": fill(shipped["description"] + " ", MAX_DESCRIPTION)
            if full
            else shipped["description"],
            "courses": courses,
        }
        if full:
            spec["certificate_url"] = url("cert")
        return {"format": "coursetrack-backup", "version": 1, "specializations": [spec]}

    return document(False), document(True)


def make_store(root: Path, name: str, document: dict, env: dict) -> tuple[Path, str]:
    """A real store, by `coursetrack import` of the backup; returns it and its spec's slug."""
    source = root / f"{name}.json"
    source.write_text(json.dumps(document))
    db = root / f"{name}.db"
    made = subprocess.run(coursetrack("--db", str(db), "import", str(source)),
                          capture_output=True, text=True, env=env)  # fmt: skip
    if made.returncode != 0:
        raise SystemExit(f"cannot make the {name} store: {made.stderr.strip()}")
    return db, document["specializations"][0]["slug"]


#: Every case runs with no cache of neutralised notes (XDG_CACHE_HOME under a file:
#: markdown_notes cannot make one), so every export of notes is cold, except these,
#: whose cache the first (unmeasured) run fills.
WARM = {"  the same, warm cache"}

CASES = {
    "export html SPEC -o x.html": ["export", "html", "{spec}", "-o", "{out}.html", "--force"],
    "export markdown SPEC -o x.md": ["export", "markdown", "{spec}", "-o", "{out}.md", "--force"],
    "  the same, warm cache": ["export", "markdown", "{spec}", "-o", "{out}.md", "--force"],
    "status": ["status"],
    "status SPEC": ["status", "{spec}"],
    "status SPEC/1": ["status", "{spec}/1"],
    "show SPEC/1/1": ["show", "{spec}/1/1"],
}


def argv(db: Path, spec: str, args: list[str], out: Path) -> list[str]:
    return coursetrack("--db", str(db), *(a.format(spec=spec, out=out) for a in args))


def profile(db: Path, spec: str, args: list[str], out: Path, env: dict) -> None:
    """The full case once under cProfile, in a child process (the CLI as a user runs it)."""
    stats = out.with_suffix(".prof")
    command = argv(db, spec, args, out)[1:]  # the words after the console script
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "coursetrack",
                    *command], env=env, capture_output=True)  # fmt: skip
    if stats.exists():
        pstats.Stats(str(stats)).sort_stats("tottime").print_stats(12)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="interleaved pairs per case")
    parser.add_argument("--profile", action="store_true", help="cProfile each full case once")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coursetrack-full-") as tmp:
        root = Path(tmp)
        env = {
            **os.environ,
            "COURSETRACK_NOW": NOW,
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "XDG_DATA_HOME": str(root / "home"),
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
        }
        (root / "no-cache").write_text("")
        env["XDG_CACHE_HOME"] = str(root / "no-cache" / "cache")
        env.pop("COURSETRACK_DB", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ.clear()
        os.environ.update(env)
        ordinary, full = backups()
        small_db, small_spec = make_store(root, "ordinary", ordinary, env)
        full_db, full_spec = make_store(root, "full", full, env)
        print(
            f"stores: ordinary {small_db.stat().st_size / 1e6:.1f} MB, "
            f"full to the limits {full_db.stat().st_size / 1e6:.1f} MB",
            flush=True,
        )
        rows = []
        for name, args in CASES.items():
            cache = {"XDG_CACHE_HOME": str(root / "cache")} if name in WARM else {}
            case, floor, ratio = measure_pair(
                (name + " (full)", argv(full_db, full_spec, args, root / "full")),
                (name + " (ordinary)", argv(small_db, small_spec, args, root / "small")),
                runs=opts.runs,
                env=cache,
            )
            rows.append((name, case.seconds, floor.seconds, ratio))
            print(f"  {name}: {ratio:.2f}", flush=True)
            if opts.profile:
                profile(full_db, full_spec, args, root / "prof", {**env, **cache})
        width = max(len(r[0]) for r in rows)
        print()
        print(f"{'case':<{width}}  {'full':>8}  {'ordinary':>8}  ratio  target")
        for name, full_s, small_s, ratio in rows:
            mark = "ok" if ratio <= TARGET else "MISSED"
            print(
                f"{name:<{width}}  {full_s * 1000:6.0f}ms  {small_s * 1000:6.0f}ms  "
                f"{ratio:5.2f}  <={TARGET:<4} {mark}"
            )
        print(f"\nmedian of {opts.runs} interleaved pairs; python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
