"""`coursetrack check`: verify the store, and say what is wrong or that all holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursetrack.store import Store
    from coursetrack.store.check import Problem


@dataclass(frozen=True)
class CheckReport:
    store: str  # as the user named it, any password masked
    engine: str  # "sqlite" or "postgresql"
    checks: list[str]  # the checks that applied to this store, in the order they ran
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "problems": [{"check": p.check, "detail": p.detail} for p in self.problems],
            "store": self.store,
            "engine": self.engine,
            "checks": self.checks,
        }


def check_store(store: Store) -> CheckReport:
    """Run every check that applies to `store`, in one read transaction."""
    from coursetrack.store import check

    if not store.exists:
        problem = check.Problem("store", f"there is no store at {store.target} yet")
        return CheckReport(store.target, store.dialect, [], [problem])
    with store.read() as reader:
        names, problems = check.run(reader)
    return CheckReport(store.target, store.dialect, names, problems)
