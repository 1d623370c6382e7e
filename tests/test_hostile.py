"""Hostile input: one line on stderr saying what and where, exit 1, no traceback,
nothing leaked, the store unchanged.

Catalog YAML (tests/test_catalog.py) and refs (tests/test_refs.py) have their own
tables; here are the rest, and the hostile files those tables do not hold.
Every command runs in tmp_path with relative paths, so any absolute path or the
secret planted in the environment showing up in the output is a leak.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app

SECRET = "tok-6f1e-do-not-print"
DB = "store.db"


class Here:
    """A store with a record in it, in the current directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / DB

    def run(self, *args: str, env: dict | None = None):
        result = CliRunner().invoke(app, ["--db", DB, *args], env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def dump(self) -> list[str]:
        con = sqlite3.connect(self.path)
        try:
            return list(con.iterdump())
        finally:
            con.close()

    def refused(self, *args: str, where: str = "", code: int = 1, db: str | None = None):
        """Run a command that must be refused; check everything the issue asks for."""
        before = self.dump()
        runner = CliRunner()
        argv = ["--db", db or DB, *args]
        result = runner.invoke(app, argv)
        assert not (result.exception and not isinstance(result.exception, SystemExit)), (
            result.exception
        )
        assert result.exit_code == code, (result.exit_code, result.stderr)
        out = result.stdout + result.stderr
        assert "Traceback" not in out
        if code == 1:
            assert result.stderr.count("\n") == 1, result.stderr
            assert result.stderr.startswith("Error: ")
        assert where in result.stderr, result.stderr
        assert SECRET not in out
        assert str(self.root) not in out, "no absolute local path beyond what was named"
        assert self.dump() == before, "the store is unchanged, history included"
        return result.stderr


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / DB
    for args in (
        ["import", "deep-learning-specialization"],
        ["done", "dls/1/1", "--on", "2026-01-02", "--note", "first"],
    ):
        assert CliRunner().invoke(app, ["--db", str(path), *args]).exit_code == 0
    return path


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: Path) -> Here:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSETRACK_API_TOKEN", SECRET)
    h = Here(tmp_path)
    shutil.copyfile(template, h.path)
    Path("afile").write_text("a regular file\n")
    Path("adir").mkdir()
    return h


# --- YAML files the catalog tables do not hold ----------------------------------------

BILLION_LAUGHS = "\n".join(
    ['lol0: &lol0 "lol"']
    + [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 10)]
    + ["title: *lol9"]
)


