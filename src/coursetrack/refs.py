"""Refs: how a user names an item.

`SPEC`, `SPEC/COURSE` or `SPEC/COURSE/TOPIC`. Each part is a slug, a unique
prefix of one, or (for courses and topics) a 1-based position: `dls/2/1` is
the first topic of the second course. Errors list the candidates, since the
user usually just needs to see what is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from coursetrack.errors import RefError, StaleError

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader, Row

EXAMPLE = "write SPEC, SPEC/COURSE or SPEC/COURSE/TOPIC, e.g. dls or dls/2/1"
_MAX_LISTED = 12


class _Named(Protocol):
    slug: str
    title: str


_T = TypeVar("_T", bound=_Named)


@dataclass
class Target:
    """What a ref resolved to: a specialization, maybe a course in it, maybe a topic."""

    specialization: Row
    course: Row | None = None
    topic: Row | None = None

    @property
    def kind(self) -> str:
        if self.topic is not None:
            return "topic"
        if self.course is not None:
            return "course"
        return "specialization"

    @property
    def item(self) -> Row:
        return self.topic or self.course or self.specialization

    @property
    def ref(self) -> str:
        """The canonical ref, by slugs."""
        parts = [self.specialization.slug]
        if self.course is not None:
            parts.append(self.course.slug)
        if self.topic is not None:
            parts.append(self.topic.slug)
        return "/".join(parts)

    @property
    def short_ref(self) -> str:
        """The ref by positions (`gda/2/3`): what a hint on a narrow terminal gives when
        the slugs (`gda/ask-questions-to-make-data-driven-decisions`) do not fit."""
        parts = [self.specialization.slug]
        if self.course is not None:
            parts.append(str(self.course.position))
        if self.topic is not None:
            parts.append(str(self.topic.position))
        return "/".join(parts)


def _clip(text: str, limit: int = 40) -> str:
    """A ref as quoted in a message: long ones cut, so the error stays one readable line."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def split_ref(text: str) -> list[str]:
    """The parts of a ref, or a RefError saying what is wrong with its shape."""
    stripped = text.strip()
    if not stripped:
        raise RefError(f"empty ref: {EXAMPLE}")
    parts = stripped.rstrip("/").split("/")  # "dls/" (from completion) means dls
    if len(parts) > 3:
        raise RefError(f"ref {_clip(text)} has {len(parts)} parts, at most 3: {EXAMPLE}")
    if any(not p for p in parts):
        raise RefError(f"ref {_clip(text)} has an empty part: {EXAMPLE}")
    return parts


def resolve(writer: Reader, text: str) -> Target:
    """The item `text` names in a write's transaction, or a RefError listing what it
    could have meant.

    In a write that waited while another command changed the store (see
    `Store.write`), `text` must name the same rows it named when the command
    started, whether by position, prefix or slug; otherwise a StaleError says
    what moved, and the command changes nothing.
    """
    info = getattr(writer, "info", None) or {}
    seen = info.get("seen")
    if seen is None:
        return read_target(writer, text)
    before = read_target(seen, text)  # what the user named: its errors are theirs
    try:
        now = read_target(writer, text)
    except RefError:
        now = None
    if now is None or _ids(now) != _ids(before):
        was = f"{before.kind} {before.ref} ({_clip(before.item.title)})"
        what = f"it now names {now.ref}" if now is not None else "it names nothing now"
        raise StaleError(
            f"{_clip(text)} named {was} when this command started, but another command "
            f"changed the store while it waited and {what}; nothing was changed, "
            "check and run it again"
        )
    return now


def _ids(target: Target) -> tuple[int | None, ...]:
    course, topic = target.course, target.topic
    # a row read from the store is never empty: None, or a row with its id
    return (
        target.specialization.id,
        None if course is None else course.id,
        None if topic is None else topic.id,
    )


def read_target(reader: Reader, text: str) -> Target:
    """The item `text` names, as plain rows: what read-only commands resolve refs with.

    The same rules as `resolve` (`_pick`), through the read SQL in `store.queries`.
    """
    from coursetrack.store import queries

    parts = split_ref(text)
    specs = reader.all(queries.SPECIALIZATIONS)
    if not specs:
        raise RefError(
            f"no specialization {_clip(parts[0])}: the store is empty; "
            "start with 'coursetrack import deep-learning-specialization'"
        )
    spec = _pick(parts[0], specs, what="specialization", where="the store", numbered=False)
    target = Target(spec)
    if len(parts) == 1:
        return target
    courses = reader.all(queries.COURSES_OF, specialization_id=spec.id)
    target.course = _pick(parts[1], courses, what="course", where=spec.slug, numbered=True)
    if len(parts) == 2:
        return target
    topics = reader.all(queries.TOPICS_OF, course_id=target.course.id)
    target.topic = _pick(
        parts[2], topics, what="topic", where=f"{spec.slug}/{target.course.slug}", numbered=True
    )
    return target


def _pick(part: str, items: list[_T], *, what: str, where: str, numbered: bool) -> _T:
    if numbered and part.isascii() and part.isdigit():  # ASCII only: '²'.isdigit() is true too
        short = len(part) <= 9  # int() refuses very long digit strings
        if short and 1 <= int(part) <= len(items):
            return items[int(part) - 1]
        shown = int(part) if short else _clip(part)
        raise RefError(
            f"{where} has no {what} {shown}: {_range(items, what)}; {_listing(items, numbered)}"
        )
    key = part.lower()
    for item in items:
        if item.slug == key:
            return item
    matches = [item for item in items if item.slug.startswith(key)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise RefError(
            f"{what} {_clip(part)} in {where} is ambiguous: it could be "
            + ", ".join(m.slug for m in matches[:_MAX_LISTED])
        )
    if not items:
        raise RefError(f"{where} has no {what}s yet; add one with 'coursetrack add {what}'")
    listing = _listing(items, numbered)
    near = _nearest(key, items)
    if near:
        raise RefError(f"no {what} {_clip(part)} in {where}; did you mean {near}? ({listing})")
    raise RefError(f"no {what} {_clip(part)} in {where}; {listing}")


def _nearest(key: str, items: list) -> str | None:
    """The slugs at this level closest to a mistyped `key` (a typo, a letter missing), as
    difflib ranks them: "a or b", or None when none is close."""
    import difflib

    close = difflib.get_close_matches(key, [item.slug for item in items], n=3, cutoff=0.6)
    if not close:
        return None
    return close[0] if len(close) == 1 else ", ".join(close[:-1]) + " or " + close[-1]


def _range(items: list, what: str) -> str:
    if not items:
        return f"it has no {what}s"
    return f"it has {len(items)} ({'1' if len(items) == 1 else f'1-{len(items)}'})"


def _listing(items: list, numbered: bool) -> str:
    if not items:
        return "there are none yet"
    shown = [
        f"{i}={item.slug}" if numbered else item.slug
        for i, item in enumerate(items[:_MAX_LISTED], start=1)
    ]
    more = f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else ""
    return "choose from " + ", ".join(shown) + more
