"""A hostile environment: a variable the program reads, set to a value it cannot use,
is one line on stderr naming the variable and how to fix it, exit 1, no
traceback, nothing written (issue 19).

Each case runs the installed console script in a real process, since TZ is read
by the C library when the process starts: setting it inside a test process
would not change what `localtime` answers there.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("coursetrack")
LAUNCH = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "coursetrack"]

#: Zones whose offset from UTC is 24 hours or more, which Python's datetime cannot
#: hold: POSIX TZ strings the C library takes (clamped to 24 h), and a daylight
#: rule whose summer offset alone is out of range (refused whatever the season).
WIDE_ZONES = ["UTC+24", "UTC+99", "XXX-30", "AAA-23BBB-25,M3.2.0,M11.1.0"]

COMMANDS = {
    "status": ["status"],
    "done": ["done", "dls/1/1", "--note", "from a wide zone"],
    "log": ["log"],
    "export": ["export", "markdown", "dls", "-o", "post.md"],
}


def run(
    cwd: Path, *args: str, env: dict[str, str | None], db: Path | None = None
) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("TZ", "COURSETRACK_NOW")}
    for name, value in env.items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    full.setdefault("COURSETRACK_DB", str(db or cwd / "store.db"))
    return subprocess.run(
        [*LAUNCH, *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=60
    )


def dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template")
    for args in (["import", "dls"], ["done", "dls/1/2"]):
        result = run(root, *args, env={"TZ": "UTC"})
        assert result.returncode == 0, result.stderr
    return root / "store.db"


@pytest.fixture
def here(tmp_path: Path, template: Path) -> Path:
    (tmp_path / "store.db").write_bytes(template.read_bytes())
    return tmp_path


def refused(here: Path, args: list[str], env: dict[str, str | None]) -> str:
    """Run a command that must be refused; check what the issue asks for. Returns stderr."""
    before = dump(here / "store.db")
    result = run(here, *args, env=env)
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "╭" not in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert result.stdout == ""
    assert dump(here / "store.db") == before, "nothing written, history included"
    assert sorted(p.name for p in here.iterdir()) == ["store.db"], "no file written"
    return result.stderr


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("tz", WIDE_ZONES)
def test_a_zone_24_hours_or_more_from_utc_is_one_line(here: Path, tz: str, command: str) -> None:
    stderr = refused(here, COMMANDS[command], env={"TZ": tz})
    assert stderr == (
        f"Error: TZ={tz!r} is a time zone 24 hours or more from UTC, which no date "
        "can carry; set TZ to a zone name such as Europe/Paris or UTC, or unset it\n"
    )


def test_a_pinned_clock_without_offset_takes_the_zone_and_names_tz(here: Path) -> None:
    stderr = refused(here, ["status"], env={"TZ": "UTC+24", "COURSETRACK_NOW": "2026-03-01T09:00"})
    assert stderr.startswith("Error: TZ='UTC+24' is a time zone 24 hours or more from UTC")


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize("offset", ["+24:00", "+99:00", "-24:00", "+24:00:01"])
@pytest.mark.parametrize("command", ["status", "done"])
def test_a_pinned_clock_24_hours_or_more_from_utc_is_one_line(
    here: Path, offset: str, command: str
) -> None:
    moment = f"2026-03-01T09:00:00{offset}"
    stderr = refused(here, COMMANDS[command], env={"COURSETRACK_NOW": moment})
    assert stderr == (
        f"Error: COURSETRACK_NOW={moment!r} has an offset of 24 hours or more from UTC; "
        "give one from -23:59 to +23:59, e.g. 2026-03-01T09:00:00+01:00, or unset it\n"
    )


def _tzif(path: Path, *, before: int, after: int, at: int) -> Path:
    """A zone file (RFC 8536, version 1) whose offset is `before` seconds, then `after` from `at`.

    The format allows offsets up to 26 hours; the C library reads them as given.
    """
    header = b"TZif" + b"\0" * 16 + struct.pack(">6l", 0, 0, 0, 1, 2, 8)
    body = struct.pack(">lB", at, 1)
    body += struct.pack(">lBB", before, 0, 0) + struct.pack(">lBB", after, 0, 4) + b"OLD\0NEW\0"
    path.write_bytes(header + body)
    return path


def test_a_zone_file_whose_past_was_25_hours_from_utc(tmp_path: Path, here: Path) -> None:
    """Today's offset is fine, 2019's was not: the moments shown from then are refused.

    A command run in 2019 (pinned, in UTC) is in the log; showing it, or counting
    days from 2019, reads the zone as it was then.
    """
    zone = _tzif(tmp_path.parent / f"{tmp_path.name}-zone", before=25 * 3600, after=0,
                 at=1_577_836_800)  # fmt: skip
    pinned = {"COURSETRACK_NOW": "2019-06-01T10:00:00+00:00"}
    assert run(here, "start", "dls/2/1", env={**pinned, "TZ": "UTC"}).returncode == 0
    assert run(here, "status", env={"TZ": str(zone)}).returncode == 0  # today is fine
    for args in (["log"], ["log", "--since", "2019-05-01"]):
        stderr = refused(here, args, env={"TZ": str(zone)})
        assert stderr == (
            f"Error: TZ={str(zone)!r} puts 2019 24 hours or more from UTC, which no date "
            "can carry; set TZ to a zone name such as Europe/Paris or UTC, or unset it\n"
        ), args


def test_completion_does_not_read_the_clock(here: Path) -> None:
    """A Tab under a wide zone still offers the refs: completion never reads the clock."""
    env = {
        "TZ": "UTC+24",
        "_COURSETRACK_COMPLETE": "complete_bash",
        "COMP_WORDS": "coursetrack done dls/",
        "COMP_CWORD": "2",
    }
    result = run(here, env=env)
    assert result.returncode == 0, result.stderr
    assert "dls/neural-networks" in result.stdout.split()


# --- the other variables the program reads ---------------------------------------------

COMPLETE = {"_COURSETRACK_COMPLETE": "complete_bash", "COMP_WORDS": "coursetrack done dls/"}


@pytest.mark.parametrize("cword", ["abc", "", None])
def test_a_bash_completion_word_number_that_is_not_one(here: Path, cword: str | None) -> None:
    """COMP_CWORD is bash's; anything else calling the completion must give a number too."""
    result = run(here, env={**COMPLETE, "COMP_CWORD": cword})
    assert result.returncode == 1, result.stderr
    shown = "is not set" if cword is None else f"is {cword!r}, not a number"
    assert result.stderr == (
        f"Error: COMP_CWORD {shown}: bash completion needs the index of the word being "
        "completed in COMP_WORDS, e.g. COMP_CWORD=2\n"
    )
    assert result.stdout == ""


