"""Rubrics in the catalog (issue 23): `rubric:` on a course or topic, what a peer review scores.

A catalog gives one as a list of `{criterion, points}`; the store keeps it as JSON text
(`coursetrack.rubrics`, held to the store's own rule); `export catalog` and the backups
write it back as the same list; `show` lists it. Every mistake in one is refused at its
`file:line:col`, in one line, and nothing is written.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coursetrack.cli import app
from group import GroupStore, group_store_fixture  # noqa: F401

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Store

CATALOG = Path(__file__).parent / "data" / "rubric-catalog.yaml"
#: What the store keeps of tests/data/rubric-catalog.yaml's two rubrics.
CLASSIFIER = json.dumps(
    [
        {"criterion": "The model trains and is evaluated on held-out data", "points": 10},
        {"criterion": "The write-up explains the choices", "points": 5},
    ]
)
PROJECT = json.dumps([{"criterion": "Runs from a clean checkout", "points": 3}])
RUBRICS = "SELECT slug, rubric FROM {} ORDER BY id"


def write(tmp_path: Path, text: str, name: str = "catalog.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def ok(store: Store, *args: str) -> str:
    result = store.run(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def refuse(store: Store, *args: str) -> str:
    """Run a command that must be refused cleanly: one line, exit 1, the store unchanged."""
    before = store.dump(history=True)
    result = store.run(*args)
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert store.dump(history=True) == before, "a refused document changed the store"
    return lines[0].removeprefix("Error: ")


# --- each mistake, at its place -------------------------------------------------------------

#: A course whose `rubric:` is what each case puts on line 4 and after.
HEAD = "title: T\ncourses:\n  - title: C\n    rubric:\n"


def _criteria(n: int) -> str:
    return "".join(f"      - criterion: c{i}\n        points: 1\n" for i in range(n))


INVALID = [
    pytest.param(
        "      - criterion: Clarity\n        points: ten\n",
        6,
        17,
        "points must be a whole number from 1 to 100, not 'ten'",
        id="points-not-a-number",
    ),
    pytest.param(
        "      - criterion: Clarity\n        points: 0\n",
        6,
        17,
        "points must be a whole number from 1 to 100, not 0",
        id="points-zero",
    ),
    pytest.param(
        "      - criterion: Clarity\n        points: 101\n",
        6,
        17,
        "points must be a whole number from 1 to 100, not 101",
        id="points-over-100",
    ),
    pytest.param(
        "      - criterion: Clarity\n        points: 2.5\n",
        6,
        17,
        "points must be a whole number from 1 to 100, not '2.5'",
        id="points-a-fraction",
    ),
    pytest.param(
        "      - criterion: Clarity\n        points: [1]\n",
        6,
        17,
        "points must be a whole number from 1 to 100, not a list",
        id="points-a-list",
    ),
    pytest.param(
        "      - points: 3\n",
        5,
        9,
        "missing required key 'criterion'",
        id="criterion-missing",
    ),
    pytest.param(
        "      - criterion: Clarity\n",
        5,
        9,
        "missing required key 'points'",
        id="points-missing",
    ),
    pytest.param(
        "      - criterion: Clarity\n        points: 3\n"
        "      - criterion: Tests\n        points: 2\n"
        "      - criterion: Clarity\n        points: 4\n",
        9,
        20,
        "duplicate criterion 'Clarity' (also item 1 of this rubric); give each criterion once",
        id="criterion-duplicate",
    ),
    pytest.param(
        "      - criterion: Clarity\n        points: 3\n        weight: 2\n",
        7,
        9,
        "unknown key 'weight'; allowed here: criterion, points",
        id="unknown-key",
    ),
    pytest.param(
        _criteria(21),
        45,
        9,
        "too many criteria: a rubric has at most 20 (this one has 21)",
        id="too-many-criteria",
    ),
    pytest.param(
        "      []\n",
        5,
        7,
        "an empty rubric; list 1 to 20 criteria, or leave rubric: out",
        id="empty-list",
    ),
    pytest.param(
        "      criterion: Clarity\n      points: 3\n",
        5,
        7,
        "rubric must be a list of criteria (each a criterion: and its points:), not a mapping",
        id="a-mapping-not-a-list",
    ),
    pytest.param(
        "      - Clarity\n",
        5,
        9,
        "each item of rubric must be a mapping with criterion: and points:, not a single value",
        id="item-not-a-mapping",
    ),
    pytest.param(
        "      - criterion: '  '\n        points: 3\n",
        5,
        20,
        "criterion is empty; give it some text",
        id="criterion-blank",
    ),
    pytest.param(
        f"      - criterion: {'x' * 81}\n        points: 3\n",
        5,
        20,
        "criterion is 81 characters long; the limit is 80 (see 'Limits' in the README)",
        id="criterion-too-long",
    ),
    pytest.param(
        "      - criterion: {a: b}\n        points: 3\n",
        5,
        20,
        "criterion must be text, not a mapping",
        id="criterion-a-mapping",
    ),
    pytest.param(
        '      - criterion: "a\\0b"\n        points: 3\n',
        5,
        20,
        "criterion contains a NUL character (\\x00); remove it",
        id="criterion-with-a-nul",
    ),
]


@pytest.mark.parametrize(("rubric", "line", "col", "message"), INVALID)
def test_a_course_rubric_mistake_is_refused_at_its_place(
    dls: Store, tmp_path: Path, rubric: str, line: int, col: int, message: str, yaml_parser: str
) -> None:
    path = write(tmp_path, HEAD + rubric)
    assert refuse(dls, "import", str(path)) == f"{path}:{line}:{col}: {message}"


def test_a_topic_rubric_mistake_is_refused_at_its_place(dls: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        title: T
        courses:
          - title: C
            topics:
              - title: Project
                rubric:
                  - criterion: Works
                    points: -1
        """,
    )
    message = "points must be a whole number from 1 to 100, not '-1'"
    assert refuse(dls, "import", str(path)) == f"{path}:8:21: {message}"


