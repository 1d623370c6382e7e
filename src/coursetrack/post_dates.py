"""The dates of a post (`export markdown`): `--date` as typed, the clock, and how Hugo
and Jekyll write a date in front matter. Kept apart from `blog`, which builds the text.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from coursetrack.errors import InputError


def parse_post_date(text: str) -> dt.datetime:
    """`--date`: a date or a date and time; an offset given is kept, else the local one."""
    raw = text.strip()
    word = raw.lower()
    if word == "now":
        return now()
    if word in ("today", "yesterday"):
        from coursetrack.dates import parse_date

        return local_midnight(parse_date(word, option="--date"))
    value: dt.datetime | None = None
    try:
        value = dt.datetime.strptime(raw, "%Y-%m-%d %H:%M:%S %z")  # Jekyll's own form
    except ValueError:
        with contextlib.suppress(ValueError):
            value = dt.datetime.fromisoformat(raw)
    if value is None:
        raise InputError(
            f"--date {text!r} is not a date: use YYYY-MM-DD, 2020-10-27T16:32:08-04:00, "
            "2020-10-27 16:32:08 -0400, 'now', 'today' or 'yesterday'"
        )
    if value.tzinfo is None:
        from coursetrack.dates import local

        value = local(value)
    return value.replace(microsecond=0)


def now() -> dt.datetime:
    """The project's one clock (COURSETRACK_NOW pins it), to the second."""
    from coursetrack.dates import now as clock

    return clock().replace(microsecond=0)


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` with the local offset in force on that day (DST included)."""
    from coursetrack.dates import local

    return local(dt.datetime.combine(day, dt.time()))


def hugo_date(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def jekyll_date(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %z")
