"""Catalog files: YAML describing a specialization, its courses and topics.

Loading is strict on purpose. PyYAML's `safe_load` quietly keeps the last of
two duplicate keys, turns `no` into False and `1e3` into a float, and expands
nested aliases without limit. Here every plain scalar stays a string, duplicate
keys, aliases and explicit tags are refused, and the document is validated
against a pydantic schema whose errors are traced back to the `line:col` where
the offending node starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from coursetrack import strict_yaml
from coursetrack.errors import CatalogError
from coursetrack.slugs import slug_problem, slugify
from coursetrack.validate import (
    LIMITS,
    MAX_CATALOG_ITEMS,
    URL_RULES,
    field_problem,
)

SHIPPED_SUFFIX = ".yaml"
MAX_BYTES = 64 * 1024 * 1024
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


# --- schema ------------------------------------------------------------------

#: The pydantic error type of a value that breaks a rule of `validate`.
RULE_ERROR = "coursetrack_rule"


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
    if value == "" and not cls.model_fields[info.field_name].is_required():
        return None
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    _blank_is_absent = field_validator("*", mode="before")(blank_is_absent)

    @field_validator("*", mode="after")
    @classmethod
    def _within_rules(cls, value: Any, info: ValidationInfo) -> Any:
        return stored_value(value, info.field_name)


class TopicSpec(_Strict):
    title: str = Field(min_length=1)
    slug: str | None = None
    description: str | None = None
    url: str | None = None


class CourseSpec(_Strict):
    title: str = Field(min_length=1)
    slug: str | None = None
    description: str | None = None
    url: str | None = None
    certificate_url: str | None = None
    topics: list[TopicSpec] = Field(default_factory=list)

    @field_validator("topics", mode="before")
    @classmethod
    def _titles_as_topics(cls, value: Any) -> Any:
        if value is None or value == "":  # `topics:` with nothing after it
            return []
        if isinstance(value, list):
            return [{"title": item} if isinstance(item, str) else item for item in value]
        return value


class CatalogSpec(_Strict):
    title: str = Field(min_length=1)
    slug: str | None = None
    provider: str | None = None
    url: str | None = None
    description: str | None = None
    certificate_url: str | None = None
    courses: list[CourseSpec] = Field(default_factory=list)

    @field_validator("courses", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None or value == "" else value


# --- strict YAML ---------------------------------------------------------------


# The loader (libyaml's or PyYAML's, with the same checks) is chosen in `strict_yaml`.


@dataclass
class _Marks:
    """Where each value and each key of the document starts, by path."""

    values: dict[tuple, yaml.Mark]
    keys: dict[tuple, yaml.Mark]

    def find(self, loc: tuple, *, key: bool = False) -> yaml.Mark | None:
        if key and loc in self.keys:
            return self.keys[loc]
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.values:
                return self.values[loc[:end]]
        return None


def _to_python(node: yaml.Node, path: tuple, marks: _Marks, where: str) -> Any:
    marks.values[path] = node.start_mark
    if node.tag not in (_STR, _SEQ, _MAP):
        raise _node_error(where, node.start_mark, f"tag {node.tag!r} is not allowed in a catalog")
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), marks, where) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
            raise _node_error(where, key_node.start_mark, "keys must be plain words")
        key = key_node.value
        if key in result:
            first = marks.keys[(*path, key)]
            raise _node_error(
                where,
                key_node.start_mark,
                f"duplicate key {key!r} (first at line {first.line + 1}); keep one",
            )
        marks.keys[(*path, key)] = key_node.start_mark
        result[key] = _to_python(value_node, (*path, key), marks, where)
    return result


def _node_error(where: str, mark: yaml.Mark | None, message: str) -> CatalogError:
    if mark is None:
        return CatalogError(f"{where}: {message}")
    return CatalogError(f"{where}:{mark.line + 1}:{mark.column + 1}: {message}")


# --- loading -------------------------------------------------------------------


def read_text(path: Path, *, label: str | None = None) -> str:
    """The file's text, or a CatalogError saying why it cannot be read."""
    where = label or str(path)
    if path.is_dir():
        raise CatalogError(f"{where} is a directory; give a catalog file (.yaml)")
    try:
        with path.open("rb") as fh:
            # Never more than the limit: /dev/zero or a runaway pipe stops here.
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise CatalogError(f"{where}: no such file") from None
    except OSError as exc:
        raise CatalogError(f"{where}: cannot read it ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise CatalogError(f"{where} is over 64 MiB; catalogs are limited to 64 MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        before = data[line_start : exc.start].decode("utf-8-sig", errors="replace")
        raise CatalogError(
            f"{where}:{line}:{len(before) + 1}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save it as UTF-8"
        ) from None


def parse_catalog(text: str, *, where: str) -> CatalogSpec:
    """Validate a catalog document; errors read `where:line:col: what is wrong`.

    Read by libyaml when PyYAML has it; any error is found again by the
    pure-Python loader, which words and places it (see `strict_yaml`).
    """
    return strict_yaml.parsed(
        lambda loader: _parse_catalog(text, where=where, loader=loader),
        refused=(CatalogError,),
        text=text,
    )


def _parse_catalog(text: str, *, where: str, loader: type) -> CatalogSpec:
    try:
        node = strict_yaml.compose(text, loader)
    except yaml.MarkedYAMLError as exc:
        mark, problem = yaml_problem(exc)
        raise _node_error(where, mark, problem) from None
    except yaml.reader.ReaderError as exc:
        raise CatalogError(f"{where}:{reader_problem(text, exc)}") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{where}: not valid YAML ({exc})") from None
    except RecursionError:
        raise CatalogError(f"{where}: nested too deeply to be a catalog") from None
    if node is None:
        raise CatalogError(
            f"{where}:1:1: the file is empty; a catalog is a mapping with title, slug and courses"
        )
    marks = _Marks({}, {})
    try:
        data = _to_python(node, (), marks, where)
    except RecursionError:
        raise CatalogError(f"{where}: nested too deeply to be a catalog") from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise _node_error(
            where,
            node.start_mark,
            f"a catalog must be a mapping (title, slug, courses), not {kind}",
        )
    try:
        spec = CatalogSpec.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, marks, where) from None
    rows = sum(1 + len(course.topics) for course in spec.courses)
    if rows > MAX_CATALOG_ITEMS:
        raise _node_error(
            where,
            node.start_mark,
            f"the catalog lists {rows:,} courses and topics; the limit is {MAX_CATALOG_ITEMS:,} "
            "(see 'Limits' in the README): split it into several specializations",
        )
    _fill_slugs(spec, marks, where)
    return spec


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


