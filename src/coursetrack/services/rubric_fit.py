"""Whether a rubric given to a stored course or topic still fits the peer reviews given.

The store holds the rule (`store.rules.PEER_REVIEW_SCORES`: a review's scores give each
criterion of its item's rubric, and no other, a whole number from 0 to its points; a
review of an item without a rubric has none), and refuses a write that breaks it in the
rule's own words, which name neither the item nor the reviews. A curator who changes
rubrics (a re-import) is told first, here, which item's new rubric no longer fits and
what to keep: the scores are read through `store.peer.scores_given` (a curator reads
every review), and the store's rule stays the guard for whatever gets past (a review
given between the read and the write).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack.store import peer as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader


@dataclass(frozen=True)
class NewRubric:
    """A rubric a write gives a stored item: its ref, kind, id and the JSON (None: none)."""

    ref: str
    kind: str
    item_id: int
    rubric: str | None


def refusal(reader: Reader, changed: list[NewRubric], *, source: str | None = None) -> str | None:
    """The one line that refuses the first rubric (in `changed`'s order) that the reviews
    given no longer fit, or None when every one fits. `source`: the file that gives them."""
    found = misfits(reader, changed)
    if not found:
        return None
    item, misfit = found[0]
    where = f" in {source}" if source else ""
    return (
        f"the rubric of {item.ref}{where} {misfit.told()}; keep {_listed(misfit.fixes())}, "
        f"or give the new rubric to a new {item.kind} (the reviews stay with this one)"
        f"{_more(found)}; nothing was changed"
    )


def undo_refusal(reader: Reader, changed: list[NewRubric], *, undoing: str) -> str | None:
    """The same for an undo (`undoing`: "#N LINE") that would put rubrics back."""
    found = misfits(reader, changed)
    if not found:
        return None
    item, misfit = found[0]
    return (
        f"cannot undo {undoing}: the rubric it would put back on {item.ref} {misfit.told()}"
        f"{_more(found)}; leave it as it is (the reviews given since score today's rubric); "
        "nothing was changed"
    )


def misfits(reader: Reader, changed: list[NewRubric]) -> list[tuple[NewRubric, _Misfit]]:
    """Each rubric in `changed` that some review given no longer fits, in `changed`'s order,
    with how (one read of the scores for each kind of item)."""
    out = []
    for kind in ("course", "topic"):
        wanted = {c.item_id: c for c in changed if c.kind == kind}
        if not wanted:
            continue
        found: dict[int, _Misfit] = {}
        for row in store.scores_given(reader, kind, list(wanted)):
            rubric = wanted[row.item_id].rubric
            found.setdefault(row.item_id, _Misfit()).add(rubric, row.scores)
        out += [(wanted[i], m) for i, m in found.items() if m.reviews]
    order = {id(c): n for n, c in enumerate(changed)}
    return sorted(out, key=lambda pair: order[id(pair[0])])


def _more(found: list[tuple[NewRubric, _Misfit]]) -> str:
    """The other items whose rubrics no longer fit either, named (a few)."""
    if len(found) < 2:
        return ""
    named = ", ".join([i.ref for i, _ in found[1:4]] + (["..."] if len(found) > 4 else []))
    if len(found) == 2:
        return f"; the rubric of 1 more item ({named}) no longer fits its reviews either"
    return f"; the rubrics of {len(found) - 1} more items ({named}) no longer fit theirs either"


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass
class _Misfit:
    """How one item's new rubric fails the reviews of it: the reviews it fails, and why."""

    reviews: int = 0
    taken_away: bool = False
    given: bool = False
    dropped: dict[str, None] = field(default_factory=dict)
    added: dict[str, None] = field(default_factory=dict)
    lowered: dict[str, tuple[int, int]] = field(default_factory=dict)  # points, top score

    def add(self, rubric_json: str | None, scores_json: str | None) -> None:
        """Count one review's scores against the rubric, as the store's rule reads them."""
        rubric = None if rubric_json is None else json.loads(rubric_json)
        scores: Any = None if scores_json is None else json.loads(scores_json)
        if rubric is None or scores is None:
            if (rubric is None) != (scores is None):
                self.reviews += 1
                self.taken_away |= rubric is None
                self.given |= scores is None
            return
        points = {c["criterion"]: c["points"] for c in rubric}
        dropped = [c for c in scores if c not in points]
        added = [c for c in points if c not in scores]
        lowered = [c for c, score in scores.items() if c in points and score > points[c]]
        for criterion in dropped:
            self.dropped[criterion] = None
        for criterion in added:
            self.added[criterion] = None
        for criterion in lowered:
            top = max(scores[criterion], self.lowered.get(criterion, (0, 0))[1])
            self.lowered[criterion] = (points[criterion], top)
        self.reviews += bool(dropped or added or lowered)

    def told(self) -> str:
        """'no longer fits N peer review's scores: it ...'."""
        count = f"{self.reviews} peer review" + ("'s" if self.reviews == 1 else "s'")
        return f"no longer fits {count} scores: it {_listed(self.reasons())}"

    def reasons(self) -> list[str]:
        out = ["takes it away"] if self.taken_away else []
        out += ["gives one to reviews given without scores"] if self.given else []
        out += [f"drops criterion '{c}'" for c in self.dropped]
        out += [f"adds criterion '{c}', which the reviews given did not score" for c in self.added]
        out += [
            f"lowers '{c}' to {points} points under a score of {top}"
            for c, (points, top) in self.lowered.items()
        ]
        return out

    def fixes(self) -> list[str]:
        out = ["its rubric"] if self.taken_away else []
        out += ["it without a rubric"] if self.given else []
        out += [f"criterion '{c}'" for c in self.dropped]
        out += [f"'{c}' out" for c in self.added]
        out += [f"'{c}' at {top} points or more" for c, (_, top) in self.lowered.items()]
        return out
