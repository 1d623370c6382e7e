"""Replicas and a hub for the sync tests (issue 24): what test_sync_property.py and
test_sync_kill.py share.

A *replica* is a SQLite file with its own clock: every command it runs gets
`COURSETRACK_NOW` = the moment the test says plus the replica's skew, so two replicas
disagree about the time as two laptops do. A *hub* is a database of its own on the
session's PostgreSQL server (or on a server the test started itself, to stop it).
Commands run in-process (CliRunner) where nothing is killed; `command()` gives the
argv of a real subprocess for the tests that kill one.

What the tests compare, and why those:
- `export yaml`: the record as a user sees it, with no local ids and no learner. Two
  stores with the same record give the same bytes (notes, links and reviews are listed
  by uid since schema 8, and courses or topics at one position by uid too, so local
  arrival order does not show);
- the commands by `gid`, with the rule that set each aside: every store holds every
  command, once (no duplicate, no loss), and sets aside the same ones;
- the commands in id order: the design numbers them in stamp order on every store,
  so `log` reads the same everywhere (docs/sync.md, "How a sync runs", step 4).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

import postgres
from conftest import Result, Store
from coursetrack.cli import app

#: The moment the tests' first command runs, on a clock that is right.
BASE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

#: A catalog small enough that random commands meet each other on the same rows.
SMALL_CATALOG = """\
slug: s
title: Sync
courses:
  - title: One
    slug: one
    topics: [Alpha, Beta, Gamma]
  - title: Two
    slug: two
    topics: [Delta, Epsilon, Zeta]
"""


def clock(moment: dt.datetime) -> dict[str, str]:
    """The environment that pins the program's clock to `moment`."""
    return {"COURSETRACK_NOW": moment.isoformat()}


def invoke(db: str, args: Sequence[str], moment: dt.datetime) -> Result:
    """One command, in-process, at `moment`; a traceback fails the test."""
    result = CliRunner().invoke(app, ["--db", db, *args], env=clock(moment))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def command(db: str, *args: str) -> list[str]:
    """The argv of `coursetrack --db DB ARGS` as a real process."""
    return [sys.executable, "-m", "coursetrack", "--db", db, *args]


def store_of(db: str, engine: str = "sqlite") -> Store:
    """conftest's Store over `db` (its rows, dump), its runner at BASE."""

    def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:
        return invoke(db, args, BASE)

    return Store(db, run, engine)


@dataclass
class Hub:
    """A hub: a PostgreSQL database of `server`, a coursetrack store once a replica
    synced with it (or a command ran on it)."""

    server: postgres.Server
    name: str  # the database's

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    @property
    def store(self) -> Store:
        return store_of(self.url, "postgresql")

    def run(self, *args: str, at: dt.datetime = BASE) -> Result:
        return invoke(self.url, args, at)

    def export(self) -> str:
        return export_of(self.url)

    def copy(self) -> Hub:
        """Another hub holding what this one holds (the database as a template)."""
        return Hub(self.server, self.server.create_database(self.name))

    def drop(self) -> None:
        self.server.drop_database(self.name)


@dataclass
class Replica:
    """A SQLite store on a machine whose clock is `skew` off the right time."""

    name: str
    db: str
    skew: dt.timedelta = dt.timedelta(0)
    hub_url: str | None = None  # the hub it synced with (then `sync` alone syncs again)

    @property
    def store(self) -> Store:
        return store_of(self.db)

    def run(self, *args: str, at: dt.datetime = BASE) -> Result:
        """`coursetrack --db REPLICA ARGS` at `at` on the right clock (this one's: + skew)."""
        return invoke(self.db, args, at + self.skew)

    def sync(self, hub: Hub, at: dt.datetime = BASE) -> dict:
        """`sync URL --json` the first time (or with another hub's URL), `sync --json`
        after; it must succeed, in one line at most on stderr (the clocks' warning).
        Returns its report."""
        args = ["sync", "--json"] if self.hub_url == hub.url else ["sync", hub.url, "--json"]
        result = self.run(*args, at=at)
        assert result.exit_code == 0, (self.name, args, result.stdout, result.stderr)
        assert result.stderr.count("\n") <= 1, result.stderr
        report = json.loads(result.stdout)
        self.hub_url = hub.url
        return report

    def export(self) -> str:
        return export_of(self.db)

    def copy(self, name: str, folder: Path) -> Replica:
        """A copy of this replica's file (the sqlite3 backup API: whole, whatever the WAL
        holds), the same replica: for a test that runs one sync many ways."""
        target = folder / f"{name}.db"
        copy_sqlite(self.db, target)
        return Replica(name, str(target), self.skew, self.hub_url)


def copy_sqlite(source: str | Path, target: str | Path) -> None:
    Path(target).unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def export_of(db: str) -> str:
    """`export yaml` of a store, which must succeed."""
    result = invoke(db, ["export", "yaml"], BASE)
    assert result.exit_code == 0, (db, result.stderr)
    return result.stdout


def commands_by_gid(store: Store) -> dict[str, tuple]:
    """Every command a store holds, by gid: (its line, the rule that set it aside or
    None). Each gid once: a second row with one would be a command doubled."""
    rows = store.rows("SELECT gid, line, set_aside FROM command ORDER BY id")
    gids = [r[0] for r in rows]
    assert len(gids) == len(set(gids)), f"{store.db}: a command doubled"
    return {gid: (line, set_aside) for gid, line, set_aside in rows}


