"""Refs: every form names the right item; bad ones list the candidates; and a command
acts on the item the user named or confirmed, or on nothing, when another moves items
meanwhile (the races below)."""

from __future__ import annotations

import pytest

from races import finish, holding_the_lock, start, wait_until_blocked


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("dls", "dls"),
        ("d", "dls"),
        ("DLS", "dls"),
        ("dls/2", "dls/improving"),
        ("dls/improving", "dls/improving"),
        ("dls/imp", "dls/improving"),
        ("dls/cnn", "dls/cnn"),
        ("dls/2/1", "dls/improving/practical-aspects"),
        ("dls/2/optim", "dls/improving/optimization"),
        ("dls/sequence-models/4", "dls/sequence-models/transformers"),
        ("dls/5/transformers", "dls/sequence-models/transformers"),
        ("dls/1/1/", "dls/neural-networks/introduction"),
    ],
)
def test_ref_forms(dls, ref: str, expected: str) -> None:
    result = dls.run("start", ref, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["changes"][0]["ref"] == expected


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "dls/9",
            "dls has no course 9: it has 5 (1-5); choose from 1=neural-networks, 2=improving",
        ),
        ("dls/0", "dls has no course 0"),
        ("dls/x", "no course 'x' in dls; choose from 1=neural-networks"),
        ("dls/s", "course 's' in dls is ambiguous: it could be structuring, sequence-models"),
        (
            "dls/1/9",
            "dls/neural-networks has no topic 9: it has 4 (1-4); choose from 1=introduction",
        ),
        ("nope", "no specialization 'nope' in the store; choose from dls"),
        ("", "empty ref"),
        ("/", "has an empty part"),
        ("dls//1", "has an empty part"),
        ("..", "no specialization '..'"),
        ("dls/1/1/1", "has 4 parts, at most 3"),
        ("x" * 10_000, "no specialization '" + "x" * 40 + "…' in the store"),
        ("dlś", "no specialization 'dlś'"),
        ("dls/" + "9" * 10_000, "dls has no course '99999"),
    ],
)
def test_bad_refs_say_what_exists(dls, ref: str, message: str) -> None:
    before = dls.dump(history=True)
    result = dls.run("done", ref)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, "one line on stderr"
    assert "Traceback" not in result.stderr
    assert dls.dump(history=True) == before


def test_ref_on_an_empty_store_says_how_to_start(store) -> None:
    result = store.run("status", "dls")
    assert result.exit_code == 1
    assert "coursetrack import deep-learning-specialization" in result.stderr


def test_one_bad_ref_among_good_ones_changes_nothing(dls) -> None:
    before = dls.dump(history=True)
    result = dls.run("done", "dls/1/1", "dls/1/2", "dls/7")
    assert result.exit_code == 1
    assert dls.dump(history=True) == before


@pytest.mark.parametrize(
    "ref", ["dls/²", "dls/1/³", "dls/\u0661"]
)  # superscripts, Arabic-Indic one
def test_digits_that_are_not_ascii_are_not_positions(dls, ref: str) -> None:
    result = dls.run("show", ref)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no ")
    assert "Traceback" not in result.stderr


# Class 1 of issue 10: a command acts on what the user named or confirmed, or on nothing.
#
# Each race is made deterministic by holding the write lock ourselves: a
# coursetrack write transaction opened in this process, in which we remove,
# shift and rename items. The commands under test are real processes started
# while we hold it; each says on stderr that it waits (after a second), and only
# then do we commit. So every one of them took its view of the store before our
# changes and acts after them: none may act on a neighbour.


