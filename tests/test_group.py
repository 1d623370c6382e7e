"""`group init|add|share`, `whoami`, `note --private` and backups in a study group.

The group's store is tests/group.py's (owner olga, curator cora, learners alice,
bob, carol); SQLite stores are files under tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import postgres
from conftest import DLS, Store
from group import GroupStore, group_store_fixture, ok, one_line  # noqa: F401

# --- group init --------------------------------------------------------------------------


def test_group_init_says_what_it_made_and_what_comes_next(group_store: GroupStore) -> None:
    g = group_store
    again = g.run(g.owner, "group", "init")
    ok(again)
    assert again.stdout.splitlines() == [
        f"{g.name} was a study group already; checked its roles {g.name}_learners and "
        f"{g.name}_curators and its row-level security; olga (you) is a curator",
        "next: coursetrack group add NAME for each learner, and hand them the URL it prints",
    ]
    assert g.run(g.owner, "group", "init", "--json").json() == {
        "database": g.name,
        "owner": "olga",
        "learners_role": f"{g.name}_learners",
        "curators_role": f"{g.name}_curators",
        "already": True,
    }


def test_group_init_on_a_fresh_store(postgres_server) -> None:
    """The owner's first run: the store is made (its schema) and grouped in one go."""
    from group import OWNER, GroupStore, _owner_template

    _owner_template(postgres_server)  # the owner role exists
    name = postgres_server.create_database()
    postgres_server._admin.execute(f'ALTER DATABASE "{name}" OWNER TO "{OWNER}"')
    postgres_server._admin.execute(f'ALTER SCHEMA public OWNER TO "{OWNER}"')
    try:
        g = GroupStore(postgres_server, name)
        made = g.run(OWNER, "group", "init")
        ok(made)
        assert made.stdout.splitlines()[0] == (
            f"made {name} a study group: roles {name}_learners and {name}_curators, "
            "row-level security on every learner's table; olga (you) is a curator"
        )
        ok(g.run(OWNER, "import", DLS))
        g.add("alice")
        ok(g.run("alice", "done", "dls/1/1"))
        assert g.all_rows("SELECT learner, status FROM progress") == [("alice", "done")]
    finally:
        postgres_server.drop_database(name)


@pytest.mark.parametrize(
    "args",
    [("group", "init"), ("group", "add", "alice"), ("group", "share", "on")],
    ids=lambda a: " ".join(a),
)
def test_group_commands_need_postgresql(tmp_path: Path, args: tuple[str, ...]) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    db = tmp_path / "store.db"
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: study groups need a PostgreSQL store that every learner reaches; {db} is a "
        "SQLite store (give --db postgresql://USER@HOST/DATABASE, or set COURSETRACK_DB)\n"
    )
    assert not db.exists()  # nothing was created


# --- group add ---------------------------------------------------------------------------


def test_group_add_json_and_an_existing_role(group_store: GroupStore) -> None:
    g = group_store
    name = f"{g.name}_erin"
    first = g.run(g.owner, "group", "add", name, "--json")
    ok(first)
    data = first.json()
    password = data["url"].split(":", 2)[2].split("@", 1)[0]
    assert data == {
        "learner": name,
        "role": "learner",
        "database": g.name,
        "new_login": True,
        "changed": True,
        "url": g.url(name).replace(f"//{name}@", f"//{name}:{password}@"),
    }
    # again, as a curator now: the role keeps its password, the URL has none
    again = g.run(g.owner, "group", "add", name, "--curator")
    ok(again)
    assert again.stdout.splitlines() == [
        f"{name} could log in already (their password is unchanged); now a curator of "
        f"{g.name}. Their URL:",
        g.url(name),
    ]
    assert g.run(name, "whoami", "--json").json()["role"] == "curator"


def test_only_the_owner_adds_learners_and_the_refusal_says_so(group_store: GroupStore) -> None:
    """A curator or a learner is told who may add a learner and what to ask of them,
    not the server's "permission denied to create role"; no role is made."""
    g = group_store
    assert one_line(g.run("cora", "group", "add", "lin")) == (
        "Error: only the group's owner, olga, adds learners and curators; cora is a "
        "curator (ask olga to run coursetrack group add lin)"
    )
    assert one_line(g.run("alice", "group", "add", "lin", "--curator")) == (
        "Error: only the group's owner, olga, adds learners and curators; alice is a "
        "learner (ask olga to run coursetrack group add lin --curator)"
    )
    assert g.all_rows("SELECT rolname FROM pg_roles WHERE rolname = 'lin'") == []


