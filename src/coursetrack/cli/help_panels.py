"""`--help`'s panels drawn as plain lines where nothing is styled (a pipe, a file).

Typer prints each panel of a command's help (its arguments, its options, its
commands) as a Rich `Panel` around a borderless `Table`, and Rich lays that out
cell by cell through paddings, segments and shapes: about 13 ms of the root's
`--help`, most of what it cost beyond the floor. Where the console prints no
styles at all (no colour system: output to a pipe or a file), the lines are put
together here instead, from what decides them in Rich too: the table's lines
as `render.tables.grid_lines` draws a borderless table, Rich's box characters.
Anything else (colour, a title with markup, a cell that is not text, options
that Columns would set side by side) is printed by Rich as before.
tests/test_help_panels.py holds the two to the same bytes, for every command's
help at many widths.

Typer's help text goes through `Text.from_markup`, which replaces emoji codes
(`:smile:`), loading Rich's table of 3,600 emoji names (2 ms) for every help.
None of ours holds one: where a text has nothing an emoji code could be made
of, it is read with the replacement off, which gives the same text; and where
the help goes unstyled, it is not highlighted (styles no one would see).

Both are installed on Typer's help module by `install`, which `cli.help` calls
when it imports that module.
"""

from __future__ import annotations

import inspect
import re
from functools import partial
from typing import Any

from rich.cells import cell_len
from rich.columns import Columns
from rich.console import Console, ConsoleOptions
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from coursetrack.render.tables import _cell_lines, grid_lines

#: What Rich's `_emoji_replace` looks for: a text without a match comes out unchanged.
_EMOJI_CODE = re.compile(r"(:(\S*?)(?:(?:\-)(emoji|text))?:)")


def install(rich_utils: Any) -> None:
    """Put the plain panels and the emoji-free markup into Typer's help module, once."""
    if getattr(rich_utils, "_coursetrack_plain_panels", False):
        return
    rich_utils._coursetrack_plain_panels = True
    rich_utils._get_rich_console = partial(_help_console, rich_utils._get_rich_console)
    rich_utils._make_rich_text = partial(_rich_text, rich_utils._make_rich_text, rich_utils)


def _rich_text(original: Any, rich_utils: Any, *, text: str, style: str = "", markup_mode: Any):
    """Typer's `_make_rich_text`, without the emoji lookup where no code can match."""
    if markup_mode != "rich" or rich_utils.ANSI_PREFIX in text:
        return original(text=text, style=style, markup_mode=markup_mode)
    text = inspect.cleandoc(text)
    if _EMOJI_CODE.search(text):
        return original(text=text, style=style, markup_mode=markup_mode)
    plain = Text.from_markup(text, style=style, emoji=False)
    return plain if _unstyled else rich_utils.highlighter(plain)


#: Whether the help being drawn goes where no style is printed: its highlighting (the
#: options' colours, found by regular expressions in every text) would be lost work.
_unstyled = False


def _help_console(original: Any, stderr: bool = False) -> Console:
    """Typer's help console, whose `print` draws a plain panel itself where it can."""
    global _unstyled
    console = original(stderr=stderr)
    if not stderr:  # the help's own: Typer makes it first, then the texts it prints
        _unstyled = _plain_console(console)
    rich_print = console.print

    def print_panel_or(*objects: Any, **options: Any) -> None:
        if len(objects) == 1 and not options and isinstance(objects[0], Panel):
            lines = panel_lines(console, objects[0])
            if lines is not None:
                console.file.write("".join(f"{line}\n" for line in lines))
                return
        rich_print(*objects, **options)

    console.print = print_panel_or  # type: ignore[method-assign]
    return console


def _plain_console(console: Console) -> bool:
    """Whether the console prints text and nothing else: no style, no record, no quirks."""
    return (
        console.color_system is None
        and not console.record
        and not console.quiet
        and not console.is_jupyter
        and not console.legacy_windows
        and console._buffer_index == 0
    )


def _plain_title(title: Any) -> str | None:
    """A panel's title as Rich prints it, if it is plain text (no markup, no emoji code)."""
    if not isinstance(title, str) or "[" in title or _EMOJI_CODE.search(title):
        return None
    if any(c in title for c in "\n\t\r\x1b"):
        return None
    return f" {title} "


def panel_lines(console: Console, panel: Panel) -> list[str] | None:
    """The lines Rich prints for `panel` around a borderless table, or None (Rich prints it)."""
    table = panel.renderable
    if not _plain_console(console) or not isinstance(table, Table):
        return None
    if (
        not panel.expand
        or panel.width is not None
        or panel.height is not None
        or panel.subtitle is not None
        or panel.title_align != "left"
        or Padding.unpack(panel.padding) != (0, 1, 0, 1)
    ):
        return None
    title = _plain_title(panel.title)
    options = console.options
    width = options.max_width
    if title is None or width < 12 or cell_len(title) > width - 4:
        return None
    inner = width - 4  # the border and a space each side
    lines = grid_lines(console, table, options.update_width(inner), cells=_lines)
    if lines is None:
        return None
    box = panel.box.substitute(options, safe=console.safe_box)
    top = box.top_left + box.top + title + box.top * (width - 4 - cell_len(title))
    out = [top + box.top + box.top_right]
    for line in lines:
        out.append(f"{box.mid_left} {line}{' ' * (inner - cell_len(line))} {box.mid_right}")
    out.append(box.get_bottom([width - 2]))
    return out


def _lines(console: Console, cell: Any, width: int, options: ConsoleOptions) -> list[str] | None:
    """A cell's lines: text, an empty string, or Typer's Columns of texts one under another."""
    if isinstance(cell, str):  # the required column's blank: a markup text goes to Rich
        return [" " * width] if cell == "" else None
    if isinstance(cell, Columns):
        return _stacked(console, cell, width, options)
    if isinstance(cell, Text) and getattr(cell, "vertical", None) in (None, "top"):
        return _cell_lines(console, cell, width, options)
    return None


def _stacked(console: Console, columns: Columns, width: int, options: ConsoleOptions):
    """A Columns of texts (an option's help, then its env var, default...) as Rich lays it
    out where they do not fit side by side: one under another; None where they would fit."""
    items = columns.renderables
    if (
        not items
        or columns.width is not None
        or columns.equal
        or columns.expand
        or columns.align is not None
        or columns.column_first
        or columns.right_to_left
        or columns.title is not None
        or Padding.unpack(columns.padding) != (0, 1, 0, 1)
    ):
        return None
    sizes = []
    for item in items:
        if not isinstance(item, Text) or not item.plain or "\t" in item.plain:
            return None
        sizes.append(min(max(cell_len(line) for line in item.plain.splitlines()), width))
    if _columns_count(sizes, width) != 1:
        return None
    lines: list[str] = []
    for item in items:
        found = _cell_lines(console, item, width, options)
        if found is None:
            return None
        lines += found
    return lines


def _columns_count(sizes: list[int], width: int) -> int:
    """How many columns Rich's Columns sets its items in, row by row (its own loop)."""
    count = len(sizes)
    while count > 1:
        widths: dict[int, int] = {}
        column = 0
        padded = sizes + [0] * ((count - len(sizes) % count) % count)
        for size in padded:
            widths[column] = max(widths.get(column, 0), size)
            if sum(widths.values()) + (len(widths) - 1) > width:
                count = len(widths) - 1
                break
            column = (column + 1) % count
        else:
            break
    return count
