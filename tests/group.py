"""A study group's store on the test PostgreSQL server, with real roles.

`group_store` gives each test a fresh database made as a group's owner would
make it: the owner (a role with CREATEROLE, not a superuser) owns the database,
imported the shipped catalog and ran `group init`; then `group add` made a
curator and three learners. Every command and every hand-written statement runs
as one of them: `g.run("alice", "done", "dls/1/1")`, `g.rows("bob", "SELECT ...")`.

Roles belong to the whole server, not to a database, so the people keep the
same names in every test (the owner `olga`, the curator `cora`, the learners
`alice`, `bob`, `carol`): a role that exists already is only made a member of
this test's group (`group add` of an existing role). The group's own roles are
named after the test's database, so nothing of one test's group reaches
another's. The server lets any role in over its socket (trust), so a learner's
URL needs no password here; `group add` still gives a new role a real one.

Use it from a test module with `from group import group_store_fixture  # noqa: F401`
(the fixture's name is `group_store`; importing it under another name keeps ruff's
F811 quiet about the test's parameter).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from typer.testing import CliRunner

import postgres
from conftest import DLS, Result
from coursetrack.cli import app

OWNER = "olga"
CURATOR = "cora"
LEARNERS = ("alice", "bob", "carol")


@dataclass
class GroupStore:
    """One study group's store; every method acts as the role it is given."""

    server: postgres.Server
    name: str  # the database
    owner: str = OWNER
    curator: str = CURATOR
    learners: tuple[str, ...] = LEARNERS
    superuser: str = postgres.USER
    _runner: CliRunner = field(default_factory=CliRunner)

    @property
    def everyone(self) -> tuple[str, ...]:
        return (self.owner, self.curator, *self.learners)

    def url(self, role: str) -> str:
        """What `--db` (or COURSETRACK_DB) is for `role`."""
        return f"postgresql://{role}@/{self.name}?host={self.server.socket}"

    def run(
        self, role: str, *args: str, input: str | None = None, env: dict | None = None
    ) -> Result:
        """`coursetrack --db URL-of-role ARGS...`, in this process."""
        result = self._runner.invoke(app, ["--db", self.url(role), *args], input=input, env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    @contextlib.contextmanager
    def connect(self, role: str) -> Iterator[Any]:
        """A psycopg2 connection (autocommit) as `role`: a learner's hand-written SQL."""
        con = postgres.connect(
            f"host={self.server.socket} dbname={self.name} user={role}", autocommit=True
        )
        try:
            yield con
        finally:
            con.close()

    def rows(self, role: str, sql: str, *params: object) -> list[tuple]:
        """`sql` (with `?` parameters) as `role`, values as sqlite3 gives them (see postgres.rows)."""
        with self.connect(role) as con:
            return postgres.rows(con, sql, params)

    def all_rows(self, sql: str, *params: object) -> list[tuple]:
        """`sql` as the server's superuser, whom row-level security does not hold:
        what is really stored."""
        return self.rows(self.superuser, sql, *params)

    def add(self, name: str, *, curator: bool = False) -> Result:
        """`coursetrack group add NAME` as the owner; the result must be a success."""
        args = ["group", "add", name, *(["--curator"] if curator else [])]
        result = self.run(self.owner, *args)
        assert result.exit_code == 0, result.stderr
        return result


def ok(result: Result) -> None:
    """The command succeeded (its stderr shown when it did not)."""
    assert result.exit_code == 0, result.stderr


def one_line(result: Result, code: int = 1) -> str:
    """A refusal: exit `code`, one line on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _owner_template(server: postgres.Server) -> str:
    """A database the owner created and imported the shipped catalog into (per pinned
    clock), before any group: each test's store is a copy of it, grouped afresh."""
    key = "group:" + os.environ.get("COURSETRACK_NOW", "")
    if key not in server.templates:
        admin = server._admin
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (OWNER,)).fetchone()
        if not exists:
            admin.execute(f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE')
        name = f"g{len(server.templates) + 1}_template"
        admin.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER}"')
        url = f"postgresql://{OWNER}@/{name}?host={server.socket}"
        result = CliRunner().invoke(app, ["--db", url, "import", DLS])
        assert result.exit_code == 0, result.output
        server.templates[key] = name
    return server.templates[key]


@pytest.fixture(name="group_store")
def group_store_fixture(postgres_server: postgres.Server) -> Iterator[GroupStore]:
    """A study group's store: the owner `olga` (a curator), the curator `cora`, the
    learners `alice`, `bob` and `carol`; the shipped catalog (dls) imported by the owner."""
    template = _owner_template(postgres_server)
    name = postgres_server.create_database(template)
    postgres_server._admin.execute(f'ALTER DATABASE "{name}" OWNER TO "{OWNER}"')
    g = GroupStore(postgres_server, name)
    try:
        result = g.run(OWNER, "group", "init")
        assert result.exit_code == 0, result.stderr
        g.add(CURATOR, curator=True)
        for learner in LEARNERS:
            g.add(learner)
        yield g
    finally:
        postgres_server.drop_database(name)
