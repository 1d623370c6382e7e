"""Strict YAML for catalogs and backups, parsed and written by libyaml when PyYAML has it.

PyYAML's pure-Python scanner and parser are most of the time a large import
takes (63% of a 20,000-topic catalog's); its C extension (libyaml, in PyYAML's
wheels) reads the same text about 9 times faster. Only the parser is swapped:
libyaml's events go straight to plain values (`_values_lean`), with the checks
of `_Checks` (no aliases, no deep nesting, a bounded number of values) made as
it goes, so a document is refused before memory is spent on it; the C composer
would build the whole tree first.

libyaml places some marks differently (an error's column, a problem's context)
and words its errors its own way, and users know the pure-Python ones, line
and column included: `parsed` reads a document with libyaml and, if anything
goes wrong, reads it again with the pure-Python classes, whose error is the one
shown. A document both accept gives the same values on both.

Writing, `yaml.CSafeDumper` with the same representers gives byte-identical
text about 2.5 times faster, but for characters beyond U+FFFF, which libyaml
escapes (services/backup_export.py writes a piece that holds one with PyYAML's dumper).

This module is the one place that chooses: `USE_LIBYAML` (tests turn it off
to run the pure-Python path over the same documents).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from coursetrack.validate import MAX_YAML_NODES

MAX_DEPTH = 20


def _libyaml_parser() -> type[yaml.cyaml.CParser] | None:
    """PyYAML's C parser, if it has one and its libyaml limits nesting itself (0.2.6 on:
    an older one could be driven as deep as the C stack goes)."""
    if getattr(yaml, "CSafeLoader", None) is None or getattr(yaml, "CSafeDumper", None) is None:
        return None
    try:
        from yaml import _yaml  # type: ignore[attr-defined]

        if tuple(_yaml.get_version()) < (0, 2, 6):
            return None
    except (ImportError, AttributeError):
        return None
    return yaml.cyaml.CParser


_CPARSER = _libyaml_parser()
#: Whether catalogs and backups are read and written by libyaml (tests switch it off).
USE_LIBYAML = _CPARSER is not None


class _Checks:
    """Composes nodes only; no implicit typing, no aliases, no deep nesting."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a catalog", event.start_mark
            )
        if self._depth >= MAX_DEPTH:
            # A catalog is 6 levels deep; stop long before Python's recursion limit.
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested more than {MAX_DEPTH} levels deep, far deeper than a catalog goes",
                self.peek_event().start_mark,  # type: ignore[attr-defined]
            )
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            # Each node costs PyYAML ~1 KB: stop before memory does.
            raise yaml.composer.ComposerError(
                None,
                None,
                f"more than {MAX_YAML_NODES:,} values; far more than the largest catalog or "
                "backup allowed (see 'Limits' in the README)",
                self.peek_event().start_mark,  # type: ignore[attr-defined]
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class StrictLoader(_Checks, yaml.SafeLoader):
    """The pure-Python strict loader: the reference for what is accepted, and where."""


StrictLoader.yaml_implicit_resolvers = {}  # every plain scalar is a string


class _Unusual(yaml.YAMLError):
    """Something the lean reading leaves to PyYAML's (see `_values_lean`)."""


def _values_lean(get_event: Callable[[], Any]) -> Any:
    """The plain values (strings, lists, dicts) of a one-document stream of libyaml's
    events, as `documents` makes them from PyYAML's node tree; None: no document.

    No node and no mark is kept: a valid document needs none, and any problem is
    found again, worded and placed, by the pure-Python loader (`parsed`). The node
    tree of a 20,000-topic catalog was the peak of its import's memory. Whatever
    `_Checks` or the walk over the nodes would refuse or leave to PyYAML (an
    anchor, an alias, a tag, a key that is not text, a duplicate key, too deep, too
    many values, a second document) raises `_Unusual`.
    """
    get_event()  # the stream's start
    if isinstance(get_event(), yaml.StreamEndEvent):
        return None
    open_items: list[list] = []  # each open collection's items (a mapping's: key, value...)
    is_mapping: list[bool] = []
    count = 0
    value: Any = None
    while True:
        event = get_event()
        kind = event.__class__
        if (
            kind is yaml.ScalarEvent
            or kind is yaml.SequenceStartEvent
            or kind is yaml.MappingStartEvent
        ):
            count += 1
            if (
                event.anchor is not None
                or event.tag not in (None, "!")
                or len(open_items) >= MAX_DEPTH
                or count > MAX_YAML_NODES
            ):
                raise _Unusual()
            if kind is yaml.ScalarEvent:
                value = event.value
            else:
                if open_items and is_mapping[-1] and not len(open_items[-1]) % 2:
                    raise _Unusual()  # a list or a mapping as a key
                open_items.append([])
                is_mapping.append(kind is yaml.MappingStartEvent)
                continue
        elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            items = open_items.pop()
            if is_mapping.pop():
                value = dict(zip(items[::2], items[1::2], strict=True))
                if 2 * len(value) != len(items):
                    raise _Unusual()  # a duplicate key
            else:
                value = items
        else:
            raise _Unusual()
        if not open_items:
            break
        open_items[-1].append(value)
    if not isinstance(get_event(), yaml.DocumentEndEvent):
        raise _Unusual()
    if not isinstance(get_event(), yaml.StreamEndEvent):
        raise _Unusual()
    return value


if _CPARSER is not None:

    class CStrictLoader(_CPARSER, SafeConstructor, Resolver):  # type: ignore[misc, valid-type]
        """libyaml's events, read to plain values by `_values_lean` (never by the C
        parser's own composer: it holds the whole tree before any check could stop it)."""

        def __init__(self, stream: Any) -> None:
            assert _CPARSER is not None  # this class is made only when there is one
            _CPARSER.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def get_plain_values(self) -> Any:
            return _values_lean(self.get_event)

    CStrictLoader.yaml_implicit_resolvers = {}
else:  # pragma: no cover - PyYAML built without libyaml
    CStrictLoader = None  # type: ignore[assignment, misc]


T = TypeVar("T")


def parsed(read: Callable[[type], T], *, refused: tuple[type[BaseException], ...], text: str) -> T:
    """`read(loader)` with libyaml's loader, or the pure-Python one when it is not used.

    On any problem libyaml's reading meets (a YAML error, or one of `refused`,
    which a document's checks raise with marks from the nodes), the document is
    read again by the pure-Python loader, so the error is worded and placed
    exactly as that loader has always reported it. A document with a tab goes to
    the pure-Python loader at once: the two read tabs differently (libyaml takes
    `- <tab>` as text where PyYAML refuses it), and what is accepted must not
    depend on the machine's PyYAML.
    """
    if not USE_LIBYAML or CStrictLoader is None or "\t" in text:
        return read(StrictLoader)
    try:
        return read(CStrictLoader)
    except (yaml.YAMLError, UnicodeError, RecursionError, *refused):
        return read(StrictLoader)


def compose(text: str, loader: type) -> yaml.Node | None:
    """The node tree of one document (None: an empty one)."""
    return yaml.compose(text, Loader=loader)


def lean(loader: type) -> bool:
    """Whether `loader` reads straight to plain values (`plain_values`), libyaml's way."""
    return loader is CStrictLoader and CStrictLoader is not None


def plain_values(text: str) -> Any:
    """The plain values of one document read by libyaml (None: an empty one); see
    `_values_lean`."""
    assert CStrictLoader is not None  # `lean` said so
    loader = CStrictLoader(text)
    try:
        return loader.get_plain_values()
    finally:
        loader.dispose()


def dumper_base() -> type:
    """The safe dumper to derive from: libyaml's emitter when it is used."""
    if USE_LIBYAML and _CPARSER is not None:
        return yaml.CSafeDumper
    return yaml.SafeDumper
