"""`sync`: exchange commands between this SQLite store (a replica) and a PostgreSQL hub
(issue 24; the design is docs/sync.md, "How a sync runs").

One transaction per side: the replica's `BEGIN IMMEDIATE`, the hub's writers' lock as a
command takes it. Pull the hub's commands numbered after the replica's largest `seq`;
push the replica's commands the hub does not number yet. On each side, the commands
that arrived are merged by `merge`: the side's commands stamped after the smallest
arriving stamp are rewound (their changes reverted, as undo does, unrecorded), then the
arrived and the rewound are replayed in stamp order, each whole in a savepoint, and one
the store refuses is set aside whole (`command.set_aside`: the rule's name). Both sides
then hold the same commands and replayed them the same way, so they hold the same record
and set the same commands aside, whichever synced first. The hub commits first: killed
between the commits, the next sync pulls again what the replica lost and the hub skips,
by gid, what it holds already.

This module decides and orders; it holds no SQL (`store.sync`, `store.sync_payload`,
`store.sync_apply`) and never prints: progress goes through the `progress` callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coursetrack import dates
from coursetrack.errors import InputError, Refused, StoreError
from coursetrack.services import sync_checks
from coursetrack.store import history, recording, sync_hub, sync_schema
from coursetrack.store import sync as store
from coursetrack.store.sync_apply import Applier, Refusal, apply_changes, refusal_of, words
from coursetrack.store.sync_payload import (
    base_changes,
    dumps_streamed,
    head,
    history_whole,
    opened,
    payload_text,
)

if TYPE_CHECKING:
    from pathlib import Path

    from coursetrack.store.engine import Notify
    from coursetrack.store.reader import Row
    from coursetrack.store.writer import Writer

#: Clocks further apart than this (seconds) get a warning: concurrent changes are
#: decided by the stamps, so a fast clock wins the conflicts of its lead.
CLOCK_WARNING_SECONDS = 300.0

Progress = Callable[[int, int], None]


@dataclass
class SetAside:
    """A command the store refused at this sync's replay: kept in the log, not applied."""

    command: int
    gid: str
    line: str
    rule: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "gid": self.gid,
            "line": self.line,
            "rule": self.rule,
            "why": self.why,
        }


@dataclass
class Synced:
    """What a sync did, as `sync` prints it (and `--json`)."""

    hub: str
    replica: str
    machine: str
    pulled: int = 0
    pushed: int = 0
    set_aside: list[SetAside] = field(default_factory=list)
    #: (the number it had, the number it has, its line): a command replayed under a new id
    renumbered: list[tuple[int, int, str]] = field(default_factory=list)
    clock_offset_seconds: float = 0.0
    #: A study group's catalog as it came down: {"version", "changes"} (None: no group)
    catalog: dict[str, int] | None = None

    @property
    def clock_warning(self) -> bool:
        return abs(self.clock_offset_seconds) > CLOCK_WARNING_SECONDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "hub": self.hub,
            "replica": self.replica,
            "machine": self.machine,
            "pulled": self.pulled,
            "pushed": self.pushed,
            "set_aside": [s.to_dict() for s in self.set_aside],
            "renumbered": [{"from": a, "to": b} for a, b, _ in self.renumbered],
            "catalog": self.catalog,
            "clock_offset_seconds": round(self.clock_offset_seconds, 3),
        }


@dataclass
class _Arriving:
    """A command to replay on one side: its gid and stamp, its `seq` there, what reads its
    payload's text, and its id before a rewind (None: it arrived)."""

    gid: str
    stamp: str
    seq: int | None
    load: Callable[[], str]
    was: int | None = None
    was_set_aside: str | None = None
    #: whose command it is, as a refusal names it
    where: str = "the hub's"
    line: str = ""


@dataclass
class _Merged:
    set_aside: list[SetAside] = field(default_factory=list)
    renumbered: list[tuple[int, int, str]] = field(default_factory=list)


def check_hub_url(url: str | None) -> None:
    """Refuse, before anything is opened, a hub that is not a PostgreSQL URL."""
    if url is not None and not sync_hub.is_postgres_url(url):
        raise InputError("the hub must be a PostgreSQL URL (postgresql://HOST/DATABASE)")


