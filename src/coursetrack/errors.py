"""Errors a user can act on.

Everything below the CLI raises a `CoursetrackError`; only the CLI turns it into
one line on stderr and an exit code, so the library stays usable on its own.
"""

from __future__ import annotations


class CoursetrackError(Exception):
    """A problem with the user's input or store, worded so they can fix it."""

    exit_code = 1


class RefError(CoursetrackError):
    """A ref that names nothing, or more than one thing."""


class CatalogError(CoursetrackError):
    """A catalog file that cannot be read or does not follow the format."""


class StoreError(CoursetrackError):
    """A store that is not ours, is from a newer version, cannot be reached or written.

    Its message names the store as the user gave it, with any password masked.
    """


class InputError(CoursetrackError):
    """A value given on the command line that makes no sense (a date, a position)."""


class ConflictError(CoursetrackError):
    """A change that would break the catalog (a duplicate slug, say)."""


class Refused(CoursetrackError):
    """The command declined to do something destructive without confirmation."""


class StaleError(CoursetrackError):
    """What the user named or confirmed changed before the command could act on it."""


class ExportError(CoursetrackError):
    """An export or backup that cannot be written, or a backup that cannot be restored."""
