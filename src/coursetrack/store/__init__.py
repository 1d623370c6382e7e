"""The one place that opens the store.

`schema` holds the store's version and runs the tables' migrations
(`migrations`), `triggers` the history triggers, `engine` the connections and
transactions (SQLite and PostgreSQL), `inspect` what a target is before it is
opened (a file, a SQLite URL, a PostgreSQL URL and its driver).
`opening` ties them together: `open_store` and the `Store` it returns, which this
package offers by name, imported on first use.

SQLAlchemy and SQLModel are imported inside the functions that need them:
shell completion reads the store through `coursetrack.completion`, which needs
only the standard library's sqlite3, and must answer on every Tab without paying
for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coursetrack.store.engine import BUSY_TIMEOUT_ENV, DEFAULT_BUSY_TIMEOUT, busy_timeout
    from coursetrack.store.opening import Store, open_store
    from coursetrack.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT_ENV",
    "DEFAULT_BUSY_TIMEOUT",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Store",
    "busy_timeout",
    "open_store",
]

#: Where each name the package offers lives, imported on first use (see `opening`).
_HOMES = {
    "Store": "opening",
    "open_store": "opening",
    "APPLICATION_ID": "schema",
    "MIGRATIONS": "schema",
    "SCHEMA_VERSION": "schema",
    "BUSY_TIMEOUT_ENV": "engine",
    "DEFAULT_BUSY_TIMEOUT": "engine",
    "busy_timeout": "engine",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