def test_a_topic_key_list_names_rubric(dls: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "title: T\ncourses:\n  - title: C\n    topics:\n      - title: x\n"
                 "        rubrics: []\n")  # fmt: skip
    assert refuse(dls, "import", str(path)) == (
        f"{path}:6:9: unknown key 'rubrics'; allowed here: title, slug, description, url, rubric"
    )


def test_a_blank_rubric_is_none(store: Store, tmp_path: Path) -> None:
    """`rubric:` with nothing after it is no rubric, as any optional field left blank."""
    ok(store, "import", str(write(tmp_path, HEAD)))
    assert store.rows(RUBRICS.format("course")) == [("c", None)]


#: Values a rubric's parts may be written as: text (a little over the limit at times), numbers
#: in and out of range, YAML's other scalars (written as the text they are) and structures.
_ANY = st.one_of(
    st.text(max_size=12),
    st.text(min_size=75, max_size=85),
    st.sampled_from(["", " ", "\t", "no", "1e3", "007", "\\u0000", "a\x00b", "Ясность 🎓"]),
    st.integers(-3, 103),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 3), max_size=2),
)
_CRITERIA = st.one_of(
    st.fixed_dictionaries({"criterion": _ANY, "points": _ANY}),
    st.fixed_dictionaries(
        {"criterion": st.sampled_from(["a", "b", "a"]), "points": st.integers(1, 100)}
    ),
    st.dictionaries(st.sampled_from(["criterion", "points", "weight"]), _ANY, max_size=3),
    _ANY,
)

