"""What a user sees of schema 8 before any sync (issue 24): notes, links and reviews listed
by uid (the same order as before on a store that never synced), `log` naming the machine
of a command another replica made and a command a sync set aside, `whoami` naming the
replica and its hub."""

from __future__ import annotations

import json

import pytest

import by_hand
from conftest import Store
from group import ok

HERE_LATER = "2026-03-05T10:00:00+00:00"


def _by_hand(store: Store, line: str, *, replica: str, machine: str | None, set_aside=None) -> int:
    """A command row as a sync leaves it (lane c writes them; here by hand): another
    replica's, or one the replay set aside. Its id."""
    store.execute(
        f"INSERT INTO command (at, line, {by_hand.COLUMNS}) "
        f"VALUES ('2026-03-02T09:00:00+00:00', ?, {by_hand.values(store.engine)})",
        line,
    )
    ((made,),) = store.rows("SELECT max(id) FROM command")
    store.execute(
        "UPDATE command SET replica = ?, machine = ?, set_aside = ?, gid = ? WHERE id = ?",
        replica,
        machine,
        set_aside,
        f"{replica}:{made}",
        made,
    )
    return made


# --- the order of records ----------------------------------------------------------


def test_notes_links_and_reviews_list_in_the_order_they_always_did(dls: Store) -> None:
    """Several notes and links per item, some on one day, one backdated: listed by day,
    then in the order they were written, as by id before schema 8 (uids grow with ids)."""
    for args in (
        ("note", "dls/1", "first"),
        ("note", "dls/1", "second"),
        ("note", "dls/1", "backdated", "--on", "2026-01-01"),
        ("note", "dls/1", "third"),
        ("note", "dls/1/1", "on a topic"),
        ("note", "dls/1/1", "on a topic again"),
        ("link", "dls/1", "https://example.org/a"),
        ("link", "dls/1", "https://example.org/b"),
    ):
        ok(dls.run(*args))
    by_id = [t for (t,) in dls.rows("SELECT text FROM note ORDER BY written_on, id")]
    assert [t for (t,) in dls.rows("SELECT text FROM note ORDER BY written_on, uid")] == by_id
    listed = dls.run("note", "list", "dls/1", "--json").json()["notes"]
    assert [n["text"] for n in listed] == by_id  # type: ignore[index]
    assert by_id[:4] == ["backdated", "first", "second", "third"]
    shown = dls.run("show", "dls/1").stdout
    assert shown.index("first") < shown.index("second") < shown.index("third")
    links = dls.run("link", "list", "dls/1", "--json").json()["links"]
    assert [x["url"] for x in links] == ["https://example.org/a", "https://example.org/b"]  # type: ignore[index]


def test_records_list_by_uid_not_by_id(dls: Store) -> None:
    """Ids follow arrival on each store; uids name creation on every one: two notes of one
    day whose uids are the other way round from their ids list by uid (as a sync that
    brought the older one later leaves them), in `note list`, `show` and the backup."""
    ok(dls.run("note", "dls/1", "arrived first"))
    ok(dls.run("note", "dls/1", "arrived second"))
    (first, second) = dls.rows("SELECT id, uid FROM note ORDER BY id")
    dls.execute("UPDATE note SET uid = 'swap' WHERE id = ?", first[0])
    dls.execute("UPDATE note SET uid = ? WHERE id = ?", first[1], second[0])
    dls.execute("UPDATE note SET uid = ? WHERE id = ?", second[1], first[0])
    listed = dls.run("note", "list", "dls/1", "--json").json()["notes"]
    assert [n["text"] for n in listed] == ["arrived second", "arrived first"]  # type: ignore[index]
    shown = dls.run("show", "dls/1").stdout
    assert shown.index("arrived second") < shown.index("arrived first")
    backup = dls.run("export", "yaml").stdout
    assert backup.index("arrived second") < backup.index("arrived first")


# --- log ---------------------------------------------------------------------------


def test_log_names_the_machine_of_another_replicas_command(dls: Store) -> None:
    ok(dls.run("note", "dls/1", "here"))
    _by_hand(dls, "note dls/1 'there'", replica="feedbeeffeedbeef", machine="desktop")
    log = dls.run("log", "-n", "2").stdout.splitlines()
    assert log[0].endswith("#3 note dls/1 'there'  on desktop"), log
    assert any(line.endswith("#2 note dls/1 here") for line in log), log  # made here: no machine
    entries = dls.run("log", "-n", "3", "--json").json()["commands"]
    assert [(e["id"], e["machine"], e["set_aside"]) for e in entries] == [  # type: ignore[index]
        (3, "desktop", None),
        (2, None, None),
        (1, None, None),
    ]


def test_log_says_why_a_command_was_set_aside_at_sync(dls: Store) -> None:
    ok(dls.run("done", "dls/1/1", "--on", "2026-02-01"))
    _by_hand(
        dls,
        "reviewed dls/1/1 --grade good",
        replica="feedbeeffeedbeef",
        machine="laptop",
        set_aside="ck_review_done_topic",
    )
    _by_hand(
        dls, "note dls/9 'x'", replica="feedbeeffeedbeef", machine=None, set_aside="foreign_key"
    )
    log = dls.run("log", "-n", "2").stdout
    assert "#3 reviewed dls/1/1 --grade good  on laptop" in log
    assert "set aside at sync: a review is only of a topic its learner has done" in " ".join(
        log.split()
    )
    assert "#4 note dls/9 'x'  on feedbeeffeedbeef" in log  # no machine name: its replica
    assert "set aside at sync: an item or record it names is gone" in log
    entries = dls.run("log", "-n", "2", "--json").json()["commands"]
    assert [e["set_aside"] for e in entries] == [  # type: ignore[index]
        "an item or record it names is gone",
        "a review is only of a topic its learner has done",
    ]


# --- whoami ------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_whoami_names_the_replica_and_its_hub(dls: Store) -> None:
    ((replica, machine),) = dls.rows("SELECT replica, name FROM sync_state")
    lines = dls.run("whoami").stdout.splitlines()
    assert lines[3:] == [f"replica  {machine} ({replica})"]
    assert dls.run("whoami", "--json").json() == {
        "learner": "me",
        "role": "curator",
        "group": False,
        "store": dls.db,
        "replica": replica,
        "machine": machine,
        "hub": None,
    }
    hub = "postgresql://me@db.example.org/record"  # as `sync URL` keeps it: no password
    dls.execute("UPDATE sync_state SET hub_url = ?", hub)
    assert dls.run("whoami").stdout.splitlines()[3:] == [
        f"replica  {machine} ({replica})",
        f"hub      {hub}",
    ]
    assert json.loads(dls.run("whoami", "--json").stdout)["hub"] == hub


def test_whoami_names_a_replica_not_a_hub(store: Store) -> None:
    """A PostgreSQL store is a hub, not a replica: its lines are as before (the README's
    group example), and --json names it; a SQLite store adds its replica's line."""
    ok(store.run("import", "deep-learning-specialization"))
    lines = store.run("whoami").stdout.splitlines()
    assert len(lines) == (3 if store.engine == "postgresql" else 4)
    ((replica,),) = store.rows("SELECT replica FROM sync_state")
    assert store.run("whoami", "--json").json()["replica"] == replica  # type: ignore[index]
