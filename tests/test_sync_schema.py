"""Schema 8 (issue 24, `store.sync_schema`): every exchanged row named by a uid, every
command by a gid and a stamp (`store.clock`, `store.uids`), on both engines; a store of
schema 7 with its history upgrades to it keeping its order."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from typer.testing import CliRunner

import by_hand
from conftest import Store
from coursetrack.cli import app
from coursetrack.store import clock, sync_schema, uids
from group import ok
from old_coursetrack import playing_schema

pytestmark = pytest.mark.both_engines

REPLICA = "0123456789abcdef"


# --- the stamp, pure ---------------------------------------------------------------


def test_a_first_stamp_is_the_clock() -> None:
    assert clock.next_stamp(None, 1765036512000, REPLICA) == f"0001765036512000.0000.{REPLICA}"


def test_stamps_grow_when_the_clock_goes_back() -> None:
    """A clock behind the last stamp (set back, or behind a machine synced with) takes the
    last stamp's wall and the next counter: stamps still grow, in text order too."""
    first = clock.next_stamp(None, 2_000, REPLICA)
    second = clock.next_stamp(first, 1_000, REPLICA)  # ten seconds... one second back
    third = clock.next_stamp(second, 2_000, "f" * 16)  # the same millisecond, elsewhere
    fourth = clock.next_stamp(third, 2_001, REPLICA)  # the clock passes it again
    assert [clock.parse(s)[:2] for s in (first, second, third, fourth)] == [
        (2_000, 0),
        (2_000, 1),
        (2_000, 2),
        (2_001, 0),
    ]
    assert first < second < third < fourth


def test_the_counters_end_moves_the_stamp_to_the_next_millisecond() -> None:
    last = clock.format_stamp(5_000, clock.MAX_COUNTER, REPLICA)
    after = clock.next_stamp(last, 4_000, REPLICA)
    assert clock.parse(after) == (5_001, 0, REPLICA)
    assert last < after


def test_stamps_sort_as_their_tuples() -> None:
    """Fixed widths: text order is (wall, counter, replica) order, across digit counts."""
    stamps = [
        clock.format_stamp(wall, counter, replica)
        for wall in (9, 10, 1765036512000)
        for counter in (0, 9, 10, 9999)
        for replica in ("0" * 16, REPLICA, "f" * 16)
    ]
    assert sorted(stamps) == stamps
    assert sorted(stamps, key=clock.parse) == stamps


# --- a store's commands and rows -----------------------------------------------------


def _other(db: str, engine: str) -> Store:
    runner = CliRunner()

    def run(*args: str, env: dict | None = None):
        from conftest import Result

        result = runner.invoke(app, ["--db", db, *args], env=env)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result.exit_code, result.stdout, result.stderr)

    return Store(db, run, engine)


def test_commands_are_stamped_in_order_even_when_the_clock_goes_back(store: Store) -> None:
    """`COURSETRACK_NOW` set back a day: the next command's stamp is still after the last
    (the same wall, the next counter); gid, replica and machine name this store."""
    days = {day: f"2026-03-0{day}T10:00:00+00:00" for day in (1, 2)}
    ok(store.run("import", "deep-learning-specialization", env={"COURSETRACK_NOW": days[1]}))
    ok(store.run("note", "dls/1", "later", env={"COURSETRACK_NOW": days[2]}))
    ok(store.run("note", "dls/1", "earlier", env={"COURSETRACK_NOW": days[1]}))
    ((replica, machine),) = store.rows("SELECT replica, name FROM sync_state")
    assert len(replica) == 16 and int(replica, 16) >= 0 and machine
    commands = store.rows("SELECT id, gid, replica, stamp, machine, at FROM command ORDER BY id")
    assert [c[1] for c in commands] == [f"{replica}:{c[0]}" for c in commands]
    assert {(c[2], c[4]) for c in commands} == {(replica, machine)}
    stamps = [c[3] for c in commands]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    walls = {day: int(dt.datetime.fromisoformat(at).timestamp() * 1000) for day, at in days.items()}
    assert [clock.parse(s)[:2] for s in stamps] == [(walls[1], 0), (walls[2], 0), (walls[2], 1)]
    assert commands[2][5] == "2026-03-01T10:00:00+00:00"  # `at` is still the clock's
    seqs = store.rows("SELECT seq FROM command ORDER BY id")
    if store.engine == "postgresql":  # a hub numbers every command it holds
        assert [s for (s,) in seqs] == sorted(s for (s,) in seqs) and None not in seqs
    else:
        assert seqs == [(None,)] * 3


