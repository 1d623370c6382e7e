"""atomic: a file is written whole or not at all, and never through a link someone else
planted (another user's link in a sticky folder such as /tmp) or a dangling one.

The cases run a real export in a store of the working directory (tests/hostile.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile import Here, full_disk_run, plant


def test_a_symlinked_output_replaces_its_target(here: Here) -> None:
    Path("real.yaml").write_text("old\n")
    Path("link.yaml").symlink_to("real.yaml")
    assert here.run("export", "yaml", "-o", "link.yaml", "--force").exit_code == 0
    assert Path("link.yaml").is_symlink()
    assert Path("real.yaml").read_text().startswith("# A coursetrack backup")


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
    plant(sticky / "out", "../victim.txt")
    plant(sticky / "dangling", "../created-by-the-attacker")
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


def test_a_full_disk_leaves_the_old_export(here: Here) -> None:
    topics = "\n".join(f"      - Topic {n}" for n in range(1500))
    Path("more.yaml").write_text(f"title: More\ncourses:\n  - title: One\n    topics:\n{topics}\n")
    assert here.run("import", "more.yaml").exit_code == 0
    Path("backup.yaml").write_text("the old backup\n")
    # Room for the store's shared-memory index (32 KiB), not for a 100 KiB export.
    result = full_disk_run(here, 48 * 1024, "export", "yaml", "-o", "backup.yaml", "--force")
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write backup.yaml: File too large\n"
    assert Path("backup.yaml").read_text() == "the old backup\n"
    assert sorted(p.name for p in here.root.iterdir() if "backup" in p.name) == ["backup.yaml"]
