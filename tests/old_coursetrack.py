"""A coursetrack of an older schema, played by the current code (for upgrade tests).

Such a test makes a store as an older release did (its migration steps alone), and runs
commands on it as that release would: so the code must neither write nor read what
the older schema did not have. Each later step that adds a column the commands use
says here what to take out.
"""

from __future__ import annotations

import contextlib
import importlib
import re
from collections.abc import Iterator

import pytest

from coursetrack.store import (
    backup,
    importer,
    inspect,
    items,
    postgres_reader,
    queries,
    reader,
    schema,
    uids,
    writer,
)

#: Schema 8 (issue 24) gave commands a gid, replica and stamp, and six tables a uid
#: that every insert passes: an older release recorded and inserted without them.
_RECORD_COMMAND_V7 = "INSERT INTO command (at, line) VALUES (:at, :line) RETURNING id"
_RECORD_COMMAND_PG_V7 = (
    "INSERT INTO command (id, at, line) SELECT (SELECT CASE WHEN row_security_active('command') "
    "THEN nextval(pg_get_serial_sequence('command', 'id')) "
    "ELSE setval(pg_get_serial_sequence('command', 'id'), coalesce(max(id), 0) + 1) "
    "END FROM command), :at, :line RETURNING id"
)
_STAMP_BASE_V7 = "SELECT 'old' AS replica, NULL AS machine, NULL AS last, NULL AS next_id"
_LOG_COMMANDS_V7 = (
    "SELECT id, at, line, undoes, undone_by FROM command "
    "WHERE id < :before ORDER BY id DESC LIMIT :page"
)
_RUNNERS = (
    writer.SqliteWriter, writer.PostgresWriter, writer.AlchemyWriter,
    reader.SqliteReader, postgres_reader.PostgresReader, reader.AlchemyReader,
)  # fmt: skip


def _without_uid(method):
    """A reader's or writer's method that leaves out the uid column of an INSERT (uid is
    its last), and orders records by id where it would order them by uid."""

    def run(self, sql, *args, **params):
        sql = re.sub(r"\b(\w+\.)?uid\b", r"\1id", re.sub(r", :?uid\)", ")", sql))
        return method(self, sql, *args, **params)

    return run


#: Modules that build their statements from `items.COLUMNS` as they load: loaded again
#: under the older columns, and again under the current ones after.
_BUILT_FROM_COLUMNS = (importer, backup)


@contextlib.contextmanager
def playing_schema(version: int) -> Iterator[None]:
    """Within it, coursetrack is of schema `version`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:version])
        patch.setattr(schema, "SCHEMA_VERSION", version)
        patch.setattr(inspect, "SCHEMA_VERSION", version)  # as it reads a store
        if version < 7:  # schema 7 gave courses and topics their rubric
            columns = {
                kind: tuple(c for c in cols if c != "rubric")
                for kind, cols in items.COLUMNS.items()
            }
            patch.setattr(items, "COLUMNS", columns)
            for name in ("COURSES_OF", "TOPICS_OF"):
                patch.setattr(queries, name, getattr(queries, name).replace(", rubric", ""))
        if version < 8:
            patch.setattr(queries, "RECORD_COMMAND", _RECORD_COMMAND_V7)
            patch.setattr(queries, "RECORD_COMMAND_PG", _RECORD_COMMAND_PG_V7)
            patch.setattr(queries, "STAMP_BASE", _STAMP_BASE_V7)
            patch.setattr(queries, "STAMP_BASE_PG", _STAMP_BASE_V7)
            patch.setattr(queries, "LOG_COMMANDS", _LOG_COMMANDS_V7)
            for name in dir(queries):  # (orders by uid, schema 8's, taken back to ids)
                value = getattr(queries, name)
                if isinstance(value, str) and re.search(
                    r"(position|reviewed_on|_on DESC), uid", value
                ):
                    patch.setattr(queries, name, re.sub(r", uid\b", ", id", value))
            patch.setattr(uids, "settle_catalog", lambda reader, table, path: "")
            patch.setattr(uids, "catalog_uids", lambda reader, table, paths: [""] * len(paths))
            for cls in _RUNNERS:
                for name in ("execute", "insert", "executemany", "all", "one", "scalar"):
                    if name in vars(cls):
                        patch.setattr(cls, name, _without_uid(vars(cls)[name]))
        try:
            for module in _BUILT_FROM_COLUMNS:
                importlib.reload(module)
            yield
        finally:
            patch.undo()
            for module in _BUILT_FROM_COLUMNS:
                importlib.reload(module)
