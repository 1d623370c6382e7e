"""What `coursetrack log` lists: commands newest first, each change named as the store was then.

Every write transaction is a `command` row, and triggers record each row it
inserted, updated or deleted in `change` with the values before and after
(see `store.triggers`). This module only reads them, through a `store.reader`
Reader and the functions of `store.history`: on SQLite `log` runs on sqlite3
alone, and a write (`undo` naming what it reverts) runs the same walk over its
Writer. Undoing is `services.undo`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack.dates import local, start_of
from coursetrack.refs import read_target
from coursetrack.store import history as store
from coursetrack.store.reader import Row

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader


@dataclass
class ChangeEntry:
    table: str
    row_id: int
    op: str
    item: str  # the ref of the item it concerns, or the row's table#id when gone
    old: dict | None
    new: dict | None

    @property
    def fields(self) -> dict[str, tuple]:
        """For an update: the columns that changed, as (old, new)."""
        if not (self.old and self.new):
            return {}
        return {k: (self.old.get(k), v) for k, v in self.new.items() if self.old.get(k) != v}


@dataclass
class LogEntry:
    id: int
    at: dt.datetime
    command: str
    undone_by: int | None
    undoes: int | None
    changes: list[ChangeEntry] = field(default_factory=list)
    more: int = 0  # changes left out (see log_entries' `detail`)
    #: Issue 24: the machine a command came from when another replica made it (None:
    #: made here), and why a sync's replay set it aside (None: applied).
    machine: str | None = None
    set_aside: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "at": self.at.isoformat(timespec="seconds"),
            "command": self.command,
            "undone": self.undone_by is not None,
            "undoes": self.undoes,
            "machine": self.machine,
            "set_aside": self.set_aside,
            "changes": [
                {
                    "table": c.table,
                    "row_id": c.row_id,
                    "op": c.op,
                    "item": c.item,
                    "old": c.old,
                    "new": c.new,
                }
                for c in self.changes
            ],
        }


_ITEMS = ("specialization", "course", "topic")
_PARENT = {"specialization": None, "course": "specialization", "topic": "course"}
_OWNER_COLUMNS = ("topic", "course", "specialization")
#: Tables whose rows a single learner's store may hold for others (restored peer review).
_PEER_TABLES = ("peer_request", "peer_review")
_PAGE = 64  # commands read at a time


class _Past:
    """Items as they were at one moment of the history, walked back from now.

    It starts from the store as it is (rows read by id, when first needed) and
    steps back over every change to a specialization, course or topic, newest
    first; so each change is named by the slugs its item and parents had right
    after it, though they were renamed or removed since, or their id was given
    to another item (an undo frees ids). `era` tells two items that had the
    same id apart: 0 is the row as it is now, and it grows each time the walk
    passes the insert that began a row's life (an undo's re-insert does not:
    that row is the one the undone command removed).
    """

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.then: dict[tuple[str, int], tuple | None] = {}  # (slug, parent id) or None: absent
        self.now: dict[tuple[str, int], tuple | None] = {}
        self.last_known: dict[tuple[str, int], tuple] = {}
        self.era: dict[tuple[str, int], int] = {}
        self.misses: dict[str, int] = {}

    def row(self, table: str, row_id: int | None) -> tuple | None:
        if row_id is None:
            return None
        key = (table, row_id)
        if key in self.then:
            found = self.then[key]
        else:
            if key not in self.now:
                self._read_now(table, row_id)
            found = self.now[key]
        return found if found is not None else self.last_known.get(key)

    def _read_now(self, table: str, row_id: int) -> None:
        """The row as it is now: one query each for a few, the whole table for many."""
        self.misses[table] = self.misses.get(table, 0) + 1
        if self.misses[table] <= 64:
            hit = store.item_now(self.reader, table=table, row_id=row_id)
            self.now[(table, row_id)] = (hit.slug, hit.parent_id) if hit else None
            return
        for found in store.items_now(self.reader, table=table):
            self.now.setdefault((table, found.id), (found.slug, found.parent_id))
        self.now.setdefault((table, row_id), None)
        self.misses[table] = -(10**9)  # the whole table is known: an absent id is gone

    def chain(self, table: str | None, row_id: int | None) -> list[tuple[str, int, int]]:
        """The item and its parents as (table, id, era), item first."""
        out: list[tuple[str, int, int]] = []
        while table and row_id is not None:
            out.append((table, row_id, self.era.get((table, row_id), 0)))
            values = self.row(table, row_id)
            parent = _PARENT[table]
            if values is None or parent is None:
                break
            table, row_id = parent, values[1]
        return out

    def name(self, chain: list[tuple[str, int, int]]) -> str | None:
        slugs = []
        for table, row_id, _era in chain:
            values = self.row(table, row_id)
            if values is None:
                return None
            slugs.append(values[0])
        return "/".join(reversed(slugs)) if slugs else None

    def step_back(
        self, table: str, row_id: int, op: str, old: tuple | None, *, by_undo: bool
    ) -> None:
        key = (table, row_id)
        if op == "insert":
            self.then[key] = None
            if not by_undo:
                self.era[key] = self.era.get(key, 0) + 1
        else:
            self.then[key] = old


class _Light:
    """A change named as the store was then, its values not yet read.

    This and `_Step` are plain classes, not dataclasses: only the walk makes
    them, and a dataclass's methods are compiled as the module loads (0.5 ms
    each, of every `log` and `undo`).
    """

    __slots__ = ("chain", "id", "item", "op", "row_id", "table")

    def __init__(
        self,
        id: int,
        table: str,
        row_id: int,
        op: str,
        item: str,
        chain: list[tuple[str, int, int]],
    ) -> None:
        self.id = id
        self.table = table
        self.row_id = row_id
        self.op = op
        self.item = item
        self.chain = chain


class _Step:
    """One command met on the walk: its first `detail` changes named, and their total."""

    __slots__ = ("changes", "command", "total", "touches_wanted", "values")

    def __init__(
        self,
        command: Any,  # a `command` row: id, at, line, undoes, undone_by
        changes: list[_Light],
        total: int,
        touches_wanted: bool,
        #: The shown changes' values (old, new) by change id, when the walk read them already.
        values: dict[int, tuple[dict | None, dict | None]] | None = None,
    ) -> None:
        self.command = command
        self.changes = changes
        self.total = total
        self.touches_wanted = touches_wanted
        self.values = values


def walk(
    reader: Reader,
    commands: Iterable[Any],
    *,
    detail: int | None = None,
    wanted: tuple[str, int, int] | None = None,
) -> Iterator[_Step]:
    """Each command, newest first, with its changes named as the store was then.

    `detail`: how many of each command's changes (oldest first) to name; the
    others only move the walk back. `wanted`: an item as (table, id, era 0);
    each step says whether any of its changes concern it, and holds only those
    (its total counts only those): `log gda/3/3` names the import's change to
    that topic, not the whole import.
    """
    past = _Past(reader)
    partial = wanted is None and detail is not None
    shown_values = None
    behind: tuple[Any, set[int]] | None = None  # a command the walk has not stepped past yet
    for command in commands:
        if behind is not None:  # only now: the last command shown never needs it
            rest = store.item_changes_light(reader, command=behind[0].id)
            _step_past(past, rest, behind[0], skip=behind[1])
            behind = None
        if partial:  # the changes shown, and those of the items that name them: not all
            shown, shown_values = _shown(reader, command.id, detail)
            merged = {row.id: row for row in _naming(reader, past, command.id, shown)}
            merged.update((row.id, row) for row in shown)
            rows = sorted(merged.values(), key=lambda row: row.id, reverse=True)
            total = store.change_count(reader, command.id)
            behind = (command, set(merged))
        else:
            rows = store.changes_light(reader, command=command.id)
            shown = rows[len(rows) - detail :] if detail is not None and detail > 0 else []
            total = len(rows)
        named_ids = {row.id for row in shown}
        _remember(past, rows)
        named: list[_Light] = []
        for row in rows:
            if wanted is not None:
                found = _name(past, row)
                if wanted in found.chain:
                    named.append(found)
            elif detail is None or row.id in named_ids:
                named.append(_name(past, row))
            _step_back(past, row, command)
        if wanted is not None:  # only its changes to the item and what is under it
            total = len(named)
            if detail is not None:
                named = named[len(named) - detail :] if detail > 0 else []
            shown_values = _values_of(reader, command.id, [found.id for found in named])
        named.reverse()  # oldest change first, as the command made them
        yield _Step(command, named, total, bool(total) and wanted is not None, shown_values)


def _values_of(reader: Reader, command_id: int, ids: list[int]) -> dict:
    """The raw values (old, new) of some of a command's changes, by change id."""
    if not ids:
        return {}
    return {
        row.id: (row.old, row.new)
        for row in store.changes_values_between(
            reader, command=command_id, first=min(ids), last=max(ids)
        )
        if row.id in set(ids)
    }