def test_a_record_is_named_by_its_commands_stamp(dls: Store) -> None:
    """A note, a link and the reviews a command makes: uids beginning with its stamp, then
    their index in it; later records sort later."""
    ok(dls.run("note", "dls/1", "one"))
    ok(dls.run("done", "dls/1/1", "--on", "2026-10-01"))
    ok(dls.run("done", "dls/1/2", "--on", "2026-10-01"))
    ok(dls.run("reviewed", "dls/1", "--grade", "good", "--on", "2026-10-05"))
    ok(dls.run("link", "dls/1", "https://example.org/nb"))
    stamps = dict(dls.rows("SELECT line, stamp FROM command"))
    reviewed = next(line for line in stamps if line.startswith("reviewed"))
    ((note,),) = dls.rows("SELECT uid FROM note")
    assert note.startswith(stamps["note dls/1 one"] + ".0000.")
    reviews = [u for (u,) in dls.rows("SELECT uid FROM review ORDER BY id")]
    assert [u.rsplit(".", 2)[0] for u in reviews] == [stamps[reviewed]] * 2
    assert [u.rsplit(".", 2)[1] for u in reviews] == ["0000", "0001"]
    ((link,),) = dls.rows("SELECT uid FROM link")
    assert note < reviews[0] < reviews[1] < link


def test_two_stores_importing_one_catalog_name_its_items_alike(store: Store, new_store) -> None:
    """The same catalog imported on two machines gives the same items the same uids (the
    hash of the slug path), so a sync merges them; an item renamed keeps its uid, and an
    item added at its old path takes the next free one."""
    other = _other(new_store(), store.engine)
    for each in (store, other):
        ok(each.run("import", "deep-learning-specialization"))
    catalog = "SELECT s.slug, c.slug, t.slug, s.uid, c.uid, t.uid FROM topic t " + (
        "JOIN course c ON c.id = t.course_id JOIN specialization s ON s.id = c.specialization_id "
        "ORDER BY s.slug, c.position, t.position"
    )
    mine = store.rows(catalog)
    assert mine == other.rows(catalog) and len(mine) > 10
    for spec, course, topic, spec_uid, course_uid, topic_uid in mine:
        assert spec_uid == uids.catalog_uid(spec)
        assert course_uid == uids.catalog_uid(spec, course)
        assert topic_uid == uids.catalog_uid(spec, course, topic)
    ok(store.run("add", "course", "dls", "Extra"))
    assert store.rows("SELECT uid FROM course WHERE slug = 'extra'") == [
        (uids.catalog_uid("dls", "extra"),)
    ]
    ok(store.run("update", "dls/extra", "--slug", "renamed"))
    ok(store.run("add", "course", "dls", "Extra"))
    renamed, added = store.rows(
        "SELECT uid FROM course WHERE slug IN ('renamed', 'extra') ORDER BY slug DESC"
    )
    assert renamed == (uids.catalog_uid("dls", "extra"),)
    assert added[0] not in renamed and len(added[0]) == 32


def test_a_row_written_by_hand_without_a_uid_gets_one(dls: Store) -> None:
    """The sqlite3 shell or psql: a note inserted without a uid takes a random one (the
    column's default); a NULL uid is refused."""
    dls.execute(
        f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
        f"VALUES ('2026-03-01T09:00:00+00:00', 'by hand', {by_hand.values(dls.engine)})"
    )
    dls.execute("INSERT INTO note (topic_id, written_on, text) VALUES (1, '2026-03-01', 'mine')")
    ((uid,),) = dls.rows("SELECT uid FROM note WHERE text = 'mine'")
    assert len(uid) == 32 and int(uid, 16) >= 0
    with pytest.raises(Exception, match="uid"):
        dls.execute(
            "INSERT INTO note (topic_id, written_on, text, uid) VALUES (1, '2026-03-01', 'x', NULL)"
        )
    assert dls.rows("SELECT count(*) FROM note") == [(1,)]


@pytest.mark.sqlite_only
def test_a_shell_insert_into_a_new_sqlite_store_gets_a_uid(store: Store) -> None:
    """The plain sqlite3 module, as a shell would (a store the first write made)."""
    ok(store.run("import", "deep-learning-specialization"))
    con = sqlite3.connect(store.db)
    with con:
        con.execute(
            f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
            f"VALUES ('2026-03-01T09:00:00+00:00', 'shell', {by_hand.values()})"
        )
        con.execute("INSERT INTO history_binding SELECT 1, max(id) FROM command")
        con.execute(
            "INSERT INTO link (topic_id, url, added_on) VALUES (1, 'https://a.org', '2026-03-01')"
        )
        con.execute("DELETE FROM history_binding")
    con.close()
    ((uid,),) = store.rows("SELECT uid FROM link")
    assert len(uid) == 32


