"""Dates the user types (`--on 2026-11-01`, `--on today`)."""

from __future__ import annotations

import datetime as dt
import os

from coursetrack.errors import InputError

CLOCK_ENV = "COURSETRACK_NOW"


def now() -> dt.datetime:
    """The one clock the program reads: the local time, with its offset.

    `COURSETRACK_NOW` (ISO 8601, e.g. 2026-03-01T09:00:00+01:00) pins it, so
    tests and demos get the same dates in every process they start.
    """
    pinned = os.environ.get(CLOCK_ENV)
    if pinned:
        try:
            moment = dt.datetime.fromisoformat(pinned)
        except ValueError:
            raise InputError(
                f"{CLOCK_ENV}={pinned!r} is not an ISO date-time; unset it "
                "or give e.g. 2026-03-01T09:00:00+00:00"
            ) from None
        return moment if moment.tzinfo else moment.astimezone()
    return dt.datetime.now().astimezone()


def today() -> dt.date:
    return now().date()


def parse_date(text: str, *, option: str = "--on") -> dt.date:
    """An ISO date (YYYY-MM-DD), `today` or `yesterday`."""
    word = text.strip().lower()
    if word == "today":
        return today()
    if word == "yesterday":
        return today() - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a date: use YYYY-MM-DD (for example 2026-03-14), "
            "'today' or 'yesterday'"
        ) from None
