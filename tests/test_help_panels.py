"""`cli.help_panels`: `--help`'s panels drawn as plain lines print the bytes Rich prints."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from test_cli import COMMANDS

#: Every help asked for, at each width, with `before` run first; and how many panels
#: `help_panels` drew itself, of how many it was asked to draw.
_HELPS = """
import sys
from typer.testing import CliRunner
{before}
from coursetrack.cli import app, help_panels
drawn = []
_panel_lines = help_panels.panel_lines
def counted(console, panel):
    lines = _panel_lines(console, panel)
    drawn.append(lines is not None)
    return lines
help_panels.panel_lines = counted
for path in {paths!r}:
    for width in {widths!r}:
        result = CliRunner().invoke(app, [*path, "--help"], env={{"COLUMNS": str(width)}})
        sys.stdout.write(f"=== HELP {{path}} {{width}} {{result.exit_code}}\\n{{result.stdout}}")
print(f"DRAWN:{{sum(drawn)}}/{{len(drawn)}}", file=sys.stderr)
"""

#: Typer's help module imported first: `cli.help` then leaves it as Typer made it, so
#: every panel is Rich's.
_RICH = "import typer.rich_utils"


def _helps(paths: list[list[str]], widths: tuple[int, ...], before: str, **env: str):
    script = _HELPS.format(before=before, paths=paths, widths=widths)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert result.returncode == 0, result.stderr
    drawn, asked = result.stderr.rsplit("DRAWN:", 1)[1].strip().split("/")
    return result.stdout, int(drawn), int(asked)


#: Of the panels asked for, those drawn plain: the rest are Rich's (a column squeezed to
#: nothing at 20, an option's help beside its env var at 251), so the plain path is the
#: one compared, not Rich's again.
_DRAWN_AT_LEAST = 0.75


def test_plain_panels_print_what_rich_prints() -> None:
    """The root's help and a few commands' (arguments, options with an env var or a
    default, a sub-app's commands), from a width where Rich squeezes the columns to one
    where the texts fit whole."""
    paths = [[], ["status"], ["export", "html"], ["add", "course"], ["note"], ["reviewed"]]
    widths = (20, 37, 60, 80, 99, 140, 251)
    ours, drawn, asked = _helps(paths, widths, "")
    rich, rich_drawn, _ = _helps(paths, widths, _RICH)
    assert ours.count("=== HELP ") == len(paths) * len(widths)
    assert ours == rich
    assert rich_drawn == 0
    assert drawn >= _DRAWN_AT_LEAST * asked


@pytest.mark.slow  # every command's help at six widths, twice, in subprocesses
def test_every_help_prints_the_same_drawn_plain() -> None:
    widths = (24, 45, 72, 80, 117, 200)
    ours, drawn, asked = _helps(COMMANDS, widths, "")
    rich, _, _ = _helps(COMMANDS, widths, _RICH)
    assert ours.count("=== HELP ") == len(COMMANDS) * len(widths)
    assert ours == rich
    assert drawn >= _DRAWN_AT_LEAST * asked


def test_a_coloured_help_is_richs() -> None:
    """On a terminal (FORCE_COLOR stands for one) every panel is Rich's, styles and all."""
    paths = [[], ["status"]]
    ours, drawn, _ = _helps(paths, (80,), "", FORCE_COLOR="1")
    rich, _, _ = _helps(paths, (80,), _RICH, FORCE_COLOR="1")
    assert "\x1b[" in ours
    assert ours == rich
    assert drawn == 0


_PROBE = """
import sys
sys.argv = ["coursetrack", "--help"]
try:
    from coursetrack.cli import main
    main()
except SystemExit:
    pass
print("EMOJI:" + str("rich._emoji_codes" in sys.modules), file=sys.stderr)
"""


def test_help_loads_no_emoji_names() -> None:
    """Rich's table of emoji names (2 ms) is not loaded: no help text holds an emoji code."""
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True)
    assert "Usage:" in result.stdout
    assert result.stderr.rsplit("EMOJI:", 1)[1].strip() == "False"
