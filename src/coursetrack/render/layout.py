"""Lines fitted to the width outside tables: a heading cut to one row, label/value
fields, text wrapped under its label, printed in one call."""

from __future__ import annotations

import textwrap

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text


def _one_line(text: Text, width: int) -> Text:
    """A heading or title on one row: cut with `…` when the terminal is narrower."""
    text = text.copy()
    text.truncate(max(width, 1), overflow="ellipsis")
    text.rstrip()
    return text


def _wrapped(prefix: Text, value: str, width: int, style: str = "") -> list[Text]:
    """`prefix` then `value` word-wrapped under itself; its own line breaks and indents kept.

    A word longer than the line (a URL) is never broken: it runs past the edge
    whole, so it can still be clicked and copied.
    """
    indent = " " * prefix.cell_len
    room = max(width - prefix.cell_len, 20)
    out: list[Text] = []
    for source in value.split("\n"):
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
            line.append(part, style=style)
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
