"""A study group's security, with real roles on the test PostgreSQL server.

The owner `olga`, the curator `cora` and the learners `alice`, `bob` and `carol`
(tests/group.py). Each test tries what a learner should not be able to do,
through coursetrack and by hand through psycopg2, and then checks what is really
stored, read as the server's superuser (whom row-level security does not hold).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest

from coursetrack.cli import app
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

PROGRESS = "SELECT learner, topic_id, status FROM progress ORDER BY learner, topic_id"
NOTES = "SELECT learner, text, private FROM note ORDER BY learner, id"


def topic_id(g: GroupStore, ref: str) -> int:
    """The id of dls/COURSE/TOPIC (1-based positions)."""
    course, topic = (int(n) for n in ref.split("/")[1:])
    return g.all_rows(
        "SELECT t.id FROM topic t JOIN course c ON c.id = t.course_id "
        "WHERE c.position = ? AND t.position = ?",
        course,
        topic,
    )[0][0]


def test_every_role_is_who_the_fixture_says(group_store: GroupStore) -> None:
    g = group_store
    ((replica, machine),) = g.all_rows("SELECT replica, name FROM sync_state")
    for role in g.everyone:
        me = g.run(role, "whoami", "--json")
        ok(me)
        assert me.json() == {
            "learner": role,
            "role": "curator" if role in (g.owner, g.curator) else "learner",
            "group": True,
            "store": g.url(role),
            "replica": replica,  # the hub's (issue 24): every learner reads it
            "machine": machine,
            "hub": None,
        }


# --- a learner's commands change only their own record ------------------------------


def test_done_and_reopen_of_a_learner_leave_the_others_rows_alone(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("bob", "done", "dls/1/1", "dls/1/2", "--on", "2026-11-01"))
    before_bob = g.all_rows("SELECT * FROM progress WHERE learner = 'bob' ORDER BY id")
    ok(g.run("alice", "done", "dls/1/1", "--on", "2026-11-02"))
    ok(g.run("alice", "reopen", "dls/1/1"))
    ok(g.run("alice", "reopen", "dls/1/2"))  # open for alice already: bob's stays done
    assert g.all_rows("SELECT * FROM progress WHERE learner = 'bob' ORDER BY id") == before_bob
    t1 = topic_id(g, "dls/1/1")
    assert ("alice", t1, "todo") in g.all_rows(PROGRESS)
    # alice's status counts her record only
    status = g.run("alice", "status", "dls", "--json").json()
    assert status["units_done"] == 0


def test_a_learner_cannot_edit_or_remove_anothers_note(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("bob", "note", "dls/1", "bob's public note"))
    note_id = g.all_rows("SELECT id FROM note WHERE learner = 'bob'")[0][0]
    edit = one_line(g.run("alice", "note", "edit", str(note_id), "rewritten by alice"))
    assert f"#{note_id}" in edit
    rm = one_line(g.run("alice", "note", "rm", str(note_id)))
    assert f"#{note_id}" in rm
    assert g.all_rows(NOTES) == [("bob", "bob's public note", 0)]


def test_undo_reverts_only_the_learners_own_commands(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("alice", "done", "dls/1/1"))
    ok(g.run("bob", "done", "dls/1/2"))
    bob_command = g.all_rows("SELECT max(id) FROM command WHERE learner = 'bob'")[0][0]
    # bob's command is not alice's to name
    refused = one_line(g.run("alice", "undo", str(bob_command), "--yes"))
    assert str(bob_command) in refused
    ok(g.run("alice", "undo", "--yes"))  # her own done, not bob's later one
    assert g.all_rows(PROGRESS) == [("bob", topic_id(g, "dls/1/2"), "done")]
    # alice has nothing left to undo
    assert g.run("alice", "undo", "--yes").exit_code == 1
    assert g.all_rows(PROGRESS) == [("bob", topic_id(g, "dls/1/2"), "done")]


def test_hand_written_sql_as_a_learner_changes_none_of_anothers_rows(
    group_store: GroupStore,
) -> None:
    import psycopg2

    g = group_store
    ok(g.run("bob", "done", "dls/1/1"))
    ok(g.run("bob", "note", "dls/1", "bob's"))
    ok(g.run("bob", "goal", "dls", "--by", "2027-06-01"))
    ok(g.run("alice", "done", "dls/1/2"))
    stored = g.all_rows("SELECT * FROM progress WHERE learner = 'bob'"), g.all_rows(NOTES)
    goals = g.all_rows("SELECT * FROM goal")
    with g.connect("alice") as con:
        # her writes are filed under her own command, as coursetrack's are (the history)
        con.execute(
            "SELECT set_config('coursetrack.command', (SELECT max(id)::text FROM command), false)"
        )
        # what row-level security hides is not there to change: zero rows
        bobs = "WHERE learner = 'bob'"
        for sql in (
            f"UPDATE progress SET status = 'todo' {bobs}",
            f"UPDATE note SET text = 'alice was here' {bobs}",
            f"UPDATE goal SET target_on = '2030-01-01' {bobs}",
            f"DELETE FROM progress {bobs}",
            f"DELETE FROM note {bobs}",
            f"DELETE FROM goal {bobs}",
        ):
            assert con.execute(sql).rowcount == 0, sql
        # even in the group's scope, which shows bob's rows, they stay his
        con.execute("SELECT set_config('coursetrack.scope', 'group', false)")
        assert con.execute(f"SELECT count(*) FROM progress {bobs}").fetchone()[0] == 1
        assert con.execute(f"UPDATE progress SET status = 'todo' {bobs}").rowcount == 0
        assert con.execute(f"DELETE FROM progress {bobs}").rowcount == 0
        # nor can she write a row in his name, or hand hers over to him
        t1 = topic_id(g, "dls/1/3")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
            con.execute(
                "INSERT INTO progress (topic_id, status, learner) VALUES (%s, 'done', 'bob')",
                (t1,),
            )
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="row-level security"):
            con.execute("UPDATE progress SET learner = 'bob' WHERE learner = 'alice'")
    assert g.all_rows("SELECT * FROM progress WHERE learner = 'bob'") == stored[0]
    assert g.all_rows(NOTES) == stored[1]
    assert g.all_rows("SELECT * FROM goal") == goals
    assert g.all_rows(PROGRESS)[0][0] == "alice"  # hers is hers still


def test_a_learner_reads_the_groups_progress_only_in_the_group_scope(
    group_store: GroupStore,
) -> None:
    g = group_store
    ok(g.run("bob", "done", "dls/1/1"))
    ok(g.run("carol", "done", "dls/1/2"))
    with g.connect("alice") as con:
        assert con.execute("SELECT learner FROM progress").fetchall() == []
        con.execute("BEGIN")
        con.execute("SELECT set_config('coursetrack.scope', 'group', true)")
        seen = con.execute("SELECT learner, status FROM progress ORDER BY learner").fetchall()
        con.execute("COMMIT")
        assert seen == [("bob", "done"), ("carol", "done")]
        # the scope was the transaction's alone
        assert con.execute("SELECT learner FROM progress").fetchall() == []


# --- the catalog is the curators' ----------------------------------------------------


CATALOG = """\
slug: mini
title: A mini track
courses:
  - slug: one
    title: One
    topics:
      - slug: a
        title: A
