"""A learner's spring 2024 in the Deep Learning Specialization, for the chart and page tests.

Eight of its 17 units done over eight weeks, a goal of 2024-07-31, and the
clock pinned to Wednesday 2024-05-22.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app

TODAY = "2024-05-22T10:00:00+00:00"

#: (week of, units done that week, done in all), worked out by hand from `journey`
WEEKS = [
    ("2024-04-01", 4, 4),
    ("2024-04-08", 0, 4),
    ("2024-04-15", 2, 6),
    ("2024-04-22", 0, 6),
    ("2024-04-29", 1, 7),
    ("2024-05-06", 0, 7),
    ("2024-05-13", 0, 7),
    ("2024-05-20", 1, 8),
]


def run_ok(store, *args: str):
    result = store.run(*args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result


def _journey(db: str) -> None:
    """The journey's store, built once per engine: each test gets its own copy."""
    runner = CliRunner()

    def run(now: str, *args: str) -> None:
        env = {"COURSETRACK_NOW": now, "NO_COLOR": "1"}
        result = runner.invoke(app, ["--db", db, *args], env=env)
        assert result.exit_code == 0, (args, result.output)

    run(TODAY, "import", "deep-learning-specialization")
    run("2024-04-01T09:00:00+00:00", "start", "dls", "--on", "2024-04-01")
    run("2024-04-01T09:00:00+00:00", "goal", "dls", "--by", "2024-07-31")
    for i, day in enumerate(["2024-04-03", "2024-04-04", "2024-04-05", "2024-04-06"], 1):
        run(TODAY, "done", f"dls/1/{i}", "--on", day)
    run(TODAY, "done", "dls/2/1", "dls/2/2", "--on", "2024-04-20")
    run(TODAY, "done", "dls/2/3", "--on", "2024-05-02")
    run(TODAY, "done", "dls/3/1", "--on", "2024-05-20")


@pytest.fixture
def journey(prepare, monkeypatch: pytest.MonkeyPatch):
    """dls with 8 of its 17 units done between 2024-04-03 and 2024-05-20, goal 2024-07-31."""
    store = prepare("journey", _journey)
    monkeypatch.setenv("COURSETRACK_NOW", TODAY)
    return store
