"""A store at schema 6 upgrades to 7 (peer review, `store.migration_peer`) on both engines:
every row and its history kept, the schema then a new store's, undo still reaching back."""

from __future__ import annotations

import pytest

from conftest import Store
from group import ok
from old_coursetrack import playing_schema
from test_schema import _engine, _migrated, schema_of

pytestmark = pytest.mark.both_engines

#: The tables schema 6 had, and their columns then (schema 7 adds `rubric` to two).
_V6 = {
    "specialization": "id, slug, title, provider, url, description, certificate_url",
    "course": "id, specialization_id, position, slug, title, description, url, certificate_url",
    "topic": "id, course_id, position, slug, title, description, url",
    "progress": "id, specialization_id, course_id, topic_id, status, started_on, completed_on, "
    "learner",
    "note": "id, specialization_id, course_id, topic_id, written_on, text, learner, private",
    "link": "id, specialization_id, course_id, topic_id, url, title, added_on, learner",
    "review": "id, topic_id, reviewed_on, grade, interval_days, due_on, learner",
    "goal": "id, specialization_id, target_on, learner",
    "member": "id, learner, shared",
    "command": "id, at, line, undoes, undone_by, learner",
    "change": "id, command_id, table_name, row_id, op, old, new, learner",
}


def _rows(store: Store) -> dict[str, list[tuple]]:
    return {t: store.rows(f"SELECT {c} FROM {t} ORDER BY id") for t, c in _V6.items()}


def test_a_schema_6_store_upgrades_to_7_keeping_its_data(
    store: Store, new_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with playing_schema(6):
        for args in (
            ("import", "deep-learning-specialization"),
            ("start", "dls/1/1", "--on", "2026-09-01"),
            ("done", "dls/1/1", "--on", "2026-10-01"),
            ("reviewed", "dls/1/1", "--grade", "good", "--on", "2026-10-05"),
            ("note", "dls/1", "a note"),
            ("link", "dls/1", "https://example.org/nb"),
            ("goal", "dls", "--by", "2027-06-01"),
        ):
            ok(store.run(*args))
        tables = "SELECT count(*) FROM {}".format(
            "sqlite_master WHERE type = 'table' AND name LIKE 'peer_%'"
            if store.engine == "sqlite"
            else "pg_tables WHERE tablename LIKE 'peer_%'"
        )
        assert store.rows(tables) == [(0,)]
        before = _rows(store)
    assert len(before["change"]) > 20  # the import's history too

    # schema 7 alone: the code plays that release (schema 8 is test_migrations' and test_schema's)
    with playing_schema(7):
        ok(store.run("status"))  # the upgrade

        assert _rows(store) == before
        sqlite = store.engine == "sqlite"
        version = "PRAGMA user_version" if sqlite else "SELECT version FROM coursetrack_schema"
        assert store.rows(version) == [(7,)]
        assert store.rows("SELECT count(*) FROM course WHERE rubric IS NOT NULL") == [(0,)]
        upgraded, made = _engine(store.db), _migrated(new_store())
        try:
            assert schema_of(upgraded) == schema_of(made)
        finally:
            upgraded.dispose()
            made.dispose()
        # the history reaches back over the upgrade, and records the new tables
        ok(store.run("undo", "--yes"))  # the goal
        assert store.rows("SELECT count(*) FROM goal") == [(0,)]
        store.execute(
            "INSERT INTO peer_request (topic_id, url, asked_on, learner) "
            "VALUES (1, 'https://example.org/ann', '2026-10-06', 'ann')"
        )
        assert store.rows(
            "SELECT op FROM change WHERE table_name = 'peer_request' ORDER BY id"
        ) == [("insert",)]
