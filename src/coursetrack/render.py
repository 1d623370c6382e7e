"""Everything the terminal sees: Rich tables, bars, messages and JSON.

Rich decides colour: none under NO_COLOR or when output is not a terminal.
User text always goes in through `safe` and as `Text`, never as markup, so a
title such as `[bold]` or `[/x]`, or one carrying escape sequences, bidi
overrides or zero-width characters, prints as harmless, visible text. That
holds for the progress bar too, which draws on another thread.

Width: `COLUMNS` when set, else the terminal's width, else (a pipe or a file)
80 columns. Tables fit that width without wrapping a row: a title is cut with
`…`, and an optional column (a date) goes when a title would otherwise get
less than `TITLE_MIN` columns, or when dropping it lets every title show
whole. Lines never end in spaces, so piped output diffs cleanly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import sys
import textwrap
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from coursetrack.controls import INVISIBLE, printable

if TYPE_CHECKING:  # the views' types, free at start-up
    from coursetrack.services.group import GroupCourse, GroupStatus
    from coursetrack.services.planning import NextList, Plan
    from coursetrack.services.show import Details
    from coursetrack.services.status import ItemProgress, Overview, Report, SpecializationSummary

STATUS_STYLE = {"done": "green", "in-progress": "yellow", "todo": "dim"}
BAR_WIDTH = 10


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
    return Console(highlight=False, soft_wrap=False, width=width())


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def error(message: str) -> None:
    """One line on stderr; the CLI picks the exit code."""
    stderr().print(
        Text(f"Error: {safe(message, one_line=True)}", style="red"), overflow="ignore", crop=False
    )


def notice(message: str) -> None:
    stderr().print(
        Text(safe(message, one_line=True), style="yellow"), overflow="ignore", crop=False
    )


def success(message: str) -> None:
    stdout().print(Text(safe(message, one_line=True)), overflow="ignore", crop=False)


def aside(message: str) -> None:
    """A plain line on stderr, beside output that went to stdout for a pipe or file."""
    stderr().print(Text(safe(message, one_line=True)), overflow="ignore", crop=False)


def lines(messages: list[str]) -> None:
    console = stdout()
    for message in messages:
        console.print(Text(safe(message, one_line=True)), overflow="ignore", crop=False)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_data(obj: Any) -> Any:
    """Dataclasses as plain dicts and lists, ready for JSON."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return obj


def print_json(data: Any) -> None:
    """JSON for scripts: plain text, no colour, no wrapping, dates as ISO strings."""
    # \u escapes where stdout cannot carry every character (PYTHONIOENCODING=ascii): lossless
    ascii_only = not _utf8(sys.stdout)
    text = json.dumps(to_data(data), indent=2, ensure_ascii=ascii_only, default=_plain)
    # json leaves DEL, the C1 controls and invisible characters (U+202E...) raw;
    # as \u escapes they read back the same, and no terminal acts on them
    text = re.sub("[\x7f-\x9f]", _json_escape, text)
    sys.stdout.write(INVISIBLE.sub(_json_escape, text))
    sys.stdout.write("\n")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells it as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _utf8(stream: Any) -> bool:
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "")
    return encoding.startswith("utf")


def bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    """A bar that still reads without colour: filled blocks, then light shade (# and - in ASCII)."""
    filled = round(width * done / total) if total else 0
    if done < total:
        filled = min(filled, width - 1)  # a full bar means finished
    full, empty = ("█", "░") if _utf8(sys.stdout) else ("#", "-")
    text = Text(full * filled, style="green")
    text.append(empty * (width - filled), style="dim")
    return text


