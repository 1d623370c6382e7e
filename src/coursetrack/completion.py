"""Shell completion of refs, read straight from the store with sqlite3 alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coursetrack import paths
from coursetrack.store.inspect import SQLITE_MAGIC, _read_only_uri
from coursetrack.store.schema import APPLICATION_ID, SCHEMA_VERSION

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
        path = _completion_path(paths.resolve_db(target))
    except Exception:  # platformdirs or the environment: no store to read
        return []
    if path is None:
        return []
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
                return []
        con = sqlite3.connect(_read_only_uri(path), uri=True, timeout=0.5)
    except (OSError, sqlite3.Error, ValueError):
        return []
    try:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID or not 1 <= version <= SCHEMA_VERSION:
            return []
        return _ref_candidates(con, incomplete, depth)
    except sqlite3.Error:
        return []
    finally:
        con.close()


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


def _ref_candidates(con: sqlite3.Connection, incomplete: str, depth: int) -> list[tuple[str, str]]:
    """Candidates by the rules of `refs.resolve`: slug, unique slug prefix or position."""
    parts = incomplete.split("/")
    if len(parts) > depth:
        return []
    last = parts[-1].lower()
    typed = "".join(f"{part}/" for part in parts[:-1])  # kept as typed: shells match on it
    limit = COMPLETION_LIMIT
    if len(parts) == 1:
        rows = con.execute(
            "SELECT slug, title FROM specialization WHERE substr(slug, 1, ?) = ? "
            "ORDER BY slug LIMIT ?",
            (len(last), last, limit),
        ).fetchall()
        return [(slug, _one_line(title)) for slug, title in rows]
    spec_id = _pick_id(
        con, "SELECT id, slug FROM specialization ORDER BY slug", (), parts[0], numbered=False
    )
    if spec_id is None:
        return []
    if len(parts) == 2:
        rows = con.execute(
            "SELECT slug, title FROM course WHERE specialization_id = ? "
            "AND substr(slug, 1, ?) = ? ORDER BY position LIMIT ?",
            (spec_id, len(last), last, limit),
        ).fetchall()
        return [(typed + slug, _one_line(title)) for slug, title in rows]
    course_id = _pick_id(
        con,
        "SELECT id, slug FROM course WHERE specialization_id = ? ORDER BY position",
        (spec_id,),
        parts[1],
        numbered=True,
    )
    if course_id is None:
        return []
    rows = con.execute(
        "SELECT slug, title FROM topic WHERE course_id = ? "
        "AND substr(slug, 1, ?) = ? ORDER BY position LIMIT ?",
        (course_id, len(last), last, limit),
    ).fetchall()
    return [(typed + slug, _one_line(title)) for slug, title in rows]


def _pick_id(
    con: sqlite3.Connection, sql: str, params: tuple, part: str, *, numbered: bool
) -> int | None:
    """The id `part` names among the rows (id, slug) of `sql`, as `refs._pick` decides."""
    rows = con.execute(sql, params).fetchall()
    if numbered and part.isascii() and part.isdigit():
        index = int(part) if len(part) <= 9 else 0
        return rows[index - 1][0] if 1 <= index <= len(rows) else None
    key = part.lower()
    for row_id, slug in rows:
        if slug == key:
            return row_id
    matches = [row_id for row_id, slug in rows if slug.startswith(key)]
    return matches[0] if len(matches) == 1 else None
