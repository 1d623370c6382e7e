"""`coursetrack import` and `coursetrack catalogs`: the shipped catalog, and re-imports.

Re-importing merges by slug: titles and descriptions are refreshed, new items
added, missing ones reported and kept (or pruned with --prune), and the
learner's progress is never reset.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

if TYPE_CHECKING:
    from conftest import Store

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "data" / "deep-learning-specialization.yaml"

COURSES = [
    ("neural-networks", "Neural Networks and Deep Learning"),
    (
        "improving",
        "Improving Deep Neural Networks: Hyperparameter Tuning, Regularization and Optimization",
    ),
    ("structuring", "Structuring Machine Learning Projects"),
    ("cnn", "Convolutional Neural Networks"),
    ("sequence-models", "Sequence Models"),
]
TOPICS = {
    "neural-networks": ["introduction", "basics", "shallow", "deep"],
    "improving": ["practical-aspects", "optimization", "tuning"],
    "structuring": ["strategy-1", "strategy-2"],
    "cnn": ["foundations", "case-studies", "detection", "special-applications"],
    "sequence-models": ["rnn", "word-embeddings", "attention", "transformers"],
}
UP_TO_DATE = "dls is up to date (5 courses, 17 topics); nothing changed"


def courses(store: Store) -> list[tuple]:
    return store.rows("SELECT position, slug, title FROM course ORDER BY position")


def topics(store: Store) -> dict[str, list[str]]:
    rows = store.rows(
        "SELECT c.slug, t.slug FROM topic t JOIN course c ON c.id = t.course_id "
        "ORDER BY c.position, t.position"
    )
    out: dict[str, list[str]] = {}
    for course, topic in rows:
        out.setdefault(course, []).append(topic)
    return out


def progress(store: Store) -> list[tuple]:
    """Every progress row, named by the item it belongs to, with its notes."""
    rows = store.rows(
        """
        SELECT coalesce(s.slug, cs.slug || '/' || c.slug, ts.slug || '/' || tc.slug || '/' || t.slug),
               p.status, p.started_on, p.completed_on,
               p.topic_id, p.course_id, p.specialization_id
        FROM progress p
        LEFT JOIN specialization s ON s.id = p.specialization_id
        LEFT JOIN course c ON c.id = p.course_id
        LEFT JOIN specialization cs ON cs.id = c.specialization_id
        LEFT JOIN topic t ON t.id = p.topic_id
        LEFT JOIN course tc ON tc.id = t.course_id
        LEFT JOIN specialization ts ON ts.id = tc.specialization_id
        ORDER BY 1
        """
    )
    found = []
    for *row, topic_id, course_id, spec_id in rows:
        notes = store.rows(
            "SELECT text FROM note WHERE topic_id IS NOT DISTINCT FROM ? "
            "AND course_id IS NOT DISTINCT FROM ? AND specialization_id IS NOT DISTINCT FROM ? "
            "ORDER BY id",
            topic_id,
            course_id,
            spec_id,
        )
        found.append((*row, "|".join(text for (text,) in notes) or None))
    return found


def ok(store: Store, *args: str) -> str:
    result = store.run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


@pytest.fixture
def edited(tmp_path: Path) -> Callable[[Callable[[dict], None]], Path]:
    """A copy of the shipped catalog with `change` applied to its data."""

    def make(change: Callable[[dict], None]) -> Path:
        data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
        change(data)
        path = tmp_path / "dls-edited.yaml"
        path.write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000),
            encoding="utf-8",
        )
        return path

    return make


def course_of(data: dict, slug: str) -> dict:
    return next(c for c in data["courses"] if c["slug"] == slug)


def record_progress(store: Store) -> None:
    ok(store, "done", "dls/1/1", "--on", "2024-01-05", "--note", "first week")
    ok(store, "done", "dls/1/2", "--on", "2024-01-09")
    ok(store, "start", "dls/cnn/detection")
    ok(store, "done", "dls/structuring", "--on", "2024-02-01")


# --- the shipped catalog -----------------------------------------------------------


def test_import_shipped_catalog_by_name(store: Store) -> None:
    out = ok(store, "import", "deep-learning-specialization")
    assert out.splitlines() == [
        "imported dls: Deep Learning Specialization (5 courses, 17 topics)",
        "next: coursetrack next dls, then coursetrack status dls",
    ]
    assert store.rows("SELECT slug, title, provider, url FROM specialization") == [
        (
            "dls",
            "Deep Learning Specialization",
            "Coursera / DeepLearning.AI",
            "https://www.coursera.org/specializations/deep-learning",
        )
    ]
    assert courses(store) == [(i, slug, title) for i, (slug, title) in enumerate(COURSES, 1)]
    assert topics(store) == TOPICS
    assert store.rows("SELECT count(*) FROM topic") == [(17,)]
    assert store.rows("SELECT count(*) FROM progress") == [(0,)]


def test_shipped_catalog_matches_the_file(dls: Store) -> None:
    """Every stored title, slug, url and description is the file's, read by plain PyYAML."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert dls.rows("SELECT description FROM specialization") == [(data["description"],)]
    stored = dls.rows("SELECT slug, title, description, url FROM course ORDER BY position")
    assert stored == [(c["slug"], c["title"], c["description"], c["url"]) for c in data["courses"]]
    assert all(c["description"] for c in data["courses"])
    assert topics(dls) == {c["slug"]: [t["slug"] for t in c["topics"]] for c in data["courses"]}
    titles = dls.rows(
        "SELECT t.title FROM topic t JOIN course c ON c.id = t.course_id "
        "ORDER BY c.position, t.position"
    )
    assert [t for (t,) in titles] == [t["title"] for c in data["courses"] for t in c["topics"]]


