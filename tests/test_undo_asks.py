"""undo names the command it reverts, asks on a terminal, and reverts only what it named."""

from __future__ import annotations

import os
import subprocess
import sys

from races import finish, holding_the_lock, start, wait_until_blocked
from terminal import run_in_terminal


def done_rows(store) -> list[tuple]:
    return store.rows(
        "SELECT c.slug, t.slug FROM progress p JOIN topic t ON t.id = p.topic_id "
        "JOIN course c ON c.id = t.course_id WHERE p.status = 'done' ORDER BY c.position"
    )


def test_undo_without_a_terminal_names_the_command_and_needs_yes(dls) -> None:
    dls.run("done", "dls/1/1")
    before = dls.dump(history=True)
    result = dls.run("undo")
    assert result.exit_code == 1
    assert "undo would revert #2 done dls/1/1 (" in result.stderr
    assert "1 change); run again with --yes" in result.stderr
    assert dls.dump(history=True) == before
    assert dls.run("undo", "--yes").exit_code == 0
    assert done_rows(dls) == []


def test_undo_asks_on_a_terminal(dls) -> None:
    dls.run("done", "dls/1/1")
    code, screen = run_in_terminal(["--db", dls.db, "undo"], answer="n")
    assert "Undo #2 done dls/1/1 (" in screen
    assert code == 1 and "nothing undone" in screen
    assert done_rows(dls) == [("neural-networks", "introduction")]
    code, screen = run_in_terminal(["--db", dls.db, "undo"], answer="y")
    assert code == 0, screen
    assert "undid #2 done dls/1/1" in screen
    assert done_rows(dls) == []


def test_end_of_input_at_the_question_changes_nothing(dls) -> None:
    dls.run("done", "dls/1/1")
    dls.run("done", "dls/2/1")
    before = dls.dump(history=True)
    for args in (["undo"], ["rm", "dls/1"]):
        code, screen = run_in_terminal(["--db", dls.db, *args], answer="\x04")
        assert code == 1, screen
        assert "Traceback" not in screen and "nothing" in screen, screen
    assert dls.dump(history=True) == before


def test_stdin_closed_is_a_clear_refusal(dls) -> None:
    """`coursetrack rm dls/1 <&-`: no stdin at all is no terminal, not a traceback."""
    dls.run("done", "dls/1/1")
    before = dls.dump(history=True)
    for args in (["rm", "dls/1"], ["undo"]):
        proc = subprocess.run(
            [sys.executable, "-m", "coursetrack", "--db", dls.db, *args],
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.close(0),
            env={**os.environ, "NO_COLOR": "1"},
        )
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "run again with --yes" in proc.stderr, proc.stderr
    assert dls.dump(history=True) == before