@pytest.mark.parametrize(
    ("name", "args", "role"),
    [("alice", (), "learner"), ("cora", (), "curator"), ("cora", ("--curator",), "curator")],
)
def test_adding_a_member_again_says_so_and_changes_nothing(
    group_store: GroupStore, name: str, args: tuple[str, ...], role: str
) -> None:
    g = group_store
    members = (
        "SELECT roleid::regrole::text, member::regrole::text FROM pg_auth_members ORDER BY 1, 2"
    )
    before = g.all_rows(members), g.all_rows("SELECT count(*) FROM command")
    again = g.run(g.owner, "group", "add", name, *args)
    ok(again)
    assert again.stdout.splitlines() == [
        f"{name} is already a {role} of {g.name}; nothing changed. Their URL:",
        g.url(name),
    ]
    data = g.run(g.owner, "group", "add", name, *args, "--json").json()
    assert (data["role"], data["changed"], data["new_login"]) == (role, False, False)
    assert (g.all_rows(members), g.all_rows("SELECT count(*) FROM command")) == before
    assert g.run(name, "whoami", "--json").json()["role"] == role


def test_a_learner_is_told_who_makes_a_curator(group_store: GroupStore) -> None:
    """Only the owner can make a curator: the learner's refusal names them."""
    g = group_store
    assert one_line(g.run("alice", "add", "topic", "dls/1", "Extra")) == (
        "Error: add topic changes the group's catalog, which only a curator may do; alice "
        "is a learner (ask a curator to run it, or the group's owner olga to make you one: "
        "coursetrack group add alice --curator)"
    )


def test_the_learners_url_keeps_the_owners_but_the_user_and_password() -> None:
    from coursetrack.store.members import learner_url

    assert (
        learner_url("postgresql://olga:s3cret@db.example:5433/cohort?sslmode=require", "bob", "p")
        == "postgresql://bob:p@db.example:5433/cohort?sslmode=require"
    )
    assert (
        learner_url("postgresql://db.example/c?user=olga&password=x&sslmode=require", "bob", None)
        == "postgresql://bob@db.example/c?sslmode=require"
    )


def test_a_curator_added_by_the_owner_may_import(group_store: GroupStore, tmp_path: Path) -> None:
    g = group_store
    catalog = tmp_path / "mini.yaml"
    catalog.write_text("slug: mini\ntitle: Mini\ncourses:\n  - slug: one\n    title: One\n")
    ok(g.run("cora", "import", str(catalog)))
    assert g.all_rows("SELECT slug FROM specialization ORDER BY slug") == [("dls",), ("mini",)]


# --- whoami ----------------------------------------------------------------------------


