"""Who this store is for a sync (issue 24): its one `sync_state` row.

Made with the store (`store.sync_schema`): the replica's id and its machine's name, and
once `sync URL` ran, the hub it syncs with. `whoami` shows them; the sync itself
(`store.sync`) keeps them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

IDENTITY = "SELECT replica, name AS machine, hub_url AS hub FROM sync_state"


def identity(reader: Reader) -> Row | None:
    """This store's replica id, machine name and hub URL (None: a store without the row)."""
    return reader.one(IDENTITY)