"""


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize(
    "args",
    [
        ("import", "deep-learning-specialization"),
        ("import", "{catalog}"),
        ("add", "specialization", "Another track"),
        ("add", "course", "dls", "Another course"),
        ("add", "topic", "dls/1", "Another topic"),
        ("update", "dls/1", "--title", "Renamed"),
        ("update", "dls", "--description", "by alice"),
        ("rm", "dls/1/1", "--yes"),
        ("rm", "dls"),
    ],
    ids=lambda a: " ".join(a),
)
def test_a_learner_cannot_change_the_catalog(
    group_store: GroupStore, tmp_path: Path, args: tuple[str, ...]
) -> None:
    g = group_store
    catalog = tmp_path / "mini.yaml"
    catalog.write_text(CATALOG)
    before = g.all_rows("SELECT * FROM specialization"), g.all_rows("SELECT * FROM course")
    topics = g.all_rows("SELECT * FROM topic ORDER BY id")
    commands = g.all_rows("SELECT count(*) FROM command")
    line = one_line(g.run("alice", *(a.format(catalog=catalog) for a in args)))
    assert "only a curator may do" in line
    assert "alice is a learner" in line
    assert (
        g.all_rows("SELECT * FROM specialization"),
        g.all_rows("SELECT * FROM course"),
    ) == before
    assert g.all_rows("SELECT * FROM topic ORDER BY id") == topics
    assert g.all_rows("SELECT count(*) FROM command") == commands


def test_update_with_only_a_note_is_the_learners_own(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("alice", "update", "dls/1", "--note", "mine"))
    assert g.all_rows(NOTES) == [("alice", "mine", 0)]


def test_a_curator_changes_the_catalog(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("cora", "add", "topic", "dls/1", "Extra reading"))
    ok(g.run("cora", "update", "dls/1/4", "--title", "Extra reading, week 5"))
    assert g.all_rows(
        "SELECT t.title FROM topic t JOIN course c ON c.id = t.course_id "
        "WHERE c.position = 1 AND t.position = 4"
    ) == [("Extra reading, week 5",)]
    ok(g.run("cora", "rm", "dls/1/4", "--yes"))


def test_a_learner_cannot_write_the_catalog_by_hand(group_store: GroupStore) -> None:
    import psycopg2

    g = group_store
    with g.connect("alice") as con:
        for sql in (
            "UPDATE topic SET title = 'x'",
            "DELETE FROM topic",
            "INSERT INTO specialization (slug, title) VALUES ('x', 'x')",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                con.execute(sql)


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE progress DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE progress NO FORCE ROW LEVEL SECURITY",
        "ALTER TABLE note DISABLE ROW LEVEL SECURITY",
        "DROP POLICY own_rows ON progress",
        "DROP POLICY group_reads ON note",
        "CREATE POLICY everything ON note FOR SELECT USING (true)",
        "ALTER POLICY group_reads ON note USING (true)",
        "DROP TRIGGER keep_others ON progress",
        "ALTER TABLE progress DISABLE TRIGGER keep_others",
        "SET row_security = off",
    ],
)
def test_a_learner_cannot_turn_row_level_security_off(group_store: GroupStore, sql: str) -> None:
    import psycopg2

    g = group_store
    for role in ("alice", "cora"):  # a curator neither: only the owner owns the tables
        with g.connect(role) as con:
            if sql.startswith("SET"):
                # allowed as a setting, and then any query RLS would filter fails instead
                con.execute(sql)
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    con.execute("SELECT * FROM progress")
                continue
            with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="must be owner"):
                con.execute(sql)
    forced = g.all_rows(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
        "WHERE relname IN ('progress', 'note') ORDER BY relname"
    )
    assert forced == [("note", 1, 1), ("progress", 1, 1)]
    assert g.all_rows("SELECT count(*) FROM pg_policies WHERE tablename = 'note'") == [(2,)]


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE public.mine (id integer)",
        "CREATE FUNCTION public.coursetrack_keep_others() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$",
        "CREATE OR REPLACE FUNCTION public.history_progress() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    ],
)
def test_a_learner_makes_no_object_in_the_stores_schema(group_store: GroupStore, sql: str) -> None:
    """Nothing a learner makes there could be found by another's query, or replace a trigger's
    function: `group init` revokes CREATE on the schema from PUBLIC, which servers before
    PostgreSQL 15 granted (as here, by hand, before the owner runs it again)."""
    import psycopg2

    g = group_store
    with g.connect(g.superuser) as con:
        con.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
    assert g.run(g.owner, "group", "init").exit_code == 0
    for role in ("alice", "cora"):
        with g.connect(role) as con, pytest.raises(psycopg2.errors.InsufficientPrivilege):
            con.execute(sql)
    assert g.all_rows("SELECT count(*) FROM pg_tables WHERE tablename = 'mine'") == [(0,)]


# --- private notes and the history -----------------------------------------------------


def test_a_private_note_is_never_read_by_another_learner(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("bob", "note", "dls/1", "bob shares this"))
    ok(g.run("bob", "note", "dls/1", "bob keeps this", "--private"))
    assert g.all_rows(NOTES) == [("bob", "bob shares this", 0), ("bob", "bob keeps this", 1)]
    with g.connect("alice") as con:
        con.execute("SELECT set_config('coursetrack.scope', 'group', false)")
        assert con.execute("SELECT learner, text FROM note").fetchall() == [
            ("bob", "bob shares this")
        ]
        # by id, by text, or with the scope spelled any way: nothing
        assert con.execute("SELECT count(*) FROM note WHERE private").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM note WHERE text LIKE '%keeps%'").fetchone() == (0,)
        # nor through the history, which holds the command line and the row's values
        assert con.execute("SELECT count(*) FROM command").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM change").fetchone()[0] == 0
    # nor through coursetrack: alice's note list and show are hers
    listed = g.run("alice", "note", "list", "--json")
    ok(listed)
    assert listed.json() == {"notes": []}
    # bob reads his own private note
    mine = g.run("bob", "note", "list", "--json").json()["notes"]
    assert [n["text"] for n in mine] == ["bob shares this", "bob keeps this"]


def test_the_history_of_a_learner_is_invisible_to_another(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("bob", "note", "dls/2", "a thought of bob's"))
    ok(g.run("bob", "done", "dls/2/1"))
    ok(g.run("alice", "done", "dls/1/1"))
    log = g.run("alice", "log", "--json")
    ok(log)
    lines = [entry["command"] for entry in log.json()["commands"]]
    assert lines == ["done dls/1/1"]
    assert "bob" not in g.run("alice", "log").stdout
    with g.connect("alice") as con:
        con.execute("SELECT set_config('coursetrack.scope', 'group', false)")
        assert [r[0] for r in con.execute("SELECT line FROM command").fetchall()] == [
            "done dls/1/1"
        ]


# --- who may connect ---------------------------------------------------------------------


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize(
    "args", [("status",), ("done", "dls/1/1"), ("log",), ("note", "dls", "x"), ("next",)]
)
def test_a_superuser_is_refused_for_a_learners_commands(
    group_store: GroupStore, args: tuple[str, ...]
) -> None:
    g = group_store
    before = g.all_rows("SELECT count(*) FROM command")
    line = one_line(g.run(g.superuser, *args))
    assert line == (
        f"Error: {g.url(g.superuser)} is a study group's store and {g.superuser} is a "
        "superuser (or may bypass row-level security), which would read and change every "
        "learner's record as one; connect as a learner (coursetrack group add NAME prints "
        "a learner's URL)"
    )
    assert g.all_rows("SELECT count(*) FROM command") == before


def test_a_role_that_bypasses_row_level_security_is_refused(group_store: GroupStore) -> None:
    g = group_store
    name = f"{g.name}_bypass"
    g.server._admin.execute(f'CREATE ROLE "{name}" LOGIN BYPASSRLS')
    g.server._admin.execute(f'GRANT "{g.name}_learners" TO "{name}"')
    line = one_line(g.run(name, "status"))
    assert f"{name} is a superuser (or may bypass row-level security)" in line
    # whoami still answers, to tell who this is
    me = g.run(name, "whoami")
    ok(me)
    assert me.stdout.splitlines()[1] == (
        "role     learner, and a superuser: learners' commands refuse this connection "
        "(row-level security does not hold it)"
    )


def _scram_matches(verifier: str, password: str) -> bool:
    """Whether `password` is the one PostgreSQL's stored SCRAM-SHA-256 `verifier` was made of."""
    match = re.fullmatch(r"SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)", verifier)
    assert match, verifier
    iterations, salt, stored_key, server_key = match.groups()
    salted = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), base64.b64decode(salt), int(iterations)
    )
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    server = hmac.new(salted, b"Server Key", "sha256").digest()
    return (
        base64.b64encode(hashlib.sha256(client_key).digest()).decode() == stored_key
        and base64.b64encode(server).decode() == server_key
    )


