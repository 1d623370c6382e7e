"""add, update, rm: editing the catalog by hand."""

from __future__ import annotations

import pytest

import by_hand


def courses(store, spec: str = "my") -> list[tuple]:
    return store.rows(
        "SELECT c.position, c.slug, c.title FROM course c JOIN specialization s "
        "ON s.id = c.specialization_id WHERE s.slug = ? ORDER BY c.position",
        spec,
    )


@pytest.fixture
def my(store):
    assert store.run("add", "specialization", "My Track", "--slug", "my").exit_code == 0
    return store


def test_add_specialization_with_every_option(store) -> None:
    result = store.run(
        "add", "specialization", "Machine Learning Engineering for Production",
        "--provider", "Coursera", "--url", "https://example.org/mlep",
        "--description", "MLOps",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == (
        "added specialization machine-learning: Machine Learning Engineering for Production\n"
    )
    assert store.rows("SELECT slug, title, provider, url, description FROM specialization") == [
        (
            "machine-learning",  # a long title's short slug: its first significant words
            "Machine Learning Engineering for Production",
            "Coursera",
            "https://example.org/mlep",
            "MLOps",
        )
    ]


def test_the_store_and_its_directory_are_created_on_first_write(tmp_path) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    path = tmp_path / "deep" / "er" / "store.db"
    result = CliRunner().invoke(app, ["--db", str(path), "add", "specialization", "X"])
    assert result.exit_code == 0
    assert path.is_file()


def test_add_courses_in_order_and_at_a_position(my) -> None:
    my.run("add", "course", "my", "Second")
    my.run("add", "course", "my", "Third")
    result = my.run("add", "course", "my", "First", "--position", "1", "--slug", "one")
    assert result.stdout == "added course my/one at position 1: First\n"
    assert courses(my) == [(1, "one", "First"), (2, "second", "Second"), (3, "third", "Third")]


def test_add_topics(my) -> None:
    my.run("add", "course", "my", "Course")
    my.run("add", "topic", "my/1", "Week 2")
    result = my.run("add", "topic", "my/course", "Week 1", "--position", "1", "--json")
    assert result.json() == {"ref": "my/course/week-1", "title": "Week 1", "position": 1}
    assert my.rows("SELECT position, slug FROM topic ORDER BY position") == [
        (1, "week-1"),
        (2, "week-2"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "specialization", "Again", "--slug", "my"], "the store already has a specialization with slug 'my'"),
        (["add", "specialization", "   "], "title is empty"),
        (["add", "specialization", "!!!"], "a slug cannot be empty"),
        (["add", "specialization", "X", "--slug", "Bad Slug"], "must be lowercase letters and digits"),
        (["add", "specialization", "X", "--slug", "42"], "is all digits"),
        (["add", "course", "my", "C", "--position", "3"], "--position 3 is out of range: my has 0 courses, so use 1 to 1"),
        (["add", "course", "nope", "C"], "no specialization 'nope'"),
        (["add", "topic", "my", "T"], "'my' is a specialization; add a topic to a course"),
    ],
)  # fmt: skip
def test_add_refuses_bad_input(my, args: list[str], message: str) -> None:
    before = my.dump(history=True)
    result = my.run(*args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert my.dump(history=True) == before


def test_update_fields(dls) -> None:
    result = dls.run(
        "update", "dls", "--certificate-url", "https://coursera.org/verify/XYZ",
        "--title", "DLS", "--provider", "Coursera",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout == "updated dls: title, certificate_url, provider\n"
    assert dls.rows("SELECT title, certificate_url, provider FROM specialization") == [
        ("DLS", "https://coursera.org/verify/XYZ", "Coursera")
    ]
    status = dls.run("status", "dls", "--json").json()
    assert status["certificate_url"] == "https://coursera.org/verify/XYZ"
    assert "Certificate: https://coursera.org/verify/XYZ" in dls.run("status", "dls").stdout


def test_update_slug_changes_the_ref(dls) -> None:
    dls.run("done", "dls/cnn/1")
    result = dls.run("update", "dls/cnn", "--slug", "convnets")
    assert result.stdout == "updated dls/convnets: slug\n"
    assert dls.run("status", "dls/convnets", "--json").json()["units_done"] == 1


def test_update_note_and_clear_a_field(dls) -> None:
    dls.run(
        "update",
        "dls/2",
        "--note",
        "redo Adam",
        "--url",
        "",
        env={"COURSETRACK_NOW": "2026-05-01T10:00:00+00:00"},
    )
    assert dls.rows("SELECT url FROM course WHERE slug = 'improving'") == [(None,)]
    assert dls.rows("SELECT written_on, text FROM note") == [("2026-05-01", "redo Adam")]
    assert dls.rows("SELECT count(*) FROM progress") == [(0,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["update", "dls"], "nothing to update"),
        (["update", "dls/1/1", "--certificate-url", "x"], "topics have no certificate"),
        (["update", "dls/1", "--provider", "x"], "only a specialization has a provider"),
        (["update", "dls/1", "--slug", "improving"], "dls already has a course with slug 'improving'"),
        (["update", "dls/1", "--title", " "], "--title is empty"),
    ],
)  # fmt: skip
def test_update_refuses_bad_input(dls, args: list[str], message: str) -> None:
    before = dls.dump(history=True)
    result = dls.run(*args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert dls.dump(history=True) == before


def test_rm_without_progress_needs_no_confirmation(dls) -> None:
    result = dls.run("rm", "dls/2/2")
    assert result.exit_code == 0
    assert result.stdout == "removed topic dls/improving/optimization: Optimization Algorithms\n"
    assert dls.rows(
        "SELECT t.position, t.slug FROM topic t JOIN course c ON c.id = t.course_id "
        "WHERE c.slug = 'improving' ORDER BY t.position"
    ) == [(1, "practical-aspects"), (2, "tuning")]


def test_rm_with_progress_refuses_without_a_terminal(dls) -> None:
    dls.run("done", "dls/1/1")
    before = dls.dump(history=True)
    result = dls.run("rm", "dls/1")
    assert result.exit_code == 1
    assert (
        "holds 1 record(s) of your study (progress, notes, links, reviews); run again with --yes"
        in result.stderr
    )
    assert dls.dump(history=True) == before


def test_rm_with_yes_deletes_item_and_progress(dls) -> None:
    dls.run("done", "dls/1")
    result = dls.run("rm", "dls/1", "--yes")
    assert result.exit_code == 0
    assert courses(dls, "dls")[0] == (1, "improving", courses(dls, "dls")[0][2])
    assert [p for p, *_ in courses(dls, "dls")] == [1, 2, 3, 4]
    assert dls.rows("SELECT count(*) FROM progress") == [(0,)]
    assert dls.rows("SELECT count(*) FROM topic") == [(13,)]


def test_rm_a_whole_specialization(dls) -> None:
    dls.run("start", "dls")
    assert dls.run("rm", "dls", "-y").exit_code == 0
    for table in ("specialization", "course", "topic", "progress"):
        assert dls.rows(f"SELECT count(*) FROM {table}") == [(0,)]


def test_rm_asks_only_about_progress_under_the_item(dls) -> None:
    """Progress elsewhere in the store does not make removing an empty course ask."""
    dls.run("done", "dls/1")
    dls.run("note", "dls/2/1", "a note elsewhere")
    dls.run("add", "course", "dls", "Extra")
    result = dls.run("rm", "dls/extra")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "removed course dls/extra: Extra\n"


def test_rm_counts_notes_and_links_as_progress(dls) -> None:
    dls.run("link", "dls/3/1", "https://example.org/notebook")
    result = dls.run("rm", "dls/3")
    assert result.exit_code == 1
    assert "holds 1 record(s) of your study (progress, notes, links, reviews)" in result.stderr


def test_a_slug_cannot_end_in_a_newline(dls) -> None:
    before = dls.dump(history=True)
    result = dls.run("update", "dls", "--slug", "zz\n")
    assert result.exit_code == 1
    assert "must be lowercase letters and digits" in result.stderr
    assert dls.dump(history=True) == before


def test_rm_deletes_nothing_if_progress_arrived_after_the_question(dls) -> None:
    """The question is asked outside the write; what was confirmed is checked inside it."""
    from coursetrack import store as db
    from coursetrack.errors import StaleError
    from coursetrack.services import items

    store = db.open_store(dls.db, write=True)
    try:
        with store.read() as session:
            plan = items.describe_removal(session, ref="dls/2")
        dls.run("done", "dls/2/1")  # another terminal records progress meanwhile
        before = dls.dump(history=True)
        with pytest.raises(StaleError, match="gained progress"), store.write("rm dls/2") as s:
            items.remove_item(s, ref="dls/2", shown=plan)
        assert dls.dump(history=True) == before
    finally:
        store.close()


@pytest.mark.sqlite_only
def test_the_catalogs_services_write_through_the_writer_alone(dls) -> None:
    """add, update, rm and import speak only the Writer's protocol (issue 20): here over a
    bare sqlite3 connection, with no ORM session behind it to fall back on, and what they
    write is what the commands read back."""
    import sqlite3

    from coursetrack import catalog
    from coursetrack.services import importer, items
    from coursetrack.store.writer import SqliteWriter

    db = dls.db
    edited = catalog.parse_catalog(
        "slug: dls\ntitle: Deep Learning\ncourses:\n  - title: Only\n    slug: only\n"
        "    topics: [One, Two]\n",
        where="edited.yaml",
    )
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("BEGIN IMMEDIATE")
        command = con.execute(
            f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
            f"VALUES ('2026-12-06T10:00:00Z', 'by hand', {by_hand.values()}) RETURNING id"
        ).fetchone()[0]
        con.execute("INSERT INTO history_binding (id, command_id) VALUES (1, ?)", (command,))
        writer = SqliteWriter(con)
        writer.info["command_id"] = command
        writer.info["stamp"] = "0000000000000000.0000.by-hand"  # what the uids it makes start with
        items.add_specialization(writer, title="Mine", slug="mine")
        items.add_course(writer, spec_ref="mine", title="First")
        items.add_topic(writer, course_ref="mine/first", title="Alpha")
        items.add_topic(writer, course_ref="mine/first", title="Zero", position=1)
        items.update_item(writer, ref="mine/first/alpha", title="Alpha!", note="keep")
        report = importer.import_catalog(writer, catalog=edited, prune=True)
        plan = items.describe_removal(writer, ref="mine/1/1")
        items.remove_item(writer, ref="mine/1/1", shown=plan)
        con.execute("DELETE FROM history_binding")
        con.execute("COMMIT")
    finally:
        con.close()
    assert report.removed[:1] == ["dls/neural-networks"]
    rows = sqlite3.connect(db).execute(
        "SELECT s.slug, c.position, c.slug, t.position, t.slug, t.title FROM topic t "
        "JOIN course c ON c.id = t.course_id JOIN specialization s ON s.id = c.specialization_id "
        "ORDER BY s.slug, c.position, t.position"
    )
    assert rows.fetchall() == [
        ("dls", 1, "only", 1, "one", "One"),
        ("dls", 1, "only", 2, "two", "Two"),
        ("mine", 1, "first", 1, "alpha", "Alpha!"),
    ]
    assert "keep" in dls.run("note", "list", "mine/first/alpha").stdout
    assert "by hand" in dls.run("log").stdout


def test_a_huge_position_is_out_of_range(dls) -> None:
    """A guard: --position checks its range before SQL sees it."""
    before = dls.dump()
    result = dls.run("add", "course", "dls", "Huge", "--position", "99999999999999999999")
    assert result.exit_code == 1
    assert "is out of range: dls has 5 courses, so use 1 to 6" in result.stderr
    assert dls.dump() == before