def gids_in_order(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT gid FROM command ORDER BY id")]


def stamps_in_id_order(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT stamp FROM command ORDER BY id")]


def set_aside_in_log(db: str) -> list[tuple[str, str, str]]:
    """The commands `log --json` shows as set aside at sync: (at, line, why)."""
    result = invoke(db, ["log", "--json"], BASE)
    assert result.exit_code == 0, result.stderr
    found = []
    for entry in json.loads(result.stdout)["commands"]:
        why = entry.get("set_aside")
        if why:
            found.append((entry["at"], entry["command"], json.dumps(why, sort_keys=True)))
    return sorted(found)


#: Rows a record holds, counted on every side after a sync (no duplicate, no loss).
RECORD_TABLES = ("specialization", "course", "topic", "progress", "note", "link", "review", "goal")


def row_counts(store: Store) -> dict[str, int]:
    return {t: store.rows(f"SELECT count(*) FROM {t}")[0][0] for t in RECORD_TABLES}


def assert_converged(replicas: Sequence[Replica], hub: Hub) -> str:
    """Every replica and the hub hold the same record and the same commands, the same
    set aside, numbered in stamp order. Returns the export they share."""
    hub_export = hub.export()
    for replica in replicas:
        mine = replica.export()
        assert mine == hub_export, f"{replica.name}'s export differs from the hub's:\n" + "".join(
            list(
                difflib.unified_diff(
                    hub_export.splitlines(True), mine.splitlines(True), "hub", replica.name
                )
            )[:40]
        )
    hub_commands = commands_by_gid(hub.store)
    for replica in replicas:
        mine = commands_by_gid(replica.store)
        assert set(mine) == set(hub_commands), (
            f"{replica.name}: missing {sorted(set(hub_commands) - set(mine))}, "
            f"not on the hub {sorted(set(mine) - set(hub_commands))}"
        )
        assert mine == hub_commands, f"{replica.name} set aside other commands than the hub"
    counts = row_counts(hub.store)
    for replica in replicas:
        assert row_counts(replica.store) == counts, replica.name
    for store in [hub.store, *(r.store for r in replicas)]:
        stamps = stamps_in_id_order(store)
        assert stamps == sorted(stamps), f"{store.db}: commands not numbered in stamp order"
    order = gids_in_order(hub.store)
    for replica in replicas:
        assert gids_in_order(replica.store) == order, replica.name
    shown = set_aside_in_log(hub.url)
    held = hub.store.rows("SELECT count(*) FROM command WHERE set_aside IS NOT NULL")
    assert len(shown) == held[0][0], "log does not show every command set aside at sync"
    for replica in replicas:
        assert set_aside_in_log(replica.db) == shown, f"{replica.name}: log's set-asides differ"
    return hub_export


# -- real processes, timed and killed ------------------------------------------------------


def start_process(argv: list[str], moment: dt.datetime) -> subprocess.Popen:
    return subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **clock(moment)},
    )


def timed(
    argv: list[str], moment: dt.datetime, probes: dict[str, Callable[[], bool]]
) -> dict[str, float]:
    """How long `argv` takes ("end"), and when each probe first held (a probe that
    never held: the end), polled every 5 ms: when the process reached the hub, when the
    hub committed."""
    began = time.monotonic()
    proc = start_process(argv, moment)
    seen: dict[str, float] = {}
    while proc.poll() is None:
        for name, probe in probes.items():
            if name not in seen and probe():
                seen[name] = time.monotonic() - began
        time.sleep(0.005)
    _out, err = proc.communicate()
    assert proc.returncode == 0, err
    end = time.monotonic() - began
    return {**dict.fromkeys(probes, end), **seen, "end": end}


def run_and_stop(
    argv: list[str], moment: dt.datetime, delay: float, stop: Callable[[subprocess.Popen], None]
) -> tuple[bool, int, str]:
    """Start `argv`; after `delay` seconds, if it still runs, `stop(proc)` (a SIGKILL, the
    hub's backend ended, the server stopped); wait for it. Whether it finished first, its
    exit code, its stderr."""
    proc = start_process(argv, moment)
    try:
        proc.wait(timeout=delay)
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
        stop(proc)
    _out, err = proc.communicate()
    return finished, proc.returncode, err


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)


# -- a week of work: the kill tests' replicas --------------------------------------------


def week_of_work(
    replica: Replica, refs: Sequence[str], start: dt.datetime, seed: int, count: int = 50
) -> int:
    """About `count` everyday commands over seven days, as a learner runs them: starts,
    completions, notes, links, reviews, a goal, a reopen and an undo now and then.
    Deterministic for `seed`; returns how many succeeded (a refused one is a user's
    typo: it leaves nothing)."""
    rng = random.Random(seed)
    done = 0
    for i in range(count):
        at = start + dt.timedelta(days=7 * i / count, seconds=rng.randrange(60))
        ref = rng.choice(refs)
        kind = rng.choices(
            ["done", "start", "note", "link", "reviewed", "reopen", "goal", "undo"],
            weights=[8, 5, 6, 3, 4, 1, 1, 1],
        )[0]
        if kind == "undo" and done <= 3:
            kind = "done"
        args: list[str]
        if kind == "note":
            args = ["note", ref, f"{replica.name} note {i}"]
        elif kind == "link":
            args = ["link", ref, f"https://example.org/{replica.name}/{i}", "--title", f"l{i}"]
        elif kind == "reviewed":
            args = ["reviewed", ref, "--grade", rng.choice(["again", "hard", "good", "easy"])]
        elif kind == "goal":
            args = ["goal", ref.split("/")[0], "--by", "2026-12-31"]
        elif kind == "undo":  # never the import: a week of work, not a wipe
            args = ["undo", "--yes"]
        elif kind == "done" and rng.random() < 0.3:
            args = ["done", ref, "--note", f"{replica.name} done {i}"]
        else:
            args = [kind, ref]
        result = replica.run(*args, at=at)
        assert result.exit_code in (0, 1), (args, result.stderr)
        done += result.exit_code == 0
    return done
