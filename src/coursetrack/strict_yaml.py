"""Strict YAML for catalogs and backups, parsed and written by libyaml when PyYAML has it.

PyYAML's pure-Python scanner and parser are most of the time a large import
takes (63% of a 20,000-topic catalog's); its C extension (libyaml, in PyYAML's
wheels) reads the same text about 9 times faster. Only the parser is swapped:
nodes are still composed by PyYAML's Python composer, through the same
`compose_node` checks (no aliases, no deep nesting, a bounded number of
values), so a document is refused for the same reasons, before the same
amount of memory is spent, on either path.

libyaml places some marks differently (an error's column, a problem's context)
and words its errors its own way, and users know the pure-Python ones, line
and column included: `parsed` reads a document with libyaml and, if anything
goes wrong, reads it again with the pure-Python classes, whose error is the one
shown. A document both accept gives the same values on both.

Writing, `yaml.CSafeDumper` with the same representers gives byte-identical
text about 2.5 times faster, but for characters beyond U+FFFF, which libyaml
escapes (backup.py writes a piece that holds one with PyYAML's dumper).

This module is the one place that chooses: `USE_LIBYAML` (tests turn it off
to run the pure-Python path over the same documents).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from coursetrack.validate import MAX_YAML_NODES

MAX_DEPTH = 20


def _libyaml_parser() -> type | None:
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

if _CPARSER is not None:

    class CStrictLoader(_Checks, Composer, _CPARSER, SafeConstructor, Resolver):  # type: ignore[misc, valid-type]
        """libyaml's events, composed by PyYAML's composer (before the C parser's own)."""

        def __init__(self, stream: Any) -> None:
            _CPARSER.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    CStrictLoader.yaml_implicit_resolvers = {}
else:  # pragma: no cover - PyYAML built without libyaml
    CStrictLoader = None  # type: ignore[assignment, misc]


T = TypeVar("T")


def parsed(read: Callable[[type], T], *, refused: tuple[type[BaseException], ...]) -> T:
    """`read(loader)` with libyaml's loader, or the pure-Python one when it is not used.

    On any problem libyaml's reading meets (a YAML error, or one of `refused`,
    which a document's checks raise with marks from the nodes), the document is
    read again by the pure-Python loader, so the error is worded and placed
    exactly as that loader has always reported it.
    """
    if not USE_LIBYAML or CStrictLoader is None:
        return read(StrictLoader)
    try:
        return read(CStrictLoader)
    except (yaml.YAMLError, UnicodeError, RecursionError, *refused):
        return read(StrictLoader)


def compose(text: str, loader: type) -> yaml.Node | None:
    """The node tree of one document (None: an empty one)."""
    return yaml.compose(text, Loader=loader)


def dumper_base() -> type:
    """The safe dumper to derive from: libyaml's emitter when it is used."""
    if USE_LIBYAML and _CPARSER is not None:
        return yaml.CSafeDumper
    return yaml.SafeDumper
