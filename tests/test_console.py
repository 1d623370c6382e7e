"""What a terminal receives: user text shown, never obeyed (issue 10).

Titles, notes, links and file names can carry escape sequences, Rich markup,
bidi overrides and zero-width characters. Every view runs here on a real
pseudo-terminal (tests/terminal.py), where Rich draws colour and the progress
bar, so that what a person's terminal would receive is what is checked.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app
from hostile import DB, Here
from terminal import run_in_terminal

#: What an attacker's title holds: an OSC (retitle the window), a screen clear,
#: a BEL, Rich markup that closes a tag never opened, a right-to-left override
#: and a zero-width space.
EVIL = "T[/x][bold]\x1b]0;PWNED\x07\x1b[2J\u202eZ\u200b"
SHOWN = "T[/x][bold]\\x1b]0;PWNED\\x07\\x1b[2J\\u202eZ\\u200b"
NOW = {"COURSETRACK_NOW": "2026-03-20T09:00:00+00:00", "COLUMNS": "250"}

#: What must never reach the screen raw.
RAW = ["\x1b]0;PWNED", "\x1b[2J", "\x07", "\u202e", "\u200b"]


def cli(db: Path, *args: str) -> None:
    result = CliRunner().invoke(app, ["--db", str(db), *args], env=NOW)
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("evil") / "store.db"
    cli(db, "add", "specialization", EVIL, "--slug", "ev", "--description", EVIL)
    cli(db, "add", "course", "ev", EVIL, "--slug", "c")
    cli(db, "add", "topic", "ev/c", EVIL, "--slug", "t")
    cli(db, "add", "topic", "ev/c", EVIL, "--slug", "u")
    cli(db, "done", "ev/c/t", "--on", "2026-03-01", "--note", EVIL)
    cli(db, "link", "ev/c", "https://example.com/x", "--title", EVIL)
    cli(db, "goal", "ev", "--by", "2026-06-01")
    return db


def _clean(screen: str) -> None:
    for raw in RAW:
        assert raw not in screen, (raw, screen)


VIEWS = {
    "status": ["status"],
    "status-spec": ["status", "ev"],
    "status-course": ["status", "ev/c"],
    "status-topic": ["status", "ev/c/t"],
    "next": ["next"],
    "plan": ["plan", "ev"],
    "show-course": ["show", "ev/c"],
    "show-topic": ["show", "ev/c/t"],
    "log": ["log"],
    "review": ["review"],
}


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize("view", VIEWS)
def test_every_view_shows_hostile_text_escaped(evil_store: Path, view: str) -> None:
    code, screen = run_in_terminal(["--db", str(evil_store), *VIEWS[view]], env=NOW)
    assert code == 0, screen
    _clean(screen)
    assert "Traceback" not in screen
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen)  # Rich's own colours out
    assert SHOWN in plain, plain


def test_json_on_a_terminal_escapes_and_reads_back_exactly(evil_store: Path) -> None:
    code, screen = run_in_terminal(["--db", str(evil_store), "show", "ev/c/t", "--json"], env=NOW)
    assert code == 0, screen
    _clean(screen)
    assert json.loads(screen.replace("\r\n", "\n"))["title"] == EVIL


def test_an_error_on_stderr_is_escaped(evil_store: Path) -> None:
    missing = EVIL.replace("/", "") + ".yaml"
    code, screen = run_in_terminal(["--db", str(evil_store), "import", missing], env=NOW)
    assert code == 1
    _clean(screen)
    assert "Error: T[x][bold]\\x1b]0;PWNED\\x07\\x1b[2J\\u202eZ\\u200b.yaml: no such file" in screen


def test_a_usage_error_quoting_what_was_typed_is_escaped(tmp_path: Path) -> None:
    typed = "--x\x1b]0;PWNED\x07\u202e\u200b"
    code, screen = run_in_terminal(["--db", str(tmp_path / "s.db"), "status", typed], env=NOW)
    assert code == 2
    _clean(screen)
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen)  # typer's own colours out
    assert "No such option: --x\\x1b]0;PWNED\\x07\\u202e\\u200b" in plain


BAR_SCRIPT = """
import sys, time
from coursetrack import render
with render.progress("reading " + sys.argv[1]) as tracker:
    tracker(3, 10)
    deadline = time.monotonic() + 20
    while not tracker.shown and time.monotonic() < deadline:  # drawn by a timer thread
        time.sleep(0.01)
    tracker.describe("importing " + sys.argv[1])
    time.sleep(0.3)
