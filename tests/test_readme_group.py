"""README.md's "Studying in a group" is run for real: the administrator's SQL, then each
person's commands as their own role on a test PostgreSQL server (see readme_group)."""

from __future__ import annotations

from readme_examples import README, examples
from readme_group import differences, hubs, roles, steps


def test_the_group_section_prints_what_the_readme_says(postgres_server) -> None:
    text = README.read_text(encoding="utf-8")
    found = steps(text)
    # the role and the database, then the limit on transactions left open
    assert sum(s.kind == "sql" for s in found) == 3, "the administrator's three statements"
    assert {"maria", "ada", "grace"} <= roles(found)
    commands = [s.command for s in found if s.command.startswith("coursetrack ")]
    for needed in (
        "group init",
        "group add",
        "whoami",
        "group status",
        "group share on",
        "group sessions",
        "peer ask",
        "peer list",
        "peer review",
        "peer show",
    ):
        assert any(c.startswith(f"coursetrack {needed}") for c in commands), needed
    report = differences(text, postgres_server)
    assert not report, (
        "README.md's group section is out of date (python tests/readme_group.py --update):\n\n"
        + report
    )


def test_the_walk_through_leaves_the_group_blocks_to_the_server() -> None:
    text = README.read_text(encoding="utf-8")
    group_lines = {s.line for s in steps(text)}
    assert group_lines, "the group section has examples"
    assert not group_lines & {e.line for e in examples(text)}


def test_a_drifted_group_output_is_reported(postgres_server) -> None:
    drifted = (
        "<!-- readme-group -->\n```sql\nCREATE ROLE ada LOGIN;\n"
        "CREATE DATABASE dlsgroup OWNER ada;\n```\n\n"
        "<!-- readme-group -->\n```console\n"
        "$ export COURSETRACK_DB=postgresql://ada@db.example.org/dlsgroup\n"
        "$ coursetrack whoami\nlearner  someone else\n```\n"
    )
    _, _, export, whoami = steps(drifted)
    assert export.command.startswith("export COURSETRACK_DB=") and export.output == []
    assert whoami.command == "coursetrack whoami" and whoami.output == ["learner  someone else"]
    report = differences(drifted, postgres_server)
    assert report.startswith("$ coursetrack whoami\n")
    assert "\n-learner  someone else\n+learner  ada\n" in report
    assert "store    postgresql://ada@db.example.org/dlsgroup" in report, "the README's address"


def test_the_readme_shows_reviews_anonymous_to_their_author_and_named_to_a_curator() -> None:
    """What the section documents of peer review (its outputs are the real ones, above):
    ada reads her reviews as "reviewer 1", "reviewer 2"; maria, a curator, reads names."""
    shown: dict[str, list[str]] = {}
    who = ""
    for step in steps(README.read_text(encoding="utf-8")):
        if step.command.startswith("export "):
            who = step.command.split("://", 1)[1].split("@", 1)[0].split(":", 1)[0]
        elif step.command.startswith("coursetrack peer show "):
            shown[who] = step.output
    ada, maria = "\n".join(shown["ada"]), "\n".join(shown["maria"])
    assert "reviewer 1, " in ada and "reviewer 2, " in ada
    assert "grace" not in ada and "ken" not in ada
    assert "grace, " in maria and "ken, " in maria and "reviewer 1" not in maria


def test_the_two_machines_section_syncs_a_laptop_and_a_desktop_through_one_hub() -> None:
    """README's "Your record on two machines": each block is one machine's (its own
    default store), and between them the section shows what the issue asks a learner to see."""
    found = [s for s in steps(README.read_text(encoding="utf-8")) if "machine" in s.env]
    assert {s.env["machine"] for s in found} == {"laptop", "desktop"}
    assert hubs(found) == {"coursetrack": "me"}, "one hub, the previous section's database"
    commands = [s.command for s in found]
    first_syncs = [s for s in found if s.command.startswith("coursetrack sync postgresql://")]
    assert {s.env["machine"] for s in first_syncs} == {"laptop", "desktop"}
    assert "coursetrack sync" in commands and "coursetrack whoami" in commands
    assert any(c.startswith("coursetrack log") for c in commands)
    shown = "\n".join(line for s in found for line in s.output)
    assert "pulled 2 commands, pushed 0" in shown, "the desktop's first sync brings the laptop's"
    assert "1 set aside:\n  #" in shown, "the section shows a command set aside, listed"


def test_a_drifted_machine_output_is_reported(postgres_server) -> None:
    """Two machines' own stores and one hub, for real: the desktop's first sync pulls what
    the laptop pushed, and its store is shown where a learner's default one is."""
    drifted = (
        "<!-- readme-group machine=laptop -->\n```console\n"
        "$ coursetrack import deep-learning-specialization\n"
        "imported dls: Deep Learning Specialization (5 courses, 17 topics)\n"
        "next: coursetrack next dls, then coursetrack status dls\n\n"
        "$ coursetrack sync postgresql://me@db.example.org/coursetrack\n"
        "pulled 0 commands, pushed 1\n```\n\n"
        "<!-- readme-group machine=desktop -->\n```console\n"
        "$ coursetrack sync postgresql://me@db.example.org/coursetrack\n"
        "pulled 0 commands, pushed 0\n\n"
        "$ coursetrack whoami\n"
        "store    ~/.local/share/coursetrack/coursetrack.db\n```\n"
    )
    found = steps(drifted)
    assert [s.env["machine"] for s in found] == ["laptop", "laptop", "desktop", "desktop"]
    report = differences(drifted, postgres_server)
    assert report.startswith("$ coursetrack sync postgresql://me@db.example.org/coursetrack\n")
    assert "\n-pulled 0 commands, pushed 0\n+pulled 1 command, pushed 0\n" in report
    assert "pushed 1\n" not in report, "the laptop's sync printed what the README says"
    assert "\n+learner  me\n" in report and "store    ~/.local/share/" in report
    assert "host=" not in report and "/tmp" not in report, "the README's addresses"
    with postgres_server.connect("postgres") as con:
        left = con.execute("SELECT count(*) FROM pg_database WHERE datname = 'coursetrack'")
        assert left.fetchone()[0] == 0, "the hub is dropped after the run"
