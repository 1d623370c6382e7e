"""A frozen copy of markdown_notes as of c130507: what `neutralise` must keep writing.

tests/test_markdown_notes_differential.py compares the module with this copy on
random hostile notes: a change made for speed must write the same bytes. A change
meant to write other bytes replaces this copy in the same commit, saying why.

The original docstring follows.

The learner's notes as Markdown in a blog post: kept as written, nothing live.

A note may hold inline code, emphasis and `$...$` maths, and the post keeps
those bytes as they are. What could act in the reader's browser or in the site
generator is neutralised with a backslash (or, inside code, a space), so it
shows as the text that was typed:

- raw HTML (`<script>`, `<img onerror=...>`, comments): every `<` that could
  open a tag, outside code, because Hugo with `unsafe: true` and kramdown
  (Jekyll) pass raw HTML through;
- links, images, autolinks and reference definitions whose URL the caller's
  rule refuses (`javascript:`, `data:`, relative paths...), and any `](` or
  `]:` that markdown-it did not read as an allowed link, since kramdown reads
  links more loosely than CommonMark;
- `{{`, `{%` (Hugo shortcodes, Liquid: both run before Markdown, even inside
  code), kramdown's `{:` attribute lists and `{::nomarkdown}`, and a heading's
  trailing `{...}` (Hugo's heading attributes: `style`, `class`);
- control characters, shown as `\\x1b` (controls.visible).

markdown-it (CommonMark, which Hugo's goldmark follows) finds the links, code
and HTML; the note is re-parsed after each round of escapes until nothing is
left to neutralise, so an escape that uncovers another construct is caught.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from coursetrack.controls import visible

_TAG_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/!?")
#: The only characters the rules act on, in text and in code: a round looks at
#: these alone (a 100,000-character note has a few thousand), not at every one.
_TEXT_MARKS = re.compile(r"[<{\]]")
_CODE_MARKS = re.compile(r"\{(?=[{%])")
#: Without any of these, a round has nothing to act on (no tag or autolink, no
#: template or attribute, no link or definition): the note needs no parse.
_ANYTHING_TO_DO = re.compile(r"[<{]|\][(:]")
_MAX_ROUNDS = 20
_EVERY_MARK = re.compile(r"([\\`*_\[\]<>{}|#~!&$])")
#: kramdown's link definition start (after any quote or list markers of the note).
_KRAMDOWN_DEFINITION = re.compile(
    r"^(?:[ \t]*(?:>|[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))*[ \t]{0,3}\[(?=[^\n\]]+\]:)"
)


#: (kind, start, end, href, label_end) of a code span, link, image or autolink in a run.
_Span = tuple[str, int, int, str | None, int]


class _Recorder:
    """Where markdown-it found code, links and autolinks in each inline run, in order."""

    def __init__(self) -> None:
        self.runs: list[list[_Span]] = []
        self.references: list[tuple[int, str | None]] = []
        self._depth = 0
        self._scratch: list[_Span] = []

    @property
    def current(self) -> list[_Span]:
        return self.runs[-1] if self._depth == 1 and self.runs else self._scratch


@lru_cache(maxsize=1)
def _parser() -> tuple[Any, _Recorder]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Emphasis never decides where code, a link or HTML is (those bind tighter, and
    # its rules match nothing while a link's label is scanned): a third of a parse.
    md.disable(["emphasis", "strikethrough"])
    # markdown-it drops javascript: links itself; goldmark and kramdown do not, so
    # every link must be seen here and judged by the caller's rule.
    md.validateLink = lambda url: True
    recorder = _Recorder()

    parse = md.inline.parse

    def parse_run(src, md_, env, tokens):  # one call per inline token, in order
        recorder._depth += 1
        try:
            if recorder._depth == 1:
                recorder.runs.append([])
                if not _TEXT_MARKS.search(src):
                    return None  # nothing here a rule acts on: no need to know its spans
            return parse(src, md_, env, tokens)
        finally:
            recorder._depth -= 1

    md.inline.parse = parse_run

    def recording(name: str, kind: str) -> None:
        ruler = md.inline.ruler
        rule = ruler.__rules__[ruler.__find__(name)]
        original = rule.fn

        def wrapped(state, silent: bool) -> bool:
            start, before = state.pos, len(state.tokens)
            if not original(state, silent):
                return False
            if not silent:
                href = None
                for token in state.tokens[before:]:
                    if token.type in ("link_open", "image"):
                        href = token.attrGet("href") or token.attrGet("src") or ""
                        break
                label_end = -1
                if kind in ("link", "image"):
                    image = kind == "image"
                    label_end = state.md.helpers.parseLinkLabel(state, start + image, not image)
                recorder.current.append((kind, start, state.pos, href, label_end))
            return True

        ruler.at(name, wrapped, {"alt": rule.alt})

    recording("backticks", "code")
    recording("link", "link")
    recording("image", "image")
    recording("autolink", "autolink")

    block = md.block.ruler
    ref_rule = block.__rules__[block.__find__("reference")]
    ref_original = ref_rule.fn

    def reference(state, start_line: int, end_line: int, silent: bool) -> bool:
        known = set(state.env.get("references", {}))
        if not ref_original(state, start_line, end_line, silent):
            return False
        if not silent:
            added = set(state.env.get("references", {})) - known
            # a repeated label is ignored by CommonMark but may win in kramdown: refuse it
            href = state.env["references"][added.pop()]["href"] if added else None
            recorder.references.append((start_line, href))
        return True

    block.at("reference", reference, {"alt": ref_rule.alt})
    return md, recorder


def neutralise(text: str, allowed: Callable[[str], bool]) -> str:
    """`text` (the learner's Markdown) with everything that could act made inert."""
    current = shown = visible(text.replace("\r\n", "\n"))
    if not _ANYTHING_TO_DO.search(current):
        return current
    for _ in range(_MAX_ROUNDS):
        escaped = _one_round(current, allowed)
        if escaped == current:
            return current
        current = escaped
    # Links nested deeper than the rounds allow: give up on Markdown, show it all as text.
    return _EVERY_MARK.sub(r"\\\1", shown).replace("{%", "{&#37;")


def _escaped(line: str, col: int) -> bool:
    """Whether the character at `col` already follows an odd run of backslashes."""
    run = 0
    while col - run - 1 >= 0 and line[col - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _one_round(src: str, allowed: Callable[[str], bool]) -> str:
    md, recorder = _parser()
    recorder.runs.clear()
    recorder.references.clear()
    tokens = md.parse(src, {})
    lines = src.split("\n")
    inserts: dict[tuple[int, int], str] = {}
    percent: dict[tuple[int, int], str] = {}  # characters replaced, not preceded

    def backslash(line: int, col: int) -> None:
        if not _escaped(lines[line], col):
            inserts[(line, col)] = "\\"

    def text_rule(line: int, col: int, exempt: bool = False) -> None:
        """Escape what may open HTML, a link or a template at `col` of plain text."""
        s = lines[line]
        c, nxt = s[col], s[col + 1 : col + 2]
        if c == "<" and nxt in _TAG_START and not exempt:
            backslash(line, col)
        elif c == "{" and nxt == "{":
            backslash(line, col + 1)
        elif c == "{" and nxt == "%" and not _escaped(s, col):
            percent[(line, col + 1)] = "&#37;"  # kramdown would show the `\` of `\%`
        elif (c == "{" and nxt == ":") or (c == "]" and nxt in ("(", ":") and not exempt):
            backslash(line, col)

    def code_rule(line: int, col: int) -> None:
        s = lines[line]
        if s[col] == "{" and s[col + 1 : col + 2] in ("{", "%"):
            inserts[(line, col + 1)] = " "

    code_lines = {
        line
        for token in tokens
        if token.type in ("fence", "code_block") and token.map
        for line in range(*token.map)
    }
    runs = iter(recorder.runs)
    previous = None
    cursor: tuple[list[int] | None, int] = (None, 0)

    def text_lines(span: list[int]) -> None:
        for line in range(*span):
            for mark in _TEXT_MARKS.finditer(lines[line]):
                text_rule(line, mark.start())

    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            for line in range(*token.map):
                for mark in _CODE_MARKS.finditer(lines[line]):
                    code_rule(line, mark.start())
        elif token.type == "html_block" and token.map:
            text_lines(token.map)
        elif token.type == "inline":
            spans = next(runs, [])
            same_row = cursor[0] is not None and cursor[0] == token.map
            where = _locate(token.content, lines, token.map, cursor[1] if same_row else None)
            cursor = (token.map, where.last_col if where else 0)
            if where is None:  # not found in the source (tabs): treat every line as text
                text_lines(token.map)
                continue
            _inline_rules(token.content, spans, where, allowed, text_rule, code_rule, backslash)
            heading = previous is not None and previous.type == "heading_open"
            if heading and token.content.endswith("}") and "{" in token.content:
                # Hugo reads `# Title {style=... .class}` as the heading's attributes
                backslash(*where[token.content.rindex("{")])
        previous = token
    good_definitions = set()
    for start_line, href in recorder.references:
        line_text = lines[start_line]
        if href is None or not allowed(href) or "{{" in line_text or "{%" in line_text:
            col = line_text.find("[")
            if col >= 0:
                backslash(start_line, col)
        else:
            good_definitions.add(start_line)
    # kramdown takes `[label\]: url` (and more) as a definition where CommonMark sees text
    for line, line_text in enumerate(lines):
        match = _KRAMDOWN_DEFINITION.match(line_text)
        if match and line not in code_lines and line not in good_definitions:
            backslash(line, match.end() - 1)
    if not inserts and not percent:
        return src
    edits = [(at, mark, 0) for at, mark in inserts.items()]
    edits += [(at, mark, 1) for at, mark in percent.items()]
    for (line, col), mark, drop in sorted(edits, reverse=True):
        lines[line] = lines[line][:col] + mark + lines[line][col + drop :]
    return "\n".join(lines)


def _inline_rules(content, spans, where, allowed, text_rule, code_rule, backslash) -> None:
    code = [False] * len(content)
    exempt = [False] * len(content)
    for kind, start, end, href, label_end in spans:
        if kind == "code":
            code[start:end] = [True] * (end - start)
        elif href is not None and allowed(href):
            # only the syntax of an allowed link: its `<`, or the `](` and a `(<` after
            # its label; HTML in its text or title is escaped like any other
            if kind == "autolink":
                exempt[start] = True
            elif label_end >= 0:
                exempt[label_end] = True
                after = content[label_end + 1 : end]
                if after.startswith("(") and after[1:].lstrip().startswith("<"):
                    exempt[label_end + 1 + len(after) - len(after[1:].lstrip())] = True
        else:
            bracket = start + 1 if kind == "image" else start
            if kind != "autolink" and content[bracket : bracket + 1] == "[":
                backslash(*where[bracket])
    for mark in _TEXT_MARKS.finditer(content):
        i = mark.start()
        line, col = where[i]
        if code[i]:
            code_rule(line, col)
        else:
            text_rule(line, col, exempt=exempt[i])


class _Where:
    """The source (line, col) of each character of an inline run: `where[i]`.

    Kept as each line's offset in the run, its source line and column, so a
    run of 100,000 characters costs a tuple per line, not one per character.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []  # offset in the run of each of its lines
        self.places: list[tuple[int, int]] = []  # (source line, column) where it begins
        self.last_col = 0  # the column just after the run's last character

    def __getitem__(self, i: int) -> tuple[int, int]:
        j = bisect.bisect_right(self.starts, i) - 1
        line, col = self.places[j]
        return line, col + i - self.starts[j]


def _locate(content: str, lines: list[str], span: list[int] | None, after: int | None):
    """Where each character of an inline run is in the source (a `_Where`), or None.

    A run's lines are its block's source lines without container markers and
    indentation; table cells share their row's line, left to right.
    """
    if span is None:
        return None
    where = _Where()
    offset = 0
    for j, part in enumerate(content.split("\n")):
        line = span[0] + j
        if line >= len(lines):
            return None
        source = lines[line]
        col = source.find(part, after) if after is not None and j == 0 else source.rfind(part)
        if col < 0:
            return None
        where.starts.append(offset)
        where.places.append((line, col))
        where.last_col = col + len(part)  # the newline (or end) after this line
        offset += len(part) + 1
    return where
