"""Tables that use the terminal: every table at 60, 80, 120 and 160 columns.

A title never wraps onto a second row (it is cut with `…`, and a wider
terminal shows more of it), a narrow terminal drops date columns rather than
cutting dates and headers, and no line ends in spaces.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import by_hand
from coursetrack import catalog
from coursetrack.cli import app

NOW = "2026-09-12T10:00:00+00:00"
WIDTHS = (60, 80, 120, 160)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: A date cut short: four digits and a dash not followed by a whole month and day.
CUT_DATE = re.compile(r"\b20\d\d-(?!\d\d-\d\d)|\b20\d\d-\d\d-(?!\d\d)")
HEADERS = {
    "Slug", "Specialization", "Courses", "Units", "Progress", "%", "#", "Course", "Topic",
    "Status", "Started", "Completed", "Ref", "Unit", "Due", "Last", "review", "Name", "Title",
    "Topics", "ID", "Date", "Note", "Added", "URL", "Provider",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", NOW)


def _shipped() -> tuple[str, list[str], dict[int, list[str]]]:
    """The shipped catalog's title, its course titles, and each course's topic titles."""
    spec = catalog.load_catalog(catalog.shipped_catalogs()["deep-learning-specialization"])
    topics = {n: [t.title for t in c.topics] for n, c in enumerate(spec.courses, 1)}
    return spec.title, [c.title for c in spec.courses], topics


def _study(db: str) -> None:
    """Eight weeks in: a course done, one started, reviews due, notes and links kept.

    Built once per engine (the tables are read-only), then copied per test.
    """
    env = {"COURSETRACK_NOW": NOW, "COLUMNS": "80"}
    for args in (
        ["import", "deep-learning-specialization"],
        ["start", "dls/1/1", "--on", "2026-08-01"],
        ["done", "dls/1", "--on", "2026-08-20"],
        ["start", "dls/2/3", "--on", "2026-09-01"],
        ["note", "dls/2/3", "batch norm: normalise each mini-batch", "--on", "2026-09-02"],
        ["link", "dls/2", "https://example.org/notebooks/improving/week3.ipynb", "-t", "nb"],
    ):
        result = CliRunner().invoke(app, ["--db", db, *args], env=env)
        assert result.exit_code == 0, result.output


@pytest.fixture
def studied(prepare):
    return prepare("studied", _study)


def _at(store, width: int, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(width))
    result = store.run(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


TABLES = [
    ["status"],
    ["status", "dls"],
    ["status", "dls/2"],
    ["next", "--limit", "17"],
    ["next", "dls/2"],
    ["review"],
    ["catalogs"],
    ["note", "list"],
    ["link", "list"],
    ["log", "-n", "3"],
    ["plan", "dls"],
    ["show", "dls/2"],
    ["show", "dls"],
    ["chart", "dls"],
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", TABLES, ids=" ".join)
def test_no_trailing_spaces_no_cut_dates_and_fits_the_width(
    studied, monkeypatch, width: int, args: list[str]
) -> None:
    lines = _at(studied, width, monkeypatch, *args)
    assert lines
    for line in lines:
        assert line == line.rstrip(), f"trailing spaces at {width}: {line!r}"
        assert not CUT_DATE.search(line), f"a date cut at {width}: {line!r}"
        if "https://" not in line:  # a URL is printed whole, past the edge if it must
            assert len(line) <= width, f"wider than {width}: {line!r}"
    rule = next((n for n, line in enumerate(lines) if line.startswith("──")), None)
    if rule is not None:
        header = lines[rule - 1].split()
        assert set(header) <= HEADERS, f"a header cut at {width}: {header}"


@pytest.mark.parametrize("width", WIDTHS)
def test_course_titles_never_wrap(studied, monkeypatch, width: int) -> None:
    lines = _at(studied, width, monkeypatch, "status", "dls")
    rows = lines[3:-1]
    assert len(rows) == 5, f"one row per course at {width}: {lines}"
    assert [row.split()[0] for row in rows] == ["1", "2", "3", "4", "5"]
    assert lines[-1].startswith("Due for review")


@pytest.mark.parametrize("width", WIDTHS)
def test_topic_and_unit_titles_never_wrap(studied, monkeypatch, width: int) -> None:
    topics = _shipped()[2]
    status = _at(studied, width, monkeypatch, "status", "dls/2")[3:]
    assert len(status) == len(topics[2])
    nxt = _at(studied, width, monkeypatch, "next", "--limit", "17")[3:]
    assert all(re.match(r"dls/\d", line) for line in nxt), "every row starts with its ref"
    assert len(nxt) == 13 + 4, "13 open units under 4 course rows"


def test_at_60_columns_date_columns_go_and_titles_are_cut(studied, monkeypatch) -> None:
    lines = _at(studied, 60, monkeypatch, "status", "dls")
    # issue 22: course 2's start stays at 60 too; its room comes from the bar and the titles
    assert lines[1].split() == ["#", "Course", "Status", "Units", "Progress", "Started"]
    assert "2026-08-20" not in "\n".join(lines[3:])
    assert lines[3].startswith("1  Neural Network…  done")
    assert lines[3].endswith("100%      2026-08-01")
    assert lines[4].endswith("0%      2026-09-01")
    wider = _at(studied, 80, monkeypatch, "status", "dls")
    # issue 22: an in-progress course's start stays; Completed goes before a title is cut
    assert wider[1].split()[-2:] == ["Progress", "Started"], "Completed goes first"
    assert wider[3].endswith("100%  2026-08-01")
    widest = _at(studied, 120, monkeypatch, "status", "dls")
    assert widest[1].split()[-2:] == ["Started", "Completed"]
    assert widest[3].endswith("2026-08-01  2026-08-20")


def _shown(lines: list[str], title: str) -> int:
    """How much of `title` the output shows: its whole length, or the part before `…`."""
    best = 0
    for line in lines:
        if title in line:
            return len(title)
        for cut in re.findall(r"[^\s][^…]*…", line):
            stem = cut[:-1]
            for start in range(len(stem)):
                if title.startswith(stem[start:]) and len(stem) - start > 3:
                    best = max(best, len(stem) - start)
                    break
    return best


def test_a_wider_terminal_shows_more_of_a_title(studied, monkeypatch) -> None:
    _, courses, _ = _shipped()
    longest = max(courses, key=len)
    seen = [_shown(_at(studied, width, monkeypatch, "status", "dls"), longest) for width in WIDTHS]
    assert seen == sorted(seen) and seen[0] < seen[-1] == len(longest), seen


def test_at_120_columns_the_overview_and_next_show_whole_course_titles(
    studied, monkeypatch
) -> None:
    title, courses, _ = _shipped()
    assert title in "\n".join(_at(studied, 120, monkeypatch, "status"))
    out = "\n".join(_at(studied, 120, monkeypatch, "next", "--limit", "17"))
    assert "Neural Networks and Deep Learning" not in out, "course 1 is done"
    for course in courses[1:]:
        assert course in out or course == max(courses, key=len)


def test_at_160_columns_every_shipped_title_is_whole(studied, monkeypatch) -> None:
    title, courses, topics = _shipped()
    everything = "\n".join(
        line
        for args in (["status"], ["status", "dls"], ["catalogs"], ["next", "--limit", "17"])
        for line in _at(studied, 160, monkeypatch, *args)
    )
    for name in [title, *courses]:
        assert name in everything
    for n in topics:
        out = "\n".join(_at(studied, 160, monkeypatch, "status", f"dls/{n}"))
        for topic in topics[n]:
            assert topic in out
    assert "…" not in everything


def test_piped_output_is_80_columns_unless_columns_says_otherwise(studied) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["COURSETRACK_NOW"] = NOW

    def run(extra: dict) -> str:
        return subprocess.run(
            [sys.executable, "-m", "coursetrack", "--db", studied.db, "status", "dls"],
            capture_output=True,
            text=True,
            env={**env, **extra},
            check=True,
        ).stdout

    piped = run({})
    assert max(len(line) for line in piped.splitlines()) == 80
    assert piped == studied.run("status", "dls").stdout, "the same as COLUMNS=80"
    assert max(len(line) for line in run({"COLUMNS": "132"}).splitlines()) > 80


def test_a_title_holding_a_line_break_still_takes_one_row(studied, monkeypatch) -> None:
    """However it got there (an old store, a backup), a line break in a title is shown, not obeyed."""
    studied.execute(
        f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
        f"VALUES ('2026-09-12T10:00:00', 'seed', {by_hand.values(studied.engine)})"
    )
    studied.execute("UPDATE course SET title = 'Two\nlines' WHERE slug = 'improving'")
    studied.execute("UPDATE specialization SET title = 'Deep\nLearning' WHERE slug = 'dls'")
    status = _at(studied, 80, monkeypatch, "status", "dls")
    assert status[0].startswith("Deep\\x0aLearning  dls")
    assert status[4].startswith("2  Two\\x0alines  ") and len(status) == 9
    overview = _at(studied, 80, monkeypatch, "status")
    assert overview[2].startswith("dls   Deep\\x0aLearning") and len(overview) == 4
    nxt = _at(studied, 80, monkeypatch, "next", "dls/2")
    assert "dls/2    Two\\x0alines" in nxt
    show = _at(studied, 80, monkeypatch, "show", "dls")
    assert show[0] == "Deep\\x0aLearning" and "   2  in-progress  Two\\x0alines  0/3" in show


def test_on_a_terminal_only_the_labels_of_show_are_bold(studied) -> None:
    from terminal import run_in_terminal

    code, screen = run_in_terminal(
        ["--db", studied.db, "show", "dls/2"], env={"COLUMNS": "100", "COURSETRACK_NOW": NOW}
    )
    assert code == 0
    assert "\x1b[1mURL\x1b[0m" in screen and "\x1b[1mStatus\x1b[0m" in screen
    assert "\x1b[1mURL " not in screen, "the value after a label is not bold"


# --- a fitted table printed without Rich's table machinery -------------------------

#: Pieces of cell text: wide, combining and emoji characters, a tab, markup, a long word.
_PIECES = [*"ab yz-/…", "日本", "é", "e\u0301", "🙂", "\t", "[b]", "x" * 30]
_CELL_TEXT = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)


@pytest.mark.slow  # hypothesis over rows and widths
@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(_CELL_TEXT, _CELL_TEXT, _CELL_TEXT, st.integers(0, 9)), max_size=5),
    width=st.integers(8, 130),
)
def test_a_piped_table_prints_what_rich_prints(rows, width: int) -> None:
    """`render.tables._plain_table` (a pipe, a file) gives Rich's bytes, cell for cell: titles cut
    with `…`, a Group's lines, a line that wraps, wide and combining characters, markup,
    right-justified text with spaces at its end."""
    import io

    from rich.console import Console, Group
    from rich.table import Table
    from rich.text import Text

    from coursetrack import render
    from coursetrack.render.console import _text
    from coursetrack.render.tables import _emit

    columns = [
        render.Column("Slug", style="cyan"),
        render.Column("Title", title=True),
        render.Column("Count", justify="right"),
        render.Column("When", drop=1),
        render.Column("Bar"),
    ]
    cells = [
        [
            _text(slug),
            Group(_text(title), Text(f"{extra} and more", no_wrap=False, overflow="fold")),
            f"{n}/{extra}",  # a string (Rich reads markup in it), right-justified
            "2026-09-12",
            render.bar(n, 9),
        ]
        for slug, title, extra, n in rows
    ]

    def printed(fast: bool) -> str:
        out = io.StringIO()
        console = Console(file=out, width=width, highlight=False, soft_wrap=False)
        table = render.fitted_table(columns, cells, width=width)
        if not fast:  # Rich's own table, as a terminal (or a colour) gets it
            table.__class__ = Table
        _emit(console, table)
        return out.getvalue()

    assert printed(fast=True) == printed(fast=False)


def _grid_printed(width: int, make_table, *, plain: bool) -> str:
    """What `_emit` prints of `make_table()` piped: through `grid_lines`, or Rich's own."""
    import io
    from unittest import mock

    from rich.console import Console

    from coursetrack.render import tables

    out = io.StringIO()
    console = Console(file=out, width=width, highlight=False, soft_wrap=False, emoji=False)
    real = tables.grid_lines
    with mock.patch.object(tables, "grid_lines", real if plain else lambda *a, **k: None):
        tables._emit(console, make_table())
    return out.getvalue()