"""


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("\x1b]0;PWNED\x07\x1b[2J.yaml", "\\x1b]0;PWNED\\x07\\x1b[2J.yaml"),
        ("[/x]\u202e\u200b.yaml", "[/x]\\u202e\\u200b.yaml"),
    ],
    ids=["escapes", "markup-and-rtl"],
)
def test_the_progress_bar_shows_a_hostile_file_name_escaped(name: str, shown: str) -> None:
    """The bar's description was Rich markup: escapes went out raw, "[/x]" killed its thread."""
    main, side = pty.openpty()
    env = {**os.environ, "COURSETRACK_PROGRESS_AFTER": "0", "COLUMNS": "200", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-c", BAR_SCRIPT, name], stdin=side, stdout=side, stderr=side, env=env
    )
    os.close(side)
    screen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        screen += chunk
    assert proc.wait(timeout=60) == 0
    os.close(main)
    text = screen.decode("utf-8", "replace")
    _clean(text)
    assert "━" in text, "the bar was drawn"
    assert "Exception in thread" not in text and "MarkupError" not in text
    assert f"reading {shown}" in text and f"importing {shown}" in text


def test_a_long_import_of_a_hostile_file_name_on_a_terminal(tmp_path: Path) -> None:
    """End to end: the real import, its bar and its summary (which step the bar shows varies)."""
    lines = ["slug: big", "title: Big [/x]", "courses:"]
    for c in range(30):
        lines += [f"  - title: Course {c}", f"    slug: c{c}", "    topics:"]
        lines += [f"      - Topic {c}.{t}" for t in range(10)]
    (tmp_path / "\x1b]0;PWNED\x07\x1b[2J[").mkdir()
    source = tmp_path / "\x1b]0;PWNED\x07\x1b[2J[/x].yaml"  # a folder, then x].yaml
    source.write_text("\n".join(lines) + "\n")
    code, screen = run_in_terminal(
        ["--db", str(tmp_path / "s.db"), "import", str(source)],
        env={"COURSETRACK_PROGRESS_AFTER": "0", "COLUMNS": "250"},
    )
    assert code == 0, screen
    _clean(screen)
    assert "Exception in thread" not in screen and "MarkupError" not in screen
    assert "imported big: Big [/x] (30 courses, 300 topics)" in screen


def test_every_invisible_format_character_is_shown() -> None:
    """The list in controls.py covers Unicode's whole Cf category (and line separators)."""
    import sys
    import unicodedata

    from coursetrack.render import safe

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) in ("Cf", "Zl", "Zp", "Cs"):
            assert (
                safe(f"a{char}b") == f"a\\u{code:04x}b"
                if code <= 0xFFFF
                else (safe(f"a{char}b") == f"a\\U{code:08x}b")
            ), hex(code)
    assert safe("naïve café 日本 👍") == "naïve café 日本 👍", "visible text is left alone"


# --- output streams: a full disk, an encoding that cannot carry every title ----------------

TITLE = "Café 日本 ☕"


@pytest.fixture(scope="module")
def unicode_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("unicode") / "store.db"
    cli(db, "add", "specialization", TITLE, "--slug", "uni")
    cli(db, "add", "course", "uni", TITLE, "--slug", "c")
    cli(db, "done", "uni/c", "--note", TITLE)
    cli(db, "add", "course", "uni", TITLE, "--slug", "d")
    return db


def _python(db: Path, *args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursetrack", "--db", str(db), *args],
        capture_output="stdout" not in kwargs,
        env={**os.environ, **NOW, **(env or {})},
        timeout=60,
        **kwargs,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [["status", "uni"], ["status", "--json"], ["export", "yaml"]])
