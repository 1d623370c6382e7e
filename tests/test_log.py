"""log names items as they were when each command ran, and stays cheap on big stores."""

from __future__ import annotations

import by_hand


def changes(store, *args: str) -> list[tuple[str, list[str]]]:
    data = store.run("log", *args, "--json").json()["commands"]
    return [(c["command"], [ch["item"] for ch in c["changes"]]) for c in data]


def test_a_freed_id_is_not_credited_to_the_item_that_reuses_it(dls) -> None:
    assert dls.run("add", "topic", "dls/1", "Old idea", "--slug", "old-idea").exit_code == 0
    dls.run("note", "dls/1/old-idea", "about the old idea")
    dls.run("undo", "--yes")
    dls.run("undo", "--yes")  # the topic's id is free again
    if dls.engine == "postgresql":  # SQLite hands out max(id) + 1; a sequence must be told to
        dls.execute("SELECT setval(pg_get_serial_sequence('topic', 'id'), max(id)) FROM topic")
    assert dls.run("add", "topic", "dls/1", "New idea", "--slug", "new-idea").exit_code == 0
    ids = dls.rows("SELECT row_id FROM change WHERE table_name = 'topic' AND op = 'insert'")
    assert ids[-1] == ids[-2], "the new topic took the freed id"
    log = changes(dls)
    assert log[0] == (
        "add topic dls/1 'New idea' --slug new-idea",
        ["dls/neural-networks/new-idea"],
    )
    by_command = dict(log)
    assert by_command["add topic dls/1 'Old idea' --slug old-idea"] == [
        "dls/neural-networks/old-idea"
    ]
    assert by_command["note dls/1/old-idea 'about the old idea'"] == [
        "dls/neural-networks/old-idea"
    ]
    only_new = [command for command, _ in changes(dls, "dls/1/new-idea")]
    assert only_new == ["add topic dls/1 'New idea' --slug new-idea"]
    text = dls.run("log", "-n", "6").stdout
    assert "added note dls/neural-networks/old-idea" in " ".join(text.split())


def test_log_prints_the_slug_an_item_had_before_a_rename(dls) -> None:
    dls.run("done", "dls/2/1", "--on", "2026-01-02")
    dls.run("update", "dls/2", "--slug", "better")
    dls.run("update", "dls", "--slug", "deep")
    log = changes(dls)
    assert log[0] == ("update dls --slug deep", ["dls"])
    assert log[1] == ("update dls/2 --slug better", ["dls/improving"])
    assert log[2] == ("done dls/2/1 --on 2026-01-02", ["dls/improving/practical-aspects"])
    flat = " ".join(dls.run("log", "-n", "3").stdout.split())
    assert "course dls/improving: slug improving → better" in flat
    assert "added progress dls/improving/practical-aspects" in flat
    # the current ref still finds the item's whole history
    assert [c for c, _ in changes(dls, "deep/better")] == [
        "update dls/2 --slug better",
        "done dls/2/1 --on 2026-01-02",
        "import deep-learning-specialization",
    ]


def test_log_with_a_huge_limit(dls) -> None:
    result = dls.run("log", "-n", "99999999999999999999", "--json")
    assert result.exit_code == 0, result.stderr
    assert [c["command"] for c in result.json()["commands"]] == [
        "import deep-learning-specialization"
    ]


def test_log_shows_a_huge_value_cut_and_reads_only_the_commands_it_shows(dls) -> None:
    """A store written before size limits: a 2 MB note, and an old change whose JSON is broken."""
    dls.execute("UPDATE change SET new = '{broken' WHERE command_id = 1 AND id = 1")
    dls.execute(
        f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
        f"VALUES ('2026-01-01T00:00:00+00:00', 'note', {by_hand.values(dls.engine)})"
    )
    dls.execute_past_rules(  # the store's rules refuse it now; its upgrade splits it
        "INSERT INTO note (topic_id, written_on, text) VALUES (1, '2026-01-01', ?)",
        "x" * 2_000_000,
    )
    result = dls.run("log", "-n", "1")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout) < 1000
    assert "text=xxxxx" in result.stdout and "…" in result.stdout
    data = dls.run("log", "-n", "1", "--json").json()["commands"][0]
    assert len(data["changes"][0]["new"]["text"]) == 2_000_000, "--json keeps the data whole"


def test_log_names_the_changes_it_shows_as_a_full_walk_does(dls, tmp_path) -> None:
    """`log -n N` steps back only over the changes that name what it shows; every change
    shown, at any N and any number shown per command, is named as the walk over
    every change names it: renames, removals and undos inside the shown commands."""
    from coursetrack.services.log import log_entries
    from coursetrack.store.reader import open_reader

    steps = [
        ["done", "dls/2/1", "--on", "2026-01-02", "--note", "first"],
        ["update", "dls/2", "--slug", "better"],
        ["rm", "dls/better", "--yes"],
        ["undo", "--yes"],
        ["add", "topic", "dls/1", "Fresh", "--slug", "fresh"],
        ["update", "dls", "--slug", "deep"],
        ["note", "deep/1/fresh", "on the fresh topic"],
        ["rm", "deep/3", "--yes"],
        ["update", "deep/1/fresh", "--slug", "fresher"],
        ["done", "deep", "--on", "2026-01-03"],
    ]
    for step in steps:
        result = dls.run(*step)
        assert result.exit_code == 0, (step, result.stderr)
    with open_reader(dls.db) as reader:
        full = [(e.command, [c.item for c in e.changes]) for e in log_entries(reader, detail=None)]
        assert len(full) == len(steps) + 1
        for detail in (1, 2, 8):
            for limit in range(1, len(full) + 1):
                shown = log_entries(reader, limit=limit, detail=detail)
                assert [(e.command, [c.item for c in e.changes]) for e in shown] == [
                    (command, items[:detail]) for command, items in full[:limit]
                ], (detail, limit)