def _remember(past: _Past, rows: list[Row]) -> None:
    """Rows this command removed still name their children."""
    for row in rows:
        if row.table_name in _ITEMS:
            values = _values(row, old=row.op != "insert")
            past.last_known.setdefault((row.table_name, row.row_id), values)


def _step_back(past: _Past, row: Row, command: Any) -> None:
    if row.table_name in _ITEMS:
        past.step_back(
            row.table_name,
            row.row_id,
            row.op,
            _values(row, old=True) if row.op != "insert" else None,
            by_undo=command.undoes is not None,
        )


def _step_past(past: _Past, rows: list[Row], command: Any, *, skip: set[int]) -> None:
    """The rest of a command's item changes (newest first), once the walk goes on past it."""
    rest = [row for row in rows if row.id not in skip]
    _remember(past, rest)
    for row in rest:
        _step_back(past, row, command)


def _naming(reader: Reader, past: _Past, command_id: int, shown: list[Row]):
    """A command's changes to the items that name its shown changes, and to their parents.

    Naming a change reads only the items of its chain (the item or owner, then
    each parent) as they were right after it; so only the command's changes to
    those items need stepping back first. Their parents are found from what
    the walk knows and from those changes themselves, until no new item comes.
    """
    wanted: set[tuple[str, int]] = set()
    for row in shown:
        if row.table_name in _ITEMS:
            wanted.add((row.table_name, row.row_id))
            parent = _PARENT[row.table_name]
            if parent is not None and _values(row, old=False)[1] is not None:
                wanted.add((parent, _values(row, old=False)[1]))
        else:
            for table in _OWNER_COLUMNS:
                if row[f"{table}_id"] is not None:
                    wanted.add((table, row[f"{table}_id"]))
    found: list[Row] = []
    done: set[tuple[str, int]] = set()
    while wanted - done:
        key = next(iter(wanted - done))
        done.add(key)
        table, row_id = key
        parents = [past.row(table, row_id)]
        changes = store.changes_of_item_light(
            reader, command=command_id, table=table, row_id=row_id
        )
        for change in changes:
            found.append(change)
            parents += [_values(change, old=True), _values(change, old=False)]
        parent = _PARENT[table]
        for values in parents:
            if parent is not None and values is not None and values[1] is not None:
                wanted.add((parent, values[1]))
    return found


