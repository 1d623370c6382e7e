"""The root's --help lists every command from cli/summaries.py, not by importing them all:
the file must say what the commands' own docstrings say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coursetrack import cli
from coursetrack.cli import lazy

SUMMARIES = Path(cli.__file__).with_name("summaries.py")


def test_the_summaries_are_the_commands_own() -> None:
    written = SUMMARIES.read_text(encoding="utf-8")
    assert written == lazy.summaries_source(cli.COMMANDS, cli.__name__), (
        "cli/summaries.py is out of date with a command's docstring: run "
        "python -c 'from coursetrack.cli import lazy; lazy.write_summaries()'"
    )


def test_the_root_help_imports_no_command_module() -> None:
    script = (
        "import sys, io, contextlib\n"
        "sys.argv = ['coursetrack', '--help']\n"
        "from coursetrack.cli import main\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "cli = {'catalogs', 'chart', 'check', 'export', 'group', 'items', 'log', 'marking', 'notes',\n"
        "       'planning', 'review', 'show', 'status', 'undo'}\n"
        "print(sorted(m for m in cli if 'coursetrack.cli.' + m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_root_help_reads_as_built_from_the_modules(monkeypatch) -> None:
    """The same bytes whether the summaries come from the file or from the modules."""
    from typer.testing import CliRunner

    runner = CliRunner()
    cached = runner.invoke(cli.app, ["--help"], env={"COLUMNS": "100"})
    monkeypatch.setattr("coursetrack.cli.summaries.SUMMARIES", {})
    built = runner.invoke(cli.app, ["--help"], env={"COLUMNS": "100"})
    assert cached.exit_code == built.exit_code == 0
    assert cached.stdout == built.stdout
