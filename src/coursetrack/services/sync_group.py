"""`coursetrack sync` with a study group's store: what differs from a learner's own hub.

`services.sync` runs the sync; when the hub is a group's it calls `before_pull` in the
sync's two transactions, before anything is exchanged (`docs/sync.md`, "In a study group"):

- **Only what a learner may write goes up.** A catalog change made on the replica
  (`import`, `add`, `update`, `rm`, or an undo of one) cannot: the group's catalog is the
  curators' and is changed on the group's store. So the sync refuses before exchanging
  anything and lists those commands, each with its number, to undo (or to ask a curator
  for): nothing half-synced, and nothing pushed that hangs on an item the hub lacks. A
  command and its undo, both made here, changed nothing and are not listed; they stay
  here (`store.sync_catalog.leave_out`), as does an `undo` of the catalog a sync brought
  down (a plain `undo` right after a sync takes it), which the sync brings down again,
  and a catalog change that left the rows it touched as the group has them
  (`already_the_groups`: the shipped catalog imported here before the first sync).
  A curator is refused the same: her catalog changes are made on the group's store
  (`--db`), where the others read them.
- **The catalog comes down as state.** A learner cannot read the curators' history, so
  when the group's `catalog_version` moved (`store.group_sync`), the replica reads the
  hub's catalog with its uids and applies the difference (`plan`) as one local command,
  "sync: catalog from <hub>", whose `seq` is 0: never pushed, not a pulled seq.

Services never print: the refusal is a `StoreError`, which the CLI shows on one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coursetrack.errors import StoreError
from coursetrack.store import group_sync, sync_catalog

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: The catalog's version in the sync's one read on the hub (NULL: no group's store).
HUB_CATALOG_VERSION = group_sync.HUB_CATALOG_VERSION


def catalog_moved(local: Reader, hub_version: int | None) -> bool:
    """Whether a sync has the group's catalog to bring down: the hub is a group's whose
    catalog version is not the one the replica's catalog was last brought to."""
    return hub_version is not None and sync_catalog.held_version(local) != hub_version


def refusal(commands: list[Row], *, curator: bool) -> str:
    """The refusal's words, on one line as every refusal: why, the commands ("#N line"),
    and what to do with them: undo them; an undo, which cannot be undone, is taken back
    by running again what it undid."""
    then = (
        "then make the change on the group's store (coursetrack --db URL ...)"
        if curator
        else "or ask a curator to make the change on the group's store"
    )
    listed = "; ".join(
        f"#{row.id} {row.line}"
        + (f" (it undid #{row.undoes}: run that again)" if row.undoes else "")
        for row in commands
    )
    plain = [row for row in commands if not row.undoes]
    if len(plain) == 1:
        it = "it" if len(commands) == 1 else f"#{plain[0].id}"
        undo = f"undo {it} (coursetrack undo {plain[0].id}), {then}"
    elif plain:
        undo = f"undo them (coursetrack undo N, the latest first), {then}"
    else:
        undo = then.removeprefix("then ").removeprefix("or ")
    many = f"{len(commands)} command{'s' if len(commands) != 1 else ''}"
    return (
        f"{many} made here changed the catalog, which in a study group changes on the group's "
        f"store only, so nothing was synced: {listed}. {undo[0].upper()}{undo[1:]}"
    )


def refuse_local_catalog_changes(local: Reader, hub: Reader) -> set[int]:
    """Refuse a group's sync whose replica changed the catalog (`refusal`), before
    anything is exchanged or written; the ids of the local catalog commands the group
    has already (`already_the_groups`), which stay here."""
    from coursetrack.store import group

    commands = sync_catalog.catalog_commands(local)
    if not commands:
        return set()
    kept = already_the_groups(local, hub, [row.id for row in commands])
    refused = [row for row in commands if row.id not in kept]
    if refused:
        raise StoreError(refusal(refused, curator=group.identity(hub).curator))
    return kept


def already_the_groups(local: Reader, hub: Reader, commands: list[int]) -> set[int]:
    """Of the local `commands` that changed the catalog, those whose every row (by uid)
    is now on the replica as it is on the group's store, or gone from both: the catalog
    the group has already, such as the shipped catalog imported here before the first
    sync. Nothing of them needs to go up, nor be undone."""
    theirs, ours = sync_catalog.read_catalog(hub), sync_catalog.read_catalog(local)
    kept = set()
    for command_id in commands:
        rows = sync_catalog.touched(local, command_id)
        if all(
            uid is not None and ours[table].get(uid) == theirs[table].get(uid)
            for table, uid in rows
        ):
            kept.add(command_id)
    return kept


Catalog = dict[str, dict[str, dict[str, Any]]]  # table -> uid -> columns (`read_catalog`)


def plan(hub: Catalog, here: Catalog) -> dict[str, dict[str, Any]]:
    """What makes `here`'s catalog `hub`'s, by uid, per table: the rows to insert (all
    their columns), to update (the columns that differ) and the uids to delete."""
    out: dict[str, dict[str, Any]] = {}
    for table, _ in sync_catalog.CATALOG:
        theirs, ours = hub.get(table, {}), here.get(table, {})
        update = {}
        for uid in theirs.keys() & ours.keys():
            changed = {k: v for k, v in theirs[uid].items() if ours[uid].get(k) != v}
            if changed:
                update[uid] = changed
        out[table] = {
            "insert": {uid: theirs[uid] for uid in sorted(theirs.keys() - ours.keys())},
            "update": dict(sorted(update.items())),
            "delete": sorted(ours.keys() - theirs.keys()),
        }
    return out


def _out_of_date(hub: Reader) -> str:
    owner = sync_catalog.hub_owner(hub)
    return (
        "the study group's security is out of date (it has no catalog version, which sync "
        f"needs); ask its owner {owner} to run any coursetrack command, or "
        "'coursetrack group init'"
    )


def before_pull(local: Writer, hub: Reader, hub_shown: str) -> dict[str, int] | None:
    """The group's part of a sync, in its two transactions before the pull: None where the
    hub is no group's; else refuse a replica's catalog changes, keep its cancelled pairs
    out of the push, and bring the catalog down when it moved. What the sync's JSON says
    of it: {"version": the group's catalog version, "changes": rows changed here}."""
    from coursetrack.store import group

    version = sync_catalog.hub_version(hub)
    if version is None:
        if group.is_group(hub):  # a group secured by an older coursetrack: no version yet
            raise StoreError(_out_of_date(hub))
        return None
    kept = refuse_local_catalog_changes(local, hub)
    undone = sync_catalog.leave_out(local, kept)  # the catalog brought down, undone here
    held = None if undone else sync_catalog.held_version(local)
    if held == version:
        return {"version": version, "changes": 0}
    changes = sync_catalog.apply_catalog(
        local,
        plan(sync_catalog.read_catalog(hub), sync_catalog.read_catalog(local)),
        hub=hub_shown,
        version=version,
    )
    return {"version": version, "changes": changes}
