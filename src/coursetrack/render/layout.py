"""Lines fitted to the width outside tables: a heading cut to one row, label/value
fields, text wrapped under its label, hints, printed in one call.

No line is wider than the terminal (a row never wraps, README): a heading cuts
its title and keeps its figures, a hint breaks between words but never inside a
command it gives (`coursetrack review gda/2` copied from two lines is not a
command). One word longer than a line, a URL, runs past the edge whole, so it
can still be clicked and copied.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:  # the view's type, free at start-up
    from coursetrack.services.overview import PeerFlow


def _one_line(text: Text, width: int) -> Text:
    """A heading or title on one row: cut with `…` when the terminal is narrower."""
    text = text.copy()
    text.truncate(max(width, 1), overflow="ellipsis")
    text.rstrip()
    return text


#: Holds a command's words together while a line is wrapped (textwrap breaks at spaces
#: only); a NUL, which no text that went through `console.safe` still holds.
_GLUE = "\x00"


def _glued(text: str, commands: Sequence[str]) -> str:
    """`text` with the spaces inside each of `commands` made unbreakable for `_wrapped`."""
    for command in commands:
        text = text.replace(command, command.replace(" ", _GLUE))
    return text


def _hint(text: str, width: int, style: str = "", *, commands: Sequence[str] = ()) -> list[Text]:
    """A sentence on as few lines as `width` allows, broken between words, never inside
    one of `commands`."""
    return _wrapped(Text(""), _glued(text, commands), width, style)


def _command_hint(
    template: str, commands: Sequence[str], width: int, style: str = ""
) -> list[Text]:
    """`template` with `{}` as the first of `commands` (the same command with shorter refs)
    that lets it fit one line, else the first that fits a line of its own."""
    fitting = [c for c in commands if cell_len(template.format(c)) <= width]
    own_line = [c for c in commands if cell_len(c) <= width]
    command = (fitting or own_line or [min(commands, key=cell_len)])[0]
    return _hint(template.format(command), width, style, commands=[command])


def _heading(
    title: Text, refs: Sequence[Text], figures: Text, width: int, *, extra: Text | None = None
) -> Text:
    """`TITLE  REF  FIGURES[EXTRA]` on one row of `width`. The figures (units, the
    percent) are always whole. `refs` name the item, longest first (by slugs, by
    positions): the first that lets the title show whole is taken, with `extra`
    (", completed DATE") if it fits too. Else the shortest ref, the title cut to
    the room left, down to `_TITLE_KEPT` columns, and then the ref cut as well."""
    gap = "  "
    refs = [ref for ref in refs if ref.cell_len]
    tails = [figures + extra, figures] if extra is not None else [figures]
    for tail in tails:
        for ref in refs or [Text()]:
            line = Text.assemble(title, gap, *((ref, gap) if ref.cell_len else ()), tail)
            if line.cell_len <= width:
                return line
    ref = min(refs, key=lambda r: r.cell_len) if refs else Text()
    room = width - figures.cell_len - len(gap)
    title_room = max(room - ref.cell_len - len(gap), min(title.cell_len, _TITLE_KEPT))
    ref_room = room - title_room - len(gap)
    if ref_room < min(ref.cell_len, 5):  # no ref, or one cut to nothing: the title has it
        return Text.assemble(_one_line(title, max(room, 1)), gap, figures)
    return Text.assemble(_one_line(title, title_room), gap, _one_line(ref, ref_room), gap, figures)


#: How much of a heading's title stays before its ref is cut.
_TITLE_KEPT = 20


#: A command in a message: `coursetrack` and its words, up to a comma, a semicolon or a
#: parenthesis (`next: coursetrack next gda, then coursetrack status gda`).
_COMMAND = re.compile(r"coursetrack(?: [^\s,;()]+)+")


def message_lines(message: str, width: int, commands: Sequence[str] = ()) -> list[str]:
    """A one-line message (`done REF: TITLE`) on as few lines of `width` as it takes, the
    later ones indented two columns: broken between words, never inside a ref (one word)
    or a command (a `coursetrack …` in it, or one of `commands`, such as the command an
    undo names). A word longer than the line, a URL, runs past the edge whole, so it can
    still be clicked and copied: the one line that may be wider than `width`."""
    indent = "  "
    room = max(width - len(indent), 20)
    glued = _glued(message, [*commands, *_COMMAND.findall(message)])
    words: list[str] = []
    for word in glued.split(" "):  # `coursetrack next gda,`: the comma goes with its last run
        bare = word.rstrip(",;:.)")
        words.append(_chunks(bare, room - (len(word) - len(bare))) + word[len(bare) :])
    parts = textwrap.wrap(
        " ".join(words),
        max(width, 20),
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    # a word that fits the line only without the indent (a long ref) goes without it
    parts = [p.lstrip() if cell_len(p) > width >= cell_len(p.lstrip()) else p for p in parts]
    return [part.replace(_GLUE, " ") for part in parts] or [""]


def _chunks(glued: str, room: int) -> str:
    """A glued command longer than `room`: its words in as few glued runs as fit `room`
    (the first one as long as it can be, so the verb and the ref stay together)."""
    if len(glued) <= room or _GLUE not in glued:
        return glued
    runs: list[str] = []
    for word in glued.split(_GLUE):
        if runs and len(runs[-1]) + 1 + len(word) <= room:
            runs[-1] += _GLUE + word
        else:
            runs.append(word)
    return " ".join(runs)


def _wrapped(prefix: Text, value: str, width: int, style: str = "") -> list[Text]:
    """`prefix` then `value` word-wrapped under itself; its own line breaks and indents kept.

    A word longer than the line (a URL) is never broken: it runs past the edge
    whole, so it can still be clicked and copied.
    """
    indent = " " * prefix.cell_len
    room = max(width - prefix.cell_len, 20)
    out: list[Text] = []
    for source in value.split("\n"):
        # a command longer than any line breaks between its words, not past the edge
        source = " ".join(_chunks(word, room) for word in source.split(" "))
        lead = source[: len(source) - len(source.lstrip(" \t"))].expandtabs()
        parts = textwrap.wrap(
            source.expandtabs(),
            room,
            subsequent_indent=lead,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
        for part in parts:
            line = prefix.copy() if not out else Text(indent)
            line.append(part.replace(_GLUE, " "), style=style)
            line.rstrip()
            out.append(line)
    return out


def _fields(rows: list[tuple[str, Text | str, str]], width: int) -> list[Text]:
    """Label/value lines; each row's mode is `wrap`, `cut` (one line) or `whole` (a URL)."""
    if not rows:
        return []
    label_width = max(cell_len(label) for label, _, _ in rows)
    out: list[Text] = []
    for label, value, mode in rows:
        prefix = Text()
        prefix.append(label, style="bold")  # the label only: a base style would cover the value
        prefix.append(" " * (label_width - cell_len(label) + 2))
        value = value if isinstance(value, Text) else Text(value)
        if mode == "wrap":
            out.extend(_wrapped(prefix, value.plain, width, str(value.style or "")))
        else:
            line = prefix + value
            out.append(_one_line(line, width) if mode == "cut" else line)
    return out


def _print_lines(console: Console, lines: list[Text]) -> None:
    """Lines already fitted, printed as they are, in one call.

    A call per line cost Rich's whole print (terminal checks, size, segments)
    each time: `show` of a topic with a 100,000-character note prints 2,400
    lines, and that took 0.4 s of its 0.5.
    """
    if lines:
        console.print(Text("\n").join(lines), crop=False, overflow="ignore", no_wrap=True)


def _peer_lines(peer: PeerFlow | None, width: int) -> list[Text]:
    """What peer review asks of the learner (`status`, `next` on a study group's store;
    None: nothing): the reviews waiting for her, and the new reviews of her own work,
    each with the command that lists them. Nothing is said of a count that is 0."""
    if peer is None:
        return []
    waiting, new = peer.waiting, peer.new_reviews
    lines: list[Text] = []
    if waiting:
        are = "1 peer review is" if waiting == 1 else f"{waiting} peer reviews are"
        lines += _command_hint(f"{are} waiting: {{}}", ["coursetrack peer list"], width, "yellow")
    if new:
        reviews = "1 new review" if new == 1 else f"{new} new reviews"
        command = ["coursetrack peer list --mine"]
        lines += _command_hint(f"your work got {reviews}: {{}}", command, width, "green")
    return lines
