"""The CommonMark spec's own examples, each a note through the post: does it keep its meaning?

Each example of the spec (version 0.31.2, the one markdown-it-py follows; vendored in
tests/data, see its README for the source and licence) that holds no raw HTML and no
unsafe link is stored as a note (`note_text`, the one input rule), written into a post
by the post writer (`blog`, which quotes it and neutralises it through
`markdown_notes`), and rendered. Its meaning is kept when the note's quote renders to
the same HTML as the example alone (normalised: whitespace between blocks, attribute
order, heading ids). Rendered three ways: by markdown-it, and built by real Hugo
(goldmark) and Jekyll (kramdown) sites, one build per engine for every example.

An example that changes is counted as changed by the link policy alone when the post
keeps its meaning once every URL is allowed (the policy turns relative links and
refused schemes into text, as documented), or when it defines one label twice (both
definitions are refused: kramdown may take the other one). Any other change fails. Notes
are measured on a course and on a topic (under its list item).

Every example, the unsafe ones included, is checked to leak nothing: no tag that is not
Markdown's own, no event handler or style, no link or image that is not http(s) or mailto.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from coursetrack import blog
from coursetrack.errors import InputError
from coursetrack.services.notes import note_text
from export_fixtures import build_site, one_note_post

SPEC = Path(__file__).parent / "data" / "commonmark-spec-0.31.2.json"
EXAMPLES: list[dict] = json.loads(SPEC.read_text(encoding="utf-8"))

#: What the measure found (issue 22's closing note reports these counts).
TAKEN = 580  # examples with no raw HTML and no unsafe link
#: (kept their meaning, changed by the link policy alone) of the TAKEN, by renderer: kramdown
#: reads fewer of CommonMark's relative links, and a few it reads alone (READ_AS_LINKS).
#: The same whether the note is a course's or a topic's.
EXPECTED = {"markdown-it": (453, 127), "hugo": (453, 127), "jekyll": (457, 123)}
#: Examples the engine reads as a link (or HTML) to what the policy refuses where
#: CommonMark reads text: the post shows them as typed. kramdown takes a space or a line
#: break in a destination (488, 490, 602), an entity or escape in one (41, 493, 508), a
#: link in a link (518, 519), `[` in a label (546), and `<m:abc>` for an HTML tag (609, 610).
READ_AS_LINKS = {
    "markdown-it": [],
    "hugo": [],
    "jekyll": [41, 488, 490, 493, 508, 518, 519, 546, 602, 609, 610],
}
#: Notes beyond the spec's that try to make a refused link where brackets are left alone
#: (an allowed image's alt text, an allowed autolink): built with the examples, checked
#: for leaks.
HOSTILE = [
    "![[[a](https://example.org/1)](javascript:alert(1))](https://example.org/3)",
    "![x [y](javascript:alert(2)) z](https://example.org/3)",
    "![a `]` [b](javascript:alert(3)) c](https://example.org/3)",
    "![a `]`](javascript:alert(4)) c](https://example.org/3)",
    "<http://[::1]:8080/](javascript:alert(5))>",
    "[x <http://[::1]/](javascript:alert(6))> y](https://example.org/)",
    "[x]: <http://[::1]/]:javascript:alert(7)>\n\n[x]",
    "![[a]: javascript:alert(8)](https://example.org/i.png)",
    "![a\n[b]: javascript:alert(9)\n](https://example.org/i.png)",
]
CHECKED = EXAMPLES + [{"example": 1000 + i, "markdown": note} for i, note in enumerate(HOSTILE)]

_MD = MarkdownIt("commonmark")
_LOOSE = MarkdownIt("commonmark")
_LOOSE.validateLink = lambda url: True  # type: ignore[method-assign]
WHEN = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


def _tokens(md: MarkdownIt, text: str) -> list[tuple]:
    out = []
    for token in md.parse(text):
        out += [(t.type, t.attrs) for t in [token, *(token.children or [])]]
    return out


def _raw_html(text: str) -> bool:
    return any(kind in ("html_block", "html_inline") for kind, _ in _tokens(_MD, text))


def _unsafe_link(text: str) -> bool:
    """Whether markdown-it refuses a link of `text` (javascript:, vbscript:, file:, data:)."""
    return _tokens(_MD, text) != _tokens(_LOOSE, text)


def _taken() -> list[dict]:
    return [e for e in EXAMPLES if not _raw_html(e["markdown"]) and not _unsafe_link(e["markdown"])]


_DEFINITION = re.compile(r"^ {0,3}\[((?:[^\]\\]|\\.)+)\]:", re.MULTILINE)


def _defines_a_label_twice(text: str) -> bool:
    labels = [" ".join(label.casefold().split()) for label in _DEFINITION.findall(text)]
    return len(labels) != len(set(labels))


# --- the post --------------------------------------------------------------------------


def _stored(example: dict) -> str:
    return note_text(example["markdown"])


@contextmanager
def _every_url_allowed() -> Iterator[None]:
    """The post as it would be if the link policy let every URL through."""
    kept = blog.allowed_url
    blog.allowed_url = lambda url: True  # type: ignore[assignment]
    try:
        yield
    finally:
        blog.allowed_url = kept


def _quoted(page: str) -> str:
    """What is inside the (one) note's quote of a rendered post."""
    start = page.index("<blockquote>") + len("<blockquote>")
    return page[start : page.rindex("</blockquote>")]


