"""libyaml and the pure-Python classes read and write catalogs and backups alike.

Every document is read both ways (`strict_yaml.USE_LIBYAML` on and off) and must
give the same catalog or backup, or the same error at the same line:col; every
backup is written both ways and must be byte-identical, streamed or whole.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings

from coursetrack import backup, catalog, strict_yaml
from coursetrack import store as db
from coursetrack.errors import CatalogError, ExportError
from coursetrack.services import backup_export
from test_backup import AWKWARD, BAD_BACKUPS, _fill, stores
from test_catalog import INVALID, YAMLISH

pytestmark = pytest.mark.skipif(
    not strict_yaml.USE_LIBYAML, reason="PyYAML here has no libyaml (0.2.6 or later)"
)


def both(monkeypatch: pytest.MonkeyPatch, read):
    """`read()` with libyaml, then with the pure-Python classes: (result or error) each."""
    out = []
    for use in (True, False):
        monkeypatch.setattr(strict_yaml, "USE_LIBYAML", use)
        try:
            out.append(("ok", read()))
        except (CatalogError, ExportError) as exc:
            out.append(("refused", str(exc)))
    return out


def test_libyaml_reads_a_valid_document_without_the_python_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_python(*_args, **_kwargs):
        raise AssertionError("the pure-Python loader was used")

    monkeypatch.setattr(strict_yaml.StrictLoader, "__init__", no_python)
    path = catalog.shipped_catalogs()["deep-learning-specialization"]
    spec = catalog.load_catalog(path)
    assert spec.slug == "dls"
    assert yaml.CSafeDumper in strict_yaml.dumper_base().__mro__
    with pytest.raises(AssertionError, match="pure-Python loader was used"):
        catalog.parse_catalog("title: T\ncolour: blue\n", where="c.yaml")  # errors: Python's


def test_libyaml_reads_a_valid_document_to_plain_values_without_a_node_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The node tree was the peak of a large import's memory: a valid document goes from
    libyaml's events to plain values, and only a problem is read again into nodes."""

    def no_nodes(*_args, **_kwargs):
        raise AssertionError("a node tree was composed")

    monkeypatch.setattr(strict_yaml, "compose", no_nodes)
    monkeypatch.setattr(strict_yaml.StrictLoader, "__init__", no_nodes)
    path = catalog.shipped_catalogs()["deep-learning-specialization"]
    assert catalog.load_catalog(path).slug == "dls"
    text = f"format: {backup.FORMAT}\nversion: 1\nspecializations:\n  - slug: s\n    title: S\n"
    assert [s.slug for s in backup.parse(text, label="b.yaml").specializations] == ["s"]
    with pytest.raises(AssertionError, match="node tree was composed"):
        catalog.parse_catalog("title: T\ncolour: blue\n", where="c.yaml")  # errors: nodes'


@pytest.mark.parametrize(("text", "line", "col", "message"), INVALID)
def test_invalid_catalogs_are_refused_alike(
    monkeypatch: pytest.MonkeyPatch, text: str, line: int, col: int, message: str
) -> None:
    import textwrap

    text = textwrap.dedent(text)
    fast, python = both(monkeypatch, lambda: catalog.parse_catalog(text, where="c.yaml"))
    assert fast == python == ("refused", f"c.yaml:{line}:{col}: {message}")


def test_shipped_catalogs_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    for path in catalog.shipped_catalogs().values():
        fast, python = both(monkeypatch, lambda path=path: catalog.load_catalog(path))
        assert fast[0] == "ok"
        assert fast[1].model_dump() == python[1].model_dump()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=YAMLISH)
