"""A study group's store on the test server, with real roles, for lane C's tests.

The owner (`owner`, who created the tables and ran `group init`), a curator
(`cora`) and three learners (`alice`, `bob`, `carol`), each connecting as their
own role over the socket (trust authentication: no passwords in tests). Roles
belong to the whole server, so they are made once and granted to each test's
group again (`group.add` of an existing role only grants membership).

Each test's database is a copy of one the owner imported the shipped catalog
into (made once per server and clock), then made a group's under its own name.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from typer.testing import CliRunner

import postgres
from coursetrack.cli import app

OWNER, CURATOR = "owner", "cora"
LEARNERS = ("alice", "bob", "carol")
DLS = "deep-learning-specialization"


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        import json

        return json.loads(self.stdout)


@dataclass
class GroupStore:
    """One group's database; `run(learner, ...)` is `coursetrack --db URL ...` as that role."""

    server: postgres.Server
    name: str
    runner: CliRunner = field(default_factory=CliRunner)

    def url(self, learner: str) -> str:
        return f"postgresql+psycopg://{learner}@/{self.name}?host={self.server.socket}"

    def run(self, learner: str, *args: str, input: str | None = None) -> Result:
        result = self.runner.invoke(app, ["--db", self.url(learner), *args], input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    def ok(self, learner: str, *args: str, input: str | None = None) -> Result:
        """`run`, which must succeed."""
        result = self.run(learner, *args, input=input)
        assert result.exit_code == 0, (learner, args, result.stdout, result.stderr)
        return result

    def rows(self, sql: str, *params: object) -> list[tuple]:
        """Rows read as the superuser, who sees every learner's."""
        with self.server.connect(self.name) as con:
            return postgres.rows(con, sql, params)

    def connect_as(self, learner: str):
        import psycopg

        return psycopg.connect(
            f"host={self.server.socket} dbname={self.name} user={learner}", autocommit=True
        )


def _admin(server: postgres.Server, sql: str, *params: object) -> list[tuple]:
    with server.connect("postgres") as con:
        cur = con.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _template(server: postgres.Server) -> str:
    """A database the owner made and imported the shipped catalog into (per clock)."""
    key = "group-owner:" + os.environ.get("COURSETRACK_NOW", "")
    if key in server.templates:
        return server.templates[key]
    if not _admin(server, "SELECT 1 FROM pg_roles WHERE rolname = %s", OWNER):
        _admin(server, f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE')
    name = server.create_database()
    _admin(server, f'ALTER DATABASE "{name}" OWNER TO "{OWNER}"')
    with server.connect(name) as con:
        con.execute(f'ALTER SCHEMA public OWNER TO "{OWNER}"')
    url = f"postgresql+psycopg://{OWNER}@/{name}?host={server.socket}"
    result = CliRunner().invoke(app, ["--db", url, "import", DLS])
    assert result.exit_code == 0, result.output
    server.templates[key] = name
    return name


def make_group(server: postgres.Server) -> GroupStore:
    """A new group store: a copy of the owner's, `group init`, a curator and the learners."""
    import sqlalchemy

    from coursetrack.store import group

    name = server.create_database(_template(server))
    store = GroupStore(server, name)
    engine = sqlalchemy.create_engine(store.url(OWNER))
    try:
        with engine.begin() as conn:
            group.init(conn)
            group.add(conn, CURATOR, curator=True)
            for learner in LEARNERS:
                group.add(conn, learner, curator=False)
    finally:
        engine.dispose()
    return store


@contextlib.contextmanager
def group_store(server: postgres.Server) -> Iterator[GroupStore]:
    """A study group's store holding the shipped catalog, no learner's record yet; dropped after.

    A test module makes it its fixture: `yield from` inside `with group_store(server) as g`.
    """
    store = make_group(server)
    try:
        yield store
    finally:
        server.drop_database(store.name)
