"""`coursetrack export html`: one page to share, checked by an HTML5 parser and a real browser.

The browser is Debian's headless Chromium, driven by its own command line:
`--dump-dom` prints the DOM after the page has loaded (and any script has run),
`--screenshot` draws it. Without chromium those tests skip and say so.
"""

from __future__ import annotations

import html
import json
import math
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest
from PIL import Image

from chart_fixtures import TODAY, WEEKS, journey, run_ok

__all__ = ["journey"]  # the fixture, used by name

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)

#: If any of these ran, the page's <html> element would carry data-pwned.
ATTACK = "<script>document.documentElement.dataset.pwned='script'</script>"
ATTACK_IMG = "<img src=x onerror=\"document.documentElement.dataset.pwned='img'\">"
ATTACK_SVG = "<svg onload=\"document.documentElement.dataset.pwned='svg'\"></svg>"


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM is not None
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def dump_dom(tmp_path: Path, page: Path) -> str:
    return chromium(tmp_path, "--dump-dom", page.as_uri()).stdout


def screenshot(tmp_path: Path, page: Path, png: Path, width: int, *extra: str) -> Image.Image:
    chromium(tmp_path, f"--screenshot={png}", f"--window-size={width},2400", *extra, page.as_uri())
    image = Image.open(png).convert("RGB")
    assert image.size == (width, 2400)
    return image