# libyaml read a tab after a dash as a plain scalar's space where PyYAML refuses it
@example(text="title: x\n  - \t")
def test_any_text_is_read_alike(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, python = both(monkeypatch, lambda: catalog.parse_catalog(text, where="f.yaml"))
    if fast[0] == "ok":
        assert python[0] == "ok"
        assert fast[1].model_dump() == python[1].model_dump()
    else:
        assert fast == python


@pytest.mark.parametrize(("content", "message"), BAD_BACKUPS)
def test_bad_backups_are_refused_alike(
    monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    fast, python = both(monkeypatch, lambda: backup.parse(content, label="b.yaml"))
    assert fast == python
    assert fast[0] == "refused"
    assert message in fast[1]


def test_deep_and_huge_documents_are_refused_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = "title: T\ndescription: " + "[" * 5000 + "]" * 5000 + "\n"
    fast, python = both(monkeypatch, lambda: catalog.parse_catalog(deep, where="d.yaml"))
    assert fast == python
    assert fast[1].startswith("d.yaml:2:33: nested more than 20 levels deep")


def _export_both(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """Each way of writing a backup: whole or streamed, by libyaml or by PyYAML."""
    out = []
    store = db.open_store(str(path), write=False)
    try:
        for use in (True, False):
            monkeypatch.setattr(strict_yaml, "USE_LIBYAML", use)
            with store.read() as reader:
                out.append(backup_export.to_yaml(backup_export.collect(reader)))
                pieces: list[str] = []
                backup_export.write_yaml(reader, pieces.append, backup_export.chosen(reader, None))
                out.append("".join(pieces))
    finally:
        store.close()
    return out


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(specs=stores)
@pytest.mark.slow  # a big backup written every way
def test_backups_are_written_byte_identical_every_way(specs: list) -> None:
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as monkeypatch:
        path = Path(folder) / "s.db"
        _fill(path, specs)
        texts = _export_both(monkeypatch, path)
        assert len(set(texts)) == 1
        fast, python = both(monkeypatch, lambda: backup.parse(texts[0], label="b.yaml"))
        assert fast[0] == "ok"
        assert fast[1] == python[1]


def test_awkward_text_is_written_and_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    values = [v for v in AWKWARD if v.strip() and "\x00" not in v]
    entries = [
        {
            "slug": f"s{n}",
            "title": value,
            "description": value,
            "notes": [{"written_on": dt.date(2024, 1, 2).isoformat(), "text": value}],
        }
        for n, value in enumerate(values)
    ]
    document = {"format": backup.FORMAT, "version": 1, "specializations": entries}
    texts = []
    for use in (True, False):
        monkeypatch.setattr(strict_yaml, "USE_LIBYAML", use)
        texts.append(backup_export.to_yaml(document))
    assert texts[0] == texts[1]
    fast, python = both(monkeypatch, lambda: backup.parse(texts[0], label="b.yaml"))
    assert fast == python
    assert [s.title for s in fast[1].specializations] == values


@pytest.mark.parametrize(
    "text",
    [
        "title: &t T\nslug: s\n",  # an anchor no alias uses: PyYAML's composer accepts it
        "title: &t T\nslug: &t s\n",  # the same anchor twice
        "--- !!map\ntitle: !!str T\nslug: s\n...\n",
        "{title: T, courses: [{title: C, topics: [a, b]}]}\n",
        "# a comment\ntitle: T  # another\n",
        "title: T\n---\ntitle: U\n",  # two documents
        "just text\n",
        "- a\n- b\n",
        "",
        "title: T\ncourses:\n"
        + "".join(f"  - title: C{n}\n    topics: [x, y]\n" for n in range(30)),
    ],
)
def test_unusual_documents_are_read_alike(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    fast, python = both(monkeypatch, lambda: catalog.parse_catalog(text, where="u.yaml"))
    if fast[0] == "ok":
        assert fast[1].model_dump() == python[1].model_dump()
    else:
        assert fast == python


def test_the_value_limit_holds_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strict_yaml, "MAX_YAML_NODES", 20)
    topics = "".join(f"      - Topic {n}\n" for n in range(30))
    text = f"title: T\ncourses:\n  - title: C\n    topics:\n{topics}"
    fast, python = both(monkeypatch, lambda: catalog.parse_catalog(text, where="n.yaml"))
    assert fast == python
    assert fast[1].startswith("n.yaml:15:9: more than 20 values")
