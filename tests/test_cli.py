"""The command line as a whole: help everywhere, version, start-up cost."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from coursetrack import __version__
from coursetrack.cli import app
from hostile import Here


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
               if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "yaml", "matplotlib", "numpy",
                                      "pydantic", "markdown_it", "pygments"))
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
    """Nor pydantic, nor what Typer's help module imports for Markdown help and tracebacks
    (markdown-it, Pygments), which ours never shows: see `cli.help`."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=args)], capture_output=True, text=True
    )
    heavy = result.stderr.rsplit("HEAVY:", 1)[1].strip()
    assert heavy == "", f"{args} imported {heavy}"


_EVERY_HELP = """
import sys
from typer.testing import CliRunner
{before}
from coursetrack.cli import app
for path in {paths!r}:
    for width in ("60", "100"):
        result = CliRunner().invoke(app, [*path, "--help"], env={{"COLUMNS": width}})
        sys.stdout.write(f"=== HELP {{path}} {{width}} {{result.exit_code}}\\n{{result.stdout}}")
"""


@pytest.mark.slow  # every command's --help, twice, in subprocesses
def test_help_prints_the_same_as_typer_would_print_it() -> None:
    """`cli.help` imports Typer's help module with stand-ins for Markdown and tracebacks,
    and the root's help lists the commands from summaries (`lazy.Summary`), building none:
    every help prints the same bytes as with the real modules, imported beforehand, and
    every command built."""

    def every_help(before: str) -> str:
        script = _EVERY_HELP.format(before=before, paths=COMMANDS)
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    light = every_help("")
    assert light.count("=== HELP ") == 2 * len(COMMANDS)
    built = (
        "import typer.rich_utils, rich.markdown, rich.traceback\n"
        "from coursetrack.cli import lazy\n"
        "lazy.LazyCommands.listing = lambda self: {name: self[name] for name in self}"
    )
    assert light == every_help(built)


def test_the_stand_ins_become_the_real_classes_when_used() -> None:
    """Typer's help module, imported light, still draws Markdown and a traceback if asked."""
    script = """
import sys
from coursetrack.cli import help
help._light_rich_utils()
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules
from typer import rich_utils
from rich.markdown import Markdown
from rich.traceback import Traceback
assert isinstance(rich_utils._make_rich_text(text="*a*", markup_mode="markdown"), Markdown)
try:
    1 / 0
except ZeroDivisionError as exc:
    assert isinstance(rich_utils.Traceback.from_exception(type(exc), exc, None), Traceback)
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_the_probe_does_see_heavy_imports(tmp_path) -> None:
    """The check above would notice: a real command does import sqlmodel."""
    args = ["--db", str(tmp_path / "s.db"), "status"]
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=args)], capture_output=True, text=True
    )
    assert "sqlmodel" in result.stderr.rsplit("HEAVY:", 1)[1]


def _examples(command) -> list[str]:
    """The example lines a command's docstring gives (after `Example:` / `Examples:`)."""
    import inspect
    import re

    source = (
        inspect.cleandoc(getattr(command, "callback", None).__doc__ or "")
        if getattr(command, "callback", None)
        else ""
    )
    source = source or (command.help or "")
    found = re.search(r"^Examples?:\s*$", source, re.M)
    if not found:
        return []
    return [line.strip() for line in source[found.end() :].splitlines() if line.strip()]


def _command(path: list[str]):
    command = get_command(app)
    for name in path:
        command = command.commands[name]
    return command


@pytest.mark.parametrize("width", ["60", "80"])
@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "root")
def test_help_shows_types_as_typer_users_know_them(path: list[str], width: str) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": width})
    assert result.exit_code == 0
    out = result.stdout
    for typer_internal in ("<bool>", "<str>", "<int>", "<list[", "<Path>", "{"):
        assert typer_internal not in out, f"{typer_internal} in the help of {path}"
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert "..." not in usage.replace("REF...", "").replace("ID...", "").replace("[ARGS]...", ""), (
        usage
    )
    assert all(line == line.rstrip() for line in out.splitlines()), "no trailing spaces in a pipe"
    lines = [line.strip(" │") for line in out.splitlines()]
    for example in _examples(_command(path)):
        assert example in lines, f"example wrapped at {width} columns: {example}"


def test_help_names_value_types_and_argument_forms() -> None:
    done = CliRunner().invoke(app, ["done", "--help"], env={"COLUMNS": "100"}).stdout
    assert "Usage: coursetrack done [OPTIONS] REF..." in done
    assert re.search(r"--note\s+TEXT\s+A note", done)
    assert re.search(r"--json\s+Print JSON", done), "a flag has no type after it"
    export = CliRunner().invoke(app, ["export", "markdown", "--help"], env={"COLUMNS": "120"})
    assert re.search(r"--tag\s+TEXT\s+A tag", export.stdout)
    assert "[hugo|jekyll|plain]" in export.stdout
    nxt = CliRunner().invoke(app, ["next", "--help"], env={"COLUMNS": "100"}).stdout
    assert "Usage: coursetrack next [OPTIONS] [SPEC]" in nxt
    assert re.search(r"--limit\s+-n\s+N\b", nxt)


def test_the_root_help_builds_no_command() -> None:
    """Listing the commands needs their summaries, not the commands (see `cli.lazy`)."""
    script = """
import sys
from typer import main as typer_main
built = []
build = typer_main.get_command_from_info
typer_main.get_command_from_info = lambda *a, **k: built.append(1) or build(*a, **k)
sys.argv = ["coursetrack", "--help"]
from coursetrack.cli import main
try:
    main()
except SystemExit:
    pass
print("BUILT:", len(built), file=sys.stderr)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "Commands" in result.stdout
    assert result.stderr.rsplit("BUILT:", 1)[1].strip() == "0"


# An argument the shell passed as bytes that are not UTF-8 (tests/hostile.py)


def test_argument_bytes_that_are_not_utf8(here: Here) -> None:
    bad = os.fsdecode(b"Caf\xe9")  # what Python makes of a Latin-1 argument
    here.refused("add", "specialization", bad, where="an argument is not UTF-8 text (byte 0xe9)")
    here.refused("done", bad, where="(byte 0xe9)")
