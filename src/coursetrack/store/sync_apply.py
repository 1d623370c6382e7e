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

import math
import sqlite3
import sys
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from coursetrack.store.sync_payload import BOOLEANS, COLUMNS, KEYED, REFS
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


#: Why a command naming a row this store does not hold was set aside (`sync` and `log`
#: say it alike).
FOREIGN_KEY_WHY = "an item or record it names is gone"


def words(rule: str) -> str:
    """What a rule a command broke at sync says, in the store's own words."""
    from coursetrack.store import rules

    known = rules.by_constraint(rule)
    if known is not None:
        return rules.refusal(known)
    if rule == "malformed":
        return "its changes are not ones this coursetrack reads"
    if rule == "foreign_key":
        return FOREIGN_KEY_WHY
    if rule.startswith("unique_"):
        return f"another {rule.removeprefix('unique_')} holds the same name or place"
    return f"the store refused it (rule {rule})"


class Applier:
    """Applies the changes of the commands a merge replays (`apply`, then `finish`), a
    page of statements at a time.

    The first sync of a 20,000-topic store is one import of 20,000 inserts, and a hub
    may be 10-20 ms away: asked one by one, each would cost a round trip to find its key
    and one to insert. So an insert of a row named by its uid is an upsert (`_upsert`:
    no look-up), the local ids of the rows changes name are kept as they are learnt, for
    every command of the merge, and a run of statements of one shape is written with one
    `executemany` when anything else needs the store as it is (`_flush`). A removal may
    cascade to rows whose ids are kept, and a command set aside takes back what it made:
    they are all forgotten then (`forget`).
    """

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        #: (table, uid) -> local id, or None: known not to be there
        self.ids: dict[tuple[str, str], int | None] = {}
        self._sql = ""
        self._rows: list[dict[str, Any]] = []

    def forget(self) -> None:
        """After a command is rolled back: the ids it learnt may be of rows gone with it."""
        self.ids.clear()
        self._rows = []
        self._sql = ""

    def _flush(self) -> None:
        if self._rows:
            self.writer.executemany(self._sql, self._rows)
            self._rows = []

    def finish(self) -> None:
        """Write what is pending: the store refuses it here, if it does."""
        self._flush()

    def _id(self, table: str, uid: str) -> int | None:
        """The local id of `table`'s row `uid` (None: not here)."""
        if (table, uid) in self.ids:
            return self.ids[(table, uid)]
        self._flush()
        found = self.writer.scalar(f"SELECT id FROM {table} WHERE uid = :u", u=uid)
        self.ids[(table, uid)] = None if found is None else int(found)
        return self.ids[(table, uid)]

    def _item(self, uid: str) -> tuple[str, int] | None:
        """(reference column, id) of the catalog item `uid` names, whichever its kind."""
        for table in ("topic", "course", "specialization"):
            found = self._id(table, uid)
            if found is not None:
                return f"{table}_id", found
        return None

    def _locate(self, table: str, key: str) -> int | None:
        """The local id of the row `key` names in `table`; None when there is none."""
        if table in KEYED:
            return self._id(table, key)
        kind, _, uid = key.partition(":")
        self._flush()
        if table == "goal" and kind == "g":
            spec = self._id("specialization", uid)
            if spec is None:
                return None
            return self.writer.scalar("SELECT id FROM goal WHERE specialization_id = :s", s=spec)
        if table == "progress" and kind == "p":
            item = self._item(uid)
            if item is None:
                return None
            column, item_id = item
            return self.writer.scalar(f"SELECT id FROM progress WHERE {column} = :i", i=item_id)
        return None

    def _local(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        """`values` as this store writes them: only known columns, references as local ids."""
        known = COLUMNS[table]
        out: dict[str, Any] = {}
        for name, value in values.items():
            column = f"{name}_id" if f"{name}_id" in REFS else name
            if column not in known:
                continue  # a column this coursetrack does not know: left out
            if column in REFS and value is not None:
                found = self._id(REFS[column], str(value))
                if found is None:
                    raise Refusal("foreign_key")
                value = found
            out[column] = value
        return out

    def _pend(self, sql: str, values: dict[str, Any]) -> None:
        """One more row for the run of statements of one shape (`_flush` writes it)."""
        if sql != self._sql:
            self._flush()
            self._sql = sql
        self._rows.append(values)

    def _upsert(self, table: str, key: str, values: dict[str, Any]) -> None:
        """An insert of a row named by its uid: made, or, where two machines made it (the
        same catalog imported on both), given these values as an update would be: one
        statement, no look-up first."""
        columns = ", ".join([*values, "uid"])
        update = ", ".join(f"{c} = excluded.{c}" for c in values)
        then = f"DO UPDATE SET {update}" if update else "DO NOTHING"
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES {_params({**values, 'uid': key})} "
            f"ON CONFLICT (uid) {then}"
        )
        self.ids.pop((table, key), None)  # there now: its id is asked when needed
        self._pend(sql, {**values, "uid": key})

    def apply(self, change: dict[str, Any]) -> None:
        """Apply one change of an arriving command by its key (see the module's docstring)."""
        table, key, op = change.get("table"), change.get("key"), change.get("op")
        if table not in COLUMNS or not isinstance(key, str):
            return  # a table that does not travel (or a newer coursetrack's): left out
        if op == "insert" and table in KEYED:
            self._upsert(table, key, self._local(table, change.get("set") or {}))
            return
        row_id = self._locate(table, key)
        if op == "delete":
            if row_id is not None:
                self._flush()
                self.writer.execute(f"DELETE FROM {table} WHERE id = :id", id=row_id)
                self.ids.clear()  # a cascade may have taken rows it knew
            return
        values = self._local(table, change.get("set") or {})
        if op == "insert" and row_id is None:
            if table == "progress" and not any(c in values for c in REFS):
                raise Refusal("foreign_key")
            self._pend(
                f"INSERT INTO {table} ({', '.join(values)}) VALUES {_params(values)}", values
            )
            return
        if row_id is None:
            return  # an update of a row that is gone
        self._flush()
        if op == "insert" and table == "progress":
            values = _furthest(self.writer, row_id, values)
        if table in ("progress", "goal"):  # their owner is their key: never moved
            values = {c: v for c, v in values.items() if c not in REFS}
        if values:
            assignments = ", ".join(f"{c} = :{c}" for c in values)
            self.writer.execute(
                f"UPDATE {table} SET {assignments} WHERE id = :id", id=row_id, **values
            )