def test_group_add_prints_a_url_whose_password_is_the_stored_one_and_logged_nowhere(
    group_store: GroupStore,
) -> None:
    from urllib.parse import unquote, urlsplit

    g = group_store
    name = f"{g.name}_dave"
    # every statement the owner's sessions send is logged from now on
    g.server._admin.execute(
        f'ALTER ROLE "{g.owner}" IN DATABASE "{g.name}" SET log_statement = \'all\''
    )
    try:
        added = g.run(g.owner, "group", "add", name)
    finally:
        g.server._admin.execute(
            f'ALTER ROLE "{g.owner}" IN DATABASE "{g.name}" RESET log_statement'
        )
    ok(added)
    head, url = added.stdout.splitlines()
    assert head == (
        f"added {name} as a learner of {g.name}. Hand them this URL, their COURSETRACK_DB "
        "(it holds their password, shown only this once):"
    )
    parts = urlsplit(url)
    password = unquote(parts.password or "")
    assert len(password) >= 20
    assert url == g.url(name).replace(f"//{name}@", f"//{name}:{parts.password}@")
    verifier = g.all_rows("SELECT rolpassword FROM pg_authid WHERE rolname = ?", name)[0][0]
    assert verifier.startswith("SCRAM-SHA-256$")
    assert _scram_matches(verifier, password)
    assert not _scram_matches(verifier, password + "x")  # the check can fail
    log = g.server.log.read_text()
    assert "CREATE ROLE" in log  # the statement was logged ...
    assert password not in log  # ... with no password in it
    assert password not in added.stderr
    # nor in the store's history
    assert g.all_rows("SELECT count(*) FROM command WHERE line LIKE ?", f"%{password}%") == [(0,)]
    # the URL logs in, by SCRAM, as that learner: the test server trusts its socket,
    # so for this role alone it asks for the password first (pg_hba.conf, reloaded)
    with _scram_for(g, name):
        me = g._runner.invoke(app, ["--db", url, "whoami", "--json"])
        assert me.exit_code == 0, me.stderr
        assert json.loads(me.stdout)["learner"] == name
        wrong = url.replace(parts.password or "", "wrong-password")
        refused = g._runner.invoke(app, ["--db", wrong, "status"])
        assert refused.exit_code == 1
        assert "password authentication failed" in refused.stderr
        assert "wrong-password" not in refused.stderr


