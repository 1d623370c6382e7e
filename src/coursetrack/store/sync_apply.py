"""Applying one change of a command brought by a sync, by key, on either engine
(docs/sync.md "The merge rule"), and naming the rule a refused one broke.

- insert: make the row with its `set` values (the rest at their defaults). Where the key
  exists, two machines made the same row: a progress row merges as its furthest state
  (the status furthest along todo -> in progress -> done, each date the first one set, in
  stamp order, which is the replay's); any other row takes the `set` values, as an update.
- update: set the `set` fields; a row that is gone is left so.
- delete: remove the row; a row that is gone is left so.

A reference to a row this store does not hold (`"topic": "<uid>"`) is refused as a foreign
key would be (`Refusal("foreign_key")`). Table and column names come from the payload, so
only the known ones are ever written into a statement (`sync_payload.COLUMNS`).
"""

from __future__ import annotations

import sqlite3
import sys
from typing import TYPE_CHECKING, Any

from coursetrack.store.sync_payload import COLUMNS, KEYED, REFS
from coursetrack.vocabulary import Status

if TYPE_CHECKING:
    from coursetrack.store.writer import Writer

#: How far along a status is: a merge of two inserts keeps the furthest.
_ALONG = {Status.TODO.value: 0, Status.IN_PROGRESS.value: 1, Status.DONE.value: 2}


class Refusal(Exception):
    """The store refused a command's change: `rule` names the rule (the same name on
    both engines: a constraint's, or `foreign_key`, `unique_<table>`, `not_null_<table>`)."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def refusal_of(exc: BaseException) -> Refusal | None:
    """The rule a driver's integrity error names, as a `Refusal`; None for any other error."""
    if isinstance(exc, Refusal):
        return exc
    if isinstance(exc, sqlite3.IntegrityError):
        text = str(exc)
        if text.startswith("CHECK constraint failed: "):
            return Refusal(text.removeprefix("CHECK constraint failed: ").strip())
        if text.startswith("FOREIGN KEY"):
            return Refusal("foreign_key")
        for kind in ("UNIQUE", "NOT NULL"):
            if text.startswith(f"{kind} constraint failed: "):
                table = text.split(": ", 1)[1].split(".", 1)[0].strip()
                return Refusal(f"{kind.lower().replace(' ', '_')}_{table}")
        return Refusal("integrity")
    driver = sys.modules.get("psycopg2")
    if driver is not None and isinstance(exc, driver.IntegrityError):
        diag = getattr(exc, "diag", None)
        state = getattr(exc, "pgcode", None)
        table = getattr(diag, "table_name", None) or ""
        if state == "23514":
            return Refusal(getattr(diag, "constraint_name", None) or "check")
        if state == "23503":
            return Refusal("foreign_key")
        if state == "23505":
            return Refusal(f"unique_{table}")
        if state == "23502":
            return Refusal(f"not_null_{table}")
        return Refusal("integrity")
    return None


def words(rule: str) -> str:
    """What a rule a command broke at sync says, in the store's own words."""
    from coursetrack.store import rules

    known = rules.by_constraint(rule)
    if known is not None:
        return rules.refusal(known)
    if rule == "foreign_key":
        return "an item it names is not in this store (removed, or never synced here)"
    if rule.startswith("unique_"):
        return f"another {rule.removeprefix('unique_')} holds the same name or place"
    return f"the store refused it (rule {rule})"


def _item(writer: Writer, uid: str) -> tuple[str, int] | None:
    """(reference column, id) of the catalog item `uid` names, whichever its kind."""
    for table in ("topic", "course", "specialization"):
        found = writer.scalar(f"SELECT id FROM {table} WHERE uid = :u", u=uid)
        if found is not None:
            return f"{table}_id", int(found)
    return None


def _locate(writer: Writer, table: str, key: str) -> int | None:
    """The local id of the row `key` names in `table`; None when there is none."""
    if table in KEYED:
        return writer.scalar(f"SELECT id FROM {table} WHERE uid = :k", k=key)
    kind, _, uid = key.partition(":")
    if table == "goal" and kind == "g":
        spec = writer.scalar("SELECT id FROM specialization WHERE uid = :u", u=uid)
        if spec is None:
            return None
        return writer.scalar("SELECT id FROM goal WHERE specialization_id = :s", s=spec)
    if table == "progress" and kind == "p":
        item = _item(writer, uid)
        if item is None:
            return None
        column, item_id = item
        return writer.scalar(f"SELECT id FROM progress WHERE {column} = :i", i=item_id)
    return None


def _local(writer: Writer, table: str, values: dict[str, Any]) -> dict[str, Any]:
    """`values` as this store writes them: only known columns, references as local ids."""
    known = COLUMNS[table]
    out: dict[str, Any] = {}
    for name, value in values.items():
        column = f"{name}_id" if f"{name}_id" in REFS else name
        if column not in known:
            continue  # a column this coursetrack does not know: left out
        if column in REFS and value is not None:
            ref = REFS[column]
            found = writer.scalar(f"SELECT id FROM {ref} WHERE uid = :u", u=value)
            if found is None:
                raise Refusal("foreign_key")
            value = int(found)
        out[column] = value
    return out


def apply_change(writer: Writer, change: dict[str, Any]) -> None:
    """Apply one change of an arriving command by its key (see the module's docstring)."""
    table, key, op = change.get("table"), change.get("key"), change.get("op")
    if table not in COLUMNS or not isinstance(key, str):
        return  # a table that does not travel (or a newer coursetrack's): left out
    row_id = _locate(writer, table, key)
    if op == "delete":
        if row_id is not None:
            writer.execute(f"DELETE FROM {table} WHERE id = :id", id=row_id)
        return
    values = _local(writer, table, change.get("set") or {})
    if op == "insert" and row_id is None:
        if table in KEYED:
            values["uid"] = key
        elif table == "progress" and not any(c in values for c in REFS):
            raise Refusal("foreign_key")
        columns = ", ".join(values)
        params = ", ".join(f":{c}" for c in values)
        writer.execute(f"INSERT INTO {table} ({columns}) VALUES ({params})", **values)
        return
    if row_id is None:
        return  # an update of a row that is gone
    if op == "insert" and table == "progress":
        values = _furthest(writer, row_id, values)
    values = {c: v for c, v in values.items() if c not in REFS or table not in ("progress", "goal")}
    if values:
        assignments = ", ".join(f"{c} = :{c}" for c in values)
        writer.execute(f"UPDATE {table} SET {assignments} WHERE id = :id", id=row_id, **values)


def _furthest(writer: Writer, row_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """Two inserts of one progress row: the status furthest along, each date the first
    set (the row's, which an earlier command in stamp order wrote)."""
    row = writer.one(
        "SELECT status, started_on, completed_on FROM progress WHERE id = :id", id=row_id
    )
    assert row is not None
    status = row.status
    arriving = values.get("status", Status.TODO.value)
    if _ALONG.get(arriving, 0) > _ALONG.get(status, 0):
        status = arriving
    return {
        "status": status,
        "started_on": row.started_on if row.started_on is not None else values.get("started_on"),
        "completed_on": row.completed_on
        if row.completed_on is not None
        else values.get("completed_on"),
    }