def sync(
    path: Path,
    shown: str,
    *,
    url: str | None,
    new_replica: bool = False,
    notify: Notify | None = None,
    progress: Progress | None = None,
) -> Synced:
    """Sync the replica at `path` with the hub at `url` (None: the one it synced with)."""
    from coursetrack.store.inspect import mask_url
    from coursetrack.store.postgres_reader import secrets_of

    check_hub_url(url)
    with sync_hub.translated(shown, "the hub", ()):
        first = store.read_state(path, shown)
    if not new_replica:
        _refuse_a_copy(first)
    target = url or first.hub_url
    if not target:
        raise InputError(
            "this store syncs with no hub yet; name one: coursetrack sync "
            "postgresql://HOST/DATABASE"
        )
    kept = sync_hub.without_password(target)
    hub_shown = mask_url(target)
    # the hub is reached before the replica is locked: a hub that cannot be reached (a
    # connection may take its timeout to fail) leaves the replica's commands free
    with sync_hub.translated(shown, hub_shown, secrets_of(target)):
        try:
            con = store.hub_connection(target)
        except StoreError as refused:
            raise sync_hub.as_the_hub(refused, hub_shown) from None
        try:
            with store.open_local(path, shown, notify) as local:
                if new_replica:
                    from coursetrack.store.postgres_reader import PostgresReader

                    identity = sync_schema.new_replica()  # a new store's: this machine's name
                    store.new_replica(
                        local.writer, identity["replica"], identity["name"], PostgresReader(con)
                    )
                state = store.sync_state(local.writer)
                _refuse_a_copy(state)
                if url is None and state.hub_url != target:  # changed meanwhile: read again
                    raise Refused("the store's hub changed while sync started; run it again")
                result = _run(local, con, state, kept, hub_shown, notify, progress)
        finally:
            con.close()
    return result


def _refuse_a_copy(state: Row) -> None:
    """A store made on another machine (its file copied here) would sync under that
    machine's identity: its commands and the original's would share ids, and the original
    be told it is the copy. Refused before anything is exchanged; `--new-replica` gives it
    this machine's identity (as it does a store whose machine was renamed: harmless)."""
    here = sync_schema.machine_name()
    if state.name and state.name != here:
        raise Refused(
            f"this store was made on {state.name}, and this machine is {here}: if it is a "
            "copy, or the machine was renamed, run 'coursetrack sync --new-replica'; "
            "nothing was changed"
        )


def _run(
    local: store.Side,
    con: Any,
    state: Row,
    kept: str,
    hub_shown: str,
    notify: Notify | None,
    progress: Progress | None,
) -> Synced:
    from coursetrack.store.postgres_reader import PostgresReader

    group = _group_sync()
    version = group.HUB_CATALOG_VERSION if group is not None else "NULL"
    mark = store.seq_mark(local.writer)
    # the one read, when there is nothing to exchange
    point = store.hub_point(PostgresReader(con), version, None if mark is None else mark.gid)
    if point.replica is None:  # (its sync_state row deleted by hand)
        raise Refused(
            f"{hub_shown} has no replica id (its sync_state row is missing), so it cannot "
            "be told from another hub; nothing was changed"
        )
    if state.hub_replica is not None and point.replica != state.hub_replica:
        raise Refused(
            f"{hub_shown} is not the hub this store synced with (it synced with replica "
            f"{state.hub_replica}); nothing was changed"
        )
    result = Synced(
        hub=kept,
        replica=state.replica,
        machine=state.name or "",
        clock_offset_seconds=dates.now().timestamp() - float(point.now),
    )
    if state.hub_replica is None:
        _base_if_history_not_whole(local.writer)
    if mark is not None and point.mark_seq != mark.seq:
        # the hub was put back from a copy (its numbers are given again): the gids decide
        store.forget_seqs(local.writer)
    local_seq, unpushed = store.local_point(local.writer)
    moved = group is not None and group.catalog_moved(local.writer, point.catalog_version)
    if point.seq == local_seq and not unpushed and not moved:
        if state.hub_url != kept or state.hub_replica != point.replica:
            store.remember_hub(local.writer, url=kept, replica=point.replica)
        local.commit()  # (a new replica id, the hub remembered, or nothing)
        return result
    hub = store.begin_hub(con, hub_shown, notify)
    try:
        if group is not None:  # a study group's: its catalog comes down first, as state
            result.catalog = group.before_pull(local.writer, hub.writer, kept)
        _exchange(local.writer, hub.writer, local_seq, result, progress)
        store.remember_hub(local.writer, url=kept, replica=point.replica)
        hub.commit()
    finally:
        hub.rollback()
    local.commit()
    return result


