"""`log`, `review`, `export markdown|yaml|json`, `note list` and `link list` read SQLite with sqlite3 alone.

Each command runs in a real subprocess on a real store file, and the probe
lists what it imported: none of SQLAlchemy, SQLModel or pydantic (most of a
read's start-up time), nor matplotlib but to draw a chart (half a second; Typer's own pydantic coercion is skipped for plain values
by `cli.plain_values`, whose choices and repeated options are checked here to
give what Typer gives). The same command through a `sqlite:///` URL goes the
SQLAlchemy way over the same SQL, and must print the same bytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOW = "2026-03-10T09:00:00+00:00"

pytestmark = pytest.mark.sqlite_only  # the fast path is sqlite3's; PostgreSQL runs the rest

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
                if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "pydantic", "matplotlib")}})
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
sys.exit(code)
"""


def probe(db: str, *args: str) -> tuple[int, str, str, str]:
    """Run one command in a fresh interpreter: (exit code, stdout, stderr, heavy modules)."""
    env = {**os.environ, "COURSETRACK_NOW": NOW, "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=["--db", db, *args])],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    stderr, _, heavy = result.stderr.rpartition("HEAVY:")
    return result.returncode, result.stdout, stderr, heavy.strip()


@pytest.fixture
def studied(dls, monkeypatch: pytest.MonkeyPatch) -> Path:
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


READS = [
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


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_read_imports_no_database_layer_and_prints_the_same(studied: Path, args) -> None:
    code, out, err, heavy = probe(str(studied), *args)
    assert code == 0, err
    assert heavy == "", f"{args} imported {heavy}"
    slow_code, slow_out, slow_err, slow_heavy = probe(f"sqlite:///{studied}", *args)
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
def test_a_bad_ref_is_one_line_on_the_fast_path(studied: Path, args, message: str) -> None:
    code, out, err, heavy = probe(str(studied), *args)
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


def test_export_html_reads_through_sqlite3_and_prints_the_same(studied: Path, tmp_path) -> None:
    """The page reads like every other export: sqlite3 alone; matplotlib only to draw."""
    fast, slow = tmp_path / "fast.html", tmp_path / "slow.html"
    code, _, err, heavy = probe(str(studied), "export", "html", "dls", "-o", str(fast))
    assert code == 0, err
    assert heavy == "matplotlib"
    slow_code, _, slow_err, slow_heavy = probe(
        f"sqlite:///{studied}", "export", "html", "dls", "-o", str(slow)
    )
    assert slow_code == 0, slow_err
    assert "sqlalchemy" in slow_heavy
    assert fast.read_bytes() == slow.read_bytes()
    assert "second note" in fast.read_text()  # the public notes, read by the same SQL


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
def test_a_refused_picture_imports_no_matplotlib(
    studied: Path, tmp_path, args, message: str
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
    before = sorted(p for p in tmp_path.rglob("*") if p.name != studied.name)
    names = {"taken": taken, "folder": folder, "bundle": bundle, "fresh": tmp_path / "x.html"}
    code, out, err, heavy = probe(str(studied), *(a.format(**names) for a in args))
    assert code == 1
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert heavy == ""
    assert sorted(p for p in tmp_path.rglob("*") if p.name != studied.name) == before
    assert taken.read_text() == "mine\n"


@pytest.mark.parametrize(
    "args",
    [["export", "yaml"], ["export", "json"], ["export", "yaml", "dls"], ["export", "json", "dls"]],
    ids=" ".join,
)
def test_a_backup_reads_through_sqlite3_and_prints_the_same(studied: Path, args) -> None:
    """A backup is read like every other export: sqlite3 alone (pydantic, which the
    format's checks are written in, is all it loads beyond), the same bytes either way."""
    code, out, err, heavy = probe(str(studied), *args)
    assert code == 0, err
    assert heavy in ("", "pydantic"), f"{args} imported {heavy}"
    slow_code, slow_out, slow_err, slow_heavy = probe(f"sqlite:///{studied}", *args)
    assert slow_code == 0, slow_err
    assert "sqlalchemy" in slow_heavy
    assert out == slow_out
    assert err == slow_err
    assert "second note" in out
