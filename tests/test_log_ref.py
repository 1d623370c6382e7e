"""`log REF` lists only the changes to that item and what is under it (issue 22).

Before, `log gda/3/3` listed the whole import, because the import touched it too.
"""

from __future__ import annotations

INTRO = "dls/neural-networks/introduction"


def items(entry: dict) -> list[str]:
    return [change["item"] for change in entry["changes"]]


def under(item: str, ref: str) -> bool:
    return item == ref or item.startswith(ref + "/")


def test_log_ref_lists_only_the_changes_to_that_item(dls) -> None:
    dls.run("done", "dls/1/1")
    dls.run("done", "dls/2/1")
    entries = dls.run("log", "dls/1/1", "--json").json()["commands"]
    assert [e["command"] for e in entries] == [
        "done dls/1/1",
        f"import {entries[-1]['command'][7:]}",
    ]
    for entry in entries:
        assert entry["changes"], entry
        assert all(under(item, INTRO) for item in items(entry)), items(entry)
    # the import's one change to that topic: the topic itself
    assert [(c["table"], c["op"]) for c in entries[-1]["changes"]] == [("topic", "insert")]


def test_log_ref_of_a_course_lists_what_is_under_it(dls) -> None:
    dls.run("done", "dls/1/1", "dls/2/1")
    entries = dls.run("log", "dls/1", "--json").json()["commands"]
    assert len(entries) == 2
    for entry in entries:
        assert all(under(item, "dls/neural-networks") for item in items(entry)), items(entry)
    imported = items(entries[-1])
    assert "dls/neural-networks" in imported and INTRO in imported
    assert items(entries[0]) == [INTRO]  # not dls/2/1's, though the same command did both


def test_log_ref_in_the_terminal_names_only_that_item(dls) -> None:
    dls.run("done", "dls/1/1")
    out = dls.run("log", "dls/1/1").stdout
    assert "dls/improving" not in out and "dls/neural-networks/basics" not in out, out
    assert "added topic dls/neural-networks/introduction" in " ".join(out.split()), out


def test_log_without_a_ref_still_lists_every_change(dls) -> None:
    dls.run("done", "dls/1/1", "dls/2/1")
    entries = dls.run("log", "--json").json()["commands"]
    assert len(items(entries[0])) == 2
    imported = dls.rows("SELECT count(*) FROM change WHERE command_id = 1")[0][0]
    assert len(items(entries[-1])) == imported > 20  # the whole import
