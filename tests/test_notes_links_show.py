"""note, link and show: the learner's notebook on every item, and one item in full."""

from __future__ import annotations

import pytest

NOW = "2026-03-01T09:00:00+00:00"


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", NOW)


def notes(store) -> list[tuple]:
    return store.rows(
        "SELECT specialization_id IS NOT NULL, course_id IS NOT NULL, topic_id IS NOT NULL, "
        "written_on, text FROM note ORDER BY id"
    )


# --- note --------------------------------------------------------------------


def test_note_appends_dated_notes_to_any_item(dls) -> None:
    result = dls.run("note", "dls/1/2", "vectorize: no for-loops over examples")
    assert (result.exit_code, result.stdout) == (
        0,
        "noted on dls/neural-networks/basics (2026-03-01); it has 1 note\n",
    )
    second = dls.run("note", "dls/1/2", "broadcasting bites", "--on", "yesterday")
    assert second.stdout.endswith("it has 2 notes\n")
    dls.run("note", "dls/cnn", "watch the YOLO lecture twice", "--on", "2026-02-14")
    dls.run("note", "dls", "  certificate arrived  ")
    assert notes(dls) == [
        (0, 0, 1, "2026-03-01", "vectorize: no for-loops over examples"),
        (0, 0, 1, "2026-02-28", "broadcasting bites"),
        (0, 1, 0, "2026-02-14", "watch the YOLO lecture twice"),
        (1, 0, 0, "2026-03-01", "certificate arrived"),
    ]
    shown = dls.run("show", "dls/1/2", "--json").json()["notes"]
    assert shown == [
        {"written_on": "2026-02-28", "text": "broadcasting bites"},
        {"written_on": "2026-03-01", "text": "vectorize: no for-loops over examples"},
    ], "oldest first"


