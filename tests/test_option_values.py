"""A bad option value is one line in the program's own words, naming what is allowed
(the values of a choice, the range of a number), exit 2 as any usage error, and no
frame, no "Usage:", no library wording; a ref that names nothing suggests the nearest
slugs at its level."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import DLS
from coursetrack.cli import app


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("values") / "store.db"
    assert CliRunner().invoke(app, ["--db", str(path), "import", DLS]).exit_code == 0
    return str(path)


def run(db: str, *args: str):
    return CliRunner().invoke(app, ["--db", db, *args])


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("reviewed", "dls/1/2", "--grade", "great"),
            "--grade takes again, hard, good or easy, not 'great'",
        ),
        (("next", "--limit", "0"), "--limit takes a whole number of at least 1, not '0'"),
        (("next", "-n", "x"), "--limit takes a whole number of at least 1, not 'x'"),
        (("log", "--limit", "-3"), "--limit takes a whole number of at least 1, not '-3'"),
        (
            ("chart", "dls", "--weeks", "many"),
            "--weeks takes a whole number of at least 1, not 'many'",
        ),
        (("undo", "0"), "undo ID takes a whole number of at least 1, not '0'"),
        (
            ("export", "markdown", "dls", "--format", "pelican"),
            "--format takes hugo, jekyll or plain, not 'pelican'",
        ),
        (
            ("add", "topic", "dls/1", "Extra", "--position", "second"),
            "--position takes a whole number, not 'second'",
        ),
        (
            ("done", "dls/1/1", "--on", "2026-13-01"),
            "--on '2026-13-01' is not a date: use YYYY-MM-DD (for example 2026-03-14), 'today', "
            "'yesterday', 'N days ago' or 'N weeks ago'",
        ),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) else "",
)
def test_a_bad_value_is_one_line_naming_what_is_allowed(db: str, args, line: str) -> None:
    before = Path(db).read_bytes()
    result = run(db, *args)
    assert result.exit_code in (1, 2)
    assert result.stdout == ""
    assert result.stderr == f"Error: {line}\n"
    assert Path(db).read_bytes() == before  # nothing written


@pytest.mark.parametrize(
    ("ref", "line"),
    [
        (
            "dls/1/basiks",
            "no topic 'basiks' in dls/neural-networks; did you mean basics? "
            "(choose from 1=introduction, 2=basics, 3=shallow, 4=deep)",
        ),
        (
            "dls/sequence-model/1",
            None,  # a prefix: found
        ),
        (
            "dls/sequense-models",
            "no course 'sequense-models' in dls; did you mean sequence-models? "
            "(choose from 1=neural-networks, 2=improving, 3=structuring, 4=cnn, 5=sequence-models)",
        ),
        (
            "dsl",
            "no specialization 'dsl' in the store; did you mean dls? (choose from dls)",
        ),
        (
            "dls/1/wonderfull",
            "no topic 'wonderfull' in dls/neural-networks; choose from 1=introduction, "
            "2=basics, 3=shallow, 4=deep",
        ),
    ],
)
def test_a_ref_that_names_nothing_suggests_the_nearest_slugs(db: str, ref: str, line) -> None:
    result = run(db, "status", ref)
    if line is None:
        assert result.exit_code == 0, result.stderr
        return
    assert result.exit_code == 1
    assert result.stderr == f"Error: {line}\n"
