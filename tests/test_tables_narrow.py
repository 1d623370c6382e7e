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

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from coursetrack.cli import app

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
    assert any("More about visualizations, aesthetics, and annota…" in line for line in out)


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
