"""`coursetrack export catalog SPEC` (services/catalog_export.py): a catalog to share.

It writes the program alone, in the catalog format, without the learner's record
(progress, notes, links, reviews, goal, certificate URLs); imported into an empty
store it gives the same program back.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Store

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.stem for p in (REPO / "data").glob("*.yaml"))

ITEMS = {
    "specialization": "SELECT slug, title, provider, url, description FROM specialization "
    "ORDER BY slug",
    "course": "SELECT s.slug, c.position, c.slug, c.title, c.description, c.url, c.rubric "
    "FROM course c JOIN specialization s ON s.id = c.specialization_id ORDER BY s.slug, c.position",
    "topic": "SELECT c.slug, t.position, t.slug, t.title, t.description, t.url, t.rubric FROM topic t "
    "JOIN course c ON c.id = t.course_id JOIN specialization s ON s.id = c.specialization_id "
    "ORDER BY s.slug, c.position, t.position",
}


def program(store: Store) -> dict[str, list[tuple]]:
    return {kind: store.rows(sql) for kind, sql in ITEMS.items()}


def ok(store: Store, *args: str) -> str:
    result = store.run(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def another(store: Store, new_store: Callable[[], str]) -> Store:
    """A second, empty store on the same engine, run the same way."""
    db = new_store()

    def run(*args: str, **kwargs) -> object:
        return store.run("--db", db, *args, **kwargs)  # the last --db wins

    return type(store)(db, run, store.engine)


def round_trip(store: Store, new_store: Callable[[], str], spec: str, tmp_path: Path) -> Store:
    text = ok(store, "export", "catalog", spec)
    path = tmp_path / f"{spec}-shared.yaml"
    path.write_text(text, encoding="utf-8")
    empty = another(store, new_store)
    ok(empty, "import", str(path))
    return empty


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_catalog_survives_export_and_import(
    store: Store, new_store: Callable[[], str], tmp_path: Path, name: str
) -> None:
    ok(store, "import", name)
    (slug,) = store.rows("SELECT slug FROM specialization")[0]
    ok(store, "done", f"{slug}/1", "--on", "2026-09-01")
    ok(store, "note", f"{slug}/1", "a private thought", "--private")
    copy = round_trip(store, new_store, slug, tmp_path)
    assert program(copy) == program(store)
    assert copy.rows("SELECT count(*) FROM progress") == [(0,)]
    assert copy.rows("SELECT count(*) FROM note") == [(0,)]


ODD = """\
title: "Odd: text that YAML would like to change"
slug: odd
provider: "no"
url: https://example.org/odd?a=1&b=2#x
description: |-
  Two lines,
  the second with a colon: here, and a # hash
courses:
  - title: "1e3"
    slug: numbers
    description: "~"
    rubric:
      - criterion: "no"
        points: "010"
      - criterion: "a: b # c"
        points: 100
    topics:
      - title: "null"
        slug: "on"
      - title: "- a dash"
        slug: dash
        url: https://example.org/d
        description: "'quoted' and \\"double\\""
      - title: Émoji 🎓 and ümlauts
        slug: unicode
        rubric:
          - criterion: "- Ясность 🎓"
            points: 1
  - title: "yes"
    slug: course-without-topics
    url: https://example.org/c
"""


def test_text_yaml_would_change_comes_back_as_written(
    store: Store, new_store: Callable[[], str], tmp_path: Path
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(ODD, encoding="utf-8")
    ok(store, "import", str(path))
    before = program(store)
    assert before["specialization"][0][2] == "no"
    assert before["course"][0][6] == (
        '[{"criterion": "no", "points": 10}, {"criterion": "a: b # c", "points": 100}]'
    )
    copy = round_trip(store, new_store, "odd", tmp_path)
    assert program(copy) == before


def test_the_export_is_the_catalog_alone(store: Store) -> None:
    """No progress, notes, links, reviews, goal or certificate URL: those are the learner's."""
    ok(store, "import", "deep-learning-specialization")
    ok(store, "done", "dls/1/1", "--on", "2026-09-01", "--note", "a note")
    ok(store, "link", "dls/1/2", "https://example.org/mine", "--title", "my notebook")
    ok(store, "reviewed", "dls/1/1", "--grade", "good")
    ok(store, "goal", "dls", "--by", "2027-01-31")
    ok(store, "update", "dls", "--certificate-url", "https://coursera.org/verify/ABC")
    text = ok(store, "export", "catalog", "dls")
    for private in ("a note", "example.org/mine", "2026-09-01", "2027-01-31", "ABC", "progress:"):
        assert private not in text
    data = yaml.safe_load(text)
    assert set(data) == {"slug", "title", "provider", "url", "description", "courses"}
    assert data["slug"] == "dls"
    assert [c["slug"] for c in data["courses"]] == [
        "neural-networks",
        "improving",
        "structuring",
        "cnn",
        "sequence-models",
    ]
    keys = {k for c in data["courses"] for k in c} | {
        k for c in data["courses"] for t in c["topics"] for k in t
    }
    assert keys <= {"slug", "title", "description", "url", "topics"}
    assert text.startswith("# ")  # a comment saying what it is and how to import it


def test_export_catalog_to_a_file(store: Store, tmp_path: Path) -> None:
    ok(store, "import", "deep-learning-specialization")
    target = tmp_path / "dls-catalog.yaml"
    result = store.run("export", "catalog", "dls", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == ok(store, "export", "catalog", "dls")
    target.write_text("mine\n", encoding="utf-8")
    again = store.run("export", "catalog", "dls", "-o", str(target))
    assert again.exit_code == 1
    assert len(again.stderr.strip().splitlines()) == 1
    assert "--force" in again.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert store.run("export", "catalog", "dls", "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("dls/1", "'dls/1' is a course; a catalog holds a whole specialization, e.g. dls"),
        ("nosuch", "no specialization 'nosuch'"),
    ],
)
def test_export_catalog_of_what_is_not_a_specialization(store: Store, ref: str, message) -> None:
    ok(store, "import", "deep-learning-specialization")
    result = store.run("export", "catalog", ref)
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert message in line


def test_export_catalog_help_has_examples(store: Store) -> None:
    out = ok(store, "export", "catalog", "--help")
    assert "Examples:" in out
    assert "coursetrack export catalog dls -o dls-catalog.yaml" in out
    assert "catalog" in ok(store, "export", "--help")


def test_an_exported_catalog_reads_as_the_catalog_format_says(store: Store) -> None:
    """The README's format: the keys written are the format's, slugs explicit, so a
    friend's later re-import of a newer export matches by slug."""
    ok(store, "import", "missing-semester")
    text = ok(store, "export", "catalog", "missing-semester")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert body.startswith("slug: missing-semester\ntitle: The Missing Semester")
    assert textwrap.dedent(body).count("slug:") == 1 + 1 + 9


def test_export_catalog_into_a_folder_names_the_file_after_the_slug(
    store: Store, tmp_path: Path
) -> None:
    ok(store, "import", "ossu-computer-science")
    folder = tmp_path / "shared"
    result = store.run("export", "catalog", "ossu-cs", "-o", f"{folder}/")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {folder / 'ossu-cs.yaml'}\n"
    text = (folder / "ossu-cs.yaml").read_text(encoding="utf-8")
    assert text == ok(store, "export", "catalog", "ossu-cs")
    assert ok(store, "export", "catalog", "ossu-cs", "-o", "-") == text  # - is standard output