def load_catalog(path: Path, *, label: str | None = None) -> CatalogSpec:
    where = label or str(path)
    return parse_catalog(read_text(path, label=where), where=where)


#: PyYAML's names for what it found, in words a catalog author knows.
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

    PyYAML speaks of tokens (`expected <block end>, but found '?'`); a catalog
    author needs to hear which line is indented wrongly and against what.
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


_KEYS = {
    (): CatalogSpec,
    ("courses",): CourseSpec,
    ("courses", "topics"): TopicSpec,
}


def _validation_error(exc: ValidationError, marks: _Marks, where: str) -> CatalogError:
    errors = exc.errors()

    def position(err: dict) -> tuple[int, int, int, int, int]:
        # Mapping by mapping in file order; within one, an unknown key first: a
        # `name:` written for `title:` is the cause of the "missing 'title'".
        loc = tuple(err["loc"])
        owner = marks.find(loc[:-1]) if loc else None
        mark = marks.find(loc, key=err["type"] == "extra_forbidden")
        return (
            owner.line if owner else 0,
            owner.column if owner else 0,
            err["type"] != "extra_forbidden",
            mark.line if mark else 0,
            mark.column if mark else 0,
        )

    errors.sort(key=position)
    first = errors[0]
    loc = tuple(first["loc"])
    mark = marks.find(loc, key=first["type"] == "extra_forbidden")
    message = _describe(first, loc)
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
    return _node_error(where, mark, message)