class _Page(HTMLParser):
    """Every tag with its attributes, the text of each course item, and the style text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.courses: list[str] = []
        self.style = ""
        self._course: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "li" and attributes.get("class") == "course":
            self._course = []
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self._course is not None:
            self.courses.append(" ".join("".join(self._course).split()))
            self._course = None
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._course is not None:
            self._course.append(data + " ")
        if self._in_style:
            self.style += data


def export_page(store, tmp_path: Path, name: str = "dls.html") -> Path:
    page = tmp_path / name
    result = run_ok(store, "export", "html", "dls", "-o", str(page))
    assert result.stdout.strip() == f"wrote {page}"
    return page


def parse(page: Path) -> _Page:
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_the_page_is_valid_html5_and_fetches_nothing(journey, tmp_path: Path) -> None:
    page = export_page(journey, tmp_path)
    text = page.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(text)  # raises on any parse error
    with pytest.raises(html5lib.html5parser.ParseError):  # the check does see errors
        html5lib.HTMLParser(strict=True).parse("<!DOCTYPE html><p></div>")
    parsed = parse(page)
    tags = [tag for tag, _ in parsed.tags]
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert "iframe" not in tags and "object" not in tags and "embed" not in tags
    for tag, attrs in parsed.tags:
        for name in ("src", "srcset", "poster", "data"):
            assert name not in attrs, (tag, attrs)
        assert attrs.get("xlink:href", "#").startswith("#"), "only the SVG's own markers"
        if "href" in attrs:
            assert tag == "a" and attrs["href"].startswith("https://"), (tag, attrs)
    assert "url(" not in parsed.style and "@import" not in parsed.style
    assert "@font-face" not in parsed.style
    meta = {
        a.get("name") or a.get("http-equiv"): a.get("content")
        for t, a in parsed.tags
        if t == "meta"
    }
    assert meta["viewport"] == "width=device-width, initial-scale=1"
    assert meta["Content-Security-Policy"].startswith("default-src 'none'")
    assert "@media (prefers-color-scheme: dark)" in parsed.style
    assert tags.count("svg") == 1, "the chart is inline"
    ids = [attrs["id"] for _, attrs in parsed.tags if "id" in attrs]
    assert len(ids) == len(set(ids)), "ids are unique (the SVG's own among the page's)"


def test_courses_show_the_percentages_of_status(journey, tmp_path: Path) -> None:
    page = export_page(journey, tmp_path)
    status = run_ok(journey, "status", "dls", "--json").json()
    courses = parse(page).courses
    assert len(courses) == len(status["courses"]) == 5
    for shown, course in zip(courses, status["courses"], strict=True):
        assert shown.startswith(f"{course['position']}. {course['title']} ")
        assert f" {math.floor(course['percent'])}% " in f"{shown} "
        assert f"{course['units_done']} of {course['units_total']} " in shown
        if course["completed_on"]:
            assert f"completed {course['completed_on']}" in shown
    text = page.read_text(encoding="utf-8")
    assert f'<span class="figure">{math.floor(status["percent"])}%</span>' in text
    # the chart inside is the same series as `coursetrack chart`
    bars = re.findall(r'<g id="week-(\d{4}-\d{2}-\d{2})-done-(\d+)"', text)
    assert [(w, int(d)) for w, d in bars] == [(w, d) for w, d, _ in WEEKS]


def test_notes_are_listed_oldest_first_with_what_they_are_about(journey, tmp_path) -> None:
    run_ok(journey, "note", "dls/2/1", "Regularization\nfinally makes sense", "--on", "2024-04-20")
    run_ok(journey, "note", "dls", "Halfway there", "--on", "2024-05-21")
    run_ok(journey, "note", "dls/1", "Backprop by hand", "--on", "2024-04-06")
    text = export_page(journey, tmp_path).read_text(encoding="utf-8")
    notes = re.findall(
        r'<time datetime="([\d-]+)">[\d-]+</time> · <span class="about">([^<]*)</span><p>([^<]*)</p>',
        text,
    )
    assert notes == [
        ("2024-04-06", "Neural Networks and Deep Learning", "Backprop by hand"),
        ("2024-04-20", "Practical Aspects of Deep Learning", "Regularization\nfinally makes sense"),
        ("2024-05-21", "Deep Learning Specialization", "Halfway there"),
    ]


def _hostile(store) -> None:
    """A title, a course title and a note that would run script if pasted raw."""
    run_ok(store, "update", "dls", "--title", f"DL {ATTACK}")
    run_ok(store, "update", "dls/1", "--title", f"NN {ATTACK_IMG} \x1b[31m")
    run_ok(store, "note", "dls/1", f"{ATTACK_SVG} & </p></li></ol>", "--on", "2024-04-06")
    # A URL that is not http(s), as an older store may hold one: shown, never a link.
    store.execute_past_rules(
        "UPDATE course SET certificate_url = 'javascript:alert(1)' WHERE position = 2"
    )
    store.execute_past_rules(
        "UPDATE specialization SET url = 'JavaScript:alert(2)', "
        "provider = '<b onmouseover=alert(3)>P</b>', description = '\"><script>x</script>'"
    )


def test_hostile_text_is_escaped_in_the_file(journey, tmp_path: Path) -> None:
    _hostile(journey)
    page = export_page(journey, tmp_path)
    text = page.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(text)
    parsed = parse(page)
    tags = [tag for tag, _ in parsed.tags]
    assert "script" not in tags and "img" not in tags and tags.count("svg") == 1
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert "&lt;script&gt;document.documentElement" in text
    assert "javascript:" not in " ".join(a.get("href", "") for _, a in parsed.tags).lower()
    assert "javascript:alert(1)" in text and "JavaScript:alert(2)" in text  # shown as text
    assert "&lt;b onmouseover=alert(3)&gt;P&lt;/b&gt;" in text and "b" not in tags
    assert "&quot;&gt;&lt;script&gt;x&lt;/script&gt;" in text
    assert "\x1b" not in text and "\\x1b[31m" in text


@needs_chromium
def test_chromium_shows_the_page_and_runs_nothing_from_the_learner(journey, tmp_path) -> None:
    _hostile(journey)
    page = export_page(journey, tmp_path)
    dom = dump_dom(tmp_path, page)
    root = re.search(r"<html[^>]*>", dom)
    assert root is not None and "pwned" not in root[0], root[0]
    status = run_ok(journey, "status", "dls", "--json").json()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))
    for course in status["courses"][1:]:
        assert course["title"] in text
    assert "NN <img src=x onerror=" in dom.replace("&lt;", "<").replace("&gt;", ">")
    assert f"{math.floor(status['percent'])}%" in text
    assert "47%" in text and "100%" in text and "50%" in text


@needs_chromium
def test_the_browser_check_would_see_a_script_run(tmp_path: Path) -> None:
    """The DOM dump above would show data-pwned had anything run: a page that does run it."""
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><html><body>{ATTACK}</body></html>", encoding="utf-8")
    root = re.search(r"<html[^>]*>", dump_dom(tmp_path, page))
    assert root is not None and 'data-pwned="script"' in root[0]


@needs_chromium
@pytest.mark.slow  # four Chromium screenshots
def test_screenshots_on_a_desktop_and_a_phone_light_and_dark(journey, tmp_path) -> None:
    page = export_page(journey, tmp_path)
    desktop = screenshot(tmp_path, page, tmp_path / "page-1280.png", 1280)
    phone = screenshot(tmp_path, page, tmp_path / "page-390.png", 390)
    dark = screenshot(tmp_path, page, tmp_path / "page-390-dark.png", 390, "--force-dark-mode")
    assert desktop.getpixel((5, 5)) == (255, 255, 255)
    assert phone.getpixel((5, 5)) == (255, 255, 255)
    assert dark.getpixel((5, 5)) == (13, 17, 23), "prefers-color-scheme: dark is followed"
    for image in (desktop, phone, dark):
        colours = image.getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50, "the page drew text and the chart"
        # the green of the bars and the chart's line
        assert any(g > 140 and r < 90 and b < 100 for _, (r, g, b) in colours)
    # on the phone the summary card spans the screen less its 16 px margins: the page
    # is laid out for the phone's width, not a desktop's scaled down
    card = [x for x in range(390) if phone.getpixel((x, 330)) != (255, 255, 255)]
    assert card and 12 <= card[0] <= 20 and 370 <= card[-1] <= 378, (card[:1], card[-1:])


@needs_chromium
def test_chromium_renders_the_post_svg(journey, tmp_path: Path) -> None:
    post = tmp_path / "index.md"
    run_ok(journey, "export", "markdown", "dls", "--chart", "-o", str(post))
    image = screenshot(tmp_path, tmp_path / "dls-progress.svg", tmp_path / "chart.png", 800)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None
    assert any(c == (47, 158, 68) for _, c in colours), "the green running total is drawn"
    assert any(c == (116, 169, 207) for _, c in colours), "the weekly bars are drawn"
    assert any(c == (194, 37, 92) for _, c in colours), "the goal line is drawn"


def test_export_html_writes_stdout_and_refuses_to_overwrite(journey, tmp_path) -> None:
    out = run_ok(journey, "export", "html", "dls").stdout
    assert out.startswith("<!DOCTYPE html>") and out.endswith("</html>\n")
    page = tmp_path / "p.html"
    page.write_text("mine", encoding="utf-8")
    result = journey.run("export", "html", "dls", "-o", str(page))
    assert result.exit_code == 1 and "already exists; add --force" in result.stderr
    assert page.read_text(encoding="utf-8") == "mine"
    bad = journey.run("export", "html", "dls/1")
    assert bad.exit_code == 1 and "e.g. coursetrack export html dls" in bad.stderr
    assert bad.stdout == ""


def test_a_page_with_no_activity_yet(dls, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", TODAY)
    text = export_page(dls, tmp_path).read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(text)
    assert "No activity yet" in text and '<span class="figure">0%</span>' in text
    assert "Notes (" not in text


# --- the page is as good as the post (issue 22) --------------------------------------

NOTE_MARKDOWN = (
    "Adam and batch norm finally *clicked*: see `np.dot` and **this**.\n"
    "\n"
    "```python\n"
    "w = w - lr * dw\n"
    "```\n"
    "\n"
    "- [my notebook](https://github.com/me/dl/blob/main/w2.ipynb)\n"
    "- <https://example.org/autolink>"
)


def _learner_text(store) -> None:
    """A note in Markdown, and links on the specialization, a course and a topic."""
    run_ok(store, "note", "dls/1", NOTE_MARKDOWN, "--on", "2024-04-06")
    run_ok(store, "link", "dls", "https://github.com/me/dl-notes", "--title", "all my notes")
    run_ok(store, "link", "dls/1", "https://youtu.be/backprop", "--title", "Backprop explained")
    run_ok(store, "link", "dls/2/1", "https://example.org/reg.ipynb", "--title", "reg notebook")
    run_ok(store, "link", "dls/3", "https://www.kaggle.com/code/me/ml-strategy")
    run_ok(
        store, "note", "dls/2", "Quiz retaken on 2024-04-21; goal 2027-01-31.", "--on", "2024-04-21"
    )


def _anchors(parsed: _Page) -> dict[str, str]:
    return {attrs["href"]: attrs.get("rel", "") for tag, attrs in parsed.tags if tag == "a"}


def test_notes_are_rendered_as_markdown(journey, tmp_path: Path) -> None:
    _learner_text(journey)
    page = export_page(journey, tmp_path)
    text = page.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(text)
    assert "<em>clicked</em>" in text and "<strong>this</strong>" in text
    assert "<code>np.dot</code>" in text
    assert '<pre><code class="language-python">w = w - lr * dw\n</code></pre>' in text
    assert "```" not in text and "*clicked*" not in text and "](https" not in text
    anchors = _anchors(parse(page))
    for url in ("https://github.com/me/dl/blob/main/w2.ipynb", "https://example.org/autolink"):
        assert url in anchors and anchors[url] == "noopener noreferrer nofollow", anchors


def test_the_learners_links_and_each_course_url_are_shown(journey, tmp_path: Path) -> None:
    _learner_text(journey)
    page = export_page(journey, tmp_path)
    parsed = parse(page)
    anchors = _anchors(parsed)
    for position in range(1, 6):
        url = run_ok(journey, "show", f"dls/{position}", "--json").json()["url"]
        assert url.startswith("https://www.coursera.org/learn/") and url in anchors, url
    for url in (
        "https://github.com/me/dl-notes",
        "https://youtu.be/backprop",
        "https://example.org/reg.ipynb",
    ):
        assert url in anchors, (url, anchors)
    text = page.read_text(encoding="utf-8")
    assert ">all my notes</a>" in text and ">Backprop explained</a>" in text
    # a course's own links and its topics' are in that course's card
    first, second = parsed.courses[0], parsed.courses[1]
    assert "Backprop explained" in first and "reg notebook" not in first
    assert "reg notebook" in second and "Practical Aspects of Deep Learning" in second
    assert '">www.kaggle.com</a>' in text, "a link without a title is shown by its host"


HOSTILE_NOTE = (
    "<script>document.documentElement.dataset.pwned='note'</script>\n"
    "\n"
    "[click](javascript:document.documentElement.dataset.pwned='link') "
    "[entity](&#106;avascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)\n"
    "\n"
    "![pixel](https://tracker.example/p.png) ![inline](data:image/png;base64,iVBORw0KGgo=)\n"
    "\n"
    '<a href="javascript:alert(1)">raw a</a> <img src=x onerror="alert(1)">\n'
    "&lt;script&gt;alert('entity')&lt;/script&gt; &#60;b&#62;\n"
    "\n"
    "[ref]\n"
    "\n"
    "[ref]: javascript:alert(2)\n"
    "\n"
    "[safe](https://example.org/safe) <https://example.org/auto>"
)


def test_hostile_notes_render_nothing_that_acts_or_fetches(journey, tmp_path) -> None:
    run_ok(journey, "note", "dls", HOSTILE_NOTE, "--on", "2024-04-06")
    page = export_page(journey, tmp_path)
    text = page.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(text)
    parsed = parse(page)
    tags = [tag for tag, _ in parsed.tags]
    for tag in ("script", "img", "iframe", "object", "embed", "link", "base", "form"):
        assert tag not in tags, tag
    for tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("src", "srcset", "poster", "data", "action", "formaction"):
            assert name not in attrs, (tag, attrs)
        for value in attrs.values():
            assert "javascript:" not in (value or "").lower(), (tag, attrs)
            assert not (value or "").lower().startswith("data:"), (tag, attrs)
        if "href" in attrs and tag == "a":
            assert attrs["href"].startswith("https://"), attrs
    anchors = _anchors(parsed)
    # the safe links are links; the refused ones are text
    assert "https://example.org/safe" in anchors and "https://example.org/auto" in anchors
    assert "https://tracker.example/p.png" not in anchors or "img" not in tags
    assert "&lt;script&gt;alert(&#x27;entity&#x27;)&lt;/script&gt;" in text or (
        "&lt;script&gt;alert('entity')&lt;/script&gt;" in text
    )


@needs_chromium
@pytest.mark.sqlite_only  # what the browser does with the page; the page's data: both engines
def test_chromium_runs_nothing_from_a_hostile_note(journey, tmp_path: Path) -> None:
    run_ok(journey, "note", "dls", HOSTILE_NOTE, "--on", "2024-04-06")
    page = export_page(journey, tmp_path)
    dom = dump_dom(tmp_path, page)
    root = re.search(r"<html[^>]*>", dom)
    assert root is not None and "pwned" not in root[0], root[0]
    assert "<script>" not in dom.split("</head>", 1)[1]
    assert "&lt;script&gt;alert('entity')&lt;/script&gt;" in dom
    assert 'href="https://example.org/safe"' in dom


@contextmanager
def proxy() -> Iterator[tuple[int, list[bytes]]]:
    """A proxy on the loopback for every request of the browser (--proxy-server): it
    answers none and keeps the first line of each (a GET, or the CONNECT of https)."""
    seen: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                with suppress(OSError):
                    seen.append(connection.recv(4096).split(b"\r\n", 1)[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def fetches(tmp_path: Path, page: Path) -> list[bytes]:
    """What the browser asked the network for while it showed `page`."""
    with proxy() as (port, seen):
        chromium(
            tmp_path,
            f"--proxy-server=http://127.0.0.1:{port}",
            "--virtual-time-budget=3000",
            "--dump-dom",
            page.as_uri(),
        )
    return seen


@needs_chromium
@pytest.mark.sqlite_only  # what the browser does with the page; the page's data: both engines
def test_chromium_fetches_nothing_for_a_hostile_note(journey, tmp_path: Path) -> None:
    run_ok(journey, "note", "dls", HOSTILE_NOTE, "--on", "2024-04-06")
    page = export_page(journey, tmp_path)
    # every host the page or the note names (Chromium's own update and time checks go on)
    named = set(re.findall(r"//([\w.-]+)", page.read_text(encoding="utf-8") + HOSTILE_NOTE))
    assert {"tracker.example", "example.org", "www.coursera.org"} <= named
    seen = fetches(tmp_path, page)
    assert [line for line in seen if any(host.encode() in line for host in named)] == []


@needs_chromium
def test_the_proxy_would_see_a_fetch(tmp_path: Path) -> None:
    """The check above would see a page that loads an image from the web."""
    page = tmp_path / "control.html"
    page.write_text(
        '<!DOCTYPE html><html><body><img src="http://tracker.example/p.png"></body></html>',
        encoding="utf-8",
    )
    assert any(b"tracker.example" in line for line in fetches(tmp_path, page))


#: A host page that shows the page in frames of the given widths (headless windows are
#: at least 500 px wide) and writes what each frame's layout measures into <pre id=metrics>.
HOST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>body { margin: 0 } iframe { border: 0;
display: block; height: 2400px }</style></head>
<body><div id="frames"></div><pre id="metrics"></pre>
<script>
const SRC = "__SRC__", WIDTHS = __WIDTHS__, seen = {};
function measure(frame) {
  const d = frame.contentDocument, root = d.documentElement;
  const box = (e) => {
    if (!e) return null;
    const b = e.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom];
  };
  frame.style.height = root.scrollHeight + "px";
  const out = {
    width: root.clientWidth,
    scrollWidth: Math.max(root.scrollWidth, d.body.scrollWidth),
    dark: frame.contentWindow.matchMedia("(prefers-color-scheme: dark)").matches,
    svg: box(d.querySelector("svg")),
    title: box(d.getElementById("chart-title")),
    goal: box(d.getElementById("goal-line")),
    dates: [], broken: [], outside: [],
  };
  const walker = d.createTreeWalker(d.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest("svg")) continue;
    for (const m of n.data.matchAll(/\\d{4}-\\d{2}-\\d{2}/g)) {
      const range = d.createRange();
      range.setStart(n, m.index);
      range.setEnd(n, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
      out.dates.push(m[0]);
      if (tops.size > 1) out.broken.push(m[0]);
    }
  }
  for (const e of d.body.querySelectorAll("*")) {
    if (e.closest("svg") && e.tagName.toLowerCase() !== "svg") continue;
    const b = e.getBoundingClientRect();
    if (b.right > root.clientWidth + 0.5 || b.left < -0.5) {
      out.outside.push(e.tagName + "." + (e.getAttribute("class") || ""));
    }
  }
  return out;
}
for (const width of WIDTHS) {
  const frame = document.createElement("iframe");
  frame.style.width = width + "px";
  frame.addEventListener("load", () => {
    seen[width] = measure(frame);
    if (Object.keys(seen).length === WIDTHS.length) {
      document.getElementById("metrics").textContent = JSON.stringify(seen);
    }
  });
  frame.src = SRC;
  document.getElementById("frames").append(frame);
}
</script></body></html>
"""


