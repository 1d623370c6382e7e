"""Tab completion of refs, as bash, zsh and fish ask for it: a real process per Tab.

Each test runs the installed console script the way a shell's completion
function does (Typer's protocol: `_COURSETRACK_COMPLETE` and the words typed)
against a store under tmp_path, and reads the candidates it prints.
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coursetrack import __version__

SCRIPT = Path(sys.executable).with_name("coursetrack")
#: The console script when installed; else the same entry point under its name,
#: which is what Typer derives the completion variable from.
LAUNCH = (
    [str(SCRIPT)]
    if SCRIPT.exists()
    else [
        sys.executable,
        "-c",
        "import sys; sys.argv[0] = 'coursetrack'; from coursetrack.cli import main; main()",
    ]
)
COURSES = ["neural-networks", "improving", "structuring", "cnn", "sequence-models"]


def complete(
    shell: str, line: str, *, db: Path | str | None, cword: int | None = None
) -> subprocess.CompletedProcess:
    """What the shell's completion function gets back for `line` (the cursor at its end)."""
    env = {k: v for k, v in os.environ.items() if k != "COURSETRACK_DB"}
    env["_COURSETRACK_COMPLETE"] = f"complete_{shell}"
    if db is not None:
        env["COURSETRACK_DB"] = str(db)
    if shell == "bash":
        env["COMP_WORDS"] = line
        env["COMP_CWORD"] = str(cword if cword is not None else len(line.split(" ")) - 1)
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = subprocess.run(LAUNCH, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def bash(line: str, *, db: Path | str | None) -> list[str]:
    """The candidates, one a line (none: an empty reply)."""
    return [word for word in complete("bash", line, db=db).stdout.splitlines() if word]


def topic_slugs(store, course_position: int) -> list[str]:
    rows = store.rows(
        "SELECT t.slug FROM topic t JOIN course c ON c.id = t.course_id "
        "WHERE c.position = ? ORDER BY t.position",
        course_position,
    )
    return [slug for (slug,) in rows]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def two_specs(dls):
    """The shipped catalog plus a second specialization, so a bare Tab has a choice."""
    assert dls.run("add", "specialization", "Machine Learning Engineering").exit_code == 0
    return dls


# --- bash -------------------------------------------------------------------------


def test_bash_offers_the_specializations_on_a_bare_tab(two_specs) -> None:
    assert bash("coursetrack done ", db=two_specs.db) == [
        "dls",
        "machine-learning",  # the title's short slug
    ]


def test_bash_offers_the_courses_after_a_specialization(dls) -> None:
    assert bash("coursetrack done dls/", db=dls.db) == [f"dls/{c}" for c in COURSES]


def test_bash_narrows_by_the_prefix_typed(dls) -> None:
    assert bash("coursetrack done dls/s", db=dls.db) == ["dls/structuring", "dls/sequence-models"]


@pytest.mark.parametrize("course", ["2", "improving", "impr"])
def test_bash_offers_the_topics_of_a_course_by_position_slug_or_prefix(dls, course) -> None:
    expected = [f"dls/{course}/{slug}" for slug in topic_slugs(dls, 2)]
    assert expected, "the shipped second course has topics"
    assert bash(f"coursetrack done dls/{course}/", db=dls.db) == expected


def test_bash_completes_every_ref_argument(dls) -> None:
    assert bash("coursetrack status dls/", db=dls.db) == [f"dls/{c}" for c in COURSES]
    assert bash("coursetrack show d", db=dls.db) == ["dls"]
    assert bash("coursetrack plan d", db=dls.db) == ["dls"]
    assert bash("coursetrack export markdown d", db=dls.db) == ["dls"]
    # a second ref after a first one
    assert bash("coursetrack done dls/1 dls/c", db=dls.db) == ["dls/cnn"]


def test_plan_takes_a_specialization_so_offers_no_courses(dls) -> None:
    assert bash("coursetrack plan dls/", db=dls.db) == []


def test_the_db_option_on_the_line_being_completed_wins(dls, tmp_path: Path) -> None:
    line = f"coursetrack --db {dls.db} done dls/neural-networks/"
    got = complete("bash", line, db=tmp_path / "elsewhere.db", cword=4).stdout.split()
    assert got == [f"dls/neural-networks/{slug}" for slug in topic_slugs(dls, 1)]


@pytest.mark.sqlite_only
def test_the_default_store_is_read_when_nothing_names_one(dls, tmp_path: Path) -> None:
    default = tmp_path / "xdg-data" / "coursetrack" / "coursetrack.db"
    default.parent.mkdir(parents=True)
    default.write_bytes(dls.path.read_bytes())
    assert bash("coursetrack done dls/c", db=None) == ["dls/cnn"]


# --- zsh and fish -----------------------------------------------------------------


def test_zsh_gets_the_courses_with_their_titles(dls) -> None:
    out = complete("zsh", "coursetrack done dls/", db=dls.db).stdout
    assert out.startswith("_arguments '*: :((")
    assert '"dls/neural-networks":"Neural Networks and Deep Learning"' in out
    assert all(f'"dls/{c}":' in out for c in COURSES)


def test_fish_gets_the_topics_with_their_titles(dls) -> None:
    out = complete("fish", "coursetrack done dls/2/", db=dls.db).stdout.splitlines()
    assert [line.split("\t")[0] for line in out] == [
        f"dls/2/{slug}" for slug in topic_slugs(dls, 2)
    ]
    assert all("\t" in line and line.split("\t")[1] for line in out), "each has its title"


# --- what completion must never do -------------------------------------------------


def test_a_missing_store_gives_nothing_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "store.db"
    assert bash("coursetrack done d", db=path) == []
    assert complete("fish", "coursetrack done d", db=path).stdout.strip() == ""
    assert not path.parent.exists()


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 10, None])
def test_a_file_that_is_not_a_store_gives_nothing_and_stays_as_it_was(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "other.db"
    if content is None:  # another program's SQLite database
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE specialization (id INTEGER PRIMARY KEY, slug TEXT, title TEXT)")
        con.execute("INSERT INTO specialization VALUES (1, 'dls', 'Mine')")
        con.commit()
        con.close()
    else:
        path.write_bytes(content)
    before = sha(path)
    assert bash("coursetrack done d", db=path) == []
    assert sha(path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["other.db"]


@pytest.mark.sqlite_only
def test_completion_writes_nothing_next_to_the_store(dls) -> None:
    before = sha(dls.path)
    files = sorted(p.name for p in dls.path.parent.iterdir())
    assert bash("coursetrack done dls/", db=dls.db)
    assert sha(dls.path) == before
    assert sorted(p.name for p in dls.path.parent.iterdir()) == files, "no -wal, no -shm"


@pytest.mark.sqlite_only
def test_completion_reads_while_another_process_holds_the_write_lock(dls) -> None:
    writer = sqlite3.connect(dls.path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE course SET title = title")
        assert bash("coursetrack done dls/c", db=dls.db) == ["dls/cnn"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_version_during_completion_is_not_printed(dls) -> None:
    """An eager option on the line (--version) must not run while completing."""
    out = complete("bash", "coursetrack --version done dls/c", db=dls.db, cword=3).stdout
    assert f"coursetrack {__version__}" not in out


_PROBE = """
import os, sys
os.environ.update({env!r})
sys.argv = ["coursetrack"]
try:
    from coursetrack.cli import main
    main()
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules
               if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "yaml", "pydantic"))
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.sqlite_only
def test_completion_imports_neither_the_database_layer_nor_pydantic(dls) -> None:
    """SQLModel, SQLAlchemy and pydantic cost more than all the rest of a Tab."""
    env = {
        "_COURSETRACK_COMPLETE": "complete_bash",
        "COMP_WORDS": f"coursetrack --db {dls.db} done dls/2/",
        "COMP_CWORD": "4",
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(env=env)], capture_output=True, text=True
    )
    assert result.stdout.splitlines() == [f"dls/2/{slug}" for slug in topic_slugs(dls, 2)]
    heavy = result.stderr.rsplit("HEAVY:", 1)[1].strip()
    assert heavy == "", f"completion imported {heavy}"


def test_note_and_link_complete_refs_as_well_as_their_commands(dls) -> None:
    """`note REF TEXT` is still the short form, so Tab after `note ` offers refs too."""
    assert bash("coursetrack note d", db=dls.db) == ["dls"]
    assert set(bash("coursetrack note ", db=dls.db)) >= {"add", "list", "edit", "rm", "dls"}
    assert "dls/cnn" in bash("coursetrack link dls/c", db=dls.db)
    assert bash("coursetrack note dls/1/2 ", db=dls.db) == [], "TEXT is free text"
    assert "dls/improving" in bash("coursetrack note list dls/i", db=dls.db)
