"""A learner's replica and the study group's catalog: the SQL of `services.sync_group`.

In a group the catalog is the group's store's, changed by curators there; a learner
cannot read their history, so it comes down to a replica as state, not as commands
(`docs/sync.md`, "In a study group"):

- `catalog_commands`: the local commands not pushed yet (`seq` NULL) that changed a
  catalog table, which a sync refuses to push; a command and its undo, both local,
  cancel out (`cancelled`), and are kept out of the push with `seq` 0 (`leave_out`), as
  is an undo of the catalog brought down (`state_undone`: the catalog comes down again).
- `read_catalog`: every catalog row of a store, by its `uid`, its parent named by uid
  (ids are each store's own), on either engine; `apply_catalog` makes the replica's
  catalog the hub's as one local command, `seq` 0: it came from the hub as state, is
  never pushed, and is not a pulled seq. The catalog's version it was read at is kept in
  the `payload` of the last command kept here (`held_version`; no other command of seq 0
  has one), so a sync reads the catalog again only when the group's `catalog_version`
  (`store.group_sync`) moved.

Nothing here imports SQLAlchemy or the models: a sync writes its SQLite file through
sqlite3 alone, as every write does (`Store.write`).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: The catalog's tables, parents first, each with its parent's (column, table).
CATALOG: tuple[tuple[str, tuple[str, str] | None], ...] = (
    ("specialization", None),
    ("course", ("specialization_id", "specialization")),
    ("topic", ("course_id", "course")),
)

#: The line of the command that brings the hub's catalog down (`services.sync_group`).
CATALOG_LINE = "sync: catalog from {hub}"

_TABLES = "('specialization', 'course', 'topic')"

#: Commands not pushed yet, both local, where the later undid the earlier and was not
#: itself undone: together they changed nothing.
_CANCELLED = """
SELECT u.id AS undo, u.undoes AS undone FROM command u JOIN command a ON a.id = u.undoes
WHERE u.seq IS NULL AND a.seq IS NULL AND u.undone_by IS NULL
"""


#: Local undos, not pushed yet, of a command that brought the catalog down (seq 0): a
#: plain `undo` after a sync takes it back as readily as the learner's own last command.
_STATE_UNDONE = """
SELECT u.id FROM command u JOIN command a ON a.id = u.undoes WHERE u.seq IS NULL AND a.seq = 0
"""


def cancelled(reader: Reader) -> set[int]:
    """The ids of local command pairs (a command and its undo) that cancel out."""
    return {i for row in reader.all(_CANCELLED) for i in (row.undo, row.undone)}


def state_undone(reader: Reader) -> set[int]:
    """The ids of local undos of the catalog brought down (`_STATE_UNDONE`): not the
    learner's to push, and undone in their turn by bringing the catalog down again."""
    return {row.id for row in reader.all(_STATE_UNDONE)}


def catalog_commands(reader: Reader) -> list[Row]:
    """The local commands not pushed yet that changed the catalog (id, line, and the
    command it undoes, if an undo), bar those that an undo, local too, cancelled."""
    found = reader.all(
        "SELECT c.id, c.line, c.undoes FROM command c WHERE c.seq IS NULL AND EXISTS (SELECT 1 "
        f"FROM change h WHERE h.command_id = c.id AND h.table_name IN {_TABLES}) ORDER BY c.id"
    )
    gone = cancelled(reader) | state_undone(reader) if found else set()
    return [row for row in found if row.id not in gone]


def touched(reader: Reader, command_id: int) -> list[tuple[str, str | None]]:
    """The catalog rows a command changed: (table, uid), the uid from the history's values
    (it records every column; None where a row had none)."""
    found = []
    for row in reader.all(
        "SELECT table_name, coalesce(new, old) AS seen FROM change "
        f"WHERE command_id = :id AND table_name IN {_TABLES} ORDER BY id",
        id=command_id,
    ):
        try:
            uid = json.loads(row.seen).get("uid")
        except (ValueError, AttributeError):
            uid = None
        found.append((row.table_name, uid if isinstance(uid, str) else None))
    return found


def leave_out(writer: Writer, also: Collection[int] = ()) -> bool:
    """Keep out of the push (`seq` 0) the cancelled pairs, the undos of the catalog brought
    down, and the commands `also` (catalog changes the group has already); whether there
    was such an undo (then the catalog comes down again)."""
    undos = state_undone(writer)
    for command_id in sorted(cancelled(writer) | undos | set(also)):
        writer.execute("UPDATE command SET seq = 0 WHERE id = :id", id=command_id)
    return bool(undos)


