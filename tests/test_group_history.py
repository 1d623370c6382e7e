"""Each learner's own history in a study group: `log` lists only their commands, and
`undo` reverts only their last one, however the learners' commands interleave.

Real roles on the test server (tests/group.py): alice and bob are learners,
cora a curator, olga the store's owner. What is stored is read as the
superuser, who sees every learner's rows.
"""

from __future__ import annotations

import pytest

from conftest import Result
from group import OWNER, GroupStore, group_store_fixture  # noqa: F401

# a group of five real roles per test, every kind of command undone: the full suite only
pytestmark = pytest.mark.slow


@pytest.fixture
def g(group_store: GroupStore) -> GroupStore:
    return group_store


def ok(g: GroupStore, role: str, *args: str) -> Result:
    """`g.run`, which must succeed."""
    result = g.run(role, *args)
    assert result.exit_code == 0, (role, args, result.stdout, result.stderr)
    return result


RECORDS = ("progress", "note", "link", "review", "goal", "member", "command", "change")


def records(g: GroupStore, learner: str) -> dict[str, list[tuple]]:
    """Every row of `learner`'s record, their history included (as the superuser reads it)."""
    return {
        t: g.all_rows(f"SELECT * FROM {t} WHERE learner = ? ORDER BY id", learner) for t in RECORDS
    }


def commands(g: GroupStore, learner: str) -> list[tuple[int, str, bool]]:
    """(number, line, undone) of the commands `learner`'s `log --json` lists, newest first."""
    listed = ok(g, learner, "log", "--json").json()["commands"]
    return [(c["id"], c["command"], c["undone"]) for c in listed]


def topic_status(g: GroupStore, learner: str, ref: str) -> str:
    return ok(g, learner, "show", ref, "--json").json()["status"]


def test_interleaved_learners_each_log_and_undo_only_their_own(g: GroupStore) -> None:
    ok(g, "alice", "done", "dls/1/1", "--on", "2026-01-05")  # A
    ok(g, "bob", "done", "dls/1/2", "--on", "2026-01-06")  # B
    ok(g, "alice", "note", "dls/1", "alices-thought")  # A
    ok(g, "bob", "done", "dls/1/1", "--on", "2026-01-07")  # B, the topic A did too

    # Command numbers are the store's: unique across learners, in the order they ran.
    everyone = g.all_rows("SELECT id, learner FROM command ORDER BY id")
    assert [learner for _, learner in everyone] == [OWNER, "alice", "bob", "alice", "bob"]
    ids = [n for n, _ in everyone]
    assert ids == sorted(set(ids))
    _, a1, b1, a2, b2 = ids

    assert commands(g, "alice") == [
        (a2, "note dls/1 alices-thought", False),
        (a1, "done dls/1/1 --on 2026-01-05", False),
    ]
    assert commands(g, "bob") == [
        (b2, "done dls/1/1 --on 2026-01-07", False),
        (b1, "done dls/1/2 --on 2026-01-06", False),
    ]
    newest = ok(g, "alice", "log", "-n", "1", "--json").json()["commands"]
    assert [c["id"] for c in newest] == [a2], "her newest, though bob's is newer"
    text = ok(g, "alice", "log").stdout
    assert "import" not in text and "dls/1/2" not in text and "2026-01-07" not in text

    bob_before = records(g, "bob")
    undone = ok(g, "alice", "undo", "--yes")
    assert undone.stdout.startswith(f"undid #{a2} note dls/1 ")
    assert g.all_rows("SELECT count(*) FROM note") == [(0,)]
    undone = ok(g, "alice", "undo", "--yes")
    assert undone.stdout.startswith(f"undid #{a1} done dls/1/1 --on 2026-01-05 ")
    assert topic_status(g, "alice", "dls/1/1") == "todo"
    assert topic_status(g, "bob", "dls/1/1") == "done", "bob's record of the same topic stays"

    nothing = g.run("alice", "undo", "--yes")
    assert nothing.exit_code == 1 and nothing.stdout == ""
    assert nothing.stderr.strip() == (
        "Error: nothing to undo: the history is empty or all of it is undone already"
    )
    assert records(g, "bob") == bob_before, "alice's undos changed nothing of bob's"
    assert [undone for _, _, undone in commands(g, "bob")] == [False, False]
    assert g.all_rows("SELECT learner, count(*) FROM progress GROUP BY learner") == [("bob", 2)]

    # bob's undo takes back bob's last command, not alice's (her undo is newer).
    undone = ok(g, "bob", "undo", "--yes")
    assert undone.stdout.startswith(f"undid #{b2} done dls/1/1 --on 2026-01-07 ")
    assert topic_status(g, "bob", "dls/1/1") == "todo"
    assert topic_status(g, "bob", "dls/1/2") == "done"
    undos = g.all_rows("SELECT learner, undoes FROM command WHERE undoes IS NOT NULL ORDER BY id")
    assert undos == [("alice", a2), ("alice", a1), ("bob", b2)]


