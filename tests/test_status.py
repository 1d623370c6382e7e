"""status: the tables, their JSON, and terminal manners."""

from __future__ import annotations

import re

from terminal import run_in_terminal

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-7]|38;|9[0-7])[0-9;]*m")


def test_empty_store_says_how_to_start(store) -> None:
    result = store.run("status")
    assert result.exit_code == 0
    assert "coursetrack import deep-learning-specialization" in result.stdout
    assert not store.exists(), "reading creates no store"
    assert store.run("status", "--json").json() == {"specializations": []}


def test_overview_table(dls) -> None:
    dls.run("done", "dls/1")
    dls.run("done", "dls/2/1")
    out = dls.run("status").stdout
    header, _rule, row = out.splitlines()[:3]
    assert header.split() == ["Slug", "Specialization", "Courses", "Units", "Progress", "%"]
    assert row.split()[0] == "dls"
    assert "Deep Learning Specialization" in row
    assert "1/5" in row and "5/17" in row and "29%" in row
    assert "███░░░░░░░" in row


def test_overview_json(dls) -> None:
    dls.run("done", "dls/1")
    data = dls.run("status", "--json").json()
    (spec,) = data["specializations"]
    assert {k: spec[k] for k in ("slug", "title", "courses_done", "courses_total")} == {
        "slug": "dls",
        "title": "Deep Learning Specialization",
        "courses_done": 1,
        "courses_total": 5,
    }
    assert (spec["units_done"], spec["units_total"], spec["percent"]) == (4, 17, 23.5)


def test_specialization_table_lists_courses_in_order(dls) -> None:
    dls.run("done", "dls/1", "--on", "2026-02-01")
    dls.run("start", "dls/2/1", "--on", "2026-02-03")
    lines = dls.run("status", "dls", env={"COLUMNS": "160"}).stdout.splitlines()
    assert lines[0].startswith("Deep Learning Specialization  dls  4/17 units, 23%"), "rounded down"
    assert lines[1].split() == [
        "#",
        "Course",
        "Status",
        "Units",
        "Progress",
        "Started",
        "Completed",
    ]
    rows = [line for line in lines[3:] if re.match(r"^\d ", line)]
    assert [r.split()[0] for r in rows] == ["1", "2", "3", "4", "5"]
    assert "done" in rows[0] and "4/4" in rows[0] and "100%" in rows[0]
    assert rows[0].rstrip().endswith("2026-02-01")
    assert "in-progress" in rows[1] and "2026-02-03" in rows[1] and "0/3" in rows[1]
    assert "todo" in rows[4]


def test_specialization_json(dls) -> None:
    dls.run("done", "dls/1", "--on", "2026-02-01")
    data = dls.run("status", "dls", "--json").json()
    for key in ("slug", "title", "units_done", "units_total", "percent", "courses"):
        assert key in data
    assert [c["position"] for c in data["courses"]] == [1, 2, 3, 4, 5]
    first = data["courses"][0]
    assert first == {
        "position": 1,
        "slug": "neural-networks",
        "title": "Neural Networks and Deep Learning",
        "status": "done",
        "units_done": 4,
        "units_total": 4,
        "percent": 100.0,
        "started_on": "2026-02-01",
        "completed_on": "2026-02-01",
        "certificate_url": None,
    }
    assert data["courses"][1]["started_on"] is None


def test_course_table_and_json(dls) -> None:
    dls.run("done", "dls/4/2", "--on", "2026-03-03")
    out = dls.run("status", "dls/cnn").stdout
    assert out.splitlines()[0].startswith("Convolutional Neural Networks  dls/cnn  1/4 units, 25%")
    assert "Topic" in out.splitlines()[1]
    data = dls.run("status", "dls/4", "--json").json()
    assert [t["slug"] for t in data["topics"]] == [
        "foundations",
        "case-studies",
        "detection",
        "special-applications",
    ]
    assert data["topics"][1]["status"] == "done"
    assert data["topics"][1]["completed_on"] == "2026-03-03"
    assert (data["units_done"], data["units_total"], data["percent"]) == (1, 4, 25.0)


def test_topic_status(dls) -> None:
    dls.run("start", "dls/5/4", "--on", "2026-07-07")
    out = dls.run("status", "dls/5/4").stdout
    assert "Transformer Network" in out and "in-progress" in out and "2026-07-07" in out
    assert dls.run("status", "dls/5/4", "--json").json()["status"] == "in-progress"


def test_tables_fit_80_columns(dls) -> None:
    dls.run("done", "dls/1", "--on", "2026-02-01")
    dls.run("update", "dls/2", "--title", "A very long course title " * 6)
    for ref in ([], ["dls"], ["dls/2"]):
        for line in dls.run("status", *ref).stdout.splitlines():
            assert len(line) <= 80, line


def test_no_colour_in_a_pipe(dls) -> None:
    assert not ANSI.search(dls.run("status", "dls").stdout)


def test_colour_on_a_terminal_and_none_under_no_color(dls) -> None:
    dls.run("done", "dls/1")
    args = ["--db", dls.db, "status", "dls"]
    code, screen = run_in_terminal(args)
    assert code == 0
    assert COLOUR.search(screen), "a terminal gets colour"
    code, screen = run_in_terminal(args, env={"NO_COLOR": "1"})
    assert code == 0
    assert "Neural Networks" in screen
    assert not COLOUR.search(screen), "NO_COLOR turns colour off"


def test_hostile_titles_print_as_text(store) -> None:
    store.run("add", "specialization", "[bold red]x[/] \x1b[31mred\x1b[0m", "--slug", "evil")
    out = store.run("status").stdout
    assert "[bold red]x[/]" in out
    assert "\x1b" not in out


def test_rm_asks_on_a_terminal(dls) -> None:
    dls.run("done", "dls/1/1")
    code, screen = run_in_terminal(["--db", dls.db, "rm", "dls/1"], answer="n")
    assert (
        "Delete course dls/neural-networks (4 topics) and 1 record(s) of your study (progress, notes, links, reviews)?"
        in screen
    )
    assert code == 1
    assert dls.rows("SELECT count(*) FROM course") == [(5,)]
    code, screen = run_in_terminal(["--db", dls.db, "rm", "dls/1"], answer="y")
    assert code == 0
    assert "removed course dls/neural-networks" in screen
    assert dls.rows("SELECT count(*) FROM course") == [(4,)]


def test_json_escapes_control_characters(store) -> None:
    store.run("add", "specialization", "csi \x9b31m and esc \x1b[0m", "--slug", "evil")
    result = store.run("status", "--json")
    assert "\x9b" not in result.stdout and "\x1b" not in result.stdout
    assert result.json()["specializations"][0]["title"] == "csi \x9b31m and esc \x1b[0m"


def test_nearly_done_is_not_shown_as_finished(store, tmp_path) -> None:
    """199 of 200: 99%, nine blocks of ten, never a 100% that is not."""
    catalog = tmp_path / "c.yaml"
    topics = "\n".join(f"      - T{n}" for n in range(200))
    catalog.write_text(f"slug: big\ntitle: Big\ncourses:\n  - title: C\n    topics:\n{topics}\n")
    store.run("import", str(catalog))
    store.run("done", "big")
    store.run("reopen", "big/1/200")
    row = store.run("status").stdout.splitlines()[2]
    assert row.rstrip().endswith("█████████░  99%"), row
    assert store.run("status", "--json").json()["specializations"][0]["percent"] == 99.5
