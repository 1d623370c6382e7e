"""`coursetrack chart`, and the burn-up SVG that `export markdown --chart` writes.

Most tests use `journey` (chart_fixtures.py): 8 of 17 units done over eight weeks
of spring 2024, a goal of 2024-07-31, the clock pinned to 2024-05-22.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from chart_fixtures import TODAY, WEEKS, journey, run_ok

__all__ = ["journey"]  # the fixture, used by name

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> $x^2$ & ]]> \x1b[31mred"


def _goal(week_of: str) -> float:
    """The goal line by hand: 0 on 2024-04-01, 17 units on 2024-07-31, read at the week's end."""
    start, goal = dt.date(2024, 4, 1), dt.date(2024, 7, 31)
    end = min(dt.date.fromisoformat(week_of) + dt.timedelta(days=6), dt.date(2024, 5, 22))
    return round(17 * (end - start).days / (goal - start).days, 1)


def test_json_gives_the_weekly_series_and_the_totals_of_status(journey) -> None:
    chart = run_ok(journey, "chart", "dls", "--json").json()
    status = run_ok(journey, "status", "dls", "--json").json()
    assert [(w["week_of"], w["done"], w["done_total"]) for w in chart["weeks"]] == WEEKS
    assert [w["goal"] for w in chart["weeks"]] == [_goal(w[0]) for w in WEEKS]
    for key in ("units_done", "units_total", "percent", "started_on"):
        assert chart[key] == status[key], key
    assert (chart["units_done"], chart["goal_on"], chart["today"]) == (
        8,
        "2024-07-31",
        "2024-05-22",
    )


def test_weeks_keeps_the_last_n(journey) -> None:
    chart = run_ok(journey, "chart", "dls", "--weeks", "3", "--json").json()
    assert [(w["week_of"], w["done"], w["done_total"]) for w in chart["weeks"]] == WEEKS[-3:]
    shown = run_ok(journey, "chart", "dls", "--weeks", "2").stdout
    assert "2024-05-13" in shown and "2024-05-20" in shown and "2024-05-06" not in shown


@pytest.mark.parametrize("weeks", ["0", "-1", "many"])
def test_weeks_must_be_a_positive_number(journey, weeks: str) -> None:
    result = journey.run("chart", "dls", "--weeks", weeks)
    assert result.exit_code == 2
    assert "--weeks" in result.stderr


def test_terminal_chart_reads_in_80_columns_without_colour_in_a_pipe(journey) -> None:
    out = run_ok(journey, "chart", "dls").stdout
    lines = out.splitlines()
    assert lines[0].startswith("Deep Learning Specialization  dls  8/17 units, 47%")
    assert "\x1b[" not in out
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    rows = {line[:10]: line for line in lines if re.match(r"\d{4}-\d{2}-\d{2} ", line)}
    assert list(rows) == [w[0] for w in WEEKS]
    for week_of, done, total in WEEKS:
        cells = rows[week_of].split()
        assert cells[1] == (f"+{done}" if done else "·")
        assert cells[3] == str(total)
        assert "│" in rows[week_of], "the goal line is marked on every row"
    assert rows["2024-05-20"].endswith("◀ today")
    assert sum("today" in line for line in lines) == 1
    assert "goal line: all 17 units by 2024-07-31" in out
    # the running total and the goal mark move right as weeks pass
    filled = [rows[w[0]].count("█") for w in WEEKS]
    marks = [rows[w[0]].index("│") for w in WEEKS]
    assert filled == sorted(filled) and marks == sorted(marks) and marks[0] < marks[-1]


