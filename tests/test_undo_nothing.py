"""A command that changes nothing is not recorded, so `undo` always takes back a real change.

Issue 22's "the record": `done` on a done topic was logged, and the next `undo`
took it back ("it had changed nothing") instead of the change before it.
"""

from __future__ import annotations

import random

import pytest

import by_hand


def commands(store) -> list[tuple]:
    return store.rows("SELECT id, line FROM command ORDER BY id")


def said_nothing_to_do(stdout: str) -> bool:
    """ "nothing to do", or the service's own kinder words ("already started")."""
    return "nothing to" in stdout or ": already " in stdout


@pytest.mark.parametrize(
    ("first", "again"),
    [
        (["done", "dls/1/1"], ["done", "dls/1/1"]),
        (["start", "dls/1/1"], ["start", "dls/1/1"]),
        (["start", "dls/1/1"], ["reopen", "dls/1/2"]),
        (["goal", "dls", "--by", "2099-01-31"], ["goal", "dls", "--by", "2099-01-31"]),
        (["done", "dls/1/1"], ["goal", "dls", "--clear"]),
    ],
)
def test_a_command_that_changes_nothing_is_not_recorded(dls, first, again) -> None:
    assert dls.run(*first).exit_code == 0
    before = dls.dump(history=True)
    result = dls.run(*again)
    assert result.exit_code == 0, result.stderr
    assert said_nothing_to_do(result.stdout), result.stdout
    assert dls.dump(history=True) == before
    log = dls.run("log")
    assert " ".join(again) not in log.stdout or " ".join(again) == " ".join(first)
    assert len(commands(dls)) == 2  # the import and the first command


def test_undo_after_a_no_op_reverts_the_real_change_before_it(dls) -> None:
    dls.run("done", "dls/1/1")
    result = dls.run("done", "dls/1/1")
    assert ": nothing to do, done already" in result.stdout, result.stdout
    undo = dls.run("undo", "--yes")
    assert undo.exit_code == 0, undo.stderr
    assert undo.stdout.startswith("undid #2 done dls/1/1 ("), undo.stdout
    assert "changed nothing" not in undo.stdout
    assert dls.rows("SELECT count(*) FROM progress WHERE status = 'done'") == [(0,)]
    assert [line for _, line in commands(dls)][-2:] == ["done dls/1/1", "undo --yes"]


def test_a_command_that_fails_still_leaves_no_row(dls) -> None:
    before = dls.dump(history=True)
    assert dls.run("done", "dls/1/nope").exit_code != 0
    assert dls.dump(history=True) == before


TOPICS = ("dls/1/1", "dls/1/2", "dls/2/1")


@pytest.mark.parametrize("seed", [1, 2])
def test_undo_after_any_sequence_reverts_the_last_real_change(dls, seed) -> None:
    """Seeded random sequences of start/done/reopen/goal, no-ops among them: each
    undo brings back the store as it was before the newest real change."""
    rng = random.Random(seed)
    states = [dls.dump()]  # the store before each real change, oldest first
    for _ in range(12):
        verb = rng.choice(("start", "done", "reopen", "goal"))
        if verb == "goal":
            args = ["goal", "dls", "--by", rng.choice(("2099-01-31", "2099-02-28"))]
        else:
            args = [verb, rng.choice(TOPICS)]
        result = dls.run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        now = dls.dump()
        if now != states[-1]:
            states.append(now)
        else:
            assert said_nothing_to_do(result.stdout), (args, result.stdout)
    for expected in reversed(states[:-1]):
        undo = dls.run("undo", "--yes")
        assert undo.exit_code == 0, undo.stderr
        assert "changed nothing" not in undo.stdout
        assert dls.dump() == expected


def test_undo_passes_over_a_no_op_an_older_store_recorded(dls) -> None:
    """A store written before this rule may hold commands that changed nothing:
    `undo` reverts the real change before them, and `undo ID` still names one."""
    dls.run("done", "dls/1/1")
    dls.execute(
        f"INSERT INTO command (id, at, line, {by_hand.COLUMNS}) "
        f"VALUES (3, ?, ?, {by_hand.values(dls.engine)})",
        "2026-01-01T00:00:00+00:00",
        "done dls/1/1",
    )
    undo = dls.run("undo", "--yes")
    assert undo.stdout.startswith("undid #2 done dls/1/1 ("), undo.stdout
    assert dls.rows("SELECT count(*) FROM progress WHERE status = 'done'") == [(0,)]
    named = dls.run("undo", "3", "--yes")
    assert named.exit_code == 0, named.stderr
    assert "it had changed nothing" in named.stdout
