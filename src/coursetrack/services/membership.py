"""Who the learner of a store is, and what they may do there (`whoami`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursetrack.store import Store


@dataclass(frozen=True)
class WhoAmI:
    learner: str
    role: str  # "curator" (may change the catalog) or "learner"
    group: bool  # the store is a study group's
    store: str  # as the user named it, any password masked
    bypasses: bool = False  # a superuser: not held by the group's row-level security
    #: Issue 24: this store as a replica (its id and machine name), and the hub it syncs
    #: with (None until `sync URL`); None on a store that does not exist yet.
    replica: str | None = None
    machine: str | None = None
    hub: str | None = None
    #: A SQLite store is a replica (a PostgreSQL one is a hub): whoami names it.
    local: bool = False

    @property
    def replica_lines(self) -> list[str]:
        """What `whoami` adds for a replica: its name and id, and its hub once synced."""
        if not self.local or self.replica is None:
            return []
        lines = [f"replica  {self.machine or '?'} ({self.replica})"]
        if self.hub:
            lines.append(f"hub      {self.hub}")
        return lines

    @property
    def role_line(self) -> str:
        if self.group and self.bypasses:
            return (
                f"{self.role}, and a superuser: learners' commands refuse this connection "
                "(row-level security does not hold it)"
            )
        if self.group:
            return self.role
        return f"{self.role} (the store has no study group: you keep its catalog too)"

    def to_dict(self) -> dict:
        return {
            "learner": self.learner,
            "role": self.role,
            "group": self.group,
            "store": self.store,
            "replica": self.replica,
            "machine": self.machine,
            "hub": self.hub,
        }


def who_am_i(store: Store) -> WhoAmI:
    """The learner on `store` (one read transaction)."""
    from coursetrack.store import group, members, replica

    if not store.exists and members.is_postgres_target(store.target):
        # an empty database reads as an empty store in memory: its learner is
        # the role the URL connects as, as libpq picks it
        return WhoAmI(_libpq_user(store.target), "curator", group=False, store=store.target)
    with store.read() as reader:
        who = group.identity(reader)
        this = replica.identity(reader) if store.exists else None
    return WhoAmI(
        who.learner,
        "curator" if who.curator else "learner",
        group=who.group,
        store=store.target,
        bypasses=who.bypasses,
        replica=this.replica if this else None,
        machine=this.machine if this else None,
        hub=this.hub if this else None,
        local=not members.is_postgres_target(store.target),
    )


def _libpq_user(target: str) -> str:
    import getpass
    import os
    from urllib.parse import unquote, urlsplit

    user = urlsplit(target).username
    return unquote(user) if user else os.environ.get("PGUSER") or getpass.getuser()
