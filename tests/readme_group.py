"""The README's "Studying in a group" examples, run for real on a PostgreSQL server.

A block after a `<!-- readme-group -->` line belongs to the group's story, which
several people play on one server, so readme_examples.py leaves it to this
module. In order, against one fresh database of a test server (tests/postgres.py):

- a ```sql block is what the server's administrator runs: executed as its superuser;
- in a ```console block, `$ export COURSETRACK_DB=URL` is that person's terminal from
  then on (their role is the URL's user), and `$ coursetrack ...` runs as them, at the
  walk-through's clock, its output compared exactly.

The README's server is `db.example.org`; here it is the test server's socket, and
its address in what a command prints is shown as the README's. A password `group add`
makes is random: each learner's is shown as a fixed one (`shown_password`), the one
the README's `export` line then gives back (the test server lets any password in).

"Your record on two machines" is played the same way by machines rather than roles: a
block whose marker names `machine=NAME` (`<!-- readme-group machine=laptop -->`) runs on
that machine's own default store (its XDG_DATA_HOME, a folder of the run's; shown as
`~/.local/share`), named NAME (its host name) with a replica id made from NAME, and with no
COURSETRACK_DB. A `postgresql://USER@db.example.org/NAME` in such a command is the hub:
the run makes role USER and database NAME, owned by it, first (as the previous section's
`createdb` does), and the command is given the test server's socket instead. The hub's
clock is read as the walk-through's (the test server's is today's, months from it, and
`sync` would warn of the difference).

When an output changes on purpose: `python tests/readme_group.py --update` (it starts
a server of its own), then read `git diff README.md`.
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import hashlib
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from readme_examples import ENV, README, _environment

_MARK = re.compile(r"^<!--\s*readme-group\b(.*?)-->\s*$")
HOST = "db.example.org"
#: A hub a machine's command names: postgresql://USER@db.example.org/DATABASE
_HUB = re.compile(r"postgresql://(\w+)@" + re.escape(HOST) + r"/(\w+)")
#: Where a machine's default store is shown to be (its XDG_DATA_HOME).
SHOWN_DATA_HOME = "~/.local/share"


@dataclass
class Step:
    """One README line to run: SQL (the administrator), or a shell line and its output."""

    line: int  # README line number, from 0
    kind: str  # "sql" | "console"
    command: str
    output: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def output_end(self) -> int:
        return self.line + 1 + len(self.output)


def steps(text: str) -> list[Step]:
    """Every step of every group block, in README order."""
    lines = text.split("\n")
    found: list[Step] = []
    for i, line in enumerate(lines):
        mark = _MARK.match(line)
        if not mark or i + 1 >= len(lines):
            continue
        fence = lines[i + 1].strip()
        end = lines.index("```", i + 2)
        env = dict(pair.split("=", 1) for pair in shlex.split(mark.group(1)))
        if fence == "```sql":
            sql = "\n".join(lines[i + 2 : end])
            found += [Step(i + 2, "sql", s.strip()) for s in sql.split(";") if s.strip()]
            continue
        if fence != "```console":
            raise ValueError(f"README.md:{i + 2}: a readme-group block is ```sql or ```console")
        current: Step | None = None
        for j in range(i + 2, end):
            if lines[j].startswith("$ "):
                command = lines[j][2:]
                if not (command.startswith("coursetrack") or command.startswith("export ")):
                    raise ValueError(f"README.md:{j + 1}: only coursetrack and export can run")
                current = Step(j, "console", command, [], env)
                found.append(current)
            elif current is not None:
                current.output.append(lines[j])
        for step in found:
            while step.output and not step.output[-1].strip():
                step.output.pop()
    return found


def shown_password(role: str) -> str:
    """The password the README shows for `role` (as long as a real one, not random)."""
    digest = hashlib.sha256(f"readme {role}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:24]


def roles(found: list[Step]) -> set[str]:
    """Every role the section names: the administrator's CREATE ROLE, the export lines."""
    named = set()
    for step in found:
        if step.kind == "sql":
            named.update(re.findall(r"CREATE ROLE (\w+)", step.command, re.I))
        elif step.command.startswith("export "):
            named.add(urlsplit(_url(step.command)).username or "")
        else:
            named.update(user for user, _ in _HUB.findall(step.command))
    return named - {""}


def _url(export: str) -> str:
    (assignment,) = shlex.split(export)[1:]
    name, url = assignment.split("=", 1)
    assert name == "COURSETRACK_DB", export
    return url


def database(found: list[Step]) -> str:
    """The study group's database (the one the `export` lines name)."""
    (name,) = {
        urlsplit(_url(s.command)).path.lstrip("/") for s in found if s.command.startswith("export ")
    }
    return name


def hubs(found: list[Step]) -> dict[str, str]:
    """Each database a machine's command names as its hub, and the role that owns it."""
    named: dict[str, str] = {}
    for step in found:
        if step.kind == "console" and not step.command.startswith("export "):
            named.update((name, user) for user, name in _HUB.findall(step.command))
    return named


def databases(found: list[Step]) -> set[str]:
    """Every database the README's story uses: the group's, the machines' hubs."""
    named = set(hubs(found))
    if any(s.command.startswith("export ") for s in found):
        named.add(database(found))
    return named