def test_a_learner_cannot_undo_another_learners_command_by_its_number(g: GroupStore) -> None:
    ok(g, "alice", "done", "dls/1/1")
    ok(g, "bob", "done", "dls/1/1", "--on", "2026-01-06")
    ok(g, "bob", "note", "dls/1/1", "bobs")
    (bobs_done, _), (bobs_note, _) = g.all_rows(
        "SELECT id, line FROM command WHERE learner = 'bob' ORDER BY id"
    )
    before = {who: records(g, who) for who in ("alice", "bob")}
    for number in (bobs_done, bobs_note):
        refused = g.run("alice", "undo", str(number), "--yes")
        assert refused.exit_code == 1 and refused.stdout == ""
        assert refused.stderr.strip() == (
            f"Error: there is no command #{number}; 'coursetrack log' lists them"
        ), "another learner's command is as unknown as one that never ran"
        assert "bob" not in refused.stderr
    after = {who: records(g, who) for who in ("alice", "bob")}
    assert after == before, "nothing was changed, not even alice's history"


def test_undo_of_a_reopen_puts_back_only_the_learners_own_row(g: GroupStore) -> None:
    ok(g, "alice", "done", "dls/1/1", "--on", "2026-01-05")
    ok(g, "bob", "done", "dls/1/1", "--on", "2026-01-06")
    ok(g, "alice", "reopen", "dls/1/1")
    ok(g, "bob", "reopen", "dls/1/1")
    ok(g, "bob", "done", "dls/1/1", "--on", "2026-02-01")
    bob_before = records(g, "bob")

    ok(g, "alice", "undo", "--yes")  # her reopen
    assert g.all_rows(
        "SELECT learner, status, completed_on FROM progress WHERE topic_id = "
        "(SELECT id FROM topic WHERE slug = 'introduction') ORDER BY learner"
    ) == [("alice", "done", "2026-01-05"), ("bob", "done", "2026-02-01")]
    assert records(g, "bob") == bob_before


def test_undo_of_a_whole_course_takes_back_only_the_learners_rows(g: GroupStore) -> None:
    ok(g, "bob", "done", "dls/1/2", "--on", "2026-01-06")
    ok(g, "alice", "done", "dls/1", "--on", "2026-01-07")  # every topic of the course
    ok(g, "bob", "done", "dls/1/3", "--on", "2026-01-08")
    assert g.all_rows("SELECT learner, count(*) FROM progress GROUP BY learner ORDER BY 1") == [
        ("alice", 4),
        ("bob", 2),
    ]
    bob_before = records(g, "bob")
    undone = ok(g, "alice", "undo", "--yes")
    assert "(" in undone.stdout and "4 changes)" in undone.stdout
    assert g.all_rows("SELECT learner, count(*) FROM progress GROUP BY learner ORDER BY 1") == [
        ("bob", 2)
    ]
    assert records(g, "bob") == bob_before
    assert ok(g, "bob", "status", "dls/1", "--json").json()["units_done"] == 2
    assert ok(g, "alice", "status", "dls/1", "--json").json()["units_done"] == 0


def test_log_of_an_item_lists_only_the_learners_changes_to_it(g: GroupStore) -> None:
    ok(g, "alice", "done", "dls/1/1", "--on", "2026-01-05")
    ok(g, "bob", "done", "dls/1/1", "--on", "2026-01-06")
    ok(g, "bob", "note", "dls/1/1", "bobs")
    mine = ok(g, "alice", "log", "dls/1", "--json").json()["commands"]
    assert [c["command"] for c in mine] == ["done dls/1/1 --on 2026-01-05"]
    theirs = ok(g, "bob", "log", "dls/1", "--json").json()["commands"]
    assert [c["command"] for c in theirs] == ["note dls/1/1 bobs", "done dls/1/1 --on 2026-01-06"]


def test_a_curators_undo_never_removes_a_learners_progress(g: GroupStore) -> None:
    ok(g, "cora", "add", "topic", "dls/1", "Extra")
    ok(g, "alice", "done", "dls/1/extra", "--on", "2026-01-05")
    before = {who: records(g, who) for who in ("alice", "cora")}
    refused = g.run("cora", "undo", "--yes")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "alice" in refused.stderr and "nothing was changed" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert g.all_rows("SELECT title FROM topic WHERE slug = 'extra'") == [("Extra",)]
    assert {who: records(g, who) for who in ("alice", "cora")} == before
    assert topic_status(g, "alice", "dls/1/extra") == "done"


# --- the catalog is shared: a curator's undo never takes back another's later change -----


