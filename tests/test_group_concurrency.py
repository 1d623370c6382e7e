"""Twenty learners writing one study group's store at once lose nothing.

Each learner is a real role and a process of their own (tests/group.py makes
the group), running 50 `done`/`reopen` commands in-process as fast as it can,
all 20 started at the same moment. Afterwards every command is in its learner's
history in the order it ran, each learner's rows are what their own sequence
implies, and each learner's history, replayed from nothing, rebuilds exactly
their rows: no write lost, applied twice, or filed under another learner.
Three learners of 8 commands run the same race in the quick loop (-m "not slow").
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import time

import pytest

from group import OWNER, GroupStore, group_store_fixture  # noqa: F401
from test_concurrency import RACER, _without_waiting
from test_group_history import ok

# learners' processes writing at once: the full suite only
pytestmark = pytest.mark.slow

TOPICS = 12
BASE = dt.date(2020, 1, 1)


def _scripts(learners: int, commands: int) -> dict[str, list[str]]:
    """Each learner's commands: done (with a date no other command uses) or reopen."""
    rng = random.Random(13)
    scripts = {}
    for n, learner in enumerate(f"racer{n:02d}" for n in range(1, learners + 1)):
        lines = []
        for i in range(commands):
            topic = rng.randint(1, TOPICS)
            if rng.random() < 0.6:
                day = BASE + dt.timedelta(days=n * commands + i)
                lines.append(f"done race/c/{topic} --on {day.isoformat()}")
            else:
                lines.append(f"reopen race/c/{topic}")
        scripts[learner] = lines
    return scripts


def _check_replay(learner: str, history: list[dict]) -> dict[int, tuple[str, str | None]]:
    """Replay a learner's commands in their log's order, checking that each did exactly
    what it should have given the ones before it; the state they imply, by topic."""
    model: dict[int, tuple[str, str | None]] = {n: ("todo", None) for n in range(1, TOPICS + 1)}
    for entry in history:
        verb, ref, *rest = entry["command"].split()
        topic = int(ref.rsplit("/", 1)[1])
        status, _ = model[topic]
        if verb == "done" and status != "done":
            model[topic] = ("done", rest[1])
        elif verb == "reopen" and status == "done":
            model[topic] = ("todo", None)
        else:  # nothing to do (a reopen of a topic never touched may add its todo row)
            assert entry["changes"] == [] or all(
                c["op"] == "insert" and c["new"]["status"] == "todo" for c in entry["changes"]
            ), (learner, entry)
            continue
        (change,) = [c for c in entry["changes"] if c["op"] == "update"] or [
            c for c in entry["changes"] if c["op"] == "insert"
        ]
        assert change["table"] == "progress" and change["item"].startswith("race/c/")
        assert (change["new"]["status"], change["new"]["completed_on"]) == model[topic], entry
    return model


def _replayed(g: GroupStore, learner: str) -> dict[int, dict]:
    """The learner's progress rows rebuilt from nothing by their history's changes alone."""
    rows: dict[int, dict] = {}
    changes = g.all_rows(
        "SELECT ch.row_id, ch.op, ch.new FROM change ch JOIN command c ON c.id = ch.command_id "
        "WHERE ch.learner = ? AND ch.table_name = 'progress' ORDER BY ch.id",
        learner,
    )
    for row_id, op, new in changes:
        if op == "delete":
            rows.pop(row_id)
        else:
            rows[row_id] = json.loads(new)
    return rows


@pytest.mark.parametrize(
    ("learners", "commands"),
    [
        pytest.param(20, 50, marks=pytest.mark.slow, id="twenty-learners-50-commands"),
        # the same race, small enough for the quick loop (-m "not slow")
        pytest.param(3, 8, id="three-learners-8-commands"),
    ],
)
def test_learners_writing_at_once_lose_nothing(
    group_store, tmp_path, learners: int, commands: int
) -> None:
    g = group_store
    catalog = tmp_path / "race.yaml"
    topics = "\n".join(f"      - T{n:02d}" for n in range(1, TOPICS + 1))
    catalog.write_text(
        f"slug: race\ntitle: Race\ncourses:\n  - title: C\n    slug: c\n    topics:\n{topics}\n"
    )
    ok(g, OWNER, "import", str(catalog))
    scripts = _scripts(learners, commands)
    for learner in scripts:
        g.add(learner)
    files = {}
    for learner, lines in scripts.items():
        files[learner] = tmp_path / f"{learner}.txt"
        files[learner].write_text("\n".join(lines) + "\n")

    # all load the program first (twenty on two cores: 8 s), then race
    start_at = time.time() + 2.0 + 0.3 * learners
    procs = {
        learner: subprocess.Popen(
            [sys.executable, "-c", RACER, g.url(learner), str(start_at), str(script)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for learner, script in files.items()
    }
    outcomes = {learner: p.communicate(timeout=600) for learner, p in procs.items()}
    late = time.time() - start_at
    for learner, (out, err) in outcomes.items():
        assert procs[learner].returncode == 0, err
        err = _without_waiting(err)
        assert "deadlock" not in err and "serializ" not in err and err.strip() == "", err
        *printed, failed = out.splitlines()
        assert failed == "0", "every command exited 0"
        extra = ("congratulations: you finished ", "next: write the post with ")
        assert len([line for line in printed if not line.startswith(extra)]) == commands
    print(
        f"\n{learners} learners x {commands} commands: all done {late:.1f} s after the start "
        f"({learners * commands / late:.1f} commands/s)"
    )

    # No command lost or doubled: the owner's two imports and each learner's commands that
    # changed something (one that changed nothing is not recorded: issue 22).
    counts = dict(g.all_rows("SELECT learner, count(*) FROM command GROUP BY learner"))
    assert counts.pop(OWNER) == 2 and set(counts) <= set(scripts)
    for learner, lines in scripts.items():
        history = ok(g, learner, "log", "--json").json()["commands"][::-1]  # oldest first
        # Their log is their commands that changed something, in the order they ran them ...
        assert counts.get(learner, 0) == len(history)
        assert all(c["changes"] for c in history), learner
        ran = iter(lines)
        assert all(c["command"] in ran for c in history), (learner, history, lines)
        model = _check_replay(learner, history)
        # Their rows are what their sequence implies ...
        final = ok(g, learner, "status", "race/c", "--json").json()["topics"]
        assert {t["position"]: (t["status"], t["completed_on"]) for t in final} == model
        stored = g.all_rows(
            "SELECT p.id, t.position, p.status, p.completed_on FROM progress p "
            "JOIN topic t ON t.id = p.topic_id WHERE p.learner = ?",
            learner,
        )
        assert {pos: (status, on) for _, pos, status, on in stored} == {
            pos: v for pos, v in model.items() if pos in {p for _, p, _, _ in stored}
        }
        # ... and their history alone rebuilds those rows, column for column.
        replayed = _replayed(g, learner)
        assert sorted(replayed) == sorted(row_id for row_id, *_ in stored)
        for row_id, _, status, on in stored:
            assert (replayed[row_id]["status"], replayed[row_id]["completed_on"]) == (status, on)
            assert replayed[row_id]["learner"] == learner