def _write(name: str, data: bytes | str) -> str:
    Path(name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return name


FILES = {
    "billion-laughs": (lambda: _write("lol.yaml", BILLION_LAUGHS), "lol.yaml:2:"),
    "billion-laughs-backup": (
        lambda: _write("lolb.yaml", "format: coursetrack-backup\n" + BILLION_LAUGHS),
        "lolb.yaml:3:",
    ),
    "nul-bytes": (lambda: _write("nul.yaml", b"title: T\x00\x00\n"), "nul.yaml:1:9: control"),
    "escape-sequence": (
        lambda: _write("esc.yaml", b"title: T\ndescription: \x1b]0;owned\x07\n"),
        "esc.yaml:2:14: control character U+001B",
    ),
    "random-binary": (
        lambda: _write("bin.yaml", bytes(range(256)) * 64),
        "bin.yaml:2:118: not UTF-8 text (byte 0x80)",
    ),
    "elf-header": (
        lambda: _write("elf.yaml", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
        "elf.yaml:1:1: control character U+007F",
    ),
    "python-object-new": (
        lambda: _write(
            "pyobj.yaml", "title: T\ncourses:\n  - !!python/object/new:os.system [echo hi]\n"
        ),
        "pyobj.yaml:3:5: tag 'tag:yaml.org,2002:python/object/new:os.system'",
    ),
    "merge-key": (
        lambda: _write("merge.yaml", "title: T\n<<: {slug: x}\n"),
        "merge.yaml:2:1: unknown key '<<'",
    ),
    "number-as-key": (
        lambda: _write("num.yaml", "title: T\n1: x\n"),
        "num.yaml:2:1: unknown key '1'",
    ),
    "list-where-text": (
        lambda: _write("list.yaml", "title: [a, b]\n"),
        "list.yaml:1:8: title must be text, not a list",
    ),
    "over-64-mib": (
        lambda: os.truncate(_write("huge.yaml", "title: T\n"), 65 * 2**20) or "huge.yaml",
        "huge.yaml is over 64 MiB",
    ),
    "endless-device": (lambda: "/dev/zero", "/dev/zero is over 64 MiB"),
    "directory": (lambda: "adir", "adir is a directory"),
}


@pytest.mark.parametrize("kind", FILES)
def test_hostile_catalog_files(here: Here, kind: str) -> None:
    make, where = FILES[kind]
    here.refused("import", make(), where=where)


def test_a_few_megabytes_of_catalog_import(here: Here) -> None:
    """Big is not hostile: a 4 MB catalog imports, and only adds."""
    before = here.dump()
    topics = "\n".join(
        f"      - title: Topic {n}\n        description: {'x' * 2000}" for n in range(2000)
    )
    Path("big.yaml").write_text(f"title: Big\ncourses:\n  - title: One\n    topics:\n{topics}\n")
    assert Path("big.yaml").stat().st_size > 4_000_000
    result = here.run("import", "big.yaml")
    assert result.exit_code == 0, result.stderr
    assert set(before) <= set(here.dump())


def test_deeply_nested_json_backup(here: Here) -> None:
    n = 100_000
    _write("deep.json", '{"format": "coursetrack-backup", "x": ' + "[" * n + "]" * n + "}")
    here.refused("import", "deep.json", where="deep.json")


def test_nul_bytes_in_a_backup(here: Here) -> None:
    _write("nulb.yaml", b"format: coursetrack-backup\nx: \x00\n")
    here.refused("import", "nulb.yaml", where="nulb.yaml:2:4:")


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "date",
    [
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "10000-01-01",
        "0000-01-01",
        "-001-01-01",
        "9" * 400,
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["done", "dls/1/2", "--on"],
        ["start", "dls/1/2", "--on"],
        ["log", "--since"],
        ["goal", "dls", "--by"],
        ["export", "markdown", "dls", "--date"],
    ],
    ids=["done", "start", "log", "goal", "export"],
)
def test_impossible_and_out_of_range_dates(here: Here, command: list[str], date: str) -> None:
    message = here.refused(*command, date, where="is not a date")
    assert f"{command[-1]} '{date[:40]}" in message


# --- paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (
            ["export", "yaml", "-o", "afile/out.yaml"],
            "cannot write afile/out.yaml: afile is not a folder",
        ),
        (["export", "markdown", "dls", "-o", "afile/post.md"], "afile/post.md"),
        (["export", "json", "-o", "afile/x/out.json"], "afile/x/out.json: afile is not a folder"),
        (["export", "yaml", "-o", "/proc/coursetrack.yaml"], "cannot write /proc/coursetrack.yaml"),
        (["export", "json", "-o", "afile/"], "afile/coursetrack-backup.json: afile is not a"),
        (["export", "yaml", "-o", "afile/", "--force"], "coursetrack-backup.yaml: afile is not"),
        (["export", "markdown", "dls", "--intro", "adir"], "--intro adir is a directory"),
        (
            ["export", "markdown", "dls", "--intro", "missing.md"],
            "--intro missing.md: no such file",
        ),
    ],
    ids=[
        "under-a-file",
        "post-under-a-file",
        "under-a-file-deeper",
        "proc",
        "a-file-named-as-a-folder",
        "a-file-named-as-a-folder-force",
        "intro-directory",
        "intro-missing",
    ],
)
def test_unwritable_outputs(here: Here, args: list[str], where: str) -> None:
    here.refused(*args, where=where)
    assert Path("afile").read_text() == "a regular file\n" and not any(Path("adir").iterdir())


def test_a_pipe_or_device_as_output_is_not_replaced(here: Here) -> None:
    os.mkfifo("fifo")
    here.refused("export", "yaml", "-o", "fifo", "--force", where="fifo is not a regular file")
    assert Path("fifo").is_fifo()


def test_a_symlinked_output_replaces_its_target(here: Here) -> None:
    Path("real.yaml").write_text("old\n")
    Path("link.yaml").symlink_to("real.yaml")
    assert here.run("export", "yaml", "-o", "link.yaml", "--force").exit_code == 0
    assert Path("link.yaml").is_symlink()
    assert Path("real.yaml").read_text().startswith("# A coursetrack backup")