def _shown(reader: Reader, command_id: int, n: int | None) -> tuple[list[Row], dict]:
    """The first `n` changes of a command as the light rows name them, and their values.

    Each change's JSON is read and parsed once, here, for both: a change may hold
    a 50 MB note, which SQL would parse again to find its owner.
    """
    rows, values = [], {}
    for raw in store.changes_shown(reader, command=command_id, n=n):
        old, new = _parsed(raw.old), _parsed(raw.new)
        either = new or old or {}
        item = raw.table_name in _ITEMS
        rows.append(
            Row(
                id=raw.id,
                table_name=raw.table_name,
                row_id=raw.row_id,
                op=raw.op,
                old_slug=old.get("slug") if item and old else None,
                new_slug=new.get("slug") if item and new else None,
                **{f"{t}_id": either.get(f"{t}_id") for t in _OWNER_COLUMNS},
                request_id=either.get("request_id"),  # a peer review's: no item of its own
            )
        )
        values[raw.id] = (old, new)
    return rows, values


def _name(past: _Past, row: Row) -> _Light:
    table, row_id = row.table_name, row.row_id
    if table in _ITEMS:
        slug = row.old_slug if row.op == "update" else (row.new_slug or row.old_slug)
        chain = past.chain(table, row_id)
        parent = past.name(chain[1:]) if len(chain) > 1 else None
        if table != "specialization" and parent is None:
            parent_id = _values(row, old=False)[1]
            parent = past.name(past.chain(_PARENT[table], parent_id))
        item = f"{parent}/{slug}" if parent else slug
    elif table == "peer_review" and row.get("request_id") is not None:
        chain, item = [], f"request {row['request_id']}"
    else:
        owner_table, owner_id = next(
            ((t, row[f"{t}_id"]) for t in _OWNER_COLUMNS if row[f"{t}_id"] is not None),
            ("specialization", None),
        )
        chain = past.chain(owner_table, owner_id)
        item = past.name(chain)
    return _Light(row.id, table, row_id, row.op, item or f"{table}#{row_id}", chain)


def _values(row: Row, *, old: bool) -> tuple:
    """(slug, parent id) of an item change, before (`old`) or after it."""
    slug = row.old_slug if old else (row.new_slug or row.old_slug)
    parent = {"specialization": None, "course": row.specialization_id, "topic": row.course_id}
    return (slug, parent[row.table_name])


