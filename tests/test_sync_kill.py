"""Issue 24's kill tests: `sync` killed at any moment, the hub's connection cut, or the
server stopped mid-sync; then a sync again completes the exchange exactly once.

The world every test starts from (`World`, built once per server): a hub on PostgreSQL;
a laptop that imported the catalog and synced, then, three months later, did a week of
work it has not synced; a desktop that did its own week at the same time and synced it;
an old machine that synced once at the start, did a week of work then, and has not
synced since (its clock months behind everyone's commands since); a newcomer that
imported the catalog itself and did a week of work, and never synced.

Each case copies the laptop's (or another machine's) file and the hub's database, runs
its `sync` as a real process and stops it at a moment spread over its measured length
(test_crash.py's way, a quarter of the moments just around the hub's commit), then syncs
again, and the desktop too. Checked:
- the store is whole (SQLite's integrity check), and what the killed sync left is one of
  three states: nothing moved, the hub holds the laptop's commands (killed between the
  two commits), or both hold each other's: never part of one side's;
- then every replica's `export yaml` is the hub's and the uninterrupted sync's, every store
  holds every command once (by gid) and the same set aside (sync_helpers.assert_converged);
- no lost change: the union of both sides' commands is there, and so is every note and
  link either side held (by uid), each once; the row counts are the uninterrupted sync's.

All of it is the full suite's (slow: real processes and servers stopped; the quick loop keeps
test_sync's sync cut between its two commits). It kills the client once, merges the old
machine and completes a sync cut between its two commits (that state made for certain); it kills the
laptop's sync 6 times, the old machine's 4 and the newcomer's first 3, ends the hub's
backend with pg_terminate_backend 4 times, and stops a server of its own
(`pg_ctl stop -m immediate`) 3 times, starting it again after each.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import postgres
from sync_helpers import (
    BASE,
    Hub,
    Replica,
    assert_converged,
    command,
    commands_by_gid,
    kill,
    row_counts,
    run_and_stop,
    timed,
    week_of_work,
)
from test_crash import delays

pytestmark = pytest.mark.slow  # real processes killed, servers stopped: the full suite's

#: What libpq prints by itself when the server ends its backend (pg_terminate_backend).
_LIBPQ_FATAL = "FATAL:  terminating connection due to administrator command"

DLS = "deep-learning-specialization"
REFS = [
    "dls/1/1",
    "dls/1/2",
    "dls/1/3",
    "dls/1/4",
    "dls/2/1",
    "dls/2/2",
    "dls/2/3",
    "dls/3/1",
    "dls/3/2",
    "dls/1",
    "dls/2",
]
LATER = BASE + dt.timedelta(days=90)  # the laptop's and the desktop's weeks
SYNC_AT = LATER + dt.timedelta(days=8)  # the laptop syncs its week
OLD_SYNC_AT = BASE + dt.timedelta(days=10)  # the old machine's clock when it syncs
AT = {
    "laptop": SYNC_AT,
    "old": OLD_SYNC_AT,
    "newcomer": SYNC_AT,
}  # when each machine's sync runs, by its clock


@dataclass
class World:
    server: postgres.Server
    folder: Path
    hub: Hub  # the desktop's week on it
    laptop: Replica  # a week not synced
    desktop: Replica  # synced
    old: Replica  # synced at the start only, a week of work months ago
    newcomer: Replica  # imported the catalog itself, a week of work, never synced
    # a sync uninterrupted (the laptop's or the old machine's), once measured
    references: dict[tuple[str, int], Reference] = field(default_factory=dict)

    def copies(self, tag: str, who: str = "laptop") -> tuple[Hub, Replica, Replica]:
        """The hub, the machine that syncs (`who`) and the desktop, copied for one case."""
        return (
            self.hub.copy(),
            getattr(self, who).copy(f"{who}-{tag}", self.folder),
            self.desktop.copy(f"desktop-{tag}", self.folder),
        )


def build_world(server: postgres.Server, folder: Path) -> World:
    hub = Hub(server, server.create_database())
    laptop = Replica("laptop", str(folder / "laptop.db"))
    desktop = Replica("desktop", str(folder / "desktop.db"))
    old = Replica("old", str(folder / "old.db"))
    newcomer = Replica("newcomer", str(folder / "newcomer.db"))
    assert laptop.run("import", DLS, at=BASE).exit_code == 0
    laptop.sync(hub, BASE)
    desktop.sync(hub, BASE + dt.timedelta(hours=1))
    old.sync(hub, BASE + dt.timedelta(hours=2))
    week_of_work(old, REFS, BASE + dt.timedelta(days=1), seed=3)
    week_of_work(desktop, REFS, LATER, seed=2)
    desktop.sync(hub, LATER + dt.timedelta(days=7))
    week_of_work(laptop, REFS, LATER + dt.timedelta(hours=1), seed=1)
    assert newcomer.run("import", DLS, at=BASE + dt.timedelta(days=1)).exit_code == 0
    week_of_work(newcomer, REFS, LATER + dt.timedelta(hours=2), seed=4)
    return World(server, folder, hub, laptop, desktop, old, newcomer)


@pytest.fixture(scope="module")
def world(
    postgres_server: postgres.Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    made = build_world(postgres_server, tmp_path_factory.mktemp("sync-kill"))
    yield made
    made.hub.drop()


def uids(store, table: str) -> list[str]:
    return [r[0] for r in store.rows(f"SELECT uid FROM {table}")]


@dataclass
class Reference:
    """What a machine's sync does uninterrupted, and when: it reaches the hub at
    `opens`, the hub holds its commands from `commits`, it ends at `end` (seconds)."""

    export: str
    counts: dict[str, int]
    opens: float
    commits: float
    end: float

    def moments(self, count: int) -> list[float]:
        """`count` moments to stop a sync at: test_crash's spread (a fifth over the
        start-up, the rest from `opens` to just past the end), a quarter of them moved
        into the short stretch between the hub's commit and the end, where a stop
        leaves the hub with the machine's commands and the machine without the hub's."""
        if count == 1:  # the quick loop's one: in the middle of the exchange
            return [(self.opens + self.commits) / 2]
        late = count // 4
        spread = delays(self.opens, self.end, count - late)
        window = max(self.end - self.commits, 0.01)
        start = max(self.commits - window, self.opens)
        return sorted(spread + [start + (self.end - start) * (i + 0.5) / late for i in range(late)])


def reference(world: World, who: str, parallel: int = 2) -> Reference:
    """`who`'s sync run whole twice, `parallel` at a time as the kills run; then the
    desktop syncs and `who` again: the record every killed case must end with. Measured
    once per world."""
    if (who, parallel) not in world.references:
        world.references[who, parallel] = measure(world, who, parallel)
    return world.references[who, parallel]


def measure(world: World, who: str, parallel: int) -> Reference:
    cases = [world.copies(f"ref{n}", who) for n in (1, 2)]
    source = getattr(world, who)
    mine = sorted(set(commands_by_gid(source.store)) - set(commands_by_gid(world.hub.store)))

    def run(case: tuple[Hub, Replica, Replica]) -> dict[str, float]:
        hub, laptop = case[0], case[1]
        with world.server.connect(hub.name) as watch:
            return timed(
                command(laptop.db, "sync", hub.url),
                AT[who],
                {
                    # this watching connection is one of the database's clients
                    "opens": lambda: world.server.clients(hub.name) > 1,
                    "commits": lambda: (
                        watch.execute(
                            "SELECT count(*) FROM command WHERE gid = ANY(%s)", (mine,)
                        ).fetchone()[0]
                        > 0
                    ),
                },
            )

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        timings = list(pool.map(run, cases))
    hub, replica, desktop = cases[0]
    replica.hub_url = hub.url
    desktop.sync(hub, SYNC_AT + dt.timedelta(minutes=1))
    replica.sync(hub, AT[who] + dt.timedelta(minutes=2))
    export = assert_converged([replica, desktop], hub)
    counts = row_counts(hub.store)
    for case in cases:
        case[0].drop()
    return Reference(
        export, counts, *(max(t[key] for t in timings) for key in ("opens", "commits", "end"))
    )


def check_after(
    world: World, ref: Reference, hub: Hub, laptop: Replica, desktop: Replica, who: str
) -> str:
    """What a killed sync of `who` (the laptop, or the old machine) left, then the checks
    once it syncs again (and the desktop): returns which state the kill had left
    ("none", "hub", "both")."""
    assert laptop.store.rows("PRAGMA integrity_check") == [("ok",)]
    source = getattr(world, who)
    before_laptop = commands_by_gid(source.store)
    before_hub = commands_by_gid(world.hub.store)
    mine = set(before_laptop) - set(before_hub)
    theirs = set(before_hub) - set(before_laptop)
    on_hub = mine & set(commands_by_gid(hub.store))
    on_laptop = theirs & set(commands_by_gid(laptop.store))
    assert on_hub in (set(), mine), f"the hub holds {len(on_hub)} of {len(mine)} commands"
    assert on_laptop in (set(), theirs), f"the laptop holds {len(on_laptop)} of {len(theirs)}"
    assert not (on_laptop and not on_hub), "the laptop committed what the hub did not"
    if not on_hub:
        assert hub.export() == world.hub.export(), "a sync that moved nothing left a trace"
    if not on_laptop:
        assert laptop.export() == source.export(), f"the {who} changed, its sync undone"
    state = "both" if on_laptop else "hub" if on_hub else "none"

    laptop.sync(hub, AT[who] + dt.timedelta(minutes=1))
    desktop.sync(hub, SYNC_AT + dt.timedelta(minutes=2))
    laptop.sync(hub, AT[who] + dt.timedelta(minutes=3))
    export = assert_converged([laptop, desktop], hub)
    assert export == ref.export, "the record differs from the uninterrupted sync's"
    assert set(commands_by_gid(hub.store)) == set(before_laptop) | set(before_hub)
    for table in ("note", "link"):
        held = set(uids(source.store, table)) | set(uids(world.hub.store, table))
        now = uids(hub.store, table)
        assert sorted(now) == sorted(held), f"{table}s lost or doubled"
    assert row_counts(hub.store) == ref.counts
    return state


def stop_cases(
    world: World,
    kills: int,
    stop: Callable[[subprocess.Popen, Hub], None],
    *,
    who: str = "laptop",
    parallel: int = 2,
) -> tuple[list[str], list[bool], Reference]:
    """`kills` cases of `who`'s sync, each stopped by `stop` at its moment; checked."""
    parallel = min(parallel, kills)  # the moments are measured as the stops run
    ref = reference(world, who, parallel)
    cases = [world.copies(f"{who}-k{i:02d}", who) for i in range(kills)]
    moments = ref.moments(kills)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        ran = list(
            pool.map(
                lambda case, delay: run_and_stop(
                    command(case[1].db, "sync", case[0].url),
                    AT[who],
                    delay,
                    lambda proc: stop(proc, case[0]),
                ),
                cases,
                moments,
            )
        )
    states = []
    for (hub, laptop, desktop), (finished, code, err) in zip(cases, ran, strict=True):
        assert "Traceback" not in err, err
        if finished:
            assert code == 0, err
        elif code not in (-9, 0):  # not SIGKILLed: the hub went away under it
            # one line of ours; libpq itself may print the server's FATAL notice first
            # when the backend is ended between two of its reads (not ours to silence)
            ours = [line for line in err.strip().splitlines() if not line.startswith(_LIBPQ_FATAL)]
            assert code == 1 and len(ours) == 1, (code, err)
        states.append(check_after(world, ref, hub, laptop, desktop, who))
        hub.drop()
    return states, [f for f, _, _ in ran], ref


