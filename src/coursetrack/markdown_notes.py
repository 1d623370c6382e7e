"""The learner's notes as Markdown in a blog post: kept as written, nothing live.

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
Nothing else is touched: `quoted` puts the note in the post's block quote line
for line (in a topic's list item only if `fits_in_a_list_item`: Hugo's parser cuts
some notes there), and tests/test_markdown_notes_commonmark.py holds the CommonMark
spec's examples to keep their meaning through both, in markdown-it, Hugo and Jekyll.

That parse costs about 40 ms per 100,000 characters, and a store full to the
limits holds 1.7 MB of notes: a note of 20,000 characters or more is kept, once
neutralised, in the user's cache directory (`~/.cache/coursetrack/notes` on
Linux) and read back while it, the link rule and the code stay the same (see
`neutralise`: why there, never in the store).
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
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
#: Notes shorter than this are neutralised every time: their parse (under 10 ms)
#: costs about what reading a file does. Longer ones are kept, once neutralised,
#: in the user's cache directory (see `neutralise`).
_CACHE_FROM = 20_000
#: Entries kept: past this, the least recently used go (an entry is its note's size).
_CACHE_ENTRIES = 200
_EVERY_MARK = re.compile(r"([\\`*_\[\]<>{}|#~!&$])")
#: kramdown's link definition start (after any quote or list markers of the note).
_KRAMDOWN_DEFINITION = re.compile(
    r"^(?:[ \t]*(?:>|[-*+]|[0-9]{1,9}[.)])(?=[ \t]|$))*[ \t]{0,3}\[(?=[^\n\]]+\]:)"
)


#: (kind, start, end, href, label_end) of a code span, link, image or autolink in a run.
_Span = tuple[str, int, int, str | None, int]


class _Recorder:
    """Where markdown-it found code, links and autolinks in each inline run.

    An image's alt text is parsed apart (its own inline parse, from its label's
    start): what it holds is recorded there (`nested`) and its links are moved into
    the run by the image, so a link inside an image's alt is judged like any other.
    """

    def __init__(self) -> None:
        self.runs: list[list[_Span]] = []
        self.references: list[tuple[int, str | None]] = []
        self.nested: list[_Span] = []  # the spans of the last parse within a run
        self._stack: list[list[_Span]] = []  # the run's, then each alt's being parsed

    @property
    def current(self) -> list[_Span]:
        return self._stack[-1] if self._stack else []


@lru_cache(maxsize=1)
def _parser() -> tuple[Any, _Recorder]:
    from markdown_it import MarkdownIt

    # Any: some of its methods are replaced on this instance below, which its types forbid
    md: Any = MarkdownIt("commonmark", {"html": True}).enable(["table"])
    # Emphasis never decides where code, a link or HTML is (those bind tighter, and
    # its rules match nothing while a link's label is scanned): a third of a parse.
    md.disable(["emphasis"])
    # Nor do these, whose only work is tokens the neutraliser never reads: an entity
    # or a line break is text to every other rule (no rule starts at `&`, `#` or a
    # newline, none looks back at what came before), balance_pairs and
    # fragments_join pair and merge emphasis' delimiters, text_join merges text,
    # and normalize rewrites \r and NUL, which `visible` has already shown as \x0d
    # and \x00. Tables stay: a row's cells are parsed one by one, so `|` ends a
    # code span or link in a table (as in goldmark and kramdown) but not elsewhere.
    md.disable(["entity", "newline", "balance_pairs", "fragments_join"])
    md.disable(["normalize", "text_join"])
    # markdown-it drops javascript: links itself; goldmark and kramdown do not, so
    # every link must be seen here and judged by the caller's rule.
    md.validateLink = lambda url: True
    # A pure function of the URL (mdurl's parse, punycode, percent-encoding), which
    # notes call with the same pages again and again: each is worked out once.
    md.normalizeLink = lru_cache(maxsize=4096)(md.normalizeLink)
    md.normalizeLinkText = lru_cache(maxsize=4096)(md.normalizeLinkText)
    recorder = _Recorder()

    parse = md.inline.parse

    def parse_run(src: str, md_: Any, env: Any, tokens: Any) -> Any:  # one per inline token
        spans: list[_Span] = []
        recorder._stack.append(spans)
        try:
            if len(recorder._stack) == 1:
                recorder.runs.append(spans)
                if not (_TEXT_MARKS if env.get("references") else _ANYTHING_TO_DO).search(src):
                    # Nothing here a rule acts on, so no need to know its spans: no < {
                    # ] at all or, with no definition in the note (block rules found
                    # them all before this), no < { ]( ]: (a link or image without a
                    # definition needs `](`, an autolink `<`; a lone `]` is text).
                    return None
            return parse(src, md_, env, tokens)
        finally:
            recorder._stack.pop()
            recorder.nested = spans

    md.inline.parse = parse_run

    def recording(name: str, kind: str, first: str) -> None:
        ruler = md.inline.ruler
        rule = ruler.__rules__[ruler.__find__(name)]
        original = rule.fn

        def wrapped(state, silent: bool) -> bool:
            if state.src[state.pos] != first:  # as the rule itself first checks
                return False
            start, before = state.pos, len(state.tokens)
            recorder.nested = []
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
                if kind == "image":  # its alt's links, from its label's start (`![`); a
                    at = start + 2  # code span there stays text, escaped as before
                    recorder.current.extend(
                        (k, s + at, e + at, h, end + at if end >= 0 else -1)
                        for k, s, e, h, end in recorder.nested
                        if k != "code"
                    )
                recorder.current.append((kind, start, state.pos, href, label_end))
            return True

        ruler.at(name, wrapped, {"alt": rule.alt})

    recording("backticks", "code", "`")
    recording("link", "link", "[")
    recording("image", "image", "!")
    recording("autolink", "autolink", "<")

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
    """`text` (the learner's Markdown) with everything that could act made inert.

    A long note costs a CommonMark parse (about 40 ms per 100,000 characters), so
    its neutralised copy is kept in the user's cache directory, under a hash of
    the note, the link rule and the code that wrote it (the sources of
    coursetrack, markdown-it and mdurl, and Python's version): a note, a rule or
    a neutraliser that changes is a new key, never a stale copy. Never in the
    store: a learner of a group writes rows there and could plant a forged
    "escaped" note; and only in a folder and files no one else can write. A
    cache that cannot be used is no cache: the note is neutralised again.
    """
    if len(text) < _CACHE_FROM:
        return _neutralise(text, allowed)
    key = _cache_key(text, allowed)
    if key is None:
        return _neutralise(text, allowed)
    kept = _cache_read(key)
    if kept is not None:
        return kept
    written = _neutralise(text, allowed)
    _cache_write(key, written)
    return written


def quoted(lines: list[str], indent: str = "") -> list[str]:
    """Markdown lines as a block quote that means what they meant (`indent`: the
    container's, as a topic's list item). A note stays inside the quote whatever it
    holds: an unclosed fence ends with the quote, not at the end of the post.

    Every line keeps its characters: a whitespace-only line inside a code block is
    the code's, and trailing spaces may be a line break. CommonMark widens a tab to
    the next multiple of 4 columns counted from the line's start, so a note that
    holds a tab has its marker take a multiple of 4 columns (`  > `): after `> `
    alone a tab would be 2 columns wide, shifting nested lists and code.
    """
    width = len(indent) + 2
    pad = " " * ((-width) % 4) if any("\t" in line for line in lines) else ""
    marker = f"{indent}{pad}>"
    return [f"{marker} {line}" if line else marker for line in lines]


#: A line that may open an empty list item: list markers alone, after any quote markers,
#: indentation and other markers (`> 1. -`); it may also be a setext underline or code.
_EMPTY_ITEM = re.compile(r"(?:[ \t>]|(?:[-+*]|[0-9]{1,9}[.)])[ \t])*(?:[-+*]|[0-9]{1,9}[.)])[ \t]*")


def fits_in_a_list_item(lines: list[str]) -> bool:
    """Whether `lines`, quoted inside a list item (a topic's note), mean what they mean.

    goldmark, Hugo's parser, ends a list item, and the quote in it, at the first line
    after a blank line that follows an empty list item (`-` alone) in that quote: the
    rest of the note, and the topic's links, then read as something else (CommonMark's
    examples 280 and 315). A list that meets the blank line after its empty last item
    sets a flag in the parser's context that every list around it reads on the next
    line, and closes on (parser/list.go, `emptyListItemWithBlankLines`). Seen in Hugo
    0.111 (Debian's) and in goldmark 1.5.4 to 1.7.8 built alone; that code is unchanged
    in 1.8.5 (July 2026), and no goldmark or Hugo issue found (December 2026) reports it.
    A note that may hold an empty list item (a line of list markers alone, after quote
    markers or indentation; a setext underline or code may look the same, and is
    placed the same way: outside, where it means the same too) is not put in one.
    """
    return not any(_EMPTY_ITEM.fullmatch(line) for line in lines)


def _cache_key(text: str, allowed: Callable[[str], bool]) -> str | None:
    """The entry's name: a hash of the code, the link rule and the note; None: not kept.

    The rule is named by where it is defined, so only a function of coursetrack's
    own (whose source is in the hash) can be named; any other is not cached.
    """
    module = sys.modules.get(getattr(allowed, "__module__", None) or "")
    qualname = getattr(allowed, "__qualname__", "")
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if module is None or found is not allowed or not module.__name__.startswith("coursetrack."):
        return None
    code = _code_fingerprint()
    if code is None:
        return None
    import hashlib  # the cache's alone (as in the functions below): most notes are short

    digest = hashlib.sha256(code)
    digest.update(f"{module.__name__}:{qualname}\n".encode())
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes | None:
    """A hash of Python's version and every source file of coursetrack, markdown-it, mdurl.

    The files are found, not imported: a warm export never loads markdown-it.
    None (no cache) when a package's sources cannot be read, as from a zip.
    """
    import hashlib
    from importlib.util import find_spec

    digest = hashlib.sha256(sys.version.encode())
    try:
        for package in ("coursetrack", "markdown_it", "mdurl"):
            spec = find_spec(package)
            folders = (spec.submodule_search_locations or []) if spec else []
            paths = [(Path(f), p) for f in folders for p in sorted(Path(f).rglob("*.py"))]
            if not paths:
                return None
            for root, path in paths:
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    except (OSError, ImportError, ValueError):
        return None
    return digest.digest()


def _cache_folder(make: bool) -> Path | None:
    """The cache's folder, if it is this user's alone (no one else could plant an entry)."""
    from platformdirs import user_cache_path

    folder = user_cache_path("coursetrack", appauthor=False) / "notes"
    try:
        if make:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except OSError:
        return None
    if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
        return None
    return folder


def _cache_read(key: str) -> str | None:
    """The entry `key`, if it is whole, this user's, and written under this name."""
    folder = _cache_folder(make=False)
    if folder is None:
        return None
    try:
        with open(folder / key, "rb") as file:
            status = os.fstat(file.fileno())
            if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
                return None
            data = file.read()
        os.utime(folder / key)  # recently used: pruned last
    except OSError:
        return None
    digest, _, body = data.partition(b"\n")
    if _entry_digest(key, body) != digest:  # cut short, damaged, or another note's
        return None
    return body.decode("utf-8", "surrogatepass")


def _entry_digest(key: str, body: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(key.encode() + b"\n" + body).hexdigest().encode()


def _cache_write(key: str, written: str) -> None:
    folder = _cache_folder(make=True)
    if folder is None:
        return
    import tempfile

    body = written.encode("utf-8", "surrogatepass")
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(_entry_digest(key, body) + b"\n" + body)
        os.replace(temporary, folder / key)  # whole or not at all, whoever reads it
        temporary = None
        _prune(folder)
    except OSError:
        pass
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _prune(folder: Path) -> None:
    """The least recently used entries beyond _CACHE_ENTRIES go, as do parts left by a crash."""
    entries = []
    now = time.time()
    for entry in os.scandir(folder):
        with contextlib.suppress(OSError):
            modified = entry.stat().st_mtime
            if entry.name.startswith("."):
                if now - modified > 3600:
                    os.unlink(entry.path)
            else:
                entries.append((modified, entry.path))
    for _, path in sorted(entries)[: max(0, len(entries) - _CACHE_ENTRIES)]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _neutralise(text: str, allowed: Callable[[str], bool]) -> str:
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
    # Parsed with a line break at the end: markdown-it-py 4.3 reads past the end of a text
    # whose last line is a quote's marker under a raw HTML block in a list ('> - <script>'
    # then '> '), and the break changes no block's lines (CommonMark ends a text's last
    # line there anyway).
    tokens = md.parse(src if src.endswith("\n") else src + "\n", {})
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
    for (line, col), edit, drop in sorted(edits, reverse=True):
        lines[line] = lines[line][:col] + edit + lines[line][col + drop :]
    return "\n".join(lines)


def _inline_rules(content, spans, where, allowed, text_rule, code_rule, backslash) -> None:
    code = [False] * len(content)
    exempt = [False] * len(content)
    # An allowed image's alt text is text in every engine (markdown-it, goldmark, kramdown):
    # no bracket in it makes a link, and a `]` escaped there would end the alt early.
    alts = [
        (start + 2, label_end)
        for kind, start, _, href, label_end in spans
        if kind == "image" and label_end >= 0 and href is not None and allowed(href)
    ]
    for first, last in alts:
        for i in range(first, last):
            exempt[i] = exempt[i] or content[i] == "]"
    for kind, start, end, href, label_end in spans:
        if kind == "code":
            code[start:end] = [True] * (end - start)
        elif href is not None and allowed(href):
            # only the syntax of an allowed link: its `<`, or the `](` and a `(<` after
            # its label; HTML in its text or title is escaped like any other
            if kind == "autolink":  # its `<`, and a `]` in it (`<http://[::1]:8080/>`)
                exempt[start:end] = [True] * (end - start)
            elif label_end >= 0:
                exempt[label_end] = True
                after = content[label_end + 1 : end]
                if after.startswith("(") and after[1:].lstrip().startswith("<"):
                    exempt[label_end + 1 + len(after) - len(after[1:].lstrip())] = True
        else:
            bracket = start + 1 if kind == "image" else start
            if kind != "autolink" and content[bracket : bracket + 1] == "[":
                backslash(*where[bracket])
                if label_end >= 0 and any(a <= bracket < b for a, b in alts):
                    backslash(*where[label_end])  # both or neither: the alt keeps its end
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
