"""README.md cannot drift: its examples are run and compared exactly (see readme_examples)."""

from __future__ import annotations

import pytest

from readme_examples import README, differences, examples, run, updated


@pytest.mark.both_engines  # every command once on PostgreSQL, in one test
def test_every_readme_example_prints_what_the_readme_says(new_store) -> None:
    """On each engine: the README shows SQLite's output, and PostgreSQL prints the same."""
    text = README.read_text(encoding="utf-8")
    assert len(examples(text)) >= 25, "the walk-through's examples are found"
    report = differences(text, new_store)
    assert not report, (
        "README.md is out of date (python tests/readme_examples.py --update):\n\n" + report
    )


def test_the_walk_through_says_how_its_examples_were_made() -> None:
    text = README.read_text(encoding="utf-8")
    assert "COURSETRACK_NOW=2026-09-12T10:00:00" in text
    assert "python tests/readme_examples.py --update" in text


def test_update_rewrites_a_drifted_output_and_nothing_else() -> None:
    drifted = (
        "Intro.\n\n```console\n$ coursetrack import deep-learning-specialization\nstale\n```\n"
    )
    report = differences(drifted)
    assert report.startswith("$ coursetrack import deep-learning-specialization\n")
    assert "\n-stale\n+imported dls: Deep Learning Specialization (5 courses, 17 topics)" in report
    new = updated(drifted)
    assert new.startswith(
        "Intro.\n\n```console\n$ coursetrack import deep-learning-specialization\n"
    )
    assert "stale" not in new and new.endswith("\n```\n")
    assert differences(new) == ""


def test_a_block_sets_its_own_environment() -> None:
    text = (
        "```console\n$ coursetrack import deep-learning-specialization\nimported\n```\n\n"
        "<!-- readme-env: COLUMNS=60 COURSETRACK_NOW=2026-09-20T10:00:00 -->\n"
        "```console\n$ coursetrack status\n\n$ coursetrack --version\n```\n"
    )
    found = examples(text)
    assert [e.command for e in found] == [
        "coursetrack import deep-learning-specialization",
        "coursetrack status",
        "coursetrack --version",
    ]
    assert found[0].env == {} and found[1].env["COLUMNS"] == "60"
    outputs = run(found)
    assert max(len(line) for line in outputs[1]) <= 60 < 80