def test_whoami_on_sqlite_is_me(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from coursetrack.cli import app

    db = tmp_path / "store.db"
    result = CliRunner().invoke(app, ["--db", str(db), "whoami"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "learner  me",
        "role     curator (the store has no study group: you keep its catalog too)",
        f"store    {db}",
    ]
    data = json.loads(CliRunner().invoke(app, ["--db", str(db), "whoami", "--json"]).stdout)
    assert data == {
        "learner": "me",
        "role": "curator",
        "group": False,
        "store": str(db),
        "replica": None,  # no store yet: no replica
        "machine": None,
        "hub": None,
    }
    assert not db.exists()  # a read creates nothing


def test_whoami_in_a_group_masks_a_password(group_store: GroupStore) -> None:
    g = group_store
    url = g.url("alice").replace("//alice@", "//alice:hunter2@")
    from coursetrack.cli import app

    result = g._runner.invoke(app, ["--db", url, "whoami"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "learner  alice",
        "role     learner",
        f"store    {g.url('alice').replace('//alice@', '//alice:***@')}",
    ]
    assert "hunter2" not in result.stdout


def test_whoami_on_a_postgresql_store_without_a_group(pg_url: str) -> None:
    """Empty (read as an empty store), then with a catalog: the role is its one learner."""
    for args in ([], ["import", DLS]):
        if args:
            ok(_run(pg_url, *args))
        result = _run(pg_url, "whoami", "--json")
        ok(result)
        replica = {"replica": None, "machine": None, "hub": None}  # empty: no store yet
        if args:
            with postgres.connect(pg_url, autocommit=True) as con:
                ((replica["replica"], replica["machine"]),) = postgres.rows(
                    con, "SELECT replica, name FROM sync_state", ()
                )
        assert json.loads(result.stdout) == {
            "learner": "ct",
            "role": "curator",
            "group": False,
            "store": pg_url,
            **replica,
        }


def _run(db: str, *args: str):
    from typer.testing import CliRunner

    from coursetrack.cli import app

    return CliRunner().invoke(app, ["--db", db, *args])


# --- group share -----------------------------------------------------------------------


def test_share_on_and_off_is_the_learners_own_row_and_undoable(group_store: GroupStore) -> None:
    g = group_store
    on = g.run("alice", "group", "share", "on")
    ok(on)
    assert on.stdout == "alice is listed in the group's post now\n"
    again = g.run("alice", "group", "share", "on")
    assert again.stdout == "alice is listed in the group's post already; nothing changed\n"
    ok(g.run("bob", "group", "share", "off"))
    assert g.all_rows("SELECT learner, shared FROM member ORDER BY learner") == [
        ("alice", 1),
        ("bob", 0),
    ]
    off = g.run("alice", "group", "share", "off", "--json")
    assert off.json() == {"learner": "alice", "shared": False, "changed": True}
    log = g.run("alice", "log", "--json").json()["commands"]
    # the second `share on` changed nothing: not recorded (issue 22)
    assert [c["command"] for c in log] == ["group share off --json", "group share on"]
    ok(g.run("alice", "undo", "--yes"))
    assert g.all_rows("SELECT learner, shared FROM member ORDER BY learner") == [
        ("alice", 1),
        ("bob", 0),
    ]


def test_share_takes_on_or_off(group_store: GroupStore) -> None:
    result = group_store.run("alice", "group", "share", "maybe")
    assert result.exit_code == 2
    assert result.stderr == "Error: group share on|off takes on or off, not 'maybe'\n"


def test_share_needs_a_group(pg_url: str) -> None:
    ok(_run(pg_url, "import", DLS))
    assert one_line(_run(pg_url, "group", "share", "on")) == (
        "Error: this store is not a study group's yet; its owner runs coursetrack group init first"
    )
    assert one_line(_run(pg_url, "group", "add", "alice")) == (
        "Error: this store is not a study group's yet; its owner runs coursetrack group init first"
    )


# --- note --private ------------------------------------------------------------------------


def test_a_private_note(dls: Store) -> None:
    noted = dls.run("note", "dls/1", "just for me", "--private", "--on", "2026-11-01")
    ok(noted)
    assert noted.stdout == "noted privately on dls/neural-networks (2026-11-01); it has 1 note\n"
    data = dls.run("note", "dls/1", "public", "--private", "--json").json()
    assert data["private"] is True
    public = dls.run("note", "dls/1", "for all", "--json").json()
    assert "private" not in public
    assert dls.rows("SELECT text, private FROM note ORDER BY id") == [
        ("just for me", 1),
        ("public", 1),
        ("for all", 0),
    ]
    log = dls.run("log", "-n", "3").stdout
    assert "private=True" in log


def test_private_notes_stay_off_the_shared_page(dls: Store, tmp_path: Path) -> None:
    ok(dls.run("note", "dls", "shown to readers"))
    ok(dls.run("note", "dls", "kept to myself", "--private"))
    page = tmp_path / "dls.html"
    ok(dls.run("export", "html", "dls", "-o", str(page)))
    text = page.read_text()
    assert "shown to readers" in text
    assert "kept to myself" not in text


def test_private_notes_stay_out_of_the_blog_post(dls: Store) -> None:
    ok(dls.run("note", "dls/1", "shown to readers"))
    ok(dls.run("note", "dls/1", "kept to myself", "--private"))
    post = dls.run("export", "markdown", "dls")
    ok(post)
    assert "shown to readers" in post.stdout
    assert "kept to myself" not in post.stdout


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_private_round_trips_in_a_backup(dls: Store, new_store, tmp_path: Path, kind: str) -> None:
    ok(dls.run("note", "dls/1", "mine", "--private", "--on", "2026-11-01"))
    ok(dls.run("note", "dls/1", "ours", "--on", "2026-11-02"))
    backup = tmp_path / f"b.{kind}"
    ok(dls.run("export", kind, "-o", str(backup)))
    text = backup.read_text()
    assert text.count("private") == 1  # written only when true
    if kind == "yaml":
        assert "private: true" in text
    else:
        assert '"private": true' in text
    target = new_store()
    from typer.testing import CliRunner

    from coursetrack.cli import app

    restored = CliRunner().invoke(app, ["--db", target, "import", str(backup)])
    assert restored.exit_code == 0, restored.stderr
    again = tmp_path / f"again.{kind}"
    result = CliRunner().invoke(app, ["--db", target, "export", kind, "-o", str(again)])
    assert result.exit_code == 0, result.stderr
    assert again.read_text() == text


@pytest.mark.parametrize("value", ["false", "true", "maybe"])
def test_private_in_a_backup_takes_true_or_false(
    dls: Store, new_store, tmp_path: Path, value: str
) -> None:
    ok(dls.run("note", "dls/1", "mine", "--private"))
    backup = tmp_path / "b.yaml"
    ok(dls.run("export", "yaml", "-o", str(backup)))
    backup.write_text(backup.read_text().replace("private: true", f"private: {value}"))
    from typer.testing import CliRunner

    from coursetrack.cli import app

    target = new_store()
    result = CliRunner().invoke(app, ["--db", target, "import", str(backup)])
    if value == "maybe":
        assert result.exit_code == 1
        assert "private must be true or false" in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    notes = json.loads(CliRunner().invoke(app, ["--db", target, "export", "json"]).stdout)[
        "specializations"
    ][0]["courses"][0]["notes"]
    assert notes == [
        {"written_on": notes[0]["written_on"], "text": "mine"}
        | ({"private": True} if value == "true" else {})
    ]


# --- a backup restored into a group's store ----------------------------------------------


def _backup_of(g: GroupStore, role: str, folder: Path) -> Path:
    path = folder / f"{role}.yaml"
    ok(g.run(role, "export", "yaml", "-o", str(path)))
    return path


def test_a_learners_backup_restores_as_the_learner_who_restores_it(
    group_store: GroupStore, tmp_path: Path
) -> None:
    g = group_store
    ok(g.run("alice", "done", "dls/1/1", "dls/1/2", "--on", "2026-11-01"))
    ok(g.run("alice", "note", "dls/1", "week one", "--on", "2026-11-01"))
    ok(g.run("alice", "note", "dls/1", "hers alone", "--private", "--on", "2026-11-01"))
    ok(g.run("alice", "goal", "dls", "--by", "2027-06-01"))
    backup = _backup_of(g, "alice", tmp_path)
    catalog = g.all_rows("SELECT * FROM topic ORDER BY id")
    restored = g.run("carol", "import", str(backup))
    ok(restored)
    assert restored.stdout.startswith("restored dls from ")
    # carol's record is alice's, as carol's; alice's is untouched; the catalog too
    assert g.all_rows(
        "SELECT learner, status, completed_on FROM progress WHERE learner = 'carol'"
    ) == [("carol", "done", "2026-11-01"), ("carol", "done", "2026-11-01")]
    assert g.all_rows("SELECT learner, text, private FROM note ORDER BY learner, id") == [
        ("alice", "week one", 0),
        ("alice", "hers alone", 1),
        ("carol", "week one", 0),
        ("carol", "hers alone", 1),
    ]
    assert g.all_rows("SELECT learner FROM goal ORDER BY learner") == [("alice",), ("carol",)]
    assert g.all_rows("SELECT * FROM topic ORDER BY id") == catalog
    # and carol's own backup now reads as alice's did
    assert _backup_of(g, "carol", tmp_path).read_text() == backup.read_text()


def test_a_restore_never_merges_into_a_learners_record(
    group_store: GroupStore, tmp_path: Path
) -> None:
    g = group_store
    ok(g.run("alice", "done", "dls/1/1"))
    backup = _backup_of(g, "alice", tmp_path)
    ok(g.run("bob", "done", "dls/2/1"))
    before = g.all_rows("SELECT * FROM progress ORDER BY id")
    line = one_line(g.run("bob", "import", str(backup)))
    assert line == (
        "Error: you keep 1 record(s) on dls in this store already; a restore does not merge two "
        "records of the same study, so nothing was restored (restore into a store where you "
        "have none)"
    )
    assert g.all_rows("SELECT * FROM progress ORDER BY id") == before


def test_a_restore_that_needs_new_catalog_items_needs_a_curator(
    group_store: GroupStore, tmp_path: Path
) -> None:
    g = group_store
    ok(g.run("cora", "add", "topic", "dls/1", "Extra"))
    ok(g.run("cora", "done", "dls/1/4"))
    backup = _backup_of(g, "cora", tmp_path)
    # a specialization the group does not have: only a curator may create it
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(backup.read_text().replace("slug: dls", "slug: dls2", 1))
    line = one_line(g.run("alice", "import", str(renamed)))
    assert "restoring dls2 (new to the catalog) changes the group's catalog" in line
    # a topic the group's catalog lacks: refused, named
    ok(g.run("cora", "rm", "dls/1/4", "--yes"))
    line = one_line(g.run("alice", "import", str(backup)))
    assert line.startswith("Error: the group's catalog has no dls/")
    assert line.endswith(
        "which the backup holds records of; a curator adds them "
        "(coursetrack import), then restore again"
    )
    assert g.all_rows("SELECT count(*) FROM progress WHERE learner = 'alice'") == [(0,)]
    # the curator restores the new specialization, catalog and her record
    ok(g.run("cora", "import", str(renamed)))
    assert g.all_rows("SELECT count(*) FROM specialization WHERE slug = 'dls2'") == [(1,)]