def _params(values: dict[str, Any]) -> str:
    return "(" + ", ".join(f":{c}" for c in values) + ")"


#: The operations a change may be.
OPS = frozenset(("insert", "update", "delete"))

#: The widest integer both engines store (a BIGINT's range).
_INT_LIMIT = 2**63


def _value(value: Any) -> bool:
    """Whether `value` is one a column can hold: text, a number both engines store, a
    boolean, or null (never an object, a list, an integer past 64 bits, an infinity)."""
    if value is None or isinstance(value, str | bool):
        return True
    if isinstance(value, int):
        return -_INT_LIMIT <= value < _INT_LIMIT
    if isinstance(value, float):
        return math.isfinite(value)
    return False


#: The columns that hold integers (every other one that travels holds text, a date as
#: text, or a boolean: `sync_payload.BOOLEANS`).
INTEGERS = frozenset((("course", "position"), ("topic", "position"), ("review", "interval_days")))


def _fits(table: str, name: str, value: Any) -> bool:
    """Whether `value` is of the type of `table`'s column `name` (a reference by its short
    name, a uid: text), where SQLite, which keeps any value in any column, would not say.
    A column this coursetrack does not know is left out when applied: any value."""
    if value is None:
        return True
    column = f"{name}_id" if f"{name}_id" in REFS else name
    if column not in COLUMNS.get(table, ()) or column in REFS:
        return column not in REFS or isinstance(value, str)
    if (table, column) in INTEGERS:
        return isinstance(value, int) and not isinstance(value, bool)
    if (table, column) in BOOLEANS:
        return isinstance(value, bool | int)
    return isinstance(value, str)


def check(changes: Any) -> None:
    """Refuse, as the rule `malformed`, changes that are not a list of changes: a sync's
    payload is input (a command written into the hub's table by hand), and the store
    must meet nothing it cannot bind or that names no row (`Applier.apply`)."""
    if not isinstance(changes, list):
        raise Refusal("malformed")
    for change in changes:
        if not isinstance(change, dict) or change.get("op") not in OPS:
            raise Refusal("malformed")
        values = change.get("set")
        if not isinstance(change.get("table"), str) or not isinstance(change.get("key"), str):
            raise Refusal("malformed")
        if values is not None and not (
            isinstance(values, dict)
            and all(_value(v) and _fits(change["table"], n, v) for n, v in values.items())
        ):
            raise Refusal("malformed")


def apply_changes(
    writer: Writer, changes: Any, tick: Any = None, applier: Applier | None = None
) -> None:
    """Apply a command's changes, in order, by key (see `Applier`), a page at a time,
    each page once it is changes (`check`): a list, or an iterator reading a payload's
    text a change at a time (`sync_payload.opened`). A malformed change on a later page
    refuses the whole command all the same: the caller rolls its savepoint back."""
    if not isinstance(changes, list | Iterator):
        raise Refusal("malformed")
    if applier is None:
        applier = Applier(writer)
    pending = iter(changes)
    while page := list(islice(pending, PAGE)):
        check(page)
        for change in page:
            applier.apply(change)
            if tick is not None:
                tick()
        applier.finish()  # (a page of rows pending at most)


#: Changes read and checked together (and the most rows pending at once).
PAGE = 500


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
