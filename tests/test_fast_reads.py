"""Read-only commands on SQLite start fast: sqlite3 alone, no SQLAlchemy, SQLModel or pydantic.

Each command runs in a fresh interpreter, as a user runs it, and reports which of
the heavy packages it imported. Their output is the same as before (the other
test files check it word for word); here: the imports, the same answers through
SQLAlchemy, and that skipping Typer's pydantic coercion changes no message.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from coursetrack.cli import plain_values
from coursetrack.services import state

_PROBE = """
import sys
sys.argv = ["coursetrack", *{args!r}]
try:
    from coursetrack.cli import main
    main()
except SystemExit as exc:
    code = exc.code
heavy = sorted({{m.split(".")[0] for m in sys.modules
                if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "pydantic", "yaml")}})
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
print("CODE:" + str(code), file=sys.stderr)
"""

READS = [
    ["status"],
    ["status", "dls"],
    ["status", "dls/2"],
    ["status", "dls/2/1"],
    ["status", "--json"],
    ["next"],
    ["next", "dls", "--limit", "3"],
    ["next", "dls/2", "--json"],
    ["plan", "dls"],
    ["goal", "dls"],
    ["show", "dls"],
    ["show", "dls/2"],
    ["show", "dls/1/1", "--json"],
    ["chart", "dls"],  # the burn-up reads through the same Reader
    ["chart", "dls", "--weeks", "2"],
    ["chart", "dls", "--json"],
    ["chart", "dls/1"],  # a course: refused with a hint, on the same path
    ["status", "nosuch"],  # refusals too: the message comes from the same fast path
]


@pytest.fixture
def studied(dls):
    """The shipped catalog with some study: done units, a start, notes, a link, a review, a goal."""
    for args in (
        ["done", "dls/1", "dls/2/1", "--on", "2026-01-05"],
        ["start", "dls/2/2"],
        ["note", "dls/2/1", "batch norm is a reparametrization"],
        ["note", "dls/2", "redo the Adam assignment"],
        ["link", "dls/2/1", "https://arxiv.org/abs/1502.03167", "--title", "BN paper"],
        ["reviewed", "dls/2/1", "--grade", "good"],
        ["goal", "dls", "--by", "2999-01-01"],
    ):
        result = dls.run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    return dls


@pytest.mark.sqlite_only  # sqlite3's fast path; PostgreSQL goes through SQLAlchemy
@pytest.mark.parametrize("args", READS, ids=" ".join)
@pytest.mark.sqlite_only
def test_read_commands_import_no_database_layer_on_sqlite(studied, args) -> None:
    argv = ["--db", str(studied.path), *args]
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=argv)], capture_output=True, text=True
    )
    report = probe.stderr.rsplit("HEAVY:", 1)[1]
    heavy = report.split("\n", 1)[0]
    assert heavy == "", f"{args} imported {heavy}"
    code = report.rsplit("CODE:", 1)[1].strip()
    refused = args[-1] in ("nosuch", "dls/1")
    assert code == ("1" if refused else "0"), probe.stderr
    if not refused:
        assert probe.stdout.strip()


_MODULES_PROBE = """
import sys
sys.argv = ["coursetrack", *{args!r}]
try:
    from coursetrack.cli import main
    main()
except SystemExit as exc:
    code = exc.code
