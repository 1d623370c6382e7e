"""Backups: `export yaml|json` and `import FILE` give back the same record, byte for byte."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coursetrack import backup
from coursetrack import store as db
from coursetrack.cli import app
from coursetrack.errors import ExportError
from coursetrack.models import Course, Goal, Link, Note, Progress, Review, Specialization, Topic
from coursetrack.services import backup_export
from coursetrack.services.restore import restore
from coursetrack.store import uids
from coursetrack.strict_yaml import StrictLoader
from hostile import Here, write_file

runner = CliRunner()

AWKWARD = [
    "yes",
    "no",
    "No",
    "on",
    "off",
    "null",
    "~",
    "true",
    "0123",
    "1e3",
    "0x1F",
    ".inf",
    "2024-01-02",
    "12:30",
    "a: b",
    "- item",
    "#not a comment",
    "key: value # comment",
    "'quoted'",
    '"double"',
    "line one\nline two",
    "trailing newline\n",
    "\nleading newline",
    "  padded  ",
    " ",
    "",
    "tab\there",
    "ünïcödé ✓ 深度学习 🎓",
    "&anchor *alias !tag %directive @at `tick` |pipe >fold",
    "---",
    "...",
    "back\\slash",
    "nul\x00byte",
    "next\x85line sep\u2028para\u2029",
    "\ufeffbom",
    "[1, 2]",
    "{a: 1}",
    "? key",
]

#: Text a title or note may hold: anything but blank, NUL or a lone surrogate
#: (the rules of `validate`, which every way into the store applies).
text = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=24)).filter(
    lambda t: t.strip() and "\x00" not in t
)
optional_text = st.one_of(st.none(), text)
#: URLs the rule lets in, several of which YAML would read as something else.
WEB_URLS = [
    "https://example.org/",
    "HTTPS://EXAMPLE.ORG/Path",
    "http://a.test/yes",
    "https://a.test/?q=a:b&no=null#not-a-comment",
    "https://de.wikipedia.org/wiki/Köln_(Stadt)",
    "https://a.test/" + "x" * 300,
    "http://[::1]:8080/~me/*x*",
]
web_urls = st.sampled_from(WEB_URLS)
urls = st.one_of(st.none(), web_urls, st.sampled_from(["mailto:me@a.test", "MailTo:x?subject=yes"]))
slugs = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True).filter(
    lambda s: not s.isdigit()
)
some_date = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2900, 12, 31))
dates = st.one_of(st.none(), some_date)
notes = st.lists(st.fixed_dictionaries({"written_on": some_date, "text": text}), max_size=2)
links = st.lists(
    st.fixed_dictionaries({"url": web_urls, "title": optional_text, "added_on": some_date}),
    max_size=2,
)


@st.composite
def _review(draw: st.DrawFn) -> dict:
    on = draw(some_date)
    interval = draw(st.integers(min_value=1, max_value=36_500))
    grade = draw(st.sampled_from(["again", "hard", "good", "easy"]))
    return {
        "reviewed_on": on,
        "grade": grade,
        "interval_days": interval,
        "due_on": on + dt.timedelta(days=interval),
    }


reviews = st.lists(_review(), max_size=2)
#: A course's or topic's rubric (issue 23) as the store keeps it: JSON text, or none.
rubrics = st.one_of(
    st.none(),
    st.lists(
        st.tuples(text.filter(lambda t: "\\u0000" not in t), st.integers(1, 100)),
        min_size=1,
        max_size=3,
        unique_by=lambda criterion: criterion[0],
    ).map(
        lambda criteria: json.dumps(
            [{"criterion": c, "points": p} for c, p in criteria], ensure_ascii=False
        )
    ),
)
goal = st.one_of(st.none(), st.fixed_dictionaries({"target_on": some_date}))


@st.composite
def _progress(draw: st.DrawFn) -> dict | None:
    """A progress row as start, done and reopen leave one."""
    status = draw(st.sampled_from(["todo", "in-progress", "done"]))
    started = draw(dates)
    completed = None
    if status == "done":
        completed = draw(some_date)
        if started is not None and completed < started:
            started, completed = completed, started
    return {"status": status, "started_on": started, "completed_on": completed}


progress = st.one_of(st.none(), _progress())


ATTACHED = ("progress", "children", "notes", "links", "reviews", "goal")


def _reviewed_only_if_done(topic: dict) -> dict:
    done = topic["progress"] is not None and topic["progress"]["status"] == "done"
    return topic if done else {**topic, "reviews": []}


def _items(children: st.SearchStrategy | None, **extra: st.SearchStrategy) -> st.SearchStrategy:
    fields = {"title": text, "description": optional_text, "url": urls, **extra}
    fields["progress"] = progress
    fields["notes"] = notes
    fields["links"] = links
    if children is not None:
        fields["children"] = children
    entries = st.fixed_dictionaries(fields)
    if "reviews" in fields:
        entries = entries.map(_reviewed_only_if_done)
    return st.lists(
        st.tuples(slugs, entries),
        max_size=3,
        unique_by=lambda pair: pair[0],
    )


topics = _items(None, reviews=reviews, rubric=rubrics)
courses = _items(topics, certificate_url=urls, rubric=rubrics)
stores = _items(courses, provider=optional_text, certificate_url=urls, goal=goal)


def _insert(writer, table: str, **values) -> int:
    """A row written by hand through the Writer (the store's own SQL, no ORM); its id. A
    note, link or review is named as a command names it (`store.uids`): in the order made."""
    if table in ("note", "link", "review"):
        values["uid"] = uids.record_uid(writer)
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    return writer.insert(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id", **values)


def _fill(path: Path, specs: list) -> None:
    """Write a generated record straight into the tables, as any command could have."""
    store = db.open_store(str(path), write=True)
    with store.write() as writer:

        def add_progress(data: dict, **owner: int) -> None:
            if data["progress"] is not None:
                _insert(writer, "progress", **data["progress"], **owner)
            for note in data["notes"]:
                _insert(writer, "note", **note, **owner)
            for link in data["links"]:
                _insert(writer, "link", **link, **owner)
            for review in data.get("reviews", []):
                _insert(writer, "review", **review, **owner)
            if data.get("goal") is not None:
                _insert(writer, "goal", **data["goal"], **owner)

        def fields(data: dict) -> dict:
            return {k: v for k, v in data.items() if k not in ATTACHED}

        for slug, spec in specs:
            spec_id = _insert(writer, "specialization", slug=slug, **fields(spec))
            add_progress(spec, specialization_id=spec_id)
            for position, (cslug, course) in enumerate(spec["children"], start=1):
                course_id = _insert(
                    writer,
                    "course",
                    specialization_id=spec_id,
                    position=position,
                    slug=cslug,
                    **fields(course),
                )
                add_progress(course, course_id=course_id)
                for tposition, (tslug, topic) in enumerate(course["children"], start=1):
                    topic_id = _insert(
                        writer,
                        "topic",
                        course_id=course_id,
                        position=tposition,
                        slug=tslug,
                        **fields(topic),
                    )
                    add_progress(topic, topic_id=topic_id)
    store.close()


def _export(path: Path, kind: str) -> str:
    store = db.open_store(str(path), write=False)
    try:
        with store.read() as reader:
            document = backup_export.collect(reader)
    finally:
        store.close()
    return backup_export.to_yaml(document) if kind == "yaml" else backup_export.to_json(document)


def _restore(path: Path, text: str) -> None:
    document = backup.parse(text, label="backup")
    store = db.open_store(str(path), write=True)
    try:
        with store.write() as writer:
            restore(writer, document)
    finally:
        store.close()


_OWNER_SLUGS = """
LEFT JOIN topic t ON t.id = x.topic_id
LEFT JOIN course c ON c.id = coalesce(x.course_id, t.course_id)
LEFT JOIN specialization s ON s.id = coalesce(x.specialization_id, c.specialization_id)
"""
_BY_OWNER = "ORDER BY s.slug, c.slug, t.slug, x.id"
#: Each owned record with its owner's slugs in place of row ids, oldest first.
_RECORDS = [
    f"SELECT s.slug, c.slug, t.slug, x.written_on, x.text FROM note x {_OWNER_SLUGS} {_BY_OWNER}",
    f"SELECT s.slug, c.slug, t.slug, x.url, x.title, x.added_on FROM link x {_OWNER_SLUGS} "
    f"{_BY_OWNER}",
    "SELECT s.slug, c.slug, t.slug, x.reviewed_on, x.grade, x.interval_days, x.due_on "
    "FROM review x JOIN topic t ON t.id = x.topic_id JOIN course c ON c.id = t.course_id "
    f"JOIN specialization s ON s.id = c.specialization_id {_BY_OWNER}",
    "SELECT s.slug, x.target_on FROM goal x JOIN specialization s ON s.id = x.specialization_id "
    "ORDER BY s.slug",
]


def _rows(path: Path) -> list[tuple]:
    """The whole record without row ids, which a restore is free to choose."""
    con = sqlite3.connect(path)
    try:
        owned = [row for sql in _RECORDS for row in con.execute(sql).fetchall()]
        return (
            owned
            + con.execute(
                "SELECT s.slug, s.title, s.provider, s.url, s.description, s.certificate_url, "
                "c.position, c.slug, c.title, c.description, c.url, c.certificate_url, "
                "c.rubric, t.position, t.slug, t.title, t.description, t.url, t.rubric, "
                "sp.status, sp.started_on, sp.completed_on, "
                "cp.status, cp.started_on, cp.completed_on, "
                "tp.status, tp.started_on, tp.completed_on "
                "FROM specialization s "
                "LEFT JOIN course c ON c.specialization_id = s.id "
                "LEFT JOIN topic t ON t.course_id = c.id "
                "LEFT JOIN progress sp ON sp.specialization_id = s.id "
                "LEFT JOIN progress cp ON cp.course_id = c.id "
                "LEFT JOIN progress tp ON tp.topic_id = t.id "
                "ORDER BY s.slug, c.position, t.position"
            ).fetchall()
        )
    finally:
        con.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(specs=stores, kind=st.sampled_from(["yaml", "json"]))
@pytest.mark.slow  # hypothesis: many whole backups
def test_round_trip_is_byte_identical(specs: list, kind: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        first, second = Path(folder) / "first.db", Path(folder) / "second.db"
        _fill(first, specs)
        exported = _export(first, kind)
        _restore(second, exported)
        assert _export(second, kind) == exported
        assert _rows(second) == _rows(first)


@settings(max_examples=40, deadline=None)
@given(value=text)
@pytest.mark.slow  # hypothesis over YAML values
def test_yaml_values_read_back_as_the_same_text_with_the_strict_loader(value: str) -> None:
    document = {"format": "coursetrack-backup", "version": 1, "specializations": []}
    document["specializations"].append({"slug": "s", "title": value, "description": value})
    parsed = backup.parse(backup_export.to_yaml(document), label="backup")
    assert parsed.specializations[0].title == value


# --- through the command line -----------------------------------------------------------


def _cli(db_path: Path, *args: str, input: str | None = None):
    return runner.invoke(app, ["--db", str(db_path), *args], input=input)


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    """The shipped catalog with some progress, notes and a certificate."""
    path = tmp_path / "store.db"
    steps = [
        ["import", "deep-learning-specialization"],
        ["done", "dls/1", "--on", "2024-01-10", "--note", "yes\nno: null"],
        ["start", "dls/2/1", "--on", "2024-01-12"],
        ["update", "dls", "--certificate-url", "https://coursera.org/verify/specialization/X1"],
        ["update", "dls/3", "--note", "0123"],
    ]
    for step in steps:
        result = _cli(path, *step)
        assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_cli_backup_restores_into_an_empty_store(
    tmp_path: Path, recorded: Path, kind: str, yaml_parser: str
):
    out = tmp_path / f"backup.{kind}"
    result = _cli(recorded, "export", kind, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stdout

    fresh = tmp_path / "fresh.db"
    result = _cli(fresh, "import", str(out))
    assert result.exit_code == 0, result.output
    assert "restored dls" in result.stdout
    assert _rows(fresh) == _rows(recorded)

    again = _cli(fresh, "export", kind)
    assert again.exit_code == 0
    assert again.stdout == out.read_text(encoding="utf-8")

    status = _cli(fresh, "status", "dls", "--json")
    data = json.loads(status.stdout)
    assert data["certificate_url"] == "https://coursera.org/verify/specialization/X1"
    assert data["courses"][0]["status"] == "done"
    assert data["courses"][1]["status"] == "in-progress"


def test_stdout_and_file_hold_the_same_bytes(
    tmp_path: Path, recorded: Path, yaml_parser: str
) -> None:
    out = tmp_path / "b.yaml"
    assert _cli(recorded, "export", "yaml", "-o", str(out)).exit_code == 0
    printed = _cli(recorded, "export", "yaml")
    assert printed.stdout == out.read_text(encoding="utf-8")
    assert _cli(recorded, "export", "yaml").stdout == printed.stdout


def test_yaml_backup_is_documented_and_plain_text(recorded: Path) -> None:
    result = _cli(recorded, "export", "yaml")
    document = yaml.load(result.stdout, Loader=StrictLoader)  # every scalar a string
    assert document["format"] == "coursetrack-backup"
    assert document["version"] == "1"
    spec = document["specializations"][0]
    assert spec["slug"] == "dls"
    assert spec["certificate_url"] == "https://coursera.org/verify/specialization/X1"
    first = spec["courses"][0]
    assert "progress" not in first, "a course with topics has no status of its own"
    assert first["notes"] == [{"written_on": "2024-01-10", "text": "yes\nno: null"}]
    assert first["topics"][0]["progress"] == {"status": "done", "completed_on": "2024-01-10"}
    assert spec["courses"][2]["notes"][0]["text"] == "0123"
    assert "id" not in first and "position" not in first
    # and the standard loader reads the same strings, not booleans or numbers
    plain = yaml.safe_load(result.stdout)["specializations"][0]
    assert plain["courses"][2]["notes"][0]["text"] == "0123"


def test_one_specialization_only(tmp_path: Path, recorded: Path) -> None:
    assert _cli(recorded, "add", "specialization", "Other", "--slug", "zz").exit_code == 0
    whole = json.loads(_cli(recorded, "export", "json").stdout)
    assert [s["slug"] for s in whole["specializations"]] == ["dls", "zz"]
    one = json.loads(_cli(recorded, "export", "json", "zz").stdout)
    assert [s["slug"] for s in one["specializations"]] == ["zz"]
    course = _cli(recorded, "export", "json", "dls/2")
    assert course.exit_code == 1
    assert "a backup holds whole specializations" in course.stderr


def test_restore_refuses_a_store_that_has_the_specialization(
    tmp_path: Path, recorded: Path
) -> None:
    out = tmp_path / "b.yaml"
    assert _cli(recorded, "export", "yaml", "-o", str(out)).exit_code == 0
    before = _rows(recorded)
    result = _cli(recorded, "import", str(out))
    assert result.exit_code == 1
    assert "already has dls" in result.stderr
    assert "restore into an empty store" in result.stderr
    assert _rows(recorded) == before


def test_existing_output_needs_force(tmp_path: Path, recorded: Path) -> None:
    out = tmp_path / "b.json"
    out.write_text("keep me", encoding="utf-8")
    result = _cli(recorded, "export", "json", "-o", str(out))
    assert result.exit_code == 1
    assert "already exists; add --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert _cli(recorded, "export", "json", "-o", str(out), "--force").exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "coursetrack-backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


BAD_BACKUPS = [
    ("format: coursetrack-backup\nversion: 3\nspecializations: []\n", "newer coursetrack"),
    ("format: coursetrack-backup\nversion: 1\nhistory: []\n", "unknown key 'history'"),
    (
        "format: coursetrack-backup\nversion: 1\nspecializations:\n- slug: a\n  slug: b\n"
        "  title: t\n",
        "duplicate key 'slug'",
    ),
    (
        "format: coursetrack-backup\nversion: 1\nspecializations:\n- &x {slug: a, title: t}\n"
        "- *x\n",
        "aliases",
    ),
    (
        "format: coursetrack-backup\nversion: 1\nspecializations:\n- slug: a\n  title: t\n"
        "  progress: {status: finished}\n",
        "status 'finished'",
    ),
    (
        "format: coursetrack-backup\nversion: 1\nspecializations:\n- slug: a\n  title: t\n"
        "  progress: {status: done, completed_on: 2024-13-01}\n",
        "not a date",
    ),
    (
        "format: coursetrack-backup\nversion: 1\nspecializations:\n- {slug: a, title: t}\n"
        "- {slug: a, title: u}\n",
        "duplicate slug 'a'",
    ),
    ('{"format": "coursetrack-backup", "version": 1, "version": 1}', "duplicate key"),
    ('{"format": "coursetrack-backup", "version": 1, "specializations": [{"slug": 3}]}', "text"),
]


@pytest.mark.parametrize(("content", "message"), BAD_BACKUPS)
def test_bad_backups_are_refused_and_change_nothing(
    tmp_path: Path, content: str, message: str, yaml_parser: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    store = tmp_path / "store.db"
    result = _cli(store, "import", str(path))
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stderr.startswith("Error: ")
    assert not store.exists() or _rows(store) == []


def test_yaml_errors_point_at_the_line(tmp_path: Path, yaml_parser: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "format: coursetrack-backup\nversion: 1\nspecializations:\n- slug: Not A Slug\n"
        "  title: t\n",
        encoding="utf-8",
    )
    result = _cli(tmp_path / "s.db", "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:4:" in result.stderr


_HEAD = "format: coursetrack-backup\nversion: 1\nspecializations:\n"

#: A backup is read by the catalogs' loader: the same mistake, the same sentence, at the
#: same place (a duplicate key at its second use, an unknown key at the key itself).
SAME_WORDS_AS_CATALOGS = [
    (
        _HEAD + "- slug: a\n  title: t\n  slug: b\n",
        "6:3: duplicate key 'slug' (first at line 4); keep one",
    ),
    (
        _HEAD + "- slug: a\n  title: t\n  goal: !!omap {target_on: 2024-01-01}\n",
        "6:9: tag 'tag:yaml.org,2002:omap' is not allowed in a backup",
    ),
    (_HEAD + "- slug: a\n  title: t\n  !!int 3: x\n", "6:3: keys must be plain words"),
    (
        _HEAD + "- slug: a\n  title: t\n  colour:\n    - blue\n",
        "6:3: unknown key 'colour'; backup version 2 allows here: slug, title,",
    ),
    (
        _HEAD + "- slug: a\n  title: t\n  notes: {written_on: 2024-01-01}\n",
        "6:10: notes must be a list (lines starting with '- '), not a mapping",
    ),
    (_HEAD + "- slug: a\n  title: [t]\n", "5:10: title must be text, not a list"),
    ("", "1:1: the file is empty; a backup is a mapping with format: coursetrack-backup"),
]


@pytest.mark.parametrize(("content", "message"), SAME_WORDS_AS_CATALOGS)
def test_a_backup_is_refused_in_the_words_a_catalog_is(
    tmp_path: Path, content: str, message: str, yaml_parser: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError) as refused:
        backup.parse(content, label=str(path))
    assert str(refused.value).startswith(f"{path}:{message}")


def test_a_catalog_is_still_imported_as_a_catalog(tmp_path: Path) -> None:
    path = tmp_path / "cat.yaml"
    path.write_text("title: Format Matters\nslug: fm\ncourses:\n- title: One\n", encoding="utf-8")
    result = _cli(tmp_path / "s.db", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported fm" in result.stdout


def test_notes_links_reviews_and_goals_are_kept(
    tmp_path: Path, recorded: Path, yaml_parser: str
) -> None:
    store = db.open_store(str(recorded), write=True)
    with store.write() as writer:
        spec = writer.one("SELECT id FROM specialization")
        course = writer.one("SELECT id FROM course WHERE position = 1")
        topic = writer.one(
            "SELECT id FROM topic WHERE course_id = :course ORDER BY id", course=course.id
        )
        _insert(writer, "goal", specialization_id=spec.id, target_on=dt.date(2024, 12, 31))
        _insert(writer, "note", course_id=course.id, written_on=dt.date(2024, 1, 3), text="on: yes")
        _insert(
            writer, "link", topic_id=topic.id, url="https://x.test/nb", added_on=dt.date(2024, 1, 4)
        )
        _insert(
            writer,
            "review",
            topic_id=topic.id,
            reviewed_on=dt.date(2024, 2, 1),
            grade="good",
            interval_days=7,
            due_on=dt.date(2024, 2, 8),
        )
    store.close()
    data = json.loads(_cli(recorded, "export", "json").stdout)["specializations"][0]
    assert data["goal"] == {"target_on": "2024-12-31"}
    first = data["courses"][0]
    assert first["notes"] == [
        {"written_on": "2024-01-10", "text": "yes\nno: null"},  # from `done --note`
        {"written_on": "2024-01-03", "text": "on: yes"},
    ]
    assert first["topics"][0]["links"] == [{"url": "https://x.test/nb", "added_on": "2024-01-04"}]
    assert first["topics"][0]["reviews"] == [
        {"reviewed_on": "2024-02-01", "grade": "good", "interval_days": 7, "due_on": "2024-02-08"}
    ]
    out = tmp_path / "b.yaml"
    assert _cli(recorded, "export", "yaml", "-o", str(out)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    assert _cli(fresh, "import", str(out)).exit_code == 0
    assert _rows(fresh) == _rows(recorded)
    assert _cli(fresh, "export", "yaml").stdout == out.read_text(encoding="utf-8")
    post = _cli(fresh, "export", "markdown", "dls", "--dates").stdout  # notes dated
    assert "> 2024-01-03: on: yes" in post


def test_a_review_interval_out_of_range_is_refused(tmp_path: Path, recorded: Path) -> None:
    data = json.loads(_cli(recorded, "export", "json").stdout)
    topic = data["specializations"][0]["courses"][0]["topics"][0]
    topic["reviews"] = [
        {
            "reviewed_on": "2024-02-01",
            "grade": "good",
            "interval_days": 10**26,
            "due_on": "2024-02-08",
        }
    ]
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data))
    result = _cli(tmp_path / "fresh.db", "import", str(path))
    assert result.exit_code == 1
    assert "interval_days must be a whole number from 1 to 36500 days" in result.stderr
    assert "Traceback" not in result.stderr


# --- the store's side (issue 20) -----------------------------------------------------------


def test_the_columns_a_backup_holds_are_the_models() -> None:
    """store.backup lists a row's columns by name (the format reads without the models):
    the same lists as the models describe, so a column added there is backed up."""
    from coursetrack.models import Grade, Status, dates_of, described_by, numbers_of
    from coursetrack.store import backup as columns

    for kind, model in (("specialization", Specialization), ("course", Course), ("topic", Topic)):
        assert columns.ITEMS[kind] == described_by(model), kind
    assert described_by(Progress) == columns.PROGRESS
    assert columns.dates(columns.PROGRESS) == dates_of(Progress)
    for key, model in (("goal", Goal), ("notes", Note), ("links", Link), ("reviews", Review)):
        table, fields = columns.RECORDS[key]
        assert table == model.__tablename__, key
        assert fields == described_by(model), key
        assert columns.dates(fields) == dates_of(model), key
        assert tuple(c for c in fields if c in columns.NUMBERS) == numbers_of(model), key
        flags = tuple(c.name for c in model.__table__.columns if c.type.python_type is bool)
        assert tuple(c for c in fields if c in columns.FLAGS) == flags, key
    assert tuple(s.value for s in Status) == columns.STATUSES
    assert tuple(g.value for g in Grade) == columns.GRADES


def test_telling_a_backup_from_a_catalog_imports_no_orm() -> None:
    """`import` of a catalog asks the backup format whether its text is a backup."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from coursetrack import backup\n"
        "assert not backup.looks_like_backup('title: T\\nslug: t\\n')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')"
        " or m == 'coursetrack.models'))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_restore_and_an_export_speak_only_the_writer_and_reader(
    tmp_path: Path, recorded: Path
) -> None:
    """Over a bare sqlite3 Writer and Reader (no ORM session behind them to fall back on):
    the restore writes the same record, and the export gives the same bytes, a private
    note's flag (SQLite's 1) written as true."""
    from coursetrack.store.reader import SqliteReader
    from coursetrack.store.writer import SqliteWriter

    assert _cli(recorded, "note", "dls/1", "mine", "--private", "--on", "2024-01-11").exit_code == 0
    for step in (
        ["reviewed", "dls/1/1", "--grade", "good", "--on", "2024-02-01"],
        ["goal", "dls", "--by", "2999-12-31"],
        ["link", "dls/2/1", "https://x.test/nb"],
    ):
        result = _cli(recorded, *step)
        assert result.exit_code == 0, result.output
    text = _cli(recorded, "export", "json").stdout
    assert '"private": true' in text
    yaml_text = _cli(recorded, "export", "yaml").stdout
    fresh = tmp_path / "fresh.db"
    db.open_store(str(fresh), write=True).close()  # an empty store, up to date
    store = db.open_store(str(fresh), write=True)
    try:
        with store.write("import backup.json") as writer:
            assert isinstance(writer, SqliteWriter)
            report = restore(writer, backup.parse(text, label="backup.json"))
        with store.read() as reader:
            assert isinstance(reader, SqliteReader)
            assert backup_export.to_json(backup_export.collect(reader)) == text
            pieces: list[str] = []
            backup_export.write_yaml(reader, pieces.append, backup_export.chosen(reader, None))
            one = backup_export.collect(reader, "dls")
    finally:
        store.close()
    assert "".join(pieces) == yaml_text
    assert backup_export.to_json(one) == text
    assert report.specializations == ["dls"]
    assert _rows(fresh) == _rows(recorded)
    logged = json.loads(_cli(fresh, "log", "-n", "1", "--json").stdout)["commands"][0]
    assert logged["command"] == "import backup.json"
    assert len(logged["changes"]) == sum(1 for _ in _all_rows(fresh))


def _all_rows(path: Path):
    """Every row of the record's tables (what a restore writes, each recorded)."""
    con = sqlite3.connect(path)
    try:
        for table in ("specialization", "course", "topic", "progress", "note", "link"):
            yield from con.execute(f"SELECT * FROM {table}").fetchall()
        for table in ("review", "goal"):
            yield from con.execute(f"SELECT * FROM {table}").fetchall()
    finally:
        con.close()


# Hostile backup files (tests/hostile.py)


def test_deeply_nested_json_backup(here: Here) -> None:
    n = 100_000
    write_file("deep.json", '{"format": "coursetrack-backup", "x": ' + "[" * n + "]" * n + "}")
    here.refused("import", "deep.json", where="deep.json")


def test_nul_bytes_in_a_backup(here: Here) -> None:
    write_file("nulb.yaml", b"format: coursetrack-backup\nx: \x00\n")
    here.refused("import", "nulb.yaml", where="nulb.yaml:2:4:")
