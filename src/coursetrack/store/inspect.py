"""What a store target is before anything opens it: the URL, the file, its header.

A file is inspected read-only and refused when it is not a regular file or not
a coursetrack store, so a file that is refused is left untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from coursetrack.errors import StoreError
from coursetrack.store.schema import APPLICATION_ID, SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlalchemy import URL

SQLITE_MAGIC = b"SQLite format 3\x00"


def _inspect_file(path: Path, shown: str | None = None) -> int | None:
    """The schema version of the coursetrack store at `path`; None for a new store.

    Opens the file read-only, so a file that is refused is left untouched, and
    refuses anything that is not a regular file before reading it: a FIFO would
    block the open forever, a device would be read (or written) as a store.
    Messages name the store as the user did (`shown`).
    """
    where = shown or str(path)
    if _read_header(path, where) is None:
        return None
    try:
        con = sqlite3.connect(_read_only_uri(path), uri=True)
        try:
            app_id, version, tables = _identify(con)
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read the store {where}: {exc}") from None
    return _check_ours(where, app_id, version, tables)


#: The first bytes of a SQLite file, which hold its magic string and the two numbers
#: `header_identity` reads.
HEADER_BYTES = 100


def _read_header(path: Path, where: str) -> bytes | None:
    """The first bytes of the SQLite file at `path`; None for a new store (none, or empty).

    Refuses anything that is not a regular file before reading it, and a file
    that is not a SQLite database (see `_inspect_file`).
    """
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None  # a new store (a folder in the way is reported on creating it)
    except OSError as exc:
        raise StoreError(f"cannot read the store {where}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{where} is a directory, not a store file; give a file path to --db")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(
            f"{where} is not a regular file (it is a {_file_kind(info.st_mode)}), so not a "
            "store; point --db or COURSETRACK_DB at a file"
        )
    try:
        # O_NONBLOCK: should a FIFO replace the file meanwhile, the open still returns
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise StoreError(f"{where} is not a regular file, so not a store")
            header = fh.read(HEADER_BYTES)
    except OSError as exc:
        raise StoreError(f"cannot read the store {where}: {exc.strerror}") from None
    if not header:
        return None  # an empty file: SQLite treats it as a new database
    if header[: len(SQLITE_MAGIC)] != SQLITE_MAGIC:
        raise StoreError(
            f"{where} is not a SQLite database, so not a coursetrack store; "
            "point --db or COURSETRACK_DB at another file"
        )
    return header


def is_current(path: Path, where: str) -> bool:
    """Whether the file's header names an up-to-date coursetrack store.

    What a read or a write through sqlite3 alone asks before it connects: a
    connection of its own, read-only (`_inspect_file`), reads the whole schema
    (1 ms), which the command's connection then reads again. The header is
    only a hint (see `header_identity`): that connection checks what it opened.
    Refusals (not a regular file, not SQLite) raise StoreError as `_inspect_file`'s.
    """
    header = _read_header(path, where)
    return header is not None and header_identity(header) == (APPLICATION_ID, SCHEMA_VERSION)


def header_identity(header: bytes) -> tuple[int, int] | None:
    """(application_id, user_version) as a SQLite file's header holds them, or None if short.

    What the database says may be newer (a change still in its write-ahead log):
    only a hint, which a connection's own `_identify` confirms.
    """
    if len(header) < HEADER_BYTES:
        return None
    return int.from_bytes(header[68:72], "big", signed=True), int.from_bytes(header[60:64], "big")


def _file_kind(mode: int) -> str:
    for test, word in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return word
    return "special file"


def _identify(con: sqlite3.Connection) -> tuple[int, int, int]:
    """(application_id, user_version, number of schema objects) of an open database."""
    app_id = con.execute("PRAGMA application_id").fetchone()[0]
    version = con.execute("PRAGMA user_version").fetchone()[0]
    tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    return app_id, version, tables


def _check_ours(where: str, app_id: int, version: int, tables: int) -> int | None:
    """The store's schema version; None for an empty database; refuse anyone else's."""
    if app_id != APPLICATION_ID:
        if app_id == 0 and tables == 0:
            return None
        raise StoreError(
            f"{where} is a SQLite database but not a coursetrack store; "
            "point --db or COURSETRACK_DB at another file"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{where} was written by a newer coursetrack (schema {version}, this one reads "
            f"up to {SCHEMA_VERSION}); upgrade coursetrack to use it"
        )
    return version


def _backup(path: Path, version: int) -> Path:
    """Copy the store aside, consistently, before an upgrade touches it."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.schema{version}-{stamp}.bak")
    n = 1
    while os.path.lexists(target):  # never write over an earlier copy, nor through a link
        n += 1
        target = path.with_name(f"{path.name}.schema{version}-{stamp}-{n}.bak")
    try:
        src = sqlite3.connect(path)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        raise StoreError(
            f"cannot copy the store {path} aside before upgrading it ({exc}); nothing was "
            "changed: free some space or make its folder writable, then run the command again"
        ) from None
    return target


_URL_HELP = (
    "give a file path, a SQLite URL such as sqlite:///coursetrack.db, "
    "or a PostgreSQL URL such as postgresql://me@host/coursetrack"
)

#: The install command that brings the PostgreSQL driver.
POSTGRES_EXTRA = "pip install 'coursetrack[postgresql]'"

#: Query parameters the pysqlite driver takes itself; any other belongs to a
#: SQLite URI and needs uri=true (without it SQLAlchemy warns and drops it).
_DRIVER_PARAMETERS = {"uri", "timeout", "check_same_thread", "isolation_level", "detect_types"}


