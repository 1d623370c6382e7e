"""The stamp of a command: a hybrid logical clock (issue 24, docs/sync.md "The stamp").

A stamp is `f"{wall_ms:016d}.{counter:04d}.{replica}"`: fixed widths, so the text sorts
as the tuple (wall, counter, replica). `wall_ms` is the machine's clock, but never
below the largest stamp the store holds (its own commands and every one a sync
pulled): a clock that went back, or lags a machine it synced with, takes that wall
and the next counter. So a command is always stamped after everything its store had
seen when it ran, whatever the clocks say, and the replica id breaks every tie.

Pure: `store.recording.record_command` reads the last stamp and the replica in one
query and asks here for the next one; the migration (`store.sync_schema`) stamps a
store's existing commands with it too, in id order.
"""

from __future__ import annotations

import re

#: The counter's last value: past it, the stamp moves to the next millisecond.
MAX_COUNTER = 9999

#: The last millisecond of year 9999: a stamp's wall is never later, so that the next
#: stamp (wall + 1 at worst) keeps the 16 digits that make the text sort as the tuple.
MAX_WALL = 253_402_300_799_999

_STAMP = re.compile(r"\A(\d{16})\.\d{4}\.[0-9A-Za-z_-]{1,64}\Z")


def is_stamp(text: object) -> bool:
    """Whether `text` is a stamp this clock can follow (one a sync brought is input: a
    hand-written one that does not parse, or whose wall is past `MAX_WALL`, would stop
    every later command's stamp, or make it sort before the one it follows)."""
    if not isinstance(text, str):
        return False
    found = _STAMP.match(text)
    return found is not None and int(found.group(1)) <= MAX_WALL


def parse(stamp: str) -> tuple[int, int, str]:
    """(wall_ms, counter, replica) of a stamp."""
    wall, counter, replica = stamp.split(".", 2)
    return int(wall), int(counter), replica


def format_stamp(wall_ms: int, counter: int, replica: str) -> str:
    """The stamp's text: sorts as (wall_ms, counter, replica)."""
    return f"{wall_ms:016d}.{counter:04d}.{replica}"


def next_stamp(last: str | None, now_ms: int, replica: str) -> str:
    """The stamp of a new command made at `now_ms` on `replica`, after `last` (the
    largest stamp the store holds, or None).

    Later than `last` always: a clock at or behind `last`'s wall takes that wall and
    the next counter; at the counter's end (9999), the next millisecond.
    """
    now_ms = max(int(now_ms), 0)
    if last is None:
        return format_stamp(now_ms, 0, replica)
    wall, counter, _ = parse(last)
    if now_ms > wall:
        return format_stamp(now_ms, 0, replica)
    if counter >= MAX_COUNTER:
        return format_stamp(wall + 1, 0, replica)
    return format_stamp(wall, counter + 1, replica)