def in_frames(tmp_path: Path, page: Path, widths: list[int], *extra: str) -> dict[int, dict]:
    """The page's layout in frames `widths` px wide, measured by the host page's script."""
    host = page.parent / "host.html"
    text = HOST.replace("__SRC__", page.name).replace("__WIDTHS__", json.dumps(widths))
    host.write_text(text, encoding="utf-8")
    dom = chromium(
        tmp_path,
        "--allow-file-access-from-files",
        "--virtual-time-budget=20000",
        "--window-size=1280,2400",
        *extra,
        "--dump-dom",
        host.as_uri(),
    ).stdout
    found = re.search(r'<pre id="metrics">(.*?)</pre>', dom, re.DOTALL)
    assert found is not None and found[1], dom[-2000:]
    return {int(width): seen for width, seen in json.loads(html.unescape(found[1])).items()}


def in_frame(tmp_path: Path, page: Path, width: int, *extra: str) -> dict:
    return in_frames(tmp_path, page, [width], *extra)[width]


@needs_chromium
def test_the_host_page_sees_a_sideways_scroll(tmp_path: Path) -> None:
    """The measure below would see a page wider than its frame, a date cut in two."""
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><div style="width:600px">x</div>'
        '<p style="width:60px;font:16px monospace">goal 2027-01-31</p></body></html>',
        encoding="utf-8",
    )
    seen = in_frame(tmp_path, page, 390)
    assert seen["width"] == 390 and seen["scrollWidth"] == 600
    assert seen["broken"] == ["2027-01-31"] and "DIV." in seen["outside"]