def test_import_shipped_catalog_by_path_is_the_same_catalog(store: Store) -> None:
    out = ok(store, "import", str(SHIPPED))
    assert out.startswith("imported dls: Deep Learning Specialization (5 courses, 17 topics)")
    assert courses(store) == [(i, slug, title) for i, (slug, title) in enumerate(COURSES, 1)]
    assert topics(store) == TOPICS
    before = store.dump()
    assert ok(store, "import", "deep-learning-specialization").splitlines() == [UP_TO_DATE]
    assert store.dump() == before


def test_catalogs_lists_the_shipped_catalog(store: Store) -> None:
    out = store.run("catalogs", env={"COLUMNS": "160"}).stdout
    header, rule, first, *_ = out.splitlines()
    assert header.split() == ["Name", "Slug", "Title", "Provider", "Courses", "Topics"]
    assert set(rule.strip()) == {"─"}
    assert first.split()[:2] == ["deep-learning-specialization", "dls"]
    assert first.split()[-2:] == ["5", "17"]
    assert "Deep Learning Specialization" in first
    narrow = ok(store, "catalogs")
    assert "Deep Learning Specialization" in narrow, "at 80 columns Topics goes, not the title"
    assert all(len(line) <= 80 for line in narrow.splitlines())
    assert not store.exists(), "listing catalogs must not create a store"


def test_catalogs_json(store: Store) -> None:
    assert store.run("catalogs", "--json").json()["catalogs"][0] == {
        "name": "deep-learning-specialization",
        "slug": "dls",
        "title": "Deep Learning Specialization",
        "provider": "Coursera / DeepLearning.AI",
        "courses": 5,
        "topics": 17,
        "source": None,
    }


def test_every_listed_catalog_imports(store: Store) -> None:
    for entry in store.run("catalogs", "--json").json()["catalogs"]:
        out = ok(store, "import", entry["name"])
        courses = f"{entry['courses']} course{'s' * (entry['courses'] != 1)}"
        assert f"({courses}, {entry['topics']} topics)" in out


