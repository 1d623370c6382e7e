"""The README's opening commands are what a newcomer and CI actually run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def opening_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```[a-z]*\n(.*?)```", text, re.S)
    assert block, "README opens with a fenced code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands() -> None:
    commands = opening_commands()
    assert len(commands) == 2
    main_job, tests = commands
    assert "coursetrack import deep-learning-specialization" in main_job
    assert "coursetrack status" in main_job
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert opening_commands()[1] in ci


def test_each_opening_command_makes_and_uses_its_own_venv() -> None:
    """PEP 668: a system Python (Debian's, Ubuntu's) refuses `pip install`, so each
    command creates or reuses `.venv` and runs every tool from it, on one line."""
    for command in opening_commands():
        steps = [shlex.split(step) for step in command.split("&&")]
        assert steps[0] == ["python3", "-m", "venv", ".venv"], command
        for argv in steps[1:]:
            assert argv[0].startswith(".venv/bin/"), f"{argv[0]} runs outside the venv: {command}"