def _exchange(
    local: Writer, hub: Writer, local_seq: int | None, result: Synced, progress: Progress | None
) -> None:
    """Pull, push, merge on the hub then on the replica, and copy the hub's numbers back.

    Commands are listed without their payloads, which are read one at a time when each
    is replayed: what a sync holds is one command (and the texts of those it rewinds)."""
    pulled = store.after_seq(hub, local_seq)
    pushing = store.unpushed(local)
    sync_checks.check_stamps(pulled, "the hub's")
    sync_checks.check_stamps(pushing, "this store's")
    for side, rows in ((hub, pulled), (local, pushing)):
        for row in rows:
            if row.bare:
                _build(side, row)
    seqs: dict[str, int] = {}

    on_hub = store.held(hub, [row.gid for row in pushing])
    arriving_hub: list[_Arriving] = []
    for row in pushing:
        there = on_hub.get(row.gid)
        if there is None:
            arriving_hub.append(
                _Arriving(row.gid, row.stamp, None, _loader(local, row.gid), where="this store's")
            )
            continue
        theirs = sync_checks.changes_of(store.payload_text(hub, row.gid))
        # (a copy that made the same change at another time holds it at another stamp)
        if (
            theirs is None
            or there.stamp != row.stamp
            or theirs != sync_checks.changes_of(store.payload_text(local, row.gid))
        ):
            raise Refused(
                f"the hub holds command {row.gid} with other changes: this store is a copy "
                "of another replica; run 'coursetrack sync --new-replica' on it; nothing "
                "was changed"
            )
        seqs[row.gid] = int(there.seq)
    in_order = sorted(arriving_hub, key=lambda a: a.stamp)
    for item, seq in zip(in_order, store.next_seqs(hub, len(in_order)), strict=True):
        item.seq = seq
        seqs[item.gid] = seq
    here = store.held(local, [row.gid for row in pulled])
    arriving_local: list[_Arriving] = []
    pulling = _Pages(hub, sorted((r.stamp, r.gid) for r in pulled if r.gid not in here))
    for row in pulled:
        seqs[row.gid] = int(row.seq)
        if row.gid not in here:
            arriving_local.append(
                _Arriving(row.gid, row.stamp, int(row.seq), pulling.loader(row.gid))
            )

    # the bar counts changes, learnt as each command is read (a first sync is a few
    # commands, an import among them, of many)
    counter = _Counter(progress, len(arriving_hub) + len(arriving_local))
    on_the_hub = merge(hub, arriving_hub, replica=store.sync_state(hub).replica, counter=counter)
    # What the hub set aside of ours is set aside here too: the replay on each side is the
    # same, but a study group's catalog comes down as state (seq 0, never replayed), so the
    # replica may have applied what the hub's catalog refuses (a topic a curator removed).
    stamps = {row.gid: row.stamp for row in pushing}
    forced = {s.gid: (stamps[s.gid], s.rule) for s in on_the_hub.set_aside if s.gid in stamps}
    merged = merge(
        local,
        arriving_local,
        replica=store.sync_state(local).replica,
        counter=counter,
        forced=forced,
    )
    store.set_seq(local, seqs)
    result.pulled = len(arriving_local)
    result.pushed = len(arriving_hub)
    result.set_aside = merged.set_aside
    result.renumbered = merged.renumbered


#: The line of the command a store whose history is not whole sends first.
BASE_LINE = "sync: the record as it stood at its first sync"


def _base_if_history_not_whole(local: Writer) -> None:
    """Before a store's first sync: when its history does not hold every row (a store
    made before schema 2 kept no history of notes, links, reviews, goals; schema 1 none),
    its commands stay in its own log, and one base command carries every row as an
    insert, so the hub gets the whole record (docs/sync.md)."""
    if history_whole(local):
        return
    store.keep_local(local)
    base_id = recording.record_command(local, BASE_LINE)
    fields = head(store.command_row(local, base_id), undoes=None)
    store.keep_payload(local, base_id, dumps_streamed(fields, base_changes(local)))


class _Pages:
    """The payloads of the commands pulled, read from the hub a page at a time in the order
    they are replayed (stamp order): one round trip per 100 commands, and only a page held."""

    def __init__(self, hub: Writer, in_order: list[tuple[str, str]]) -> None:
        self.hub = hub
        self.order = [gid for _, gid in in_order]
        self.index = {gid: i for i, gid in enumerate(self.order)}
        self.page: dict[str, str] = {}

    def loader(self, gid: str) -> Callable[[], str]:
        return lambda: self.load(gid)

    def load(self, gid: str) -> str:
        if gid not in self.page:
            start = self.index.get(gid)
            wanted = [gid] if start is None else self.order[start : start + 100]
            self.page = store.payload_texts(self.hub, wanted)
        text = self.page.get(gid)
        return text if text is not None else store.payload_text(self.hub, gid)


def _loader(side: Writer, gid: str) -> Callable[[], str]:
    """What reads a command's payload when it is replayed."""
    return lambda: store.payload_text(side, gid)


