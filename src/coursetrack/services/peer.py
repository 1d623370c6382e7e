"""Peer review in a study group (issue 23): ask, list, review, show.

A learner asks the group to review her work on a course or topic (a link, a
note); the others list what they may review, fewest reviews first, and review it
once each: a verdict, the item's rubric scored when the catalog gives one, a
Markdown comment. The author reads the reviews without their reviewers' names.

Only a study group's store has peers: every function here refuses any other
store first (`NOT_A_GROUP`). The store holds every rule (`store.rules`,
`store.peer_rules`) and the group's security who may read what (`store.group`);
the checks here only make a refusal kinder and name what to do, before the
store's own words would.

Asking again for an item one asked about already replaces the link and the note
and keeps the reviews given so far: a reworked notebook keeps its history of
reviews, and its author says so by asking again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack.errors import InputError, StoreError
from coursetrack.store import peer as store
from coursetrack.validate import checked

if TYPE_CHECKING:
    from coursetrack.refs import Target
    from coursetrack.store.reader import Reader, Row
    from coursetrack.store.writer import Writer

#: Every peer command's refusal on a store that is not a study group's.
NOT_A_GROUP = (
    "peer review needs a study group's store; this one is a single learner's "
    "(see coursetrack group init)"
)

#: The blank lines at a comment's end: all a comment loses (as a note).
_TRAILING_BLANK_LINES = re.compile(r"(?:\r?\n[ \t]*)+\Z")


@dataclass(frozen=True)
class _Reader:
    """Who reads: the learner, and whether she may read who reviewed (a curator)."""

    me: str
    names: bool


def _in_group(reader: Reader) -> _Reader:
    """The learner of a study group's store, or the refusal of any other store."""
    if reader.dialect != "postgresql":
        raise StoreError(NOT_A_GROUP)
    from coursetrack.store import group

    who = group.identity(reader)
    if not who.group:
        raise StoreError(NOT_A_GROUP)
    return _Reader(who.learner, names=who.curator)


def _enter_group_scope(reader: Reader) -> None:
    from coursetrack.store import group

    group.read_group(reader)


def _leave_group_scope(reader: Reader) -> None:
    from coursetrack.store.group_views import end_group_read

    end_group_read(reader)


def _ref(row: Row) -> str:
    return "/".join(p for p in (row.spec_slug, row.course_slug, row.topic_slug) if p)


def parse_request_id(value: str) -> int:
    """A request's id as the user typed it: `12` or `#12`."""
    digits = value.strip().removeprefix("#")
    if not digits.isascii() or not digits.isdigit():
        raise InputError(
            f"request id {value!r} is not a number; 'coursetrack peer list' shows the "
            "requests with their ids"
        )
    return int(digits)


def _no_request(request_id: int) -> InputError:
    return InputError(
        f"there is no peer review request #{request_id}; 'coursetrack peer list' shows "
        "the requests you may review, 'coursetrack peer list --mine' yours"
    )


def _request(reader: Reader, request_id: int) -> Row:
    """The request (read in the group's scope), or the refusal of an unknown id."""
    row = store.request(reader, request_id=request_id) if request_id < 2**31 else None
    if row is None:
        raise _no_request(request_id)
    return row


# --- ask --------------------------------------------------------------------------------


@dataclass
class Asked:
    """What `peer ask` did: `asked` (a new request), `replaced` (its link or note) or
    `unchanged`; the request keeps its `reviews`. `replaced` says which, for the
    message: "link", or the note's "added", "replaced" or "taken away" (not in the
    JSON, whose fields are the contract's)."""

    id: int
    ref: str
    title: str
    url: str
    note: str | None
    asked_on: dt.date
    action: str
    reviews: int
    replaced: str = ""

    def to_dict(self) -> dict:
        from dataclasses import asdict

        data = asdict(self)
        del data["replaced"]
        return data


def _item_of(target: Target) -> tuple[str, int]:
    if target.kind == "specialization":
        raise InputError(
            f"peer review is of a course or a topic, and {target.ref} is a specialization; "
            f"name one of its courses or topics, e.g. {target.ref}/1 or {target.ref}/1/1"
        )
    return target.kind, target.item.id