def _status(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _pct(value: float) -> str:
    from coursetrack.services.status import whole_percent

    return f"{whole_percent(value)}%"


#: Below this many columns a title is cut only after the optional columns are dropped.
TITLE_MIN = 24
#: Columns between two table columns (Rich's SIMPLE_HEAD divider plus one of padding).
GAP = 2


@dataclasses.dataclass(frozen=True)
class Column:
    """A table column: `title` ones share the room left and are cut with `…`;
    `drop` ones (dates) go on a narrow terminal, the highest `drop` first."""

    header: str
    justify: str = "left"
    style: str = ""
    title: bool = False
    drop: int = 0


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
    machinery (see `_plain_table`)."""


def fitted_table(
    columns: Sequence[Column], rows: Sequence[Sequence[RenderableType]], *, width: int
) -> Table:
    """A table at most `width` wide whose rows never wrap: see the module docstring."""
    natural = [
        max([cell_len(col.header), *(_measure(row[i]) for row in rows)])
        for i, col in enumerate(columns)
    ]
    active = list(range(len(columns)))
    while True:
        titles = [i for i in active if columns[i].title]
        fixed = sum(natural[i] for i in active if not columns[i].title)
        room = width - fixed - GAP * (len(active) - 1)
        droppable = [i for i in active if columns[i].drop]
        if not droppable:
            break
        first = max(droppable, key=lambda i: columns[i].drop)
        wanted = sum(natural[i] for i in titles)
        if room >= sum(min(natural[i], TITLE_MIN) for i in titles) and (
            room >= wanted or room + natural[first] + GAP < wanted
        ):
            break  # titles have room enough, and dropping one more would not make them whole
        active.remove(first)
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
            justify=col.justify,  # type: ignore[arg-type]
            style=col.style,
            no_wrap=True,
            overflow="ellipsis",
            width=widths.get(i, natural[i]),
        )
    for row in rows:
        table.add_row(*(row[i] for i in active))
    return table


def _emit(console: Console, *renderables: RenderableType) -> None:
    """Print, dropping the spaces Rich pads lines with (a pipe gets no trailing spaces)."""
    for renderable in renderables:
        out: list[Segment] = []
        plain = _plain_table(console, renderable)
        if plain is not None:
            for text in plain:
                out += [Segment(text.rstrip(" ")), Segment.line()]
            console.print(Segments(out), end="", crop=False, overflow="ignore")
            continue
        for line in console.render_lines(renderable, pad=False, new_lines=False):
            while line and not line[-1].control and not line[-1].text.rstrip(" "):
                line.pop()
            if line and not line[-1].control:
                last = line[-1]
                line[-1] = Segment(last.text.rstrip(" "), last.style)
            out.extend(line)
            out.append(Segment.line())
        console.print(Segments(out), end="", crop=False, overflow="ignore")


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
    if any(col.width is None or col.width < 1 for col in columns):
        return None
    widths = [col.width + pad for col, pad in zip(columns, pads, strict=True)]
    options = console.options  # measured each time it is asked for: once here
    if sum(widths) + len(columns) - 1 > options.max_width:
        return None  # Rich would narrow the columns: let it
    shape = table.box.substitute(options, safe=True) if table.box else None
    if shape is None:
        return None
    cells_by_column = []
    for col in columns:
        cells = []
        in_column = options.update(
            width=col.width,
            justify=col.justify,
            no_wrap=col.no_wrap,
            overflow=col.overflow,
            height=None,
            highlight=col.highlight,
        )
        for cell in [col.header, *col.cells]:
            lines = _cell_lines(console, cell, col.width, in_column)
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
        for lines, col, pad in zip(row, columns, pads, strict=True):
            blank = [" " * col.width] * (height - len(lines))
            lines = blank + lines if index == 0 else lines + blank  # a header sits at the bottom
            shaped.append([" " * pad + line for line in lines])
        out += [divider.join(parts) for parts in zip(*shaped, strict=True)]
        if index == 0:
            out.append(shape.get_row(widths, "head", edge=False))
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


def overview_table(overview: Overview) -> None:
    """`coursetrack status`: one row per specialization."""
    console = stdout()
    if not overview.specializations:
        _emit(
            console,
            Text(
                "No specializations yet. Track the Deep Learning Specialization with:\n"
                "  coursetrack import deep-learning-specialization"
            ),
        )
        return
    columns = [
        Column("Slug", style="cyan"),
        Column("Specialization", title=True),
        Column("Courses", justify="right"),
        Column("Units", justify="right"),
        Column("Progress"),
        Column("%", justify="right"),
    ]
    rows = []
    for spec in overview.specializations:
        # The activity line may wrap between words (it holds a date, never cut);
        # the title above it stays on one row.
        activity = Text(_activity(spec), style="dim", no_wrap=False, overflow="fold")
        rows.append(
            [
                _text(spec.slug),
                Group(_text(spec.title), activity),
                f"{spec.courses_done}/{spec.courses_total}",
                f"{spec.units_done}/{spec.units_total}",
                bar(spec.units_done, spec.units_total),
                _pct(spec.percent),
            ]
        )
    _emit(console, fitted_table(columns, rows, width=console.width))


def _activity(spec: SpecializationSummary) -> str:
    """The overview's second line: when the learner last did anything, and their streak."""
    if spec.last_activity_on is None:
        return "no activity yet"
    weeks = "1 week" if spec.streak_weeks == 1 else f"{spec.streak_weeks} weeks"
    streak = f"streak {weeks}" if spec.streak_weeks else "no streak"
    return f"last active {_date(spec.last_activity_on)} · {streak}"


def report_table(report: Report) -> None:
    """`coursetrack status SPEC` (courses) or `status SPEC/COURSE` (topics)."""
    console = stdout()
    heading = _text(report.title, "bold")
    heading.append(f"  {safe(report.ref)}  ", style="cyan")
    heading.append(f"{report.units_done}/{report.units_total} units, {_pct(report.percent)}")
    if report.completed_on:
        heading.append(f", completed {_date(report.completed_on)}", style="green")
    columns = [
        Column("#", justify="right"),
        Column("Course" if report.kind == "specialization" else "Topic", title=True),
        Column("Status"),
        Column("Units", justify="right"),
        Column("Progress"),
        Column("Started", drop=2),
        Column("Completed", drop=1),
    ]
    rows = [
        [
            str(item.position),
            _text(item.title),
            _status(item.status),
            f"{item.units_done}/{item.units_total}",
            bar(item.units_done, item.units_total, width=6) + Text(f" {_pct(item.percent):>4}"),
            _date(item.started_on),
            _date(item.completed_on),
        ]
        for item in report.items
    ]
    _emit(
        console,
        _one_line(heading, console.width),
        fitted_table(columns, rows, width=console.width),
    )
    if not report.items:
        noun = "courses" if report.kind == "specialization" else "topics"
        _emit(console, Text(f"No {noun} yet.", style="dim"))
    if report.certificate_url:
        _print_lines(console, [_text(f"Certificate: {report.certificate_url}")])
    if report.reviews_due:
        topics = "1 topic" if report.reviews_due == 1 else f"{report.reviews_due} topics"
        _emit(
            console,
            _text(f"Due for review: {topics}; see coursetrack review {report.ref}", "yellow"),
        )


def item_table(item: ItemProgress, ref: str) -> None:
    """`coursetrack status SPEC/COURSE/TOPIC`: one topic."""
    console = stdout()
    rows: list[tuple[str, Text | str, str]] = [
        ("Topic", _text(item.title), "cut"),
        ("Ref", _text(ref, "cyan"), "whole"),
        ("Status", _status(item.status), "cut"),
        ("Started", _date(item.started_on), "cut"),
        ("Completed", _date(item.completed_on), "cut"),
    ]
    _print_lines(console, _fields(rows, console.width))


def catalogs_table(rows: list[dict]) -> None:
    """`coursetrack catalogs`: what ships, ready to import."""
    console = stdout()
    columns = [
        Column("Name"),
        Column("Slug"),
        Column("Title", title=True),
        Column("Courses", justify="right", drop=1),
        Column("Topics", justify="right", drop=2),
    ]
    cells = [
        [_text(str(row[c])) for c in ("name", "slug", "title", "courses", "topics")] for row in rows
    ]
    _emit(console, fitted_table(columns, cells, width=console.width))


def _under(ref: str, base: str | None) -> str:
    """`ref` relative to the listed item `base` (`.` for itself; `--json` has whole refs)."""
    if base and ref == base:
        return "."
    if base and ref.startswith(base + "/"):
        return ref[len(base) + 1 :]
    return ref


def notes_table(rows: list, *, scope: str | None, base: str | None = None) -> None:
    """`coursetrack note list`: one row per note, its first line cut to fit.

    Under `note list REF` the Ref column is relative to REF (`base`, its slug ref).
    """
    console = stdout()
    if not rows:
        where = f" on {safe(scope)}" if scope else ""
        _emit(console, Text(f"No notes{where} yet. Add one with: coursetrack note REF TEXT"))
        return
    columns = [
        Column("ID", justify="right", style="cyan"),
        Column("Date"),
        Column("Ref", title=True),
        Column("Note", title=True),
    ]
    cells = []
    for row in rows:
        first, *more = row.text.split("\n")
        note = _text(first + (" …" if more else ""))
        cells.append([f"#{row.id}", _date(row.written_on), _text(_under(row.ref, base)), note])
    _emit(console, fitted_table(columns, cells, width=console.width))


def links_table(rows: list, *, scope: str | None, base: str | None = None) -> None:
    """`coursetrack link list`: one row per link; `link list --json` has whole URLs."""
    console = stdout()
    if not rows:
        where = f" on {safe(scope)}" if scope else ""
        _emit(console, Text(f"No links{where} yet. Add one with: coursetrack link REF URL"))
        return
    columns = [
        Column("ID", justify="right", style="cyan"),
        Column("Added"),
        Column("Ref", title=True),
        Column("Title", title=True),
        Column("URL", title=True),
    ]
    cells = [
        [
            f"#{row.id}",
            _date(row.added_on),
            _text(_under(row.ref, base)),
            _text(row.title or ""),
            _text(row.url),
        ]
        for row in rows
    ]
    _emit(console, fitted_table(columns, cells, width=console.width))


def _change_line(change: Any) -> str:
    if change.op == "update":
        parts = [f"{k} {_value(old)} → {_value(new)}" for k, (old, new) in change.fields.items()]
        return f"{change.table} {_value(change.item)}: " + ", ".join(parts)
    verb = "added" if change.op == "insert" else "removed"
    line = f"{verb} {change.table} {_value(change.item)}"
    values = change.new if change.op == "insert" else None
    if values and change.table not in ("specialization", "course", "topic"):
        shown = [f"{k}={_value(v)}" for k, v in values.items() if v is not None and k != "id"]
        shown = [s for s in shown if not s.split("=")[0].endswith("_id")]
        line += f" ({', '.join(shown)})" if shown else ""
    return line


#: How many changes of one command `log` shows, and how much of one value:
#: a command may change 100,000 rows, a change hold a whole note or a long title.
LOG_CHANGES_SHOWN = 8
LOG_VALUE_CHARS = 200


def _value(value: Any, limit: int = LOG_VALUE_CHARS) -> str:
    if value is None:
        return "∅"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def history(entries: list) -> None:
    """`coursetrack log`: one block per command, newest first, changes indented under it."""
    console = stdout()
    if not entries:
        _emit(console, Text("No changes recorded yet."))
        return
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    for entry in entries:
        line = Text(safe(_value(entry.command, 500), one_line=True), style="bold")
        if entry.undone_by is not None:
            line.append(f"  (undone by #{entry.undone_by})", style="yellow")
        grid.add_row(entry.at.strftime("%Y-%m-%d %H:%M"), f"#{entry.id}", line)
        if not entry.changes:
            grid.add_row("", "", Text("  no change", style="dim"))
        shown = entry.changes[:LOG_CHANGES_SHOWN]
        for change in shown:
            grid.add_row("", "", Text("  " + safe(_change_line(change), one_line=True)))
        more = len(entry.changes) - len(shown) + getattr(entry, "more", 0)
        if more:
            grid.add_row("", "", Text(f"  … and {more} more", style="dim"))
    _emit(console, grid)


def _units(count: int) -> str:
    return "1 unit" if count == 1 else f"{count} units"


def _days(count: int) -> str:
    return "1 day" if abs(count) == 1 else f"{abs(count):,} days"


def next_table(result: NextList) -> None:
    """`coursetrack next`: open units under their course, started ones first.

    A course's title is a row of its own above its units rather than a column
    beside them, so a long topic and a long course title both fit whole.
    """
    console = stdout()
    where = f" in {safe(result.scope)}" if result.scope else ""
    if not result.units:
        if result.units_total == 0:
            _emit(console, Text(f"Nothing to study{where}: there are no units yet.", "dim"))
        else:
            _emit(console, Text(f"Nothing left{where}: every unit is done.", style="green"))
        return
    shown = len(result.units)
    more = f", showing {shown}" if shown < result.open_units else ""
    heading = Text(f"Next{where} ({result.open_units} open{more})", style="bold")
    columns = [Column("Ref", style="cyan"), Column("Unit", title=True), Column("Status")]
    rows: list[list[RenderableType]] = []
    course = None
    for unit in result.units:
        if unit.kind == "course":
            rows.append([_text(unit.short_ref), _text(unit.title, "bold"), _status(unit.status)])
            course = None
            continue
        if unit.course["ref"] != course:
            course = unit.course["ref"]
            rows.append(
                [
                    _text(unit.short_ref.rsplit("/", 1)[0], "dim"),
                    _text(unit.course["title"], "bold"),
                    "",
                ]
            )
        rows.append([_text(unit.short_ref), _text("  " + unit.title), _status(unit.status)])
    _emit(
        console,
        _one_line(heading, console.width),
        fitted_table(columns, rows, width=console.width),
    )


def _per_week(value: float) -> str:
    return f"{value:.2f} units/week"


def plan_view(plan: Plan) -> None:
    """`coursetrack plan`: units left, pace, projection and goal, one line each."""
    console = stdout()
    heading = _text(plan.title, "bold")
    heading.append(f"  {safe(plan.ref)}", style="cyan")
    _print_lines(console, [_one_line(heading, console.width)])
    grid: list[tuple[str, Text | str, str]] = []
    grid.append(("Units left", f"{plan.units_left} of {plan.units_total}", "wrap"))
    if plan.goal_on is None:
        goal = Text(f"none; set one with 'coursetrack goal {safe(plan.ref)} --by DATE'", "dim")
    elif plan.units_left == 0:
        goal = Text(_date(plan.goal_on))
    elif plan.days_to_goal > 0:
        goal = Text(
            f"{_date(plan.goal_on)}, in {_days(plan.days_to_goal)}: "
            f"needs {_per_week(plan.needed_per_week)}"
        )
    elif plan.days_to_goal == 0:
        goal = Text(f"{_date(plan.goal_on)}, today", style="red")
    else:
        goal = Text(f"{_date(plan.goal_on)}, passed {_days(plan.days_to_goal)} ago", "red")
    grid.append(("Goal", goal, "wrap"))
    window = f"{_date(plan.window_start)} to {_date(plan.today)}"
    pace = f"{_per_week(plan.pace_per_week)} ({_units(plan.done_in_window)} done {window})"
    grid.append(("Your pace", pace, "wrap"))
    if plan.early_estimate and plan.outlook != "finished":
        history = (plan.today - plan.first_activity_on).days
        since = f"{_days(history)} of history" if history > 0 else "today alone"
        grid.append(("", Text(f"an early estimate, from {since}", "dim"), "wrap"))
    if plan.outlook == "finished":
        grid.append(("Finished", _date(plan.projected_on) or "yes", "wrap"))
    elif plan.projected_on is not None:
        grid.append(("Projected", f"{_date(plan.projected_on)} at that pace", "wrap"))
    elif plan.projected_days is not None:
        after = f"after 2999 at that pace ({plan.projected_days:,} days)"
        grid.append(("Projected", after, "wrap"))
    elif plan.outlook == "no-history":
        none_yet = Text("no history yet: finish a unit to start a pace", "dim")
        grid.append(("Projected", none_yet, "wrap"))
    else:
        stale = Text(f"no pace: nothing done in the last {plan.window_days} days", "dim")
        grid.append(("Projected", stale, "wrap"))
    if plan.days_ahead is not None:
        if plan.outlook == "finished":
            word = "before" if plan.days_ahead >= 0 else "after"
            outlook = Text(f"finished {_days(plan.days_ahead)} {word} your goal", "green")
        elif plan.days_ahead > 0:
            outlook = Text(f"{_days(plan.days_ahead)} ahead", style="green")
        elif plan.days_ahead < 0:
            outlook = Text(f"{_days(plan.days_ahead)} behind", style="red")
        else:
            outlook = Text("on schedule", style="green")
        grid.append(("Outlook", outlook, "wrap"))
    _print_lines(console, _fields(grid, console.width))


def queue_table(queue: Any) -> None:
    """`coursetrack review`: topics due for review, oldest due first."""
    console = stdout()
    where = f" in {safe(queue.scope)}" if queue.scope else ""
    if not queue.due:
        if queue.next_due_on:
            _emit(
                console,
                Text(
                    f"Nothing due for review{where} today ({_date(queue.today)}); "
                    f"next on {_date(queue.next_due_on)}."
                ),
            )
        else:
            _emit(
                console,
                Text(
                    f"Nothing to review{where} yet: topics join the queue when you mark them done."
                ),
            )
        return
    count = "1 topic" if len(queue.due) == 1 else f"{len(queue.due)} topics"
    heading = Text(f"Due for review{where} on {_date(queue.today)}: {count}", "bold")
    columns = [
        Column("Ref", style="cyan"),
        Column("Topic", title=True),
        Column("Due", drop=1),
        Column("Last review", drop=2),
    ]
    rows = []
    for item in queue.due:
        last = (
            f"{item.last_grade}, {_date(item.last_reviewed_on)}"
            if item.last_reviewed_on
            else f"done {_date(item.completed_on)}"
        )
        rows.append([_text(item.short_ref), _text(item.title), _date(item.due_on), last])
    room = console.width
    _emit(console, _one_line(heading, room), fitted_table(columns, rows, width=room))
    _emit(
        console,
        Text("Record each with: coursetrack reviewed REF --grade again|hard|good|easy", "dim"),
    )


def _note_lines(note: Any, indent: str, width: int) -> list[Text]:
    """`#ID  DATE  text`, the text's own lines kept, wrapped under its first line."""
    prefix = Text(indent)
    prefix.append(f"#{note.id}", style="cyan")
    prefix.append(f"  {_date(note.written_on) or 'undated':<10}  ", style="dim")
    return _wrapped(prefix, safe(note.text), width)


def _more(shown: int, total: int, noun: str, command: str) -> list[Text]:
    if total <= shown:
        return []
    return [Text(f"  … {total - shown} older {noun}: {command}", style="dim")]


def details_view(details: Details) -> None:
    """`coursetrack show`: one item, everything known about it.

    URLs are printed whole on one line (never broken, so they stay clickable).
    """
    console = stdout()
    room = console.width
    out = [_one_line(_text(details.title, "bold"), room)]
    rows: list[tuple[str, Text | str, str]] = [
        ("Ref", _text(f"{details.ref} ({details.kind})", "cyan"), "whole")
    ]
    if details.course:
        course = f"{details.course['title']} ({details.course['ref']})"
        rows.append(("Course", _text(course), "cut"))
    if details.provider:
        rows.append(("Provider", _text(details.provider), "wrap"))
    if details.url:
        rows.append(("URL", _text(details.url), "whole"))
    if details.description:
        rows.append(("Description", _text(details.description, one_line=False), "wrap"))
    state = _status(details.status)
    if details.units_total != 1 or details.kind != "topic":
        state.append(f", {details.units_done}/{details.units_total} units, {_pct(details.percent)}")
    rows.append(("Status", state, "cut"))
    if details.started_on:
        rows.append(("Started", _date(details.started_on), "cut"))
    if details.completed_on:
        rows.append(("Completed", _date(details.completed_on), "cut"))
    if details.goal_on:
        rows.append(("Goal", f"finish by {_date(details.goal_on)}", "cut"))
    if details.certificate_url:
        rows.append(("Certificate", _text(details.certificate_url), "whole"))
    if details.reviews_due:
        topics = "1 topic" if details.reviews_due == 1 else f"{details.reviews_due} topics"
        rows.append(("Review", _text(f"{topics} due: coursetrack review {details.ref}"), "wrap"))
    if details.review is not None:
        review = details.review
        done = len(review.reviews)
        when = "due now, since" if review.due else "next due"
        text = f"{when} {_date(review.due_on)} (interval {_days(review.interval_days)})"
        if done:
            last = review.reviews[-1]
            text += f"; {done} review(s), last {_date(last['reviewed_on'])} ({last['grade']})"
        rows.append(("Review", text, "wrap"))
    out.extend(_fields(rows, room))
    if details.children is not None:
        noun = "Courses" if details.kind == "specialization" else "Topics"
        out.append(Text(f"{noun} ({len(details.children)})", style="bold"))
        status_width = max((len(c.status) for c in details.children), default=0)
        for child in details.children:
            line = Text(f"  {child.position:>2}  ")
            line.append_text(_status(child.status))
            line.append(" " * (status_width - len(child.status) + 2))
            units = f"  {child.units_done}/{child.units_total}" if child.units_total != 1 else ""
            title_room = room - line.cell_len - len(units)
            line.append_text(_one_line(_text(child.title), max(title_room, 10)))
            if units:
                line.append(units, style="dim")
            out.append(line)
            indent = " " * (status_width + 8)
            for note in child.notes or []:
                out.extend(_note_lines(note, indent, room))
            if child.notes and child.notes_total > len(child.notes):
                more = child.notes_total - len(child.notes)
                out.append(
                    Text(f"{indent}… {more} older: coursetrack note list {child.ref}", "dim")
                )
    out.append(Text(f"Notes ({details.notes_total})", style="bold"))
    for note in details.notes:
        out.extend(_note_lines(note, "  ", room))
    out.extend(
        _more(
            len(details.notes), details.notes_total, "notes", f"coursetrack note list {details.ref}"
        )
    )
    out.append(Text(f"Links ({details.links_total})", style="bold"))
    for entry in details.links:
        line = Text("  ")
        line.append(f"#{entry.id}", style="cyan")
        line.append("  ")
        if entry.title:
            line.append_text(_text(entry.title))
            line.append("  ")
        line.append_text(_text(entry.url, "cyan"))
        out.append(line)
    out.extend(
        _more(
            len(details.links), details.links_total, "links", f"coursetrack link list {details.ref}"
        )
    )
    _print_lines(console, out)


# --- progress of long work ---------------------------------------------------------

#: Seconds of work before a bar appears (tests set 0 to see one at once).
PROGRESS_AFTER_ENV = "COURSETRACK_PROGRESS_AFTER"
PROGRESS_AFTER = 1.0


class Tracker:
    """Handed to a service as its `progress` callback: told (done, total) as work goes.

    The bar itself is drawn only once the work has run longer than the delay
    (a timer starts it, so a long step with no callback still shows a moving
    bar), on stderr, and only when both stdout and stderr are terminals: never
    in a pipe or a redirect, not even one of stdout alone, and never in a test's
    captured output. It is erased when the work ends, leaving the command's own
    one-line summary.
    """

    def __init__(self, description: str, *, enabled: bool) -> None:
        import threading

        self.description = safe(description, one_line=True)
        self.shown = False
        self._console = stderr()
        self._enabled = (
            enabled
            and _is_tty(sys.stdout)
            and _is_tty(sys.stderr)
            and not self._console.is_dumb_terminal
        )
        self._lock = threading.Lock()
        self._bar: Any = None
        self._task: Any = None
        self._done, self._total = 0, None
        self._timer: Any = None
        if self._enabled:
            self._timer = threading.Timer(_progress_after(), self._show)
            self._timer.daemon = True
            self._timer.start()

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self._done, self._total = done, total
            if self._bar is not None:
                self._bar.update(self._task, completed=done, total=total)

    def describe(self, description: str) -> None:
        """Name the step under way (e.g. "writing YAML" once the data is read)."""
        with self._lock:
            self.description = safe(description, one_line=True)
            if self._bar is not None:
                self._bar.update(self._task, description=self.description)

    def _show(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with self._lock:
            if self._bar is not None or not self._enabled:
                return
            self._bar = Progress(
                # a file name or title, not markup: "[/x]" once killed this thread
                TextColumn("{task.description}", markup=False, style="progress.description"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._task = self._bar.add_task(
                self.description, total=self._total, completed=self._done
            )
            self._bar.start()
            self.shown = True

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._enabled = False
            if self._bar is not None:
                self._bar.stop()


def _is_tty(stream: Any) -> bool:
    """A real terminal; not Rich's view, which FORCE_COLOR can talk into a pipe."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def _progress_after() -> float:
    import os

    try:
        return max(0.0, float(os.environ.get(PROGRESS_AFTER_ENV, PROGRESS_AFTER)))
    except ValueError:
        return PROGRESS_AFTER


@contextlib.contextmanager
def progress(description: str, *, enabled: bool = True) -> Iterator[Tracker]:
    """A progress callback for long work; `enabled=False` under --json."""
    tracker = Tracker(description, enabled=enabled)
    try:
        yield tracker
    finally:
        tracker.close()


# --- the burn-up chart -------------------------------------------------------------

GOAL_MARK = "│"


def _burnup_row(done_total: int, goal: float | None, total: int, width: int) -> Text:
    """Units done so far as a filled bar, and the goal line's place on it as │."""
    filled = min(width, round(width * done_total / total)) if total else 0
    if done_total < total:
        filled = min(filled, width - 1)
    cells = ["█"] * filled + ["░"] * (width - filled)
    mark = None
    if goal is not None and total:
        mark = min(width - 1, round((width - 1) * goal / total))
        cells[mark] = GOAL_MARK
    text = Text()
    for i, cell in enumerate(cells):
        style = "bold magenta" if i == mark else "green" if cell == "█" else "dim"
        text.append(cell, style=style)
    return text


def burnup_chart(chart: Any) -> None:
    """`coursetrack chart SPEC`: one row per week, time going down the screen.

    Each row's bar is the running total of units done (the burn-up line turned
    on its side), │ is where the goal line stands that week, and the week that
    holds today is marked. Readable without colour: █ done, ░ to do, │ goal.
    """
    console = stdout()
    heading = _text(chart.title, "bold")
    heading.append(f"  {safe(chart.ref)}  ", style="cyan")
    heading.append(f"{chart.units_done}/{chart.units_total} units, {_pct(chart.percent)}")
    _emit(console, heading)
    if not chart.weeks:
        _emit(
            console,
            _text(
                f"No activity yet, so no chart: start or finish a unit "
                f"(coursetrack done {chart.ref}/1) and it begins that week.",
                "dim",
                one_line=False,
            ),
        )
        return
    # 10 (date) + 5 (done) + 5 (total) + 8 (today mark) + gaps leave the rest to the bar
    width = max(10, min(60, console.width - 34))
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold")
    table.add_column("Week of", no_wrap=True)
    table.add_column("Done", justify="right", no_wrap=True)
    table.add_column("Done in all", no_wrap=True, width=width)
    table.add_column("", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    for week in chart.weeks:
        today = week.ends_on == chart.today  # only today's week is read on today
        table.add_row(
            Text(_date(week.week_of), style="bold" if today else ""),
            f"+{week.done}" if week.done else Text("·", style="dim"),
            _burnup_row(week.done_total, week.goal, chart.units_total, width),
            str(week.done_total),
            Text("◀ today", style="bold yellow") if today else "",
        )
    _emit(console, table)
    legend = Text("█ done  ░ to do", style="dim")
    if chart.goal_on is not None:
        legend.append(f"  {GOAL_MARK} goal line: all {_units(chart.units_total)} by ", style="dim")
        legend.append(_date(chart.goal_on), style="magenta")
    else:
        legend.append(
            f"  no goal line: set one with 'coursetrack goal {safe(chart.ref)} --by DATE'",
            style="dim",
        )
    _emit(console, legend)
    if chart.completed_on is not None:
        _emit(console, Text(f"Finished on {_date(chart.completed_on)}.", style="green"))


# --- the group's view (coursetrack group status) ------------------------------------


def _outlook(outlook: str, days_ahead: int | None) -> Text:
    """A learner's pace against their goal, in a few words (`planning.project`'s outlook)."""
    if outlook == "ahead" and days_ahead is not None:
        return Text(f"{_days(days_ahead)} ahead", style="green")
    if outlook == "behind" and days_ahead is not None:
        return Text(f"{_days(days_ahead)} behind", style="red")
    words = {
        "finished": ("finished", "green"),
        "on-schedule": ("on schedule", "green"),
        "projected": ("no goal", "dim"),
        "no-recent-pace": ("no recent pace", "yellow"),
        "no-history": ("not started", "dim"),
    }
    word, style = words.get(outlook, (outlook, ""))
    return Text(word, style=style)


def _weeks(count: int) -> str:
    return "-" if not count else f"{count} wk"


def _learners(count: int) -> str:
    return "1 learner" if count == 1 else f"{count} learners"


def _group_heading(console: Console, view: GroupStatus | GroupCourse, ref: str) -> bool:
    """A group view's first line; for a group with no learner, a line saying so too.
    Whether there are learners to list."""
    heading = _text(view.title, "bold")
    heading.append(f"  {safe(ref)}  ", style="cyan")
    heading.append(f"{_learners(len(view.learners))}, {_units(view.units_total)}")
    _emit(console, _one_line(heading, console.width))
    if not view.learners:
        _emit(
            console,
            Text(
                "No learners in the group yet; its owner adds them with "
                "coursetrack group add NAME.",
                style="dim",
            ),
        )
    return bool(view.learners)


def group_table(status: GroupStatus) -> None:
    """`coursetrack group status SPEC`: one row per learner, most done first."""
    console = stdout()
    if not _group_heading(console, status, status.slug):
        return
    columns = [
        Column("Learner", title=True),
        Column("Units", justify="right"),
        Column("Progress"),
        Column("%", justify="right"),
        Column("Last active", drop=1),
        Column("Streak", justify="right"),
        Column("Outlook"),
    ]
    rows = [
        [
            _text(learner.learner),
            f"{learner.units_done}/{learner.units_total}",
            bar(learner.units_done, learner.units_total),
            _pct(learner.percent),
            _date(learner.last_activity_on),
            _weeks(learner.streak_weeks),
            _outlook(learner.outlook, learner.days_ahead),
        ]
        for learner in status.learners
    ]
    _emit(console, fitted_table(columns, rows, width=console.width))


_PLACE_STYLE = {"finished": "green", "studying": "yellow", "stuck": "red", "not-started": "dim"}


def group_course_table(course: GroupCourse) -> None:
    """`coursetrack group status SPEC/COURSE`: who is on which topic, who is stuck."""
    console = stdout()
    if not _group_heading(console, course, course.ref):
        return
    columns = [
        Column("Learner", title=True),
        Column("Units", justify="right"),
        Column("On", title=True),
        Column("Last active"),
        Column("State"),
    ]
    rows = []
    for place in course.learners:
        on = Text("")
        if place.topic is not None:
            on = _text(f"{place.topic.position}. {place.topic.title}")
            if place.topic_status == "todo":
                on.append(" (next)", style="dim")
        state = place.state
        if place.stuck:
            state = f"stuck {_days(place.idle_days or 0)}"
        rows.append(
            [
                _text(place.learner),
                f"{place.units_done}/{place.units_total}",
                on,
                _date(place.last_activity_on),
                Text(state.replace("-", " "), style=_PLACE_STYLE.get(place.state, "")),
            ]
        )
    stuck = [place.learner for place in course.learners if place.stuck]
    footer = Text(
        f"Stuck (nothing recorded in {course.stuck_days} days): " + ", ".join(map(safe, stuck))
        if stuck
        else f"Nobody is stuck (nothing recorded in {course.stuck_days} days).",
        style="red" if stuck else "dim",
    )
    _emit(console, fitted_table(columns, rows, width=console.width))
    _print_lines(console, _wrapped(Text(""), footer.plain, console.width, str(footer.style)))
