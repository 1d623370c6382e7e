"""The console: where output goes, how wide it is, and the one door user text goes through.

Rich decides colour: none under NO_COLOR or when output is not a terminal.
User text always goes in through `safe` and as `Text`, never as markup, so a
title such as `[bold]` or `[/x]`, or one carrying escape sequences, bidi
overrides or zero-width characters, prints as harmless, visible text. Nor are
emoji codes read (`emoji=False`): a `:smile:` is printed as typed, and Rich
does not load its table of 3,600 emoji names (3 ms) to look up the words of
every plain-text cell (a date, a count) of every table.

Width: `COLUMNS` when set, else the terminal's width, else (a pipe or a file)
80 columns. Messages (`success`, `notice`, `error`) are one line each, never
wrapped by the terminal: on one narrower than 80 columns a message on stdout is
broken between words to fit (never inside a ref or a command), at 80 and up it
stays one line; `print_json` writes JSON for scripts.

Every command that prints imports this module, so it holds no more than that:
Rich's table machinery and the views load only with the command that draws them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from coursetrack.controls import invisible, printable


def safe(text: str, *, one_line: bool = False) -> str:
    """User text as the terminal shows it: the one door every user text goes through.

    Control characters come out as `\\x1b`, invisible format characters (RTL
    overrides, zero-width spaces) as `\\u202e`: shown, never obeyed.
    """
    return printable(text, one_line=one_line)


def _text(value: str, style: str = "", *, one_line: bool = True) -> Text:
    """User text for a cell or a line: one row (a line break shows as `\\x0a`) unless asked."""
    return Text(safe(value, one_line=one_line), style=style)


#: Width for output that goes to a pipe or a file when COLUMNS is not set.
PIPE_WIDTH = 80


def width() -> int | None:
    """COLUMNS if set, else None (Rich asks the terminal) on a terminal, else PIPE_WIDTH.

    Rich alone would take the width of whichever standard stream is a terminal,
    so `status > file` typed at a 200-column terminal wrote 200-column lines.
    """
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if _is_tty(sys.stdout) else PIPE_WIDTH


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False, emoji=False, width=width())


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def error(message: str) -> None:
    """One message on stderr (one line when piped, see `_fitted`); the CLI picks the exit code."""
    console = stderr()
    text = _fitted(console, f"Error: {safe(message, one_line=True)}")
    console.print(Text(text, style="red"), overflow="ignore", crop=False)


def notice(message: str) -> None:
    console = stderr()
    text = _fitted(console, safe(message, one_line=True))
    console.print(Text(text, style="yellow"), overflow="ignore", crop=False)


#: Below this width a message is broken between words to fit the terminal (see
#: `layout.message_lines`); at the README's 80 columns and up each stays on one line, as
#: the README shows it and a script greps it.
FIT_BELOW = PIPE_WIDTH


def _fitted(console: Console, text: str, commands: Sequence[str] = ()) -> str:
    """`text` broken between words to fit the console (`layout.message_lines`), where it
    is longer than a line that is narrower than `FIT_BELOW` or a terminal's; else as it is,
    so a pipe at the README's width gets one line a script can grep."""
    width = console.width
    narrow = width < FIT_BELOW or console.is_terminal
    if not narrow or len(text) <= width // 2 or cell_len(text) <= width:
        return text
    from coursetrack.render.layout import message_lines

    shown = [safe(command, one_line=True) for command in commands]
    return "\n".join(message_lines(text, width, shown))


def _say(console: Console, message: str, commands: Sequence[str] = ()) -> None:
    """One message on stdout: one line, or on a narrow terminal as many as fit it."""
    text = _fitted(console, safe(message, one_line=True), commands)
    console.print(Text(text), overflow="ignore", crop=False)


def success(message: str, *, commands: Sequence[str] = ()) -> None:
    """A writing command's message; `commands` are never broken across lines."""
    _say(stdout(), message, commands)


def aside(message: str) -> None:
    """A plain line on stderr, beside output that went to stdout for a pipe or file."""
    stderr().print(Text(safe(message, one_line=True)), overflow="ignore", crop=False)


def lines(messages: list[str]) -> None:
    console = stdout()
    for message in messages:
        _say(console, message)


def _plain(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_data(obj: object) -> object:
    """Dataclasses as plain dicts and lists, ready for JSON."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return obj


def print_json(data: object) -> None:
    """JSON for scripts: plain text, no colour, no wrapping, dates as ISO strings."""
    import json  # here: a table or a message, what most runs print, needs none of it

    # \u escapes where stdout cannot carry every character (PYTHONIOENCODING=ascii): lossless
    ascii_only = not _utf8(sys.stdout)
    text = json.dumps(to_data(data), indent=2, ensure_ascii=ascii_only, default=_plain)
    # json leaves DEL, the C1 controls and invisible characters (U+202E...) raw;
    # as \u escapes they read back the same, and no terminal acts on them
    text = re.sub("[\x7f-\x9f]", _json_escape, text)
    sys.stdout.write(invisible().sub(_json_escape, text))
    sys.stdout.write("\n")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells it as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _utf8(stream: object) -> bool:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    return encoding.startswith("utf")


def _is_tty(stream: TextIO) -> bool:
    """A real terminal; not Rich's view, which FORCE_COLOR can talk into a pipe."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed stream
        return False
