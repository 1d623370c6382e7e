"""The review queue and its ladder of intervals (1, 3, 7, 21, 60, 180 days), on a pinned clock."""

from __future__ import annotations

import pytest

from coursetrack.errors import InputError
from coursetrack.services.review import LADDER, next_interval

NOW = "2026-03-01T09:00:00+00:00"


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", NOW)


def at(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", f"{day}T09:00:00+00:00")


def reviews(store) -> list[tuple]:
    return store.rows(
        "SELECT reviewed_on, grade, interval_days, due_on FROM review ORDER BY reviewed_on, id"
    )


@pytest.mark.parametrize(
    ("interval", "grade", "expected"),
    [
        (1, "good", 3),
        (3, "good", 7),
        (7, "good", 21),
        (21, "good", 60),
        (60, "good", 180),
        (180, "good", 180),  # the top rung repeats
        (1, "easy", 7),
        (7, "easy", 60),
        (60, "easy", 180),
        (1, "hard", 1),
        (21, "hard", 21),
        (60, "again", 1),
        (180, "again", 1),
        (10, "good", 21),  # an interval off the ladder sits on the rung below it
    ],
)
def test_ladder(interval: int, grade: str, expected: int) -> None:
    assert next_interval(interval, grade) == expected


def test_ladder_is_the_documented_one() -> None:
    assert LADDER == (1, 3, 7, 21, 60, 180)
    with pytest.raises(InputError):
        next_interval(1, "perfect")


def test_a_finished_topic_is_due_the_day_after(dls, monkeypatch) -> None:
    at(monkeypatch, "2026-02-10")
    dls.run("done", "dls/1/2")
    assert dls.run("review", "--json").json()["due"] == []
    out = dls.run("review").stdout
    assert out == "Nothing due for review today (2026-02-10); next on 2026-02-11.\n"
    at(monkeypatch, "2026-02-11")
    (item,) = dls.run("review", "--json").json()["due"]
    assert item == {
        "ref": "dls/neural-networks/basics",
        "short_ref": "dls/1/2",
        "title": "Neural Networks Basics",
        "course": {
            "ref": "dls/neural-networks",
            "position": 1,
            "title": "Neural Networks and Deep Learning",
        },
        "completed_on": "2026-02-10",
        "due_on": "2026-02-11",
        "days_overdue": 0,
        "interval_days": 1,
        "reviews": 0,
        "last_reviewed_on": None,
        "last_grade": None,
    }


def test_review_lists_oldest_due_first_and_filters(dls) -> None:
    dls.run("done", "dls/4/2", "--on", "2026-02-01")
    dls.run("done", "dls/1/3", "--on", "2026-02-20")
    dls.run("done", "dls/1/1", "--on", "2026-02-05")
    dls.run("done", "dls/5/1", "--on", "2026-03-01")  # due tomorrow
    data = dls.run("review", "--json").json()
    assert (data["today"], data["scope"], data["next_due_on"]) == (
        "2026-03-01",
        None,
        "2026-03-02",
    )
    assert [(i["short_ref"], i["due_on"], i["days_overdue"]) for i in data["due"]] == [
        ("dls/4/2", "2026-02-02", 27),
        ("dls/1/1", "2026-02-06", 23),
        ("dls/1/3", "2026-02-21", 8),
    ]
    assert [i["short_ref"] for i in dls.run("review", "dls/1", "--json").json()["due"]] == [
        "dls/1/1",
        "dls/1/3",
    ]
    lines = dls.run("review").stdout.splitlines()
    assert lines[0].rstrip() == "Due for review on 2026-03-01: 3 topics"
    assert lines[1].split() == ["Ref", "Topic", "Due", "Last", "review"]
    assert lines[3].split()[:1] == ["dls/4/2"] and "2026-02-02" in lines[3]
    assert "reviewed REF --grade" in lines[-1]
    assert all(len(line) <= 80 for line in lines)


def test_walking_the_ladder(dls, monkeypatch) -> None:
    dls.run("done", "dls/2/1", "--on", "2026-01-01")
    steps = [
        ("2026-01-02", "good", 3, "2026-01-05"),
        ("2026-01-05", "good", 7, "2026-01-12"),
        ("2026-01-12", "easy", 60, "2026-03-13"),  # skips 21
        ("2026-03-13", "hard", 60, "2026-05-12"),
        ("2026-05-12", "again", 1, "2026-05-13"),
        ("2026-05-13", "easy", 7, "2026-05-20"),
    ]
    for day, grade, interval, due in steps:
        at(monkeypatch, day)
        result = dls.run("reviewed", "dls/2/1", "--grade", grade, "--json")
        assert result.exit_code == 0, result.stderr
        (data,) = result.json()["reviews"]
        assert (data["grade"], data["interval_days"], data["due_on"]) == (grade, interval, due)
    assert reviews(dls) == [(d, g, i, due) for d, g, i, due in steps]
    assert dls.run("review", "--json").json()["next_due_on"] == "2026-05-20"


def test_reviewed_message_and_json(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-02-20")
    result = dls.run("reviewed", "dls/1/1", "--grade", "GOOD")
    assert result.exit_code == 0
    assert result.stdout == (
        "reviewed dls/neural-networks/introduction (good): next review in 3 days, on 2026-03-04\n"
    )
    data = dls.run("reviewed", "dls/1/1", "-g", "again", "--json").json()
    assert data == {
        "reviews": [
            {
                "ref": "dls/neural-networks/introduction",
                "title": "Introduction to Deep Learning",
                "grade": "again",
                "reviewed_on": "2026-03-01",
                "was_due_on": "2026-03-04",
                "early": True,  # again acts as on time: back to 1 day
                "previous_interval_days": 3,
                "interval_days": 1,
                "due_on": "2026-03-02",
            }
        ],
        "nothing_due": [],
    }


def test_reviewed_on_a_past_day(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-02-20")
    dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2 days ago")
    assert reviews(dls) == [("2026-02-27", "good", 3, "2026-03-02")]


def test_reviewing_what_is_not_done_is_an_error(dls) -> None:
    dls.run("start", "dls/1/2")
    before = dls.dump()
    result = dls.run("reviewed", "dls/1/2", "--grade", "good")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: dls/neural-networks/basics is not done (it is in-progress), so there is "
        "nothing to review yet; mark it done first with 'coursetrack done "
        "dls/neural-networks/basics'\n"
    )
    todo = dls.run("reviewed", "dls/1/3", "--grade", "good")
    assert "is not done (it is todo)" in todo.stderr
    assert dls.dump() == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["dls/1/1", "--grade", "perfect"], 2, ""),
        (["dls/1/1", "dls/2/1", "--grade", "good"], 1, "dls/improving/practical-aspects is not"),
        (["dls/1/1"], 2, ""),
        (["dls/1/1", "--grade", "good", "--on", "2026-02-19"], 1, "is before"),
        (["dls/9/1", "--grade", "good"], 1, "has no course 9"),
    ],
)
def test_reviewed_refusals(dls, args: list[str], code: int, message: str) -> None:
    dls.run("done", "dls/1", "--on", "2026-02-20")
    before = dls.dump()
    result = dls.run("reviewed", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert dls.dump() == before


def test_reviews_are_recorded_in_order(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-02-01")
    dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-02-10")
    result = dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-02-05")
    assert result.exit_code == 1
    assert "before the last review of dls/neural-networks/introduction (2026-02-10)" in (
        result.stderr
    )


def test_done_again_restarts_the_ladder(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-01-01")
    dls.run("reviewed", "dls/1/1", "--grade", "easy", "--on", "2026-01-02")  # due 01-09
    dls.run("reopen", "dls/1/1")
    assert dls.run("review", "--json").json()["due"] == [], "a reopened topic leaves the queue"
    dls.run("done", "dls/1/1", "--on", "2026-02-27")
    (item,) = dls.run("review", "--json").json()["due"]
    assert (item["due_on"], item["interval_days"], item["reviews"]) == ("2026-02-28", 1, 0)


def test_status_of_a_course_counts_due_reviews(dls) -> None:
    dls.run("done", "dls/1/1", "dls/1/2", "--on", "2026-02-20")
    dls.run("done", "dls/1/3", "--on", "2026-03-01")  # due tomorrow
    dls.run("reviewed", "dls/1/2", "--grade", "good")  # due 03-04
    data = dls.run("status", "dls/1", "--json").json()
    assert data["reviews_due"] == 1
    assert data["topics"][0]["slug"] == "introduction", "old fields stay"
    assert dls.run("status", "dls", "--json").json()["reviews_due"] == 1
    assert dls.run("status", "dls/2", "--json").json()["reviews_due"] == 0
    out = dls.run("status", "dls/1").stdout
    assert "Due for review: 1 topic; see coursetrack review dls/neural-networks" in out
    assert "Due for review" not in dls.run("status", "dls/2").stdout


def test_empty_queue_messages(store, dls) -> None:
    out = dls.run("review").stdout
    assert out == "Nothing to review yet: topics join the queue when you mark them done.\n"
    assert dls.run("review", "--json").json() == {
        "today": "2026-03-01",
        "scope": None,
        "due": [],
        "next_due_on": None,
    }


def test_a_review_can_be_undone(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-02-20")
    dls.run("reviewed", "dls/1/1", "--grade", "good")
    assert dls.run("undo", "--yes").exit_code == 0
    assert reviews(dls) == []
    assert len(dls.run("review", "--json").json()["due"]) == 1


# --- issue 11: early reviews do not climb; several refs; a course reviews what is due ---


def test_early_good_reviews_do_not_climb_the_ladder(dls, monkeypatch) -> None:
    """Five `reviewed dls/1/1 --grade good` the day after finishing moved the next review
    180 days away. The first is on time (1 -> 3 days); the other four are early and kept."""
    dls.run("done", "dls/1/1", "--on", "2026-02-28")
    outs = [dls.run("reviewed", "dls/1/1", "--grade", "good") for _ in range(5)]
    assert all(out.exit_code == 0 for out in outs)
    ref = "dls/neural-networks/introduction"
    assert outs[0].stdout == f"reviewed {ref} (good): next review in 3 days, on 2026-03-04\n"
    for out in outs[1:]:
        assert out.stdout == (
            f"reviewed {ref} (good): not due until 2026-03-04; kept at 3 days, "
            "next review on 2026-03-04\n"
        )
    assert reviews(dls) == [("2026-03-01", "good", 3, "2026-03-04")] * 5
    early = dls.run("reviewed", "dls/1/1", "--grade", "easy", "--json").json()["reviews"][0]
    assert (early["early"], early["interval_days"], early["due_on"]) == (True, 3, "2026-03-04")
    at(monkeypatch, "2026-03-04")  # on time again: good climbs
    data = dls.run("reviewed", "dls/1/1", "--grade", "good", "--json").json()["reviews"][0]
    assert (data["early"], data["interval_days"], data["due_on"]) == (False, 7, "2026-03-11")


def test_early_hard_and_again_act_as_on_time(dls, monkeypatch) -> None:
    dls.run("done", "dls/2/1", "--on", "2026-01-01")
    for day, grade in [("2026-01-02", "good"), ("2026-01-05", "good"), ("2026-01-12", "good")]:
        at(monkeypatch, day)
        dls.run("reviewed", "dls/2/1", "--grade", grade)  # 3, 7, 21 days: due 2026-02-02
    at(monkeypatch, "2026-01-20")
    out = dls.run("reviewed", "dls/2/1", "--grade", "hard").stdout
    assert out.endswith("(hard): next review in 21 days, on 2026-02-10\n")
    out = dls.run("reviewed", "dls/2/1", "--grade", "again").stdout
    assert out.endswith("(again): next review in 1 day, on 2026-01-21\n")
    assert reviews(dls)[-2:] == [
        ("2026-01-20", "hard", 21, "2026-02-10"),
        ("2026-01-20", "again", 1, "2026-01-21"),
    ]


def test_reviewed_takes_several_refs_and_a_course_reviews_its_due_topics(dls) -> None:
    dls.run("done", "dls/1/1", "dls/1/2", "--on", "2026-02-20")  # due 02-21
    dls.run("done", "dls/1/3", "--on", "2026-03-01")  # due tomorrow: not under dls/1
    dls.run("done", "dls/3/1", "--on", "2026-02-25")
    result = dls.run("reviewed", "dls/1", "dls/3/1", "dls/1/1", "--grade", "good")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "reviewed dls/neural-networks/introduction (good): next review in 3 days, on 2026-03-04",
        "reviewed dls/neural-networks/basics (good): next review in 3 days, on 2026-03-04",
        "reviewed dls/structuring/strategy-1 (good): next review in 3 days, on 2026-03-04",
    ]
    rows = dls.rows(
        "SELECT t.slug, r.reviewed_on, r.interval_days FROM review r "
        "JOIN topic t ON t.id = r.topic_id ORDER BY r.id"
    )
    assert rows == [
        ("introduction", "2026-03-01", 3),
        ("basics", "2026-03-01", 3),
        ("strategy-1", "2026-03-01", 3),
    ], "each topic once, even when named twice; dls/1/3 is not due"
    assert dls.run("review", "dls/1", "--json").json()["due"] == []


def test_a_course_with_nothing_due_says_so_and_changes_nothing(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-03-01")
    before = dls.dump()
    result = dls.run("reviewed", "dls/1", "dls/2", "--grade", "good")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "nothing due for review in dls/neural-networks on 2026-03-01; next on 2026-03-02",
        "nothing to review in dls/improving: none of its topics is done yet",
    ]
    assert dls.dump() == before
    data = dls.run("reviewed", "dls", "--grade", "good", "--json").json()
    assert data == {
        "reviews": [],
        "nothing_due": [{"ref": "dls", "done_topics": 1, "next_due_on": "2026-03-02"}],
    }


def test_several_refs_one_bad_changes_nothing(dls) -> None:
    dls.run("done", "dls/1", "--on", "2026-02-20")
    before = dls.dump()
    result = dls.run("reviewed", "dls/1", "dls/9/1", "--grade", "good")
    assert result.exit_code == 1
    assert "dls has no course 9" in result.stderr
    assert dls.dump() == before


def test_the_due_count_agrees_with_the_queue_day_by_day(dls, monkeypatch) -> None:
    """`status` counts due reviews in SQL; the queue builds each schedule: the same rule."""
    dls.run("done", "dls/1/1", "dls/1/2", "--on", "2026-01-01")
    dls.run("done", "dls/2/1", "--on", "2026-01-03")
    at(monkeypatch, "2026-01-02")
    dls.run("reviewed", "dls/1/1", "--grade", "easy")  # 7 days: due 01-09
    dls.run("reviewed", "dls/1/2", "--grade", "hard")  # 1 day: due 01-03
    at(monkeypatch, "2026-01-04")
    dls.run("reopen", "dls/1/2")
    dls.run("done", "dls/1/2")  # its old review no longer counts: due 01-05
    for day in ["2026-01-03", "2026-01-04", "2026-01-05", "2026-01-09", "2026-02-01"]:
        at(monkeypatch, day)
        queue = dls.run("review", "--json").json()["due"]
        assert dls.run("status", "dls", "--json").json()["reviews_due"] == len(queue), day
    assert len(queue) == 3


def test_a_review_near_the_end_of_2999_is_due_no_later_than_a_store_holds(
    dls, tmp_path, monkeypatch
) -> None:
    """A due date past 2999-12-31 would make the store's own backup unrestorable."""
    monkeypatch.setenv("COURSETRACK_NOW", "2999-12-30T10:00:00+00:00")
    dls.run("done", "dls/1/1", "--on", "2999-12-01")
    for _ in range(3):
        assert dls.run("reviewed", "dls/1/1", "--grade", "easy").exit_code == 0
    assert dls.rows("SELECT max(due_on) FROM review") == [("2999-12-31",)]
    backup = tmp_path / "b.json"
    assert dls.run("export", "json", "-o", str(backup)).exit_code == 0
    restored = dls.run("--db", str(tmp_path / "new.db"), "import", str(backup))
    assert restored.exit_code == 0, restored.stderr
