"""Narrow terminals (issue 22): every line the program prints fits, at 60 columns and up.

A learner's hand-written catalog (Google Data Analytics: 8 courses, long topic
titles, long default slugs) is studied for a few weeks, then every view runs
through a pipe, as the real program, at 80 and 60 columns. A column with no
value in any row is not shown; date columns go before a title is cut, except an
in-progress item's start; a heading keeps its percent; and no line is wider than
the terminal: not a table's row, nor a heading, an activity line, a hint or a
footer (a command in a hint is never broken across lines).

The property test at the end does the same for random programs and widths.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from typer.testing import CliRunner

from coursetrack.cli import app
from coursetrack.slugs import slugify

NOW = "2026-10-30T10:00:00+00:00"

GDA = """\
slug: gda
title: Google Data Analytics Professional Certificate
provider: Coursera / Google
url: https://www.coursera.org/professional-certificates/google-data-analytics
courses:
  - title: "Foundations: Data, Data, Everywhere"
    slug: foundations
    topics:
      - Introducing data analytics and analytical thinking
      - The wonderful world of data
      - Set up your data analytics toolbox
      - "Optional: Engage in the data analytics community"
  - title: Ask Questions to Make Data-Driven Decisions
    topics:
      - Ask effective questions
      - Make data-driven decisions
      - Spreadsheet magic
      - Always remember the stakeholder
  - title: Prepare Data for Exploration
    topics:
      - Data types and structures
      - Data responsibility
      - Database essentials
      - Organize and secure data
  - title: Process Data from Dirty to Clean
    topics:
      - The importance of integrity
      - Clean data for more accurate insights
      - Data cleaning with SQL
      - Verify and report on your cleaning results
  - title: Analyze Data to Answer Questions
    topics:
      - Organize data for more effective analysis
      - Format and adjust data
      - Aggregate data for analysis
      - Perform data calculations
  - title: Share Data Through the Art of Visualization
    topics:
      - Visualize data
      - Create data visualizations with Tableau
      - Craft data stories
      - Develop presentations and slideshows
  - title: Data Analysis with R Programming
    topics:
      - Programming and data analytics
      - Programming using RStudio
      - Working with data in R
      - More about visualizations, aesthetics, and annotations
  - title: "Google Data Analytics Capstone: Complete a Case Study"
    topics:
      - Learn about capstone basics
      - Build your portfolio
      - "Optional: Use your portfolio"
      - Put your certificate to work
