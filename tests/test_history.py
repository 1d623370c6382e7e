"""log and undo: every change is recorded, and undo puts the store back."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

USER_TABLES = ("specialization", "course", "topic", "progress", "note", "link", "review", "goal")


def user_rows(store) -> dict[str, list[tuple]]:
    """Everything the learner owns, without the history itself."""
    return {t: store.rows(f"SELECT * FROM {t} ORDER BY id") for t in USER_TABLES}


def test_log_lists_commands_newest_first(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-01-02")
    dls.run("update", "dls/2", "--title", "Improving DNNs")
    out = dls.run("log").stdout
    lines = out.splitlines()
    flat = " ".join(out.split())  # changes wrap under their command at 80 columns
    assert "#3 update dls/2 --title 'Improving DNNs'" in lines[0]
    assert lines[1].startswith(" " * 20), "changes are indented under their command"
    assert (
        "course dls/improving: title Improving Deep Neural Networks: Hyperparameter Tuning, "
        "Regularization and Optimization → Improving DNNs"
    ) in flat
    assert "#2 done dls/1/1 --on 2026-01-02" in flat
    assert "added progress dls/neural-networks/introduction (status=done" in flat
    assert "#1 import deep-learning-specialization" in flat
    assert "--db" not in out, "the store's path is not history"


def test_log_json_filters_and_limits(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-01-02")
    dls.run("done", "dls/cnn/2", "--on", "2026-01-03")
    data = dls.run("log", "--json").json()
    assert [c["command"] for c in data["commands"]] == [
        "done dls/cnn/2 --on 2026-01-03",
        "done dls/1/1 --on 2026-01-02",
        "import deep-learning-specialization",
    ]
    first = data["commands"][0]
    assert first["undone"] is False
    assert first["changes"] == [
        {
            "table": "progress",
            "row_id": 2,
            "op": "insert",
            "item": "dls/cnn/case-studies",
            "old": None,
            "new": {
                "id": 2,
                "specialization_id": None,
                "course_id": None,
                "topic_id": first["changes"][0]["new"]["topic_id"],
                "status": "done",
                "started_on": None,
                "completed_on": "2026-01-03",
            },
        }
    ]
    only_cnn = dls.run("log", "dls/cnn", "--json").json()["commands"]
    assert [c["command"] for c in only_cnn] == [
        "done dls/cnn/2 --on 2026-01-03",
        "import deep-learning-specialization",
    ]
    assert len(dls.run("log", "-n", "1", "--json").json()["commands"]) == 1
    assert dls.run("log", "--since", "today", "--json").json()["commands"]
    assert dls.run("log", "--since", "2999-01-01", "--json").json() == {"commands": []}


def test_undo_reverts_the_last_command_and_walks_back(dls) -> None:
    start = user_rows(dls)
    dls.run("done", "dls/1", "--on", "2026-01-02")
    after_done = user_rows(dls)
    dls.run("rm", "dls/2", "--yes")
    result = dls.run("undo", "--yes")
    assert result.exit_code == 0
    assert result.stdout.startswith("undid #3 rm dls/2 --yes (")
    assert result.stdout.endswith(", 7 changes)\n"), "the course, 3 topics, 3 courses moved up"
    assert user_rows(dls) == after_done
    assert dls.run("undo", "--yes").stdout.startswith("undid #2 done dls/1 --on 2026-01-02 (")
    assert user_rows(dls) == start
    log = dls.run("log", "--json").json()["commands"]
    assert [c["command"] for c in log] == [
        "undo --yes",
        "undo --yes",
        "rm dls/2 --yes",
        "done dls/1 --on 2026-01-02",
        "import deep-learning-specialization",
    ]
    assert (log[0]["undoes"], log[1]["undoes"]) == (log[3]["id"], log[2]["id"])
    assert [c["undone"] for c in log] == [False, False, True, True, False]


def test_undo_of_an_import_removes_what_it_added(store) -> None:
    store.run("import", "deep-learning-specialization")
    result = store.run("undo", "--yes")
    assert result.stdout.startswith("undid #1 import deep-learning-specialization (")
    for table in USER_TABLES:
        assert store.rows(f"SELECT count(*) FROM {table}") == [(0,)]


def test_undo_of_a_re_import_restores_old_titles(dls, tmp_path) -> None:
    catalog = tmp_path / "dls.yaml"
    catalog.write_text("slug: dls\ntitle: DLS renamed\ncourses:\n  - title: New one\n")
    before = user_rows(dls)
    assert dls.run("import", str(catalog), "--prune").exit_code == 0
    dls.run("undo", "--yes")
    assert user_rows(dls) == before


def test_undo_with_nothing_to_undo(store) -> None:
    result = store.run("undo", "--yes")
    assert result.exit_code == 1
    assert "nothing to undo" in result.stderr


def test_a_failed_command_leaves_no_history(dls) -> None:
    before = dls.rows("SELECT count(*) FROM command")
    assert dls.run("done", "dls/9").exit_code == 1
    assert dls.rows("SELECT count(*) FROM command") == before


@pytest.mark.sqlite_only
def test_history_is_written_in_the_same_transaction(dls) -> None:
    """Every change row belongs to a command; there is no change without one."""
    dls.run("done", "dls/1")
    assert dls.rows(
        "SELECT count(*) FROM change WHERE command_id NOT IN (SELECT id FROM command)"
    ) == [(0,)]
    con = sqlite3.connect(dls.path)
    try:
        con.execute("DELETE FROM command")
        raised = False
        try:
            con.execute("UPDATE topic SET title = 'sneaky' WHERE id = 1")
        except sqlite3.IntegrityError:
            raised = True
        assert raised, "a write outside a command is refused by the history triggers"
    finally:
        con.rollback()
        con.close()


#: Text that the command line takes as a value, not an option ("-0" is one).
VALUES = st.text(min_size=1, max_size=8).filter(lambda t: not t.startswith("-"))
REFS = ["dls", "dls/1", "dls/2", "dls/1/1", "dls/1/2", "dls/2/1", "dls/3/2", "dls/5", "x/1"]
COMMANDS = st.one_of(
    st.tuples(st.sampled_from(["done", "start", "reopen"]), st.sampled_from(REFS)),
    st.tuples(
        st.just("update"),
        st.sampled_from(REFS),
        st.just("--title"),
        VALUES,
    ),
    st.tuples(st.just("update"), st.sampled_from(REFS), st.just("--note"), st.text(max_size=8)),
    st.tuples(st.just("rm"), st.sampled_from(REFS), st.just("--yes")),
    st.tuples(st.just("add"), st.just("course"), st.just("dls"), VALUES),
    st.tuples(
        st.just("add"),
        st.just("topic"),
        st.sampled_from(["dls/1", "dls/2"]),
        st.sampled_from(["A", "B", "C"]),
    ),
    st.tuples(st.just("done"), st.sampled_from(REFS), st.just("--note"), st.text(max_size=5)),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commands=st.lists(COMMANDS, min_size=1, max_size=6))
@pytest.mark.slow  # hypothesis: many sessions undone
def test_any_commands_then_as_many_undos_restore_the_store(dls, prepare, commands) -> None:
    start = user_rows(dls)
    succeeded = 0
    for command in commands:
        before = user_rows(dls)
        result = dls.run(*command)
        assert result.exit_code in (0, 1), result.stderr
        # a command that changed nothing is not recorded, so takes no undo (issue 22)
        if result.exit_code == 0 and user_rows(dls) != before:
            succeeded += 1
    for _ in range(succeeded):
        assert dls.run("undo", "--yes").exit_code == 0
    assert user_rows(dls) == start
    # a fresh store for the next example: a copy of one the catalog was imported into
    # once (a file copied, or a database made from it as a template), not a new import
    dls.reset()  # no -wal of this example's left beside the copied file
    prepare("dls-imported", _import_dls)


def _import_dls(db: str) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    result = CliRunner().invoke(app, ["--db", db, "import", "deep-learning-specialization"])
    assert result.exit_code == 0, result.output


UNDOABLE = [
    ["add", "specialization", "Extra", "--slug", "extra"],
    ["add", "course", "dls", "Extra course", "--position", "2"],
    ["add", "topic", "dls/1", "Extra topic", "--position", "1"],
    ["start", "dls/2"],
    ["done", "dls", "--note", "all of it"],
    ["reopen", "dls/1"],
    ["update", "dls/1", "--title", "T", "--slug", "t", "--url", "", "--note", "n"],
    ["rm", "dls", "--yes"],
    ["import", "deep-learning-specialization"],
    ["goal", "dls", "--by", "2999-01-01"],
    ["goal", "dls", "--clear"],
    ["reviewed", "dls/1/1", "--grade", "easy"],
    ["note", "dls/1/1", "a note"],
    ["link", "dls/1", "https://example.org/nb", "--title", "notebook"],
]


@pytest.mark.slow  # every kind of command, each undone
def test_undo_reverts_every_kind_of_command(dls, tmp_path) -> None:
    """Each command that writes, run on a store with some of everything, then undone."""
    dls.run("done", "dls/1", "--on", "2026-01-05", "--note", "first course")
    dls.run("start", "dls/2/1", "--on", "2026-01-06")
    dls.run("goal", "dls", "--by", "2999-06-01")
    dls.run("link", "dls/1/2", "https://example.org/old")
    catalog = tmp_path / "changed.yaml"
    catalog.write_text("slug: dls\ntitle: Renamed\ncourses:\n  - title: Only one\n")
    backup = tmp_path / "backup.yaml"
    assert dls.run("export", "yaml", "-o", str(backup)).exit_code == 0
    commands = [*UNDOABLE, ["import", str(catalog), "--prune"]]
    for command in commands:
        before = user_rows(dls)
        result = dls.run(*command)
        assert result.exit_code == 0, (command, result.stderr)
        if user_rows(dls) == before:  # an import of what is there: not recorded (issue 22)
            assert command[0] == "import", command
            continue
        undone = dls.run("undo", "--yes")
        assert undone.exit_code == 0, undone.stderr
        assert user_rows(dls) == before, command
    # a restored backup is undone too
    dls.run("rm", "dls", "--yes")
    before = user_rows(dls)
    assert dls.run("import", str(backup)).exit_code == 0
    assert dls.run("undo", "--yes").exit_code == 0
    assert user_rows(dls) == before


def test_undo_json_reports_the_command_as_undone(dls) -> None:
    dls.run("done", "dls/1/1")
    data = dls.run("undo", "--yes", "--json").json()
    assert data["undone"]["command"] == "done dls/1/1"
    assert data["undone"]["undone"] is True
    assert data["reverted"] == 1
