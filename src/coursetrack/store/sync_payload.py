"""A command's exchanged form (its payload, docs/sync.md "What is exchanged"), built from
its local `change` rows.

Every exchanged row is named by its key, never by a local id: catalog items, notes, links
and reviews by their `uid`; a progress row by its item's (`p:<uid>`), a goal by its
specialization's (`g:<uid>`). A reference to another row (`topic_id`) travels as that
row's uid under the column's name less `_id` (`"topic": "<uid>"`). A change's `set` holds
what it set: for an insert the fields not left NULL or at the column's default, for an
update those whose value differs before and after; `old` the values before (shown by
`log` for a command set aside at sync, which left no change rows). `id` and `learner`
never travel: a row's learner is whoever writes it.

The uid of a row a change names is read from the history first (its newest change up to
this one: the row as it was then, even when its id was freed and taken since), else from
the row as it is now. The history triggers record every column, uid included.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from coursetrack.store.reader import Row
from coursetrack.vocabulary import Status

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader

#: The tables whose changes travel (peer review lives on a group's store alone).
EXCHANGED = ("specialization", "course", "topic", "progress", "note", "link", "review", "goal")

#: Tables whose rows carry a `uid` column, their key.
KEYED = frozenset(("specialization", "course", "topic", "note", "link", "review"))

#: A reference column, and the table it names.
REFS = {"specialization_id": "specialization", "course_id": "course", "topic_id": "topic"}

#: The columns that travel, by table (ids, learners and the uid, which is the key, stay).
COLUMNS: dict[str, tuple[str, ...]] = {
    "specialization": ("slug", "title", "provider", "url", "description", "certificate_url"),
    "course": (
        "specialization_id", "position", "slug", "title", "description", "url",
        "certificate_url", "rubric",
    ),
    "topic": ("course_id", "position", "slug", "title", "description", "url", "rubric"),
    "progress": (
        "specialization_id", "course_id", "topic_id", "status", "started_on", "completed_on",
    ),
    "note": ("specialization_id", "course_id", "topic_id", "written_on", "text", "private"),
    "link": ("specialization_id", "course_id", "topic_id", "url", "title", "added_on"),
    "review": ("topic_id", "reviewed_on", "grade", "interval_days", "due_on"),
    "goal": ("specialization_id", "target_on"),
}  # fmt: skip

#: Values an insert leaves out: the column's default.
DEFAULTS = {("progress", "status"): Status.TODO.value, ("note", "private"): False}

#: Columns that are booleans (SQLite's JSON writes them 0/1, PostgreSQL's true/false).
BOOLEANS = frozenset((("note", "private"),))


def _loaded(value: Any) -> dict[str, Any]:
    if not value:
        return {}
    return json.loads(value) if isinstance(value, str | bytes) else dict(value)


def _plain(table: str, column: str, value: Any) -> Any:
    """A value as it travels: booleans as booleans, dates as ISO text."""
    if value is None:
        return None
    if (table, column) in BOOLEANS:
        return bool(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class Names:
    """The uids of the rows one command's changes name, learnt as its changes are read."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.known: dict[tuple[str, int], str] = {}

    def learn(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        uid = values.get("uid")
        if uid is not None and table in KEYED:
            self.known[(table, row_id)] = uid

    def uid(self, table: str, row_id: int | None, change_id: int) -> str | None:
        """The uid of `table`'s row `row_id` as it was at change `change_id`."""
        if row_id is None:
            return None
        found = self.known.get((table, row_id))
        if found is not None:
            return found
        row = self.reader.one(
            "SELECT op, old, new FROM change WHERE table_name = :t AND row_id = :r "
            "AND id <= :c ORDER BY id DESC LIMIT 1",
            t=table,
            r=row_id,
            c=change_id,
        )
        uid = None
        if row is not None:
            uid = _loaded(row.old if row.op == "delete" else row.new).get("uid")
        if uid is None:
            uid = self.reader.scalar(f"SELECT uid FROM {table} WHERE id = :id", id=row_id)
        if uid is None:  # made before the history began, gone since: its removal names it
            later = self.reader.one(
                "SELECT old FROM change WHERE table_name = :t AND row_id = :r AND id > :c "
                "AND old IS NOT NULL ORDER BY id LIMIT 1",
                t=table,
                r=row_id,
                c=change_id,
            )
            uid = _loaded(later.old).get("uid") if later is not None else None
        if uid is not None:
            self.known[(table, row_id)] = uid
        return uid


def _key(names: Names, table: str, values: dict[str, Any], change_id: int) -> str | None:
    if table in KEYED:
        return values.get("uid")
    if table == "goal":
        spec = names.uid("specialization", values.get("specialization_id"), change_id)
        return None if spec is None else f"g:{spec}"
    for column, owner in REFS.items():  # progress: its item's
        if values.get(column) is not None:
            item = names.uid(owner, values[column], change_id)
            return None if item is None else f"p:{item}"
    return None


def _travelling(
    names: Names, table: str, values: dict[str, Any], columns: list[str], change_id: int
) -> dict[str, Any]:
    """`columns` of `values` as they travel: references as uids, under their short name."""
    out: dict[str, Any] = {}
    for column in columns:
        value = values.get(column)
        if column in REFS:
            out[column[:-3]] = names.uid(REFS[column], value, change_id)
        else:
            out[column] = _plain(table, column, value)
    return out


def change_of(names: Names, row: Row) -> dict[str, Any] | None:
    """One change row in its exchanged form; None for one that does not travel."""
    table = row.table_name
    if table not in COLUMNS:
        return None
    old, new = _loaded(row.old), _loaded(row.new)
    names.learn(table, row.row_id, new or old)
    key = _key(names, table, old if row.op == "delete" else new, row.id)
    if key is None:
        return None
    travels = COLUMNS[table]
    if row.op == "insert":
        columns = [
            c
            for c in travels
            if new.get(c) is not None and DEFAULTS.get((table, c)) != _plain(table, c, new[c])
        ]
        return {
            "table": table,
            "key": key,
            "op": "insert",
            "set": _travelling(names, table, new, columns, row.id),
            "old": None,
        }
    if row.op == "update":
        columns = [
            c for c in travels if _plain(table, c, old.get(c)) != _plain(table, c, new.get(c))
        ]
        if not columns:
            return None
        return {
            "table": table,
            "key": key,
            "op": "update",
            "set": _travelling(names, table, new, columns, row.id),
            "old": _travelling(names, table, old, columns, row.id),
        }
    columns = [c for c in travels if old.get(c) is not None]
    return {
        "table": table,
        "key": key,
        "op": "delete",
        "set": {},
        "old": _travelling(names, table, old, columns, row.id),
    }


def head(command: Row, *, undoes: str | None) -> dict[str, Any]:
    """A payload's fields but its changes."""
    return {
        "gid": command.gid,
        "replica": command.replica,
        "machine": command.machine,
        "stamp": command.stamp,
        "at": command.at,
        "line": command.line,
        "undoes": undoes,
    }


def changes(reader: Reader, command: Row) -> Iterator[dict[str, Any]]:
    """A command's changes in their exchanged form, read a page of change rows at a time."""
    names = Names(reader)
    after = 0
    while True:
        rows = reader.all(
            "SELECT id, table_name, row_id, op, old, new FROM change "
            "WHERE command_id = :c AND id > :after ORDER BY id LIMIT 500",
            c=command.id,
            after=after,
        )
        for row in rows:
            change = change_of(names, row)
            if change is not None:
                yield change
        if len(rows) < 500:
            return
        after = rows[-1].id


def payload(reader: Reader, command: Row, *, undoes: str | None) -> dict[str, Any]:
    """The exchanged form of `command` (a row of `sync._COMMAND_COLUMNS`), from its changes."""
    return {**head(command, undoes=undoes), "changes": list(changes(reader, command))}


def payload_text(reader: Reader, command: Row, *, undoes: str | None) -> str:
    """The same as stored and sent (`dumps`), built a page of changes at a time."""
    return dumps_streamed(head(command, undoes=undoes), changes(reader, command))


# A payload's text is JSON, written so that it can be read a change at a time: its
# fields, then its changes one to a line (JSON text holds no raw newline), so that the
# first sync of a 20,000-topic store holds the import's text, not 20,000 parsed changes.
_CHANGES = ',"changes":[\n'
_END = "\n]}"


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dumps(payload: dict[str, Any]) -> str:
    """A payload as stored and sent (see `dumps_streamed`)."""
    fields = {k: v for k, v in payload.items() if k != "changes"}
    return dumps_streamed(fields, payload.get("changes") or ())


def dumps_streamed(fields: dict[str, Any], changes: Iterable[dict[str, Any]]) -> str:
    """A payload's text: its fields, then its changes one to a line; equal payloads are
    equal text."""
    parts = [_compact(fields)[:-1] + _CHANGES if fields else '{"changes":[\n']
    for index, change in enumerate(changes):
        parts.append(",\n" if index else "")
        parts.append(_compact(change))
    parts.append(_END)
    return "".join(parts)


def opened(text: str) -> tuple[Any, Any, int]:
    """A payload's text read for a replay: (its fields, its changes, how many).

    Written by `dumps_streamed`, the changes come one at a time, as an iterator; any
    other JSON (a payload written by hand) is read whole, and its "changes" are what
    they are (`sync_apply.check` says whether they are changes). Fields that are not
    a JSON object come back as they are, for the caller to refuse."""
    start = text.find(_CHANGES)
    if start > 0 and text.startswith("{") and text.endswith(_END):
        try:
            fields = json.loads(text[:start] + "}")
        except ValueError:
            fields = None
        if isinstance(fields, dict) and "changes" not in fields:
            body = start + len(_CHANGES)
            count = 0 if text[body:] == _END else text.count("\n", body)
            return fields, _lines(text, body), count
    try:
        whole = json.loads(text)
    except ValueError:
        return None, None, 0
    if not isinstance(whole, dict):
        return whole, None, 0
    found = whole.get("changes")
    return whole, found, len(found) if isinstance(found, list) else 1


def _lines(text: str, at: int) -> Iterator[Any]:
    """The changes of a streamed payload, from `at`, one line each."""
    end = len(text) - len(_END)
    while at < end:
        stop = text.find("\n", at)
        line = text[at : stop if 0 <= stop < end else end]
        at = (stop if 0 <= stop < end else end) + 1
        try:
            yield json.loads(line.removesuffix(","))
        except ValueError:
            yield None  # not a change: `sync_apply.check` refuses it


# --- a store whose history is not whole ------------------------------------------------

#: The exchanged tables in the order a base command inserts them (owners first).
_BASE_ORDER = ("specialization", "course", "topic", "progress", "goal", "note", "link", "review")


def history_whole(reader: Reader) -> bool:
    """Whether every exchanged row was made by a command of the history: a store made
    before schema 2 holds notes, links, reviews and goals no command inserted (schema 1,
    the whole record), and its log alone would not carry them to the hub."""
    for table in _BASE_ORDER:
        found = reader.scalar(
            f"SELECT 1 FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM change c "
            f"WHERE c.table_name = '{table}' AND c.row_id = t.id AND c.op = 'insert') LIMIT 1"
        )
        if found is not None:
            return False
    return True


def base_changes(reader: Reader) -> Iterator[dict[str, Any]]:
    """Every exchanged row as an insert: the base command a store whose history is not
    whole sends at its first sync (docs/sync.md, "What is exchanged on a first sync")."""
    names = Names(reader)
    for table in _BASE_ORDER:
        for row in reader.all(f"SELECT * FROM {table} ORDER BY id"):
            values = {k: v for k, v in row.items() if k not in ("learner",)}
            made = Row(id=0, table_name=table, row_id=row["id"], op="insert", old=None, new=values)
            change = change_of(names, made)
            if change is not None:
                yield change
