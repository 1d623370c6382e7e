"""Reads on SQLite start fast: sqlite3 alone, no SQLAlchemy, SQLModel or pydantic
(`store.reader`'s fast connection, `cli.plain_values`' light coercion).

Each command runs in a fresh interpreter, as a user runs it, on a real store file,
and the probe lists which heavy packages it imported: none of SQLAlchemy, SQLModel,
pydantic or PyYAML (most of a read's start-up time), nor matplotlib but to draw a
chart (half a second). Their output is the same as before (the other test files
check it word for word); here: the imports, the same answers and bytes through
SQLAlchemy (a `sqlite:///` URL goes that way over the same SQL), and that skipping
Typer's pydantic coercion for plain values (choices and repeated options included)
changes no message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coursetrack.cli import plain_values
from coursetrack.services import figures as state

NOW = "2026-03-10T09:00:00+00:00"
ORM = ("sqlmodel", "sqlalchemy", "pydantic")  # most of a read's start-up time

_PROBE = """
import sys
sys.argv = ["coursetrack", *{args!r}]
try:
    from coursetrack.cli import main
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted({{m.split(".")[0] for m in sys.modules
                if m.split(".")[0] in {watch!r}}})
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


def probe(
    db: str, *args: str, watch: tuple[str, ...] = (*ORM, "matplotlib"), now: str | None = NOW
):
    """Run one command in a fresh interpreter: (exit code, stdout, stderr, which of the
    packages in `watch` it imported, comma-separated). `now=None` keeps the real clock."""
    env = {**os.environ, "COLUMNS": "80"}
    if now is not None:
        env["COURSETRACK_NOW"] = now
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=["--db", db, *args], watch=watch)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    stderr, _, heavy = result.stderr.rpartition("HEAVY:")
    return result.returncode, result.stdout, stderr, heavy.strip()


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


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize("args", READS, ids=" ".join)
@pytest.mark.sqlite_only  # sqlite3's fast path; PostgreSQL goes through SQLAlchemy
def test_read_commands_import_no_database_layer_on_sqlite(studied, args) -> None:
    code, out, err, heavy = probe(str(studied.path), *args, watch=(*ORM, "yaml"), now=None)
    assert heavy == "", f"{args} imported {heavy}"
    refused = args[-1] in ("nosuch", "dls/1")
    assert code == (1 if refused else 0), err
    if not refused:
        assert out.strip()


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
    """services.figures spells the statuses as plain strings so reads need no SQLModel."""
    from coursetrack.models import Status

    assert (state.TODO, state.IN_PROGRESS, state.DONE) == (
        Status.TODO,
        Status.IN_PROGRESS,
        Status.DONE,
    )
    assert set(Status) == {state.TODO, state.IN_PROGRESS, state.DONE}


# log, review, exports, note and link lists: the same fast path, their bytes compared