def test_undo_id_reverts_an_older_command_that_nothing_touched_since(dls) -> None:
    dls.run("done", "dls/1/1")  # 2
    dls.run("note", "dls/3", "later, elsewhere")  # 3
    result = dls.run("undo", "2", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("undid #2 done dls/1/1 (")
    assert done_rows(dls) == []
    assert dls.rows("SELECT text FROM note") == [("later, elsewhere",)]
    log = dls.run("log", "-n", "1", "--json").json()["commands"][0]
    assert (log["command"], log["undoes"]) == ("undo 2 --yes", 2)


def test_undo_id_refuses_when_a_later_command_touched_its_rows(dls) -> None:
    dls.run("done", "dls/1/1")  # 2
    dls.run("reopen", "dls/1/1")  # 3: the same progress row
    before = dls.dump(history=True)
    result = dls.run("undo", "2", "--yes")
    assert result.exit_code == 1
    assert "cannot undo #2 done dls/1/1: #3 reopen dls/1/1 changed the same rows" in result.stderr
    assert dls.dump(history=True) == before
    for args, message in (
        (["undo", "99", "--yes"], "there is no command #99"),
        (["undo", "99999999999999999999", "--yes"], "no command #99999999999999999999"),
    ):
        result = dls.run(*args)
        assert result.exit_code == 1 and message in result.stderr, result.stderr
    dls.run("undo", "--yes")  # reverts 3
    assert "undone already, by #" in dls.run("undo", "3", "--yes").stderr
    assert "is itself an undo" in dls.run("undo", "4", "--yes").stderr


def test_undo_waiting_for_the_lock_reverts_the_command_it_named(dls) -> None:
    """Another terminal's done that held the lock is not what undo reverts."""
    from coursetrack.services.marking import mark_done

    dls.run("done", "dls/1/1")  # 2: the user's own last command
    proc = None
    with holding_the_lock(dls.db, "done dls/2/1") as session:
        proc = start(dls.db, "undo", "--yes")
        wait_until_blocked(proc)
        import datetime as dt

        mark_done(session, refs=["dls/2/1"], on=dt.date(2026, 1, 2))
    code, out, err = finish(proc)
    assert code == 0, err
    assert out.startswith("undid #2 done dls/1/1 (")
    assert done_rows(dls) == [("improving", "practical-aspects")]


def test_undo_waiting_refuses_if_the_other_command_changed_the_same_rows(dls) -> None:
    from coursetrack.services.marking import reopen_items

    dls.run("done", "dls/1/1")  # 2
    with holding_the_lock(dls.db, "reopen dls/1/1") as session:
        proc = start(dls.db, "undo", "--yes")
        wait_until_blocked(proc)
        reopen_items(session, refs=["dls/1/1"])
    code, _out, err = finish(proc)
    assert code == 1
    assert "cannot undo #2 done dls/1/1: #3 reopen dls/1/1 changed the same rows" in err
    assert dls.rows("SELECT undone_by FROM command WHERE id = 2") == [(None,)]


def test_two_undos_at_once_do_not_walk_back_two_commands(dls) -> None:
    """Both terminals named #3; the second finds it undone and reverts nothing else."""
    from coursetrack.services.undo import undo_command

    dls.run("done", "dls/1/1")  # 2
    dls.run("done", "dls/2/1")  # 3
    with holding_the_lock(dls.db, "undo --yes") as session:
        proc = start(dls.db, "undo", "--yes")
        wait_until_blocked(proc)
        undo_command(session)
    code, _out, err = finish(proc)
    assert code == 1
    assert "#3 done dls/2/1 was undone already, by #4" in err
    assert done_rows(dls) == [("neural-networks", "introduction")]


def test_undo_id_of_a_removal_whose_slug_was_taken_again_is_a_clear_refusal(dls) -> None:
    dls.run("add", "course", "dls", "Extra", "--slug", "extra")
    dls.run("add", "course", "dls", "Other", "--slug", "other")  # so the freed id is not reused
    dls.run("rm", "dls/extra")  # 4
    dls.run("add", "course", "dls", "Another extra", "--slug", "extra")  # 5: a new row
    before = dls.dump(history=True)
    result = dls.run("undo", "4", "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: cannot undo #4 rm dls/extra: #5 add course dls 'Another extra' --slug extra "
        "depends on it (it took the slug 'extra', which the undo would give back); "
        "undo #5 first"
    )
    assert "nothing was changed" in result.stderr and "Traceback" not in result.stderr
    assert dls.dump(history=True) == before


def test_rm_confirmed_on_a_terminal_removes_what_it_named(dls) -> None:
    dls.run("done", "dls/1/1")
    code, screen = run_in_terminal(["--db", dls.db, "rm", "dls/1"], answer="y")
    assert code == 0, screen
    assert (
        "Delete course dls/neural-networks (4 topics) and 1 record(s) of your study (progress, notes, links, reviews)?"
        in screen
    )
    assert "removed course dls/neural-networks" in screen
    assert dls.rows("SELECT slug FROM course WHERE position = 1") == [("improving",)]


def test_undo_id_refuses_when_its_removal_would_take_a_later_commands_rows(store) -> None:
    """Undoing the add of a topic removes, by cascade, the progress and note a later
    `done` hung under it: refused, naming that command, and nothing changes."""
    store.run("add", "specialization", "X", "--slug", "x")
    store.run("add", "course", "x", "C", "--slug", "c")
    store.run("add", "topic", "x/c", "T", "--slug", "t")
    assert store.run("done", "x/c/t", "--note", "important").exit_code == 0
    before = store.dump(history=True)
    result = store.run("undo", "3", "--yes")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot undo #3 add topic x/c T --slug t: ")
    assert "#4 done x/c/t --note important" in result.stderr
    assert store.dump(history=True) == before
    assert store.rows("SELECT text FROM note") == [("important",)]
    # undone in order, both go
    assert store.run("undo", "--yes").exit_code == 0
    assert store.run("undo", "3", "--yes").exit_code == 0
    assert store.rows("SELECT count(*) FROM topic") == [(0,)]
