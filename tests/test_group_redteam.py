"""Red-team pass on a study group's security: what a learner tries by hand.

The owner `olga`, the curator `cora` and the learners `alice`, `bob` and `carol`
(tests/group.py).
"""

from __future__ import annotations

import contextlib

import psycopg2

from group import GroupStore, group_store_fixture, ok  # noqa: F401


def test_a_learner_cannot_take_the_command_numbers_others_write_next(
    group_store: GroupStore,
) -> None:
    """A learner may insert `command` rows with any id: taking the next numbers of the
    sequence makes every other learner's write fail on the primary key."""
    g = group_store
    ok(g.run("bob", "done", "dls/1/1"))
    with g.connect("alice") as con:
        last = con.execute("SELECT last_value FROM command_id_seq").fetchone()[0]
        with contextlib.suppress(psycopg2.Error):  # refused: the hole is closed
            con.execute(
                "INSERT INTO command (id, at, line, gid, replica, stamp) "
                "SELECT n, 'x', 'squat', 'squat:' || n, 'squat', 'squat' || n "
                "FROM generate_series(%s::int, %s::int) n",
                (last + 1, last + 20),
            )
        # nor by moving a row of her own there
        ok(g.run("alice", "done", "dls/1/3"))
        with contextlib.suppress(psycopg2.Error):
            con.execute("UPDATE command SET id = id + 100 WHERE line LIKE 'done%%'")
        with contextlib.suppress(psycopg2.Error):
            con.execute("UPDATE progress SET id = id + 100")
    for ref in ("dls/1/2", "dls/1/4"):
        ok(g.run("bob", "done", ref))


def test_a_learner_cannot_take_the_id_of_anothers_removed_row(group_store: GroupStore) -> None:
    """Undo puts a removed row back under its own id: a learner who takes that id by
    hand (a free id is found by trying, a taken one fails on the primary key) would
    make the other's undo fail."""
    g = group_store
    ok(g.run("bob", "goal", "dls", "--by", "2027-06-01"))
    (goal,) = g.all_rows("SELECT id FROM goal WHERE learner = 'bob'")[0]
    ok(g.run("bob", "goal", "dls", "--clear"))
    ok(g.run("alice", "done", "dls/1/2"))  # a command of hers to file her rows under
    with g.connect("alice") as con:
        con.execute(
            "SELECT set_config('coursetrack.command', (SELECT max(id)::text FROM command), false)"
        )
        with contextlib.suppress(psycopg2.Error):  # refused: the hole is closed
            con.execute(
                "INSERT INTO goal (id, specialization_id, target_on) "
                "SELECT %s, id, '2030-01-01' FROM specialization LIMIT 1",
                (goal,),
            )
    ok(g.run("bob", "undo", "--yes"))
    assert g.all_rows("SELECT learner FROM goal WHERE id = ?", goal) == [("bob",)]


def test_a_learner_cannot_write_history_by_hand(group_store: GroupStore) -> None:
    """History rows are the triggers' alone: a change row written by hand could name
    another's removed row as hers (and so take its id from their undo), or file her
    writes away from her history (a temporary table named `change`)."""
    g = group_store
    ok(g.run("bob", "goal", "dls", "--by", "2027-06-01"))
    (goal,) = g.all_rows("SELECT id FROM goal WHERE learner = 'bob'")[0]
    ok(g.run("bob", "goal", "dls", "--clear"))
    ok(g.run("alice", "done", "dls/1/2"))
    with g.connect("alice") as con:
        con.execute(
            "SELECT set_config('coursetrack.command', (SELECT max(id)::text FROM command), false)"
        )
        with contextlib.suppress(psycopg2.Error):  # refused: the hole is closed
            con.execute(
                "INSERT INTO change (command_id, table_name, row_id, op, old, new) "
                "SELECT max(id), 'goal', %s, 'delete', '{}', NULL FROM command",
                (goal,),
            )
        with contextlib.suppress(psycopg2.Error):
            con.execute(
                "INSERT INTO goal (id, specialization_id, target_on) "
                "SELECT %s, id, '2030-01-01' FROM specialization LIMIT 1",
                (goal,),
            )
        before = g.all_rows("SELECT count(*) FROM change WHERE learner = 'alice'")[0][0]
        con.execute("CREATE TEMP TABLE change (LIKE public.change INCLUDING DEFAULTS)")
        con.execute("UPDATE progress SET completed_on = '2026-01-01'")
        after = g.all_rows("SELECT count(*) FROM change WHERE learner = 'alice'")[0][0]
        assert after == before + 1  # her write is in the store's history all the same
    ok(g.run("bob", "undo", "--yes"))
    assert g.all_rows("SELECT learner FROM goal WHERE id = ?", goal) == [("bob",)]
