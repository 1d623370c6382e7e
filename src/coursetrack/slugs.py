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


#: A default slug longer than this is shortened to its title's first significant words.
SHORT_SLUG = 24

#: Words a shortened slug leaves out: they tell titles apart least.
_MINOR = frozenset(
    ("a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "its", "of", "on",
     "or", "the", "to", "with", "your")
)  # fmt: skip


def full_slug(title: str) -> str:
    """Every word of a title as a slug (the default before short slugs), cut at a word
    boundary within MAX_SLUG characters. Stores made then keep these (`candidates`)."""
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


def candidates(title: str) -> list[str]:
    """The default slugs of a title, shortest first: the one to use is the first no
    sibling has (`slugify` is the first).

    A slug of at most SHORT_SLUG characters is the title's every word, as always.
    A longer one is its first significant words (no "the", "of", "and"...) within
    SHORT_SLUG characters (a first word longer than that is cut), then one more
    word at a time, then every word (`full_slug`).
    """
    full = full_slug(title)
    if len(full) <= SHORT_SLUG:
        return [full]
    words = [w for w in full.split("-") if w not in _MINOR] or full.split("-")
    first = words[0][:SHORT_SLUG]
    count = 1
    while count < len(words) and len("-".join(words[: count + 1])) <= SHORT_SLUG:
        count += 1
    shortest = "-".join([first, *words[1:count]])
    found = [shortest]
    for more in range(count + 1, len(words) + 1):
        longer = "-".join(words[:more])
        if len(longer) > MAX_SLUG:
            break
        found.append(longer)
    if full not in found:
        found.append(full)
    return found


def slugify(title: str) -> str:
    """A lowercase ASCII slug derived from a title; accents are folded, not dropped.

    A long title gives a short slug: its first significant words, within SHORT_SLUG
    characters (`candidates`). The result passes `slug_problem` unless it is empty
    or all digits (catalogs rely on it to check only those).
    """
    return candidates(title)[0]


def unique(title: str, taken: set[str] | dict) -> str:
    """The first of `title`'s default slugs that no sibling in `taken` has; every one
    taken: the last (the caller's duplicate error names it)."""
    found = candidates(title)
    return next((slug for slug in found if slug not in taken), found[-1])


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