@pytest.mark.slow  # hypothesis over rows and widths
@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(_CELL_TEXT, _CELL_TEXT, st.integers(0, 999)), max_size=6),
    width=st.integers(4, 130),
    header=st.booleans(),
)
# a header wrapped over more lines than its row's other cells: Rich puts them at its bottom
@example(rows=[("日本日本日本", "", 0)], width=19, header=True)
def test_a_piped_borderless_table_prints_what_rich_prints(rows, width: int, header: bool) -> None:
    """`render.tables.grid_lines` (`log`'s grid, `chart`'s table) gives Rich's bytes: the
    column widths Rich gives, a folded column, no-wrap and right-justified ones, a header
    row without a rule, strings read as markup, wide and combining characters, tabs."""
    from rich.table import Table
    from rich.text import Text

    from coursetrack.render.console import _text

    def make_table() -> Table:
        if header:
            table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold")
        else:
            table = Table.grid(padding=(0, 1))
        table.add_column("When", style="dim", no_wrap=True)
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("What", overflow="fold")
        table.add_column("", justify="right", no_wrap=True)
        for first, second, n in rows:
            table.add_row(first, f"#{n}", _text(second, one_line=False), Text(str(n), "bold"))
            table.add_row("", "", Text(f"  {second} and {first}", style="dim"), "")
        return table

    plain = _grid_printed(width, make_table, plain=True)
    assert plain == _grid_printed(width, make_table, plain=False)


def test_log_and_chart_are_drawn_plain_when_piped(studied, monkeypatch) -> None:
    """The two borderless tables a pipe gets from `grid_lines`, not from Rich's layout."""
    from coursetrack.render import tables

    drawn: list[bool] = []
    real = tables.grid_lines

    def counted(*args, **kwargs):
        lines = real(*args, **kwargs)
        drawn.append(lines is not None)
        return lines

    monkeypatch.setattr(tables, "grid_lines", counted)
    for args in (["log", "-n", "3"], ["chart", "dls"]):
        result = studied.run(*args)
        assert result.exit_code == 0, result.stderr
    assert drawn == [True, True]
