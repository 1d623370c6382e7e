"""Slugs: the short, stable names that refs use (`dls/cnn/detection`)."""

from __future__ import annotations

import re
import unicodedata

from coursetrack.validate import MAX_SLUG

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Letters that Unicode does not decompose into a base letter plus an accent.
_SPELLED = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
     "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d"}
)  # fmt: skip
_VALID = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")


def slugify(title: str) -> str:
    """A lowercase ASCII slug derived from a title; accents are folded, not dropped.

    A long title gives a slug cut at a word boundary within MAX_SLUG characters.
    The result passes `slug_problem` unless it is empty or all digits (catalogs
    rely on it to check only those).
    """
    if title.isascii():  # most titles: nothing to spell out or fold
        folded = title
    else:
        spelled = title.translate(_SPELLED)
        folded = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", folded.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[: MAX_SLUG + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[1:] else cut[:MAX_SLUG]
    return slug.strip("-")


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot be used, or None when it can.

    Slugs are lowercase ASCII words joined by - _ or . and never all digits,
    since a number in a ref means a position.
    """
    if not slug:
        return "a slug cannot be empty"
    if len(slug) > MAX_SLUG:
        return f"slug {slug[:40]!r}... is {len(slug):,} characters long; the limit is {MAX_SLUG}"
    if slug.isdigit():
        return f"slug {slug!r} is all digits, which a ref would read as a position"
    if not _VALID.fullmatch(slug):  # match() with $ would let 'x\n' through
        return f"slug {slug!r} must be lowercase letters and digits joined by '-', '_' or '.'"
    return None
