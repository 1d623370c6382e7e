"""The exported post builds with the real `hugo` binary and renders as written.

The site is the least Hugo needs to render one page: a config file and a single
page layout (`layouts/_default/single.html`, which Hugo from 0.111 on looks up
for a regular page). Debian's `hugo` package provides the binary; without it
these tests skip and say so.
"""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from export_fixtures import (
    CERTIFICATE,
    DISPLAY_MATHS,
    HOSTILE,
    INLINE_MATHS,
    NEW_YORK,
    build_site,
    check_rendered_post,
    finished_dls,
    local_zone,
    ok,
    studied_dls,
)

HUGO = shutil.which("hugo")
pytestmark = pytest.mark.skipif(
    HUGO is None, reason="the hugo binary is not installed (apt-get install -y hugo)"
)

CONFIG = """\
baseURL = "https://example.org/"
title = "coursetrack test site"
disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""
SINGLE = """\
<!DOCTYPE html>
<html><head><title>{{ .Title }}</title></head>
<body>
<h1 id="title">{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006-01-02" }}</time>
<main>
{{ .Content }}
</main>
</body></html>
"""


#: A site that lets raw HTML through: the post must be safe without goldmark's guard.
UNSAFE = "\n[markup.goldmark.renderer]\nunsafe = true\n"


def _site(root: Path, config: str = CONFIG) -> Path:
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "content" / "posts").mkdir(parents=True)
    (root / "hugo.toml").write_text(config, encoding="utf-8")
    (root / "layouts" / "_default" / "single.html").write_text(SINGLE, encoding="utf-8")
    return root / "content" / "posts"


def _build(root: Path) -> Path:
    assert HUGO is not None
    build_site([HUGO, "--source", str(root), "--destination", str(root / "public"), "--quiet"])
    return root / "public"


class _Outline(HTMLParser):
    """The text of the title, of each item of the first list, and every tag seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.title = ""
        self.items: list[str] = []
        self._in_title = False
        self._ol_depth = 0
        self._lists_seen = 0
        self._item: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "h1" and dict(attrs).get("id") == "title":
            self._in_title = True
        if tag == "ol":
            self._lists_seen += 1
            self._ol_depth += 1
        if tag == "li" and self._ol_depth == 1 and self._lists_seen == 1:
            self._item = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_title = False
        if tag == "ol":
            self._ol_depth -= 1
        if tag == "li" and self._item is not None:
            self.items.append(" ".join("".join(self._item).split()))
            self._item = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._item is not None:
            self._item.append(data)


def _outline(page: Path) -> _Outline:
    parser = _Outline()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_hugo_renders_the_post(tmp_path: Path) -> None:
    db = finished_dls(tmp_path / "store.db")
    posts = _site(tmp_path / "site")
    with local_zone(NEW_YORK):
        ok(db, "export", "markdown", "dls", "--tag", "Deep Learning", "-o", str(posts))
    assert (posts / "dls.md").is_file(), "named by the slug"
    public = _build(tmp_path / "site")
    page = public / "posts" / "dls" / "index.html"
    outline = _outline(page)
    source = page.read_text(encoding="utf-8")

    assert outline.title == "Deep Learning Specialization"
    assert '<time datetime="2024-05-01T00:00:00-04:00">2024-05-01</time>' in source
    titles = [
        "Neural Networks and Deep Learning",
        "Improving Deep Neural Networks: Hyperparameter Tuning, Regularization and Optimization",
        "Structuring Machine Learning Projects",
        "Convolutional Neural Networks",
        "Sequence Models",
    ]
    assert len(outline.items) == 5
    for item, title in zip(outline.items, titles, strict=True):
        assert item.startswith(f"{title} - ")
    links = [attrs.get("href") for tag, attrs in outline.tags if tag == "a"]
    assert CERTIFICATE in links
    assert f'certificate is available here: <a href="{html.escape(CERTIFICATE)}">' in source


def test_hostile_titles_render_as_text(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    ok(db, "add", "specialization", HOSTILE, "--slug", "hostile", "--description", "d")
    ok(db, "add", "course", "hostile", HOSTILE, "--slug", "one", "--description", "[x](y) *z*")
    ok(db, "add", "course", "hostile", "1. - {{< shortcode >}} -- {% raw %}", "--slug", "two")
    ok(db, "add", "topic", "hostile/one", "# not a heading", "--slug", "t")
    ok(db, "done", "hostile/one/t", "--note", "---\ntitle: pwned\n---\n| a | b |\n|---|---|")
    posts = _site(tmp_path / "site")
    ok(db, "export", "markdown", "hostile", "--plain-notes", "--dates", "-o", posts / "h.md")
    public = _build(tmp_path / "site")
    (page,) = (public / "posts").glob("*/index.html")
    outline = _outline(page)

    assert outline.title == HOSTILE
    assert outline.items == [
        f"{HOSTILE} - [x](y) *z*",
        "1. - {{< shortcode >}} -- {% raw %}",
    ]
    tags = {tag for tag, _ in outline.tags}
    assert "script" not in tags
    assert not tags & {"em", "strong", "table", "hr", "del", "h4", "code"}
    assert [attrs.get("href") for tag, attrs in outline.tags if tag == "a"] == []
    text = page.read_text(encoding="utf-8")
    assert "raw HTML omitted" not in text
    assert "# not a heading - done on" in html.unescape(text)
    assert "title: pwned" in text


def test_drafts_are_not_published(tmp_path: Path) -> None:
    db = finished_dls(tmp_path / "store.db")
    posts = _site(tmp_path / "site")
    ok(db, "export", "markdown", "dls", "--draft", "-o", str(posts))
    public = _build(tmp_path / "site")
    assert not (public / "posts" / "dls").exists()


def test_the_seed_authors_post_builds_and_nothing_in_a_note_runs(tmp_path: Path) -> None:
    """The shipped catalog, finished, notes with code, maths and hostile HTML and links,
    built by real Hugo on a site that passes raw HTML through (`unsafe = true`)."""
    db = studied_dls(tmp_path / "store.db")
    posts = _site(tmp_path / "site", CONFIG + UNSAFE)
    ok(db, "export", "markdown", "dls", "-o", posts)
    page = (_build(tmp_path / "site") / "posts" / "dls" / "index.html").read_text("utf-8")
    text = check_rendered_post(
        page, layout_tags={"html", "head", "title", "body", "h1", "time", "main"}
    )
    assert "<code>np.dot</code>" in page and "<em>never</em>" in page
    assert INLINE_MATHS in text, "inline maths untouched"
    assert f"$$J(w,b) = {DISPLAY_MATHS}$$" in text, "displayed maths untouched"
    assert "raw HTML omitted" not in page


def test_a_topics_note_with_an_empty_list_item_keeps_its_meaning(tmp_path: Path) -> None:
    """goldmark ends a list item, and a quote in it, at a blank line after an empty list
    item in that quote: a topic's note like that would end its topic there, and its rest
    and the topic's links would read as the next topic's. Each note stays whole, after
    its topic, and the topic's link stays under it."""
    db = finished_dls(tmp_path / "store.db")
    ok(db, "note", "dls/1/2", "* a\n*\n\n* c")
    ok(db, "link", "dls/1/2", "https://example.org/slides", "--title", "slides")
    ok(db, "note", "dls/1/3", "--", "-\n\n  foo")
    ok(db, "note", "dls/1/4", "plain")
    posts = _site(tmp_path / "site")
    ok(db, "export", "markdown", "dls", "-o", str(posts))
    page = (_build(tmp_path / "site") / "posts" / "dls" / "index.html").read_text("utf-8")
    notes = re.sub(r">\s+<", "><", page.split('id="my-notes"')[1])

    assert re.findall(r"<blockquote>(.*?)</blockquote>", notes) == [
        "<ul><li><p>a</p></li><li></li><li><p>c</p></li></ul>",
        "<ul><li></li></ul><p>foo</p>",
        "<p>plain</p>",
    ]
    basics, rest = notes.split("Neural Networks Basics", 1)[1].split("<blockquote>", 1)
    assert '<a href="https://example.org/slides">slides</a>' in basics
    assert rest.index("Shallow Neural Networks") < rest.index("<p>foo</p>")
    assert rest.index("<p>foo</p>") < rest.index("Deep Neural Networks")