def test_a_shipped_catalog_is_found_by_its_slug_too(store: Store, tmp_path, monkeypatch) -> None:
    """`catalogs` shows the slug dls, so `import dls` must work (issue 11); a folder named
    dls in the working directory does not hide it, a file named dls does."""
    listed = store.run("catalogs", "--json").json()["catalogs"]
    assert ("deep-learning-specialization", "dls") in [(c["name"], c["slug"]) for c in listed]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dls").mkdir()
    result = store.run("import", "dls")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "imported dls: Deep Learning Specialization (5 courses, 17 topics)"
    )
    assert store.rows("SELECT slug FROM specialization") == [("dls",)]
    assert store.rows("SELECT count(*) FROM topic") == [(17,)]
    again = store.run("import", "dls.yaml")
    assert again.stdout == "dls is up to date (5 courses, 17 topics); nothing changed\n"
    (tmp_path / "dls").rmdir()
    (tmp_path / "dls").write_text("title: Local\nslug: local\n")
    assert ok(store, "import", "dls").startswith("imported local: Local")


def test_unknown_source(dls: Store) -> None:
    before = dls.dump()
    result = dls.run("import", "machine-learning")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "Error: machine-learning: no such file, nor a shipped catalog "
        "(shipped: dls, fso, gda, hf-course, deep-rl, mls, missing-semester, "
        "ossu-cs, fastai); see 'coursetrack catalogs'"
    ]
    assert dls.dump() == before


# --- re-import ------------------------------------------------------------------------


def test_reimport_is_idempotent(dls: Store) -> None:
    record_progress(dls)
    before = dls.dump()
    assert ok(dls, "import", "deep-learning-specialization").splitlines() == [UP_TO_DATE]
    assert dls.dump() == before


def test_reimport_updates_adds_and_reports_but_keeps_progress(dls: Store, edited) -> None:
    record_progress(dls)
    kept = progress(dls)
    assert ("dls/neural-networks/introduction", "done", None, "2024-01-05", "first week") in kept

    def change(data: dict) -> None:
        data["title"] = "Deep Learning (2024 edition)"
        nn = course_of(data, "neural-networks")
        nn["description"] = "Rewritten."
        nn["topics"][1]["title"] = "Neural Network Basics"
        nn["topics"].append({"slug": "heroes", "title": "Heroes of Deep Learning"})
        data["courses"].insert(
            2, {"slug": "capstone", "title": "Capstone", "topics": ["Plan", "Build"]}
        )

    out = ok(dls, "import", str(edited(change)))
    assert out.splitlines() == [
        "updated dls: Deep Learning (2024 edition) (6 courses, 20 topics)",
        "  added    dls/capstone",
        "  added    dls/neural-networks/heroes",
        "  added    dls/capstone/plan",
        "  added    dls/capstone/build",
        "  updated  dls (title)",
        "  updated  dls/neural-networks (description)",
        "  updated  dls/neural-networks/basics (title)",
    ]
    assert progress(dls) == kept
    assert dls.rows("SELECT title FROM specialization") == [("Deep Learning (2024 edition)",)]
    assert courses(dls) == [
        (1, "neural-networks", "Neural Networks and Deep Learning"),
        (2, "improving", COURSES[1][1]),
        (3, "capstone", "Capstone"),
        (4, "structuring", "Structuring Machine Learning Projects"),
        (5, "cnn", "Convolutional Neural Networks"),
        (6, "sequence-models", "Sequence Models"),
    ]
    assert topics(dls)["neural-networks"] == ["introduction", "basics", "shallow", "deep", "heroes"]
    assert dls.rows("SELECT description FROM course WHERE slug = 'neural-networks'") == [
        ("Rewritten.",)
    ]
    # The refs that positions give follow the file's new order.
    ok(dls, "done", "dls/3/2")
    assert ("dls/capstone/build", "done") in [row[:2] for row in progress(dls)]