def test_a_curators_undo_never_overwrites_another_curators_later_change(g: GroupStore) -> None:
    """Her history shows cora only her own commands, so undo cannot see olga's later edit
    of the same topic there; it must still not put back what olga replaced."""
    ok(g, "cora", "update", "dls/1/2", "--title", "Basics, revised")
    ok(g, OWNER, "update", "dls/1/2", "--title", "Basics, week 2")
    before = g.all_rows("SELECT * FROM topic ORDER BY id")
    refused = g.run("cora", "undo", "--yes")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.strip() == (
        "Error: cannot undo #2 update dls/1/2 --title 'Basics, revised': another curator "
        "changed topic basics after it; nothing was changed"
    )
    assert g.all_rows("SELECT * FROM topic ORDER BY id") == before
    assert g.all_rows("SELECT count(*) FROM command WHERE undone_by IS NOT NULL") == [(0,)]
    # once olga takes hers back, cora's is the newest change again, and undoes
    ok(g, OWNER, "undo", "--yes")
    ok(g, "cora", "undo", "--yes")
    assert g.all_rows("SELECT title FROM topic WHERE slug = 'basics'") == [
        ("Neural Networks Basics",)
    ]


def test_a_curators_undo_never_removes_what_another_curator_added_under_it(
    g: GroupStore,
) -> None:
    ok(g, "cora", "add", "course", "dls", "Extra course")
    ok(g, OWNER, "add", "topic", "dls/extra-course", "Olga's topic")
    before = g.all_rows("SELECT * FROM topic ORDER BY id")
    refused = g.run("cora", "undo", "--yes")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.strip() == (
        "Error: cannot undo #2 add course dls 'Extra course': it would also remove "
        "topic olga-s-topic, which another curator added under it; nothing was changed"
    )
    assert g.all_rows("SELECT * FROM topic ORDER BY id") == before
    assert g.all_rows("SELECT count(*) FROM course WHERE slug = 'extra-course'") == [(1,)]


def test_a_curator_undoes_every_kind_of_command_of_hers(g: GroupStore, tmp_path) -> None:
    """The checks above refuse only another's change: each command a curator runs, on a
    catalog nobody else touched, is undone whole (as tests/test_history.py does alone)."""
    from test_history import UNDOABLE

    ok(g, "cora", "done", "dls/1", "--on", "2026-01-05", "--note", "first course")
    ok(g, "cora", "start", "dls/2/1", "--on", "2026-01-06")
    ok(g, "cora", "link", "dls/1/2", "https://example.org/old")
    catalog = tmp_path / "changed.yaml"
    catalog.write_text("slug: dls\ntitle: Renamed\ncourses:\n  - title: Only one\n")

    def stored() -> dict[str, list[tuple]]:
        return {
            t: g.all_rows(f"SELECT * FROM {t} ORDER BY id")
            for t in ("specialization", "course", "topic", "progress", "note", "link", "goal")
        }

    for command in [*UNDOABLE, ["import", str(catalog), "--prune"]]:
        before = stored()
        commands = g.all_rows("SELECT count(*) FROM command")
        ok(g, "cora", *command)
        if g.all_rows("SELECT count(*) FROM command") == commands:
            # an import of what is there, a clear of no goal: not recorded (issue 22)
            assert command[0] in ("import", "goal") and stored() == before, command
            continue
        ok(g, "cora", "undo", "--yes")
        assert stored() == before, command


def test_a_learners_undo_is_held_back_by_her_own_review_only(g: GroupStore) -> None:
    """A review needs its learner's topic done: bob's review of the same topic does not
    hold back alice's undo of her done; her own review does, and is named."""
    ok(g, "alice", "done", "dls/1/1", "--on", "2026-01-02")
    ok(g, "bob", "done", "dls/1/1", "--on", "2026-01-02")
    ok(g, "bob", "reviewed", "dls/1/1", "--grade", "good", "--on", "2026-01-05")
    ok(g, "alice", "done", "dls/1/2", "--on", "2026-01-03")
    ok(g, "alice", "reviewed", "dls/1/2", "--grade", "easy", "--on", "2026-01-06")
    mine = [number for number, _line, _undone in commands(g, "alice")]
    refused = g.run("alice", "undo", str(mine[1]), "--yes")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        f"Error: cannot undo #{mine[1]} done dls/1/2 --on 2026-01-03: #{mine[0]} reviewed "
        "dls/1/2 --grade easy --on 2026-01-06 depends on it (a review needs a done topic); "
        f"undo #{mine[0]} first (or leave both); nothing was changed"
    )
    ok(g, "alice", "undo", str(mine[2]), "--yes")  # her done of dls/1/1: bob's review stays
    assert g.all_rows("SELECT learner, grade FROM review ORDER BY id") == [
        ("bob", "good"),
        ("alice", "easy"),
    ]
