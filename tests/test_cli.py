"""The command line as a whole: help everywhere, version, start-up cost."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from coursetrack import __version__
from coursetrack.cli import app


def _all_commands() -> list[list[str]]:
    """Every command path, e.g. ['add', 'course'], found by walking the app."""
    paths: list[list[str]] = []

    def walk(command, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(get_command(app), [])
    return paths


COMMANDS = _all_commands()


def test_every_contract_command_exists() -> None:
    names = {" ".join(p) for p in COMMANDS}
    for expected in (
        "add specialization",
        "add course",
        "add topic",
        "start",
        "done",
        "reopen",
        "update",
        "rm",
        "status",
        "import",
        "catalogs",
    ):
        assert expected in names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "root")
def test_every_command_has_help(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    if path and path != ["add"]:
        assert "Example" in result.stdout, "every command's help shows a worked example"


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"coursetrack {__version__}"


def test_no_arguments_shows_help() -> None:
    result = CliRunner().invoke(app, [])
    assert "Usage:" in result.stdout + result.stderr
    assert result.exit_code in (0, 2)


def test_unknown_option_is_a_usage_error(store) -> None:
    result = store.run("status", "--bogus")
    assert result.exit_code == 2


def test_python_dash_m(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coursetrack", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"coursetrack {__version__}"


_PROBE = """
import sys
sys.argv = ["coursetrack", *{args!r}]
try:
    from coursetrack.cli import main
    main()
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules
               if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "yaml", "matplotlib", "numpy"))
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["status", "--help"],
        ["chart", "--help"],
        ["export", "html", "--help"],
    ],
)
def test_help_and_version_do_not_import_the_database_layer(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=args)], capture_output=True, text=True
    )
    heavy = result.stderr.rsplit("HEAVY:", 1)[1].strip()
    assert heavy == "", f"{args} imported {heavy}"


def test_the_probe_does_see_heavy_imports(tmp_path) -> None:
    """The check above would notice: a real command does import sqlmodel."""
    args = ["--db", str(tmp_path / "s.db"), "status"]
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=args)], capture_output=True, text=True
    )
    assert "sqlmodel" in result.stderr.rsplit("HEAVY:", 1)[1]