class _Canonical(HTMLParser):
    """HTML as a comparable string: attributes sorted, ids dropped, entities decoded,
    whitespace runs outside <pre> one space, none around a block's tags."""

    BLOCKS = re.compile(
        r" ?(</?(?:p|li|ul|ol|blockquote|h[1-6]|pre|hr|table|thead|tbody|tr|th|td|dl|dt|dd"
        r"|div|section|br)\b[^>]*>) ?"
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.pre += tag == "pre"
        kept = sorted((k, v or "") for k, v in attrs if k != "id")
        self.out.append(f"<{tag}" + "".join(f' {k}="{v}"' for k, v in kept) + ">")

    def handle_endtag(self, tag: str) -> None:
        self.pre -= tag == "pre"
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))


def canonical(html: str) -> str:
    parser = _Canonical()
    parser.feed(html)
    parser.close()
    return _Canonical.BLOCKS.sub(r"\1", "".join(parser.out)).strip()


@dataclass
class Measure:
    kept: list[int]
    link_policy: list[int]  # ... and the engine's own links among them (`read_as_links`)
    read_as_links: list[int]
    other: list[int]

    def counts(self) -> tuple[int, int]:
        return len(self.kept), len(self.link_policy)


def measure(
    taken: list[dict],
    original: Callable[[dict], str],
    published: Callable[[dict], str],
    permissive: Callable[[dict], str],
) -> Measure:
    """Sort the examples: meaning kept, changed by the link policy alone, or else.

    The policy alone: the post keeps the meaning once every URL is allowed, or the
    example defines a label twice; or (`read_as_links`) the engine itself reads a link
    or HTML in the example alone that CommonMark does not, to a URL the policy refuses
    (kramdown reads `[a](/my uri)` as a link), which the post shows as the text typed.
    """
    result = Measure([], [], [], [])
    for example in taken:
        number, page = example["example"], original(example)
        alone = canonical(page)
        if canonical(published(example)) == alone:
            result.kept.append(number)
        elif _defines_a_label_twice(example["markdown"]) or canonical(permissive(example)) == alone:
            result.link_policy.append(number)
        elif refused_live(page):
            result.link_policy.append(number)
            result.read_as_links.append(number)
        else:
            result.other.append(number)
    return result


def test_the_examples_taken() -> None:
    taken = _taken()
    assert len(EXAMPLES) == 652 and len(taken) == TAKEN
    for example in taken:  # none is blank: each is a note the store takes
        assert note_text(example["markdown"]).strip()
    with pytest.raises(InputError, match="the note is empty"):
        note_text(" \n\t\n")


@pytest.mark.parametrize("on_topic", [False, True], ids=["course note", "topic note"])
def test_each_example_keeps_its_meaning_in_markdown_it(on_topic: bool) -> None:
    def published(example: dict) -> str:
        return _quoted(_MD.render(blog.body(one_note_post(_stored(example), on_topic=on_topic))))

    def permissive(example: dict) -> str:
        with _every_url_allowed():
            return published(example)

    found = measure(_taken(), lambda e: _MD.render(e["markdown"]), published, permissive)
    assert found.other == [], "these examples lost their meaning through the post"
    assert found.read_as_links == READ_AS_LINKS["markdown-it"]
    assert found.counts() == EXPECTED["markdown-it"]


# --- nothing leaks -----------------------------------------------------------------------

