"""What the program writes, it reads back: random sessions of every writing command.

Each example starts from the shipped catalog and a little more (`SEED`) and runs
a random sequence of the commands that write (add, update, rm, import of a
catalog, --prune too, and of a backup, start, done, reopen, note and its
edit/rm, link and its rm, reviewed, goal, group share, undo and undo ID), the
clock a day later at each step. After every step, whether the command succeeded
or was refused, the record's `export yaml` must restore into a fresh store and
export there the same bytes: no command, alone or undone, may leave a record its
own backup cannot restore.

On SQLite and on PostgreSQL. The commands run in-process (typer's runner), each
example on stores of its own: a copy of a SQLite file, or a database made from a
template. `test_random_sessions_read_back` is the small loop run before each
commit (a few sessions, each read back at its end); the `slow` one runs more
and longer sessions, read back after every step (CI).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coursetrack.cli import app

DLS = "deep-learning-specialization"
START = dt.datetime(2026, 10, 1, 10, 0, 0)

#: A small backup of a program the catalog lacks: `import` of it restores, once.
MINI = """\
format: coursetrack-backup
version: 1
specializations:
- slug: mini
  title: Mini
  progress:
    status: todo
    started_on: '2026-09-20'
  goal:
    target_on: '2027-01-31'
  courses:
  - slug: one
    title: One
    topics:
    - slug: first
      title: First
      progress:
        status: done
        started_on: '2026-09-20'
        completed_on: '2026-09-21'
      notes:
      - written_on: '2026-09-21'
        text: 'yes'
      reviews:
      - reviewed_on: '2026-09-25'
        grade: good
        interval_days: 3
        due_on: '2026-09-28'
    - slug: second
      title: Second
  - slug: two
    title: Two
"""

#: A catalog of the same program: importing it renames, adds, and with --prune removes.
MINI_CATALOG = """\
slug: mini
title: Mini, renamed
courses:
  - title: One
    slug: one
    topics:
      - First
      - Third
