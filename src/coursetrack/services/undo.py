"""Undo: revert one command of the history.

Every write transaction is a `command` row, and triggers record each row it
inserted, updated or deleted in `change` with the values before and after
(see `store.triggers.install_history`). Undo replays one command's changes
backwards, as a new command, so the log shows the undo too and nothing is ever
erased. This module decides what to refuse, and says why; the statements are
in `store.history` and `store.dependents`. Listing the history, and naming a
command's changes, is `services.log`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coursetrack.errors import ConflictError, InputError, Refused
from coursetrack.services.log import LogEntry, _Step, entry, walk
from coursetrack.store import dependents
from coursetrack.store import history as store

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer


@dataclass
class Undone:
    command: LogEntry
    reverted: int


def undo_candidate(
    reader: Reader,
    *,
    command_id: int | None = None,
    detail: int | None = 0,
    current: int | None = None,
) -> LogEntry:
    """The command `undo` would revert (`command_id`, or the newest one not undone).

    Refuses, with the reason, a command that cannot be undone: unknown, undone
    already, an undo itself, one whose rows a later command changed again, or
    one a later command depends on (`_refuse_if_later_commands_depend`).
    `detail`: how many of its changes to name and decode (as for `log.log_entries`);
    the question needs only their number. `current`: the undo's own command, in
    its write (never a candidate).
    """
    if command_id is None:
        target = store.newest_undoable(reader, current=current)
        if target is None:
            raise InputError("nothing to undo: the history is empty or all of it is undone already")
    else:
        target = store.command(reader, command_id) if command_id < 2**63 else None
        if target is None or target.id == current:
            raise InputError(f"there is no command #{command_id}; 'coursetrack log' lists them")
        if target.undone_by is not None:
            raise InputError(
                f"#{target.id} {target.line} was undone already, by #{target.undone_by}"
            )
        if target.undoes is not None:
            raise InputError(
                f"#{target.id} is itself an undo (of #{target.undoes}); "
                "to get that change back, run its command again"
            )
    later = dependents.later_changer(reader, target.id)
    if later is not None and later.took_its_id:
        _refuse(reader, target, later, "it took the id of a row the undo would put back")
    if later is not None:
        raise Refused(
            f"cannot undo #{target.id} {target.line}: #{later.id} {later.line} changed the same "
            f"rows after it; undo #{later.id} first (or leave both); nothing was changed"
        )
    _refuse_if_later_commands_depend(reader, target)
    _refuse_if_others_changed_its_catalog_rows(reader, target)
    _refuse_if_its_request_has_reviews(reader, target)
    _refuse_if_its_rubrics_no_longer_fit(reader, target)
    # named as `log` names it, by the same walk
    if detail == 0:
        return entry(reader, _Step(target, [], store.change_count(reader, target.id), False))
    return entry(reader, next(walk(reader, [target], detail=detail)))


def undo_command(
    writer: Writer, *, command_id: int | None = None, detail: int | None = 0
) -> Undone:
    """Revert one command (see `undo_candidate`), inside the caller's transaction.

    Must run in a `Store.write` transaction, whose own command row records the
    reverting changes and is linked to the command it undid. The CLI passes
    the id it named to the user, so a command that another terminal ran while
    this one waited for the lock is never the one reverted.
    """
    current = writer.info.get("command_id")
    entry = undo_candidate(writer, command_id=command_id, detail=detail, current=current)
    store.defer_rules(writer)  # rows come back in any order
    try:
        reverted = store.revert(writer, entry.id)
    except store.Blocked as blocked:
        raise ConflictError(
            f"cannot undo #{entry.id}: a later change is in the way ({blocked.reason}); "
            "nothing was changed"
        ) from None
    except store.UnknownTable as unknown:
        raise InputError(f"cannot undo a change to unknown table {str(unknown)!r}") from None
    _refuse_if_later_rows_went(writer, entry, current)
    _refuse_if_others_rows_went(writer, entry, current)
    if current is not None:
        store.record_undo(writer, target=entry.id, by=current)
    store.check_deferred_rules(writer)
    entry.undone_by = current
    return Undone(entry, reverted)


def _refuse_if_later_commands_depend(reader: Reader, target: Any) -> None:
    """Refuse an undo that would break a rule of the record a later command relies on.

    The policy, the same for every dependency: refuse and name the later
    command to undo first, rather than take its rows back too. An undo reverts
    the one command the user named (and was asked about); silently reverting a
    review or a note the user made later, and did not name, would be the
    surprise undo exists to avoid. Undoing newest first always works.
    Checked before any row changes (see `store.dependents`), so the user reads
    why, not a constraint's name.
    """
    review = dependents.review_of_undone_topic(reader, target.id)
    if review is not None:
        _refuse(reader, target, ("review", review), "a review needs a done topic")
    hung = dependents.hung_under(reader, target.id)
    # A row under it that none of this learner's commands made is another curator's:
    # `_refuse_if_others_rows_went` names them, once the undo has found it.
    if hung is not None and dependents.blame(reader, target.id, *hung) is not None:
        _refuse(reader, target, hung, "it added to what the undo would remove")
    taken = dependents.taken_keys(reader, target.id)
    if taken is not None:
        _refuse(reader, target, (taken.table, taken.row_id), _why_taken(taken))


def _why_taken(taken: dependents.Taken) -> str:
    """Which rule a row holding the key the undo would give back stands on."""
    values = dict(zip(taken.columns, taken.values, strict=True))
    if "slug" in values:
        return f"it took the slug {values['slug']!r}, which the undo would give back"
    if "position" in values:
        return f"it took place {values['position']}, which the undo would give back"
    if "uid" in values:  # (a catalog item made again at its old path: the same item)
        return f"it is the same {taken.table}, made again, which the undo would give back"
    if taken.table == "goal":
        return "a specialization has one goal"
    if taken.table == "progress":
        return "an item has one progress row"
    return f"one {taken.table} row per {', '.join(taken.columns)}"


def _refuse(reader: Reader, target: Any, row: tuple[str, int] | dependents.Later, why: str) -> None:
    """Refuse, naming the later command that made `row` as it is (or that command)."""
    if isinstance(row, dependents.Later):
        later: dependents.Later | None = row
    else:
        later = dependents.blame(reader, target.id, *row)
    if later is None:
        raise Refused(
            f"cannot undo #{target.id} {target.line}: a later change depends on it ({why}); "
            "nothing was changed"
        )
    raise Refused(
        f"cannot undo #{target.id} {target.line}: #{later.id} {later.line} depends on it "
        f"({why}); undo #{later.id} first (or leave both); nothing was changed"
    )


def _refuse_if_later_rows_went(writer: Writer, entry: LogEntry, current: int | None) -> None:
    """Roll back an undo that took rows a later command made or changed.

    `undo_candidate` compares the rows the command itself changed; removing a
    row it inserted also removes, by cascade, the rows that later commands hung
    under it (a note, a topic's progress). The triggers recorded those under
    this undo, so any row it touched that a later live command touched too
    means the undo would destroy that command's work.
    """
    if current is None:
        return
    later = store.later_command_in_undo(writer, target=entry.id, current=current)
    if later is not None:
        raise Refused(
            f"cannot undo #{entry.id} {entry.command}: #{later.id} {later.line} depends on it "
            f"(it added to what the undo would remove); undo #{later.id} first (or leave both); "
            "nothing was changed"
        )


def _refuse_if_others_changed_its_catalog_rows(reader: Reader, target: Any) -> None:
    """In a study group, refuse to undo a catalog change another curator changed again.

    A learner's history is theirs alone (row-level security), so the check on
    later commands above sees only this learner's; the catalog is shared.
    Each catalog row the command inserted or updated must still be as its last
    change of the row left it: otherwise someone changed it since, and
    reverting would silently take their change back.
    """
    if reader.dialect != "postgresql":  # a group is PostgreSQL's: its module stays unloaded
        return
    from coursetrack.store import group

    if not group.is_group(reader):
        return
    changed = store.catalog_changed_since(reader, target=target.id)
    if changed is not None:
        table, slug = changed
        raise Refused(
            f"cannot undo #{target.id} {target.line}: another curator changed {table} "
            f"{slug} after it; nothing was changed"
        )


def _refuse_if_its_request_has_reviews(reader: Reader, target: Any) -> None:
    """Refuse to take back a peer review request (`peer ask`) that has reviews now.

    The reviews are other learners' and hold on to their request (a foreign key that
    does not cascade): the store would refuse the undo at its end; this says why first.
    Only a study group has peers (PostgreSQL's: SQLite's tables stay empty).
    """
    if reader.dialect != "postgresql":
        return
    from coursetrack.store import peer

    reviewed = peer.reviews_of_requests_made_by(reader, command_id=target.id)
    if reviewed is not None:
        count = f"{reviewed.reviews} review" + ("s" if reviewed.reviews != 1 else "")
        raise Refused(
            f"cannot undo #{target.id} {target.line}: peer review request #{reviewed.id} "
            f"has {count}, which would lose what they review; nothing was changed"
        )


def _refuse_if_its_rubrics_no_longer_fit(reader: Reader, target: Any) -> None:
    """Refuse to put back a rubric that the peer reviews given since no longer fit.

    The store's rule (`peer_review_scores`) would refuse the undo at its end, naming
    neither the item nor the reviews; this says which item and why first
    (`services.rubric_fit`). The scores are read only when the command changed a rubric.
    """
    put_back = store.rubrics_put_back(reader, target=target.id)
    if not put_back:
        return
    from coursetrack.services import rubric_fit

    changed = [rubric_fit.NewRubric(row.ref, row.kind, row.item_id, row.rubric) for row in put_back]
    refused = rubric_fit.undo_refusal(reader, changed, undoing=f"#{target.id} {target.line}")
    if refused:
        raise Refused(refused)


def _refuse_if_others_rows_went(writer: Writer, entry: LogEntry, current: int | None) -> None:
    """In a study group, refuse an undo that took catalog rows another curator added.

    Removing a row the command inserted removes, by cascade, what hangs under
    it. Rows of this learner's later commands are caught by
    `_refuse_if_later_rows_went`; another learner's record is kept by the
    group's guard; a catalog row the command itself did not make, but the
    undo removed, was added by another curator.
    """
    if writer.dialect != "postgresql":  # as above
        return
    from coursetrack.store import group

    if current is None or not group.is_group(writer):
        return
    went = store.catalog_removed_not_its_own(writer, target=entry.id, current=current)
    if went is not None:
        table, slug = went
        raise Refused(
            f"cannot undo #{entry.id} {entry.command}: it would also remove {table} "
            f"{slug}, which another curator added under it; nothing was changed"
        )