def test_output_to_a_full_disk_is_one_clear_line(unicode_store: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = _python(unicode_store, *args, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1
    assert result.stderr.decode() == "Error: cannot write the output: No space left on device\n"


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", [["status", "uni"], ["show", "uni/c"], ["next"]])
def test_titles_an_encoding_cannot_carry_are_shown_escaped(
    unicode_store: Path, encoding: str, args: list[str]
) -> None:
    result = _python(unicode_store, *args, env={"PYTHONIOENCODING": encoding})
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode(encoding)
    assert "Traceback" not in out + result.stderr.decode(encoding)
    cafe = "Café" if encoding == "latin-1" else "Caf\\xe9"
    assert f"{cafe} \\u65e5\\u672c" in out


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_json_in_a_narrow_encoding_is_exact(unicode_store: Path, encoding: str) -> None:
    result = _python(unicode_store, "status", "uni", "--json", env={"PYTHONIOENCODING": encoding})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.decode(encoding))["title"] == TITLE


def test_an_error_in_a_narrow_encoding_is_one_line(unicode_store: Path) -> None:
    result = _python(unicode_store, "done", "uni/c/x", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1
    assert result.stderr.decode("ascii").startswith("Error: ")
    assert result.stderr.count(b"\n") == 1


def test_shell_completion_shows_titles_escaped(evil_store: Path) -> None:
    """zsh and fish print each candidate's title beside it, on the terminal."""
    for shell in ("zsh", "fish"):
        env = {
            **{k: v for k, v in os.environ.items() if k != "COURSETRACK_DB"},
            "COURSETRACK_DB": str(evil_store),
            "_COURSETRACK_COMPLETE": f"complete_{shell}",
            "_TYPER_COMPLETE_ARGS": "coursetrack done ev/",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        }
        launch = "import sys; sys.argv[0] = 'coursetrack'; from coursetrack.cli import main; main()"
        result = subprocess.run(
            [sys.executable, "-c", launch], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert "ev/c" in result.stdout, result.stdout
        _clean(result.stdout)
        assert "\\x1b]0;PWNED" in result.stdout


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "args", [["--help"], ["-h"], ["--version"], ["--show-completion", "bash"], ["status", "--help"]]
)
def test_help_and_version_to_a_full_disk_are_one_clear_line(
    unicode_store: Path, args: list[str]
) -> None:
    """Printed while the command line is parsed, before any command runs."""
    with open("/dev/full", "w") as full:
        if args[0] == "--show-completion":
            # Typer names the shell from the process's ancestors: run it under one, as a
            # user does, whatever started the tests (a detached job has no shell above it)
            command = [sys.executable, "-m", "coursetrack", "--db", str(unicode_store), *args]
            result = subprocess.run(
                ["bash", "-c", '"$@"; exit $?', "bash", *command],
                stdout=full,
                stderr=subprocess.PIPE,
                env={**os.environ, **NOW},
                timeout=60,
            )
        else:
            result = _python(unicode_store, *args, stdout=full, stderr=subprocess.PIPE)
    assert result.returncode == 1
    assert result.stderr.decode() == "Error: cannot write the output: No space left on device\n"


# Control characters in the learner's text, printed to a pipe (tests/hostile.py)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
PASTED = "Evil \x1b]0;owned\x07 \x1b[2J\rline\nnext \x9b31m \x01end"  # NUL is refused


TERMINAL_COMMANDS = [
    pytest.param(["status"], id="status"),
    pytest.param(["status", "evil"], id="status-spec"),
    pytest.param(["log"], id="log"),
    pytest.param(["show", "evil/c"], id="show"),
    pytest.param(["status", "--json"], id="status-json"),
    pytest.param(["log", "--json"], id="log-json"),
    pytest.param(["export", "markdown", "evil"], id="export-markdown"),
]


@pytest.fixture
def evil(here: Here) -> Here:
    added = here.run("add", "specialization", PASTED, "--slug", "evil", "--description", PASTED)
    assert added.exit_code == 0
    assert here.run("add", "course", "evil", PASTED, "--slug", "c").exit_code == 0
    assert here.run("done", "evil/c", "--note", PASTED).exit_code == 0
    return here


@pytest.mark.parametrize("args", TERMINAL_COMMANDS)
def test_control_characters_never_reach_the_terminal(evil: Here, args: list[str]) -> None:
    """Printed to a pipe, as a pager or a terminal would receive it."""
    result = CliRunner().invoke(
        app, ["--db", DB, *args], env={"COURSETRACK_NOW": "2026-03-01T09:00:00+00:00"}
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout + result.stderr
    assert not CONTROL.search(text.replace("\n", "")), CONTROL.findall(text)
    assert re.search(r"\\x1b|\\u001b|\\e", text), "shown, escaped"


def test_control_characters_in_an_error_are_escaped(evil: Here) -> None:
    refused = evil.refused("done", PASTED, where="no specialization")
    assert not CONTROL.search(refused.rstrip("\n"))


_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.parametrize(
    "args",
    [
        ["done", "dls/neural-networks-and-deep-lerning"],  # a ref naming nothing, with a hint
        ["note", "dls/9", "a note"],  # a position past the end, naming the choices
    ],
    ids=["slug", "position"],
)
def test_an_error_fits_a_narrow_terminal_and_reads_as_one_message(dls, args) -> None:
    """Issue 22: no line wraps at 60 columns or more, errors included. On a terminal an
    error longer than its width breaks between words, never inside a ref; piped, it is one
    line for a script to grep."""
    screens = {}
    for columns in ("60", "80", "250"):
        code, screen = run_in_terminal(["--db", dls.db, *args], env={"COLUMNS": columns})
        assert code != 0
        screens[columns] = [line for line in _COLOURS.sub("", screen).splitlines() if line]
    assert len(screens["250"]) == 1 and len(screens["250"][0]) > 80, screens["250"]
    for columns in ("60", "80"):
        assert len(screens[columns]) > 1
        assert all(len(line) <= int(columns) for line in screens[columns]), screens[columns]
        assert " ".join(line.strip() for line in screens[columns]) == screens["250"][0]
    piped = dls.run(*args)
    assert piped.exit_code != 0 and len(piped.stderr.strip().splitlines()) == 1
