"""A store for each test, on SQLite and on PostgreSQL, and a runner that points every
command at it.

A test that takes `store` (or a fixture built on it, such as `dls`) runs twice:
`[sqlite]` on a file under tmp_path, `[postgresql]` on a fresh database of a real
server this session starts (tests/postgres.py). A test about SQLite files
themselves (headers, WAL, a read-only file system, links, upgrade fixtures) is
marked `@pytest.mark.sqlite_only` and runs once. A machine without a PostgreSQL
server or the psycopg2 driver skips the `[postgresql]` half, with one reason.

The quick loop, `pytest -m "not slow"`, is the one to run before each commit: under two
minutes on a quiet two-core machine, and every module of src/ runs in it (coverage.py
with subprocesses, 2026-12: 96% of statements, no module under 76%). The full suite, the
README's command, runs everything. What is `slow`:
- a test's `[postgresql]` run, unless the test is marked `both_engines` because it is
  about what the engines must do alike (the Writer, the schema, the rules and their
  upgrade, check, the README's examples). Those runs were 45% of the old loop's CPU,
  and most repeat on PostgreSQL what the SQLite run checks. Tests on PostgreSQL alone
  (the server, its reader, the study group's commands, views, security, locks) stay;
- what takes over about 5 s on a quiet machine: concurrency and crash loops, hypothesis
  over whole stores, big stores, an interpreter or Chromium per case, and the group's
  history, per-learner views and concurrency files (a group of five roles per test);
- the cases after the first of a test marked `sampled`: one check over many inputs, each
  case a fresh interpreter, a terminal or a group (the probes that reads import no ORM,
  the hostile URLs of every option, the group's refusals).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

import postgres
from coursetrack.cli import app

# CI's run draws the same examples every time (each test's from its name), so that a
# landing is decided by the code, not by the draw; a run here draws anew, to find more.
# A case a draw finds is kept as an `@example` of its test.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# `here`: a store in the working directory for hostile input, and `Here.refused`
pytest_plugins = ["hostile"]

ENGINES = ("sqlite", "postgresql")
DLS = "deep-learning-specialization"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sqlite_only: the test is about SQLite files themselves; it runs on SQLite alone",
    )
    config.addinivalue_line(
        "markers",
        "both_engines: the test is about what the engines must do alike; its [postgresql] "
        "run stays in the quick loop",
    )
    config.addinivalue_line(
        "markers",
        "sampled: the quick loop runs the first case of this parametrised test (on each "
        "engine it runs on); the full suite runs every case",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that needs `engine` (the `store` fixture does) runs on each engine; the
    `[postgresql]` run is `slow` unless the test is marked `both_engines`."""
    if "engine" in metafunc.fixturenames:
        if metafunc.definition.get_closest_marker("sqlite_only"):
            params: list = ["sqlite"]
        elif metafunc.definition.get_closest_marker("both_engines"):
            params = list(ENGINES)
        else:
            params = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]
        metafunc.parametrize("engine", params, indirect=True)


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A `sampled` test's cases after its first are `slow`: many cases of one check, each
    a fresh interpreter or a group, where one case per commit is enough."""
    seen = set()
    for item in items:
        if item.get_closest_marker("sampled") is None:
            continue
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine") if callspec is not None else None
        key = (item.path, getattr(item, "originalname", item.name), engine)
        if key in seen:
            item.add_marker(pytest.mark.slow)
        seen.add(key)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Without a server or driver, the PostgreSQL half skips here: raised from this one
    place, pytest's summary folds all of those skips into one line with one reason."""
    callspec = getattr(item, "callspec", None)
    on_postgresql = callspec is not None and callspec.params.get("engine") == "postgresql"
    if on_postgresql or "postgres_server" in getattr(item, "fixturenames", ()):
        reason = postgres.missing()
        if reason:
            pytest.skip(reason)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """Which engine this run of the test stores on: "sqlite" or "postgresql"."""
    return request.param


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Server]:
    """One real PostgreSQL server for the session, started on first use."""
    reason = postgres.missing()
    if reason:
        pytest.skip(reason)
    server = postgres.Server()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres_server: postgres.Server) -> Iterator[str]:
    """A fresh, empty PostgreSQL database of its own for this test, as a URL for --db."""
    name = postgres_server.create_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def db(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """What `--db` gets on this engine: a file under tmp_path, or a fresh database's URL.

    On PostgreSQL a test that takes `dls` gets a copy of a database the shipped catalog
    was imported into once (per pinned clock): the same rows and history as importing
    it again, for a third of the time.
    """
    if engine == "sqlite":
        yield str(tmp_path / "store.db")
        return
    server = request.getfixturevalue("postgres_server")
    template = _dls_template(server) if "dls" in request.fixturenames else postgres.TEMPLATE
    name = server.create_database(template)
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


def _dls_template(server: postgres.Server) -> str:
    """A database holding the shipped catalog, imported at this test's clock."""
    clock = os.environ.get("COURSETRACK_NOW", "")
    if clock not in server.templates:
        name = server.create_database()
        result = CliRunner().invoke(app, ["--db", server.url(name), "import", DLS])
        assert result.exit_code == 0, result.output
        server.templates[clock] = name
    return server.templates[clock]


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test runs with libyaml reading and writing YAML, then with PyYAML's own classes."""
    from coursetrack import strict_yaml

    if request.param == "libyaml" and not strict_yaml.USE_LIBYAML:
        pytest.skip("PyYAML here has no libyaml (0.2.6 or later)")
    monkeypatch.setattr(strict_yaml, "USE_LIBYAML", request.param == "libyaml")
    return request.param


@pytest.fixture
def new_store(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[], str]:
    """Makes another fresh, empty store on this engine; returns what `--db` names."""
    made = iter(range(1, 1_000_000))

    def new() -> str:
        if engine == "sqlite":
            folder = tmp_path / f"store{next(made)}"
            folder.mkdir()
            return str(folder / "coursetrack.db")
        server = request.getfixturevalue("postgres_server")
        name = server.create_database()
        request.addfinalizer(lambda: server.drop_database(name))
        return server.url(name)

    return new


def _sqlite_by_hand(path: str, sql: str, rows: list[tuple], *, ignore_checks: bool = False) -> None:
    """A write in the sqlite3 shell, in one transaction: filed under the newest command
    (coursetrack binds each write's own); `ignore_checks` as before the store's rules."""
    con = sqlite3.connect(path)
    try:
        if ignore_checks:
            con.execute("PRAGMA ignore_check_constraints = ON")
        with con:
            con.execute(
                "INSERT OR REPLACE INTO history_binding (id, command_id) "
                "SELECT 1, max(id) FROM command"
            )
            con.executemany(sql, rows)
            con.execute("DELETE FROM history_binding")
    finally:
        con.close()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


@dataclass
class Store:
    """The test's store, with the runner bound to it.

    `db` is what `--db` names (a file path or a PostgreSQL URL); `rows`, `execute` and
    `dump` read and change it directly, with `?` parameters, on either engine, and
    hand back values as sqlite3 does (dates as ISO text, booleans as 0/1).
    """

    db: str
    run: Callable[..., Result]
    engine: str = "sqlite"

    @property
    def path(self) -> Path:
        """The SQLite file: a test that reaches for it is about SQLite files."""
        if self.engine != "sqlite":
            pytest.fail(
                "this test uses the store's SQLite file (store.path); give subprocesses "
                "store.db, read with store.rows, or mark the test @pytest.mark.sqlite_only"
            )
        return Path(self.db)

    def _pg(self):
        # libpq reads the store's URL as it is (a plain postgresql://)
        return postgres.connect(self.db, autocommit=True)

    def rows(self, sql: str, *params: object) -> list[tuple]:
        if self.engine != "sqlite":
            with self._pg() as con:
                return postgres.rows(con, sql, params)
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def exists(self) -> bool:
        """Whether there is a store yet: the file, or any table in the database."""
        if self.engine != "sqlite":
            return self.rows(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ) != [(0,)]
        return Path(self.db).exists()

    def execute(self, sql: str, *params: object) -> None:
        """Change the store behind the program's back (a test planting odd data)."""
        self.executemany(sql, [params])

    def executemany(self, sql: str, rows: list[tuple]) -> None:
        """One statement for each of `rows`, in one transaction."""
        if self.engine != "sqlite":
            with self._pg() as con, con.transaction():
                # the history triggers file changes under the transaction's command:
                # as on SQLite, the newest one
                con.execute(
                    "SELECT set_config('coursetrack.command', "
                    "(SELECT max(id)::text FROM command), true)"
                )
                con.cursor().executemany(postgres.placeholders(sql), rows)
            return
        _sqlite_by_hand(self.db, sql, rows)

    def execute_past_rules(self, sql: str, *params: object) -> None:
        """Plant what a store made before the rules of the record may hold (schema 6
        refuses it, and its upgrade mends it): on SQLite with CHECKs ignored for this
        one connection, on PostgreSQL with the rules' constraints dropped, as before them.
        For code that must still cope with such rows (a post never links a bad URL)."""
        if self.engine != "sqlite":
            from coursetrack.store import rules

            with self._pg() as con:
                for rule in rules.RULES:
                    con.execute(
                        f"ALTER TABLE {rule.table} DROP CONSTRAINT IF EXISTS {rule.constraint}"
                    )
            self.execute(sql, *params)
            return
        _sqlite_by_hand(self.db, sql, [params], ignore_checks=True)

    def reset(self) -> None:
        """Back to no store at all, for a test that starts over (a hypothesis example)."""
        if self.engine != "sqlite":
            with self._pg() as con:
                con.execute("DROP SCHEMA public CASCADE")
                con.execute("CREATE SCHEMA public")
            return
        for suffix in ("", "-wal", "-shm"):
            Path(self.db + suffix).unlink(missing_ok=True)

    def dump(self, *, history: bool = False) -> list[str]:
        """Every row of every table, to compare a store before and after.

        The history (`command`, `change`) is left out unless asked for: a command
        that changes nothing leaves none, but a test often compares the record alone.
        """
        if self.engine != "sqlite":
            with self._pg() as con:
                return postgres.dump(con, history=history)
        if not Path(self.db).exists():
            return []
        con = sqlite3.connect(self.db)
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
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))  # long notes, neutralised
    monkeypatch.setenv("COLUMNS", "80")


