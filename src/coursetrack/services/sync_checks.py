"""What a sync brings is input (issue 24; the red team's findings): a command written into
the hub's table by hand must be a command before it is placed or replayed. Each check
refuses the sync in one line, nothing changed (`services.sync` calls them); a change that
is no change sets its command aside instead (`store.sync_apply.check`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from coursetrack.errors import Refused
from coursetrack.store import sync as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Row


def changes_of(text: str) -> Any:
    """A payload's changes; None for a text that is no payload (hand-written)."""
    try:
        p = store.parsed(text)
    except (ValueError, TypeError):
        return None
    return p.get("changes") if isinstance(p, dict) else None


def check_stamps(rows: list[Row], where: str) -> None:
    """Refuse, before anything is merged, a command whose stamp the clock cannot follow
    (`clock.is_stamp`): a command is placed by its stamp, and the next ones stamped after."""
    from coursetrack.store.clock import is_stamp

    for row in rows:
        if not is_stamp(row.stamp):
            raise Refused(
                f"cannot sync: {where} command {row.gid} has a malformed stamp "
                f"({str(row.stamp)[:40]!r}); nothing was changed"
            )


#: The fields of a payload a replay writes, and the types they must have.
FIELDS: dict[str, tuple[type, ...]] = {
    "gid": (str,),
    "replica": (str,),
    "stamp": (str,),
    "at": (str,),
    "line": (str,),
    "machine": (str, type(None)),
    "undoes": (str, type(None)),
}


def checked(p: Any, *, gid: str, stamp: str, where: str) -> dict[str, Any]:
    """A payload's fields read to be replayed (`sync_payload.opened`), once they are one:
    what a sync brings is input (a command written into the hub's table by hand). Its own
    gid and stamp must be those it was listed and placed by. Its changes are checked as
    they are applied (a malformed one sets the command aside, `sync_apply`)."""
    why = None
    if not isinstance(p, dict):
        why = "not a JSON object"
    else:
        for name, types in FIELDS.items():
            if not isinstance(p.get(name), types):
                why = f"no {name}" if p.get(name) is None else f"its {name} is not text"
                break
        else:
            if p["gid"] != gid or p["stamp"] != stamp:
                why = "its gid or stamp is not the one it is listed by"
            elif not a_moment(p["at"]):
                why = "its at is not a moment"
    if why is not None or not isinstance(p, dict):
        raise Refused(
            f"cannot sync: {where} command {gid} is malformed ({why}); nothing was changed"
        )
    return p


def a_moment(text: str) -> bool:
    """Whether `text` is a moment as `log` reads a command's (ISO 8601)."""
    import datetime as dt

    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