@contextlib.contextmanager
def _scram_for(g: GroupStore, role: str):
    hba = g.server.data / "pg_hba.conf"
    before = hba.read_text()
    hba.write_text(f"local all {role} scram-sha-256\n{before}")
    try:
        _reload_until(g, role, asks_password=True)  # the premise: no password, no login
        yield
    finally:
        hba.write_text(before)
        _reload_until(g, role, asks_password=False)


def _reload_until(g: GroupStore, role: str, *, asks_password: bool) -> None:
    """Reload the server's configuration and wait until a login as `role` without a
    password fails (or works again): the postmaster rereads it on its own time."""
    import time

    import psycopg2

    g.server._admin.execute("SELECT pg_reload_conf()")
    for _ in range(100):
        try:
            with g.connect(role):
                asked = False
        except psycopg2.OperationalError as exc:
            assert "password" in str(exc), exc
            asked = True
        if asked == asks_password:
            return
        time.sleep(0.05)
    raise AssertionError(f"the server did not reload pg_hba.conf for {role}")


@pytest.mark.sampled  # the quick loop runs the first case
@pytest.mark.parametrize(
    "name, why",
    [
        ("Alice", "cannot name a learner"),
        ("al ice", "cannot name a learner"),
        ("1alice", "cannot name a learner"),
        ("alice;drop", "cannot name a learner"),
        ("a" * 64, "cannot name a learner"),
        ("pg_alice", "reserved by PostgreSQL"),
        ("public", "reserved by PostgreSQL"),
        ("{db}_learners", "one of the group's own roles"),
        ("{db}_curators", "one of the group's own roles"),
    ],
)
def test_group_add_refuses_a_bad_name(group_store: GroupStore, name: str, why: str) -> None:
    g = group_store
    name = name.format(db=g.name)
    roles = g.all_rows("SELECT count(*) FROM pg_roles")
    line = one_line(g.run(g.owner, "group", "add", name))
    assert why in line
    assert g.all_rows("SELECT count(*) FROM pg_roles") == roles


