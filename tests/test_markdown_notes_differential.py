"""`neutralise` made faster writes the same bytes as before, on any note.

The parse that finds code, links and HTML was trimmed for speed (rules the
neutraliser never reads left out). Whether a rule can change where those are
is an argument; this test is the check: random notes built from the pieces
that make Markdown constructs (brackets, backticks, fences, tags, definitions,
containers, entities, escapes) are neutralised by the module and by a frozen
copy of it from before the change (tests/markdown_notes_reference.py), under
two link rules, and must come out byte for byte the same, but for the expected
differences of issue 22 (`expected_difference`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import markdown_notes_reference as reference
from coursetrack.blog import allowed_url
from coursetrack.markdown_notes import neutralise
from export_fixtures import CODE_AND_MATHS, HOSTILE, HOSTILE_NOTES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from full_store import NOTE_BLOCK  # bench/: the note of a store full to the limits

#: Pieces that open, close or change a construct, and plain words between them.
PIECES = [
    "[", "]", "(", ")", "<", ">", "`", "``", "```", "~~~", "{", "}", "{{", "{%", "{:",
    "%}", "}}", ":", "\\", "!", "&", "&amp;", "&#60;", "&#x5b;", ";", '"', "'", "|",
    "|---|---|", "-", "*", "_", "~~", "#", "## ", "=", "===", "---", "***", "+ ",
    "1. ", "2) ", "> ", "- ", "    ", "  ", " ", "\t", "\n", "\n\n", "\r\n", "\x00",
    "a", "b c", "x", "javascript:alert(1)", "https://a.example/p?q=1&r", "mailto:me@a.b",
    "/rel", "data:x", "<div>", "</div>", "<script>", "</script>", "<!--", "-->",
    "<?", "?>", "<![CDATA[", "]]>", "<pre>", "<b>", "<img src=x onerror=y>",
    "<https://a.example>", "<me@a.example>", "[x]: ", "[x]", "][x]", "](", "]:",
    "![", "<http://[::1]/>",  # an image's alt, an autolink with brackets (issue 22)
    "[a](https://ok)", '"t"', "(<", "$x^{2}$", "{.c}", "\u00e9", "\u2028",
]  # fmt: skip

notes = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
#: notes made of whole lines, so that block structure (lists, quotes, fences, tables) varies
lines = st.lists(
    st.tuples(
        st.sampled_from(["", "", "> ", "- ", "1. ", "  ", "    ", "> - ", "```", "~~~ ", "| "]),
        st.lists(st.sampled_from(PIECES[:-2]), max_size=8).map("".join),
    ).map("".join),
    max_size=12,
).map("\n".join)


def only_https(url: str) -> bool:
    return url.startswith("https://")


_BRACKET_ESCAPE = re.compile(r"\\(?=[\[\]<])")
_LOOSE = MarkdownIt("commonmark")
_LOOSE.validateLink = lambda url: True  # type: ignore[method-assign]


def expected_difference(before: str, after: str, allowed) -> bool:
    """Issue 22: brackets are escaped only where they would make a link the policy refuses.

    The frozen code escaped a `]` inside an allowed autolink (`<http://[::1]:8080/>`) or
    an allowed image's alt text, and the `<` of an allowed autolink in an alt, which broke
    the link or changed the alt; a refused link inside an allowed image's alt now has both
    its brackets escaped, so the alt keeps its end. So the two may differ only in
    backslashes before `[`, `]` and `<`, and what is written now holds no HTML and no link
    the rule refuses, as markdown-it reads it.
    """
    if _BRACKET_ESCAPE.sub("", before) != _BRACKET_ESCAPE.sub("", after):
        return False
    for token in _LOOSE.parse(after):
        for inner in [token, *(token.children or [])]:
            if inner.type in ("html_inline", "html_block"):
                return False
            url = inner.attrGet("href" if inner.type == "link_open" else "src")
            if inner.type in ("link_open", "image") and not allowed(str(url)):
                return False
    return True


def same(note: str) -> None:
    for allowed in (allowed_url, only_https):
        try:
            before = reference.neutralise(note, allowed)
        except IndexError:  # the parser's trap (PARSER_TRAPS below): the old code failed
            neutralise(note, allowed)  # where the new one must not
            continue
        after = neutralise(note, allowed)
        assert after == before or expected_difference(before, after, allowed), repr(note)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes)
def test_random_pieces_are_neutralised_as_before(note: str) -> None:
    same(note)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines)
@pytest.mark.slow  # hypothesis: many random notes
def test_random_blocks_are_neutralised_as_before(note: str) -> None:
    same(note)


@pytest.mark.parametrize(
    "note",
    [
        HOSTILE,
        CODE_AND_MATHS,
        *HOSTILE_NOTES,
        NOTE_BLOCK.format(n=1) * 20,
        "[" * 30 + "x" + "](javascript:alert(1))" * 30,
        "<div>{% x %}</div>\n\n[a](javascript:x) *b*\n</div>",
        "[r][evil]\n\n- [evil]: javascript:x\n\n[ok]: https://a.example\n[ok][] [evil][]",
        "| `<s>|</s>` | [a](javascript:x) |\n|---|---|\n| <b> | {{x}} |",
    ],
)
def test_known_notes_are_neutralised_as_before(note: str) -> None:
    same(note)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(notes, lines))
def test_many_random_notes_are_neutralised_as_before(note: str) -> None:
    same(note)


#: Notes markdown-it-py 4.3 cannot parse as written: a raw HTML block that is the last
#: line of a list in a quote, with no line break after the quote's last marker (its
#: `getLines` reads past the end of the text). Found by the random blocks above.
PARSER_TRAPS = ["> - <script>\n> ", "> - <script>\n>", "> - <div>\n> > - <pre>\n> "]


@pytest.mark.parametrize("note", PARSER_TRAPS)
def test_a_note_the_parser_trips_on_is_neutralised_all_the_same(note: str, tmp_path) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    out = neutralise(note, allowed_url)
    assert out.replace("\\<", "") == note.replace("<", ""), out  # every tag escaped, no more
    db = str(tmp_path / "s.db")
    runner = CliRunner()
    for args in (
        ["import", "deep-learning-specialization"],
        ["note", "dls/1", note],
        ["export", "markdown", "dls"],
    ):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, (args, result.stderr, result.exception)
    post = result.stdout.split("## My notes", 1)[1]
    assert re.findall(r"\\<\w+>", post) == re.findall(r"\\<\w+>", out), post  # as written
    assert not re.search(r"(?<!\\)<\w+>", post), post  # and no tag left to act