def test_reimport_in_a_new_order_keeps_progress(dls: Store, edited) -> None:
    record_progress(dls)
    kept = progress(dls)

    def change(data: dict) -> None:
        data["courses"].reverse()
        course_of(data, "cnn")["topics"].reverse()

    path = edited(change)
    out = ok(dls, "import", str(path))
    # Positional refs (dls/1) now name other items, so the move is reported.
    assert out.splitlines() == [
        "updated dls: Deep Learning Specialization (5 courses, 17 topics)",
        "  updated  dls (order of courses)",
        "  updated  dls/cnn (order of topics)",
    ]
    assert [slug for _, slug, _ in courses(dls)] == [slug for slug, _ in reversed(COURSES)]
    assert topics(dls)["cnn"] == list(reversed(TOPICS["cnn"]))
    assert progress(dls) == kept
    before = dls.dump()
    assert ok(dls, "import", str(path)).splitlines() == [UP_TO_DATE]
    assert dls.dump() == before
    assert dls.rows(
        "SELECT t.title FROM topic t JOIN course c ON c.id = t.course_id "
        "WHERE c.position = 1 AND t.position = 1"
    ) == [("Recurrent Neural Networks",)]


def test_renamed_item_with_explicit_slug_keeps_progress(dls: Store, edited) -> None:
    record_progress(dls)
    kept = progress(dls)

    def change(data: dict) -> None:
        course_of(data, "neural-networks")["topics"][0]["title"] = "Welcome to Deep Learning"
        course_of(data, "structuring")["title"] = "ML Strategy"

    out = ok(dls, "import", str(edited(change)))
    assert "  updated  dls/neural-networks/introduction (title)" in out.splitlines()
    assert "  updated  dls/structuring (title)" in out.splitlines()
    assert progress(dls) == kept
    status = dls.run("status", "dls/neural-networks", "--json").json()
    assert status["topics"][0]["title"] == "Welcome to Deep Learning"
    assert status["topics"][0]["status"] == "done"
    assert status["topics"][0]["completed_on"] == "2024-01-05"


def test_missing_items_are_reported_and_kept(dls: Store, edited) -> None:
    record_progress(dls)
    kept = progress(dls)

    def change(data: dict) -> None:
        data["courses"] = [c for c in data["courses"] if c["slug"] != "structuring"]
        nn = course_of(data, "neural-networks")
        nn["topics"] = [t for t in nn["topics"] if t["slug"] != "introduction"]

    path = edited(change)
    out = ok(dls, "import", str(path))
    assert out.splitlines() == [
        "dls is up to date (4 courses, 14 topics); nothing changed",
        "  kept     dls/structuring (not in the file; --prune removes it)",
        "  kept     dls/neural-networks/introduction (not in the file; --prune removes it)",
    ]
    assert progress(dls) == kept
    # Kept items follow the file's items.
    assert [slug for _, slug, _ in courses(dls)] == [
        "neural-networks",
        "improving",
        "cnn",
        "sequence-models",
        "structuring",
    ]
    assert topics(dls)["neural-networks"] == ["basics", "shallow", "deep", "introduction"]
    # The same file again reports them again, and changes nothing.
    before = dls.dump()
    assert ok(dls, "import", str(path)) == out
    assert dls.dump() == before


def test_prune_removes_missing_items_and_their_progress(dls: Store, edited) -> None:
    record_progress(dls)

    def change(data: dict) -> None:
        data["courses"] = [c for c in data["courses"] if c["slug"] != "structuring"]
        nn = course_of(data, "neural-networks")
        nn["topics"] = [t for t in nn["topics"] if t["slug"] != "introduction"]

    out = ok(dls, "import", str(edited(change)), "--prune")
    assert out.splitlines() == [
        "updated dls: Deep Learning Specialization (4 courses, 14 topics)",
        "  removed  dls/structuring",
        "  removed  dls/neural-networks/introduction",
    ]
    assert [slug for _, slug, _ in courses(dls)] == [
        "neural-networks",
        "improving",
        "cnn",
        "sequence-models",
    ]
    assert topics(dls)["neural-networks"] == ["basics", "shallow", "deep"]
    assert "structuring" not in topics(dls)
    assert dls.rows("SELECT count(*) FROM topic") == [(14,)]
    assert [row[:2] for row in progress(dls)] == [
        ("dls/cnn/detection", "in-progress"),
        ("dls/neural-networks/basics", "done"),
    ]
    orphans = dls.rows(
        "SELECT count(*) FROM progress WHERE "
        "(topic_id IS NOT NULL AND topic_id NOT IN (SELECT id FROM topic)) OR "
        "(course_id IS NOT NULL AND course_id NOT IN (SELECT id FROM course))"
    )
    assert orphans == [(0,)]