def test_only_the_owner_makes_a_group_or_adds_learners(group_store: GroupStore) -> None:
    g = group_store
    line = one_line(g.run("alice", "group", "init"))
    assert line == (
        "Error: only the owner of the store's tables can make it a study group; alice is not "
        "(connect as the role that created the store)"
    )
    roles = g.all_rows("SELECT count(*) FROM pg_roles")
    refused = one_line(g.run("alice", "group", "add", f"{g.name}_eve"))
    assert refused == (
        "Error: only the group's owner, olga, adds learners and curators; alice is a learner "
        f"(ask olga to run coursetrack group add {g.name}_eve)"
    )
    assert g.all_rows("SELECT count(*) FROM pg_roles") == roles


# --- a curator's catalog changes never delete another learner's records ------------------


def test_a_curator_cannot_remove_an_item_other_learners_recorded(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("alice", "done", "dls/1/1"))
    ok(g.run("bob", "note", "dls/1", "mine"))
    ok(g.run("cora", "done", "dls/1/2"))
    before = g.all_rows("SELECT * FROM progress"), g.all_rows("SELECT * FROM note")
    topics = g.all_rows("SELECT count(*) FROM topic")
    line = one_line(g.run("cora", "rm", "dls/1", "--yes"))
    assert line.startswith("Error: removing course dls/")
    assert "2 other learners (alice, bob)" in line
    assert line.endswith("which are theirs alone; nothing was changed")
    assert (g.all_rows("SELECT * FROM progress"), g.all_rows("SELECT * FROM note")) == before
    assert g.all_rows("SELECT count(*) FROM topic") == topics
    # an item only she recorded on goes, with her record
    ok(g.run("cora", "rm", "dls/1/2", "--yes"))
    assert g.all_rows("SELECT count(*) FROM progress WHERE learner = 'cora'") == [(0,)]
    # the cascade is filed under her command (not the tables' owner's): her undo has it
    ok(g.run("cora", "undo", "--yes"))
    assert g.all_rows("SELECT learner, status FROM progress WHERE learner = 'cora'") == [
        ("cora", "done")
    ]
    assert g.all_rows("SELECT count(*) FROM topic") == topics