def _bytes_env(env: dict[str, bytes]) -> dict[str, str]:
    """Values with bytes that are not UTF-8, as Python reads them from the environment."""
    return {name: os.fsdecode(value) for name, value in env.items()}


@pytest.mark.parametrize(
    "words", [{"COMP_WORDS": b"coursetrack done \xff\xfe", "COMP_CWORD": b"2"},
              {"_TYPER_COMPLETE_ARGS": b"coursetrack done dls/\xff"}],
    ids=["bash", "zsh"],
)  # fmt: skip
def test_a_completed_word_that_is_not_utf8_offers_nothing(
    here: Path, words: dict[str, bytes]
) -> None:
    """No ref is spelled in bytes that are not UTF-8: nothing to offer, as for any other."""
    shell = "bash" if "COMP_WORDS" in words else "zsh"
    env = {"_COURSETRACK_COMPLETE": f"complete_{shell}", **_bytes_env(words)}
    result = run(here, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "dls/" not in result.stdout


@pytest.mark.parametrize("name", ["PGHOST", "PGUSER", "PGDATABASE", "PGPASSWORD"])
def test_a_postgresql_variable_that_is_not_utf8(here: Path, name: str) -> None:
    """libpq's variables reach the connection as text: bytes that are not UTF-8 cannot."""
    env = {"COURSETRACK_DB": "postgresql:///coursetrack", **_bytes_env({name: b"ab\xffc"})}
    stderr = refused(here, ["status"], env=env)
    assert stderr == (
        f"Error: {name} is not UTF-8 text (byte 0xff); set it again as UTF-8, or unset it\n"
    )


def test_a_postgresql_variable_is_no_matter_to_a_file_store(here: Path) -> None:
    result = run(here, "status", env=_bytes_env({"PGHOST": b"ab\xffc"}))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"  ", "COURSETRACK_DB is set but empty; give it a file path, or unset it for the "
                "default store"),
        (b"postgresql://\xff@/db", "COURSETRACK_DB is not UTF-8 text (byte 0xff); set it "
                                   "again as UTF-8, or unset it"),
    ],
    ids=["blank", "not-utf8-url"],
)  # fmt: skip
def test_a_store_variable_is_named_as_such(here: Path, value: bytes, message: str) -> None:
    """The value came from COURSETRACK_DB, not from --db or an argument: say so."""
    stderr = refused(here, ["status"], env=_bytes_env({"COURSETRACK_DB": value}))
    assert stderr == f"Error: {message}\n"


# COURSETRACK_BUSY_TIMEOUT, read in-process: a number that reaches SQLite is in range or
# refused in one line, never an OverflowError (issue 10)


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-5", "99999999999", "abc"])
def test_busy_timeout_out_of_range_is_one_line(dls, value: str) -> None:
    before = dls.dump()
    result = dls.run("start", "dls/1/1", env={"COURSETRACK_BUSY_TIMEOUT": value})
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: COURSETRACK_BUSY_TIMEOUT={value!r} is not a number of seconds from 0 to "
        "86400; unset it or give e.g. 30\n"
    )
    assert dls.dump() == before


@pytest.mark.parametrize("value", ["0", "0.5", "86400"])
def test_busy_timeout_in_range_works(dls, value: str) -> None:
    result = dls.run("start", "dls/1/1", env={"COURSETRACK_BUSY_TIMEOUT": value})
    assert result.exit_code == 0, result.stderr
    assert dls.rows("SELECT count(*) FROM progress WHERE started_on IS NOT NULL") == [(1,)]
