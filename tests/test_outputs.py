"""`export -o PATH`: a folder gets the conventional name, a file is the file (issue 11).

PATH is a folder when it ends in `/`, names an existing folder, or has no suffix;
the folder is created with its parents. Anything else is the file itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from export_fixtures import cli, finished_dls, ok, split_post
from hostile import Here


@pytest.fixture
def finished(db: str) -> str:
    """Every course done, on each engine (`db`: a file under tmp_path, or a database)."""
    return finished_dls(db)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("given", ["s/content/posts/", "s/content/posts"])
def test_hugo_post_into_a_new_folder(finished: Path, tmp_path: Path, given: str) -> None:
    """`hugo new site s` makes s/content but not s/content/posts."""
    (tmp_path / "s" / "content").mkdir(parents=True)
    result = ok(finished, "export", "markdown", "dls", "-o", str(tmp_path / given))
    written = tmp_path / "s" / "content" / "posts" / "dls.md"
    assert result.stdout == f"wrote {written}\n"
    assert files_under(tmp_path / "s") == ["content/posts/dls.md"]
    assert split_post(written.read_text(encoding="utf-8"))[0]["title"]


def test_jekyll_post_into_a_new_folder(finished: Path, tmp_path: Path) -> None:
    result = ok(
        finished, "export", "markdown", "dls", "--format", "jekyll", "-o", f"{tmp_path}/blog/"
    )
    written = tmp_path / "blog" / "_posts" / "2024-05-01-dls.md"
    assert result.stdout == f"wrote {written}\n"
    assert files_under(tmp_path / "blog") == ["_posts/2024-05-01-dls.md"]
    # a folder already named _posts gets no second _posts inside it
    ok(finished, "export", "markdown", "dls", "--format", "jekyll", "-o", tmp_path / "b/_posts")
    assert files_under(tmp_path / "b") == ["_posts/2024-05-01-dls.md"]


@pytest.mark.parametrize("name", ["post.md", "post.markdown", "notes.txt"])
def test_a_name_with_a_suffix_is_the_file(finished: Path, tmp_path: Path, name: str) -> None:
    """Its missing folders are created too, as for a folder."""
    target = tmp_path / "new" / "deeper" / name
    result = ok(finished, "export", "markdown", "dls", "--format", "jekyll", "-o", target)
    assert result.stdout == f"wrote {target}\n"
    assert files_under(tmp_path / "new") == [f"deeper/{name}"]


def test_an_existing_file_without_a_suffix_is_the_file(finished: Path, tmp_path: Path) -> None:
    target = tmp_path / "POST"
    target.write_text("mine", encoding="utf-8")
    result = cli(finished, "export", "markdown", "dls", "-o", target)
    assert result.exit_code == 1
    assert f"{target} already exists; add --force" in result.output
    assert target.read_text(encoding="utf-8") == "mine"
    ok(finished, "export", "markdown", "dls", "-o", target, "--force")
    assert target.read_text(encoding="utf-8").startswith("---\n")


def test_a_file_in_the_way_of_the_folder_is_a_clear_error(finished: Path, tmp_path: Path) -> None:
    (tmp_path / "content").write_text("a file", encoding="utf-8")
    result = cli(finished, "export", "markdown", "dls", "-o", tmp_path / "content/posts/")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: cannot write {tmp_path}/content/posts/dls.md: {tmp_path}/content is not a folder\n"
    )
    assert (tmp_path / "content").read_text(encoding="utf-8") == "a file"


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_backups_follow_the_same_rule(finished: Path, tmp_path: Path, kind: str) -> None:
    result = ok(finished, "export", kind, "-o", f"{tmp_path}/backups/")
    everything = tmp_path / "backups" / f"coursetrack-backup.{kind}"
    assert result.stdout == f"wrote {everything}\n"
    result = ok(finished, "export", kind, "dl", "-o", tmp_path / "backups")  # a slug prefix
    one = tmp_path / "backups" / f"dls-backup.{kind}"
    assert result.stdout == f"wrote {one}\n"
    result = ok(finished, "export", kind, "-o", tmp_path / "mine" / f"all.{kind}")
    assert result.stdout == f"wrote {tmp_path / 'mine' / f'all.{kind}'}\n"
    text = one.read_text(encoding="utf-8")
    if kind == "json":
        assert [s["slug"] for s in json.loads(text)["specializations"]] == ["dls"]
    assert "coursetrack-backup" in everything.read_text(encoding="utf-8")


def test_a_dash_is_standard_output(finished: Path, tmp_path: Path, monkeypatch) -> None:
    """`-o -` is standard output, as in most tools, not a folder named `-`."""
    monkeypatch.chdir(tmp_path)
    post = ok(finished, "export", "markdown", "dls", "-o", "-").stdout
    assert post == ok(finished, "export", "markdown", "dls").stdout
    backup = ok(finished, "export", "json", "-o", "-").stdout
    assert json.loads(backup)["format"] == "coursetrack-backup"
    assert not (tmp_path / "-").exists()


# -o and --intro paths that cannot be written or read (tests/hostile.py)


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