#: Rubrics that mostly fit: any text, points in range.
AWKWARD = ["no", "~", "a: b", "- x", "#c", "'q'", '"d"', "x\ny", " pad ", "\\", "🎓"]
_FITTING = st.lists(
    st.fixed_dictionaries(
        {
            "criterion": st.one_of(st.text(min_size=1, max_size=30), st.sampled_from(AWKWARD)),
            "points": st.one_of(st.integers(1, 100), st.sampled_from(["007", "100", "1"])),
        }
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda criterion: criterion["criterion"],
)


@pytest.mark.slow  # hypothesis: two imports per example
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rubric=st.one_of(_FITTING, st.lists(_CRITERIA, max_size=22), _ANY))
# PyYAML dumps U+0085 as a line break in a quoted scalar, which its reader folds to a space
@example(rubric=[{"criterion": "0", "points": 1}, {"criterion": "0\x85", "points": 1}])
def test_any_rubric_is_imported_whole_or_refused_at_its_place(rubric: object) -> None:
    """What the catalog's check lets in the store takes (never a refusal of the store's own),
    and `export catalog` writes it back so that it imports the same; anything else is
    refused in one line at a file:line:col."""
    runner = CliRunner()
    text = yaml.safe_dump(
        {"title": "T", "courses": [{"title": "C", "rubric": rubric}]}, allow_unicode=True
    )
    with tempfile.TemporaryDirectory() as folder:
        path, db, copy = (Path(folder) / name for name in ("c.yaml", "a.db", "b.db"))
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["--db", str(db), "import", str(path)])
        assert "Traceback" not in result.stderr, result.stderr
        if result.exit_code != 0:
            assert result.exit_code == 1
            assert re.fullmatch(rf"Error: {re.escape(str(path))}:\d+:\d+: \S.*\n", result.stderr)
            assert not db.exists()
            return
        stored = _rubric_in(db)
        if stored is not None:
            # what the file says, which is not always what was dumped: YAML folds a line
            # break in a quoted scalar (PyYAML writes U+0085 as one) into a space
            meant = yaml.safe_load(text)["courses"][0]["rubric"]
            assert isinstance(meant, list) and len(json.loads(stored)) == len(meant)
            for given_one, kept in zip(meant, json.loads(stored), strict=True):
                if isinstance(given_one["criterion"], str):
                    assert kept["criterion"] == given_one["criterion"]
        exported = runner.invoke(app, ["--db", str(db), "export", "catalog", "t"])
        assert exported.exit_code == 0, exported.stderr
        path.write_text(exported.stdout, encoding="utf-8")
        again = runner.invoke(app, ["--db", str(copy), "import", str(path)])
        assert again.exit_code == 0, again.stderr
        assert _rubric_in(copy) == stored


def _rubric_in(db: Path) -> str | None:
    con = sqlite3.connect(db)
    try:
        ((rubric,),) = con.execute("SELECT rubric FROM course").fetchall()
    finally:
        con.close()
    return rubric


# --- the store keeps it, a re-import updates it ---------------------------------------------


def test_import_stores_each_rubric_as_json(store: Store) -> None:
    ok(store, "import", str(CATALOG))
    assert store.rows(RUBRICS.format("course")) == [("classifier", CLASSIFIER), ("reading", None)]
    assert store.rows(RUBRICS.format("topic")) == [("data", None), ("project", PROJECT)]


def test_a_re_import_updates_a_rubric_and_takes_away_one_left_out(
    store: Store, tmp_path: Path
) -> None:
    ok(store, "import", str(CATALOG))
    text = CATALOG.read_text(encoding="utf-8")
    text = text.replace("points: 10", "points: 12")  # the classifier's first criterion
    text = text.replace(
        "        rubric:\n          - criterion: Runs from a clean checkout\n"
        "            points: 3\n",
        "",
    )  # the project's rubric taken out
    text += "    rubric:\n      - criterion: A summary of each paper\n        points: 4\n"
    path = tmp_path / "changed.yaml"
    path.write_text(text, encoding="utf-8")
    out = ok(store, "import", str(path))
    assert "ml-projects/classifier (rubric)" in out
    assert "ml-projects/classifier/project (rubric)" in out
    assert "ml-projects/reading (rubric)" in out
    courses = dict(store.rows(RUBRICS.format("course")))
    assert json.loads(courses["classifier"])[0]["points"] == 12
    assert json.loads(courses["reading"]) == [{"criterion": "A summary of each paper", "points": 4}]
    assert dict(store.rows(RUBRICS.format("topic")))["project"] is None
    # the same file again changes nothing; undo of the change puts the rubrics back
    before = store.dump(history=True)
    ok(store, "import", str(path))
    assert store.dump(history=True) == before
    ok(store, "undo", "--yes")
    assert store.rows(RUBRICS.format("course")) == [("classifier", CLASSIFIER), ("reading", None)]
    assert store.rows(RUBRICS.format("topic")) == [("data", None), ("project", PROJECT)]


def test_a_rubric_with_any_text_is_kept_as_written(store: Store, tmp_path: Path) -> None:
    """Text YAML would like to change, quotes, a backslash, any language: kept as written."""
    path = write(
        tmp_path,
        """\
        title: T
        courses:
          - title: C
            rubric:
              - criterion: "no"
                points: "007"
              - criterion: 'Say "why", not \\ how'
                points: 1
              - criterion: Ясность и 🎓
                points: 100
        """,
    )
    ok(store, "import", str(path))
    ((stored,),) = store.rows("SELECT rubric FROM course")
    assert json.loads(stored) == [
        {"criterion": "no", "points": 7},
        {"criterion": 'Say "why", not \\ how', "points": 1},
        {"criterion": "Ясность и 🎓", "points": 100},
    ]