def held_version(reader: Reader) -> int | None:
    """The group's catalog version the replica's catalog was last brought to, or None."""
    payload = reader.scalar(
        "SELECT payload FROM command WHERE seq = 0 AND payload IS NOT NULL ORDER BY id DESC LIMIT 1"
    )
    if not payload:
        return None
    try:
        version = json.loads(payload).get("catalog_version")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, int) else None


def hub_version(reader: Reader) -> int | None:
    """The group's catalog version on the hub (None: the store is no group's)."""
    from coursetrack.store.group_sync import HUB_CATALOG_VERSION

    return reader.scalar(f"SELECT {HUB_CATALOG_VERSION}")


def hub_owner(reader: Reader) -> str:
    """Who owns the group's store: whom a learner asks."""
    return str(
        reader.scalar(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('progress')"
        )
    )


def read_catalog(reader: Reader) -> dict[str, dict[str, dict[str, Any]]]:
    """Every catalog row of the store: table -> uid -> its columns but `id`, the parent's
    id column replaced by the parent's uid under the parent's table name."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for table, parent in CATALOG:
        if parent is None:
            rows = reader.all(f"SELECT * FROM {table} ORDER BY uid")
        else:
            column, above = parent
            rows = reader.all(
                f"SELECT t.*, p.uid AS {above}_uid FROM {table} t "
                f"JOIN {above} p ON p.id = t.{column} ORDER BY t.uid"
            )
        kept: dict[str, dict[str, Any]] = {}
        for row in rows:
            values = {k: v for k, v in row.items() if k != "id"}
            if parent is not None:
                values.pop(parent[0])
                values[parent[1]] = values.pop(f"{parent[1]}_uid")
            kept[str(values["uid"])] = values
        out[table] = kept
    return out


def apply_catalog(writer: Writer, plan: dict[str, Any], *, hub: str, version: int | None) -> int:
    """Make the replica's catalog the hub's, as one local command with `seq` 0; the
    number of rows it changed. `plan` (from `services.sync_group.plan`): per table, the
    rows to insert and to update (uid -> columns) and the uids to delete. Deletes go
    children first (a row's cascade takes what hangs under it, the learner's records on
    it included, recorded under this command), inserts and updates parents first; a slug
    that moves to a row that held another first goes through a free one, so the
    (parent, slug) uniqueness holds at each statement.

    With nothing to change, the version is written on the last command kept here (seq 0:
    such a command, or one `leave_out` kept), so the next sync does not read the catalog
    again.
    """
    from coursetrack.store import recording, triggers

    payload = json.dumps({"catalog_version": version})
    count = sum(
        len(plan[t]["insert"]) + len(plan[t]["update"]) + len(plan[t]["delete"]) for t, _ in CATALOG
    )
    if count == 0:
        writer.execute(
            "UPDATE command SET payload = :payload "
            "WHERE id = (SELECT max(id) FROM command WHERE seq = 0)",
            payload=payload,
        )
        return 0
    command_id = recording.record_command(writer, CATALOG_LINE.format(hub=hub))
    writer.execute(triggers.BIND_SQLITE, command_id=command_id)
    try:
        for table, _ in reversed(CATALOG):
            for uid in plan[table]["delete"]:
                writer.execute(f"DELETE FROM {table} WHERE uid = :uid", uid=uid)
        for table, parent in CATALOG:
            _upsert(writer, table, parent, plan[table])
        writer.execute(
            "UPDATE command SET seq = 0, payload = :payload WHERE id = :id",
            payload=payload,
            id=command_id,
        )
    finally:
        writer.execute(triggers.UNBIND_SQLITE)
    return count


def _upsert(
    writer: Writer, table: str, parent: tuple[str, str] | None, rows: dict[str, Any]
) -> None:
    """The table's updates, then its inserts, parents' uids turned into local ids."""

    def local(values: dict[str, Any]) -> dict[str, Any]:
        values = dict(values)
        if parent is not None and parent[1] in values:  # an update may keep its parent
            column, above = parent
            values[column] = writer.scalar(
                f"SELECT id FROM {above} WHERE uid = :uid", uid=values.pop(above)
            )
        return values

    # a slug given to another row of the same parent: each moving row first takes a free one
    for uid, values in rows["update"].items():
        if "slug" in values:
            writer.execute(
                f"UPDATE {table} SET slug = :slug WHERE uid = :uid",
                slug=f"sync-{uid[:24]}".lower(),
                uid=uid,
            )
    for uid, values in rows["update"].items():
        changed = local(values)
        sets = ", ".join(f"{column} = :{column}" for column in changed)
        writer.execute(
            f"UPDATE {table} SET {sets} WHERE uid = :where_uid", where_uid=uid, **changed
        )
    for values in rows["insert"].values():
        made = local(values)
        columns = ", ".join(made)
        marks = ", ".join(f":{column}" for column in made)
        writer.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", **made)
