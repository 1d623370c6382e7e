"""Default slugs from long titles are short: the first significant words, at most
SHORT_SLUG characters, longer only where a sibling has the short one. A catalog's
explicit slugs, and a store's existing slugs, never change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import DLS
from coursetrack.cli import app
from coursetrack.slugs import SHORT_SLUG, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Introducing Data Analytics and Analytical Thinking", "introducing-data"),
        ("Optional: Engage in the data analytics community", "optional-engage-data"),
        ("The Art of Computer Programming", "art-computer-programming"),
        ("Neural Networks", "neural-networks"),  # short: as it always was
        ("Extra reading", "extra-reading"),
        ("Week 1", "week-1"),
        ("Supercalifragilisticexpialidocious-and-more", "supercalifragilisticexpi"),
    ],
)
def test_a_long_title_gives_a_short_slug(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert len(slugify(title)) <= SHORT_SLUG


def run(db: Path, *args: str):
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def slugs(db: Path, ref: str) -> list[str]:
    data = json.loads(run(db, "status", ref, "--json"))
    return [item["slug"] for item in data.get("topics") or data.get("courses")]


def test_siblings_keep_apart(tmp_path: Path) -> None:
    """Two titles with the same first words: the second takes more of its own words."""
    catalog = tmp_path / "c.yaml"
    catalog.write_text(
        "title: Data Analytics\nslug: gda\ncourses:\n"
        "  - title: Analyze Data to Answer Questions in Practice\n"
        "    topics:\n"
        "      - Organizing data to begin analysis today\n"
        "      - Organizing data to begin analysis tomorrow\n"
        "  - title: Analyze Data to Answer Questions Again and Again\n"
    )
    db = tmp_path / "s.db"
    run(db, "import", str(catalog))
    assert slugs(db, "gda") == ["analyze-data-answer", "analyze-data-answer-questions"]
    assert slugs(db, "gda/1") == [
        "organizing-data-begin",
        "organizing-data-begin-analysis",
    ]
    run(db, "add", "topic", "gda/1", "Organizing data to begin analysis next week")
    assert slugs(db, "gda/1")[-1] == "organizing-data-begin-analysis-next"


def test_explicit_and_stored_slugs_never_change(tmp_path: Path) -> None:
    """A catalog's explicit slugs stay as written; a store made when default slugs were
    long keeps them when the same catalog (without slugs) is imported again."""
    long_title = "Introducing Data Analytics and Analytical Thinking"
    old = tmp_path / "old.yaml"
    old.write_text(
        "title: Data Analytics\nslug: gda\ncourses:\n"
        f"  - title: {long_title}\n"
        "    slug: introducing-data-analytics-and-analytical-thinking\n"
        "    topics:\n      - title: Week one\n        slug: a-very-long-slug-kept-as-written-always\n"
    )
    db = tmp_path / "s.db"
    run(db, "import", str(old))
    run(db, "done", "gda/1/1")
    new = tmp_path / "new.yaml"
    new.write_text(
        "title: Data Analytics\nslug: gda\ncourses:\n"
        f"  - title: {long_title}\n    topics:\n      - title: Week one\n"
        "        slug: a-very-long-slug-kept-as-written-always\n"
    )
    out = run(db, "import", str(new), "--prune")
    assert slugs(db, "gda") == ["introducing-data-analytics-and-analytical-thinking"]
    assert slugs(db, "gda/1") == ["a-very-long-slug-kept-as-written-always"]
    assert "added" not in out and "removed" not in out, out


def test_the_shipped_catalog_keeps_its_slugs() -> None:
    """Every item of the shipped DLS catalog has its slug written out: none is derived,
    so no store's refs move with the rule."""
    path = Path(__file__).parent.parent / "data" / f"{DLS}.yaml"
    data = yaml.safe_load(path.read_text())
    assert data["slug"] == "dls"
    for course in data["courses"]:
        assert course.get("slug"), course
        for topic in course.get("topics") or []:
            assert isinstance(topic, dict) and topic.get("slug"), topic


def test_a_specialization_stored_under_its_long_slug_keeps_it(tmp_path: Path) -> None:
    title = "Google Data Analytics Professional Certificate"
    old = tmp_path / "old.yaml"
    old.write_text(
        f"title: {title}\nslug: google-data-analytics-professional-certificate\n"
        "courses:\n  - title: One\n"
    )
    db = tmp_path / "s.db"
    run(db, "import", str(old))
    new = tmp_path / "new.yaml"
    new.write_text(f"title: {title}\ncourses:\n  - title: One\n  - title: Two\n")
    out = run(db, "import", str(new))
    specs = json.loads(run(db, "status", "--json"))["specializations"]
    assert [s["slug"] for s in specs] == ["google-data-analytics-professional-certificate"]
    assert "google-data-analytics-professional-certificate/two" in out, out
    # a new store takes the short one
    fresh = tmp_path / "fresh.db"
    run(fresh, "import", str(new))
    specs = json.loads(run(fresh, "status", "--json"))["specializations"]
    assert [s["slug"] for s in specs] == ["google-data-analytics"]