# --- written back: export catalog, backups --------------------------------------------------

EXPORTED = """\
# ml-projects: a coursetrack catalog (the program alone: no progress or notes).
# Track it with:  coursetrack import FILE
slug: ml-projects
title: Machine Learning Projects
courses:
- slug: classifier
  title: Build a classifier
  rubric:
  - criterion: The model trains and is evaluated on held-out data
    points: 10
  - criterion: The write-up explains the choices
    points: 5
  topics:
  - slug: data
    title: Data
  - slug: project
    title: The project
    rubric:
    - criterion: Runs from a clean checkout
      points: 3
- slug: reading
  title: Reading week
"""


def another(store: Store, new_store: Callable[[], str]) -> Store:
    """A second, empty store on the same engine, run the same way."""
    db = new_store()

    def run(*args: str, **kwargs) -> object:
        return store.run("--db", db, *args, **kwargs)  # the last --db wins

    return type(store)(db, run, store.engine)


def test_export_catalog_writes_the_rubrics_back_as_lists(
    store: Store, new_store: Callable[[], str], tmp_path: Path
) -> None:
    ok(store, "import", str(CATALOG))
    text = ok(store, "export", "catalog", "ml-projects")
    assert text == EXPORTED
    path = tmp_path / "shared.yaml"
    path.write_text(text, encoding="utf-8")
    copy = another(store, new_store)
    ok(copy, "import", str(path))
    for table in ("course", "topic"):
        assert copy.rows(RUBRICS.format(table)) == store.rows(RUBRICS.format(table))
    assert ok(copy, "export", "catalog", "ml-projects") == text


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_a_backup_carries_the_rubrics_as_lists(
    store: Store, new_store: Callable[[], str], tmp_path: Path, kind: str
) -> None:
    ok(store, "import", str(CATALOG))
    text = ok(store, "export", kind)
    if kind == "json":
        course = json.loads(text)["specializations"][0]["courses"][0]
        assert course["rubric"] == json.loads(CLASSIFIER)
        assert course["topics"][1]["rubric"] == json.loads(PROJECT)
        assert "rubric" not in course["topics"][0]
    else:
        assert (
            "  - slug: classifier\n    title: Build a classifier\n    rubric:\n"
            "    - criterion: The model trains and is evaluated on held-out data\n"
            "      points: 10\n"
        ) in text
    path = tmp_path / f"backup.{kind}"
    path.write_text(text, encoding="utf-8")
    copy = another(store, new_store)
    ok(copy, "import", str(path))
    for table in ("course", "topic"):
        assert copy.rows(RUBRICS.format(table)) == store.rows(RUBRICS.format(table))
    assert ok(copy, "export", kind) == text


