"""Where the store lives.

`--db` wins, then `COURSETRACK_DB`, then the platform's user data directory
(`~/.local/share/coursetrack/coursetrack.db` on Linux, honouring XDG_DATA_HOME).
A value with `://` is taken as a URL rather than a file path: a SQLite URL
(`sqlite:///file.db`) or a PostgreSQL one (`postgresql://me@host/db`, or on a
unix socket `postgresql://me@/db?host=/run/postgresql`).
"""

from __future__ import annotations

import os
from pathlib import Path

from coursetrack.errors import StoreError

ENV_VAR = "COURSETRACK_DB"
APP_NAME = "coursetrack"
DB_FILENAME = "coursetrack.db"


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / DB_FILENAME


def resolve_db(option: str | None) -> str:
    """The store to use, as a file path or a URL (SQLite or PostgreSQL)."""
    if option is not None:
        if not option.strip():
            raise StoreError(
                "--db is empty; give a file path, or leave --db out for the default store"
            )
        return option
    env = os.environ.get(ENV_VAR)
    if env is not None:
        if not env.strip():
            raise StoreError(
                f"{ENV_VAR} is set but empty; give it a file path, "
                "or unset it for the default store"
            )
        return env
    return str(default_db_path())


def is_url(target: str) -> bool:
    return "://" in target