print("MODULES:" + ",".join(sorted(sys.modules)), file=sys.stderr)
print("CODE:" + str(code), file=sys.stderr)
"""

#: What a command leaves out because it does not use it (issue 20): a service module
#: defines its dataclasses as it is imported (~0.5 ms each), json, tempfile, hashlib
#: (OpenSSL), html (its entity table) and PyYAML cost milliseconds each at start-up.
NOT_IMPORTED = [
    (["status"], ["coursetrack.services.review", "json", "tempfile", "hashlib", "html"]),
    (["status", "dls"], ["coursetrack.services.planning", "json", "tempfile"]),
    (["show", "dls/2/1"], ["coursetrack.services.planning"]),
    (["chart", "dls"], ["coursetrack.services.review"]),
    (
        ["export", "markdown", "dls"],
        [
            "yaml",  # front matter of plain words is written without it (blog.front_matter)
            "coursetrack.services.planning",
            "coursetrack.services.review",
            "hashlib",  # only to cache a long note (markdown_notes)
            "tempfile",
            "html",  # only to check --image (validate.image_problem)
        ],
    ),
    (["done", "dls/2/2"], ["json", "tempfile", "hashlib", "html", "yaml"]),
    (["note", "dls/3", "a note"], ["json", "tempfile", "html"]),
    (["undo", "--yes"], ["coursetrack.store.group"]),  # a study group is PostgreSQL's
]


@pytest.mark.sqlite_only  # what a process imports; SQLite's path is the one benched
@pytest.mark.parametrize(("args", "unused"), NOT_IMPORTED, ids=lambda v: " ".join(v))
def test_a_command_imports_nothing_it_does_not_use(studied, args, unused) -> None:
    argv = ["--db", str(studied.path), *args]
    probe = subprocess.run(
        [sys.executable, "-c", _MODULES_PROBE.format(args=argv)], capture_output=True, text=True
    )
    report = probe.stderr.rsplit("MODULES:", 1)[1]
    modules = set(report.split("\n", 1)[0].split(","))
    assert report.rsplit("CODE:", 1)[1].strip() == "0", probe.stderr
    assert "coursetrack.cli" in modules  # the probe saw the run
    assert sorted(set(unused) & modules) == [], f"{args} imported them"


@pytest.mark.sqlite_only
def test_a_refused_page_reads_only_its_target(studied, tmp_path) -> None:
    """`export html` to a taken file is refused once the specialization is known: before
    the page is read, so none of the services that read it is imported."""
    taken = tmp_path / "taken.html"
    taken.write_text("mine\n")
    argv = ["--db", str(studied.path), "export", "html", "dls", "-o", str(taken)]
    probe = subprocess.run(
        [sys.executable, "-c", _MODULES_PROBE.format(args=argv)], capture_output=True, text=True
    )
    report = probe.stderr.rsplit("MODULES:", 1)[1]
    modules = set(report.split("\n", 1)[0].split(","))
    assert "already exists; add --force" in probe.stderr
    assert report.rsplit("CODE:", 1)[1].strip() == "1"
    assert "coursetrack.services.page" in modules
    unused = ["coursetrack.services.chart", "coursetrack.services.export", "matplotlib"]
    assert sorted(set(unused) & modules) == []
    assert taken.read_text() == "mine\n"


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_the_same_answers_through_sqlalchemy(studied, args, monkeypatch) -> None:
    """The slow path (any store sqlite3 alone cannot take: a URL, PostgreSQL) reads alike."""
    fast = studied.run(*args)
    from coursetrack.store import reader

    monkeypatch.setattr(reader, "_fast_connection", lambda path: None)
    slow = studied.run(*args)
    assert (slow.exit_code, slow.stdout, slow.stderr) == (fast.exit_code, fast.stdout, fast.stderr)


LIMITS = ["0", "-1", "abc", "007", "+3", " 3", "3.0", "1" * 30, "2", "1000001"]


@pytest.mark.parametrize(
    "args",
    [
        *(["next", "--limit", limit] for limit in LIMITS),
        ["done"],  # a missing REFS...
        ["done", "dls/1", "dls/2/1", "--on", "2026-01-05"],
        ["start", "dls/3/1", "--json"],
        ["reopen", "dls/1", "dls/1"],
        ["note", "dls/2", "a note"],
        ["status", "--json", "dls"],
        ["show"],
    ],
    ids=" ".join,
)
def test_light_coercion_leaves_every_message_to_typer(tmp_path, args, monkeypatch) -> None:
    """What the light coercion does not take goes through Typer's, word for word; what
    it takes gives the same result as Typer's would."""
    from typer.testing import CliRunner

    from coursetrack.cli import app

    def run(name: str) -> tuple:
        db = str(tmp_path / f"{name}.db")
        runner = CliRunner()
        assert (
            runner.invoke(app, ["--db", db, "import", "deep-learning-specialization"]).exit_code
            == 0
        )
        result = runner.invoke(app, ["--db", db, *args])
        return result.exit_code, result.stdout.replace(name, "X"), result.stderr.replace(name, "X")

    light = run("light")
    monkeypatch.setattr(plain_values, "_lighten", lambda param: None)
    assert run("typer") == light


def test_the_status_names_are_the_models(dls) -> None:
    """services.state spells the statuses as plain strings so reads need no SQLModel."""
    from coursetrack.models import Status

    assert (state.TODO, state.IN_PROGRESS, state.DONE) == (
        Status.TODO,
        Status.IN_PROGRESS,
        Status.DONE,
    )
    assert set(Status) == {state.TODO, state.IN_PROGRESS, state.DONE}