def test_prune_with_nothing_missing_changes_nothing(dls: Store) -> None:
    record_progress(dls)
    before = dls.dump()
    out = ok(dls, "import", "deep-learning-specialization", "--prune")
    assert out.splitlines() == [UP_TO_DATE]
    assert dls.dump() == before


def test_certificate_url_survives_reimport(dls: Store) -> None:
    ok(dls, "update", "dls/cnn", "--certificate-url", "https://coursera.org/verify/CNN")
    ok(dls, "update", "dls", "--certificate-url", "https://coursera.org/verify/DLS")
    before = dls.dump()
    assert ok(dls, "import", "deep-learning-specialization").splitlines() == [UP_TO_DATE]
    assert dls.dump() == before
    assert dls.rows("SELECT certificate_url FROM course WHERE slug = 'cnn'") == [
        ("https://coursera.org/verify/CNN",)
    ]
    assert dls.rows("SELECT certificate_url FROM specialization") == [
        ("https://coursera.org/verify/DLS",)
    ]


def test_certificate_url_in_the_file_is_imported(dls: Store, edited) -> None:
    def change(data: dict) -> None:
        course_of(data, "cnn")["certificate_url"] = "https://example.org/cert"

    out = ok(dls, "import", str(edited(change)))
    assert "  updated  dls/cnn (certificate_url)" in out.splitlines()
    assert dls.rows("SELECT certificate_url FROM course WHERE slug = 'cnn'") == [
        ("https://example.org/cert",)
    ]


def test_failed_reimport_leaves_progress_alone(dls: Store, edited) -> None:
    record_progress(dls)
    before = dls.dump()

    def change(data: dict) -> None:
        data["courses"][0]["topics"][0]["slug"] = "basics"  # clashes with topic 2

    result = dls.run("import", str(edited(change)), "--prune")
    assert result.exit_code == 1
    assert "duplicate slug 'basics'" in result.stderr
    assert dls.dump() == before


# --- --json -----------------------------------------------------------------------


def test_import_json_first_time(store: Store) -> None:
    result = store.run("import", "deep-learning-specialization", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "slug": "dls",
        "title": "Deep Learning Specialization",
        "created": True,
        "courses": 5,
        "topics": 17,
        "added": [],
        "updated": [],
        "missing": [],
        "removed": [],
    }


