"""The shipped catalogs (data/) and `coursetrack catalogs` (cli/catalogs.py).

Each shipped catalog is a real program, built from a public source that it names
with the date it was read (`source:`); `catalogs` lists them with their provider
and size, and `import NAME` finds each by its file name or its slug.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

if TYPE_CHECKING:
    from conftest import Store

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"

#: What ships: file name, slug, provider. Sizes are counted from the files themselves.
SHIPPED = [
    ("deep-learning-specialization", "dls", "Coursera / DeepLearning.AI"),
    ("full-stack-open", "fso", "University of Helsinki"),
    ("google-data-analytics", "gda", "Coursera / Google"),
    ("hugging-face-course", "hf-course", "Hugging Face"),
    ("hugging-face-deep-rl-course", "deep-rl", "Hugging Face"),
    ("machine-learning-specialization", "mls", "Coursera / DeepLearning.AI"),
    ("missing-semester", "missing-semester", "MIT CSAIL"),
    ("ossu-computer-science", "ossu-cs", "Open Source Society University"),
    ("practical-deep-learning", "fastai", "fast.ai"),
]
#: The catalog that predates `source:` (written by hand before catalogs named theirs).
WITHOUT_SOURCE = {"deep-learning-specialization"}


def _plain(name: str) -> dict:
    """The file read by PyYAML alone: an independent count of what it holds."""
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def _size(name: str) -> tuple[int, int]:
    data = _plain(name)
    return len(data["courses"]), sum(len(c.get("topics") or []) for c in data["courses"])


def ok(store: Store, *args: str, env: dict | None = None) -> str:
    result = store.run(*args, env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_data_holds_the_shipped_catalogs() -> None:
    assert sorted(p.stem for p in DATA.glob("*.yaml")) == [name for name, _, _ in SHIPPED]
    assert len(SHIPPED) - 1 >= 6, "at least six programs beyond DLS"


def test_catalogs_json_lists_each_with_provider_size_and_source(store: Store) -> None:
    listed = store.run("catalogs", "--json").json()["catalogs"]
    assert [(c["name"], c["slug"], c["provider"]) for c in listed] == SHIPPED
    for entry in listed:
        assert (entry["courses"], entry["topics"]) == _size(entry["name"]), entry["name"]
        assert entry["title"] == _plain(entry["name"])["title"]
        source = _plain(entry["name"]).get("source")
        assert entry["source"] == (
            None if source is None else {"url": source["url"], "read": str(source["read"])}
        )
    assert not store.exists(), "listing catalogs must not create a store"


def test_catalogs_table_shows_the_provider(store: Store) -> None:
    wide = ok(store, "catalogs", env={"COLUMNS": "160"}).splitlines()
    assert wide[0].split() == ["Name", "Slug", "Title", "Provider", "Courses", "Topics"]
    assert len(wide) == 2 + len(SHIPPED)
    for (name, slug, provider), line in zip(SHIPPED, wide[2:], strict=True):
        courses, topics = _size(name)
        assert line.split()[:2] == [name, slug]
        assert provider in line
        assert line.split()[-2:] == [str(courses), str(topics)]
    narrow = ok(store, "catalogs")
    assert all(len(line) <= 80 for line in narrow.splitlines())
    for _, slug, _ in SHIPPED:  # the slug imports it: at 80 columns the file name may go
        assert re.search(rf"^{re.escape(slug)} ", narrow, re.M), slug


@pytest.mark.parametrize(("name", "slug", "provider"), SHIPPED, ids=[n for n, _, _ in SHIPPED])
def test_each_shipped_catalog_imports_by_name_then_by_slug(
    store: Store, name: str, slug: str, provider: str
) -> None:
    courses, topics = _size(name)
    first = ok(store, "import", name).splitlines()[0]
    title = _plain(name)["title"]
    size = f"{courses} course{'s' * (courses != 1)}, {topics} topics"
    assert first == f"imported {slug}: {title} ({size})"
    assert store.rows("SELECT slug, provider FROM specialization") == [(slug, provider)]
    assert store.rows("SELECT count(*) FROM course") == [(courses,)]
    assert store.rows("SELECT count(*) FROM topic") == [(topics,)]
    again = ok(store, "import", slug)
    assert again == f"{slug} is up to date ({size}); nothing changed\n"


@pytest.mark.parametrize("name", [n for n, _, _ in SHIPPED if n not in WITHOUT_SOURCE])
def test_each_new_catalog_names_its_public_source_and_the_day_it_was_read(name: str) -> None:
    text = (DATA / f"{name}.yaml").read_text(encoding="utf-8")
    source = _plain(name)["source"]
    assert re.fullmatch(r"https://\S+", source["url"])
    read = datetime.date.fromisoformat(str(source["read"]))
    assert datetime.date(2026, 1, 1) <= read <= datetime.date(2026, 12, 31)
    assert source["licence"].strip()
    assert "read 2026-" in text.split("\nslug:")[0], "the header comment says where and when"


def test_ossu_is_credited_under_its_mit_licence() -> None:
    """OSSU's curriculum is MIT-licensed: its copyright notice travels with the catalog,
    and the README credits it."""
    source = _plain("ossu-computer-science")["source"]
    assert "MIT License" in source["licence"]
    assert "Copyright (c) 2015-2023 Open Source Society University" in source["licence"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Copyright (c) 2015-2023 Open Source Society University" in readme


# --- the source: key of the catalog format -------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refuse(store: Store, path: Path) -> str:
    before = store.dump(history=True)
    result = store.run("import", str(path))
    assert result.exit_code == 1, result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert store.dump(history=True) == before
    return lines[0].removeprefix("Error: ")


GOOD_SOURCE = """\
    title: T
    slug: t
    source:
      url: https://example.org/syllabus
      read: 2026-12-06
      licence: CC BY 4.0
      note: the syllabus page
    courses:
      - title: C
    """


def test_a_source_is_accepted_and_not_stored(store: Store, tmp_path: Path) -> None:
    ok(store, "import", str(_write(tmp_path, GOOD_SOURCE)))
    assert store.rows("SELECT slug, title, url FROM specialization") == [("t", "T", None)]
    assert not any("example.org" in line for line in store.dump(history=True))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            "source:\n  read: 2026-12-06\n",
            "4:3: missing required key 'url'",
            id="no-url",
        ),
        pytest.param(
            "source:\n  url: https://example.org/\n",
            "4:3: missing required key 'read'",
            id="no-date",
        ),
        pytest.param(
            "source:\n  url: https://example.org/\n  read: last week\n",
            "5:9: read 'last week' is not a date; write the day the source was read as YYYY-MM-DD",
            id="bad-date",
        ),
        pytest.param(
            "source:\n  url: javascript:alert(1)\n  read: 2026-12-06\n",
            "4:8: url 'javascript:alert(1)' uses the javascript: scheme",
            id="unsafe-url",
        ),
        pytest.param(
            "source:\n  url: https://example.org/\n  read: 2026-12-06\n  author: me\n",
            "6:3: unknown key 'author'; allowed here: url, read, licence, note",
            id="unknown-key",
        ),
        pytest.param(
            "source: https://example.org/\n",
            "3:9: source must be a mapping, not a single value",
            id="not-a-mapping",
        ),
    ],
)
def test_a_bad_source_is_refused_at_its_place(
    store: Store, tmp_path: Path, body: str, message: str
) -> None:
    path = _write(tmp_path, "title: T\nslug: t\n" + body)
    assert refuse(store, path).startswith(f"{path}:{message}")


# --- start-up stays light ----------------------------------------------------------------

_PROBE = """
import sys
sys.argv = ["coursetrack", *{args!r}]
try:
    from coursetrack.cli import main
    main()
except SystemExit:
    pass
heavy = sorted({{m.split(".")[0] for m in sys.modules
                if m.split(".")[0] in ("sqlmodel", "sqlalchemy")}})
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["catalogs"], ["catalogs", "--json"], ["--help"]], ids=" ".join)
def test_catalogs_and_the_root_help_do_not_import_the_orm(args: list[str], tmp_path: Path) -> None:
    argv = ["--db", str(tmp_path / "none.db"), *args]
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=argv)], capture_output=True, text=True
    )
    assert probe.stdout.strip()
    assert probe.stderr.rsplit("HEAVY:", 1)[1].strip() == "", probe.stderr


def test_the_slugs_read_from_the_top_line_are_the_loaded_ones() -> None:
    """`import SLUG` reads each shipped catalog's slug from its `slug:` line, not by
    loading them all: the same slugs as loading gives."""
    from coursetrack import catalog

    loaded = {
        catalog.load_catalog(path).slug: name for name, path in catalog.shipped_catalogs().items()
    }
    assert catalog.shipped_slugs() == loaded
    assert list(loaded.values()) == [name for name, _, _ in SHIPPED]