def mask_url(target: str) -> str:
    """`target` as typed, its password (in the user part or a password= parameter) masked.

    Masked in the text rather than re-rendered from the parsed URL, so that the
    rest reads as the user wrote it (SQLAlchemy's rendering escapes a file: URI
    or a socket folder). The user part follows SQLAlchemy's own URL pattern: the
    password runs to the first @.
    """
    import re

    masked = re.sub(r"^([\w+.-]+://[^:/@]*:)[^@]*@", r"\1***@", target)
    # (sslpassword, the key file's passphrase, is a secret too)
    return re.sub(r"([?&](?:ssl)?password=)[^&]*", r"\1***", masked, flags=re.IGNORECASE)


def url_secrets(url: URL) -> tuple[str, ...]:
    """Every spelling of the URL's password, to mask it in any message (longest first)."""
    from urllib.parse import quote, unquote

    found: set[str] = set()
    if url.password:
        found.add(str(url.password))
    for key, value in url.query.items():
        if key.lower() in ("password", "sslpassword"):
            found.update([value] if isinstance(value, str) else value)
    for secret in list(found):
        found.update({quote(secret, safe=""), quote(secret), unquote(secret)})
    return tuple(sorted((s for s in found if s), key=len, reverse=True))


def _parse_url(target: str) -> tuple[URL, str]:
    """The parsed URL and how to show it: its password, if any, masked."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    shown = mask_url(target)
    try:
        url = make_url(target)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        import re

        masked = mask_url(re.sub(r"//[^/]*@", "//***@", target))  # whatever holds a password
        raise StoreError(f"{masked} is not a store URL; {_URL_HELP}") from None
    for secret in url_secrets(url):
        shown = shown.replace(secret, "***")
    return url, shown


def _postgres_url(url: URL, shown: str) -> URL:
    """The URL on psycopg2, which must be installed (see `store.postgres_reader` for why
    that driver): postgresql://, and the driver's names SQLAlchemy knows for it.

    `postgresql+psycopg://` (psycopg 3, which coursetrack used before) still works: libpq
    reads the URL the same whichever driver hands it over.
    """
    if url.drivername not in POSTGRES_SCHEMES:
        raise StoreError(
            f"{shown}: coursetrack reaches PostgreSQL through psycopg2 only; "
            "write the URL as postgresql://..."
        )
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        raise StoreError(
            f"the store {shown} is on PostgreSQL, which needs the psycopg2 driver: {POSTGRES_EXTRA}"
        ) from None
    return url.set(drivername="postgresql+psycopg2")


#: The URL schemes of a PostgreSQL store: all reach it through psycopg2.
POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg2", "postgresql+psycopg")


def _connect_args(url: URL) -> tuple[str, bool]:
    """(filename, uri) as the driver will pass them to SQLite (it reads uri=yes as true)."""
    import warnings

    with warnings.catch_warnings():
        # SQLAlchemy warns about URI parameters without uri=true: _sqlite_file says so itself
        warnings.simplefilter("ignore")
        [filename], options = url.get_dialect()().create_connect_args(url)
    return filename, bool(options.get("uri"))


def _is_uri(url: URL) -> bool:
    return _connect_args(url)[1]


def _sqlite_file(url: URL, shown: str) -> Path | None:
    """The file a SQLite URL opens, found as the driver finds it; None in memory.

    Every form is reduced to the one path SQLite will open (`sqlite:///rel`,
    `sqlite:////abs`, `?uri=true` with `file:` URIs, percent-escapes included),
    so that each gets the checks a plain --db PATH gets.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    unknown = sorted(set(url.query) - _DRIVER_PARAMETERS)
    filename, uri = _connect_args(url)
    if unknown and not uri:
        raise StoreError(
            f"{shown}: {', '.join(unknown)} is a SQLite URI parameter; add uri=true "
            "to the URL (sqlite:///file:PATH?mode=ro&uri=true)"
        )
    if not uri or not filename.startswith("file:"):
        return None if filename in ("", ":memory:") else Path(filename)
    parts = urlsplit(filename)
    if parts.netloc not in ("", "localhost"):
        raise StoreError(f"{shown}: a file: URI names a file on this machine only")
    mode = parse_qs(parts.query).get("mode", [""])[-1]
    name = unquote(parts.path)
    if mode == "memory" or name in ("", ":memory:"):
        return None
    return Path(name)


def _read_only_file_system(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def _read_url(path: Path, *, write: bool, given: URL | None = None) -> URL:
    """How to open the store file: as given, or read-only where it cannot be written.

    A store on a read-only file system (a mounted backup, a live CD) is still
    read and exported: SQLite cannot make the side files a WAL store needs
    there, so it is opened as `immutable`, which needs none (`_read_only_uri`).
    """
    from sqlalchemy import URL

    if write or (os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)):
        return given or URL.create("sqlite", database=str(path))
    if given is None or not _is_uri(given):
        return URL.create("sqlite", database=_read_only_uri(path), query={"uri": "true"})
    if path.with_name(path.name + "-wal").exists():
        return given
    return given.update_query_dict({"immutable": "1"})  # the user's own file: URI


def _read_only_uri(path: Path) -> str:
    """A URI that reads `path` without writing anything next to it.

    A read-only connection to a WAL store creates the -wal and -shm files when
    they are missing, and cannot remove them when it closes. Without a -wal
    file no other connection is writing (the last one out removes it), so the
    file is read as `immutable`: no locks, no side files. With one, the side
    files are there already, and `mode=ro` reads alongside a writer safely.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not path.with_name(path.name + "-wal").exists():
        uri += "&immutable=1"
    return uri