def report(what: str, states: list[str], finished: list[bool], ref: Reference) -> None:
    print(
        f"\nsync {what} ({ref.end:.2f} s, the hub reached at {ref.opens:.2f} s, its commit "
        f"seen at {ref.commits:.2f} s): "
        f"stopped {finished.count(False)} of {len(finished)}; left {states}"
    )


@pytest.mark.parametrize(
    "kills",
    # the quick loop keeps one kill, midway through the exchange
    [pytest.param(6, marks=pytest.mark.slow, id="6-kills"), pytest.param(1, id="1-kill")],
)
def test_sync_killed_at_any_moment_then_synced_again_is_exactly_once(
    world: World, kills: int
) -> None:
    states, finished, ref = stop_cases(world, kills, lambda proc, hub: kill(proc))
    report("SIGKILLed", states, finished, ref)
    if kills >= 5:
        assert "none" in states, "the first kills land before anything moved"


@pytest.mark.slow
def test_the_hubs_connection_cut_mid_sync_then_synced_again(world: World) -> None:
    """The hub's side dies: its backend ended by pg_terminate_backend from another
    connection, at moments spread over the sync; the process says so in one line."""

    def terminate(proc: subprocess.Popen, hub: Hub) -> None:
        with world.server.connect("postgres") as con:
            con.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (hub.name,),
            )

    states, finished, ref = stop_cases(world, 4, terminate)
    report("with the hub's backend ended", states, finished, ref)


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[postgres.Server]:
    """A server this module stops and starts: the session's is every test's. Its commits
    are written before they return (synchronous_commit=on), as a real server's are."""
    reason = postgres.missing()
    if reason:
        pytest.skip(reason)
    server = postgres.Server("-c synchronous_commit=on")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_server_stopped_mid_sync_then_restarted_and_synced(
    own_server: postgres.Server, tmp_path: Path
) -> None:
    world = build_world(own_server, tmp_path)

    def crash(proc: subprocess.Popen, hub: Hub) -> None:
        own_server.crash()
        proc.wait()
        own_server.restart()

    # one at a time: a stop cuts every client of the server
    states, finished, ref = stop_cases(world, 3, crash, parallel=1)
    report("with the server stopped (immediate) and restarted", states, finished, ref)


