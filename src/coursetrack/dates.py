"""The clock, and dates the user types (`--on 2026-11-01`, `--on today`, `--since "3 days ago"`).

How time is stored, whatever TZ says (also in the README):
- a command's moment (`log`) is stored in UTC and shown in the local zone;
- a day (started, completed, a note's, a review's, a goal) is the calendar day
  in the user's zone when the command ran: TZ or the system's, or the offset
  COURSETRACK_NOW carries when it pins the clock;
- a day left out is today, but never before a day already recorded for the
  same thing: moving west across the date line can make today earlier than
  yesterday's start, while the events' order is certain (see `not_before`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time

from coursetrack.errors import InputError

CLOCK_ENV = "COURSETRACK_NOW"
ZONE_ENV = "TZ"
#: Python's datetime holds offsets strictly within a day of UTC; the C library
#: takes TZ=UTC+24 (or +99, clamped to 24 h) and zone files allow 26 h.
_DAY = 24 * 3600


def check_zone() -> None:
    """Refuse, as a command starts, a local zone that no datetime can carry.

    `time.timezone` and `time.altzone` are the zone's offsets this year,
    standard and daylight: a rule whose summer alone is 25 h away is refused
    in winter too, before a command writes anything.
    """
    if max(abs(time.timezone), abs(time.altzone)) >= _DAY:
        raise _zone_error()
    local()


def local(moment: dt.datetime | None = None) -> dt.datetime:
    """`moment` (naive: a wall time here; aware: converted), or now, in the local zone.

    Every reading of the local zone goes through here: a zone whose offset on
    that day is 24 hours or more from UTC (a zone file's past can be) is an
    InputError naming TZ, not a ValueError from datetime.
    """
    try:
        return (dt.datetime.now() if moment is None else moment).astimezone()
    except ValueError as exc:
        if "offset must be a timedelta" not in str(exc):
            raise
        raise _zone_error(None if moment is None else moment.year) from None


def _zone_error(year: int | None = None) -> InputError:
    setting = os.environ.get(ZONE_ENV)
    if setting:
        zone = f"{ZONE_ENV}={setting[:200]!r}"
        what = f"{zone} is a time zone" if year is None else f"{zone} puts {year}"
    else:
        what = (
            "the system's time zone is" if year is None else f"the system's time zone puts {year}"
        )
    return InputError(
        f"{what} 24 hours or more from UTC, which no date can carry; set {ZONE_ENV} to a "
        f"zone name such as Europe/Paris or UTC{', or unset it' if setting else ''}"
    )


def now() -> dt.datetime:
    """The one clock the program reads: the local time, with its offset.

    `COURSETRACK_NOW` (ISO 8601, e.g. 2026-03-01T09:00:00+01:00) pins it, so
    tests and demos get the same dates in every process they start. It must
    lie in the years every stored date may take (1900 to 2999).
    """
    pinned = os.environ.get(CLOCK_ENV)
    if pinned:
        try:
            moment = dt.datetime.fromisoformat(pinned.strip())
        except ValueError as exc:
            if "offset must be a timedelta" in str(exc):
                raise InputError(
                    f"{CLOCK_ENV}={pinned[:40]!r} has an offset of 24 hours or more from UTC; "
                    "give one from -23:59 to +23:59, e.g. 2026-03-01T09:00:00+01:00, or unset it"
                ) from None
            raise InputError(
                f"{CLOCK_ENV}={pinned[:40]!r} is not an ISO date-time; unset it "
                "or give e.g. 2026-03-01T09:00:00+00:00"
            ) from None
        if not EARLIEST <= moment.date() <= LATEST:
            raise InputError(
                f"{CLOCK_ENV}={pinned[:40]!r} is out of range: give a moment from "
                f"{EARLIEST} to {LATEST}, or unset it"
            )
        return moment if moment.tzinfo else local(moment)
    return local()


def today() -> dt.date:
    return now().date()


#: "3 days ago", "2 weeks ago"; "in 30 days", "in 2 weeks".
_AGO = re.compile(r"(\d{1,5})\s+(day|week)s?\s+ago")
_IN = re.compile(r"in\s+(\d{1,5})\s+(day|week)s?")
_PAST_WORDS = ("'today'", "'yesterday'", "'N days ago'", "'N weeks ago'")
_FUTURE_WORDS = ("'today'", "'tomorrow'", "'in N days'", "'in N weeks'")


def not_before(*days: dt.date | None) -> dt.date:
    """Today, or the latest of `days` if the clock puts today before it.

    For a day the user left out that must follow one already recorded (done
    after started, a review after done): after a change of zone today can be
    the day before, and "done before it was started" would be refused.
    """
    return max([today(), *(day for day in days if day is not None)])


def stamp() -> str:
    """The moment a command runs, as stored: ISO 8601 in UTC, so stored moments sort."""
    return now().astimezone(dt.UTC).isoformat(timespec="seconds")


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of `day` in the user's zone (as `today` counts days)."""
    midnight = dt.datetime.combine(day, dt.time())
    if os.environ.get(CLOCK_ENV):
        return midnight.replace(tzinfo=now().tzinfo)  # the pinned clock's offset
    return local(midnight)  # the local zone's offset on that day (DST)


EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def parse_date(
    text: str, *, option: str = "--on", future: bool = True, past: bool = True
) -> dt.date:
    """An ISO date (YYYY-MM-DD) or a word for one, relative to today.

    `future=False` is for when something happened: a date after today is a typo,
    and one stored would skew streaks, plans and review dates for good. Words
    follow the tense the option takes: `yesterday`, `N days ago`, `N weeks ago`
    for the past, `tomorrow`, `in N days`, `in N weeks` for the future
    (`past=False`: a goal). The error lists the forms this option takes.
    """
    value = _parse(text, option=option, future=future, past=past)
    if not EARLIEST <= value <= LATEST:
        raise InputError(
            f"{option} {text!r} is out of range: give a date from {EARLIEST} to {LATEST}"
        )
    if not future and value > today():
        raise InputError(
            f"{option} {text!r} is in the future (today is {today()}); give the day it happened"
        )
    return value


def date_forms(*, future: bool = True, past: bool = True) -> str:
    """The forms an option takes, for its help and its errors."""
    words = list(dict.fromkeys((_PAST_WORDS if past else ()) + (_FUTURE_WORDS if future else ())))
    return f"YYYY-MM-DD (for example 2026-03-14), {', '.join(words[:-1])} or {words[-1]}"


def _parse(text: str, *, option: str, future: bool, past: bool) -> dt.date:
    word = " ".join(text.strip().lower().split())
    relative = None
    if word == "today":
        relative = 0
    elif word in ("yesterday", "tomorrow"):
        relative = -1 if word == "yesterday" else 1
    elif ago := _AGO.fullmatch(word):
        relative = -int(ago.group(1)) * (7 if ago.group(2) == "week" else 1)
    elif ahead := _IN.fullmatch(word):
        relative = int(ahead.group(1)) * (7 if ahead.group(2) == "week" else 1)
    if relative is not None and ((relative < 0 and not past) or (relative > 0 and not future)):
        tense = "in the past" if relative < 0 else "in the future"
        raise InputError(
            f"{option} {text!r} is {tense}; use {date_forms(future=future, past=past)}"
        )
    if relative is not None:
        try:
            return today() + dt.timedelta(days=relative)
        except OverflowError:
            return dt.date.min if relative < 0 else dt.date.max  # refused as out of range
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a date: use {date_forms(future=future, past=past)}"
        ) from None