@pytest.fixture
def sticky(here: Here) -> Path:
    """A folder like /tmp: world-writable and sticky, with another user's links in it."""
    folder = Path("shared")
    folder.mkdir()
    folder.chmod(0o1777)
    return folder


def _plant(link: Path, target: str, uid: int = 54321) -> None:
    link.symlink_to(target)
    os.lchown(link, uid, uid)  # we are root: the link now belongs to someone else


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
@pytest.mark.parametrize(
    "command",
    [["export", "yaml", "-o"], ["export", "markdown", "dls", "-o"]],
    ids=["backup", "post"],
)
def test_another_users_link_in_a_sticky_folder_is_not_followed(
    here: Here, sticky: Path, command: list[str], force: list[str]
) -> None:
    victim = Path("victim.txt")
    victim.write_text("mine\n")
    _plant(sticky / "out", "../victim.txt")
    _plant(sticky / "dangling", "../created-by-the-attacker")
    for name in ("out", "dangling"):
        here.refused(
            *command,
            f"shared/{name}",
            *force,
            where=f"shared/{name} is, or goes through, a symbolic link that another user owns",
        )
    assert victim.read_text() == "mine\n"
    assert not Path("created-by-the-attacker").exists()


def test_a_link_owned_by_the_user_in_a_sticky_folder_is_followed(here: Here, sticky: Path) -> None:
    Path("real.yaml").write_text("old\n")
    (sticky / "mine.yaml").symlink_to("../real.yaml")
    assert here.run("export", "yaml", "-o", "shared/mine.yaml", "--force").exit_code == 0
    assert Path("real.yaml").read_text().startswith("# A coursetrack backup")


@pytest.mark.parametrize("through", ["direct", "chain", "folder", "dangling-folder"])
def test_no_file_is_created_through_a_dangling_link(here: Here, through: str) -> None:
    """Even the user's own link, outside any sticky folder: the target is a surprise."""
    Path("elsewhere").mkdir()
    if through == "direct":
        Path("post.md").symlink_to("elsewhere/new.md")
    elif through == "chain":
        Path("hop").symlink_to("elsewhere/new.md")
        Path("post.md").symlink_to("hop")
    elif through == "folder":
        Path("out").symlink_to("elsewhere")
        Path("elsewhere/post.md").symlink_to("new.md")
    else:
        Path("out").symlink_to("elsewhere/new.md")  # a folder that is not there
    name = "post.md" if through in ("direct", "chain") else "out/post.md"
    for force in ([], ["--force"]):
        here.refused("export", "markdown", "dls", "-o", name, *force, where="which does not exist")
    assert not Path("elsewhere/new.md").exists()


def test_a_store_is_not_created_through_a_planted_or_dangling_link(
    here: Here, sticky: Path
) -> None:
    _plant(sticky / "store.db", "../planted.db")
    here.refused(
        "add",
        "specialization",
        "X",
        db="shared/store.db",
        where="a symbolic link that another user owns",
    )
    Path("mine.db").symlink_to("nowhere/new.db")
    Path("dir").symlink_to("nowhere")
    here.refused("add", "specialization", "X", db="dir/s.db", where="which does not exist")
    here.refused("add", "specialization", "X", db="mine.db", where="which does not exist")
    here.refused("add", "specialization", "X", db="sqlite:///mine.db", where="which does not exist")
    assert not Path("planted.db").exists() and not Path("nowhere").exists()


@pytest.mark.parametrize(
    ("db", "where"),
    [
        ("afile/store.db", "cannot create the store's directory afile"),
        ("/proc/coursetrack.db", "cannot open the store /proc/coursetrack.db"),
        ("adir", "adir is a directory, not a store file"),
    ],
    ids=["under-a-file", "proc", "directory"],
)
def test_unusable_store_paths(here: Here, db: str, where: str) -> None:
    here.refused("done", "dls/1/2", db=db, where=where)


# --- the store: read-only, full disk -------------------------------------------------


def test_a_read_only_store_reads_but_refuses_writes(here: Here) -> None:
    url = f"sqlite:///file:{DB}?mode=ro&uri=true"
    message = here.refused("done", "dls/1/2", db=url, where="read-only; nothing was changed")
    assert message.startswith(f"Error: the store {url} is read-only")
    result = CliRunner().invoke(app, ["--db", url, "status", "dls", "--json"])
    assert result.exit_code == 0 and '"units_done": 1' in result.stdout