"""

# --- the commands -------------------------------------------------------------------

#: Text as a user types it, odd cases included (YAML's words, breaks, quotes, unicode).
WORDS = st.sampled_from(
    ["plain", "yes", "null", "0123", "a: b", " lead", "two\nlines", "é ü 名", "'q'", "#x", "~"]
)
TEXT = st.one_of(WORDS, st.text(min_size=1, max_size=6).filter(lambda t: not t.startswith("-")))
SPECS = st.sampled_from(["dls", "mini", "x"])
COURSES = st.sampled_from(["dls/1", "dls/2", "dls/5", "dls/c", "mini/one", "mini/two", "x/1"])
TOPICS = st.sampled_from(["dls/1/1", "dls/1/2", "dls/2/1", "dls/1/t", "dls/c/1", "mini/one/1"])
REFS = st.one_of(SPECS, COURSES, TOPICS)
#: Days around the session's start (the clock moves a day a step): a few ahead of it.
DAYS = st.integers(-6, 3).map(lambda n: (START + dt.timedelta(days=n)).date().isoformat())
#: A goal's day: from today on, or just before.
GOAL_DAYS = st.integers(8, 400).map(lambda n: (START + dt.timedelta(days=n)).date().isoformat())


def _on(day: str | None) -> list[str]:
    return ["--on", day] if day else []


def _opt(flag: str, value: object) -> list[str]:
    return [flag, str(value)] if value is not None else []


COMMANDS = st.one_of(
    st.builds(lambda r, d: ["start", r, *_on(d)], REFS, st.none() | DAYS),
    st.builds(
        lambda r, d, n: ["done", r, *_on(d), *_opt("--note", n)],
        REFS,
        st.none() | DAYS,
        st.none() | TEXT,
    ),
    st.builds(lambda r: ["reopen", r], REFS),
    st.builds(
        lambda r, g, d: ["reviewed", r, "--grade", g, *_on(d)],
        st.one_of(TOPICS, COURSES),
        st.sampled_from(["again", "hard", "good", "easy"]),
        st.none() | DAYS,
    ),
    st.just(["add", "specialization", "X", "--slug", "x"]),
    st.builds(
        lambda s, t, slug, p: [
            "add",
            "course",
            s,
            t,
            *_opt("--slug", slug),
            *_opt("--position", p),
        ],
        SPECS,
        TEXT,
        st.sampled_from([None, "c"]),
        st.none() | st.integers(1, 3),
    ),
    st.builds(
        lambda c, t, slug, p: ["add", "topic", c, t, *_opt("--slug", slug), *_opt("--position", p)],
        COURSES,
        TEXT,
        st.sampled_from([None, "t"]),
        st.none() | st.integers(1, 3),
    ),
    st.builds(
        lambda r, field, v: ["update", r, field, v],
        REFS,
        st.sampled_from(["--title", "--description", "--note", "--url"]),
        TEXT,
    ),
    st.builds(
        lambda r, slug: ["update", r, "--slug", slug],
        REFS,
        st.sampled_from(["c", "t", "x", "neural-networks", "introduction"]),
    ),
    st.builds(lambda r: ["rm", r, "--yes"], REFS),
    st.sampled_from(
        [
            ["import", DLS],
            ["import", "MINI"],
            ["import", "CATALOG"],
            ["import", "CATALOG", "--prune"],
        ]
    ),
    st.builds(
        lambda r, t, private, d: [
            "note",
            "add",
            r,
            t,
            *(["--private"] if private else []),
            *_on(d),
        ],
        REFS,
        TEXT,
        st.booleans(),
        st.none() | DAYS,
    ),
    st.builds(lambda n, t: ["note", "edit", str(n), t], st.integers(1, 4), TEXT),
    st.builds(lambda n: ["note", "rm", str(n)], st.integers(1, 4)),
    st.builds(
        lambda r, t: ["link", "add", r, "https://example.org/nb", *_opt("--title", t)],
        REFS,
        st.none() | TEXT,
    ),
    st.builds(lambda n: ["link", "rm", str(n)], st.integers(1, 3)),
    st.builds(lambda s, d: ["goal", s, "--by", d], SPECS, GOAL_DAYS),
    st.builds(lambda s: ["goal", s, "--clear"], SPECS),
    st.sampled_from([["group", "share", "on"], ["group", "share", "off"]]),
    st.just(["undo", "--yes"]),
    st.just(["undo", "--yes"]),
    st.builds(lambda n: ["undo", str(n), "--yes"], st.integers(1, 14)),
)

#: Where each session starts: the shipped catalog, the small backup restored, a
#: specialization and a course (no topics: a unit) added by hand.
SEED = [
    ["import", DLS],
    ["import", "MINI"],
    ["add", "specialization", "X", "--slug", "x"],
    ["add", "course", "dls", "C", "--slug", "c"],
]

# --- the stores ---------------------------------------------------------------------


class Stores:
    """Fresh stores on one engine: `seeded()` holds the catalog, `empty()` nothing."""

    def __init__(self, engine: str, folder: Path, server=None) -> None:
        self.engine, self.folder, self.server = engine, folder, server
        self.made = 0
        self.seed = self._new()
        files = _files(folder)
        for args in SEED:
            args = [files.get(a, a) for a in args]
            result = run(self.seed, args, START)
            assert result.exit_code == 0, result.output

    def _new(self) -> str:
        self.made += 1
        if self.engine == "sqlite":
            return str(self.folder / f"s{self.made}.db")
        return self.server.url(self.server.create_database())

    @contextmanager
    def seeded(self) -> Iterator[str]:
        yield from self._copy(self.seed)

    @contextmanager
    def empty(self) -> Iterator[str]:
        yield from self._copy(None)

    def _copy(self, source: str | None) -> Iterator[str]:
        if self.engine == "sqlite":
            self.made += 1
            path = self.folder / f"s{self.made}.db"
            if source is not None:
                shutil.copyfile(source, path)
            try:
                yield str(path)
            finally:
                path.unlink(missing_ok=True)
            return
        import postgres

        template = postgres.name_of(source) if source is not None else postgres.TEMPLATE
        name = self.server.create_database(template)
        try:
            yield self.server.url(name)
        finally:
            self.server.drop_database(name)


def _files(folder: Path) -> dict[str, str]:
    """The files the commands name, written in `folder`: placeholder -> path."""
    (folder / "mini.yaml").write_text(MINI)
    (folder / "mini-catalog.yaml").write_text(MINI_CATALOG)
    return {"MINI": str(folder / "mini.yaml"), "CATALOG": str(folder / "mini-catalog.yaml")}


def run(db: str, args: list[str], now: dt.datetime):
    result = CliRunner().invoke(
        app, ["--db", db, *args], env={"COURSETRACK_NOW": now.isoformat(timespec="seconds")}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def stores(engine: str, request: pytest.FixtureRequest) -> Iterator[Stores]:
    with tempfile.TemporaryDirectory() as folder:
        server = request.getfixturevalue("postgres_server") if engine == "postgresql" else None
        yield Stores(engine, Path(folder), server)


def reads_back(stores: Stores, db: str, folder: Path, now: dt.datetime, step: str) -> None:
    """The record's backup restores into a fresh store, which exports the same bytes."""
    first, second = folder / "first.yaml", folder / "second.yaml"
    for path in (first, second):
        path.unlink(missing_ok=True)
    exported = run(db, ["export", "yaml", "-o", str(first)], now)
    assert exported.exit_code == 0, (step, exported.output)
    with stores.empty() as fresh:
        restored = run(fresh, ["import", str(first)], now)
        assert restored.exit_code == 0, (step, restored.output, first.read_text())
        again = run(fresh, ["export", "yaml", "-o", str(second)], now)
        assert again.exit_code == 0, (step, again.output)
    assert second.read_text() == first.read_text(), step


