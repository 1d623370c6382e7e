"""Helpers shared by the blog export tests: a finished specialization and a post splitter."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import yaml
from typer.testing import CliRunner

from coursetrack.catalog import find_source, load_catalog
from coursetrack.cli import app
from coursetrack.services.export import CourseEntry, PostData, TopicLine
from coursetrack.services.figures import Progress

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
    "[kramdown][evil\\]\n\n[evil\\]: javascript:alert(15)",
    "[spaced] (javascript:alert(16))",
    '### Heading attributes {style="position:fixed" .alert17}',
    "[<img src=x onerror=alert(18)>](https://example.org/a)",
    "`a``<img src=x onerror=alert(19)>` ``<script>alert(20)</script>`",
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


class Tags(HTMLParser):
    """Every start tag with its attributes, and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_rendered_post(page: str, *, layout_tags: set[str]) -> str:
    """What the seed's author checks in the built page: the links are there, nothing
    from a note is live, and the notes' words are all shown. Returns the page's text."""
    parser = Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    allowed = {"p", "a", "ol", "ul", "li", "h2", "h3", "blockquote", "code", "em", "br"}
    assert tags <= allowed | layout_tags, tags - allowed - layout_tags
    for _, attrs in parser.tags:
        assert not [name for name in attrs if name.startswith("on") or name == "style"], attrs
        for name in ("href", "src"):
            url = attrs.get(name)
            assert url is None or url.startswith(("https://", "http://", "mailto:")), url
    hrefs = [attrs.get("href") for tag, attrs in parser.tags if tag == "a"]
    catalog = shipped_dls()
    assert catalog.url in hrefs and CERTIFICATE in hrefs
    assert all(course.url in hrefs for course in catalog.courses)
    assert "https://github.com/me/nb" in hrefs
    text = "".join(parser.text)
    for n in [*range(1, 13), 14, 15, 16, 18, 19, 20]:
        assert f"alert({n})" in text, f"note {n} is shown as text"
    assert ".alert17}" in text, "heading attributes shown as text"
    assert "<script>alert(7)</script>" in text, "code stays literal"
    assert "by Coursera / DeepLearning.AI, Sep 14 \u2013 Nov 13, 2026 (9 weeks)." in text
    return text


def build_site(argv: list[str]) -> None:
    """Run a site generator; it must succeed and report no error."""
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stderr.lower(), result.stderr


def one_note_post(note: str, *, on_topic: bool = False) -> PostData:
    """A post's data holding one note, dated 2026-01-02, on a course or on its one topic."""
    day = dt.date(2026, 1, 2)
    topic = TopicLine("A topic", "done", day, notes=[(day, note)])
    done = Progress("done", 1, 1, 100.0, day, day)
    course = CourseEntry(
        1, "c", "A course", None, None, None, done,
        notes=[] if on_topic else [(day, note)],
        topics=[topic] if on_topic else [],
    )  # fmt: skip
    return PostData("s", "S", None, None, None, None, done, 1, courses=[course])