# --- the upgrade from schema 7 --------------------------------------------------------


def test_a_schema_7_store_upgrades_naming_every_row_and_command(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commands get gid, replica and stamps growing with their ids; catalog rows the hash
    of their path; records `<stamp of their insert>.<id>.<random>`, so ordering by uid
    keeps the order of ids; every recorded change names its row's uid, a row gone since
    one uid in all its changes; undo still reaches back over the upgrade."""
    with playing_schema(7):
        for args in (
            ("import", "deep-learning-specialization"),
            ("done", "dls/1/1", "--on", "2026-10-01"),
            ("done", "dls/1/2", "--on", "2026-10-01"),
            ("reviewed", "dls/1", "--grade", "good", "--on", "2026-10-05"),
            ("note", "dls/1", "first"),
            ("note", "dls/1", "second"),
            ("note", "dls/1/1", "gone soon"),
            ("link", "dls/1", "https://example.org/nb"),
        ):
            ok(store.run(*args))
        ok(store.run("note", "rm", "3"))
        assert store.rows("SELECT count(*) FROM note") == [(2,)]
    monkeypatch.setattr(sync_schema, "_PAGE", 4)  # the history rewritten over many pages
    ok(store.run("status"))  # the upgrade
    version = (
        "PRAGMA user_version"
        if store.engine == "sqlite"
        else "SELECT version FROM coursetrack_schema"
    )
    assert store.rows(version) == [(8,)]
    ((replica,),) = store.rows("SELECT replica FROM sync_state")
    commands = store.rows("SELECT id, gid, replica, stamp, machine FROM command ORDER BY id")
    assert len(commands) == 9
    assert [(c[1], c[2], c[4]) for c in commands] == [
        (f"{replica}:{c[0]}", replica, None) for c in commands
    ]
    stamps = [c[3] for c in commands]
    assert stamps == sorted(set(stamps))
    stamp_of = {c[0]: c[3] for c in commands}
    # the catalog: the hash of each item's path
    for spec, course, topic, uid in store.rows(
        "SELECT s.slug, c.slug, t.slug, t.uid FROM topic t JOIN course c ON c.id = t.course_id "
        "JOIN specialization s ON s.id = c.specialization_id"
    ):
        assert uid == uids.catalog_uid(spec, course, topic)
    # records: the stamp of the command that inserted them, their id: the order of ids
    for table in ("note", "link", "review"):
        rows = store.rows(
            f"SELECT r.id, r.uid, (SELECT min(command_id) FROM change WHERE table_name = '{table}' "
            f"AND row_id = r.id AND op = 'insert') FROM {table} r ORDER BY r.id"
        )
        assert rows and [r[1] for r in rows] == sorted(r[1] for r in rows), table
        for row_id, uid, command in rows:
            assert uid.startswith(f"{stamp_of[command]}.{row_id:010d}."), table
    # the history names each row by its uid, a gone row by one uid in all its changes
    changes = store.rows(
        "SELECT table_name, row_id, old, new FROM change "
        "WHERE table_name IN ('specialization', 'course', 'topic', 'note', 'link', 'review')"
    )
    named: dict[tuple[str, int], set[str]] = {}
    for table, row_id, old, new in changes:
        for values in (old, new):
            if values is not None:
                named.setdefault((table, row_id), set()).add(json.loads(values)["uid"])
    assert all(len(found) == 1 for found in named.values())
    now = dict(store.rows("SELECT id, uid FROM note"))
    assert {named["note", i].pop() for i in now} == set(now.values())
    (gone,) = named["note", 3]
    assert gone not in now.values() and gone.startswith(stamp_of[7])
    # a new command is stamped after all of them; its note sorts after the old ones
    ok(store.run("note", "dls/1", "third"))
    ((last, line),) = store.rows("SELECT stamp, line FROM command WHERE id = 10")
    assert line == "note dls/1 third" and last > stamps[-1]
    notes = [t for (t,) in store.rows("SELECT text FROM note ORDER BY uid")]
    assert notes == ["first", "second", "third"]
    # undo reaches back over the upgrade: the removed note comes back under its uid
    ok(store.run("undo", "--yes"))  # the new note
    ok(store.run("undo", "--yes"))  # the removal
    assert store.rows("SELECT uid FROM note WHERE id = 3") == [(gone,)]