def test_a_private_note_keeps_an_item_too(group_store: GroupStore) -> None:
    """The curator cannot see it (not even in the group's scope): the guard refuses."""
    g = group_store
    ok(g.run("bob", "note", "dls/1/3", "nobody reads this", "--private"))
    line = one_line(g.run("cora", "rm", "dls/1/3", "--yes"))
    assert line == (
        "Error: refused: it would delete records of another learner (bob's note); "
        "a learner's records are theirs alone, nothing was changed"
    )
    assert g.all_rows(NOTES) == [("bob", "nobody reads this", 1)]


def test_import_prune_never_deletes_what_other_learners_recorded(
    group_store: GroupStore, tmp_path: Path
) -> None:
    g = group_store
    ok(g.run(g.owner, "import", str(_write(tmp_path, CATALOG))))
    ok(g.run("alice", "done", "mini/1/1"))
    fewer = CATALOG.replace("  - slug: one", "  - slug: two").replace("title: One", "title: Two")
    line = one_line(g.run(g.owner, "import", str(_write(tmp_path, fewer)), "--prune"))
    assert "import --prune removing mini/one would delete the records 1 other learner (alice)" in (
        line
    )
    assert g.all_rows("SELECT slug FROM course WHERE slug IN ('one', 'two')") == [("one",)]


