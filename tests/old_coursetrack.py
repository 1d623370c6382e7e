"""A coursetrack of an older schema, played by the current code (for upgrade tests).

Such a test makes a store as an older release did (its migration steps alone), and runs
commands on it as that release would: so the code must neither write nor read what
the older schema did not have. Each later step that adds a column the commands use
says here what to take out.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

import pytest

from coursetrack.store import backup, importer, inspect, items, queries, schema

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
        try:
            for module in _BUILT_FROM_COLUMNS:
                importlib.reload(module)
            yield
        finally:
            patch.undo()
            for module in _BUILT_FROM_COLUMNS:
                importlib.reload(module)
