"""The exported post builds with the real `jekyll` (kramdown, Liquid) and renders as written.

The site is the least Jekyll needs, written by hand so nothing comes from the
network: a `_config.yml` (Jekyll's default Markdown is kramdown with GFM input)
and the `post` layout the front matter names; no theme gem. Debian's `jekyll`
package provides the binary; without it these tests skip and say so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from export_fixtures import (
    DISPLAY_MATHS,
    HOSTILE,
    INLINE_MATHS,
    Tags,
    build_site,
    check_rendered_post,
    ok,
    studied_dls,
)

JEKYLL = shutil.which("jekyll")
pytestmark = pytest.mark.skipif(
    JEKYLL is None, reason="the jekyll binary is not installed (apt-get install -y jekyll)"
)

LAYOUT = """\
<!DOCTYPE html>
<html><head><title>{{ page.title | escape }}</title></head>
<body><main>
{{ content }}
</main></body></html>
"""


def _build(site: Path) -> Path:
    assert JEKYLL is not None
    build_site(
        [JEKYLL, "build", "--quiet", "--source", str(site), "--destination", str(site / "_site")]
    )
    return site / "_site"


def _site(root: Path) -> Path:
    (root / "_layouts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: coursetrack test site\n", encoding="utf-8")
    (root / "_layouts" / "post.html").write_text(LAYOUT, encoding="utf-8")
    return root


def test_the_seed_authors_post_builds_in_jekyll_and_nothing_in_a_note_runs(
    tmp_path: Path,
) -> None:
    """kramdown passes raw HTML through and reads `{: attr}` lists and `{::nomarkdown}`;
    Liquid runs `{{ }}` and `{% %}` before Markdown: none of it may act from a note."""
    db = studied_dls(tmp_path / "store.db")
    site = _site(tmp_path / "site")
    result = ok(db, "export", "markdown", "dls", "--format", "jekyll", "-o", site)
    post = site / "_posts" / "2026-11-13-dls.md"
    assert f"wrote {post}" in result.stdout
    page = (_build(site) / "2026" / "11" / "13" / "dls.html").read_text(encoding="utf-8")
    text = check_rendered_post(page, layout_tags={"html", "head", "title", "body", "main"})
    assert ">np.dot</code>" in page and "<em>never</em>" in page
    assert INLINE_MATHS in text, "inline maths untouched"
    assert f"\\[J(w,b) = {DISPLAY_MATHS}\\]" in text, "kramdown's maths block, LaTeX untouched"
    assert "{% include nope.html %}" in text and "{{< youtube x >}}" in text, "shown, not run"
    assert "\\%" not in text


def test_hostile_titles_render_as_text_in_jekyll(tmp_path: Path) -> None:
    """Titles are the catalog's text: Liquid tags, kramdown syntax and HTML in them
    print as typed (`{%` is written `{&#37;`: kramdown would show the `\\` of `\\%`)."""
    db = tmp_path / "store.db"
    title = "{% raw %} {{ site.title }} <b>x</b> *y* {: .z}"
    ok(db, "add", "specialization", HOSTILE, "--slug", "hostile")
    ok(db, "add", "course", "hostile", title, "--slug", "one")
    ok(db, "done", "hostile/one", "--on", "2026-01-02")
    site = _site(tmp_path / "site")
    ok(db, "export", "markdown", "hostile", "--format", "jekyll", "-o", site)
    (page,) = (_build(site)).glob("2026/01/02/*.html")
    parser = Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    assert {tag for tag, _ in parser.tags} <= {
        "html",
        "head",
        "title",
        "body",
        "main",
        "p",
        "ol",
        "li",
    }
    text = "".join(parser.text)
    assert f"1. {title}" in text or title in text
    assert HOSTILE in text