def test_undo_of_a_curators_import_keeps_the_learners_records(
    group_store: GroupStore, tmp_path: Path
) -> None:
    g = group_store
    ok(g.run("cora", "import", str(_write(tmp_path, CATALOG))))
    ok(g.run("alice", "done", "mini/1/1"))
    line = one_line(g.run("cora", "undo", "--yes"))
    assert "refused: it would delete records of another learner (alice's progress)" in line
    assert g.all_rows("SELECT count(*) FROM specialization WHERE slug = 'mini'") == [(1,)]
    assert g.all_rows("SELECT learner, status FROM progress") == [("alice", "done")]


def _write(folder: Path, text: str) -> Path:
    path = folder / f"catalog{len(list(folder.iterdir()))}.yaml"
    path.write_text(text)
    return path


def test_a_role_outside_the_group_cannot_connect(group_store: GroupStore) -> None:
    g = group_store
    name = f"{g.name}_outsider"
    g.server._admin.execute(f'CREATE ROLE "{name}" LOGIN')
    line = one_line(g.run(name, "status"))
    assert line.startswith(f"Error: cannot connect to the store {g.url(name)}: ")
    assert f'permission denied for database "{g.name}"' in line


def test_the_owner_is_held_to_row_level_security_too(group_store: GroupStore) -> None:
    """FORCE: the tables' owner runs learners' commands as a learner (and a curator)."""
    g = group_store
    ok(g.run("alice", "done", "dls/1/1"))
    assert g.rows(g.owner, "SELECT count(*) FROM progress") == [(0,)]
    assert g.run(g.owner, "status", "dls", "--json").json()["units_done"] == 0
    with g.connect(g.owner) as con:
        con.execute("SELECT set_config('coursetrack.command', '0', false)")
        assert con.execute("DELETE FROM progress WHERE learner = 'alice'").rowcount == 0
    assert g.all_rows("SELECT learner FROM progress") == [("alice",)]


def test_import_never_undoes_what_other_learners_finished(
    group_store: GroupStore, tmp_path: Path
) -> None:
    """A course finished as a whole is done by its topics once it has some: a curator's
    import cannot carry another learner's `done` into them, so it is refused."""
    g = group_store
    bare = "slug: mini\ntitle: Mini\ncourses:\n  - slug: one\n    title: One\n"
    ok(g.run("cora", "import", str(_write(tmp_path, bare))))
    ok(g.run("alice", "done", "mini/1"))
    line = one_line(g.run("cora", "import", str(_write(tmp_path, CATALOG))))
    assert line == (
        "Error: import mini would give courses that 1 other learner (alice) finished as a "
        "whole their first topics, and their records would no longer count them done; "
        "nothing was changed (add the topics to a new course instead)"
    )
    assert g.all_rows(
        "SELECT count(*) FROM topic t JOIN course c ON c.id = t.course_id WHERE c.slug = 'one'"
    ) == [(0,)]
    assert g.run("alice", "status", "mini", "--json").json()["units_done"] == 1