def ask(writer: Writer, *, ref: str, url: str, note: str | None, on: dt.date) -> Asked:
    """Ask the group to review the learner's work on the course or topic `ref` names:
    a new request, or (asked before) its link and note replaced, its reviews kept."""
    from coursetrack.refs import resolve

    who = _in_group(writer)
    if "://" in ref:  # the two swapped: a ref's rule about its parts would not say so
        raise InputError(
            f"{ref!r} is a link, and peer ask takes the item first, then the link: "
            "coursetrack peer ask REF URL"
        )
    target = resolve(writer, ref)
    kind, item_id = _item_of(target)
    url = checked("link_url", url.strip(), what="the URL")
    if note is not None:
        note = _TRAILING_BLANK_LINES.sub("", note) if note.strip() else None
    if note is not None:
        checked("text", note, what="--note")
    title = target.item.title
    before = store.own_request(writer, kind=kind, item_id=item_id, me=who.me)
    if before is None:
        new_id = store.insert_request(
            writer, kind=kind, item_id=item_id, url=url, note=note, asked_on=on
        )
        return Asked(new_id, target.ref, title, url, note, on, "asked", 0)
    action, replaced = "unchanged", ""
    if (before.url, before.note) != (url, note):
        store.replace_request(writer, request_id=before.id, url=url, note=note)
        action, replaced = "replaced", _replaced(before.url, before.note, url, note)
    reviews = int(before.reviews)
    return Asked(
        before.id, target.ref, title, url, note, before.asked_on, action, reviews, replaced
    )


def _replaced(url_before: str, note_before: str | None, url: str, note: str | None) -> str:
    """What asking again changed, in `Asked.replaced`'s words: a new link says "link"
    (its note with it), else what became of the note."""
    if url != url_before:
        return "link"
    if note_before is None:
        return "added"
    return "replaced" if note is not None else "taken away"


# --- list -------------------------------------------------------------------------------


@dataclass
class RequestRow:
    """One request as `peer list` shows it (its JSON fields, in the contract's order)."""

    id: int
    ref: str
    title: str
    url: str
    asked_on: dt.date
    reviews: int
    mine: bool
    author: str


@dataclass
class Listing:
    """`peer list`: the requests, whether they are the learner's own (`--mine`), and
    the canonical ref of the item asked for."""

    requests: list[RequestRow]
    mine: bool
    base: str | None = None

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return {"requests": [asdict(r) for r in self.requests]}


def listing(reader: Reader, *, ref: str | None, mine: bool) -> Listing:
    """The requests of others the learner may review (fewest reviews first, then the
    oldest), or with `mine` her own with their reviews; under the item `ref` names."""
    from coursetrack.refs import read_target

    who = _in_group(reader)
    target = read_target(reader, ref) if ref is not None else None
    narrow: dict[str, Any] = {}
    if target is not None:
        narrow = {"kind": target.kind, "item_id": target.item.id}
    if mine:
        rows = store.own_requests(reader, me=who.me, **narrow)
    else:
        _enter_group_scope(reader)
        rows = store.to_review(reader, me=who.me, names=who.names, **narrow)
    requests = [
        RequestRow(
            r.id, _ref(r), r.title, r.url, r.asked_on, int(r.reviews), r.author == who.me, r.author
        )
        for r in rows
    ]
    return Listing(requests, mine, target.ref if target is not None else None)


# --- review -----------------------------------------------------------------------------


@dataclass
class Reviewed:
    """What `peer review` recorded."""

    id: int
    request: int
    ref: str
    title: str
    author: str
    grade: str
    scores: dict[str, int] | None
    comment: str
    reviewed_on: dt.date


def _criteria(rubric: str) -> dict[str, int]:
    """A rubric (as the store holds it, well formed) as criterion -> points, in order."""
    return {c["criterion"]: int(c["points"]) for c in json.loads(rubric)}


def _listed(criteria: dict[str, int]) -> str:
    return ", ".join(f"{name!r} (0 to {points})" for name, points in criteria.items())


