"""Writing a file so that readers see the old version or the new one, never half.

A blog post or a backup is written to a temporary file beside its target, synced,
and renamed over it. A site generator watching the folder, or a crash mid-write,
therefore never sees a truncated file. Without `force` an existing file is left
alone; the check is made by hard-linking the finished file into place, which
fails if something appeared there meanwhile, rather than by a test that another
process could race.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from coursetrack.errors import ExportError


def _default_mode() -> int:
    """What a plain `open(path, "w")` would give: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Put `data` at `path` in one step; refuse to replace a file unless `force`.

    A symbolic link is followed: the file it points to is replaced and the link
    stays. Anything that is not a regular file (a device, a pipe) is refused,
    since renaming over it would replace it rather than write to it.
    """
    shown = path
    if path.is_symlink():
        path = path.resolve()
    if path.is_dir():
        raise ExportError(f"{shown} is a directory; give a file name")
    if path.exists() and not force:
        raise ExportError(f"{shown} already exists; add --force to overwrite it")
    if path.exists() and not path.is_file():
        raise ExportError(
            f"{shown} is not a regular file (a device or a pipe); give a file name, or "
            "leave out -o to write to standard output"
        )
    folder = path.parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise ExportError(f"cannot write {shown}: {folder} {problem}")
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else _default_mode()
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write {shown}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if force:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
        _sync_dir(folder)
    except FileExistsError:
        raise ExportError(f"{shown} already exists; add --force to overwrite it") from None
    except OSError as exc:
        raise ExportError(f"cannot write {shown}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _link_new(tmp: Path, path: Path) -> None:
    """Move `tmp` to `path` only if `path` does not exist."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        # A file system without hard links: fall back to check, then rename.
        if path.exists():
            raise FileExistsError(str(path)) from None
        os.replace(tmp, path)


def _sync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