def session(stores: Stores, commands: list[list[str]], *, every_step: bool = True) -> None:
    """Run `commands` on a fresh copy of the seed, checking the record reads back after
    each one (`every_step`) or once, at the end."""
    with tempfile.TemporaryDirectory() as tmp, stores.seeded() as db:
        folder = Path(tmp)
        files = _files(folder)
        done: list[str] = []
        for day, command in enumerate(commands, start=1):
            args = [files.get(a, a) for a in command]
            now = START + dt.timedelta(days=day)
            result = run(db, args, now)
            done.append(f"{'ok ' if result.exit_code == 0 else 'err'} {' '.join(command)}")
            trail = "\n".join(done)
            assert result.exit_code in (0, 1), (trail, result.output)
            assert "Traceback" not in result.output, (trail, result.output)
            if every_step or day == len(commands):
                reads_back(stores, db, folder, now, trail)


_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
}


#: Sessions that once left a record its backup could not restore (issue 19), kept as
#: examples so that each run tries them whatever it draws.
KNOWN = [
    # the review's topic undone to todo; the commands of the seed are #1-#4
    [["done", "dls/1/1"], ["reviewed", "dls/1/1", "--grade", "good"], ["undo", "5", "--yes"]],
    # a course done as a unit, given a topic, then started after the day it was done
    [["done", "dls/c"], ["add", "topic", "dls/c", "T"], ["start", "dls/c"]],
]


@settings(max_examples=4, **_SETTINGS)
@given(commands=st.lists(COMMANDS, min_size=1, max_size=8))
@example(commands=KNOWN[0])
@example(commands=KNOWN[1])
def test_random_sessions_read_back(stores: Stores, commands: list[list[str]]) -> None:
    """The loop before each commit: a few sessions, read back once each, at the end."""
    session(stores, commands, every_step=False)


@pytest.mark.slow
@settings(max_examples=3, **_SETTINGS)
@given(commands=st.lists(COMMANDS, min_size=8, max_size=12))
def test_longer_random_sessions_read_back(stores: Stores, commands: list[list[str]]) -> None:
    session(stores, commands)
