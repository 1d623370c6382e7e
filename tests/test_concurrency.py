"""Two processes writing one store at the same moment lose nothing."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

WORKER = """
import sys, time
from coursetrack.cli import app

db, start_at, *refs = sys.argv[1:]
while time.time() < float(start_at):
    time.sleep(0.001)
failed = 0
for ref in refs:
    code = app(["--db", db, "done", ref], standalone_mode=False)
    failed += bool(code)
print(failed)
"""


def _without_waiting(err: str) -> str:
    """stderr less the notice a command prints when it waits over a second for the lock."""
    return "".join(line for line in err.splitlines(True) if "waiting for it" not in line)


@pytest.mark.slow
def test_two_writers_each_mark_100_topics(store, tmp_path) -> None:
    catalog = tmp_path / "big.yaml"
    lines = ["slug: big", "title: Big", "courses:"]
    for course in ("a", "b"):
        lines += [f"  - title: Course {course}", f"    slug: {course}", "    topics:"]
        lines += [f"      - T{n:03d}" for n in range(1, 101)]
    catalog.write_text("\n".join(lines) + "\n")
    assert store.run("import", str(catalog)).exit_code == 0

    start_at = time.time() + 2.0  # both start importing first, then race
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                store.db,
                str(start_at),
                *(f"big/{course}/{n}" for n in range(1, 101)),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for course in ("a", "b")
    ]
    outcomes = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err
        err = _without_waiting(err)
        assert out.splitlines()[-1] == "0", err
        done = [line for line in out.splitlines() if line.startswith("done big/")]
        assert len(done) == 100, "one line per command"
        assert "locked" not in err and err.strip() == "", err
    finished = sum(out.count("congratulations: you finished Big") for out, _ in outcomes)
    assert finished == 1, "only the command that did the last unit congratulates"
    assert store.rows("SELECT count(*) FROM progress WHERE status = 'done'") == [(200,)]
    assert store.run("status", "big", "--json").json()["units_done"] == 200


# --- four writers, done and reopen on shared topics -------------------------------

RACER = """
import sys, time
import typer
from coursetrack.cli import app

db, start_at, script = sys.argv[1:]
command = typer.main.get_command(app)  # built once: the app's own parsing, 200 times
lines = [line.split() for line in open(script, encoding="utf-8").read().splitlines()]
while time.time() < float(start_at):
    time.sleep(0.001)
failed = 0
for args in lines:
    code = command.main(["--db", db, *args], prog_name="coursetrack", standalone_mode=False)
    failed += bool(code)
print(failed)
"""
WORKERS, COMMANDS, TOPICS = 4, 200, 12
BASE = dt.date(2020, 1, 1)


def _scripts(tmp_path: Path) -> list[list[str]]:
    """Each worker's commands: done (with a date no other command uses) or reopen."""
    rng = random.Random(6)
    scripts = []
    for worker in range(WORKERS):
        lines = []
        for i in range(COMMANDS):
            topic = rng.randint(1, TOPICS)
            if rng.random() < 0.55:
                day = BASE + dt.timedelta(days=worker * COMMANDS + i)
                lines.append(f"done race/c/{topic} --on {day.isoformat()}")
            else:
                lines.append(f"reopen race/c/{topic}")
        scripts.append(lines)
    return scripts