#: The elements a note's Markdown may make, in markdown-it, goldmark and kramdown.
MARKDOWN_TAGS = {
    "p", "a", "ol", "ul", "li", "blockquote", "code", "em", "strong", "br", "pre", "hr",
    "img", "del", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th",
    "td", "dl", "dt", "dd", "sup",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def refused_live(html: str) -> bool:
    """Whether `html` holds a link or image the policy refuses, or an element not Markdown's."""
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        if tag not in MARKDOWN_TAGS:
            return True
        urls = [attrs.get(name) for name in ("href", "src")]
        if any(url is not None and not blog.allowed_url(url) for url in urls):
            return True
    return False


def leaks(html: str) -> list[str]:
    """What in `html` is live beyond Markdown: a foreign tag, a handler, a bad URL."""
    parser = _Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag not in MARKDOWN_TAGS:
            found.append(f"<{tag}>")
        found += [name for name in attrs if name.startswith("on") or name == "style"]
        for name in ("href", "src"):
            url = attrs.get(name)
            if url is not None and not url.lower().startswith(("https://", "http://", "mailto:")):
                found.append(f"{name}={url}")
    return found


def test_no_example_leaks_in_markdown_it() -> None:
    for example in CHECKED:
        try:
            stored = note_text(example["markdown"])
        except InputError:
            continue
        page = _MD.render(blog.body(one_note_post(stored)))
        assert leaks(_quoted(page)) == [], example


# --- real site builds --------------------------------------------------------------------


#: Where a note is in the post (the page's folder): a course's note, or a topic's (in a list).
PLACES = {"n": False, "t": True}


def _post(example: dict, fmt: str, folder: str) -> str:
    options = blog.PostOptions(format=fmt, date=WHEN, title=f"Example {example['example']}")
    return blog.render_post(one_note_post(_stored(example), on_topic=PLACES[folder]), options).text


def _sources(fmt: str) -> Iterator[tuple[str, int, str]]:
    """(folder, example, Markdown file) of each page: the example alone ("o"), the post
    with the note on a course ("n") and on a topic ("t"), every example, so that unsafe
    ones are checked for leaks, and each post with every URL allowed ("na", "ta": only
    where the policy changed the post's text)."""
    taken = {e["example"] for e in _taken()}
    for example in CHECKED:
        number = example["example"]
        if number in taken:
            head = "---\ntitle: original\nlayout: plain\n---\n"
            yield "o", number, head + example["markdown"]
        for folder in PLACES:
            try:
                published = _post(example, fmt, folder)
            except InputError:  # a blank note: the store refuses it
                continue
            yield folder, number, published
            if number in taken:
                with _every_url_allowed():
                    permissive = _post(example, fmt, folder)
                if permissive != published:
                    yield folder + "a", number, permissive


_MAIN = re.compile(r"<main>(.*)</main>", re.DOTALL)


def _check_site(pages: dict[tuple[str, int], str], engine: str) -> None:
    for (folder, number), page in pages.items():
        if folder in PLACES:
            assert leaks(_MAIN.search(page).group(1)) == [], (number, page)  # type: ignore[union-attr]
    taken = _taken()

    def page(folder: str, otherwise: str = "") -> Callable[[dict], str]:
        def read(example: dict) -> str:
            key = (folder, example["example"])
            if key not in pages:
                key = (otherwise, example["example"])
            content = _MAIN.search(pages[key]).group(1)  # type: ignore[union-attr]
            return content if folder == "o" else _quoted(content)

        return read

    for place in PLACES:
        found = measure(taken, page("o"), page(place), page(place + "a", place))
        assert found.other == [], f"these examples lost their meaning in {engine} ({place})"
        assert found.read_as_links == READ_AS_LINKS[engine]
        assert found.counts() == EXPECTED[engine]


LAYOUT = "<!DOCTYPE html>\n<html><body><main>{content}</main></body></html>\n"
HUGO = shutil.which("hugo")
JEKYLL = shutil.which("jekyll")


@pytest.mark.slow
@pytest.mark.skipif(HUGO is None, reason="the hugo binary is not installed (apt-get install hugo)")
def test_each_example_keeps_its_meaning_in_hugo(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "spec"\n'
        'disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT",'
        ' "404"]\n[markup.highlight]\ncodeFences = false\n',
        encoding="utf-8",
    )
    layout = LAYOUT.format(content="{{ .Content }}")
    (root / "layouts" / "_default" / "single.html").write_text(layout, encoding="utf-8")
    names = {}
    for folder, number, text in _sources("hugo"):
        path = root / "content" / folder / f"e{number}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        names[(folder, number)] = root / "public" / folder / f"e{number}" / "index.html"
    assert HUGO is not None
    build_site([HUGO, "--source", str(root), "--destination", str(root / "public"), "--quiet"])
    _check_site({key: path.read_text("utf-8", "replace") for key, path in names.items()}, "hugo")


@pytest.mark.slow
@pytest.mark.skipif(
    JEKYLL is None, reason="the jekyll binary is not installed (apt-get install jekyll)"
)
def test_each_example_keeps_its_meaning_in_jekyll(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "_layouts").mkdir(parents=True)
    config = "title: spec\nkramdown:\n  syntax_highlighter_opts:\n    disable: true\n"
    (root / "_config.yml").write_text(config, encoding="utf-8")
    layout = LAYOUT.format(content="{{ content }}")
    for name in ("post", "plain"):
        (root / "_layouts" / f"{name}.html").write_text(layout, encoding="utf-8")
    names = {}
    for folder, number, text in _sources("jekyll"):
        path = root / folder / f"e{number}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        names[(folder, number)] = root / "_site" / folder / f"e{number}.html"
    assert JEKYLL is not None
    build_site(
        [JEKYLL, "build", "--quiet", "--source", str(root), "--destination", str(root / "_site")]
    )
    _check_site({key: path.read_text("utf-8", "replace") for key, path in names.items()}, "jekyll")
