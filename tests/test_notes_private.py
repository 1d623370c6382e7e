"""A private note is marked private in `show`, `note list` and their JSON (issue 22).

In JSON `"private": true`, only on a private note (as `log` writes it), so every
other note's JSON is as it was.

Before, nothing told a learner which of their notes the group and the post never see.
"""

from __future__ import annotations


def test_show_and_note_list_mark_a_private_note(dls) -> None:
    assert dls.run("note", "dls/1/1", "only mine", "--private").exit_code == 0
    assert dls.run("note", "dls/1/1", "for everyone").exit_code == 0

    shown = dls.run("show", "dls/1/1", "--json").json()
    assert [(n["text"], n.get("private", False)) for n in shown["notes"]] == [
        ("only mine", True),
        ("for everyone", False),
    ]
    assert "private" not in shown["notes"][1], "a shared note's JSON is as it was"
    listed = dls.run("note", "list", "dls/1", "--json").json()
    rows = listed if isinstance(listed, list) else listed["notes"]
    assert [(n["text"], n.get("private", False)) for n in rows] == [
        ("only mine", True),
        ("for everyone", False),
    ]
    # the course's view lists its topics' notes, marked the same way
    course = dls.run("show", "dls/1", "--json").json()
    child_notes = [n for child in course["children"] for n in child.get("notes") or []]
    assert [(n["text"], n.get("private", False)) for n in child_notes] == [
        ("only mine", True),
        ("for everyone", False),
    ]


def test_the_terminal_marks_a_private_note(dls) -> None:
    dls.run("note", "dls/1/1", "only mine", "--private")
    dls.run("note", "dls/1/1", "for everyone")
    for args in (["show", "dls/1/1"], ["note", "list", "dls/1"], ["show", "dls/1"]):
        out = dls.run(*args).stdout
        lines = out.splitlines()
        mine = [line for line in lines if "only mine" in line]
        everyone = [line for line in lines if "for everyone" in line]
        assert len(mine) == 1 and "(private)" in mine[0], (args, out)
        assert len(everyone) == 1 and "private" not in everyone[0], (args, out)
