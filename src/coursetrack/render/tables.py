"""Tables fitted to the terminal's width, and printing without trailing spaces.

Tables fit the width (see `console.width`) without wrapping a row. A column
with no value in any row is not shown (an empty `Started` only took a title's
room). The optional columns (dates) go, the highest `drop` first, before a title
is cut: a date is worth less than the words of a title, up to a title's first
`TITLE_ENOUGH` columns (a longer one is cut anyway on most terminals, and a done
course's date is worth more than its 61st column). A column the caller marks
`keep` (the start of an item in progress: when it began is what the learner
looks for) goes only when the titles would get fewer than `TITLE_MIN` columns.
Then a title is cut with `…`. Lines never end in spaces, so piped output diffs
cleanly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, JustifyMethod, RenderableType
from rich.padding import Padding
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

#: A column marked `keep` goes only when it would leave the titles fewer columns than this
#: (`status SPEC` at 60 columns, its Progress a bare percent, leaves them 15).
TITLE_MIN = 14
#: The columns of a title that optional columns give way to (see the module docstring).
TITLE_ENOUGH = 60
#: Columns between two table columns (Rich's SIMPLE_HEAD divider plus one of padding).
GAP = 2


@dataclasses.dataclass(frozen=True)
class Column:
    """A table column: `title` ones share the room left and are cut with `…`;
    `drop` ones (dates) go on a narrow terminal, the highest `drop` first, and
    those also marked `keep` last of all (see the module docstring)."""

    header: str
    justify: JustifyMethod = "left"
    style: str = ""
    title: bool = False
    drop: int = 0
    keep: bool = False


def _measure(cell: RenderableType) -> int:
    if isinstance(cell, Group):
        return max((_measure(part) for part in cell.renderables), default=0)
    plain = cell.plain if isinstance(cell, Text) else str(cell)
    return max((cell_len(line) for line in plain.split("\n")), default=0)


def _share(room: int, wants: list[int]) -> list[int]:
    """Split `room` among title columns: each gets what it needs or an equal share."""
    given = [0] * len(wants)
    pending = sorted(range(len(wants)), key=lambda i: wants[i])
    while pending:
        fair = max(room, 0) // len(pending)
        first = pending[0]
        if wants[first] <= fair:
            given[first] = wants[first]
            room -= wants[first]
            pending.pop(0)
            continue
        for n, i in enumerate(pending):
            given[i] = max(4, fair + (1 if n < room - fair * len(pending) else 0))
        break
    return given


class FittedTable(Table):
    """A table made by `fitted_table`, which `_emit` may print without Rich's table
    machinery (see `_plain_table`).

    `under` holds, for each row, a line printed beneath it (or None) that starts
    `under_at` columns in and runs to the table's width, cut with `…`: the
    overview's activity line sits under its title that way, on one line, where
    as a second line of the title's cell it wrapped over three at 60 columns.
    """

    under: Sequence[Text | None] = ()
    under_at: int = 0
    fitted_width: int = 0

    def under_line(self, index: int) -> Text | None:
        """The line under body row `index`, fitted to the width, or None."""
        if index >= len(self.under) or self.under[index] is None:
            return None
        line = self.under[index]
        assert line is not None
        text = line.copy()
        text.truncate(max(self.fitted_width - self.under_at, 1), overflow="ellipsis")
        text.rstrip()
        return Text(" " * self.under_at) + text


def fitted_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[RenderableType]],
    *,
    width: int,
    under: Sequence[Text | None] = (),
    under_column: int = 0,
) -> Table:
    """A table at most `width` wide whose rows never wrap: see the module docstring."""
    widest = [max((_measure(row[i]) for row in rows), default=0) for i in range(len(columns))]
    if under:  # the lines under the rows ask their column for room, as a cell's would
        widest[under_column] = max([widest[under_column], *(u.cell_len for u in under if u)])
    natural = [max(cell_len(col.header), widest[i]) for i, col in enumerate(columns)]
    active = [i for i in range(len(columns)) if widest[i] or not rows]

    def room_for_titles() -> int:
        fixed = sum(natural[i] for i in active if not columns[i].title)
        return width - fixed - GAP * (len(active) - 1)

    titles = [i for i in active if columns[i].title]
    enough = sum(min(natural[i], TITLE_ENOUGH) for i in titles)
    floor = sum(min(natural[i], TITLE_MIN) for i in titles)
    by_drop = sorted((i for i in active if columns[i].drop), key=lambda i: -columns[i].drop)
    for i in [i for i in by_drop if not columns[i].keep] + [i for i in by_drop if columns[i].keep]:
        if room_for_titles() >= (floor if columns[i].keep else enough):
            break
        active.remove(i)
    room = room_for_titles()
    widths = dict(zip(titles, _share(room, [natural[i] for i in titles]), strict=True))
    table = FittedTable(
        box=box.SIMPLE_HEAD,
        padding=(0, 0, 0, 1),
        pad_edge=False,
        show_edge=False,
        header_style="bold",
    )
    for i in active:
        col = columns[i]
        table.add_column(
            col.header,
            justify=col.justify,
            style=col.style,
            no_wrap=True,
            overflow="ellipsis",
            width=widths.get(i, natural[i]),
        )
    for row in rows:
        table.add_row(*(row[i] for i in active))
    table.under = list(under)
    table.under_at = sum(widths.get(i, natural[i]) + GAP for i in active if i < under_column)
    table.fitted_width = width
    return table


def _emit(console: Console, *renderables: RenderableType) -> None:
    """Print, dropping the spaces Rich pads lines with (a pipe gets no trailing spaces)."""
    for renderable in renderables:
        out: list[Segment] = []
        plain = _plain_table(console, renderable)
        if plain is None and console.color_system is None and isinstance(renderable, Table):
            plain = grid_lines(console, renderable, console.options)  # `log`'s grid
        if plain is not None:
            for text in plain:
                out += [Segment(text.rstrip(" ")), Segment.line()]
            console.print(Segments(out), end="", crop=False, overflow="ignore")
            continue
        for line in _with_under_lines(console, renderable):
            while line and not line[-1].control and not line[-1].text.rstrip(" "):
                line.pop()
            if line and not line[-1].control:
                last = line[-1]
                line[-1] = Segment(last.text.rstrip(" "), last.style)
            out.extend(line)
            out.append(Segment.line())
        console.print(Segments(out), end="", crop=False, overflow="ignore")


def grid_lines(
    console: Console,
    table: Table,
    options: ConsoleOptions,
    *,
    cells: Callable[[Console, RenderableType, int, ConsoleOptions], list[str] | None] | None = None,
) -> list[str] | None:
    """A borderless table's lines as Rich lays it out where no style shows, or None.

    The columns get the widths Rich's own `Table._calculate_column_widths` gives
    them, each cell its padding from `Table._get_cells`, and its lines from
    `cells` (`_cell_lines`: text, as Rich's `Text.wrap` makes it at that width).
    A table with borders, or anything else it does not draw, is None,
    as is a cell `cells` does not know: Rich prints those.
    """
    if (
        table.box is not None  # without one, a header (or footer) is a row like the others
        or table.show_lines
        or table.leading
        or table.row_styles
        or table.title is not None
        or table.caption is not None
        or table.width is not None
        or table.min_width is not None
        or not table.columns
    ):
        return None
    cell_lines = cells or _cell_lines
    widths = table._calculate_column_widths(console, options)
    columns = []
    for index, (column, size) in enumerate(zip(table.columns, widths, strict=True)):
        if column.vertical != "top":
            return None
        in_column = options.update(
            width=size,
            justify=column.justify,
            no_wrap=column.no_wrap,
            overflow=column.overflow,
            height=None,
            highlight=column.highlight,
        )
        found = []
        for cell in table._get_cells(console, index, column):
            padded = cell.renderable
            if not isinstance(padded, Padding) or padded.top or padded.bottom:
                return None
            if getattr(padded.renderable, "vertical", None) not in (None, "top"):
                return None
            room = size - padded.left - padded.right
            if room < 1:  # a column of nothing (Typer's for secondary options): its padding
                if room == 0 and _blank(padded.renderable):
                    found.append([" " * size])
                    continue
                return None
            lines = cell_lines(console, padded.renderable, room, in_column.update_width(room))
            if lines is None:
                return None
            found.append([" " * padded.left + line + " " * padded.right for line in lines])
        columns.append(found)
    out: list[str] = []
    for index, row in enumerate(zip(*columns, strict=True)):
        height = max(len(lines) for lines in row)
        # Rich puts a header's cells at the bottom of their row, every other at the top
        bottom = index == 0 and table.show_header
        shaped = [
            [" " * size] * (height - len(lines)) + lines
            if bottom
            else lines + [" " * size] * (height - len(lines))
            for lines, size in zip(row, widths, strict=True)
        ]
        out += ["".join(parts) for parts in zip(*shaped, strict=True)]
    return out


def _blank(cell: RenderableType) -> bool:
    return cell == "" or (isinstance(cell, Text) and cell.plain == "")


def _with_under_lines(console: Console, renderable: RenderableType) -> list[list[Segment]]:
    """Rich's lines for `renderable`, a fitted table's lines under its rows put in."""
    lines = console.render_lines(renderable, pad=False, new_lines=False)
    if not isinstance(renderable, FittedTable) or not renderable.under:
        return lines
    head = len(lines) - renderable.row_count
    if head != 2:  # a header and its rule, then a line a row: a fitted table's shape
        return lines
    out = lines[:head]
    for index, line in enumerate(lines[head:]):
        out.append(line)
        under = renderable.under_line(index)
        if under is not None:
            out += console.render_lines(under, pad=False, new_lines=False)
    return out


def _plain_table(console: Console, table: RenderableType) -> list[str] | None:
    """The lines Rich prints for a fitted table where no style reaches the output, or None.

    Rich lays a table out cell by cell through paddings, segments and shapes:
    about 0.35 ms a row, 70 ms of `status` over 200 programs. Where the console
    prints no styles at all (no colour system: a pipe, a file) the lines are put
    together here from what decides a cell's text in Rich too, each cell's own
    `Text.wrap` at its column's width, with Rich's box characters and padding.
    None (Rich prints it) for anything else: colour, or a table Rich would
    have to narrow. tests/test_tables.py holds the two to the same bytes.
    """
    if not isinstance(table, FittedTable) or console.color_system is not None:
        return None
    columns = table.columns
    pads = [0 if i == 0 else 1 for i in range(len(columns))]  # padding (0, 0, 0, 1), no edge
    sizes: list[int] = []  # each column's width, which fitted_table sets
    for col in columns:
        if col.width is None or col.width < 1:
            return None
        sizes.append(col.width)
    widths = [size + pad for size, pad in zip(sizes, pads, strict=True)]
    options = console.options  # measured each time it is asked for: once here
    if sum(widths) + len(columns) - 1 > options.max_width:
        return None  # Rich would narrow the columns: let it
    shape = table.box.substitute(options, safe=True) if table.box else None
    if shape is None:
        return None
    cells_by_column = []
    for col, size in zip(columns, sizes, strict=True):
        cells = []
        in_column = options.update(
            width=size,
            justify=col.justify,
            no_wrap=col.no_wrap,
            overflow=col.overflow,
            height=None,
            highlight=col.highlight,
        )
        for cell in [col.header, *col.cells]:
            lines = _cell_lines(console, cell, size, in_column)
            if lines is None:
                return None
            cells.append(lines)
        cells_by_column.append(cells)
    rows = list(zip(*cells_by_column, strict=True))
    out: list[str] = []
    for index, row in enumerate(rows):
        height = max(len(lines) for lines in row)
        divider = (
            shape.head_vertical
            if index == 0
            else (shape.foot_vertical if index == len(rows) - 1 else shape.mid_vertical)
        )
        shaped = []
        for lines, size, pad in zip(row, sizes, pads, strict=True):
            blank = [" " * size] * (height - len(lines))
            lines = blank + lines if index == 0 else lines + blank  # a header sits at the bottom
            shaped.append([" " * pad + line for line in lines])
        out += [divider.join(parts) for parts in zip(*shaped, strict=True)]
        if index == 0:
            out.append(shape.get_row(widths, "head", edge=False))
        elif index - 1 < len(table.under) and (under := table.under[index - 1]) is not None:
            plain = under.plain  # most fit as they are: no Text copied, nothing cut
            fits = "\n" not in plain and cell_len(plain) <= table.fitted_width - table.under_at
            if fits:
                out.append(" " * table.under_at + plain)
            else:
                out.append(table.under_line(index - 1).plain)  # type: ignore[union-attr]
    return out


def _cell_lines(
    console: Console, cell: RenderableType, width: int, options: ConsoleOptions
) -> list[str] | None:
    """A cell's lines at its column's width, as Rich's Text renders them there."""
    lines: list[str] = []
    for part in cell.renderables if isinstance(cell, Group) else [cell]:
        if isinstance(part, str):  # as Console.render makes text of a string
            part = console.render_str(part, highlight=options.highlight, markup=options.markup)
        if not isinstance(part, Text) or part.end != "\n":
            return None
        justify = part.justify or options.justify or "default"
        plain = part.plain
        if (
            justify in ("default", "left", "right")
            and "\n" not in plain
            and "\t" not in plain
            and cell_len(plain) <= width
        ):  # one line that fits, as `Text.wrap` leaves it: most cells, for a fraction of it
            if justify == "right":
                plain = plain.rstrip()
                plain = " " * (width - cell_len(plain)) + plain
            lines.append(set_cell_size(plain, width))
            continue
        wrapped = part.wrap(
            console,
            width,
            justify=justify,
            overflow=part.overflow or options.overflow or "fold",
            tab_size=(console.tab_size if part.tab_size is None else part.tab_size) or 8,
            no_wrap=part.no_wrap if part.no_wrap is not None else bool(options.no_wrap),
        )
        lines += [set_cell_size(line.plain, width) for line in wrapped]
    return lines
