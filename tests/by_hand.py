"""A command row written by hand (a test planting what a store may hold, or what a learner
does in psql): since schema 8 (issue 24) every command names its gid, replica and stamp."""

from __future__ import annotations

#: The columns to add to a hand-written `INSERT INTO command (at, line, ...)`.
COLUMNS = "gid, replica, stamp"


def values(engine: str = "sqlite") -> str:
    """SQL giving `COLUMNS` unique values on `engine` ("sqlite" or "postgresql"): a stamp
    before every real one, as a command made before stamps existed."""
    random = "md5(random()::text)" if engine == "postgresql" else "lower(hex(randomblob(8)))"
    return f"'by-hand:' || {random}, 'by-hand', '0000000000000000.0000.by-hand.' || {random}"
