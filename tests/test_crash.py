"""A process killed at any moment leaves the store and every file it writes whole.

Real processes, killed with SIGKILL (no cleanup runs), at moments spread over the
length of the job, measured first.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coursetrack.cli import app

KILLS = 25
COURSES, TOPICS = 40, 50  # 2000 topics in 40 courses
CLOCK = {"COURSETRACK_NOW": "2026-03-01T09:00:00+00:00"}


def cli(db: Path, *args: str):
    result = CliRunner().invoke(app, ["--db", str(db), *args], env=CLOCK)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def big_catalog(path: Path) -> Path:
    lines = ["slug: big", "title: Big", "courses:"]
    for c in range(COURSES):
        lines += [f"  - title: Course {c}", f"    slug: c{c}", "    topics:"]
        lines += [f"      - Topic {c}.{t} of the big import" for t in range(TOPICS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "coursetrack", "--db", str(db), *args]


def run_and_kill(argv: list[str], delay: float) -> bool:
    """Start `argv`, SIGKILL it after `delay` seconds; whether it finished first."""
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CLOCK},
    )
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return False
    assert proc.returncode == 0
    return True


def timed(argv: list[str], watch: Path | None = None) -> tuple[float, float]:
    """How long `argv` takes, and when `watch` (a store's -wal file) first appeared."""
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **CLOCK}
    )
    seen = None
    while proc.poll() is None:
        if seen is None and watch is not None and watch.exists():
            seen = time.monotonic() - start
        time.sleep(0.005)
    assert proc.returncode == 0
    end = time.monotonic() - start
    return (end if seen is None else seen), end


def delays(start: float, end: float, count: int) -> list[float]:
    """`count` moments: a fifth spread over the start-up, the rest over the writing
    (from `start`, when the store was opened, to just past the end)."""
    early = count // 5
    late = count - early
    return [start * (i + 0.5) / early for i in range(early)] + [
        start + (end * 1.05 - start) * (i + 0.5) / late for i in range(late)
    ]


def rows(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def notes(db: Path) -> list[str]:
    """Every note's text, wherever this schema keeps notes (progress.note or note)."""
    columns = {r[1] for r in rows(db, "PRAGMA table_info(progress)")}
    found = (
        [r[0] for r in rows(db, "SELECT note FROM progress WHERE note IS NOT NULL")]
        if ("note" in columns)
        else []
    )
    if rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'note'") == [(1,)]:
        found += [r[0] for r in rows(db, "SELECT text FROM note ORDER BY id")]
    return found


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_catalog(tmp_path_factory.mktemp("crash") / "big.yaml")


@pytest.mark.slow
def test_import_killed_at_25_moments_is_all_or_nothing(tmp_path: Path, catalog: Path) -> None:
    # A store with a record in it; the big import goes on top of it.
    base = tmp_path / "base.db"
    assert cli(base, "import", "deep-learning-specialization").exit_code == 0
    assert cli(base, "done", "dls/1/1", "--on", "2026-01-05", "--note", "kept").exit_code == 0
    assert not Path(f"{base}-wal").exists(), "the base store is checkpointed"
    before = dump(base)

    # Timed two at a time, as the kills below run: the moments spread over that.
    wholes = [tmp_path / "whole1.db", tmp_path / "whole2.db"]
    for whole in wholes:
        shutil.copy(base, whole)
    with ThreadPoolExecutor(max_workers=2) as pool:
        timings = list(
            pool.map(
                timed,
                [command(w, "import", str(catalog)) for w in wholes],
                [Path(f"{w}-wal") for w in wholes],
            )
        )
    opens, duration = max(t[0] for t in timings), max(t[1] for t in timings)
    assert rows(wholes[0], "SELECT count(*) FROM topic") == [(17 + COURSES * TOPICS,)]

    # Every other kill hits a store that does not exist yet: the schema is being made.
    stores = []
    for i in range(KILLS):
        db = tmp_path / f"kill{i:02d}.db"
        if i % 2 == 0:
            shutil.copy(base, db)
        stores.append(db)
    with ThreadPoolExecutor(max_workers=2) as pool:
        finished = list(
            pool.map(
                run_and_kill,
                [command(db, "import", str(catalog)) for db in stores],
                delays(opens, duration, KILLS),
            )
        )

    outcomes, opened = [], 0
    for i, db in enumerate(stores):
        fresh = i % 2 == 1
        opened += Path(f"{db}-wal").exists()  # killed after it had opened the store
        if db.exists():
            assert rows(db, "PRAGMA integrity_check") == [("ok",)], db
            big = rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'topic'") == [
                (1,)
            ] and (rows(db, "SELECT count(*) FROM specialization WHERE slug = 'big'") == [(1,)])
        else:
            big = False
        if big:
            outcomes.append("whole")
            topics = rows(
                db,
                "SELECT count(*) FROM topic JOIN course ON course.id = topic.course_id "
                "JOIN specialization s ON s.id = course.specialization_id WHERE s.slug = 'big'",
            )
            assert topics == [(COURSES * TOPICS,)], db
            assert rows(db, "SELECT line FROM command ORDER BY id DESC LIMIT 1") == [
                (f"import {catalog}",)
            ]
        else:
            outcomes.append("none")
            if not fresh:
                assert dump(db) == before, "a killed import leaves no trace"
        if not fresh:
            assert rows(db, "SELECT status, completed_on FROM progress") == [("done", "2026-01-05")]
            assert notes(db) == ["kept"]
        # The next command works, and sees what is there.
        result = cli(db, "add", "specialization", "After the crash", "--slug", "after")
        assert result.exit_code == 0, result.stderr
        shown = cli(db, "status", "--json")
        assert shown.exit_code == 0, shown.stderr
        slugs = {s["slug"] for s in json.loads(shown.stdout)["specializations"]}
        assert slugs == {"after"} | ({"big"} if big else set()) | (set() if fresh else {"dls"})
    assert "none" in outcomes, "the first kill lands before anything is written"
    print(
        f"\nimport of {COURSES * TOPICS} topics ({duration:.1f} s, store opened at {opens:.1f} s):"
        f" killed {finished.count(False)}"
        f" times of {KILLS}, {opened} after it had opened the store; outcomes {outcomes}"
    )


