"""A store in the working directory for hostile input, and the check every refusal passes.

`here` (a plugin of conftest.py) chdirs to tmp_path, plants a secret in the environment
and copies in a store with a record. `Here.refused` runs a command that must be refused
and checks what the issues ask of every refusal: one line on stderr saying what and
where, exit 1, no traceback, no secret and no absolute path beyond what was named, the
store unchanged, history included. Every command runs with relative paths, so an
absolute path showing up in the output is a leak. The tests live beside the module
each refusal belongs to (test_catalog, test_backup, test_dates, test_outputs,
test_atomic, test_opening, test_cli, test_console).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app

SECRET = "tok-6f1e-do-not-print"
DB = "store.db"


class Here:
    """A store with a record in it, in the current directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / DB

    def run(self, *args: str, env: dict | None = None):
        result = CliRunner().invoke(app, ["--db", DB, *args], env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def dump(self) -> list[str]:
        con = sqlite3.connect(self.path)
        try:
            return list(con.iterdump())
        finally:
            con.close()

    def refused(self, *args: str, where: str = "", code: int = 1, db: str | None = None):
        """Run a command that must be refused; check everything the issue asks for."""
        before = self.dump()
        runner = CliRunner()
        argv = ["--db", db or DB, *args]
        result = runner.invoke(app, argv)
        assert not (result.exception and not isinstance(result.exception, SystemExit)), (
            result.exception
        )
        assert result.exit_code == code, (result.exit_code, result.stderr)
        out = result.stdout + result.stderr
        assert "Traceback" not in out
        if code == 1:
            assert result.stderr.count("\n") == 1, result.stderr
            assert result.stderr.startswith("Error: ")
        assert where in result.stderr, result.stderr
        assert SECRET not in out
        assert str(self.root) not in out, "no absolute local path beyond what was named"
        assert self.dump() == before, "the store is unchanged, history included"
        return result.stderr


@pytest.fixture(scope="session")
def hostile_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / DB
    for args in (
        ["import", "deep-learning-specialization"],
        ["done", "dls/1/1", "--on", "2026-01-02", "--note", "first"],
    ):
        assert CliRunner().invoke(app, ["--db", str(path), *args]).exit_code == 0
    return path


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hostile_template: Path) -> Here:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSETRACK_API_TOKEN", SECRET)
    h = Here(tmp_path)
    shutil.copyfile(hostile_template, h.path)
    Path("afile").write_text("a regular file\n")
    Path("adir").mkdir()
    return h


@pytest.fixture
def sticky(here: Here) -> Path:
    """A folder like /tmp: world-writable and sticky, with another user's links in it."""
    folder = Path("shared")
    folder.mkdir()
    folder.chmod(0o1777)
    return folder


def plant(link: Path, target: str, uid: int = 54321) -> None:
    link.symlink_to(target)
    os.lchown(link, uid, uid)  # we are root: the link now belongs to someone else


def write_file(name: str, data: bytes | str) -> str:
    Path(name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return name


def _small_files(limit: int):
    def apply() -> None:  # in the child: writes past `limit` bytes fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def full_disk_run(here: Here, limit: int, *args: str) -> subprocess.CompletedProcess:
    """`coursetrack ARGS` in a child whose writes past `limit` bytes fail, as on a full disk."""
    return subprocess.run(
        [sys.executable, "-m", "coursetrack", "--db", DB, *args],
        preexec_fn=_small_files(limit),
        capture_output=True,
        text=True,
        cwd=here.root,
        env={**os.environ, "COLUMNS": "80"},
        timeout=120,
    )
