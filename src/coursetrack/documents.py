"""Strict documents: catalogs and backups, from YAML text to checked values.

Both kinds are read the same way, by this one loader: the YAML is composed
into nodes by `strict_yaml` (libyaml when PyYAML has it), walked into plain
dicts, lists and strings while the place of every value and key is noted, and
then checked by the kind's pydantic models. Whatever is wrong is reported
once, at the `file:line:col` of the first problem in the file, in one wording
for both kinds: a catalog author and someone restoring a backup read the
same sentence for the same mistake. What differs between the kinds (their
name, error class and models) is a `Kind`.

Strict on purpose: PyYAML's `safe_load` quietly keeps the last of two
duplicate keys, turns `no` into False and `1e3` into a float, and expands
nested aliases without limit. Here every plain scalar stays a string, and
duplicate keys, aliases and explicit tags are refused.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError
from yaml.resolver import Resolver

from coursetrack import strict_yaml
from coursetrack.errors import CoursetrackError
from coursetrack.validate import LIMITS, URL_RULES, field_problem

#: The pydantic error type of a value that breaks a rule of `validate`.
RULE_ERROR = "coursetrack_rule"

_STR = Resolver.DEFAULT_SCALAR_TAG
_PLAIN_TAGS = (_STR, Resolver.DEFAULT_SEQUENCE_TAG, Resolver.DEFAULT_MAPPING_TAG)


# --- rules every document's models share --------------------------------------------


def stored_value(value: Any, field: str, *, what: str | None = None) -> Any:
    """`value` if the store may hold it in `field` (validate's rule), else a pydantic error.

    Catalogs and backups both check their text this way, so a document is held
    to the limits and the URL rule of the command line.
    """
    if isinstance(value, str) and (field in LIMITS or field in URL_RULES):
        problem = field_problem(field, value, what=what)
        if problem:
            raise PydanticCustomError(RULE_ERROR, "{problem}", {"problem": problem})
    return value


def blank_is_absent(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
    """A pydantic "before" validator: "" in an optional field means "not set".

    `description:` with nothing after it reads as "" in our loader, and older
    stores could keep "" (so their backups hold it). A required field (title)
    keeps its "" so it is reported as empty. Catalogs and backups share it.
    """
    assert info.field_name is not None  # a field validator's call names its field
    if value == "" and not cls.model_fields[info.field_name].is_required():
        return None
    return value


# --- the kinds ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What a kind of document is called, raises and is checked by, for its messages."""

    noun: str  # "catalog", "backup"
    error: type[CoursetrackError]
    #: The model of each mapping, by the key that holds it (None: the document itself;
    #: a pair of keys: the key and the one above it), to list the keys allowed where one
    #: is unknown.
    models: Mapping[str | tuple[str, str] | None, type[BaseModel]]
    #: Said after "the file is empty; ".
    empty: str
    #: How the list of allowed keys is introduced.
    allows: str = "allowed here"
    #: What an item of a list must be, where "a mapping" does not say enough.
    items: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Document:
    """One document being read: its label (the file) and where each value and key starts.

    `values` and `keys` map a path inside the document (`("courses", 0,
    "title")`) to its YAML mark; a JSON backup has none, and its errors name
    the path instead (`file: at specializations[0].slug: ...`).
    """

    label: str
    kind: Kind
    values: dict[tuple, yaml.Mark] = field(default_factory=dict)
    keys: dict[tuple, yaml.Mark] = field(default_factory=dict)
    from_yaml: bool = True

    def find(self, path: tuple, *, key: bool = False) -> yaml.Mark | None:
        """Where `path` starts (its key's place with `key`), or the nearest value around it."""
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            mark = self.values.get(path[:end])
            if mark is not None:
                return mark
        return None

    def error(self, path: tuple, message: str, *, key: bool = False) -> CoursetrackError:
        """`message` at the place of `path`: `file:line:col: ...`, else `file: at a.b[2]: ...`."""
        mark = self.find(path, key=key)
        if mark is None and path:
            return self.kind.error(f"{self.label}: at {_dotted(path)}: {message}")
        return self.at(mark, message)

    def at(self, mark: yaml.Mark | None, message: str) -> CoursetrackError:
        if mark is None:
            return self.kind.error(f"{self.label}: {message}")
        return self.kind.error(f"{self.label}:{mark.line + 1}:{mark.column + 1}: {message}")

    def read(self, text: str, loader: type) -> Any:
        """The YAML `text` as plain values, its places noted; errors worded for a person."""
        label, noun = self.label, self.kind.noun
        try:
            if strict_yaml.lean(loader):
                # libyaml's reading, straight to plain values: no node tree, no mark kept (a
                # problem is found again, and placed, by the pure-Python loader: `parsed`)
                values = strict_yaml.plain_values(text)
                if values is None:
                    raise self.kind.error(f"{label}:1:1: the file is empty; {self.kind.empty}")
                return values
            node = strict_yaml.compose(text, loader)
        except yaml.reader.ReaderError as exc:
            raise self.kind.error(f"{label}:{reader_problem(text, exc)}") from None
        except yaml.MarkedYAMLError as exc:
            raise self.at(*yaml_problem(exc)) from None
        except yaml.YAMLError as exc:
            raise self.kind.error(f"{label}: not valid YAML ({exc})") from None
        except RecursionError:
            raise self.kind.error(f"{label}: nested too deeply to be a {noun}") from None
        if node is None:
            raise self.kind.error(f"{label}:1:1: the file is empty; {self.kind.empty}")
        try:
            return _values(node, (), self)
        except RecursionError:
            raise self.kind.error(f"{label}: nested too deeply to be a {noun}") from None


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _values(node: yaml.Node, path: tuple, document: Document) -> Any:
    """The node as plain values: only strings, lists and mappings with plain keys, once each."""
    document.values[path] = node.start_mark
    if node.tag not in _PLAIN_TAGS:
        raise document.at(
            node.start_mark, f"tag {node.tag!r} is not allowed in a {document.kind.noun}"
        )
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        values = document.values
        items = []
        for i, item in enumerate(node.value):
            if item.__class__ is yaml.ScalarNode and item.tag == _STR:
                # A list of plain texts (a catalog's topics) without a call per item.
                values[(*path, i)] = item.start_mark
                items.append(item.value)
            else:
                items.append(_values(item, (*path, i), document))
        return items
    keys = document.keys
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            raise document.at(key_node.start_mark, "keys must be plain words")
        key = key_node.value
        if key in result:
            first = keys[(*path, key)]
            raise document.at(
                key_node.start_mark,
                f"duplicate key {key!r} (first at line {first.line + 1}); keep one",
            )
        keys[(*path, key)] = key_node.start_mark
        result[key] = _values(value_node, (*path, key), document)
    return result


T = TypeVar("T")


def load(text: str, kind: Kind, label: str, check: Callable[[Any, Document], T]) -> T:
    """`check(values, document)` of the YAML `text`: the kind's own checks, which raise
    `document.error(...)` or return what was read.

    Read by libyaml when PyYAML has it; any error is found again by the
    pure-Python loader, which words and places it (see `strict_yaml`).
    """

    def attempt(loader: type) -> T:
        document = Document(label, kind)
        return check(document.read(text, loader), document)

    # Python's cycle collector, paused: reading makes a tree of new objects and frees it,
    # with no cycle to find, yet a 20,000-topic catalog set the collector off hundreds
    # of times (a fifth of its reading).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return strict_yaml.parsed(attempt, refused=(kind.error,), text=text)
    finally:
        if collecting:
            gc.enable()


# --- what went wrong, in words ---------------------------------------------------------


def reader_problem(text: str, exc: yaml.reader.ReaderError) -> str:
    """`line:col: what` for a character YAML does not allow (NUL, ESC, ...)."""
    position = exc.position  # an index into `text`: the reader checks it whole first
    before = text[:position]
    line = before.count("\n") + 1
    col = position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return (
        f"{line}:{col}: control character U+{code:04X} is not allowed in YAML text; "
        "is this a binary file?"
    )


#: PyYAML's names for what it found, in words a document's author knows.
_TOKEN_WORDS = {
    "<block mapping start>": "a key",
    "?": "a key",
    "<block sequence start>": "a list item ('- ')",
    "-": "a list item ('- ')",
    "<scalar>": "text",
    "<block end>": "the end of a block",
    "<stream end>": "the end of the file",
    "<document start>": "'---'",
}


def _found(problem: str) -> str:
    token = problem.rpartition("but found ")[2].rpartition("but got ")[2].strip("'")
    return _TOKEN_WORDS.get(token, f"'{token}'")


def _after_text(mark: yaml.Mark) -> bool:
    """Whether something comes before `mark` on its line (so it is no indentation)."""
    buffer = mark.buffer
    if not isinstance(buffer, str):
        return False
    line = buffer[buffer.rfind("\n", 0, mark.pointer) + 1 : mark.pointer]
    return bool(line.strip())


def yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[yaml.Mark | None, str]:
    """Where a YAML syntax error is, and what it means in plain words.

    PyYAML speaks of tokens (`expected <block end>, but found '?'`); an author
    needs to hear which line is indented wrongly and against what.
    """
    problem = exc.problem or "not valid YAML"
    start, end = exc.context_mark, exc.problem_mark
    context = exc.context or ""
    at = f"line {start.line + 1}, column {start.column + 1}" if start else ""
    if problem.startswith("expected <block end>") and start is not None:
        found = _found(problem)
        if end is not None and _after_text(end):
            return end, (
                f"unexpected {found} after the value on this line; if it is all one value, "
                "put the whole of it in quotes"
            )
        if "block mapping" in context:
            return end, (
                f"wrong indentation: {found} here does not line up with the keys of the "
                f"mapping that starts at {at}; line it up with them (column "
                f"{start.column + 1}), or indent it further to put it inside a value"
            )
        return end, (
            f"wrong indentation: {found} here is not an item of the list that starts at "
            f"{at}; start an item with '- ' at column {start.column + 1}, or indent it "
            "further to put it inside an item"
        )
    if problem == "did not find expected key" and start is not None:
        return end, (
            f"wrong indentation: expected a key (name: value) lined up with the mapping "
            f"that starts at {at}, found {_found(problem)}"
        )
    if problem == "did not find expected '-' indicator" and start is not None:
        return end, (f"wrong indentation: expected an item ('- ') of the list that starts at {at}")
    if problem == "could not find expected ':'" and start is not None:
        return start, (
            "this line is not 'name: value': add ': ' after the name, or, if it continues "
            "the text of the line above, indent it further than that line's key"
        )
    if problem == "mapping values are not allowed here":
        return end, (
            "': ' cannot start a value here; quote text that contains ': ', "
            "or check the indentation"
        )
    if "'\\t'" in problem:
        return end, "a tab here; indent with spaces, not tabs"
    if problem == "found unexpected end of stream" and "quoted scalar" in context and start:
        return end, f"the quote opened at {at} is never closed"
    if context:
        opened = context.startswith("while ")
        if opened and start is not None and end is not None and start.line != end.line:
            # An unclosed bracket: say where it was opened.
            context = f"{context} started at {at}"
        problem = f"{problem} ({context})"
    for token, words in _TOKEN_WORDS.items():
        if token.startswith("<"):
            problem = problem.replace(f"'{token}'", words)
    return end, problem


def first_error(exc: ValidationError, document: Document) -> CoursetrackError:
    """The first of the models' complaints, at its place, with a count of the others."""
    errors = exc.errors()

    def path_of(err: Any) -> tuple:
        # A rule over a list names the item it found (`at`): point at its `field` (a
        # duplicate slug: its slug; a rubric's criterion: the key it is about, or the item).
        loc = tuple(err["loc"])
        ctx = err.get("ctx") or {}
        index = ctx.get("at")
        if index is None:
            return loc
        field = ctx.get("field", "slug")
        return (*loc, index) if field is None else (*loc, index, field)

    def at_key(err: Any) -> bool:
        """Whether the error is about a key itself (where it stands), not its value."""
        return err["type"] == "extra_forbidden" or bool((err.get("ctx") or {}).get("key"))

    def position(err: Any) -> tuple[int, int, int, int, int]:
        # Mapping by mapping in file order; within one, an unknown key first: a
        # `name:` written for `title:` is the cause of the "missing 'title'".
        path = path_of(err)
        owner = document.find(path[:-1]) if path else None
        mark = document.find(path, key=at_key(err))
        return (
            owner.line if owner else 0,
            owner.column if owner else 0,
            not at_key(err),
            mark.line if mark else 0,
            mark.column if mark else 0,
        )

    errors.sort(key=position)
    first = errors[0]
    loc = tuple(first["loc"])
    message = describe(first, loc, document)
    missing = [
        str(e["loc"][-1])
        for e in errors
        if e["type"] == "missing" and tuple(e["loc"][:-1]) == loc[:-1]
    ]
    rest = len(errors) - 1
    if first["type"] == "extra_forbidden" and missing:
        message += f" (is it the missing {missing[0]!r}?)"
        rest -= 1
    if rest:
        message += f" (and {rest} more problem{'s' if rest > 1 else ''})"
    return document.error(path_of(first), message, key=at_key(first))


def describe(err: Any, loc: tuple, document: Document) -> str:
    """One pydantic error in the words of a document's author."""
    kind = document.kind
    names = [part for part in loc if isinstance(part, str)]
    field = names[-1] if names else kind.noun
    problem = err["type"]
    if problem == RULE_ERROR:
        return err["msg"]
    if problem == "extra_forbidden":
        # a mapping's model, by the key that holds it (or the two keys above it, where one
        # key names mappings of two kinds: a topic's reviews and a peer request's)
        owner = kind.models.get((names[-3], names[-2])) if len(names) > 2 else None
        owner = owner or kind.models.get(names[-2] if len(names) > 1 else None)
        allowed = ", ".join(owner.model_fields) if owner else "see the README"
        return f"unknown key {field!r}; {kind.allows}: {allowed}"
    if problem == "missing":
        return f"missing required key {field!r}"
    if problem == "string_unicode":
        return f"{field} is not valid Unicode text (it holds a lone surrogate); retype it"
    if problem == "string_too_short":
        return f"empty {field}; give it some text"
    if problem == "string_type":
        return f"{field} must be text, not {_kind_of(err.get('input'))}"
    if problem == "list_type":
        lines = " (lines starting with '- ')" if document.from_yaml else ""
        return f"{field} must be a list{lines}, not {_kind_of(err.get('input'))}"
    if problem == "literal_error":
        expected = err["ctx"]["expected"].replace("'", "")
        return f"{field} {err['input']!r} is not one of {expected}"
    if problem in ("model_type", "model_attributes_type", "dict_type"):
        found = _kind_of(err.get("input"))
        if loc and isinstance(loc[-1], int):
            return f"each item of {field} must be {kind.items.get(field, 'a mapping')}, not {found}"
        return f"{field} must be a mapping, not {found}"
    return f"{field}: {err['msg']}"


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):  # JSON's true and false (YAML's are text)
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "a single value"
