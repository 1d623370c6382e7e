"""Where `-o PATH` writes: the file named, or the conventional name in a folder.

One rule for every export (a blog post, a backup, a page), so `-o` means the
same thing everywhere. PATH is a folder when it ends in `/`, names an existing
folder, or has no suffix (`content/posts`); the export then gets its
conventional name inside it (`dls.md`, `_posts/2024-05-01-dls.md`,
`dls-backup.yaml`). Anything else (`post.md`, `backup.yaml`, an existing file)
is the file itself. Missing folders are created with their parents, as a user
who names `content/posts/` in a fresh site expects.
"""

from __future__ import annotations

import os
from pathlib import Path

from coursetrack.atomic import follow
from coursetrack.errors import ExportError


def names_folder(given: str | os.PathLike[str]) -> bool:
    """Whether `-o GIVEN` means a folder (see the module docstring)."""
    text = os.fspath(given)
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or path.is_dir():
        return True
    if path.is_symlink() or path.exists():
        return False  # an existing file (or link) is the file, whatever its name
    return path.suffix == ""


def output_file(
    given: str | os.PathLike[str], name: str, *, subfolder: str | None = None
) -> Path | None:
    """The file `-o GIVEN` writes, with its folder created; None for `-o -`, which
    means standard output, as in most tools (not a folder named `-`).

    `name` is the conventional file name for a folder; `subfolder` is one the
    convention adds inside a folder not already so named (Jekyll's `_posts`).
    """
    if os.fspath(given) == "-":
        return None
    path = Path(os.fspath(given)).expanduser()
    if names_folder(given):
        if subfolder is not None and path.name != subfolder:
            path = path / subfolder
        target = path / name
    else:
        target = path
    follow(target)  # no folder is made through a dangling or planted link
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ExportError(f"cannot write {target}: {_blocker(folder)} is not a folder") from None
    except NotADirectoryError:
        raise ExportError(f"cannot write {target}: {_blocker(folder)} is not a folder") from None
    except OSError as exc:
        raise ExportError(f"cannot create the folder {folder}: {exc.strerror}") from None
    return target


def _blocker(folder: Path) -> Path:
    """The first part of `folder` that exists but is not a folder (what mkdir tripped on)."""
    for part in reversed([folder, *folder.parents]):
        if (part.exists() or part.is_symlink()) and not part.is_dir():
            return part
    return folder
