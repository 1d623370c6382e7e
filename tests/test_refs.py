"""Refs: every form names the right item; bad ones list the candidates."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("dls", "dls"),
        ("d", "dls"),
        ("DLS", "dls"),
        ("dls/2", "dls/improving"),
        ("dls/improving", "dls/improving"),
        ("dls/imp", "dls/improving"),
        ("dls/cnn", "dls/cnn"),
        ("dls/2/1", "dls/improving/practical-aspects"),
        ("dls/2/optim", "dls/improving/optimization"),
        ("dls/sequence-models/4", "dls/sequence-models/transformers"),
        ("dls/5/transformers", "dls/sequence-models/transformers"),
        ("dls/1/1/", "dls/neural-networks/introduction"),
    ],
)
def test_ref_forms(dls, ref: str, expected: str) -> None:
    result = dls.run("start", ref, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["changes"][0]["ref"] == expected


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "dls/9",
            "dls has no course 9: it has 5 (1-5); choose from 1=neural-networks, 2=improving",
        ),
        ("dls/0", "dls has no course 0"),
        ("dls/x", "no course 'x' in dls; choose from 1=neural-networks"),
        ("dls/s", "course 's' in dls is ambiguous: it could be structuring, sequence-models"),
        (
            "dls/1/9",
            "dls/neural-networks has no topic 9: it has 4 (1-4); choose from 1=introduction",
        ),
        ("nope", "no specialization 'nope' in the store; choose from dls"),
        ("", "empty ref"),
        ("/", "has an empty part"),
        ("dls//1", "has an empty part"),
        ("..", "no specialization '..'"),
        ("dls/1/1/1", "has 4 parts, at most 3"),
        ("x" * 10_000, "no specialization '" + "x" * 40 + "…' in the store"),
        ("dlś", "no specialization 'dlś'"),
        ("dls/" + "9" * 10_000, "dls has no course '99999"),
    ],
)
def test_bad_refs_say_what_exists(dls, ref: str, message: str) -> None:
    before = dls.dump(history=True)
    result = dls.run("done", ref)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, "one line on stderr"
    assert "Traceback" not in result.stderr
    assert dls.dump(history=True) == before


def test_ref_on_an_empty_store_says_how_to_start(store) -> None:
    result = store.run("status", "dls")
    assert result.exit_code == 1
    assert "coursetrack import deep-learning-specialization" in result.stderr


def test_one_bad_ref_among_good_ones_changes_nothing(dls) -> None:
    before = dls.dump(history=True)
    result = dls.run("done", "dls/1/1", "dls/1/2", "dls/7")
    assert result.exit_code == 1
    assert dls.dump(history=True) == before


@pytest.mark.parametrize(
    "ref", ["dls/²", "dls/1/³", "dls/\u0661"]
)  # superscripts, Arabic-Indic one
def test_digits_that_are_not_ascii_are_not_positions(dls, ref: str) -> None:
    result = dls.run("show", ref)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no ")
    assert "Traceback" not in result.stderr
