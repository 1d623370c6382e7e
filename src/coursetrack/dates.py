"""Dates the user types (`--on 2026-11-01`, `--on today`)."""

from __future__ import annotations

import datetime as dt

from coursetrack.errors import InputError


def today() -> dt.date:
    """The one clock the program reads, so tests can pin it."""
    return dt.date.today()


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