def _kept(text: str) -> Callable[[], str]:
    return lambda: text


def _build(side: Writer, row: Row) -> str:
    """A command's payload built from its changes and kept (once, when it first leaves)."""
    text = payload_text(side, row, undoes=store.gid_of(side, row.undoes))
    store.keep_payload(side, row.id, text)
    return text


def _no_tick() -> None:
    pass


def _group_sync() -> Any:
    """`services.sync_group`, a study group's part of a sync, when it is there."""
    import importlib

    try:
        return importlib.import_module("coursetrack.services.sync_group")
    except ModuleNotFoundError as missing:  # (lane-g's module, merged separately)
        if missing.name != "coursetrack.services.sync_group":
            raise
        return None


class _Counter:
    """The progress of a sync: changes applied of those known (a command's are known
    once it is read; until then it counts as one)."""

    def __init__(self, progress: Progress | None, commands: int) -> None:
        self.progress, self.total, self.done = progress, commands, 0

    def read(self, changes: int) -> None:
        self.total += max(changes, 1) - 1

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


def merge(
    writer: Writer,
    arrived: list[_Arriving],
    *,
    replica: str,
    counter: _Counter | None = None,
    forced: dict[str, tuple[str, str]] | None = None,
) -> _Merged:
    """Bring `arrived` into this side's history at their stamps' places (see the module's
    docstring): rewind what is stamped after the first of them, replay both in stamp order.

    `forced`: commands of this side to set aside (gid -> its stamp, the rule), as the hub
    did: rewound from their place and replayed as set aside."""
    merged = _Merged()
    forced = forced or {}
    if not arrived and not forced:
        return merged
    first = min([a.stamp for a in arrived] + [stamp for stamp, _ in forced.values()])
    rewound: list[_Arriving] = []
    for row in store.after_stamp(writer, first):
        # kept in memory: the rows go before they are written again
        text = _build(writer, row) if row.bare else store.payload_text(writer, row.gid)
        held = _Arriving(
            row.gid,
            row.stamp,
            row.seq,
            _kept(text),
            row.id,
            row.set_aside,
            where="a rewound",
            line=row.line,
        )
        rewound.append(held)
    if rewound:
        scratch = store.open_scratch(writer, replica)
        for item in rewound:  # newest first
            history.defer_rules(writer)
            try:
                history.revert(writer, int(item.was or 0))
            except history.Blocked as blocked:  # the history itself is broken: stop
                raise Refused(
                    f"cannot sync: rewinding #{item.was} failed ({blocked.reason}); "
                    "nothing was changed"
                ) from None
        history.check_deferred_rules(writer)
        gone = [item.was for item in rewound if item.was is not None]
        store.drop_commands(writer, [*gone, scratch])
        store.rules_at_once(writer)
    applier = Applier(writer)  # the ids it learns serve every command replayed here
    for item in sorted([*arrived, *rewound], key=lambda a: a.stamp):
        aside = forced.get(item.gid, (None, None))[1]
        tally = counter if item.was is None else None
        new_id = _replay(writer, item, merged, tally, applier, aside)
        if item.was is not None and item.was != new_id:
            merged.renumbered.append((item.was, new_id, item.line))
    store.close_command(writer)
    merged.renumbered.sort()
    return merged


def _replay(
    writer: Writer,
    item: _Arriving,
    merged: _Merged,
    counter: _Counter | None,
    applier: Applier,
    aside: str | None = None,
) -> int:
    """Write one command under a new id and apply its changes whole, or set it aside (by
    the rule the store names; `aside`: the hub's, without applying it)."""
    text = item.load()
    fields, changes, count = opened(text)
    p = sync_checks.checked(fields, gid=item.gid, stamp=item.stamp, where=item.where)
    tick = _no_tick
    if counter is not None:
        counter.read(count)
        tick = counter.tick
    new_id = store.open_command(writer, p, seq=item.seq, text=text)
    try:
        if aside is not None:
            raise Refusal(aside)
        apply_changes(writer, changes, tick, applier)
    except Exception as exc:
        refused = refusal_of(exc)
        if refused is None:
            raise
        applier.forget()
        rule = refused.rule
        store.set_aside_command(writer, p, command_id=new_id, seq=item.seq, text=text, rule=rule)
        if item.was_set_aside != refused.rule:
            merged.set_aside.append(
                SetAside(new_id, p["gid"], p["line"], refused.rule, words(refused.rule))
            )
        return new_id
    target = store.id_of_gid(writer, p["undoes"]) if p.get("undoes") else None
    if target is not None:
        store.link_undo(writer, target=target, by=new_id)
    return new_id
