"""A new learner's trial of `coursetrack sync` (issue 24), as the README tells it: weeks on a
laptop, a desktop and a train's copy, syncing through a hub on the real PostgreSQL server.

Each fault the trial met is a test here, through the CLI on real SQLite files; those that
a small change fixed pass, the others are `xfail(strict=True)` with the reason, and
/work/briefs/u-findings.md tells the story. Every machine runs under its own host name
(a store takes its machine's name when it is made) and a pinned clock; the hub's clock
is read as the true time of the story, so that a machine's skew is the test's to say.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from typer.testing import CliRunner

import postgres
from coursetrack.cli import app


class Machine:
    """One machine: its own SQLite replica and host name, its clock `skew` minutes fast."""

    def __init__(self, folder: Path, name: str, *, skew: int = 0) -> None:
        self.db, self.name, self.skew = str(folder / f"{name}.db"), name, skew
        self.runner = CliRunner()

    def run(self, when: str, *args: str, ok: bool = True):
        """`coursetrack --db DB ARGS` at true time `when` (ISO), on this machine."""
        true = dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC)
        shown = true + dt.timedelta(minutes=self.skew)
        with _on(self.name, true):
            result = self.runner.invoke(
                app, ["--db", self.db, *args], env={"COURSETRACK_NOW": shown.isoformat()}
            )
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        if ok:
            assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result

    def rows(self, sql: str, *params: object) -> list[tuple]:
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


@contextlib.contextmanager
def _on(name: str, true: dt.datetime) -> Iterator[None]:
    """This process as machine `name`, the hub's clock at `true`."""
    from coursetrack.store import sync as sync_store

    hub_point = sync_store.hub_point

    def at_true_time(*args, **kwargs):
        point = hub_point(*args, **kwargs)
        point["now"] = true.timestamp()
        return point

    with (
        mock.patch.object(socket, "gethostname", lambda: name),
        mock.patch.object(sync_store, "hub_point", at_true_time),
    ):
        yield


@pytest.fixture(scope="session")
def trial_hub_template(postgres_server: postgres.Server) -> str:
    """An empty store's schema on the server, made once: each test's hub is a copy."""
    from coursetrack.store import open_store

    name = postgres_server.create_database()
    open_store(postgres_server.url(name), write=True).close()
    return name


@pytest.fixture
def hub(postgres_server: postgres.Server, trial_hub_template: str) -> Iterator[str]:
    name = postgres_server.create_database(trial_hub_template)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def laptop(tmp_path: Path, hub: str) -> Machine:
    """The laptop: the DLS catalog imported, a topic done, synced with the hub."""
    laptop = Machine(tmp_path, "laptop")
    laptop.run("2026-10-05T08:00", "import", "deep-learning-specialization")
    laptop.run("2026-10-05T08:01", "done", "dls/1/1")
    laptop.run("2026-10-05T08:02", "sync", hub)
    return laptop


@pytest.fixture
def desktop(tmp_path: Path, hub: str, laptop: Machine) -> Machine:
    """The desktop: its first sync brought the laptop's record."""
    desktop = Machine(tmp_path, "desktop")
    desktop.run("2026-10-05T19:00", "sync", hub)
    return desktop


def export(db: str) -> str:
    result = CliRunner().invoke(app, ["--db", db, "export", "yaml"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def converge(hub: str, *machines: Machine, when: str) -> str:
    """Every machine syncs, then each again: every export, the hub's too, is the same."""
    for _ in range(2):
        for machine in machines:
            machine.run(when, "sync")
    exported = export(hub)
    for machine in machines:
        assert export(machine.db) == exported, machine.name
    return exported


# --- a copied store ----------------------------------------------------------------------


def test_a_copy_given_a_new_replica_id_is_named_after_its_own_machine(
    tmp_path: Path, hub: str, laptop: Machine, desktop: Machine
) -> None:
    """The README: a store file copied to another machine takes a new identity there with
    `sync --new-replica`. The train's copy then syncs as the train: `whoami` there names
    it, and the desktop's `log` says its commands came from the train, not the laptop."""
    shutil.copyfile(laptop.db, tmp_path / "train.db")
    train = Machine(tmp_path, "train")
    train.run("2026-10-06T08:00", "sync", "--new-replica")
    train.run("2026-10-06T08:05", "note", "dls/1/1", "written on the train")
    train.run("2026-10-06T08:06", "sync")
    assert "replica  train (" in train.run("2026-10-06T08:07", "whoami").stdout
    desktop.run("2026-10-06T19:00", "sync")
    shown = desktop.run("2026-10-06T19:01", "log", "-n", "1").stdout
    assert "note dls/1/1 'written on the train'  on train" in shown, shown
