"""A store under tmp_path and a runner that points every command at it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


@dataclass
class Store:
    """The test's store file, with the runner bound to it."""

    path: Path
    run: Callable[..., Result]

    def rows(self, sql: str, *params: object) -> list[tuple]:
        con = sqlite3.connect(self.path)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def dump(self, *, history: bool = False) -> list[str]:
        """Every row of every table, to compare a store before and after.

        The history (`command`, `change`) is left out unless asked for: a command
        that changes nothing is still recorded there, by design.
        """
        if not self.path.exists():
            return []
        con = sqlite3.connect(self.path)
        try:
            lines = list(con.iterdump())
        finally:
            con.close()
        if history:
            return lines
        skip = ('INSERT INTO "command"', 'INSERT INTO "change"')
        return [line for line in lines if not line.startswith(skip)]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's real store or colour settings."""
    monkeypatch.delenv("COURSETRACK_DB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    path = tmp_path / "store.db"
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:
        result = runner.invoke(app, ["--db", str(path), *args], input=input, env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return Store(path, run)


@pytest.fixture
def dls(store: Store) -> Store:
    """A store holding the shipped Deep Learning Specialization catalog."""
    result = store.run("import", "deep-learning-specialization")
    assert result.exit_code == 0, result.stderr
    return store
