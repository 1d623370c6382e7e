"""Dates the user types (`--on 2026-11-01`, `--on today`, `--since "3 days ago"`)."""

from __future__ import annotations

import datetime as dt
import os
import re

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


_DAYS_AGO = re.compile(r"(\d{1,5})\s+days?\s+ago")


EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def parse_date(text: str, *, option: str = "--on", future: bool = True) -> dt.date:
    """An ISO date (YYYY-MM-DD), `today`, `yesterday` or `N days ago`.

    `future=False` is for when something happened: a date after today is a typo,
    and one stored would skew streaks, plans and review dates for good.
    """
    value = _parse(text, option=option)
    if not EARLIEST <= value <= LATEST:
        raise InputError(
            f"{option} {text!r} is out of range: give a date from {EARLIEST} to {LATEST}"
        )
    if not future and value > today():
        raise InputError(
            f"{option} {text!r} is in the future (today is {today()}); give the day it happened"
        )
    return value


def _parse(text: str, *, option: str) -> dt.date:
    word = " ".join(text.strip().lower().split())
    if word == "today":
        return today()
    if word == "yesterday":
        return today() - dt.timedelta(days=1)
    ago = _DAYS_AGO.fullmatch(word)
    if ago:
        return today() - dt.timedelta(days=int(ago.group(1)))
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a date: use YYYY-MM-DD (for example 2026-03-14), "
            "'today', 'yesterday' or 'N days ago'"
        ) from None