def run(found: list[Step], server) -> list[list[str]]:
    """Each step's output, as the README would show it, on `server` (a tests/postgres.Server)."""
    from typer.testing import CliRunner

    from coursetrack.cli import app

    _clean(server, found)
    socket = str(server.socket)
    runner = CliRunner()
    outputs: list[list[str]] = []
    current: dict[str, str] = {}
    made: dict[str, str] = {}  # a real password -> the one the README shows
    shown = {f"@/{name}?host={socket}": f"@{HOST}/{name}" for name in databases(found)}
    try:
        _make_hubs(server, found)
        with tempfile.TemporaryDirectory(prefix="coursetrack-readme-") as machines:
            for step in found:
                if step.kind == "sql":
                    with server.connect("postgres") as con:
                        con.execute(step.command)
                    outputs.append([])
                    continue
                if step.command.startswith("export "):
                    url = urlsplit(_url(step.command))
                    assert url.hostname == HOST, f"README.md:{step.line + 1}: the server is {HOST}"
                    login = url.username + (f":{url.password}" if url.password else "")
                    name = url.path.lstrip("/")
                    current = {"COURSETRACK_DB": f"{url.scheme}://{login}@/{name}?host={socket}"}
                    outputs.append([])
                    continue
                env = {**ENV, **current, **step.env}
                argv = shlex.split(step.command)[1:]
                machine = env.pop("machine", None)
                with contextlib.ExitStack() as stack:
                    if machine is not None:
                        home = str(Path(machines) / machine)
                        env.pop("COURSETRACK_DB", None)
                        env["XDG_DATA_HOME"] = home
                        stack.enter_context(_on_machine(machine))
                        argv = [_HUB.sub(rf"postgresql://\1@/\2?host={socket}", a) for a in argv]
                        shown[home] = SHOWN_DATA_HOME
                    stack.enter_context(_environment(env))
                    result = runner.invoke(app, argv, env=env)
                if result.exception and not isinstance(result.exception, SystemExit):
                    raise result.exception
                text = result.output.rstrip("\n")
                if step.command.startswith("coursetrack group add "):  # a new password
                    for role, password in re.findall(r"://(\w+):([^@\s]+)@/", text):
                        made[password] = shown_password(role)
                for real, instead in [*made.items(), *shown.items()]:
                    text = text.replace(real, instead)
                outputs.append([line.rstrip() for line in text.split("\n")])
    finally:
        _clean(server, found)
    return outputs


def replica_of(machine: str) -> str:
    """The replica id the README's `machine` is shown with (a real one is random)."""
    return hashlib.sha256(f"readme {machine}".encode()).hexdigest()[:16]


@contextmanager
def _on_machine(machine: str) -> Iterator[None]:
    """This process as `machine`: its host name, the replica id a new store takes there,
    and the hub's clock read as the walk-through's (see the module's docstring)."""
    import socket
    from unittest import mock

    from coursetrack import dates
    from coursetrack.store import sync as sync_store
    from coursetrack.store import sync_schema

    hub_point = sync_store.hub_point

    def at_our_clock(*args, **kwargs):
        point = hub_point(*args, **kwargs)
        point["now"] = dates.now().timestamp()
        return point

    identity = {"replica": replica_of(machine), "name": machine}
    with (
        mock.patch.dict(os.environ),
        mock.patch.object(socket, "gethostname", return_value=machine),
        mock.patch.object(sync_schema, "new_replica", return_value=identity),
        mock.patch.object(sync_store, "hub_point", at_our_clock),
    ):
        os.environ.pop("COURSETRACK_DB", None)  # the machine's own default store
        yield


def _make_hubs(server, found: list[Step]) -> None:
    """Each hub database the machines name, owned by its role (`createdb` as that role)."""
    with server.connect("postgres") as con:
        for name, user in sorted(hubs(found).items()):
            con.execute(f'CREATE ROLE "{user}" LOGIN')
            con.execute(f'CREATE DATABASE "{name}" OWNER "{user}"')


def _clean(server, found: list[Step]) -> None:
    """No database or role of the README's story left on the server (before and after)."""
    names = sorted(databases(found))
    for name in names:
        server.drop_database(name)
    with server.connect("postgres") as con:
        group = [f"{name}_{kind}" for name in names for kind in ("learners", "curators")]
        for role in [*sorted(roles(found)), *group]:
            con.execute(f'DROP ROLE IF EXISTS "{role}"')


def differences(text: str, server) -> str:
    """A readable diff of each step whose output differs from the README's; empty if none."""
    found = steps(text)
    report = []
    for step, actual in zip(found, run(found, server), strict=True):
        if step.kind == "console" and actual != step.output:
            diff = difflib.unified_diff(
                step.output,
                actual,
                f"README.md:{step.line + 1} (as written)",
                "as run",
                lineterm="",
            )
            report.append(f"$ {step.command}\n" + "\n".join(diff))
    return "\n\n".join(report)


def updated(text: str, server) -> str:
    """`text` with each group step's output replaced by what it prints now."""
    lines = text.split("\n")
    found = steps(text)
    pairs = zip(found, run(found, server), strict=True)
    for step, actual in sorted(pairs, key=lambda pair: -pair[0].line):
        if step.kind == "console" and not step.command.startswith("export "):
            lines[step.line + 1 : step.output_end] = actual
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    import postgres

    reason = postgres.missing()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    server = postgres.Server()
    server.start()
    try:
        text = README.read_text(encoding="utf-8")
        if argv == ["--update"]:
            README.write_text(updated(text, server), encoding="utf-8")
            print("README.md: the group section's outputs rewritten; read `git diff README.md`")
            return 0
        if argv:
            print("usage: python tests/readme_group.py [--update]", file=sys.stderr)
            return 2
        report = differences(text, server)
        print(report or "README.md: every group example matches")
        return 1 if report else 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main(sys.argv[1:]))