@pytest.mark.slow
def test_four_writers_800_commands_lose_nothing(store, tmp_path) -> None:
    catalog = tmp_path / "race.yaml"
    topics = "\n".join(f"      - T{n:02d}" for n in range(1, TOPICS + 1))
    catalog.write_text(
        f"slug: race\ntitle: Race\ncourses:\n  - title: C\n    slug: c\n    topics:\n{topics}\n"
    )
    assert store.run("import", str(catalog)).exit_code == 0
    scripts = _scripts(tmp_path)
    files = []
    for worker, lines in enumerate(scripts):
        files.append(tmp_path / f"worker{worker}.txt")
        files[-1].write_text("\n".join(lines) + "\n")

    start_at = time.time() + 3.0  # all four load the program first, then race
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, store.db, str(start_at), str(script)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script in files
    ]
    outcomes = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err
        err = _without_waiting(err)
        assert "locked" not in err and "busy" not in err and err.strip() == "", err
        assert out.splitlines()[-1] == "0", "every command exited 0"
        # a done that happens to finish every unit also congratulates (two more lines)
        extra = ("congratulations: you finished ", "next: write the post with ")
        lines = [line for line in out.splitlines() if not line.startswith(extra)]
        assert len(lines) == COMMANDS + 1, "one line per command, then the count"

    # The history: one command row per command that changed something (plus the import),
    # nothing else; a command that changed nothing is not recorded (issue 22).
    history = store.run("log", "--json").json()["commands"][::-1]  # oldest first
    assert history[0]["command"].startswith("import ")
    recorded = history[1:]
    assert all(c["changes"] for c in recorded)
    issued = Counter(line for lines in scripts for line in lines)
    assert not Counter(c["command"] for c in recorded) - issued
    # Each worker's done commands (their dates are unique) appear in the order it ran them.
    order = {c["command"]: n for n, c in enumerate(recorded) if c["command"].startswith("done")}
    for lines in scripts:
        mine = [order[line] for line in lines if line in order]
        assert mine == sorted(mine)

    # Replaying the history in its order, each command did exactly what it should have,
    # given everything recorded before it: no update was lost or applied twice.
    model = {n: ("todo", None) for n in range(1, TOPICS + 1)}  # topic -> (status, completed_on)
    for entry in recorded:
        verb, ref, *rest = entry["command"].split()
        topic = int(ref.rsplit("/", 1)[1])
        status, _ = model[topic]
        if verb == "done" and status != "done":
            model[topic] = ("done", rest[1])
        elif verb == "reopen" and status == "done":
            model[topic] = ("todo", None)
        else:
            assert entry["changes"] == [] or all(
                c["op"] == "insert" and c["new"]["status"] == "todo" for c in entry["changes"]
            ), entry
            continue
        (change,) = [c for c in entry["changes"] if c["op"] == "update"] or [
            c for c in entry["changes"] if c["op"] == "insert"
        ]
        assert change["table"] == "progress" and change["item"].startswith("race/c/")
        assert (change["new"]["status"], change["new"]["completed_on"]) == model[topic], entry

    # The final state is the replayed one.
    final = store.run("status", "race/c", "--json").json()["topics"]
    assert {t["position"]: (t["status"], t["completed_on"]) for t in final} == model
    assert store.rows("SELECT count(*) FROM command") == [(1 + len(recorded),)]


HOLDER = """
import sys
from coursetrack.store import open_store

class Release(Exception):
    pass

store = open_store(sys.argv[1], write=True)
try:
    with store.write("hold") as writer:
        writer.execute("UPDATE specialization SET title = title || ' (held)'")
        print("held", flush=True)
        sys.stdin.read()  # hold the write lock until the test closes our stdin
        raise Release  # and change nothing
except Release:
    pass
store.close()
"""


def test_a_writer_held_off_by_another_process_fails_cleanly(dls) -> None:
    """Another process holds the write lock past the busy timeout: one line, exit 1,
    nothing half-made; readers are not held up at all; the lock's release frees writers."""
    before = dls.dump(history=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, dls.db],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        env = {**os.environ, "COURSETRACK_BUSY_TIMEOUT": "0.5", "COLUMNS": "80"}
        cli = [sys.executable, "-m", "coursetrack", "--db", dls.db]
        run = functools.partial(subprocess.run, capture_output=True, text=True, env=env)
        for args in (
            ["done", "dls/1/1", "--note", "n"],
            ["import", "deep-learning-specialization"],
        ):
            result = run([*cli, *args])
            assert result.returncode == 1
            # SQLite cannot tell who holds its lock; PostgreSQL names the holder
            who = (
                "another coursetrack"
                if dls.engine == "sqlite"
                else r"\w+'s coursetrack command \(pid \d+\), in a transaction since "
                r"\d\d:\d\d:\d\d,"
            )
            assert re.fullmatch(
                rf"Error: the store {re.escape(dls.db)} is busy: {who} held it for more "
                r"than 0.5 s; nothing was changed, run the command again\n",
                result.stderr,
            ), result.stderr
            assert result.stdout == ""
        reader = run([*cli, "status", "dls", "--json"])
        assert reader.returncode == 0, reader.stderr
        assert json.loads(reader.stdout)["title"] == "Deep Learning Specialization"
    finally:
        holder.communicate("", timeout=60)
    assert dls.dump(history=True) == before
    assert dls.run("done", "dls/1/1").exit_code == 0
    assert dls.rows("SELECT count(*) FROM command") == [(2,)]
