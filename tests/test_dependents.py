"""undo keeps the record's rules: it refuses an undo a later command depends on, naming it.

Undo replays one command's row changes backwards. A later command that changed
the same rows already stops it (tests/test_undo_asks.py); these are the later
commands that depend on it through other rows: a review of the topic it marked
done, a note under the course it added, the slug or the id or the place it freed.
Each refusal names the later command ("undo #N first") before anything changes,
and the record stays one that its own backup restores.
"""

from __future__ import annotations

import pytest

DLS = "deep-learning-specialization"


def at(day: int) -> dict[str, str]:
    """The clock pinned to 10:00 on a day of October 2026."""
    return {"COURSETRACK_NOW": f"2026-10-{day:02d}T10:00:00"}


def refused(store, command_id: int) -> str:
    """`undo ID --yes` refused: its one line, with the store left exactly as it was."""
    before = store.dump(history=True)
    result = store.run("undo", str(command_id), "--yes")
    assert result.exit_code == 1, result.stdout
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert store.dump(history=True) == before
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def round_trips(store, new_store, tmp_path) -> None:
    """The record's backup restores into a fresh store and exports the same bytes."""
    n = len(list(tmp_path.glob("*.yaml")))
    first, second = tmp_path / f"{n}-first.yaml", tmp_path / f"{n}-second.yaml"
    assert store.run("export", "yaml", "-o", str(first)).exit_code == 0
    fresh = new_store()
    restored = store.run("--db", fresh, "import", str(first))
    assert restored.exit_code == 0, restored.stderr
    assert store.run("--db", fresh, "export", "yaml", "-o", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()


def test_undo_of_a_done_that_a_later_review_needs_names_the_review(
    store, new_store, tmp_path
) -> None:
    """The issue's case: the topic would be todo again with its review kept."""
    assert store.run("import", "dls", env=at(1)).exit_code == 0
    assert store.run("done", "dls/1/1", env=at(1)).exit_code == 0  # 2
    assert store.run("reviewed", "dls/1/1", "--grade", "good", env=at(5)).exit_code == 0  # 3
    assert refused(store, 2) == (
        "Error: cannot undo #2 done dls/1/1: #3 reviewed dls/1/1 --grade good depends on it "
        "(a review needs a done topic); undo #3 first (or leave both); nothing was changed"
    )
    round_trips(store, new_store, tmp_path)
    # as it says: undo #3 first, then #2 goes
    assert store.run("undo", "3", "--yes").exit_code == 0
    assert store.run("undo", "2", "--yes").exit_code == 0
    assert store.rows("SELECT count(*) FROM review") == [(0,)]
    assert store.rows("SELECT count(*) FROM progress") == [(0,)]
    round_trips(store, new_store, tmp_path)


def test_undo_of_a_course_done_whose_topic_was_reviewed_names_the_review(dls) -> None:
    dls.run("done", "dls/1", "--on", "2026-01-05")  # 2: every topic of the course
    dls.run("note", "dls/3", "elsewhere")  # 3: depends on nothing
    assert dls.run("reviewed", "dls/1/3", "--grade", "easy", "--on", "2026-01-09").exit_code == 0
    assert refused(dls, 2) == (
        "Error: cannot undo #2 done dls/1 --on 2026-01-05: #4 reviewed dls/1/3 --grade easy "
        "--on 2026-01-09 depends on it (a review needs a done topic); undo #4 first "
        "(or leave both); nothing was changed"
    )


def test_a_review_undone_already_no_longer_holds_the_done(dls) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-01-05")  # 2
    dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-01-07")  # 3
    assert dls.run("undo", "3", "--yes").exit_code == 0
    result = dls.run("undo", "2", "--yes")
    assert result.exit_code == 0, result.stderr
    assert dls.rows("SELECT count(*) FROM review") == [(0,)]


def test_undo_of_an_add_that_a_later_note_hangs_under_names_the_note(dls) -> None:
    dls.run("add", "course", "dls", "Extra")  # 2
    dls.run("done", "dls/1/1")  # 3: elsewhere
    dls.run("note", "dls/extra", "my note")  # 4
    assert refused(dls, 2) == (
        "Error: cannot undo #2 add course dls Extra: #4 note dls/extra 'my note' depends on it "
        "(it added to what the undo would remove); undo #4 first (or leave both); "
        "nothing was changed"
    )


def test_undo_of_an_import_that_later_progress_hangs_under_names_it(store) -> None:
    store.run("import", DLS)  # 1
    store.run("add", "specialization", "Other", "--slug", "other")  # 2
    store.run("start", "dls/2/1", "--on", "2026-01-03")  # 3
    assert refused(store, 1) == (
        "Error: cannot undo #1 import deep-learning-specialization: #3 start dls/2/1 --on "
        "2026-01-03 depends on it (it added to what the undo would remove); undo #3 first "
        "(or leave both); nothing was changed"
    )


def test_undo_of_a_removal_whose_slug_was_taken_again_names_the_command(dls) -> None:
    dls.run("add", "course", "dls", "Extra", "--slug", "extra")  # 2
    dls.run("add", "course", "dls", "Other", "--slug", "other")  # 3
    dls.run("rm", "dls/extra")  # 4
    dls.run("add", "course", "dls", "Another extra", "--slug", "extra")  # 5
    line = refused(dls, 4)
    assert line.startswith(
        "Error: cannot undo #4 rm dls/extra: #5 add course dls 'Another extra' --slug extra "
        "depends on it ("
    ), line
    assert line.endswith("); undo #5 first (or leave both); nothing was changed")


def test_undo_of_a_rename_whose_old_slug_was_taken_names_the_command(dls) -> None:
    dls.run("update", "dls/1", "--slug", "nn")  # 2
    dls.run("add", "course", "dls", "NN again", "--slug", "neural-networks")  # 3
    assert refused(dls, 2) == (
        "Error: cannot undo #2 update dls/1 --slug nn: #3 add course dls 'NN again' --slug "
        "neural-networks depends on it (it took the slug 'neural-networks', which the undo "
        "would give back); undo #3 first (or leave both); nothing was changed"
    )


def test_undo_of_a_cleared_goal_set_again_names_the_command(dls) -> None:
    dls.run("add", "specialization", "Other", "--slug", "other")  # 2
    dls.run("goal", "dls", "--by", "2999-01-01")  # 3
    dls.run("goal", "other", "--by", "2999-01-01")  # 4: so SQLite gives the next goal a new id
    dls.run("goal", "dls", "--clear")  # 5
    dls.run("goal", "dls", "--by", "2999-02-01")  # 6: a new row
    assert refused(dls, 5) == (
        "Error: cannot undo #5 goal dls --clear: #6 goal dls --by 2999-02-01 depends on it "
        "(a specialization has one goal); undo #6 first (or leave both); nothing was changed"
    )


def test_undo_of_a_removal_whose_place_was_taken_names_the_command(dls) -> None:
    """The removed course's place (and, on SQLite, its id) went to a later course."""
    dls.run("add", "course", "dls", "Extra", "--slug", "extra")  # 2: the sixth course
    dls.run("rm", "dls/extra")  # 3
    dls.run("add", "course", "dls", "Other", "--slug", "other")  # 4: the sixth again
    line = refused(dls, 3)
    assert line.startswith(
        "Error: cannot undo #3 rm dls/extra: #4 add course dls Other --slug other depends on it ("
    ), line
    assert line.endswith("; undo #4 first (or leave both); nothing was changed"), line


@pytest.mark.parametrize("undo_first", [True, False])
def test_a_refused_undo_becomes_possible_once_the_dependent_is_undone(dls, undo_first) -> None:
    dls.run("done", "dls/1/1", "--on", "2026-01-05")  # 2
    dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-01-07")  # 3
    if undo_first:
        assert dls.run("undo", "--yes").exit_code == 0  # the newest: #3
        assert dls.run("undo", "--yes").exit_code == 0  # then #2
        assert dls.rows("SELECT count(*) FROM progress") == [(0,)]
    else:
        assert "undo #3 first" in dls.run("undo", "2", "--yes").stderr
        assert dls.rows("SELECT count(*) FROM review") == [(1,)]


def test_undo_of_a_done_after_a_start_that_a_review_needs_names_the_review(dls) -> None:
    """The topic would go back to in-progress, as the start left it, with its review kept."""
    dls.run("start", "dls/2/1", "--on", "2026-01-03")  # 2
    dls.run("done", "dls", "--on", "2026-01-05")  # 3: every open unit of the program
    dls.run("reviewed", "dls/2/1", "--grade", "hard", "--on", "2026-01-08")  # 4
    assert refused(dls, 3) == (
        "Error: cannot undo #3 done dls --on 2026-01-05: #4 reviewed dls/2/1 --grade hard "
        "--on 2026-01-08 depends on it (a review needs a done topic); undo #4 first "
        "(or leave both); nothing was changed"
    )
    assert (
        "#3 done dls --on 2026-01-05 changed the same rows" in dls.run("undo", "2", "--yes").stderr
    )


@pytest.mark.sqlite_only
def test_undo_never_passes_through_a_review_of_a_topic_not_done(dls) -> None:
    """Undo puts rows back one at a time: a review comes back after its topic's progress,
    and goes before it, so a store that checks the rule at each row (a trigger, here one
    planted as the store's own rules would be) never sees it broken on the way."""
    import sqlite3

    dls.run("done", "dls/1/1", "--on", "2026-01-02")  # 2
    dls.run("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-01-04")  # 3
    con = sqlite3.connect(dls.path)
    con.executescript(
        """CREATE TRIGGER review_needs_done BEFORE INSERT ON review
           WHEN NOT EXISTS (SELECT 1 FROM progress WHERE topic_id = NEW.topic_id
                            AND status = 'done')
           BEGIN SELECT RAISE(ABORT, 'a review needs a done topic'); END;
           CREATE TRIGGER done_kept_for_reviews BEFORE DELETE ON progress
           WHEN OLD.status = 'done'
            AND EXISTS (SELECT 1 FROM review WHERE topic_id = OLD.topic_id)
            AND EXISTS (SELECT 1 FROM topic WHERE id = OLD.topic_id)
           BEGIN SELECT RAISE(ABORT, 'a review needs a done topic'); END;"""
    )
    con.close()
    before = dls.dump()
    assert dls.run("rm", "dls/1/1", "--yes").exit_code == 0  # 4: the cascade deletes review first
    undone = dls.run("undo", "--yes")
    assert undone.exit_code == 0, undone.stderr
    assert dls.dump() == before
    assert dls.run("undo", "3", "--yes").exit_code == 0
    assert dls.run("undo", "2", "--yes").exit_code == 0


def test_the_keys_and_owners_undo_checks_are_the_models() -> None:
    """`store.dependents` and `store.history` write out what they read of the schema, so
    that an undo loads no ORM: each list is what the models say, in the same order."""
    from sqlalchemy import UniqueConstraint

    from coursetrack.models import CATALOG, TRACKED, table_names
    from coursetrack.store import dependents, history

    items = set(table_names(CATALOG))
    owners = [
        (table.name, column.name, key.column.table.name)
        for table in (model.__table__ for model in TRACKED)
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table.name in items
    ]
    assert list(dependents.OWNERS) == owners
    keys: list[tuple[str, tuple[str, ...]]] = []
    for table in (model.__table__ for model in TRACKED):
        keys += [
            (table.name, tuple(c.name for c in constraint.columns))
            for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint)
        ]
        keys += [(table.name, (c.name,)) for c in table.columns if c.unique]
    keys += list(dependents.PLACES.items())
    assert sorted(dependents.KEYS) == sorted(set(keys))  # (a table's constraints are a set)
    slugs = ["slug" in columns for _table, columns in dependents.KEYS]
    assert slugs == sorted(slugs, reverse=True), "slugs first"
    columns = {(t.name, c.name): c for t in (m.__table__ for m in TRACKED) for c in t.columns}
    for table, names in dependents.KEYS:
        for name in names:
            integer = columns[table, name].type.python_type is int
            assert (name in dependents.INTEGER_KEY_COLUMNS) == integer, (table, name)
    assert set(table_names(TRACKED)) == history.TRACKED_TABLES
    assert table_names(CATALOG) == history.CATALOG_TABLES