def test_note_json(dls) -> None:
    data = dls.run("note", "dls/2", "Adam = momentum + RMSprop", "--json").json()
    assert data == {
        "ref": "dls/improving",
        "written_on": "2026-03-01",
        "text": "Adam = momentum + RMSprop",
        "notes": 1,
    }


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["dls/1/2", "   "], 1, "Error: the note is empty"),
        (["dls/1/9", "text"], 1, "has no topic 9"),
        (["dls/1/2", "text", "--on", "soon"], 1, "--on 'soon' is not a date"),
        (["dls/1/2"], 2, ""),
    ],
)
def test_note_refusals_change_nothing(dls, args, code, message) -> None:
    before = dls.dump()
    result = dls.run("note", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert dls.dump() == before


def test_a_note_can_be_undone(dls) -> None:
    dls.run("note", "dls/1", "first")
    dls.run("note", "dls/1", "second")
    assert dls.run("undo").exit_code == 0
    assert [row[-1] for row in notes(dls)] == ["first"]


# --- link --------------------------------------------------------------------


def test_link_keeps_links_on_any_item(dls) -> None:
    url = "https://github.com/me/dl/blob/main/week2.ipynb"
    result = dls.run("link", "dls/1/2", url, "--title", "my notebook")
    assert (result.exit_code, result.stdout) == (
        0,
        f"linked {url} on dls/neural-networks/basics\n",
    )
    dls.run("link", "dls/cnn", "https://youtu.be/XYZ", "-t", "YOLO explained")
    dls.run("link", "dls", "https://example.org/summary")
    assert dls.rows(
        "SELECT specialization_id IS NOT NULL, course_id IS NOT NULL, topic_id IS NOT NULL, "
        "url, title, added_on FROM link ORDER BY id"
    ) == [
        (0, 0, 1, url, "my notebook", "2026-03-01"),
        (0, 1, 0, "https://youtu.be/XYZ", "YOLO explained", "2026-03-01"),
        (1, 0, 0, "https://example.org/summary", None, "2026-03-01"),
    ]


def test_the_same_url_is_kept_once(dls) -> None:
    dls.run("link", "dls/1", "https://example.org/a", "--title", "old")
    again = dls.run("link", "dls/1", "https://example.org/a")
    assert again.stdout == (
        "dls/neural-networks already keeps https://example.org/a; nothing changed\n"
    )
    renamed = dls.run("link", "dls/1", "https://example.org/a", "--title", "new", "--json")
    assert renamed.json() == {
        "ref": "dls/neural-networks",
        "action": "retitled",
        "url": "https://example.org/a",
        "title": "new",
        "added_on": "2026-03-01",
    }
    assert dls.rows("SELECT title FROM link") == [("new",)]
    dls.run("link", "dls/2", "https://example.org/a")
    assert dls.rows("SELECT count(*) FROM link") == [(2,)], "another item may keep it too"


@pytest.mark.parametrize(
    ("url", "message"),
    [("  ", "the URL is empty"), ("https://example.org/my notes", "contains a space")],
)
def test_bad_links_are_refused(dls, url: str, message: str) -> None:
    before = dls.dump()
    result = dls.run("link", "dls/1", url)
    assert result.exit_code == 1
    assert message in result.stderr
    assert dls.dump() == before


# --- show --------------------------------------------------------------------


def test_show_a_topic(dls) -> None:
    dls.run("start", "dls/1/2", "--on", "2026-02-08")
    dls.run("done", "dls/1/2", "--on", "2026-02-10")
    dls.run("reviewed", "dls/1/2", "--grade", "good", "--on", "2026-02-11")
    dls.run("note", "dls/1/2", "vectorize", "--on", "2026-02-10")
    dls.run("link", "dls/1/2", "https://example.org/nb", "--title", "my notebook")
    data = dls.run("show", "dls/1/2", "--json").json()
    assert data == {
        "kind": "topic",
        "ref": "dls/neural-networks/basics",
        "title": "Neural Networks Basics",
        "description": None,
        "url": None,
        "status": "done",
        "started_on": "2026-02-08",
        "completed_on": "2026-02-10",
        "units_done": 1,
        "units_total": 1,
        "percent": 100.0,
        "certificate_url": None,
        "notes": [{"written_on": "2026-02-10", "text": "vectorize"}],
        "links": [
            {"url": "https://example.org/nb", "title": "my notebook", "added_on": "2026-03-01"}
        ],
        "position": 2,
        "course": {
            "ref": "dls/neural-networks",
            "position": 1,
            "title": "Neural Networks and Deep Learning",
        },
        "review": {
            "due_on": "2026-02-14",
            "due": True,
            "interval_days": 3,
            "reviews": [
                {
                    "reviewed_on": "2026-02-11",
                    "grade": "good",
                    "interval_days": 3,
                    "due_on": "2026-02-14",
                }
            ],
        },
    }
    out = dls.run("show", "dls/1/2").stdout
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[0] == "Neural Networks Basics"
    assert "Ref        dls/neural-networks/basics (topic)" in lines
    assert "Status     done" in lines
    assert "Started    2026-02-08" in lines
    assert "Completed  2026-02-10" in lines
    words = " ".join(out.split())
    assert (
        "Review due now, since 2026-02-14 (interval 3 days); 1 review(s), last 2026-02-11 (good)"
    ) in words
    assert "Notes (1)" in lines and "  2026-02-10  vectorize" in lines
    assert "Links (1)" in lines and "  my notebook  https://example.org/nb" in lines
    assert all(len(line) <= 80 for line in out.splitlines())


def test_show_a_topic_not_done_has_no_review(dls) -> None:
    data = dls.run("show", "dls/5/4", "--json").json()
    assert (data["status"], data["review"], data["notes"], data["links"]) == ("todo", None, [], [])
    out = dls.run("show", "dls/5/4").stdout
    assert "Review" not in out and "Notes (0)" in out and "Links (0)" in out


def test_show_a_specialization_and_a_course(dls) -> None:
    dls.run("done", "dls/1", "--on", "2026-02-20")
    dls.run("goal", "dls", "--by", "2026-06-30")
    dls.run("update", "dls", "--certificate-url", "https://coursera.org/verify/XYZ")
    spec = dls.run("show", "dls", "--json").json()
    assert (spec["kind"], spec["ref"], spec["status"]) == ("specialization", "dls", "in-progress")
    assert (spec["units_done"], spec["units_total"], spec["percent"]) == (4, 17, 23.5)
    assert (spec["goal_on"], spec["reviews_due"]) == ("2026-06-30", 4)
    assert spec["certificate_url"] == "https://coursera.org/verify/XYZ"
    assert spec["provider"] and spec["description"] and spec["url"]
    assert "review" not in spec and "course" not in spec and "position" not in spec
    course = dls.run("show", "dls/1", "--json").json()
    assert (course["kind"], course["position"], course["status"]) == ("course", 1, "done")
    assert (course["started_on"], course["completed_on"]) == ("2026-02-20", "2026-02-20")
    assert "goal_on" not in course and "provider" not in course
    out = dls.run("show", "dls").stdout
    assert "Goal         finish by 2026-06-30" in out
    assert "Certificate  https://coursera.org/verify/XYZ" in out
    assert "4 topics due: coursetrack review dls" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_show_includes_the_note_done_wrote(dls) -> None:
    dls.run("done", "dls/1/1", "--note", "loved the intro")
    notes = dls.run("show", "dls/1/1", "--json").json()["notes"]
    assert [n["text"] for n in notes] == ["loved the intro"]


def test_show_prints_hostile_text_harmlessly(dls) -> None:
    dls.run("note", "dls/1/1", "\x1b[31mred\x1b[0m [bold]x[/]")
    dls.run("link", "dls/1/1", "https://example.org/\x1b]8;;evil", "--title", "\x9b31m")
    result = dls.run("show", "dls/1/1")
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    assert "[bold]x[/]" in result.stdout
    data = dls.run("show", "dls/1/1", "--json")
    assert "\x9b" not in data.stdout
    assert data.json()["notes"][0]["text"] == "\x1b[31mred\x1b[0m [bold]x[/]"


def test_show_unknown_ref(dls) -> None:
    result = dls.run("show", "dls/7")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: dls has no course 7")
