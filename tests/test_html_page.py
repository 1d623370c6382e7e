"""`coursetrack export html`: one page to share, checked by an HTML5 parser and a real browser.

The browser is Debian's headless Chromium, driven by its own command line:
`--dump-dom` prints the DOM after the page has loaded (and any script has run),
`--screenshot` draws it. Without chromium those tests skip and say so.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
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