def test_import_json_after_changes(dls: Store, edited) -> None:
    def change(data: dict) -> None:
        data["courses"] = [c for c in data["courses"] if c["slug"] != "cnn"]
        course_of(data, "improving")["title"] = "Improving Deep Neural Networks"
        data["courses"].append({"title": "Capstone"})

    result = dls.run("import", str(edited(change)), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {
        "slug": "dls",
        "title": "Deep Learning Specialization",
        "created": False,
        "courses": 5,
        "topics": 13,
        "added": ["dls/capstone"],
        "updated": ["dls/improving (title)"],
        "missing": ["dls/cnn"],
        "removed": [],
    }


def test_import_json_prune(dls: Store, edited) -> None:
    path = edited(lambda data: data["courses"].pop())
    data = dls.run("import", str(path), "--prune", "--json").json()
    assert data["removed"] == ["dls/sequence-models"]
    assert data["missing"] == []
    assert data["created"] is False


# --- packaging --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("coursetrack-*.whl")
    return built


@pytest.mark.slow
def test_wheel_carries_the_shipped_catalog(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "coursetrack/data/deep-learning-specialization.yaml" in names
        packaged = zf.read("coursetrack/data/deep-learning-specialization.yaml")
    assert packaged == SHIPPED.read_bytes()


@pytest.mark.slow
def test_installed_wheel_finds_the_shipped_catalog(wheel: Path, tmp_path: Path) -> None:
    """Unpacked away from the repository, coursetrack lists and imports its catalog."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    db = tmp_path / "wheel.db"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "coursetrack", "--db", str(db), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import coursetrack; print(coursetrack.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site)), "the test must run the unpacked wheel"
    listed = run("catalogs", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [c["name"] for c in json.loads(listed.stdout)["catalogs"]] == sorted(
        p.stem for p in (REPO / "data").glob("*.yaml")
    )
    imported = run("import", "deep-learning-specialization")
    assert imported.returncode == 0, imported.stderr
    assert "imported dls" in imported.stdout


def test_renamed_item_without_slug_is_new_and_the_old_one_kept(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("title: T\nslug: t\ncourses:\n  - title: C\n    topics: [Intro, Wrap]\n")
    ok(store, "import", str(path))
    ok(store, "done", "t/c/intro", "--on", "2024-03-01")
    path.write_text("title: T\nslug: t\ncourses:\n  - title: C\n    topics: [Welcome, Wrap]\n")
    out = ok(store, "import", str(path))
    assert out.splitlines()[1:] == [
        "  added    t/c/welcome",
        "  kept     t/c/intro (not in the file; --prune removes it)",
    ]
    assert out.startswith("updated t: T (")
    assert progress(store) == [("t/c/intro", "done", None, "2024-03-01", None)]


def test_import_summary_counts_in_the_singular(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("title: One\ncourses:\n  - title: C\n    topics: [Only]\n")
    out = ok(store, "import", str(path))
    assert out.splitlines()[0] == "imported one: One (1 course, 1 topic)"


def test_shipped_catalog_by_its_file_name(store: Store) -> None:
    result = store.run("import", "deep-learning-specialization.yaml")
    assert result.exit_code == 0, result.stderr
    assert store.rows("SELECT slug FROM specialization") == [("dls",)]


def test_a_done_course_that_gains_topics_stays_done(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mt.yaml"
    path.write_text("slug: mt\ntitle: MT\ncourses:\n  - title: Intro\n    slug: intro\n")
    store.run("import", str(path))
    store.run("done", "mt/1", "--on", "2024-03-01")
    path.write_text(
        "slug: mt\ntitle: MT\ncourses:\n  - title: Intro\n    slug: intro\n"
        "    topics: [Week 1, Week 2]\n"
    )
    result = store.run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "mt/intro (its new topics are done, as the course was)" in result.stdout
    course = store.run("status", "mt", "--json").json()["courses"][0]
    assert (course["status"], course["units_done"], course["units_total"]) == ("done", 2, 2)
    assert course["completed_on"] == "2024-03-01"


def test_a_backup_with_bad_indentation_gets_a_plain_sentence(dls: Store, tmp_path) -> None:
    """A backup is read by the catalog's loader: its syntax errors read the same way."""
    backup = tmp_path / "b.yaml"
    assert dls.run("export", "yaml", "-o", str(backup)).exit_code == 0
    text = backup.read_text().replace("\n  title: Deep", "\n title: Deep", 1)
    backup.write_text(text)
    before = dls.dump()
    result = dls.run("import", str(backup))
    assert result.exit_code == 1
    line = text.splitlines().index(" title: Deep Learning Specialization") + 1
    assert result.stderr.startswith(f"Error: {backup}:{line}:2: wrong indentation: a key here")
    assert "<block" not in result.stderr
    assert dls.dump() == before


def test_the_columns_the_store_writes_are_the_ones_the_models_describe() -> None:
    """store/items.py names each table's columns for its SQL; a column added to a model
    and not there would be dropped by add, update and import without a word."""
    from coursetrack.models import Course, Specialization, Topic, described_by
    from coursetrack.store import importer, items

    for kind, model in (("specialization", Specialization), ("course", Course), ("topic", Topic)):
        assert items.COLUMNS[kind] == described_by(model), kind
        assert importer.FIELDS[kind] == tuple(c for c in described_by(model) if c != "slug")