def scores_for(rubric: str | None, given: list[str], *, ref: str) -> dict[str, int] | None:
    """The `--score CRITERION=POINTS` values checked against the item's rubric (None: the
    item has none, and no score is given), or a refusal naming what is wrong."""
    if rubric is None:
        if given:
            raise InputError(
                f"{ref} has no rubric, so a review of it gives a grade and a comment, no --score"
            )
        return None
    criteria = _criteria(rubric)
    scores: dict[str, int] = {}
    for value in given:
        name, equals, points = value.rpartition("=")
        name = name.strip()
        if not equals or not name:
            raise InputError(f"--score takes CRITERION=POINTS, e.g. 'clarity=4', not {value!r}")
        if name not in criteria:
            raise InputError(
                f"the rubric of {ref} has no criterion {name!r}; its criteria: {_listed(criteria)}"
            )
        if name in scores:
            raise InputError(f"--score gives {name!r} twice; give each criterion once")
        most = criteria[name]
        digits = points.strip()
        if not digits.isascii() or not digits.isdigit() or int(digits) > most:
            raise InputError(
                f"--score {value!r}: {name!r} is scored with a whole number from 0 to {most}"
            )
        scores[name] = int(digits)
    missing = {name: most for name, most in criteria.items() if name not in scores}
    if missing:
        raise InputError(
            f"the rubric of {ref} scores every criterion; give --score for {_listed(missing)}"
        )
    return {name: scores[name] for name in criteria}


def comment_text(text: str) -> str:
    """A review's comment as stored (Markdown, kept as typed but for its trailing blank
    lines), or why it cannot be."""
    if not text.strip():
        raise InputError("the review's comment is empty; write it after the id, in quotes")
    cleaned = _TRAILING_BLANK_LINES.sub("", text)
    checked("text", cleaned, what="the comment")
    return cleaned


def review(
    writer: Writer,
    *,
    request_id: int,
    grade: str,
    comment: str,
    scores: list[str],
    on: dt.date,
) -> Reviewed:
    """Review another learner's request, once: a verdict, a comment, and the item's
    rubric scored (when it has one)."""
    who = _in_group(writer)
    _enter_group_scope(writer)  # the request is another learner's
    request = _request(writer, request_id)
    ref = _ref(request)
    if request.author == who.me:
        raise InputError(
            f"request #{request_id} is your own work on {ref}: the group reviews it, not you; "
            "'coursetrack peer list' shows the requests you may review"
        )
    if store.reviewed_by(writer, request_id=request_id, me=who.me, names=who.names):
        raise InputError(
            f"you reviewed request #{request_id} already (one review per reviewer); "
            f"'coursetrack peer show {request_id}' shows it"
        )
    cleaned = comment_text(comment)
    checked_scores = scores_for(request.rubric, scores, ref=ref)
    _leave_group_scope(writer)
    stored = None if checked_scores is None else json.dumps(checked_scores, ensure_ascii=False)
    review_id = store.insert_review(
        writer,
        request_id=request_id,
        reviewed_on=on,
        grade=grade,
        scores=stored,
        comment=cleaned,
    )
    return Reviewed(
        review_id, request_id, ref, request.title, request.author, grade, checked_scores,
        cleaned, on,
    )  # fmt: skip


# --- show -------------------------------------------------------------------------------


@dataclass
class RequestDetail:
    """A request as `peer show` shows it (its JSON fields, in the contract's order)."""

    id: int
    ref: str
    title: str
    url: str
    note: str | None
    asked_on: dt.date
    author: str
    mine: bool
    reviews: int


@dataclass
class ReviewEntry:
    """One review as its reader may know it: `reviewer` is "reviewer 1".. for the
    request's author, "you" for one's own, a name for a curator."""

    reviewer: str
    grade: str
    scores: dict[str, int] | None
    comment: str
    reviewed_on: dt.date


@dataclass
class Shown:
    """`peer show ID`: the request and the reviews its reader may read."""

    request: RequestDetail
    reviews: list[ReviewEntry] = field(default_factory=list)


def show(reader: Reader, *, request_id: int) -> Shown:
    """A request and its reviews, as the reader may read them (see `ReviewEntry`)."""
    who = _in_group(reader)
    _enter_group_scope(reader)
    row = _request(reader, request_id)
    entries = [
        ReviewEntry(
            r.reviewer,
            r.grade,
            None if r.scores is None else json.loads(r.scores),
            r.comment,
            r.reviewed_on,
        )
        for r in store.reviews(reader, request_id=request_id, me=who.me, names=who.names)
    ]
    detail = RequestDetail(
        row.id, _ref(row), row.title, row.url, row.note, row.asked_on, row.author,
        row.author == who.me, len(entries) if row.author == who.me else int(row.reviews),
    )  # fmt: skip
    return Shown(detail, entries)
