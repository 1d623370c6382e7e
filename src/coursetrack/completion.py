"""Shell completion of refs: a SQLite file read with sqlite3 alone, a server through its reader."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from coursetrack import paths
from coursetrack.errors import RefError
from coursetrack.refs import _pick
from coursetrack.store import queries
from coursetrack.store.inspect import SQLITE_MAGIC, _identify, _read_only_uri
from coursetrack.store.schema import APPLICATION_ID, SCHEMA_VERSION

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

# --- shell completion ---------------------------------------------------------------

#: How many candidates completion offers at most: a shell shows them all at once.
COMPLETION_LIMIT = 200


def complete_refs(target: str | None, incomplete: str, *, depth: int = 3) -> list[tuple[str, str]]:
    """Refs that extend `incomplete`, each with its title, read straight from the store.

    Shell completion calls this on every Tab, so it uses sqlite3 alone and opens
    the file read-only (`mode=ro`): it never creates a store, never takes the
    write lock and never upgrades one. Anything unexpected (no store yet, a file
    that is not ours, a schema it does not know, a URL that is not a plain
    SQLite file) gives no candidates rather than an error: a shell would print
    a traceback into the command line being typed. `depth` is how many parts
    the ref may have (1: specializations only).
    """
    try:
        incomplete.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 spell no ref
        return []
    try:
        resolved = paths.resolve_db(target)
        path = _completion_path(resolved)
    except Exception:  # platformdirs or the environment: no store to read
        return []
    if path is None:
        return _server_candidates(resolved, incomplete, depth)
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return []
        con = sqlite3.connect(_read_only_uri(path), uri=True, timeout=0.5)
    except (OSError, sqlite3.Error, ValueError):
        return []
    try:
        app_id, version, _ = _identify(con)
        if app_id != APPLICATION_ID or not 1 <= version <= SCHEMA_VERSION:
            return []
        from coursetrack.store.reader import SqliteReader

        return _ref_candidates(SqliteReader(con), incomplete, depth)
    except sqlite3.Error:
        return []
    finally:
        con.close()


def _server_candidates(target: str, incomplete: str, depth: int) -> list[tuple[str, str]]:
    """Candidates from a PostgreSQL store, through the same read path `status` takes there.

    Reading a server costs SQLAlchemy's import and a connection (a few hundred
    ms), which a Tab can afford; any failure (no driver, no server, no store
    yet) gives no candidates, as for a file.
    """
    if not target.startswith("postgresql"):
        return []
    try:
        from coursetrack.store.reader import open_reader

        with open_reader(target) as reader:
            return _ref_candidates(reader, incomplete, depth)
    except Exception:  # a shell would print a traceback into the line being typed
        return []


def _completion_path(target: str) -> Path | None:
    """The file a store target names, or None if completion should not read it."""
    if paths.is_url(target):
        prefix = "sqlite:///"
        if not target.startswith(prefix) or "?" in target:
            return None
        target = target[len(prefix) :]
    if not target or target == ":memory:":
        return None
    path = Path(target).expanduser()
    return path if path.is_file() else None


def _one_line(text: str | None) -> str:
    """A title as a shell shows it beside a candidate: one line, nothing a terminal obeys."""
    from coursetrack.controls import printable

    return printable(" ".join((text or "").split()), one_line=True)


def _ref_candidates(reader: Reader, incomplete: str, depth: int) -> list[tuple[str, str]]:
    """Candidates by the rules of `refs.read_target`: the parts before the last are
    picked by `refs._pick` itself (slug, unique slug prefix or position)."""
    parts = incomplete.split("/")
    if len(parts) > depth:
        return []
    last = parts[-1].lower()
    typed = "".join(f"{part}/" for part in parts[:-1])  # kept as typed: shells match on it
    typing = {"n": len(last), "typed": last, "limit": COMPLETION_LIMIT}
    if len(parts) == 1:
        rows = reader.all(queries.SPECIALIZATION_CANDIDATES, **typing)
        return [(row.slug, _one_line(row.title)) for row in rows]
    spec = _picked(parts[0], reader.all(queries.SPECIALIZATIONS), numbered=False)
    if spec is None:
        return []
    if len(parts) == 2:
        rows = reader.all(queries.COURSE_CANDIDATES, parent_id=spec.id, **typing)
        return [(typed + row.slug, _one_line(row.title)) for row in rows]
    courses = reader.all(queries.COURSES_OF, specialization_id=spec.id)
    course = _picked(parts[1], courses, numbered=True)
    if course is None:
        return []
    rows = reader.all(queries.TOPIC_CANDIDATES, parent_id=course.id, **typing)
    return [(typed + row.slug, _one_line(row.title)) for row in rows]


def _picked(part: str, rows: list[Row], *, numbered: bool) -> Row | None:
    """The row `part` names, as a command would resolve it; None where it would refuse."""
    try:
        return _pick(part, rows, what="", where="", numbered=numbered)
    except RefError:
        return None