#: A note wider than a phone: a long code line, URL, code span and table.
WIDE_NOTE = (
    "```python\n"
    "result = some_function_with_a_long_name(argument_one, argument_two, argument_three)\n"
    "```\n"
    "\n"
    "See https://example.org/a/very/long/path/that/does/not/break/anywhere/at/all and "
    "`inline_code_that_is_quite_long_without_any_spaces_at_all`\n"
    "\n"
    "| col a | col b | col c | col d | col e |\n"
    "|---|---|---|---|---|\n"
    "| aaaaaaaaaaaa | bbbbbbbbbbbbbbb | cccccccccccccc | ddddddddddddd | eeeeeeeeeeee |"
)


@needs_chromium
@pytest.mark.sqlite_only  # the browser's layout of the page; the page's data: both engines
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_fits_the_screen(journey, tmp_path: Path, width: int, scheme: str) -> None:
    _learner_text(journey)
    run_ok(journey, "goal", "dls", "--by", "2027-01-31")
    long = "Deep Learning Specialization: Networks, Tuning, Strategy, CNNs and Sequence Models"
    run_ok(journey, "update", "dls", "--title", long)
    run_ok(journey, "note", "dls/3", WIDE_NOTE, "--on", "2024-05-20")
    page = export_page(journey, tmp_path)
    dark = ("--force-dark-mode",) if scheme == "dark" else ()
    seen = in_frame(tmp_path, page, width, *dark)
    assert seen["dark"] is (scheme == "dark")
    assert seen["width"] == width
    assert seen["scrollWidth"] <= width, "no sideways scroll"
    assert seen["outside"] == []
    left, _, right, _ = seen["svg"]
    assert left >= 0 and right <= width, "the chart shrinks to the screen"
    title, goal = seen["title"], seen["goal"]
    assert title is not None and left <= title[0] and title[2] <= right, "its title whole"
    assert goal is not None and goal[2] <= right - 2, "the goal's end is in the picture"
    assert "2027-01-31" in seen["dates"] and len(seen["dates"]) >= 8
    assert seen["broken"] == [], "no date is broken across lines"


