"""The overview (`status`) counts each specialization in the database; `status SPEC`
rolls its courses up in Python. Both must tell the same story of every program."""

from __future__ import annotations


def _build(store) -> None:
    """Programs in every state the roll-up distinguishes, on one store."""
    steps = [
        ("add", "specialization", "Empty", "--slug", "empty"),  # no courses at all
        ("add", "specialization", "Fresh", "--slug", "fresh"),
        ("add", "course", "fresh", "Only course"),  # a course without topics, untouched
        ("add", "specialization", "Solo", "--slug", "solo"),
        ("add", "course", "solo", "First"),
        ("add", "course", "solo", "Second"),
        ("add", "topic", "solo/2", "Alpha"),
        ("add", "topic", "solo/2", "Beta"),
        ("done", "solo/1", "--on", "2026-02-03"),  # a topicless course done on its own
        ("done", "solo/2/1", "--on", "2026-02-05"),  # a topic done, never started
        ("add", "specialization", "Started", "--slug", "started"),
        ("add", "course", "started", "Course"),
        ("add", "topic", "started/1", "Topic"),
        ("start", "started", "--on", "2026-01-10"),  # only the specialization's own row
        ("add", "specialization", "Course start", "--slug", "cstart"),
        ("add", "course", "cstart", "Course"),
        ("add", "topic", "cstart/1", "Topic"),
        ("start", "cstart/1", "--on", "2026-01-20"),  # a course with topics started itself
        ("add", "specialization", "Finished", "--slug", "finished"),
        ("add", "course", "finished", "One"),
        ("add", "topic", "finished/1", "A"),
        ("add", "course", "finished", "Two"),
        ("start", "finished/1/1", "--on", "2026-01-02"),
        ("done", "finished/1", "--on", "2026-01-09"),
        ("done", "finished/2", "--on", "2026-01-15"),
        ("add", "specialization", "Reopened", "--slug", "reopened"),
        ("add", "course", "reopened", "Course"),
        ("add", "topic", "reopened/1", "Topic"),
        ("done", "reopened/1/1", "--on", "2026-01-04"),
        ("reopen", "reopened/1/1"),
    ]
    for step in steps:
        result = store.run(*step)
        assert result.exit_code == 0, (step, result.stderr)


def _rolled_up(report: dict) -> dict:
    """What the overview must say of a specialization, from its `status SPEC --json`."""
    courses = report["courses"]
    return {
        "slug": report["slug"],
        "status": report["status"],
        "courses_done": sum(c["status"] == "done" for c in courses),
        "courses_total": len(courses),
        "units_done": report["units_done"],
        "units_total": report["units_total"],
        "percent": report["percent"],
        "started_on": report["started_on"],
        "completed_on": report["completed_on"],
    }


def test_overview_agrees_with_each_specialization(store, monkeypatch) -> None:
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-01T09:00:00")
    _build(store)
    overview = store.run("status", "--json").json()["specializations"]
    assert [s["slug"] for s in overview] == sorted(s["slug"] for s in overview)
    for summary in overview:
        report = store.run("status", summary["slug"], "--json").json()
        expected = _rolled_up(report)
        assert {key: summary[key] for key in expected} == expected, summary["slug"]
    by_slug = {s["slug"]: s for s in overview}
    assert by_slug["empty"]["status"] == "todo" and by_slug["empty"]["units_total"] == 0
    assert by_slug["fresh"]["status"] == "todo"
    assert by_slug["solo"]["started_on"] == "2026-02-05"  # the topic done without a start
    assert by_slug["solo"]["courses_done"] == 1
    assert by_slug["started"]["status"] == "in-progress"
    assert by_slug["started"]["started_on"] == "2026-01-10"
    assert by_slug["cstart"]["started_on"] == "2026-01-20"
    assert by_slug["finished"]["status"] == "done"
    assert by_slug["finished"]["completed_on"] == "2026-01-15"
    assert by_slug["finished"]["started_on"] == "2026-01-02"
