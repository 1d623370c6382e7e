"""Notes published as written (issue 22): stored as typed, quoted whole, links kept.

A note is the learner's Markdown. What they typed is what the store keeps (only
trailing blank lines go), and the post quotes it so that it means the same:
markdown-it renders the quoted note as it renders the note alone.
"""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from coursetrack import blog
from export_fixtures import one_note_post

NOW = "2026-03-01T09:00:00+00:00"
CODE_FIRST = "    x = np.dot(w, x)\n    y = x + b\n\nwhy: no loops"


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", NOW)


def _texts(store) -> list[str]:
    return [row[0] for row in store.rows("SELECT text FROM note ORDER BY id")]


# --- stored as typed ------------------------------------------------------------------


def test_a_note_is_stored_as_typed_but_its_trailing_blank_lines(dls) -> None:
    """A note that opens with an indented code block keeps its first line's indentation."""
    assert dls.run("note", "dls/1/2", CODE_FIRST + "\n  \n\n").exit_code == 0
    assert dls.run("note", "dls/1/3", "\tcode\n").exit_code == 0
    assert _texts(dls) == [CODE_FIRST, "\tcode"]
    listed = dls.run("note", "list", "dls/1/2", "--json").json()["notes"]
    assert [note["text"] for note in listed] == [CODE_FIRST]


def test_done_update_and_edit_store_the_note_as_typed(dls) -> None:
    assert dls.run("done", "dls/1/1", "--note", "    done = True\n").exit_code == 0
    assert dls.run("update", "dls/1", "--note", "  - a list\n    - nested\n\n").exit_code == 0
    assert dls.run("note", "dls/1/2", "first").exit_code == 0
    assert dls.run("note", "edit", "3", "\tedited\n").exit_code == 0
    assert _texts(dls) == ["    done = True", "  - a list\n    - nested", "\tedited"]


@pytest.mark.parametrize("blank", ["", "   ", "\n\n", " \t\n  \n"])
def test_a_blank_note_is_still_refused(dls, blank: str) -> None:
    before = dls.dump()
    result = dls.run("note", "dls/1/2", blank)
    assert result.exit_code == 1
    assert "Error: the note is empty" in result.stderr
    assert dls.dump() == before


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_a_backup_restores_a_note_as_typed(dls, tmp_path, form: str) -> None:
    note = "    code\n\tmore\n      \n    end  "
    assert dls.run("note", "dls/1/2", note).exit_code == 0
    saved = tmp_path / f"backup.{form}"
    assert dls.run("export", form, "-o", str(saved)).exit_code == 0
    assert dls.run("rm", "dls", "--yes").exit_code == 0
    restored = dls.run("import", str(saved))
    assert restored.exit_code == 0, restored.stderr
    assert _texts(dls) == [note]


# --- quoted so that it means the same ------------------------------------------------------

_MD = MarkdownIt("commonmark")


def _published(note: str, *, on_topic: bool = False) -> str:
    """The note's HTML inside its quote in the post, as markdown-it renders the post."""
    rendered = _MD.render(blog.body(one_note_post(note, on_topic=on_topic)))
    start = rendered.index("<blockquote>") + len("<blockquote>")
    end = rendered.rindex("</blockquote>")
    return rendered[start:end].strip("\n")


def _alone(note: str) -> str:
    return _MD.render(note).strip("\n")


@pytest.mark.parametrize("on_topic", [False, True], ids=["course note", "topic note"])
@pytest.mark.parametrize(
    "note",
    [
        "```\nfirst\n  \nlast\n```",  # a whitespace-only line inside a fenced block
        "    first\n      \n      second",  # ... and inside an indented code block
        "~~~\n\t\n~~~",
    ],
)
def test_a_whitespace_only_line_of_a_code_block_is_kept(note: str, on_topic: bool) -> None:
    assert _published(note, on_topic=on_topic) == _alone(note)


@pytest.mark.parametrize("on_topic", [False, True], ids=["course note", "topic note"])
@pytest.mark.parametrize(
    "note",
    [
        "\tcode after a tab",
        "- item\n\n\t\tcode in the item",
        "- a\n   - b\n\t - c",  # nested three deep, the last indented by a tab
        ">\t\tcode in a quote",
        "```\n\ttabbed\n```",
        "1. one\n\n\tpara of one",
    ],
)
def test_tabs_mean_what_they_meant(note: str, on_topic: bool) -> None:
    assert _published(note, on_topic=on_topic) == _alone(note)


@pytest.mark.parametrize(
    "note",
    [
        "<http://[::1]:8080/>",
        "see <https://[2001:db8::1]:443/x> and <http://[::1]:8080/a?b=c>",
        "![a [b](https://example.org/b) c](https://example.org/i.png)",
        "![[[foo](https://example.org/1)](https://example.org/2)](https://example.org/3)",
        "![x ![y](https://example.org/y)](https://example.org/x)",
    ],
)
def test_an_allowed_autolink_or_image_keeps_its_brackets(note: str) -> None:
    assert _published(note) == _alone(note)


@pytest.mark.parametrize(
    "note",
    [
        "![a [b](/relative) c](https://example.org/i.png)",
        "![alt](javascript:alert(1))",
        "![a [b](javascript:alert(1))](https://example.org/i.png)",
        "![a ![b](data:image/png;base64,AAAA)](https://example.org/i.png)",
    ],
)
def test_a_refused_link_inside_an_image_is_still_text(note: str) -> None:
    published = _published(note)
    assert all(
        url.startswith("https://example.org/")
        for url in re.findall(r'(?:href|src)="([^"]*)"', published)
    ), published


@pytest.mark.parametrize("note", ["    code", "\tcode", "  \tcode", "- a\n\n\tb"])
def test_a_dated_note_that_opens_with_a_block_keeps_it(note: str) -> None:
    """`--dates` puts the day on a line of its own before a note that opens a block."""
    rendered = _MD.render(blog.body(one_note_post(note), options=blog.PostOptions(dates=True)))
    quoted = rendered[rendered.index("<blockquote>") : rendered.rindex("</blockquote>")]
    assert quoted.startswith("<blockquote>\n<p>2026-01-02:</p>\n"), quoted
    assert quoted.removeprefix("<blockquote>\n<p>2026-01-02:</p>\n") == _alone(note) + "\n"


@pytest.mark.parametrize(
    "note",
    [
        "-\n\n  foo",  # CommonMark's example 280
        "* a\n*\n\n* c",  # ... and 315
        "> 1.\n>\n> after",  # an empty item inside the note's own quote
        "1. -\n\n   b",  # ... and one on its parent's line
    ],
)
def test_a_topics_note_with_an_empty_list_item_follows_the_topics_item(note: str) -> None:
    """Hugo's goldmark ends a list item, and a quote in it, at a blank line after an empty
    list item in that quote: such a note is quoted after its topic's item, not inside it."""
    body = blog.body(one_note_post(note, on_topic=True))
    quote = "\n".join(f"> {line}" if line else ">" for line in note.split("\n"))
    assert f"\n- A topic\n\n{quote}\n" in body
    assert _published(note, on_topic=True) == _alone(note)
