"""start, done, reopen: what the learner records, and what is stored."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date.today().isoformat()


def topic_state(store, course: int, topic: int) -> tuple:
    """(status, started_on, completed_on, notes) of dls/course/topic, from the store."""
    rows = store.rows(
        "SELECT p.status, p.started_on, p.completed_on, t.id FROM topic t "
        "JOIN course c ON c.id = t.course_id "
        "LEFT JOIN progress p ON p.topic_id = t.id "
        "WHERE c.position = ? AND t.position = ?",
        course,
        topic,
    )
    assert len(rows) == 1
    *state, topic_id = rows[0]
    notes = store.rows("SELECT written_on, text FROM note WHERE topic_id = ? ORDER BY id", topic_id)
    return (*state, "|".join(f"{on} {text}" for on, text in notes) or None)


def test_done_marks_a_topic_done_today(dls) -> None:
    result = dls.run("done", "dls/1/1")
    assert result.exit_code == 0
    assert result.stdout == "done dls/neural-networks/introduction: Introduction to Deep Learning\n"
    assert topic_state(dls, 1, 1) == ("done", None, TODAY, None)


def test_done_with_date_and_note(dls) -> None:
    result = dls.run("done", "dls/1/2", "--on", "2026-03-14", "--note", "vectorize everything")
    assert result.exit_code == 0
    assert topic_state(dls, 1, 2) == ("done", None, "2026-03-14", "2026-03-14 vectorize everything")


def test_done_yesterday(dls) -> None:
    dls.run("done", "dls/1/2", "--on", "yesterday")
    expected = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert topic_state(dls, 1, 2)[2] == expected


@pytest.mark.parametrize("bad", ["2026-02-30", "14/03/2026", "soon", "2026-13-01", ""])
def test_bad_date_is_refused_and_nothing_changes(dls, bad: str) -> None:
    before = dls.dump(history=True)
    result = dls.run("done", "dls/1/1", "--on", bad)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: --on {bad!r} is not a date: use YYYY-MM-DD")
    assert dls.dump(history=True) == before


def test_done_on_a_course_marks_its_open_topics(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-01-01")
    result = dls.run("done", "dls/1", "--on", "2026-02-01")
    assert result.exit_code == 0
    assert (
        result.stdout == "done dls/neural-networks (3 units): Neural Networks and Deep Learning\n"
    )
    assert topic_state(dls, 1, 1)[2] == "2026-01-01", "already-done topics keep their date"
    assert [topic_state(dls, 1, n)[0] for n in (1, 2, 3, 4)] == ["done"] * 4
    assert topic_state(dls, 2, 1)[0] is None


def test_done_on_a_specialization_marks_everything(dls) -> None:
    result = dls.run("done", "dls", "--json")
    assert result.json() == {
        "changes": [
            {
                "ref": "dls",
                "title": "Deep Learning Specialization",
                "action": "done",
                "changed": 17,
                "unchanged": 0,
            }
        ],
        "finished": [{"ref": "dls", "title": "Deep Learning Specialization", "units": 17}],
    }
    assert dls.rows("SELECT count(*) FROM progress WHERE status = 'done'") == [(17,)]


def test_finishing_the_last_unit_congratulates_and_names_the_post(dls) -> None:
    """Issue 11: the end of a specialization names the next step, export markdown."""
    first = dls.run("done", "dls/1", "dls/2", "dls/3", "dls/4", "dls/5/1", "dls/5/2", "dls/5/3")
    assert "congratulations" not in first.stdout
    assert dls.run("done", "dls/1/1", "--json").json()["finished"] == []
    result = dls.run("done", "dls/5/4")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "done dls/sequence-models/transformers: Transformer Network",
        "congratulations: you finished Deep Learning Specialization (dls), all 17 units!",
        "next: write the post with coursetrack export markdown dls",
    ]
    assert dls.rows("SELECT count(*) FROM progress WHERE status = 'done'") == [(17,)]
    again = dls.run("done", "dls")
    assert "congratulations" not in again.stdout, "only the command that finishes it"
    dls.run("reopen", "dls/2/1")
    assert "congratulations" in dls.run("done", "dls/2/1").stdout


def test_done_twice_says_nothing_to_do(dls) -> None:
    dls.run("done", "dls/1/1")
    result = dls.run("done", "dls/1/1")
    assert result.exit_code == 0
    assert "nothing to do" in result.stdout


def test_several_refs_in_one_command(dls) -> None:
    result = dls.run("done", "dls/1/1", "dls/1/2", "dls/cnn/detection")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 3
    assert topic_state(dls, 4, 3)[0] == "done"


def test_course_without_topics_is_a_unit(store) -> None:
    store.run("add", "specialization", "Self Taught", "--slug", "self")
    store.run("add", "course", "self", "Linear Algebra")
    result = store.run("done", "self/1", "--on", "2026-05-05")
    assert result.exit_code == 0
    assert store.rows("SELECT status, completed_on FROM progress WHERE course_id IS NOT NULL") == [
        ("done", "2026-05-05")
    ]
    status = store.run("status", "self", "--json").json()
    assert status["units_done"] == 1
    assert status["courses"][0]["status"] == "done"


def test_start_records_the_date_once(dls) -> None:
    result = dls.run("start", "dls/2/1", "--on", "2026-04-01")
    assert (
        result.stdout
        == "started dls/improving/practical-aspects: Practical Aspects of Deep Learning\n"
    )
    again = dls.run("start", "dls/2/1", "--on", "2026-04-09")
    assert "already started" in again.stdout
    assert topic_state(dls, 2, 1) == ("in-progress", "2026-04-01", None, None)


def test_start_a_done_topic_leaves_it_done(dls) -> None:
    dls.run("done", "dls/2/1")
    result = dls.run("start", "dls/2/1")
    assert "already done" in result.stdout
    assert topic_state(dls, 2, 1)[0] == "done"


def test_start_a_course_done_before_it_had_topics_leaves_its_record_restorable(
    store, tmp_path
) -> None:
    """Done as a unit, then given a topic: a start after the day it was done would put
    started_on after completed_on, which its own backup refuses to restore."""
    store.run("add", "specialization", "Self Taught", "--slug", "self")
    store.run("add", "course", "self", "Linear Algebra")
    assert store.run("done", "self/1", "--on", "2026-05-05").exit_code == 0
    store.run("add", "topic", "self/1", "Eigenvalues")
    result = store.run("start", "self/1", "--on", "2026-05-09")
    assert result.exit_code == 0, result.stderr
    assert "already done" in result.stdout
    assert store.rows("SELECT status, started_on, completed_on FROM progress") == [
        ("done", None, "2026-05-05")
    ]
    backup = tmp_path / "backup.yaml"
    assert store.run("export", "yaml", "-o", str(backup)).exit_code == 0
    restored = store.run("--db", str(tmp_path / "new.db"), "import", str(backup))
    assert restored.exit_code == 0, restored.stderr


def test_start_a_course_makes_it_in_progress(dls) -> None:
    dls.run("start", "dls/cnn", "--on", "2026-06-01")
    course = dls.run("status", "dls", "--json").json()["courses"][3]
    assert (course["status"], course["started_on"]) == ("in-progress", "2026-06-01")


def test_reopen_a_topic(dls) -> None:
    dls.run("start", "dls/1/1", "--on", "2026-01-01")
    dls.run("done", "dls/1/1", "--on", "2026-01-02")
    dls.run("done", "dls/1/2", "--on", "2026-01-02")
    result = dls.run("reopen", "dls/1/1", "dls/1/2")
    assert result.exit_code == 0
    assert topic_state(dls, 1, 1) == ("in-progress", "2026-01-01", None, None)
    assert topic_state(dls, 1, 2) == ("todo", None, None, None)


def test_reopen_a_course_reopens_its_topics(dls) -> None:
    dls.run("done", "dls/1")
    result = dls.run("reopen", "dls/1", "--json")
    assert result.json()["changes"][0]["changed"] == 4
    assert dls.rows("SELECT count(*) FROM progress WHERE status = 'done'") == [(0,)]


def test_reopen_what_is_not_done(dls) -> None:
    result = dls.run("reopen", "dls/1/1")
    assert result.exit_code == 0
    assert "nothing to do" in result.stdout


def test_progress_survives_as_rows_apart_from_the_catalog(dls) -> None:
    dls.run("done", "dls/1/1", "--note", "first")
    assert dls.rows(
        "SELECT t.slug, p.status FROM progress p JOIN topic t ON t.id = p.topic_id"
    ) == [("introduction", "done")]
    assert dls.rows("SELECT text FROM note") == [("first",)]
    assert dls.rows("SELECT count(*) FROM topic") == [(17,)]


def test_done_notes_make_a_dated_list(dls) -> None:
    dls.run("done", "dls/1/1", "--note", "one", "--on", "2026-01-01")
    dls.run("done", "dls/1/1", "--note", "two", "--on", "2026-01-05")
    assert topic_state(dls, 1, 1)[3] == "2026-01-01 one|2026-01-05 two"


@pytest.mark.parametrize(
    ("on", "message"),
    [
        ("2999-01-01", "is in the future"),
        ("9999-12-31", "is out of range: give a date from 1900-01-01 to 2999-12-31"),
        ("0001-01-01", "is out of range"),
    ],
)
def test_done_refuses_dates_that_cannot_have_happened(dls, on: str, message: str) -> None:
    before = dls.dump(history=True)
    result = dls.run("done", "dls/1/1", "--on", on)
    assert result.exit_code == 1
    assert message in result.stderr
    assert dls.dump(history=True) == before


def test_done_before_the_start_is_refused(dls) -> None:
    dls.run("start", "dls/1/2", "--on", "2026-09-10")
    before = dls.dump(history=True)
    for ref in ("dls/1/2", "dls/1"):
        result = dls.run("done", ref, "--on", "2026-09-08")
        assert result.exit_code == 1
        assert "is before" in result.stderr and "was started (2026-09-10)" in result.stderr
    assert dls.dump(history=True) == before


def test_done_before_the_start_of_a_course_unit_names_the_course(dls) -> None:
    """A course without topics is a unit too: the refusal names it as the user named it."""
    dls.run("add", "course", "dls", "Capstone", "--slug", "capstone")
    dls.run("start", "dls/capstone", "--on", "2026-03-01")
    before = dls.dump(history=True)
    for ref, named in (("dls", "'Capstone' in dls"), ("dls/capstone", "dls/capstone")):
        result = dls.run("done", ref, "--on", "2026-02-01")
        assert result.exit_code == 1
        assert f"--on 2026-02-01 is before {named} was started (2026-03-01)" in result.stderr
    assert dls.dump(history=True) == before


def test_done_and_reopen_of_a_program_mixing_states_and_course_kinds(dls) -> None:
    """Done/reopen of a whole program work on its units as a set: each kind, each state."""
    dls.run("add", "course", "dls", "Capstone", "--slug", "capstone")  # a course with no topics
    dls.run("done", "dls/1/1", "--on", "2026-01-01")
    dls.run("start", "dls/2/1", "--on", "2026-03-01")
    before = dls.dump(history=True)
    refused = dls.run("done", "dls", "--on", "2026-02-01")
    assert refused.exit_code == 1
    assert (
        "--on 2026-02-01 is before 'Practical Aspects of Deep Learning' in dls was started (2026-03-01)"
        in refused.stderr
    )
    assert dls.dump(history=True) == before
    result = dls.run("done", "dls", "--on", "2026-04-01", "--json").json()["changes"][0]
    assert (result["changed"], result["unchanged"]) == (17, 1)
    assert topic_state(dls, 1, 1)[2] == "2026-01-01"
    assert dls.rows(
        "SELECT status, started_on, completed_on FROM progress p JOIN topic t ON t.id = p.topic_id "
        "WHERE t.slug = 'practical-aspects'"
    ) == [("done", "2026-03-01", "2026-04-01")]
    assert dls.rows("SELECT status FROM progress WHERE course_id IS NOT NULL") == [("done",)]
    reopened = dls.run("reopen", "dls", "--json").json()["changes"][0]
    assert (reopened["changed"], reopened["unchanged"]) == (18, 0)
    assert dls.rows("SELECT status, count(*) FROM progress GROUP BY status ORDER BY status") == [
        ("in-progress", 1),
        ("todo", 17),
    ]