@needs_chromium
@pytest.mark.sqlite_only  # the browser's drawing of the page; the page's data: both engines
def test_in_dark_mode_the_chart_is_no_bright_block(journey, tmp_path: Path) -> None:
    page = export_page(journey, tmp_path)
    image = screenshot(tmp_path, page, tmp_path / "dark.png", 1280, "--force-dark-mode")
    assert image.getpixel((5, 5)) == (13, 17, 23)
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None
    bright = sum(n for n, rgb in colours if min(rgb) >= 235)
    assert bright < 0.002 * 1280 * 2400, f"{bright} bright pixels"
    # the chart is still drawn: its green line and bars
    assert any(g > 140 and r < 90 and b < 100 for _, (r, g, b) in colours)


@needs_chromium
@pytest.mark.slow  # 34 frames of the page: about 15 s
@pytest.mark.sqlite_only  # the browser's layout of the page; the page's data: both engines
def test_no_date_is_broken_across_lines_at_any_width(journey, tmp_path: Path) -> None:
    """'goal 2027-01-31' broke after '2027-01-' where the line happened to end."""
    _learner_text(journey)
    run_ok(journey, "goal", "dls", "--by", "2027-01-31")
    page = export_page(journey, tmp_path)
    widths = list(range(300, 701, 12))
    seen = in_frames(tmp_path, page, widths)
    assert sorted(seen) == widths
    assert all("2027-01-31" in s["dates"] and len(s["dates"]) >= 8 for s in seen.values())
    broken = {width: s["broken"] for width, s in seen.items() if s["broken"]}
    assert broken == {}


