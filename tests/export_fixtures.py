"""Helpers shared by the blog export tests: a finished specialization and a post splitter."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from typer.testing import CliRunner

from coursetrack.catalog import find_source, load_catalog
from coursetrack.cli import app

CERTIFICATE = "https://www.coursera.org/account/accomplishments/specialization/ABC123XYZ"
HOSTILE = "| * # [x](y) --- <script>alert(1)</script>"
#: A zone with daylight saving time that needs no tz database.
NEW_YORK = "EST5EDT,M3.2.0,M11.1.0"

runner = CliRunner()


def cli(db: Path, *args: str | Path):
    return runner.invoke(app, ["--db", str(db), *map(str, args)])


def ok(db: Path, *args: str | Path):
    result = cli(db, *args)
    assert result.exit_code == 0, (args, result.output)
    return result


def shipped_dls():
    path, label = find_source("deep-learning-specialization")
    return load_catalog(path, label=label)


def finished_dls(db: Path, *, on: str = "2024-05-01") -> Path:
    """The shipped catalog with every course done and the certificate recorded."""
    ok(db, "import", "deep-learning-specialization")
    ok(db, "done", "dls", "--on", on)
    ok(db, "update", "dls", "--certificate-url", CERTIFICATE)
    return db


def split_post(text: str) -> tuple[dict, str]:
    """Front matter (as yaml.safe_load reads it) and body, by Hugo's and Jekyll's rule:
    the file starts with a `---` line and the next `---` line ends the block."""
    assert text.startswith("---\n"), text[:40]
    head, sep, body = text[4:].partition("\n---\n")
    assert sep, "front matter is not closed"
    data = yaml.safe_load(head)
    assert isinstance(data, dict)
    return data, body


@contextmanager
def local_zone(zone: str) -> Iterator[None]:
    """Run with the process's local time zone set to `zone`, then put it back."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


#: What a learner writes in a note: inline code, emphasis, maths inline and displayed.
CODE_AND_MATHS = (
    "Vectorise with `np.dot` and *never* loop: the cost is $\\frac{1}{2m}$ times the sum.\n"
    "\n"
    "$$J(w,b) = \\frac{1}{2m}\\sum_{i=1}^{m}(f(x^{(i)}) - y^{(i)})^2$$"
)
INLINE_MATHS = "$\\frac{1}{2m}$"
DISPLAY_MATHS = "\\frac{1}{2m}\\sum_{i=1}^{m}(f(x^{(i)}) - y^{(i)})^2"

#: Notes that try to run something in the reader's browser or in the site generator.
HOSTILE_NOTES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[click](javascript:alert(3))",
    "<javascript:alert(4)>",
    "[ref link][evil]\n\n[evil]: javascript:alert(5)",
    "&lt;script&gt;alert(6)&lt;/script&gt;",
    "code `<script>alert(7)</script>` stays code",
    "[entity](java&#115;cript:alert(8))",
    '*a*{: onmouseover="alert(9)"}',
    "{::nomarkdown}<script>alert(10)</script>{:/}",
    '<!-- c --> <div onclick="alert(11)">x</div>',
    "![img](javascript:alert(12))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMyk8L3NjcmlwdD4=)",
    "<https://example.org/ok> [fine](https://example.org/fine) bell\x07",
    "[x](javascript:alert(14) junk)",
    "{{< youtube x >}} {% include nope.html %}",
]


def studied_dls(db: Path) -> Path:
    """The shipped catalog studied Sep 14 - Nov 13, 2026, with code, maths and hostile notes."""
    ok(db, "import", "deep-learning-specialization")
    ok(db, "start", "dls/1/1", "--on", "2026-09-14")
    ok(db, "done", "dls", "--on", "2026-11-13")
    ok(db, "update", "dls", "--certificate-url", CERTIFICATE)
    ok(db, "note", "dls/1/2", CODE_AND_MATHS, "--on", "2026-09-20")
    for note in HOSTILE_NOTES:
        ok(db, "note", "dls/3/1", note, "--on", "2026-10-01")
    ok(db, "link", "dls/2", "https://github.com/me/nb", "--title", "my notebook")
    return db