def _describe(err: dict, loc: tuple) -> str:
    field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "catalog")
    owner = _KEYS.get(tuple(p for p in loc[:-1] if isinstance(p, str)))
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(owner.model_fields) if owner else "see the README"
        return f"unknown key {field!r}; allowed here: {allowed}"
    if kind == "missing":
        return f"missing required key {field!r}"
    if kind == RULE_ERROR:
        return err["msg"]
    if kind == "string_unicode":
        return f"{field} is not valid Unicode text (it holds a lone surrogate); retype it"
    if kind == "string_too_short":
        return f"empty {field}; give it some text"
    if kind == "string_type":
        return f"{field} must be text, not {_kind_of(err.get('input'))}"
    if kind == "list_type":
        return (
            f"{field} must be a list (lines starting with '- '), not {_kind_of(err.get('input'))}"
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        found = _kind_of(err.get("input"))
        if field == "topics":
            return f"each item of topics must be a mapping or a title, not {found}"
        return f"each item of {field} must be a mapping with a title: key, not {found}"
    return f"{field}: {err['msg']}"


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a single value"


def _fill_slugs(spec: CatalogSpec, marks: _Marks, where: str) -> None:
    """Derive missing slugs and refuse invalid or duplicate ones."""

    def settle(item: TopicSpec | CourseSpec | CatalogSpec, path: tuple, seen: dict) -> None:
        explicit = item.slug is not None
        slug = item.slug if explicit else slugify(item.title)
        problem = slug_problem(slug)
        if problem or slug in seen:  # where it is, only for an error: a lookup per item
            mark = marks.find((*path, "slug" if explicit else "title"))
        if problem:
            hint = "" if explicit else f" (derived from the title {item.title!r}; give a slug:)"
            raise _node_error(where, mark, problem + hint)
        if slug in seen:
            free = next(f"{slug}-{n}" for n in range(2, len(seen) + 3) if f"{slug}-{n}" not in seen)
            raise _node_error(
                where,
                mark,
                f"duplicate slug {slug!r}, also used by {seen[slug]!r}; give one of them "
                f"another slug: `slug: {free}`",
            )
        seen[slug] = item.title
        item.slug = slug

    settle(spec, (), {})
    course_slugs: dict[str, str] = {}
    for i, course in enumerate(spec.courses):
        settle(course, ("courses", i), course_slugs)
        topic_slugs: dict[str, str] = {}
        for j, topic in enumerate(course.topics):
            settle(topic, ("courses", i, "topics", j), topic_slugs)


# --- shipped catalogs -----------------------------------------------------------


def shipped_dir() -> Path:
    """The catalogs that come with coursetrack.

    Inside a wheel they are package data (`coursetrack/data`); in a source
    checkout they are the repository's top-level `data/`.
    """
    packaged = resources.files("coursetrack") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data"


def shipped_catalogs() -> dict[str, Path]:
    """Shipped catalog names (the file stems) and their paths."""
    folder = shipped_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob(f"*{SHIPPED_SUFFIX}"))}


def find_source(source: str) -> tuple[Path, str]:
    """A catalog path and the label errors use, from a path, or a shipped catalog's
    name or slug (`coursetrack catalogs` shows both, so both must work).

    A file of that name wins; a folder does not hide a shipped catalog."""
    path = Path(source).expanduser()
    if path.exists() and not path.is_dir():
        return path, source
    shipped = shipped_catalogs()
    name = source.removesuffix(SHIPPED_SUFFIX)  # `deep-learning-specialization.yaml` too
    if name in shipped:
        return shipped[name], f"{name}{SHIPPED_SUFFIX}"
    slugs = shipped_slugs()
    if name in slugs:
        return shipped[slugs[name]], f"{slugs[name]}{SHIPPED_SUFFIX}"
    if path.exists():
        return path, source
    names = ", ".join(f"{n} ({s})" for s, n in slugs.items()) or "none"
    raise CatalogError(
        f"{source}: no such file, nor a shipped catalog (shipped: {names}); "
        "see 'coursetrack catalogs'"
    )


def shipped_slugs() -> dict[str, str]:
    """Each shipped catalog's slug and its name: a slug is read from the file (it may
    be derived from the title), so the catalogs are loaded; there are a handful."""
    return {
        load_catalog(path, label=path.name).slug or name: name
        for name, path in shipped_catalogs().items()
    }