def test_the_readme_shows_the_screenshots_the_script_draws() -> None:
    """docs/screenshots.py draws each page picture the README shows, and each is there."""
    root = Path(__file__).resolve().parent.parent
    shown = re.findall(r"\]\((docs/page-[\w-]+\.png)\)", (root / "README.md").read_text("utf-8"))
    assert shown == [
        "docs/page-1280.png",
        "docs/page-1280-dark.png",
        "docs/page-390.png",
        "docs/page-390-dark.png",
    ]
    script = (root / "docs" / "screenshots.py").read_text("utf-8")
    assert "f\"page-{width}{'-dark' if dark else ''}.png\"" in script
    for name in shown:
        image = Image.open(root / name)
        assert image.width == int(name.split("-")[1].split(".")[0]), name


#: The tags a note may become: Markdown's own, and nothing that loads or runs.
NOTE_TAGS = {
    "p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "br", "hr", "s",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip


@pytest.mark.parametrize(
    "note",
    [
        "# Head {style=x}\n\n> quote\n> - a\n>   - b\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "line  \nbreak ~~gone~~ 2024-01-02",
        '[ref]\n\n[ref]: https://example.org "t"\n\n![alt *x*](https://e.org/i.png "title")',
        "    code 2024-01-01\n\n```\n<script>\n```\n\n{{< shortcode >}} {% liquid %}",
        "&copy; &lt;b&gt; &#x3C;i&#x3E; <!-- c --> <?php ?> <![CDATA[x]]> \x1b[31m red",
        "[x](<javascript:alert(1)>) [y](JAVASCRIPT:alert(1)) [z](//evil.example/) [w](/rel)",
        "<mailto:a@b.c> [m](mailto:a@b.c) <javascript:alert(1)> <data:text/html,x>",
    ],
)
def test_a_note_becomes_markdowns_html_and_nothing_more(note: str) -> None:
    from coursetrack.html_page import note_html

    shown = note_html(note)
    html5lib.HTMLParser(strict=True).parse(f"<!DOCTYPE html><title>t</title><div>{shown}</div>")
    parser = _Page()
    parser.feed(shown)
    assert {tag for tag, _ in parser.tags} <= NOTE_TAGS, shown
    for tag, attrs in parser.tags:
        assert set(attrs) <= {"href", "rel", "title", "class"}, (tag, attrs)
        if tag == "a":
            assert attrs["href"].startswith("https://") and "nofollow" in attrs["rel"]
        else:
            assert "href" not in attrs
    assert "<!--" not in shown and "<?" not in shown


def test_the_charts_colours_follow_the_page(journey, tmp_path: Path) -> None:
    """The page's chart has no background and draws its ink in the page's CSS colours;
    a title that spells the stand-in colours is left as written."""
    from coursetrack.chart_svg import INK

    run_ok(journey, "update", "dls", "--title", f"DLS {INK} fill: {INK}")
    text = export_page(journey, tmp_path).read_text(encoding="utf-8")
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert "#ffffff" not in svg.lower() and "fill: var(--fg)" in svg
    assert "stroke: var(--fg)" in svg and "stroke: var(--line)" in svg
    assert re.search(r'<svg [^>]*viewBox="[^"]+"', svg) and " width=" not in svg.split(">")[0]
    assert svg.count(f"DLS {INK} fill: {INK}") == 1 and f"<h1>DLS {INK} fill: {INK}</h1>" in text
