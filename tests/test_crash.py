"""A process killed at any moment leaves the store and every file it writes whole.

Real processes, killed with SIGKILL (no cleanup runs), at moments spread over the
length of the job, measured first. The quick loop (-m "not slow") kills a smaller
import at fewer moments.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

import postgres
from conftest import Store
from coursetrack.cli import app

KILLS = 25
COURSES, TOPICS = 40, 50  # 2000 topics in 40 courses
CLOCK = {"COURSETRACK_NOW": "2026-03-01T09:00:00+00:00"}


def cli(db: Path | str, *args: str):
    result = CliRunner().invoke(app, ["--db", str(db), *args], env=CLOCK)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def big_catalog(path: Path, courses: int = COURSES) -> Path:
    lines = ["slug: big", "title: Big", "courses:"]
    for c in range(courses):
        lines += [f"  - title: Course {c}", f"    slug: c{c}", "    topics:"]
        lines += [f"      - Topic {c}.{t} of the big import" for t in range(TOPICS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def command(db: Path | str, *args: str) -> list[str]:
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


def timed(argv: list[str], opened: Callable[[], bool] | None = None) -> tuple[float, float]:
    """How long `argv` takes, and when `opened()` first said it had opened the store."""
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **CLOCK}
    )
    seen = None
    while proc.poll() is None:
        if seen is None and opened is not None and opened():
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


class Stores:
    """Stores made and copied on one engine: SQLite files under tmp_path, or
    databases of the session's PostgreSQL server."""

    def __init__(self, engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.engine, self.tmp_path = engine, tmp_path
        self.server = request.getfixturevalue("postgres_server") if engine != "sqlite" else None
        self.made: list[str] = []

    def new(self, name: str, *, copy_of: Store | None = None) -> Store:
        if self.server is None:
            db = self.tmp_path / f"{name}.db"
            if copy_of is not None:
                shutil.copy(copy_of.db, db)
            return Store(str(db), cli, self.engine)
        source = postgres.name_of(copy_of.db) if copy_of else postgres.TEMPLATE
        made = self.server.create_database(template=source)
        self.made.append(made)
        return Store(self.server.url(made), cli, self.engine)

    def opened(self, store: Store) -> Callable[[], bool]:
        """Whether a command has opened `store` yet: its -wal file, or a connection."""
        if self.server is None:
            return Path(f"{store.db}-wal").exists
        name = postgres.name_of(store.db)
        server = self.server
        return lambda: server.clients(name) > 0

    def drop(self) -> None:
        for name in self.made:
            self.server.drop_database(name)

    def notes(self, store: Store) -> list[str]:
        """Every note's text, wherever this schema keeps notes (progress.note or note)."""
        if self.server is not None:
            return [r[0] for r in store.rows("SELECT text FROM note ORDER BY id")]
        columns = {r[1] for r in store.rows("PRAGMA table_info(progress)")}
        found = (
            [r[0] for r in store.rows("SELECT note FROM progress WHERE note IS NOT NULL")]
            if ("note" in columns)
            else []
        )
        if store.rows("SELECT count(*) FROM sqlite_master WHERE name = 'note'") == [(1,)]:
            found += [r[0] for r in store.rows("SELECT text FROM note ORDER BY id")]
        return found

    def has_table(self, store: Store, table: str) -> bool:
        if self.server is not None:
            return store.rows("SELECT to_regclass(?) IS NOT NULL", table) == [(1,)]
        return store.rows("SELECT count(*) FROM sqlite_master WHERE name = ?", table) == [(1,)]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_catalog(tmp_path_factory.mktemp("crash") / "big.yaml")


@pytest.fixture
def stores(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stores]:
    made = Stores(engine, tmp_path, request)
    yield made
    if made.server is not None:
        made.drop()


@pytest.mark.parametrize(
    ("kills", "courses"),
    [
        pytest.param(KILLS, COURSES, marks=pytest.mark.slow, id="25-kills"),
        # the same kills, fewer and on a smaller import, for the quick loop (-m "not slow")
        pytest.param(5, 4, id="5-kills"),
    ],
)
def test_import_killed_at_many_moments_is_all_or_nothing(
    stores: Stores, tmp_path: Path, kills: int, courses: int
) -> None:
    catalog = big_catalog(tmp_path / "big.yaml", courses)
    # A store with a record in it; the big import goes on top of it.
    base = stores.new("base")
    assert cli(base.db, "import", "deep-learning-specialization").exit_code == 0
    assert cli(base.db, "done", "dls/1/1", "--on", "2026-01-05", "--note", "kept").exit_code == 0
    if stores.server is None:
        assert not Path(f"{base.db}-wal").exists(), "the base store is checkpointed"
    before = base.dump(history=True)

    # Timed two at a time, as the kills below run: the moments spread over that.
    wholes = [stores.new(f"whole{n}", copy_of=base) for n in (1, 2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        timings = list(
            pool.map(
                timed,
                [command(w.db, "import", str(catalog)) for w in wholes],
                [stores.opened(w) for w in wholes],
            )
        )
    opens, duration = max(t[0] for t in timings), max(t[1] for t in timings)
    assert wholes[0].rows("SELECT count(*) FROM topic") == [(17 + courses * TOPICS,)]

    # Every other kill hits a store that does not exist yet: the schema is being made.
    killed = [
        stores.new(f"kill{i:02d}", copy_of=base if i % 2 == 0 else None) for i in range(kills)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        finished = list(
            pool.map(
                run_and_kill,
                [command(db.db, "import", str(catalog)) for db in killed],
                delays(opens, duration, kills),
            )
        )

    outcomes = []
    for i, db in enumerate(killed):
        fresh = i % 2 == 1
        if db.exists():
            if db.engine == "sqlite":
                assert db.rows("PRAGMA integrity_check") == [("ok",)], db
            big = stores.has_table(db, "topic") and (
                db.rows("SELECT count(*) FROM specialization WHERE slug = 'big'") == [(1,)]
            )
        else:
            big = False
        if big:
            outcomes.append("whole")
            topics = db.rows(
                "SELECT count(*) FROM topic JOIN course ON course.id = topic.course_id "
                "JOIN specialization s ON s.id = course.specialization_id WHERE s.slug = 'big'",
            )
            assert topics == [(courses * TOPICS,)], db
            assert db.rows("SELECT line FROM command ORDER BY id DESC LIMIT 1") == [
                (f"import {catalog}",)
            ]
        else:
            outcomes.append("none")
            if not fresh:
                assert db.dump(history=True) == before, "a killed import leaves no trace"
        if not fresh:
            assert db.rows("SELECT status, completed_on FROM progress") == [("done", "2026-01-05")]
            assert stores.notes(db) == ["kept"]
        # The next command works, and sees what is there.
        result = cli(db.db, "add", "specialization", "After the crash", "--slug", "after")
        assert result.exit_code == 0, result.stderr
        shown = cli(db.db, "status", "--json")
        assert shown.exit_code == 0, shown.stderr
        slugs = {s["slug"] for s in json.loads(shown.stdout)["specializations"]}
        assert slugs == {"after"} | ({"big"} if big else set()) | (set() if fresh else {"dls"})
    assert "none" in outcomes, "the first kill lands before anything is written"
    print(
        f"\nimport of {courses * TOPICS} topics on {stores.engine} ({duration:.1f} s, store "
        f"opened at {opens:.1f} s): killed {finished.count(False)} times of {kills}; "
        f"outcomes {outcomes}"
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