"""

#: Eight weeks of study: course 1 done without a start (its Started column is empty),
#: course 3 with a topic in progress, course 7 with both dates and long titles.
STUDY = [
    ["done", "gda/1/1", "gda/1/2", "gda/1/3", "--on", "2026-09-07"],
    ["done", "gda/1/4", "--on", "2026-09-10", "--note", "joined the forum"],
    ["start", "gda/2/1", "--on", "2026-09-14"],
    ["done", "gda/2", "--on", "2026-09-20"],
    ["done", "gda/3/1", "gda/3/2", "--on", "2026-09-28"],
    ["start", "gda/3/3", "--on", "2026-10-02"],
    ["done", "gda/4", "--on", "2026-10-20"],
    ["start", "gda/7/1", "gda/7/4", "--on", "2026-10-21"],
    ["done", "gda/7/1", "gda/7/4", "--on", "2026-10-24"],
    ["goal", "gda", "--by", "2027-01-31"],
    [
        "note",
        "gda/1",
        "what the foundations course taught me, in a few words",
        "--on",
        "2026-09-10",
    ],
    ["link", "gda/1", "https://www.coursera.org/learn/foundations-data", "--title", "Course page"],
]

VIEWS = [
    ["status"],
    ["status", "gda"],
    ["status", "gda/1"],
    ["status", "gda/2"],
    ["status", "gda/3"],
    ["status", "gda/5"],
    ["status", "gda/7"],
    ["status", "gda/1/4"],
    ["next"],
    ["plan", "gda"],
    ["review"],
    ["review", "gda/2"],
    ["show", "gda"],
    ["show", "gda/1"],
    ["show", "gda/1/4"],
    ["note", "list"],
    ["link", "list"],
    ["log", "-n", "4"],
    ["chart", "gda"],
    ["catalogs"],
]


@pytest.fixture(scope="module")
def gda(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gda")
    (folder / "gda.yaml").write_text(GDA, encoding="utf-8")
    db = folder / "store.db"
    env = {"COURSETRACK_NOW": NOW, "COLUMNS": "80"}
    for args in [["import", str(folder / "gda.yaml")], *STUDY]:
        result = CliRunner().invoke(app, ["--db", str(db), *args], env=env)
        assert result.exit_code == 0, (args, result.output)
    return db


def piped(db: Path, width: int, *args: str) -> tuple[list[str], list[str]]:
    """The real program through a pipe at `width` columns: (stdout lines, stderr lines)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    env.update({"COURSETRACK_NOW": NOW, "COLUMNS": str(width), "TZ": "UTC"})
    done = subprocess.run(
        [sys.executable, "-m", "coursetrack", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines(), done.stderr.splitlines()


def too_wide(lines: list[str], width: int) -> list[str]:
    """The lines wider than `width`, but for one a URL too long for any line runs past."""
    return [
        line
        for line in lines
        if cell_len(line) > width
        and not any(len(word) >= width // 2 and "://" in word for word in line.split())
    ]


def header(lines: list[str]) -> list[str]:
    """A table's column headers: the line above its rule."""
    rule = next(n for n, line in enumerate(lines) if line.startswith("──"))
    return lines[rule - 1].split()


@pytest.mark.slow  # twenty runs of the real program each
@pytest.mark.parametrize("width", [80, 60])
def test_every_line_of_every_view_fits(gda: Path, width: int) -> None:
    wide = {}
    for args in VIEWS:
        out, err = piped(gda, width, *args)
        assert out, args
        wide.update(
            {" ".join(args): too_wide(out + err, width)} if too_wide(out + err, width) else {}
        )
    assert wide == {}, width


def test_a_column_with_no_value_is_not_shown(gda: Path) -> None:
    """Course 1's topics were marked done without a start: no Started column, titles whole."""
    out, _ = piped(gda, 80, "status", "gda/1")
    assert "Started" not in header(out), out
    assert any("Optional: Engage in the data analytics community" in line for line in out), out
    todo, _ = piped(gda, 80, "status", "gda/5")
    assert header(todo) == ["#", "Topic", "Status", "Units", "Progress"], todo
    assert any("Organize data for more effective analysis" in line for line in todo), todo


def test_dates_go_before_a_title_is_cut(gda: Path) -> None:
    """Course 7 has both dates and long titles: the titles come first."""
    out, _ = piped(gda, 80, "status", "gda/7")
    assert not {"Started", "Completed"} & set(header(out)), out
    assert any("Programming and data analytics  " in line for line in out), out
    assert any("More about visualizations, aesthetics, and annot…" in line for line in out)


def test_an_in_progress_items_start_stays(gda: Path) -> None:
    """Course 3's third topic is in progress since 2026-10-02: its start is shown."""
    out, _ = piped(gda, 80, "status", "gda/3")
    assert "Started" in header(out), out
    row = next(line for line in out if "Database essentials" in line)
    assert row.endswith("2026-10-02"), out
    spec, _ = piped(gda, 80, "status", "gda")
    assert "Started" in header(spec), spec
    row = next(line for line in spec if "Prepare Data for Exploration" in line)
    assert "2026-09-28" in row, spec  # the course's start: its first topic done


@pytest.mark.parametrize("width", [60, 70])
def test_an_in_progress_items_start_stays_when_narrow(gda: Path, width: int) -> None:
    """At 60 columns too the start of an item in progress is shown (issue 22: date columns
    go before a title is cut, except an in-progress item's start), and every line fits."""
    out, _ = piped(gda, width, "status", "gda/3")
    assert "Started" in header(out), out
    row = next(line for line in out if line.startswith("3  Database"))
    assert row.endswith("2026-10-02") and "0%" in row, out
    spec, _ = piped(gda, width, "status", "gda")
    assert "Started" in header(spec), spec
    row = next(line for line in spec if line.startswith("3  Prepare"))
    assert "2026-09-28" in row and "50%" in row, spec
    assert too_wide(out + spec, width) == [], out + spec


@pytest.mark.parametrize("width", [60, 70, 80])
def test_a_heading_keeps_its_percent(gda: Path, width: int) -> None:
    for args, tail in [
        (["status", "gda"], "16/32 units, 50%"),
        (["status", "gda/2"], "4/4 units, 100%"),
        (["chart", "gda"], "16/32 units, 50%"),
    ]:
        out, _ = piped(gda, width, *args)
        assert out[0].endswith(tail) or tail + "," in out[0], (width, out[0])
        assert cell_len(out[0]) <= width


def test_the_overview_activity_line_is_one_line_at_60(gda: Path) -> None:
    out, _ = piped(gda, 60, "status")
    assert out[3].strip() == "last active 2026-10-30 · streak 2 weeks", out
    assert len(out) == 4, out


@pytest.mark.parametrize("width", [60, 80])
def test_a_footer_never_breaks_a_command(gda: Path, width: int) -> None:
    """ "see coursetrack review" / "gda/foundations" was a footer broken inside its command."""
    for args in (["status", "gda/1"], ["status", "gda/2"], ["show", "gda/2"], ["review"]):
        out, _ = piped(gda, width, *args)
        for n, line in enumerate(out):
            assert not re.search(r"coursetrack( \w+)?$", line), (args, out[n : n + 2])
            assert not line.startswith("again|"), (args, out[n - 1 : n + 1])
    out, _ = piped(gda, 60, "status", "gda/2")
    assert out[-1] in (
        "Due for review: 4 topics; see coursetrack review gda/2",
        "Due for review: 4 topics; see coursetrack review "
        "gda/ask-questions-to-make-data-driven-decisions",
    ), out


#: What the writing commands are asked, after the eight weeks: long titles, a long note,
#: a URL longer than any line, and undo of a command that holds it.
WRITES = [
    ["import", "{folder}/gda2.yaml"],
    ["start", "gda/5/1", "gda/5/3", "--on", "2026-10-26"],
    ["done", "gda/5/1", "--on", "2026-10-29"],
    ["reopen", "gda/5/1"],
    ["done", "gda/1/1"],  # nothing to do: it says so, with the title
    ["done", "gda/8", "--on", "2026-10-29"],
    ["note", "gda/5/3", "aggregating across many sheets takes a VLOOKUP and patience, and more"],
    [
        "link",
        "gda/7/4",
        "https://example.org/" + "a-long-path/" * 6 + "notes",
        "--title",
        "the annotations",
    ],
    ["link", "gda/7/4", "https://example.org/short", "--title", "a short one"],
    ["reviewed", "gda/1/1", "--grade", "good"],
    ["goal", "gda", "--by", "2027-02-28"],
    ["undo", "--yes"],
    ["undo", "--yes"],
    ["undo", "--yes"],
]


@pytest.mark.slow  # two runs of the real program for each of fourteen writes
def test_every_line_a_writing_command_prints_fits_at_60(gda: Path, tmp_path: Path) -> None:
    """Issue 22: the one-line messages of writing commands fit 60 columns, broken between
    words, never inside a command or a ref; a URL longer than the line runs past it
    whole (the one exception, see `too_wide`). At 80, the README's width, they are as
    they were: one line each, saying the same words."""
    (tmp_path / "gda2.yaml").write_text(GDA.replace("slug: gda", "slug: gda2", 1), "utf-8")
    narrow, wide = tmp_path / "narrow.db", tmp_path / "wide.db"
    narrow.write_bytes(gda.read_bytes())
    wide.write_bytes(gda.read_bytes())
    broken = 0
    for write in WRITES:
        args = [arg.format(folder=tmp_path) for arg in write]
        at_60, err = piped(narrow, 60, *args)
        at_80, _ = piped(wide, 80, *args)
        assert too_wide(at_60 + err, 60) == [], (args, at_60, err)
        for n, line in enumerate(at_60):
            assert not re.search(r"coursetrack( \w+)?$", line), (args, at_60[n : n + 2])
            assert not line.endswith("/"), (args, at_60[n : n + 2])  # a ref cut after its /
        # the same words, the lines at 60 continuing theirs with an indent
        assert " ".join(line.strip() for line in at_60) == " ".join(at_80), (args, at_60)
        assert len(at_60) >= len(at_80)
        broken += len(at_60) > len(at_80)
        assert not any(line.startswith(" ") for line in at_80), at_80
    assert broken >= 5, "most messages were too long for 60 columns"


# --- any program, any width from 60 up ------------------------------------------------

_WORDS = (
    "Data", "Analytics", "Optional:", "Engage", "in", "the", "community", "Introduction", "to",
    "Machine", "Learning", "Foundations,", "Everywhere", "Ask", "Questions", "Make",
    "Data-Driven", "Decisions", "Prepare", "for", "Exploration", "Process", "from", "Dirty",
    "Clean", "Analyze", "Answer", "Share", "Through", "Art", "of", "Visualization", "with", "R",
    "Programming", "Capstone:", "Complete", "a", "Case", "Study", "Supervised", "Unsupervised",
    "Deep", "Neural", "Networks",
)  # fmt: skip
_TITLE = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12).map(" ".join)
_COURSE = st.tuples(_TITLE, st.lists(_TITLE, max_size=5, unique_by=slugify))
_PROGRAM = st.tuples(
    _TITLE, st.lists(_COURSE, min_size=1, max_size=4, unique_by=lambda c: slugify(c[0]))
)
_DAY = st.integers(0, 90).map(lambda n: (dt.date(2026, 8, 1) + dt.timedelta(n)).isoformat())
#: What the learner did: (verb, course index, topic index or None, day).
_STEP = st.tuples(
    st.sampled_from(["start", "done", "note", "link"]),
    st.integers(0, 3),
    st.one_of(st.none(), st.integers(0, 4)),
    _DAY,
)


def _catalog(slug: str, program: tuple) -> str:
    title, courses = program
    lines = [f"slug: {slug}", f"title: {json.dumps(title)}", "courses:"]
    for course, topics in courses:
        lines.append(f"  - title: {json.dumps(course)}")
        if topics:
            lines.append("    topics:")
            lines += [f"      - {json.dumps(topic)}" for topic in topics]
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking took minutes
)
@given(
    programs=st.lists(_PROGRAM, min_size=1, max_size=2),
    steps=st.lists(_STEP, max_size=8),
    goal=st.booleans(),
    widths=st.lists(st.integers(60, 120), min_size=1, max_size=2),
)
def test_any_program_at_any_width_fits(programs, steps, goal, widths) -> None:
    """Every line of every view fits, whatever the titles, the slugs made of them and the
    progress, at any width from 60 columns (a URL too long for any line excepted)."""
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "store.db")
        env = {"COURSETRACK_NOW": NOW, "COLUMNS": "80"}

        def run(*args: str) -> tuple[int, str]:
            result = runner.invoke(app, ["--db", db, *args], env=env)
            return result.exit_code, result.output

        slugs = []
        for n, program in enumerate(programs):
            slug = f"p{n}" if n else (slugify(program[0])[:24].strip("-") or "p")
            path = Path(tmp) / f"{n}.yaml"
            path.write_text(_catalog(slug, program), encoding="utf-8")
            code, out = run("import", str(path))
            assert code == 0, out
            slugs.append(slug)
        spec, courses = slugs[0], programs[0][1]
        for verb, c, t, day in steps:
            c %= len(courses)
            topics = courses[c][1]
            ref = f"{spec}/{c + 1}" + (
                f"/{t % len(topics) + 1}" if t is not None and topics else ""
            )
            args = {
                "start": ["start", ref, "--on", day],
                "done": ["done", ref, "--on", day],
                "note": ["note", ref, f"noted on {day}: {courses[c][0]}", "--on", day],
                "link": ["link", ref, f"https://example.org/{day}", "--title", courses[c][0]],
            }[verb]
            run(*args)  # a start of a done topic may be refused: what is shown is checked
        if goal:
            run("goal", spec, "--by", "2027-03-01")
        views = [
            ["status"],
            ["status", spec],
            ["next"],
            ["plan", spec],
            ["log", "-n", "3"],
            ["review"],
            ["show", spec],
            ["note", "list"],
            ["link", "list"],
            ["chart", spec],
        ]
        for c, (_, topics) in enumerate(courses, 1):
            views += [["status", f"{spec}/{c}"], ["show", f"{spec}/{c}"]]
            if topics:
                views += [["status", f"{spec}/{c}/1"], ["show", f"{spec}/{c}/1"]]
        for width in widths:
            env["COLUMNS"] = str(width)
            for args in views:
                code, out = run(*args)
                assert code == 0, (args, out)
                assert too_wide(out.splitlines(), width) == [], (args, width, out)
                for line in out.splitlines():
                    assert not re.search(r"coursetrack( \w+)?$", line), (args, width, out)