@pytest.mark.slow
def test_commands_waiting_for_the_lock_never_act_on_a_neighbour(dls, tmp_path) -> None:
    from coursetrack.services import items

    db = dls.db
    for args in (
        ("add", "course", "dls", "Extra", "--slug", "x"),
        ("add", "topic", "dls/x", "Intro", "--slug", "intro"),
        ("add", "topic", "dls/x", "Intro advanced", "--slug", "intro-advanced"),
        ("note", "dls/x/intro-advanced", "keep me"),
        ("done", "dls/5/1"),
    ):
        assert dls.run(*args).exit_code == 0
    stale = {
        # by position: dls/2 is removed, so 3, 4, 5 move up
        "done": ("done", "dls/2", "--note", "must not land on structuring"),
        "note": ("note", "dls/4", "must not land on sequence-models"),
        "link": ("link", "dls/4", "https://example.org/x"),
        "reviewed": ("reviewed", "dls/5/1", "--grade", "good"),
        "add topic": ("add", "topic", "dls/3", "New topic"),
        # by prefix: intro is removed, so "intro" now matches intro-advanced
        "rm": ("rm", "dls/x/intro", "--yes"),
        # by slug: cnn is renamed, and its prefix now names another course
        "update": ("update", "dls/cnn", "--title", "Wrong course"),
    }
    fine = {
        "done dls/1/1": ("done", "dls/1/1"),  # nothing moved under it
        "goal": ("goal", "dls", "--by", "2030-01-01"),
    }
    before = {
        "notes": dls.rows("SELECT text FROM note ORDER BY id"),
        "links": dls.rows("SELECT url FROM link"),
        "reviews": dls.rows("SELECT count(*) FROM review"),
    }
    with holding_the_lock(db, "rm dls/2 --yes") as session:
        procs = {name: start(db, *args) for name, args in {**stale, **fine}.items()}
        for proc in procs.values():
            wait_until_blocked(proc)
        items.remove_item(session, ref="dls/2")
        items.remove_item(session, ref="dls/x/intro")
        items.update_item(session, ref="dls/cnn", slug="convolutional")
        items.update_item(session, ref="dls/sequence-models", slug="cnn-next")
    results = {name: finish(proc) for name, proc in procs.items()}

    for name in stale:
        code, out, err = results[name]
        assert code == 1, (name, out, err)
        assert "changed the store while it waited" in err, (name, err)
        assert "nothing was changed" in err, (name, err)
    assert "named course dls/improving" in results["done"][2]
    assert "it now names dls/structuring" in results["done"][2]
    assert "named topic dls/x/intro" in results["rm"][2]
    for name in fine:
        assert results[name][0] == 0, results[name]
    # nothing landed on a neighbour
    assert dls.rows("SELECT text FROM note ORDER BY id") == before["notes"]
    assert dls.rows("SELECT url FROM link") == before["links"]
    assert dls.rows("SELECT count(*) FROM review") == before["reviews"]
    in_x = "SELECT t.slug FROM topic t JOIN course c ON c.id = t.course_id WHERE c.slug = 'x'"
    assert dls.rows(in_x) == [("intro-advanced",)]
    assert dls.rows("SELECT count(*) FROM topic WHERE title = 'New topic'") == [(0,)]
    assert dls.rows("SELECT title FROM course WHERE slug = 'cnn-next'") == [("Sequence Models",)]
    done = dls.rows(
        "SELECT c.slug, t.position FROM progress p JOIN topic t ON t.id = p.topic_id "
        "JOIN course c ON c.id = t.course_id WHERE p.status = 'done' ORDER BY c.slug"
    )
    assert done == [("cnn-next", 1), ("neural-networks", 1)]
    assert dls.rows("SELECT target_on FROM goal") == [("2030-01-01",)]


def test_a_command_that_did_not_wait_acts_on_the_store_as_it_is(dls) -> None:
    """Positions are read under the lock: after rm, dls/2 is the next course, as shown."""
    assert dls.run("rm", "dls/2").exit_code == 0
    result = dls.run("done", "dls/2/1")
    assert result.exit_code == 0
    assert "dls/structuring" in result.stdout


def _two_intros(dls) -> None:
    """dls/x/intro and dls/x/intro-advanced, each with a note: removing the first makes
    a positional or prefix ref name the second."""
    for args in (
        ("add", "course", "dls", "Extra", "--slug", "x"),
        ("add", "topic", "dls/x", "Intro", "--slug", "intro"),
        ("add", "topic", "dls/x", "Intro advanced", "--slug", "intro-advanced"),
        ("note", "dls/x/intro", "asked about"),
        ("note", "dls/x/intro-advanced", "keep me"),
    ):
        assert dls.run(*args).exit_code == 0


def test_rm_confirmed_while_another_command_removes_the_item(dls) -> None:
    """The interactive question and the write share one view: the confirmed row or nothing."""
    _two_intros(dls)
    from coursetrack import store as store_db
    from coursetrack.services import items

    store = store_db.open_store(dls.db, write=True)
    try:
        with store.read() as seen:
            plan = items.describe_removal(seen, ref="dls/x/intro")
            assert plan.recorded == 1  # the question would name these
            dls.run("rm", "dls/x/intro", "--yes")  # another terminal, meanwhile
            from coursetrack.errors import StaleError

            stale = pytest.raises(StaleError, match="it now names dls/x/intro-advanced")
            with stale, store.write("rm dls/x/intro", seen=seen) as session:
                items.remove_item(session, ref="dls/x/intro", shown=plan)
    finally:
        store.close()
    assert dls.rows("SELECT text FROM note") == [("keep me",)]


def test_rm_answered_on_a_terminal_after_another_rm_took_the_item(dls) -> None:
    """The issue's case: `rm x/intro` asks; meanwhile another terminal removes x/intro."""
    import os
    import pty
    import select
    import subprocess
    import sys

    _two_intros(dls)
    main, side = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coursetrack", "--db", dls.db, "rm", "dls/x/intro"],
        stdin=side,
        stdout=side,
        stderr=side,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    os.close(side)
    screen = b""
    while b"?" not in screen:
        ready, _, _ = select.select([main], [], [], 60)
        assert ready, screen
        screen += os.read(main, 4096)
    assert b"Delete topic dls/x/intro" in screen
    assert dls.run("rm", "dls/x/intro", "--yes").exit_code == 0  # the other terminal
    os.write(main, b"y\n")
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        try:
            chunk = os.read(main, 4096) if ready else b""
        except OSError:
            chunk = b""
        if not chunk:
            break
        screen += chunk
    assert proc.wait(timeout=60) == 1
    os.close(main)
    text = " ".join(screen.decode().split())
    assert "it names nothing now" in text or "it now names dls/x/intro-advanced" in text, text
    assert dls.rows("SELECT text FROM note") == [("keep me",)]
    assert dls.rows("SELECT slug FROM topic WHERE slug = 'intro-advanced'") == [("intro-advanced",)]