def test_terminal_chart_has_colour_on_a_terminal_and_none_under_no_color(journey) -> None:
    coloured = journey.run("chart", "dls", env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert coloured.exit_code == 0
    assert "\x1b[32m█" in coloured.stdout  # green
    plain = journey.run(
        "chart", "dls", env={"FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": "1"}
    )
    assert plain.exit_code == 0
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", plain.stdout), "no foreground colour"


def test_no_activity_no_goal(dls) -> None:
    out = run_ok(dls, "chart", "dls").stdout
    assert "No activity yet" in out
    data = run_ok(dls, "chart", "dls", "--json").json()
    assert data["weeks"] == [] and data["units_done"] == 0 and data["started_on"] is None


def test_without_a_goal_the_legend_says_how_to_set_one(dls, monkeypatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", TODAY)
    run_ok(dls, "done", "dls/1/1", "--on", "2024-05-21")
    out = run_ok(dls, "chart", "dls").stdout
    assert "coursetrack goal dls --by DATE" in out
    assert "│" not in out
    assert run_ok(dls, "chart", "dls", "--json").json()["weeks"][0]["goal"] is None


@pytest.mark.parametrize(
    ("ref", "message"),
    [("dls/1", "a chart shows a whole specialization"), ("nope", "nope")],
)
def test_chart_takes_a_specialization(dls, ref: str, message: str) -> None:
    result = dls.run("chart", ref)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_hostile_title_prints_as_text(journey) -> None:
    run_ok(journey, "update", "dls", "--title", HOSTILE)
    out = run_ok(journey, "chart", "dls").stdout
    assert "\x1b" not in out
    assert "<script>alert(1)</script> $x^2$ & ]]> \\x1b[31mred" in out


def test_a_finished_specialization_ends_the_week_it_was_finished(dls, monkeypatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", TODAY)
    run_ok(dls, "done", "dls", "--on", "2024-03-06")
    data = run_ok(dls, "chart", "dls", "--json").json()
    assert [(w["week_of"], w["done"], w["done_total"]) for w in data["weeks"]] == [
        ("2024-03-04", 17, 17)
    ]
    out = run_ok(dls, "chart", "dls").stdout
    assert "Finished on 2024-03-06." in out and "today" not in out


def test_a_course_without_topics_is_one_unit_as_in_status(store, monkeypatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", TODAY)
    run_ok(store, "add", "specialization", "Solo", "--slug", "solo")
    run_ok(store, "add", "course", "solo", "One")
    run_ok(store, "add", "course", "solo", "Two")
    run_ok(store, "add", "topic", "solo/2", "T1")
    run_ok(store, "add", "topic", "solo/2", "T2")
    run_ok(store, "done", "solo/1", "--on", "2024-05-07")
    run_ok(store, "done", "solo/2/1", "--on", "2024-05-21")
    chart = run_ok(store, "chart", "solo", "--json").json()
    status = run_ok(store, "status", "solo", "--json").json()
    assert (chart["units_done"], chart["units_total"], chart["percent"]) == (
        2,
        3,
        status["percent"],
    )
    assert [(w["week_of"], w["done"], w["done_total"]) for w in chart["weeks"]] == [
        ("2024-05-06", 1, 1),
        ("2024-05-13", 0, 1),
        ("2024-05-20", 1, 2),
    ]
    assert "Solo  solo  2/3 units, 66%" in run_ok(store, "chart", "solo").stdout


def test_done_units_without_a_date_count_from_the_start(journey) -> None:
    # as an old backup may hold them: done, no completion date (the store's rules now refuse
    # them, and its upgrade gives them one; the chart still copes)
    journey.execute_past_rules(
        "UPDATE progress SET completed_on = NULL WHERE topic_id IN "
        "(SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id "
        "WHERE c.position = 1 AND t.position <= 2)"
    )
    chart = run_ok(journey, "chart", "dls", "--json").json()
    assert chart["undated_done"] == 2
    assert [(w["week_of"], w["done"], w["done_total"]) for w in chart["weeks"]] == [
        (week, done - 2 if week == "2024-04-01" else done, total) for week, done, total in WEEKS
    ]
    assert chart["weeks"][-1]["done_total"] == chart["units_done"] == 8


@pytest.mark.slow  # a burn-up drawn with matplotlib
def test_a_goal_that_passed_before_the_first_activity(dls, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", "2024-03-01T09:00:00+00:00")
    run_ok(dls, "goal", "dls", "--by", "2024-03-31")
    monkeypatch.setenv("COURSETRACK_NOW", TODAY)
    run_ok(dls, "done", "dls/1/1", "--on", "2024-05-21")
    weeks = run_ok(dls, "chart", "dls", "--json").json()["weeks"]
    assert weeks == [
        {"week_of": "2024-05-20", "done": 1, "done_total": 1, "goal": 17.0, "ends_on": "2024-05-22"}
    ]
    run_ok(dls, "export", "markdown", "dls", "--chart", "-o", str(tmp_path / "index.md"))
    root = ET.parse(tmp_path / "dls-progress.svg").getroot()
    goal = root.find(f".//{SVG}g[@id='goal-line']/{SVG}path")
    assert goal is not None
    xs = [float(x) for x in re.findall(r"[ML] ([\d.]+) [\d.]+", goal.get("d", ""))]
    assert xs == sorted(xs), "the goal line never runs back in time"


# --- the SVG beside the post -----------------------------------------------------------


def _svg_series(svg: Path) -> tuple[ET.Element, list[tuple[str, int]]]:
    """The SVG parsed by a real XML parser, and the weeks its bars are tagged with."""
    root = ET.parse(svg).getroot()
    assert root.tag == f"{SVG}svg"
    bars = []
    for group in root.iter(f"{SVG}g"):
        found = re.fullmatch(r"week-(\d{4}-\d{2}-\d{2})-done-(\d+)", group.get("id", ""))
        if found:
            bars.append((found[1], int(found[2])))
    return root, bars


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_markdown_chart_writes_a_page_bundle_for_hugo(journey, tmp_path: Path) -> None:
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    result = run_ok(journey, "export", "markdown", "dls", "--chart", "-o", str(posts))
    bundle = posts / "dls"
    assert sorted(p.name for p in bundle.iterdir()) == ["dls-progress.svg", "index.md"]
    assert f"wrote {bundle / 'dls-progress.svg'}" in result.stdout
    post = (bundle / "index.md").read_text(encoding="utf-8")
    assert (
        "\n![Units done week by week in Deep Learning Specialization](dls-progress.svg)\n" in post
    )
    root, bars = _svg_series(bundle / "dls-progress.svg")
    assert bars == [(w, done) for w, done, _ in WEEKS]
    texts = _texts(root)
    assert "Deep Learning Specialization: 8 of 17 units (47%)" in texts
    assert "Units done" in texts
    assert {"Apr", "May", "Jun", "Jul"} <= set(texts)  # the time axis is dated
    assert "Goal: all units by 2024-07-31" in texts and "Today" in texts
    again = run_ok(journey, "export", "markdown", "dls", "--chart", "--force", "-o", str(bundle))
    assert f"wrote {bundle / 'index.md'}" in again.stdout, "the bundle's own folder is the bundle"
    assert sorted(p.name for p in bundle.iterdir()) == ["dls-progress.svg", "index.md"]
    line = root.find(f".//{SVG}g[@id='done-in-all']/{SVG}path")
    assert line is not None
    # the line starts at 0 on the first active day, then one point per week: read its
    # heights back in units (the last point is 8 units above the first)
    ys = [float(y) for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", line.get("d", ""))]
    heights = [round(8 * (ys[0] - y) / (ys[0] - ys[-1]), 3) for y in ys]
    assert heights == [0, *(total for _, _, total in WEEKS)]


def test_markdown_chart_is_deterministic_and_needs_a_place(journey, tmp_path: Path) -> None:
    result = journey.run("export", "markdown", "dls", "--chart")
    assert result.exit_code == 1
    assert "--chart writes <slug>-progress.svg beside the post" in result.stderr
    first, second = tmp_path / "a" / "index.md", tmp_path / "b" / "index.md"
    for post in (first, second):
        post.parent.mkdir()
        run_ok(journey, "export", "markdown", "dls", "--chart", "-o", str(post))
    assert (first.parent / "dls-progress.svg").read_bytes() == (
        second.parent / "dls-progress.svg"
    ).read_bytes()


def test_markdown_chart_refuses_before_writing_anything(journey, tmp_path: Path) -> None:
    post = tmp_path / "index.md"
    post.write_text("mine", encoding="utf-8")
    result = journey.run("export", "markdown", "dls", "--chart", "-o", str(post))
    assert result.exit_code == 1
    assert "already exists; add --force" in result.stderr
    written = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("store.db"))
    assert written == ["index.md"], "no chart, no post (the store's own files aside)"
    assert post.read_text(encoding="utf-8") == "mine"
    run_ok(journey, "export", "markdown", "dls", "--chart", "-o", str(post), "--force")
    assert (tmp_path / "dls-progress.svg").exists() and "dls-progress.svg" in post.read_text()


def test_markdown_chart_warns_when_hugo_would_not_publish_it(journey, tmp_path: Path) -> None:
    result = run_ok(journey, "export", "markdown", "dls", "--chart", "-o", str(tmp_path / "d.md"))
    assert "page bundle" in result.stderr
    plain = run_ok(
        journey,
        "export",
        "markdown",
        "dls",
        "--format",
        "plain",
        "-o",
        str(tmp_path / "p.md"),
        "--force",
    )
    assert "page bundle" not in plain.stderr


def test_svg_escapes_a_hostile_title(journey, tmp_path: Path) -> None:
    run_ok(journey, "update", "dls", "--title", HOSTILE)
    post = tmp_path / "index.md"
    run_ok(journey, "export", "markdown", "dls", "--chart", "-o", str(post))
    svg = tmp_path / "dls-progress.svg"
    root, _ = _svg_series(svg)  # parses: nothing in the title broke the XML
    assert not [e for e in root.iter() if e.tag.split("}")[-1].lower() == "script"]
    assert "<script>alert(1)</script> $x^2$ & ]]> \\x1b[31mred: 8 of 17 units (47%)" in _texts(root)
    assert "\x1b" not in svg.read_text(encoding="utf-8")


HUGO = shutil.which("hugo")
JEKYLL = shutil.which("jekyll")


@pytest.mark.skipif(HUGO is None, reason="the hugo binary is not installed (apt-get install hugo)")
def test_hugo_publishes_the_chart_beside_the_page(journey, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "content" / "posts").mkdir(parents=True)
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "t"\n'
        'disableKinds = ["home", "section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n',
        encoding="utf-8",
    )
    (site / "layouts" / "_default" / "single.html").write_text(
        "<html><body>{{ .Content }}</body></html>", encoding="utf-8"
    )
    run_ok(journey, "export", "markdown", "dls", "--chart", "-o", str(site / "content" / "posts"))
    subprocess.run([HUGO, "--source", str(site), "--quiet"], check=True, timeout=120)
    page = (site / "public" / "posts" / "dls" / "index.html").read_text(encoding="utf-8")
    src = re.search(r'<img src="([^"]+)"', page)
    assert src is not None and src[1] == "dls-progress.svg"
    published = site / "public" / "posts" / "dls" / src[1]
    assert published.read_bytes() == (site / "content/posts/dls/dls-progress.svg").read_bytes()


@pytest.mark.skipif(JEKYLL is None, reason="jekyll is not installed (apt-get install jekyll)")
def test_jekyll_publishes_the_chart_from_assets(journey, tmp_path: Path) -> None:
    site = tmp_path / "blog"
    site.mkdir()
    (site / "_config.yml").write_text("title: t\nbaseurl: /blog\n", encoding="utf-8")
    (site / "_layouts").mkdir()
    (site / "_layouts" / "post.html").write_text("<html>{{ content }}</html>", encoding="utf-8")
    run_ok(journey, "export", "markdown", "dls", "--format", "jekyll", "--chart", "-o", str(site))
    assert (site / "assets" / "dls-progress.svg").is_file()
    subprocess.run(
        [JEKYLL, "build", "--source", str(site), "--destination", str(site / "_site"), "--quiet"],
        check=True,
        timeout=180,
        capture_output=True,
    )
    page = next((site / "_site").rglob("dls.html")).read_text(encoding="utf-8")
    src = re.search(r'<img src="([^"]+)"', page)
    assert src is not None and src[1] == "/blog/assets/dls-progress.svg"
    assert (site / "_site" / "assets" / "dls-progress.svg").is_file()


# --- start-up cost -----------------------------------------------------------------------

_PROBE = """
import sys
from coursetrack.cli import app
for args in {runs!r}:
    try:
        app(args, prog_name="coursetrack")
    except SystemExit as exc:
        assert not exc.code, (args, exc.code)
print("PLOTTING:" + ",".join(sorted(m for m in sys.modules
      if m.split(".")[0] in ("matplotlib", "numpy", "PIL"))), file=sys.stderr)
"""


def _plotting(runs: list[list[str]], env: dict) -> str:
    """The plotting modules loaded by one process that ran each command line in `runs`."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(runs=runs)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "PLOTTING:" in result.stderr, result.stderr
    return result.stderr.rsplit("PLOTTING:", 1)[1].strip()


@pytest.mark.slow  # an interpreter per command
def test_only_the_picture_commands_import_matplotlib(journey, tmp_path: Path) -> None:
    import os

    env = {**os.environ, "COURSETRACK_NOW": TODAY}
    db = ["--db", journey.db]
    others = [
        [*db, "status"],
        [*db, "status", "dls"],
        [*db, "chart", "dls"],
        [*db, "chart", "dls", "--json"],
        [*db, "export", "markdown", "dls"],
        [*db, "plan", "dls"],
        ["export", "html", "--help"],
    ]
    assert _plotting(others, env) == ""
    page = [[*db, "export", "html", "dls", "-o", str(tmp_path / "p.html")]]
    assert "matplotlib" in _plotting(page, env)
