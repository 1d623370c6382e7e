"""Study groups' security: real roles on the test PostgreSQL server (tests/group.py)."""

from __future__ import annotations

from group import GroupStore, group_store_fixture  # noqa: F401


def test_the_fixture_makes_a_group(group_store: GroupStore) -> None:
    g = group_store
    for role in g.everyone:
        result = g.run(role, "whoami", "--json")
        assert result.exit_code == 0, result.stderr
        me = result.json()
        assert me["learner"] == role
        assert me["group"] is True
        assert me["role"] == ("curator" if role in (g.owner, g.curator) else "learner")
