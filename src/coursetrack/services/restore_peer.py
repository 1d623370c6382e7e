"""Restoring peer review (issue 23, backup version 2): a learner's requests and reviews.

A backup holds, on each course or topic, the learner's own request with the reviews it
received (their reviewers as `reviewer 1`, `reviewer 2`: anonymous), and the reviews the
learner gave of others' requests (with each request's author, whom the group knows).

Into a single learner's store (SQLite, or PostgreSQL not made a group's) the restore is
lossless: the reviews received are written under their pseudonyms as their reviewing
learner (`learner` = 'reviewer 1', a name the store's rule allows), and the requests the
learner reviewed under their author's name, so that the export of the restored store
gives the same bytes (`services.backup_export` tells the learner's own rows by the
learner column and by what the reviews are of; no command writes peer rows there).

Into a study group's store, only what is the learner's may be written as theirs: their
requests, and the reviews they gave of requests the group has (found by author and
item). The reviews they received belong to their reviewers, who alone may write them;
those, and reviews of requests the group no longer has, stay in the file, and the
restore says how many (`RestoredPeer.not_restored`).

What the file alone cannot tell is checked here, against the store, and refused at its
place in the file (`place`): a review of the restoring learner's own request, scores
that do not fit the item's rubric (the catalog's: in a group, the group's). Nothing is
written before these checks pass; the command's transaction holds the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack.errors import ExportError
from coursetrack.store import backup as store

if TYPE_CHECKING:
    from coursetrack.backup import PeerGivenEntry, PeerReceivedEntry, PeerRequestEntry
    from coursetrack.store.writer import Writer

#: Where a problem is in the file: its path in the document -> the error to raise.
Place = Callable[[tuple, str], ExportError]


@dataclass
class PeerItem:
    """A course or topic of the backup that holds peer review, and its row in the store."""

    path: tuple  # its place in the document: ("specializations", 0, "courses", 1, ...)
    owner: str  # "course_id" or "topic_id"
    item_id: int
    request: PeerRequestEntry | None
    given: list[PeerGivenEntry]


@dataclass
class RestoredPeer:
    requests: int = 0
    reviews: int = 0
    #: What stayed in the file, one line each ("3 reviews you received belong to ...").
    not_restored: list[str] = field(default_factory=list)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def restore_peer(writer: Writer, items: list[PeerItem], place: Place) -> RestoredPeer:
    """Write the peer review of `items` (see the module's docstring); what was done."""
    done = RestoredPeer()
    if not items:
        return done
    learner, grouped = store.whose(writer)
    _check(writer, items, learner, place)
    if grouped:
        return _into_group(writer, items, learner, place)
    received: list[dict[str, Any]] = []
    given: list[dict[str, Any]] = []
    for item in items:
        if item.request is not None:
            request_id = store.insert_request(writer, item.owner, _request(item, item.request))
            done.requests += 1
            received += [
                {**_review(review), "request_id": request_id, "learner": review.reviewer}
                for review in item.request.reviews
            ]
        for review in item.given:
            # the author's request, as far as the learner knows it (its note is the author's)
            values = {
                item.owner: item.item_id,
                "url": review.url,
                "note": None,
                "asked_on": review.asked_on,
                "learner": review.author,
            }
            request_id = store.insert_request(writer, item.owner, values)
            given.append({**_review(review), "request_id": request_id})
    store.insert_reviews(writer, received, learner=True)
    store.insert_reviews(writer, given, learner=False)
    done.reviews = len(received) + len(given)
    return done


def _into_group(writer: Writer, items: list[PeerItem], learner: str, place: Place) -> RestoredPeer:
    """The learner's own requests, and their reviews of the group's requests; the rest is
    counted in `not_restored`."""
    done = RestoredPeer()
    found = store.requests_of(writer, [(item.owner, item.item_id) for item in items if item.given])
    reviewed = store.reviewed_requests(writer, learner) if found else set()
    received = missing = 0
    given: list[dict[str, Any]] = []
    for item in items:
        if item.request is not None:
            store.insert_request(writer, item.owner, _request(item, item.request))
            done.requests += 1
            received += len(item.request.reviews)
        for n, review in enumerate(item.given):
            request_id = found.get((item.owner, item.item_id, review.author))
            if request_id is None:
                missing += 1
            elif request_id in reviewed:
                raise place(
                    (*item.path, "peer_reviews", n, "author"),
                    f"you have reviewed {review.author}'s request on this item in this store "
                    "already; a restore does not merge two records of the same study, so "
                    "nothing was restored",
                )
            else:
                given.append({**_review(review), "request_id": request_id})
    store.insert_reviews(writer, given, learner=False)
    done.reviews = len(given)
    if received:
        whose = "belongs to its reviewer" if received == 1 else "belong to their reviewers"
        done.not_restored.append(
            f"kept in the file, not restored: {_plural(received, 'review')} you received {whose}"
        )
    if missing:
        done.not_restored.append(
            f"kept in the file, not restored: {_plural(missing, 'review')} you gave of "
            f"{'a request' if missing == 1 else 'requests'} the group no longer has"
        )
    return done


def _request(item: PeerItem, request: PeerRequestEntry) -> dict[str, Any]:
    return {
        item.owner: item.item_id,
        "url": request.url,
        "note": request.note,
        "asked_on": request.asked_on,
    }


def _review(review: PeerReceivedEntry | PeerGivenEntry) -> dict[str, Any]:
    scores = None if review.scores is None else json.dumps(review.scores, ensure_ascii=False)
    return {
        "reviewed_on": review.reviewed_on,
        "grade": review.grade,
        "scores": scores,
        "comment": review.comment,
    }


# --- what the file alone cannot tell --------------------------------------------------


def _check(writer: Writer, items: list[PeerItem], learner: str, place: Place) -> None:
    """Refuse, at its place in the file, a review of the learner's own request, and
    scores that do not fit the item's rubric as the store has it."""
    rubrics = store.rubrics(writer, [(item.owner, item.item_id) for item in items])
    for item in items:
        criteria = _criteria(rubrics.get((item.owner, item.item_id)))
        reviews: list[tuple[tuple, PeerReceivedEntry | PeerGivenEntry]] = []
        if item.request is not None:
            reviews += [
                ((*item.path, "peer_request", "reviews", n), review)
                for n, review in enumerate(item.request.reviews)
            ]
        for n, given in enumerate(item.given):
            path = (*item.path, "peer_reviews", n)
            if given.author == learner:
                raise place(
                    (*path, "author"),
                    f"a review of {given.author}'s own request, and you are {learner}: a peer "
                    "review is never of its reviewer's own work",
                )
            reviews.append((path, given))
        for path, review in reviews:
            problem = _scores_problem(review.scores, criteria)
            if problem:
                where = (*path, "scores") if review.scores is not None else path
                raise place(where, problem)


def _criteria(rubric: str | None) -> dict[str, int] | None:
    """A rubric (the store's JSON text, well formed by its rule) as criterion -> points."""
    if rubric is None:
        return None
    return {entry["criterion"]: int(entry["points"]) for entry in json.loads(rubric)}


def _scores_problem(scores: dict[str, int] | None, criteria: dict[str, int] | None) -> str | None:
    """Why `scores` do not fit the rubric `criteria` (the store's rule), or None."""
    if criteria is None:
        return None if scores is None else "scores, but the item has no rubric to score"
    names = ", ".join(criteria)
    if scores is None:
        return f"no scores, but the item's rubric scores {names}"
    for name in scores:
        if name not in criteria:
            return f"a score of {name!r}, which is not a criterion of the item's rubric ({names})"
    for name, most in criteria.items():
        if name not in scores:
            return f"no score of {name!r}; the item's rubric scores {names}"
        if scores[name] > most:
            return f"the score of {name!r} is {scores[name]}; the rubric gives it at most {most}"
    return None