def test_a_backup_without_rubrics_holds_no_rubric_key(dls: Store) -> None:
    assert "rubric" not in ok(dls, "export", "yaml")
    assert "rubric" not in ok(dls, "export", "json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "format: coursetrack-backup\nversion: 1\nspecializations:\n- slug: s\n  title: S\n"
            "  courses:\n  - slug: c\n    title: C\n    rubric:\n    - criterion: a\n"
            "      points: 200\n",
            "backup.yaml:11:15: points must be a whole number from 1 to 100, not 200",
            id="yaml",
        ),
        pytest.param(
            json.dumps(
                {
                    "format": "coursetrack-backup",
                    "version": 1,
                    "specializations": [
                        {
                            "slug": "s",
                            "title": "S",
                            "courses": [
                                {
                                    "slug": "c",
                                    "title": "C",
                                    "topics": [
                                        {
                                            "slug": "t",
                                            "title": "T",
                                            "rubric": [
                                                {"criterion": "a", "points": 1},
                                                {"criterion": "a", "points": True},
                                            ],
                                        }
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ),
            "backup.json: at specializations[0].courses[0].topics[0].rubric[1].criterion: "
            "duplicate criterion 'a' (also item 1 of this rubric); give each criterion once",
            id="json",
        ),
    ],
)
def test_a_bad_rubric_in_a_backup_is_refused_at_its_place(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    name = "backup.json" if text.startswith("{") else "backup.yaml"
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert refuse(store, "import", name) == message


# --- show -------------------------------------------------------------------------------------


def test_show_lists_a_course_rubric(store: Store) -> None:
    ok(store, "import", str(CATALOG))
    out = ok(store, "show", "ml-projects/classifier")
    assert (
        "Rubric (2 criteria, 15 points)\n"
        "  The model trains and is evaluated on held-out data (10 points)\n"
        "  The write-up explains the choices (5 points)\n"
        "Topics (2)\n"
    ) in out
    data = json.loads(ok(store, "show", "ml-projects/classifier", "--json"))
    assert data["rubric"] == json.loads(CLASSIFIER)


def test_show_lists_a_topic_rubric_and_none_where_there_is_none(store: Store) -> None:
    ok(store, "import", str(CATALOG))
    out = ok(store, "show", "ml-projects/1/2")
    assert "Rubric (1 criterion, 3 points)\n  Runs from a clean checkout (3 points)\n" in out
    assert json.loads(ok(store, "show", "ml-projects/1/2", "--json"))["rubric"] == [
        {"criterion": "Runs from a clean checkout", "points": 3}
    ]
    for ref in ("ml-projects", "ml-projects/1/1", "ml-projects/reading"):
        assert "Rubric" not in ok(store, "show", ref)
        assert "rubric" not in json.loads(ok(store, "show", ref, "--json"))


def test_show_wraps_a_long_criterion_under_itself(store: Store, tmp_path: Path) -> None:
    words = " ".join(["criterion"] * 8)  # 79 characters
    ok(store, "import", str(write(tmp_path, HEAD + f"      - criterion: {words}\n"
                                            "        points: 1\n")))  # fmt: skip
    out = ok(store, "show", "t/c")
    lines = out.split("Rubric (1 criterion, 1 point)\n")[1].splitlines()
    assert lines[0].startswith("  criterion") and lines[1].startswith("  criterion")
    assert all(len(line) <= 80 for line in lines)
    assert " ".join(line.strip() for line in lines[:2]) == f"{words} (1 point)"


def test_a_re_import_that_no_longer_fits_the_reviews_given_is_refused(
    store: Store, tmp_path: Path
) -> None:
    """A review scored the project's criterion: a catalog that takes the rubric away is
    refused by the store (its rule, `peer_review_scores`), in one line; nothing changes."""
    ok(store, "import", str(CATALOG))
    ((topic,),) = store.rows("SELECT id FROM topic WHERE slug = 'project'")
    store.execute(
        "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
        "VALUES (?, 'https://example.org/ann', '2026-10-06', 'ann')",
        topic,
    )
    store.execute(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
        "SELECT id, '2026-10-07', 'pass', ?, 'Runs.' FROM peer_request",
        json.dumps({"Runs from a clean checkout": 2}),
    )
    text = CATALOG.read_text(encoding="utf-8").replace("points: 3", "points: 1")
    path = tmp_path / "lowered.yaml"
    path.write_text(text, encoding="utf-8")
    message = refuse(store, "import", str(path))
    assert "peer review's scores" in message, message
    raised = tmp_path / "raised.yaml"
    raised.write_text(text.replace("points: 1", "points: 4"), encoding="utf-8")
    ok(store, "import", str(raised))
    assert json.loads(dict(store.rows(RUBRICS.format("topic")))["project"])[0]["points"] == 4


def test_a_rubric_given_to_items_reviewed_without_scores_names_the_first(
    store: Store, tmp_path: Path
) -> None:
    """The first topic (no rubric) and the reading course (none) have reviews without
    scores: a catalog that gives both a rubric is refused naming the first in the file's
    order, what no longer fits, and the other; nothing changes."""
    ok(store, "import", str(CATALOG))
    ((topic,),) = store.rows("SELECT id FROM topic WHERE slug = 'data'")
    ((course,),) = store.rows("SELECT id FROM course WHERE slug = 'reading'")
    for column, item in (("topic_id", topic), ("course_id", course)):
        store.execute(
            f"INSERT INTO peer_request ({column}, url, asked_on, learner) "
            "VALUES (?, 'https://example.org/ann', '2026-10-06', 'ann')",
            item,
        )
    store.execute(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, comment) "
        "SELECT id, '2026-10-07', 'pass', 'Fine.' FROM peer_request"
    )
    text = CATALOG.read_text(encoding="utf-8")
    criterion = "- criterion: Read it all\n{0}  points: 2\n"
    to_topic = "      - title: Data\n        rubric:\n          " + criterion.format(" " * 10)
    to_course = "    slug: reading\n    rubric:\n      " + criterion.format(" " * 6)
    both = text.replace("      - Data\n", to_topic).replace("    slug: reading\n", to_course)
    path = tmp_path / "given.yaml"
    path.write_text(both, encoding="utf-8")
    message = refuse(store, "import", str(path))
    assert message == (
        f"the rubric of ml-projects/reading in {path} no longer fits 1 peer review's scores: "
        "it gives one to reviews given without scores; keep it without a rubric, or give the "
        "new rubric to a new course (the reviews stay with this one); nothing was changed"
    ), message
    path.write_text(text.replace("      - Data\n", to_topic), encoding="utf-8")
    message = refuse(store, "import", str(path))
    assert message.startswith(f"the rubric of ml-projects/classifier/data in {path} "), message
    # a scored review of the project too, whose rubric the file takes away: both are
    # refused, the first in the file's order named with what to keep, the other counted
    ((project,),) = store.rows("SELECT id FROM topic WHERE slug = 'project'")
    store.execute(
        "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
        "VALUES (?, 'https://example.org/ann', '2026-10-06', 'ann')",
        project,
    )
    store.execute(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
        "SELECT id, '2026-10-07', 'pass', ?, 'Runs.' FROM peer_request WHERE topic_id = ?",
        json.dumps({"Runs from a clean checkout": 2}),
        project,
    )
    taken = "        rubric:\n          - criterion: Runs from a clean checkout\n            points: 3\n"
    path.write_text(text.replace("      - Data\n", to_topic).replace(taken, ""), encoding="utf-8")
    message = refuse(store, "import", str(path))
    assert message.startswith(f"the rubric of ml-projects/classifier/data in {path} "), message
    assert message.endswith(
        "; the rubric of 1 more item (ml-projects/classifier/project) no longer fits its reviews "
        "either; nothing was changed"
    ), message


def test_an_undo_that_would_take_a_scored_rubric_away_names_the_item(
    store: Store, tmp_path: Path
) -> None:
    """The rubric came with the second import, a review scored it: undoing that import
    would take it away under the scores, and is refused naming the item, on either
    engine (the store's rule said only "a later change is in the way")."""
    text = CATALOG.read_text(encoding="utf-8")
    taken = "        rubric:\n          - criterion: Runs from a clean checkout\n            points: 3\n"
    assert taken in text
    ok(store, "import", str(write(tmp_path, text.replace(taken, ""), "bare.yaml")))
    ok(store, "import", str(CATALOG))
    ok(store, "note", "ml-projects", "the reviews come after this")  # planted under its command
    ((topic,),) = store.rows("SELECT id FROM topic WHERE slug = 'project'")
    store.execute(
        "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
        "VALUES (?, 'https://example.org/ann', '2026-10-06', 'ann')",
        topic,
    )
    store.execute(
        "INSERT INTO peer_review (request_id, reviewed_on, grade, scores, comment) "
        "SELECT id, '2026-10-07', 'pass', ?, 'Runs.' FROM peer_request",
        json.dumps({"Runs from a clean checkout": 2}),
    )
    message = refuse(store, "undo", "2", "--yes")
    assert message.startswith("cannot undo #2 import "), message
    assert message.endswith(
        ": the rubric it would put back on ml-projects/classifier/project no longer fits 1 peer "
        "review's scores: it takes it away; leave it as it is (the reviews given since score "
        "today's rubric); nothing was changed"
    ), message


def test_in_a_study_group_a_curator_gives_rubrics_and_a_learner_reads_them(
    group_store: GroupStore, tmp_path: Path
) -> None:
    """The catalog is the group's: the curator's import sets the rubrics, a learner's `show`
    lists them, and a learner's import of the same file is refused as any catalog change."""
    g = group_store
    result = g.run(g.curator, "import", str(CATALOG))
    assert result.exit_code == 0, result.stderr
    given = "SELECT slug, rubric FROM {} WHERE rubric IS NOT NULL"
    assert g.all_rows(given.format("course")) == [("classifier", CLASSIFIER)]
    shown = g.run("alice", "show", "ml-projects/1/2", "--json")
    assert json.loads(shown.stdout)["rubric"] == json.loads(PROJECT)
    path = tmp_path / "changed.yaml"
    path.write_text(CATALOG.read_text(encoding="utf-8").replace("points: 3", "points: 4"))
    refused = g.run("alice", "import", str(path))
    assert refused.exit_code == 1 and "curator" in refused.stderr, refused.stderr
    assert g.all_rows(given.format("topic")) == [("project", PROJECT)]