@pytest.fixture
def with_history(dls, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped catalog with some history: done, reviewed, noted, linked, renamed."""
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-01T09:00:00+00:00")
    for args in (
        ("done", "dls/1/1", "dls/1/2"),
        ("note", "dls/1", "why *this* matters"),
        ("link", "dls/1/2", "https://example.org/nb", "--title", "notebook"),
    ):
        assert dls.run(*args).exit_code == 0
    monkeypatch.setenv("COURSETRACK_NOW", "2026-03-05T09:00:00+00:00")
    for args in (
        ("reviewed", "dls/1/1", "--grade", "good"),
        ("start", "dls/2/1"),
        ("note", "dls/2/1", "second note"),
    ):
        assert dls.run(*args).exit_code == 0
    return dls.path


HISTORY_READS = [
    ["log"],
    ["log", "-n", "2"],
    ["log", "dls/1", "--json"],
    ["log", "--since", "2026-03-05"],
    ["review"],
    ["review", "dls/1", "--json"],
    ["review", "dls/2"],
    ["note", "list"],
    ["note", "list", "dls/2", "--json"],
    ["link", "list", "dls/1"],
    ["export", "markdown", "dls", "--date", "2026-03-10"],
    ["export", "markdown", "dls", "--format", "jekyll", "--dates", "--date", "2026-03-10"],
    ["export", "markdown", "dls", "--tag", "a b", "--tag", "c", "--format", "plain"],
]


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize("args", HISTORY_READS, ids=" ".join)
@pytest.mark.sqlite_only  # the fast path is sqlite3's; PostgreSQL runs the rest
def test_read_imports_no_database_layer_and_prints_the_same(with_history: Path, args) -> None:
    code, out, err, heavy = probe(str(with_history), *args)
    assert code == 0, err
    assert heavy == "", f"{args} imported {heavy}"
    slow_code, slow_out, slow_err, slow_heavy = probe(f"sqlite:///{with_history}", *args)
    assert slow_code == 0, slow_err
    assert "sqlalchemy" in slow_heavy  # the URL went the other way: the probe would see it
    assert out == slow_out
    assert err == slow_err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "nosuch"], "no specialization 'nosuch'"),
        (["review", "dls/9"], "dls has no course 9"),
    ],
)
@pytest.mark.sqlite_only  # the fast path is sqlite3's; PostgreSQL runs the rest
def test_a_bad_ref_is_one_line_on_the_fast_path(with_history: Path, args, message: str) -> None:
    code, out, err, heavy = probe(str(with_history), *args)
    assert code != 0
    assert out == ""
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert heavy == ""


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--format", "jekyll"],
        ["--format", "JEKYLL"],
        ["--format", "nope"],
        ["--format", "plain", "--tag", "x", "--tag", "y z"],
        ["--tag", ""],
        ["--intro", "missing.md"],
    ],
    ids=" ".join,
)
@pytest.mark.sqlite_only  # the fast path is sqlite3's; PostgreSQL runs the rest
def test_export_markdown_options_read_as_typer_reads_them(dls, args, monkeypatch) -> None:
    """The light coercion of a choice, a repeated option and a path changes nothing a user sees."""
    from coursetrack.cli import plain_values

    monkeypatch.setenv("COURSETRACK_NOW", NOW)
    light = dls.run("export", "markdown", "dls", *args)
    monkeypatch.setattr(plain_values, "_lighten", lambda param: None)
    typer_own = dls.run("export", "markdown", "dls", *args)
    assert (light.exit_code, light.stdout, light.stderr) == (
        typer_own.exit_code,
        typer_own.stdout,
        typer_own.stderr,
    )


@pytest.mark.slow  # two interpreters drawing with matplotlib
@pytest.mark.sqlite_only  # the fast path is sqlite3's; PostgreSQL runs the rest
def test_export_html_reads_through_sqlite3_and_prints_the_same(
    with_history: Path, tmp_path
) -> None:
    """The page reads like every other export: sqlite3 alone; matplotlib only to draw."""
    fast, slow = tmp_path / "fast.html", tmp_path / "slow.html"
    code, _, err, heavy = probe(str(with_history), "export", "html", "dls", "-o", str(fast))
    assert code == 0, err
    assert heavy == "matplotlib"
    slow_code, _, slow_err, slow_heavy = probe(
        f"sqlite:///{with_history}", "export", "html", "dls", "-o", str(slow)
    )
    assert slow_code == 0, slow_err
    assert "sqlalchemy" in slow_heavy
    assert fast.read_bytes() == slow.read_bytes()
    assert "second note" in fast.read_text()  # the public notes, read by the same SQL


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "html", "dls", "-o", "{taken}"], "already exists; add --force"),
        (["export", "html", "dls", "-o", "{folder}"], "already exists; add --force"),
        (["export", "html", "dls/1", "-o", "{fresh}"], "a page shows a whole specialization"),
        (["export", "html", "nosuch", "-o", "{taken}"], "no specialization 'nosuch'"),
        (
            ["export", "markdown", "dls", "--chart", "-o", "{bundle}"],
            "already exists; add --force",
        ),
        (["export", "markdown", "dls", "--chart"], "--chart writes <slug>-progress.svg"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
@pytest.mark.sqlite_only  # the fast path is sqlite3's; PostgreSQL runs the rest
def test_a_refused_picture_imports_no_matplotlib(
    with_history: Path, tmp_path, args, message: str
) -> None:
    """A page or a chart that cannot be written is refused before matplotlib is imported
    (half a second), and before anything is written."""
    taken = tmp_path / "taken.html"
    taken.write_text("mine\n")
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "dls.html").write_text("mine\n")
    bundle = tmp_path / "content" / "dls" / "index.md"
    bundle.parent.mkdir(parents=True)
    (bundle.parent / "dls-progress.svg").write_text("mine\n")
    before = sorted(p for p in tmp_path.rglob("*") if p.name != with_history.name)
    names = {"taken": taken, "folder": folder, "bundle": bundle, "fresh": tmp_path / "x.html"}
    code, out, err, heavy = probe(str(with_history), *(a.format(**names) for a in args))
    assert code == 1
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert heavy == ""
    assert sorted(p for p in tmp_path.rglob("*") if p.name != with_history.name) == before
    assert taken.read_text() == "mine\n"


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize(
    "args",
    [["export", "yaml"], ["export", "json"], ["export", "yaml", "dls"], ["export", "json", "dls"]],
    ids=" ".join,
)
@pytest.mark.sqlite_only  # the fast path is sqlite3's; PostgreSQL runs the rest
def test_a_backup_reads_through_sqlite3_and_prints_the_same(with_history: Path, args) -> None:
    """A backup is read like every other export: sqlite3 alone (pydantic, which the
    format's checks are written in, is all it loads beyond), the same bytes either way."""
    code, out, err, heavy = probe(str(with_history), *args)
    assert code == 0, err
    assert heavy in ("", "pydantic"), f"{args} imported {heavy}"
    slow_code, slow_out, slow_err, slow_heavy = probe(f"sqlite:///{with_history}", *args)
    assert slow_code == 0, slow_err
    assert "sqlalchemy" in slow_heavy
    assert out == slow_out
    assert err == slow_err
    assert "second note" in out


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

#: Rich's table of 3,600 emoji names (3 ms): our consoles read no emoji codes (render.console).
EMOJI_NAMES = "rich._emoji_codes"

#: What a command leaves out because it does not use it (issue 20): a service module
#: defines its dataclasses as it is imported (~0.5 ms each), json, tempfile, hashlib
#: (OpenSSL), html (its entity table) and PyYAML cost milliseconds each at start-up.
NOT_IMPORTED = [
    (
        ["status"],
        ["coursetrack.services.review", "json", "tempfile", "hashlib", "html", EMOJI_NAMES],
    ),
    (
        ["status", "dls"],
        # a report counts the topics due for review (services.schedule), not the queue
        ["coursetrack.services.activity", "coursetrack.services.review", "json", "tempfile"],
    ),
    (
        ["show", "dls/2/1"],
        [
            "coursetrack.services.activity",
            "coursetrack.services.pace",
            "coursetrack.services.review",
        ],
    ),
    (["log", "-n", "5"], [EMOJI_NAMES]),
    (["next"], [EMOJI_NAMES]),
    (["chart", "dls"], ["coursetrack.services.review"]),
    (
        ["export", "markdown", "dls"],
        [
            "yaml",  # front matter of plain words is written without it (front_matter.front_matter)
            "coursetrack.services.activity",
            "coursetrack.services.pace",
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
@pytest.mark.sampled  # the quick loop runs the first case
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