@pytest.mark.slow
def test_a_months_old_sync_killed_while_the_hub_rewinds_then_synced_again(world: World) -> None:
    """The old machine's sync, killed at moments spread over it: the longest the hub's
    side runs, rewinding the desktop's week (months later) to replay it after the old
    machine's."""
    states, finished, ref = stop_cases(world, 4, lambda proc, hub: kill(proc), who="old")
    report("of a machine months behind, SIGKILLed", states, finished, ref)


@pytest.mark.slow
def test_a_first_sync_killed_then_synced_again(world: World) -> None:
    """A machine that imported the catalog itself and worked a week, its first sync
    (`sync URL`: the hub recorded, the two imports merged by uid) killed at moments
    spread over it."""
    states, finished, ref = stop_cases(world, 3, lambda proc, hub: kill(proc), who="newcomer")
    report("of a newcomer (its first), SIGKILLed", states, finished, ref)


def test_a_replica_months_behind_still_merges(world: World, tmp_path: Path) -> None:
    """The old machine synced once at the start, then worked a week on a clock months
    behind everyone's commands since: its sync rewinds the hub past them and replays,
    and every machine ends with the same record, holding every command once."""
    hub, laptop, desktop = world.copies("months")
    old = world.old.copy("old-months", tmp_path)
    try:
        laptop.sync(hub, SYNC_AT)
        report_ = old.sync(hub, OLD_SYNC_AT)
        assert report_["pushed"] > 0 and report_["pulled"] > 0, report_
        for replica, at in ((desktop, SYNC_AT), (laptop, SYNC_AT), (old, OLD_SYNC_AT)):
            replica.sync(hub, at + dt.timedelta(minutes=5))
        assert_converged([laptop, desktop, old], hub)
        held = set()
        for store in (world.laptop.store, world.hub.store, world.old.store):
            held |= set(commands_by_gid(store))
        assert set(commands_by_gid(hub.store)) == held
        for table in ("note", "link"):
            everyone = set()
            for store in (world.laptop.store, world.hub.store, world.old.store):
                everyone |= set(uids(store, table))
            assert sorted(uids(hub.store, table)) == sorted(everyone), table
    finally:
        hub.drop()


def test_the_hub_committed_and_the_replica_did_not_then_synced_again(world: World) -> None:
    """The state a kill between the two commits leaves (the hub commits first), made
    for certain rather than by timing, which lands in that stretch only now and then:
    the hub after a whole sync, the laptop as it was before it. The next sync pulls what
    it missed and pushes its commands again, which the hub skips by gid."""
    ref = reference(world, "laptop")
    hub, laptop, desktop = world.copies("between")
    try:
        laptop.sync(hub, SYNC_AT)
        before = world.laptop.copy("laptop-between-before", world.folder)
        assert check_after(world, ref, hub, before, desktop, "laptop") == "hub"
    finally:
        hub.drop()