def _small_files(limit: int):
    def apply() -> None:  # in the child: writes past `limit` bytes fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _full(here: Here, limit: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursetrack", "--db", DB, *args],
        preexec_fn=_small_files(limit),
        capture_output=True,
        text=True,
        cwd=here.root,
        env={**os.environ, "COLUMNS": "80"},
        timeout=120,
    )


def test_a_full_disk_changes_nothing(here: Here) -> None:
    topics = "\n".join(f"      - Topic {n}" for n in range(1500))
    Path("more.yaml").write_text(f"title: More\ncourses:\n  - title: One\n    topics:\n{topics}\n")
    before = here.dump()
    result = _full(here, 64 * 1024, "import", "more.yaml")
    assert result.returncode == 1
    assert (
        result.stderr
        == "Error: cannot write the store store.db (disk I/O error); nothing was changed\n"
    )
    assert SECRET not in result.stderr + result.stdout
    assert here.dump() == before
    assert here.run("import", "more.yaml").exit_code == 0, "with room again, it works"


def test_a_full_disk_leaves_the_old_export(here: Here) -> None:
    topics = "\n".join(f"      - Topic {n}" for n in range(1500))
    Path("more.yaml").write_text(f"title: More\ncourses:\n  - title: One\n    topics:\n{topics}\n")
    assert here.run("import", "more.yaml").exit_code == 0
    Path("backup.yaml").write_text("the old backup\n")
    # Room for the store's shared-memory index (32 KiB), not for a 100 KiB export.
    result = _full(here, 48 * 1024, "export", "yaml", "-o", "backup.yaml", "--force")
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write backup.yaml: File too large\n"
    assert Path("backup.yaml").read_text() == "the old backup\n"
    assert sorted(p.name for p in here.root.iterdir() if "backup" in p.name) == ["backup.yaml"]


# --- text that must not reach the terminal raw ----------------------------------------

RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
EVIL = "Evil \x1b]0;owned\x07 \x1b[2J\rline\nnext \x9b31m \x01end"  # NUL is refused


def test_argument_bytes_that_are_not_utf8(here: Here) -> None:
    bad = os.fsdecode(b"Caf\xe9")  # what Python makes of a Latin-1 argument
    here.refused("add", "specialization", bad, where="an argument is not UTF-8 text (byte 0xe9)")
    here.refused("done", bad, where="(byte 0xe9)")


TERMINAL_COMMANDS = [
    pytest.param(["status"], id="status"),
    pytest.param(["status", "evil"], id="status-spec"),
    pytest.param(["log"], id="log"),
    pytest.param(["show", "evil/c"], id="show"),
    pytest.param(["status", "--json"], id="status-json"),
    pytest.param(["log", "--json"], id="log-json"),
    pytest.param(["export", "markdown", "evil"], id="export-markdown"),
]


@pytest.fixture
def evil(here: Here) -> Here:
    added = here.run("add", "specialization", EVIL, "--slug", "evil", "--description", EVIL)
    assert added.exit_code == 0
    assert here.run("add", "course", "evil", EVIL, "--slug", "c").exit_code == 0
    assert here.run("done", "evil/c", "--note", EVIL).exit_code == 0
    return here


@pytest.mark.parametrize("args", TERMINAL_COMMANDS)
def test_control_characters_never_reach_the_terminal(evil: Here, args: list[str]) -> None:
    """Printed to a pipe, as a pager or a terminal would receive it."""
    result = CliRunner().invoke(
        app, ["--db", DB, *args], env={"COURSETRACK_NOW": "2026-03-01T09:00:00+00:00"}
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout + result.stderr
    assert not RAW.search(text.replace("\n", "")), RAW.findall(text)
    assert re.search(r"\\x1b|\\u001b|\\e", text), "shown, escaped"


def test_control_characters_in_an_error_are_escaped(evil: Here) -> None:
    refused = evil.refused("done", EVIL, where="no specialization")
    assert not RAW.search(refused.rstrip("\n"))


def test_a_refused_store_is_not_copied_or_touched(here: Here) -> None:
    shutil.copy(DB, "copy.db")
    con = sqlite3.connect("copy.db")
    con.execute("PRAGMA application_id = 42")
    con.commit()
    con.close()
    before = Path("copy.db").read_bytes()
    here.refused(
        "status", db="copy.db", where="copy.db is a SQLite database but not a coursetrack store"
    )
    assert Path("copy.db").read_bytes() == before
