"""Numbers that reach SQLite or a date: a clear error, never an OverflowError (issue 10)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-5", "99999999999", "abc"])
def test_busy_timeout_out_of_range_is_one_line(dls, value: str) -> None:
    before = dls.dump()
    result = dls.run("start", "dls/1/1", env={"COURSETRACK_BUSY_TIMEOUT": value})
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: COURSETRACK_BUSY_TIMEOUT={value!r} is not a number of seconds from 0 to "
        "86400; unset it or give e.g. 30\n"
    )
    assert dls.dump() == before


@pytest.mark.parametrize("value", ["0", "0.5", "86400"])
def test_busy_timeout_in_range_works(dls, value: str) -> None:
    result = dls.run("start", "dls/1/1", env={"COURSETRACK_BUSY_TIMEOUT": value})
    assert result.exit_code == 0, result.stderr
    assert dls.rows("SELECT count(*) FROM progress WHERE started_on IS NOT NULL") == [(1,)]


def test_a_huge_position_is_out_of_range(dls) -> None:
    """A guard: --position checks its range before SQL sees it."""
    before = dls.dump()
    result = dls.run("add", "course", "dls", "Huge", "--position", "99999999999999999999")
    assert result.exit_code == 1
    assert "is out of range: dls has 5 courses, so use 1 to 6" in result.stderr
    assert dls.dump() == before