def _decoded(value: Any, learner: str | None = None) -> dict | None:
    """A change's stored values: JSON text, or already a dict (a json column on PostgreSQL).

    Without the row's uid, and without its learner (a log is one learner's, every row in it theirs),
    and with `private` only when it is set, as a boolean on both engines
    (SQLite's JSON holds 0 or 1). The one exception: a peer review row a restore kept
    for someone else in a single learner's store (`services.restore_peer`: a review
    received, under its pseudonym, or a request reviewed, under its author's name)
    keeps its `learner` when it is not `learner`, the log's own, so that it never
    reads as the learner's own.
    """
    values = _parsed(value)
    if values is None:
        return None
    values = dict(values)
    values.pop("uid", None)  # a row's name across replicas (issue 24): no user's words
    if learner is None or values.get("learner") == learner:
        values.pop("learner", None)
    if "private" in values:
        if values["private"]:
            values["private"] = True
        else:
            del values["private"]
    return values


def _parsed(value: Any) -> dict | None:
    """A change's stored JSON (text, or a dict already on PostgreSQL), as a dict."""
    if not value:
        return None
    return json.loads(value) if isinstance(value, str | bytes) else dict(value)


def entry(reader: Reader, step: _Step) -> LogEntry:
    """The full entry of one shown command: only now is its changes' JSON decoded."""
    command = step.command
    if step.values is not None:
        full = step.values
    else:
        full = {
            row.id: (row.old, row.new)
            for row in store.changes_values(reader, command=command.id, n=len(step.changes))
        }
    learner = None
    if any(c.table in _PEER_TABLES for c in step.changes):
        from coursetrack.store.backup import whose

        learner = whose(reader)[0]
    return LogEntry(
        id=command.id,
        at=local(dt.datetime.fromisoformat(command.at)),
        command=command.line,
        undone_by=command.undone_by,
        undoes=command.undoes,
        machine=command.get("elsewhere"),
        set_aside=why_set_aside(command.get("set_aside")),
        changes=[
            ChangeEntry(
                table=c.table,
                row_id=c.row_id,
                op=c.op,
                item=c.item,
                old=_decoded(full[c.id][0], learner if c.table in _PEER_TABLES else None),
                new=_decoded(full[c.id][1], learner if c.table in _PEER_TABLES else None),
            )
            for c in step.changes
        ],
        more=step.total - len(step.changes),
    )


def why_set_aside(rule: str | None) -> str | None:
    """A set-aside command's reason in a user's words: the rule's (`store.rules`), or what a
    foreign key says; None for an applied command."""
    if rule is None:
        return None
    if rule == "foreign_key":  # in the words `sync` used when it set the command aside
        from coursetrack.store.sync_apply import FOREIGN_KEY_WHY

        return FOREIGN_KEY_WHY
    from coursetrack.store import rules

    found = rules.by_constraint(rule)
    return found.says if found is not None else rule


def _commands(reader: Reader, since: dt.date | None) -> Iterator[Row]:
    """Commands newest first, read a page at a time, from `since`'s midnight if given.

    The moment is compared in Python, as an aware datetime: stored moments are
    UTC, but older stores kept local offsets, and no date function reads those
    alike on both engines.
    """
    start = start_of(since) if since is not None else None
    before = 2**63 - 1
    while True:
        page = store.commands_before(reader, before=before, page=_PAGE)
        for command in page:
            if start is None or _moment(command.at) >= start:
                yield command
        if len(page) < _PAGE:
            return
        before = page[-1].id


def _moment(stamp: str) -> dt.datetime:
    """A stored moment as an aware datetime (one without an offset is UTC)."""
    moment = dt.datetime.fromisoformat(stamp)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def log_entries(
    reader: Reader,
    *,
    ref: str | None = None,
    since: dt.date | None = None,
    limit: int | None = None,
    detail: int | None = None,
) -> list[LogEntry]:
    """Commands newest first, optionally only those touching `ref` and its children.

    Items are named as they were when each command ran. Only the commands
    returned have their changes decoded (only the first `detail` of each, if
    given: a view that shows eight needs no more), and the walk stops at
    `limit`, so `log -n 3` costs the same on a store of any size.
    """
    wanted = None
    if ref is not None:
        target = read_target(reader, ref)
        wanted = (target.kind, target.item.id, 0)
    entries: list[LogEntry] = []
    if limit is not None and limit < 1:
        return entries
    for step in walk(reader, _commands(reader, since), detail=detail, wanted=wanted):
        if wanted is None or step.touches_wanted:
            entries.append(entry(reader, step))
            if limit is not None and len(entries) >= limit:
                break
    return entries