@settings(max_examples=40, deadline=None)
@given(
    title=_TITLE,
    learners=st.lists(
        st.tuples(
            st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=24),
            st.integers(0, 40),
            st.sampled_from(["finished", "studying", "stuck", "not-started"]),
            _TITLE,
        ),
        max_size=4,
    ),
    width=st.integers(60, 120),
)
def test_group_views_fit_any_width(title, learners, width) -> None:
    """`group status SPEC` and `SPEC/COURSE`, drawn from what the service returns."""
    import io
    from contextlib import redirect_stdout
    from unittest import mock

    from coursetrack import render
    from coursetrack.services.group import (
        GroupCourse,
        GroupStatus,
        LearnerPlace,
        LearnerProgress,
        TopicRef,
    )

    today = dt.date(2026, 10, 30)
    spec = GroupStatus(slugify(title)[:24] or "s", title, today, 40, 8)
    course = GroupCourse(f"{spec.slug}/3", "c", title, today, 40, 14)
    for name, done, state, topic in learners:
        spec.learners.append(
            LearnerProgress(name, done, 40, done * 2.5, today, 3, "behind", days_ahead=-12)
        )
        place = LearnerPlace(
            name, done, 40, done * 2.5, state, TopicRef(2, "t", topic), "todo", today, 20,
            state == "stuck",
        )  # fmt: skip
        course.learners.append(place)
    out = io.StringIO()
    with mock.patch.dict(os.environ, {"COLUMNS": str(width)}), redirect_stdout(out):
        render.group_table(spec)
        render.group_course_table(course)
    assert too_wide(out.getvalue().splitlines(), width) == [], out.getvalue()


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(_TITLE, _TITLE, st.integers(0, 9)), min_size=1, max_size=4),
    width=st.integers(20, 130),
)
def test_lines_under_rows_read_the_same_piped_and_in_colour(rows, width: int) -> None:
    """The overview's activity lines (`under`), printed without Rich's table machinery (a
    pipe) and by Rich (colour), say the same, each under its row, never past the width."""
    import io

    from rich.console import Console
    from rich.text import Text

    from coursetrack import render
    from coursetrack.render.console import _text
    from coursetrack.render.tables import _emit

    columns = [
        render.Column("Slug", style="cyan"),
        render.Column("Title", title=True),
        render.Column("Count", justify="right"),
    ]
    cells = [[_text(slugify(title)[:8] or "s"), _text(title), str(n)] for title, _, n in rows]
    under = [Text(f"last active · {words}", style="dim") if n else None for _, words, n in rows]

    def printed(colour: bool) -> str:
        out = io.StringIO()
        console = Console(
            file=out,
            width=width,
            highlight=False,
            soft_wrap=False,
            force_terminal=colour,
            color_system="standard" if colour else None,
        )
        table = render.fitted_table(columns, cells, width=width, under=under, under_column=1)
        _emit(console, table)
        return re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())

    piped = printed(colour=False)
    assert piped == printed(colour=True)
    lines = piped.splitlines()
    assert len(lines) == 2 + len(rows) + sum(1 for u in under if u)
    assert all(cell_len(line) <= width for line in lines[2:]), piped


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from([*_WORDS, "gda/foundations/introducing-data:", "https://example.org/x"]),
        min_size=1,
        max_size=30,
    ),
    ref=st.text("0123456789/-", max_size=20).map(lambda tail: "x9" + tail),
    width=st.integers(24, 79),
)
def test_a_message_breaks_between_words_never_in_a_ref_or_a_command(words, ref, width) -> None:
    """`message_lines`: the same words, each line within `width` but for one word longer
    than the line (on a line of its own), and `coursetrack review REF` whole on one line (or broken between its
    words only when longer than a line)."""
    from coursetrack.render.layout import message_lines

    command = f"coursetrack review {ref}"
    message = " ".join([*words[:3], "see", command + ",", *words[3:]])
    out = message_lines(message, width)
    assert " ".join(line.strip() for line in out) == message
    assert all(cell_len(line) <= width or " " not in line.strip() for line in out), out
    if len(command + ",") <= width - 2:
        assert any(command in line for line in out), out
    assert all(ref in line.split() or ref + "," in line.split() for line in out if ref in line)


def test_a_ref_that_fits_the_line_only_without_the_indent_loses_the_indent() -> None:
    from coursetrack.render.layout import message_lines

    ref = "gda/" + "r" * 55  # 60 columns with its colon: with the indent's two, 62
    assert message_lines(f"done {ref}: a title", 60) == ["done", f"{ref}:", "  a title"]
