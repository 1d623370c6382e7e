"""A coursetrack of an older schema, played by the current code (for upgrade tests).

Such a test makes a store as an older release did (its migration steps alone), and runs
commands on it as that release would: so the code must neither write nor read what
the older schema did not have. Each later step that adds a column the commands use
says here what to take out.
"""

from __future__ import annotations

import pytest

from coursetrack.store import inspect, items, queries, schema


def play_schema(monkeypatch: pytest.MonkeyPatch, version: int) -> None:
    """From now on (until `monkeypatch` is undone), coursetrack is of schema `version`."""
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:version])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", version)
    monkeypatch.setattr(inspect, "SCHEMA_VERSION", version)  # as it reads a store
    if version < 7:  # schema 7 gave courses and topics their rubric
        monkeypatch.setattr(
            items,
            "COLUMNS",
            {kind: tuple(c for c in cols if c != "rubric") for kind, cols in items.COLUMNS.items()},
        )
        for name in ("COURSES_OF", "TOPICS_OF"):
            monkeypatch.setattr(queries, name, getattr(queries, name).replace(", rubric", ""))