@pytest.fixture
def store(db: str, engine: str) -> Store:
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict | None = None) -> Result:
        result = runner.invoke(app, ["--db", db, *args], input=input, env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return Store(db, run, engine)


@pytest.fixture(scope="session")
def _prepared(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Stores built once per session, by key and engine: files, or template databases."""
    return {"folder": tmp_path_factory.mktemp("prepared")}


@pytest.fixture
def prepare(
    store: Store, _prepared: dict, request: pytest.FixtureRequest
) -> Callable[[str, Callable[[str], None]], Store]:
    """`prepare(key, build)`: the test's store becomes a copy of the one `build(db)` made
    the first time `key` was asked for on this engine (a SQLite file copied, or a
    PostgreSQL database re-made from it as a template). For stores tests only read
    from, or change from a common start, that are slow to build."""

    def prepare(key: str, build: Callable[[str], None]) -> Store:
        if store.engine == "sqlite":
            made = _prepared["folder"] / f"{key}.db"
            if (store.engine, key) not in _prepared:
                build(str(made))
                _prepared[store.engine, key] = made
            shutil.copyfile(made, store.db)
            return store
        server = request.getfixturevalue("postgres_server")
        if (store.engine, key) not in _prepared:
            name = server.create_database()
            build(server.url(name))
            _prepared[store.engine, key] = name
        server.remake_database(postgres.name_of(store.db), _prepared[store.engine, key])
        return store

    return prepare


@pytest.fixture
def dls(store: Store) -> Store:
    """A store holding the shipped Deep Learning Specialization catalog."""
    if store.engine == "sqlite":  # PostgreSQL: the database was copied with it (see `db`)
        result = store.run("import", DLS)
        assert result.exit_code == 0, result.stderr
    return store
