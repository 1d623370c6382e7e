"""Writing a file so that readers see the old version or the new one, never half.

A name is followed through symbolic links only where that is safe: never through
a link another user planted in a sticky folder such as /tmp (the attack the
kernel's `protected_symlinks` stops, where it is on), and never through a
dangling link, which would create a file wherever the link points.

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
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from coursetrack.errors import CoursetrackError, ExportError

#: How many links a name may go through, as the kernel allows (ELOOP beyond).
MAX_LINKS = 40


def _default_mode() -> int:
    """What a plain `open(path, "w")` would give: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Put `data` at `path` in one step; refuse to replace a file unless `force`.

    A symbolic link is followed (see `follow`): the file it points to is
    replaced and the link stays. Anything that is not a regular file (a device,
    a pipe) is refused, since renaming over it would replace it rather than
    write to it.
    """
    with open_atomic(path, force=force) as fh:
        fh.write(data)


@contextlib.contextmanager
def open_atomic(path: Path, *, force: bool = False) -> Iterator[BinaryIO]:
    """`write_atomic` for data written piece by piece (a backup streams its YAML).

    The checks are made before anything is written; the file appears at `path`
    only if the block ends without an error, and otherwise nothing is left.
    """
    import tempfile  # here: every store's opening follows its path (`follow`), and writes none

    shown = path
    path = writable(path, force=force)
    folder = path.parent
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else _default_mode()
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write {shown}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
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


def writable(path: Path, *, force: bool = False) -> Path:
    """The real file `write_atomic(path, ...)` would write, or the ExportError it would raise.

    For an export whose content is costly to make (a page's chart needs
    matplotlib): refused before the work, not after it. `write_atomic` checks
    again, and its hard link settles a file that appears in between.
    """
    shown = path
    path = follow(path, error=ExportError)
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
    return path


def follow(
    path: Path, *, shown: str | Path | None = None, error: type[CoursetrackError] = ExportError
) -> Path:
    """The real path `path` names, following links one at a time, as the kernel would.

    Refuses (raising `error`) a link that another user owns in a sticky,
    world-writable folder, and a dangling link: the file it would create is
    one its planter chose. A name that does not exist and is no link is fine.
    A name with no link in it comes back as given, for messages to show.
    Messages name the file as `shown` (default: `path`).
    """
    shown = shown or path
    pending = list(Path(path).expanduser().parts)
    current = Path.cwd() if pending and not os.path.isabs(pending[0]) else Path("/")
    if pending and os.path.isabs(pending[0]):
        pending.pop(0)
    links = 0
    while pending:
        name = pending.pop(0)
        if name in ("", "."):
            continue
        if name == "..":
            current = current.parent
            continue
        candidate = current / name
        try:
            info = os.lstat(candidate)
        except OSError:
            # Missing (or unreadable): the rest is taken as written, for the
            # caller's own checks to report.
            return candidate.joinpath(*pending) if links else path
        if not stat.S_ISLNK(info.st_mode):
            current = candidate
            continue
        links += 1
        if links > MAX_LINKS:
            raise error(f"{shown}: too many levels of symbolic links")
        _check_link_owner(candidate, info, shown=str(shown), error=error)
        target = os.readlink(candidate)
        if not os.path.lexists(candidate.parent / target):
            raise error(
                f"{shown} is, or goes through, a symbolic link to {target}, which does not "
                "exist; coursetrack creates nothing through a dangling link: remove the link "
                "or give another name"
            )
        pending[:0] = Path(target).parts
        if os.path.isabs(target):
            current = Path("/")
            pending.pop(0)
    return current if links else path


def _check_link_owner(
    link: Path, info: os.stat_result, *, shown: str, error: type[CoursetrackError]
) -> None:
    """Refuse a link in a sticky folder that neither the user nor the folder's owner made."""
    try:
        folder = os.stat(link.parent)
    except OSError:
        return
    sticky = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    if sticky and info.st_uid not in (os.geteuid(), folder.st_uid):
        raise error(
            f"{shown} is, or goes through, a symbolic link that another user owns in a "
            "shared folder (sticky, like /tmp); coursetrack does not follow it: give another name"
        )


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
