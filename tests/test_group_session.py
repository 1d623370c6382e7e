"""What a learner's connection URL may not change: who they are and what they see.

The server decides the learner (`session_user`) and the program sets every
session setting it relies on for each transaction (store.engine's begin hook):
an `options=-c ...` in the URL (or PGOPTIONS) cannot make a learner's own
command read the group's rows, name another role, or find a lookalike function
before PostgreSQL's own.
"""

from __future__ import annotations

from urllib.parse import quote

from group import GroupStore, group_store_fixture, ok  # noqa: F401


def with_options(g: GroupStore, role: str, options: str) -> str:
    """`role`'s URL with libpq's `options` (startup settings) added."""
    return f"{g.url(role)}&options={quote(options, safe='')}"


def test_a_url_cannot_put_a_learners_own_command_in_the_groups_scope(
    group_store: GroupStore,
) -> None:
    g = group_store
    ok(g.run("bob", "done", "dls/1/1", "dls/1/2", "dls/1/3", "dls/1/4", "--on", "2026-11-01"))
    ok(g.run("alice", "done", "dls/1/1", "--on", "2026-11-02"))
    own = g.run("alice", "status", "dls/1", "--json")
    ok(own)
    url = with_options(g, "alice", "-c coursetrack.scope=group")
    scoped = g.run("alice", "--db", url, "status", "dls/1", "--json")
    ok(scoped)
    assert scoped.json()["units_done"] == own.json()["units_done"] == 1
    # and her write still counts, and is recorded, as hers alone
    ok(g.run("alice", "--db", url, "done", "dls/1/2", "--on", "2026-11-03"))
    assert g.run("alice", "status", "dls/1", "--json").json()["units_done"] == 2
    assert g.run("bob", "status", "dls/1", "--json").json()["units_done"] == 4


def test_a_url_cannot_make_whoami_name_another_role(group_store: GroupStore) -> None:
    g = group_store
    learners = f"{g.name}_learners"
    url = with_options(g, "alice", f"-c role={learners}")
    me = g.run("alice", "--db", url, "whoami", "--json")
    ok(me)
    assert me.json()["learner"] == "alice"
    assert me.json()["role"] == "learner"
    # a note written so is hers too
    ok(g.run("alice", "--db", url, "note", "dls/1", "written under the group's role"))
    assert g.all_rows("SELECT learner FROM note") == [("alice",)]


def test_a_url_cannot_put_a_lookalike_function_before_postgresqls_own(
    group_store: GroupStore,
) -> None:
    g = group_store
    # a schema the learner may use (made by someone who could: here the superuser)
    # holding a pg_has_role that says yes to everything
    with g.connect(g.superuser) as con:
        con.execute("CREATE SCHEMA lookalike")
        con.execute(
            "CREATE FUNCTION lookalike.pg_has_role(name, oid, text) RETURNS boolean "
            "LANGUAGE sql AS 'SELECT true'"
        )
        con.execute("GRANT USAGE ON SCHEMA lookalike TO PUBLIC")
    url = with_options(g, "alice", "-c search_path=public,lookalike,pg_catalog")
    me = g.run("alice", "--db", url, "whoami", "--json")
    ok(me)
    assert me.json()["role"] == "learner"
    refused = g.run("alice", "--db", url, "add", "course", "dls", "Lookalike course")
    assert refused.exit_code == 1
    assert "only a curator" in refused.stderr


def test_a_urls_date_style_and_string_settings_change_nothing_a_learner_sees(
    group_store: GroupStore,
) -> None:
    g = group_store
    ok(g.run("alice", "done", "dls/1/1", "--on", "2026-11-02"))
    ok(g.run("alice", "note", "dls/1", "a back\\slash and 'quotes'"))
    ok(g.run("alice", "goal", "dls", "--by", "2027-03-01"))
    plain = [g.run("alice", *args) for args in (("export", "yaml"), ("log",), ("show", "dls/1"))]
    url = with_options(
        g,
        "alice",
        "-c DateStyle=SQL,DMY -c IntervalStyle=sql_standard -c standard_conforming_strings=off "
        "-c TimeZone=Pacific/Kiritimati -c extra_float_digits=-15 -c bytea_output=escape",
    )
    for args, before in zip((("export", "yaml"), ("log",), ("show", "dls/1")), plain, strict=True):
        ok(before)
        after = g.run("alice", "--db", url, *args)
        ok(after)
        assert after.stdout == before.stdout
    ok(g.run("alice", "--db", url, "done", "dls/1/2", "--on", "2026-11-03"))
    assert g.all_rows(
        "SELECT completed_on::text FROM progress WHERE learner = 'alice' ORDER BY completed_on"
    ) == [("2026-11-02",), ("2026-11-03",)]


def test_pgoptions_in_the_environment_is_no_different(group_store: GroupStore) -> None:
    g = group_store
    ok(g.run("bob", "done", "dls/1/1", "dls/1/2", "--on", "2026-11-01"))
    env = {"PGOPTIONS": f"-c coursetrack.scope=group -c role={g.name}_learners"}
    assert g.run("alice", "status", "dls/1", "--json", env=env).json()["units_done"] == 0
    assert g.run("alice", "whoami", "--json", env=env).json()["learner"] == "alice"