@pytest.mark.slow
def test_export_killed_at_many_moments_leaves_old_or_new_file(
    tmp_path: Path, catalog: Path
) -> None:
    db = tmp_path / "store.db"
    assert cli(db, "import", str(catalog)).exit_code == 0
    old_file, new_file = tmp_path / "old.yaml", tmp_path / "new.yaml"
    assert cli(db, "export", "yaml", "-o", str(old_file)).exit_code == 0
    assert cli(db, "done", "big/1", "--on", "2026-02-01", "--note", "a change").exit_code == 0
    assert cli(db, "export", "yaml", "-o", str(new_file)).exit_code == 0
    old, new = old_file.read_bytes(), new_file.read_bytes()
    assert old != new and len(new) > 100_000

    kills = 10
    folders = [tmp_path / f"out{i:02d}" for i in range(kills)]
    for folder in folders:
        folder.mkdir()
        (folder / "backup.yaml").write_bytes(old)
    target = [str(f / "backup.yaml") for f in folders]
    timings = [command(db, "export", "yaml", "-o", str(tmp_path / f"t{n}.yaml")) for n in (1, 2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        duration = max(t[1] for t in pool.map(timed, timings))
    with ThreadPoolExecutor(max_workers=2) as pool:
        finished = list(
            pool.map(
                run_and_kill,
                [command(db, "export", "yaml", "--force", "-o", t) for t in target],
                delays(duration / 2, duration, kills),
            )
        )
    seen = set()
    for folder, done in zip(folders, finished, strict=True):
        data = (folder / "backup.yaml").read_bytes()
        assert data in (old, new), f"{folder}: {len(data)} bytes, neither old nor new"
        seen.add("new" if data == new else "old")
        if done:
            assert data == new
        # At most a hidden temporary file is left beside it, never a second visible one.
        others = [p.name for p in folder.iterdir() if p.name != "backup.yaml"]
        assert all(name.startswith(".backup.yaml.") for name in others), others
    assert "old" in seen, "some kills landed before the new file was in place"
    print(f"\nexport ({duration:.1f} s) killed {finished.count(False)} times of {kills}: {seen}")
    assert cli(db, "export", "yaml", "--force", "-o", target[0]).exit_code == 0
    assert Path(target[0]).read_bytes() == new
