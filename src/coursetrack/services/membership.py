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
        }


def who_am_i(store: Store) -> WhoAmI:
    """The learner on `store` (one read transaction)."""
    from coursetrack.store import group, members

    if not store.exists and members.is_postgres_target(store.target):
        # an empty database reads as an empty store in memory: its learner is
        # the role the URL connects as, as libpq picks it
        return WhoAmI(_libpq_user(store.target), "curator", group=False, store=store.target)
    with store.read() as reader:
        who = group.identity(reader)
    return WhoAmI(
        who.learner,
        "curator" if who.curator else "learner",
        group=who.group,
        store=store.target,
        bypasses=who.bypasses,
    )


def _libpq_user(target: str) -> str:
    import getpass
    import os
    from urllib.parse import unquote, urlsplit

    user = urlsplit(target).username
    return unquote(user) if user else os.environ.get("PGUSER") or getpass.getuser()
