"""Catalog files: YAML describing a specialization, its courses and topics.

Read by the strict loader of `documents` (shared with backups): every plain
scalar stays a string; duplicate keys, aliases and explicit tags are refused;
the document is validated against the pydantic schema below, whose errors are
traced back to the `line:col` where the offending node starts. A course's or
topic's `rubric:` is checked and made the store's JSON by `coursetrack.rubrics`.
"""

from __future__ import annotations

import datetime
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from coursetrack import documents, rubrics
from coursetrack.documents import RULE_ERROR, blank_is_absent, stored_value
from coursetrack.errors import CatalogError
from coursetrack.slugs import candidates, slug_problem
from coursetrack.validate import MAX_CATALOG_ITEMS

SHIPPED_SUFFIX = ".yaml"
MAX_BYTES = 64 * 1024 * 1024


# --- schema ------------------------------------------------------------------


#: The optional text fields of the models below: "" in one means "not set".
_OPTIONAL = ("slug", "provider", "description", "url", "certificate_url", "licence", "note")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    # Named fields, not "*": a validator is a Python call per value, and a large
    # catalog is tens of thousands of titles (the lists have their own validators).
    _blank_is_absent = field_validator(*_OPTIONAL, mode="before", check_fields=False)(
        blank_is_absent
    )

    @field_validator("title", *_OPTIONAL, mode="after", check_fields=False)
    @classmethod
    def _within_rules(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None  # a field validator's call names its field
        return stored_value(value, info.field_name)


#: `rubric:` (a peer review's criteria and their points, `coursetrack.rubrics`), held
#: as the JSON text the store keeps: checked and converted before pydantic sees it.
Rubric = Annotated[str | None, BeforeValidator(rubrics.checked)]


class TopicSpec(_Strict):
    title: str = Field(min_length=1)
    slug: str | None = None
    description: str | None = None
    url: str | None = None
    rubric: Rubric = None


class CourseSpec(_Strict):
    title: str = Field(min_length=1)
    slug: str | None = None
    description: str | None = None
    url: str | None = None
    certificate_url: str | None = None
    rubric: Rubric = None
    topics: list[TopicSpec] = Field(default_factory=list)

    @field_validator("topics", mode="before")
    @classmethod
    def _titles_as_topics(cls, value: Any) -> Any:
        if value is None or value == "":  # `topics:` with nothing after it
            return []
        if isinstance(value, list):
            return [{"title": item} if isinstance(item, str) else item for item in value]
        return value


class SourceSpec(_Strict):
    """Where a catalog's program was read, and the day: `source:` in the file.

    For whoever checks or updates the catalog (the shipped ones each name theirs,
    with its licence where it asks for credit). It describes the file, not the
    program, so it is not stored, and `export catalog` cannot write it back.
    """

    url: str
    read: str
    licence: str | None = None
    note: str | None = None

    @field_validator("url", mode="after")
    @classmethod
    def _on_the_web(cls, value: str) -> str:
        return stored_value(value, "link_url", what="url")  # a page: http(s), not mailto:

    @field_validator("read", mode="after")
    @classmethod
    def _a_day(cls, value: str) -> str:
        try:
            if _DAY.fullmatch(value):
                datetime.date.fromisoformat(value)
                return value
        except ValueError:
            pass
        raise PydanticCustomError(
            RULE_ERROR,
            "{problem}",
            {"problem": f"read {value!r} is not a date; write the day the source was read "
             "as YYYY-MM-DD"},
        )  # fmt: skip

    @field_validator("licence", "note", mode="after")
    @classmethod
    def _within_limit(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None
        return stored_value(value, "description", what=info.field_name)


class CatalogSpec(_Strict):
    title: str = Field(min_length=1)
    slug: str | None = None
    #: every word of the title as a slug, where the slug was derived from the title and
    #: is shorter (`_fill_slugs`): for the catalog itself, and for its courses and topics
    #: by `id()` (a private attribute on each of 20,000 topics cost 5 MiB of an import)
    _full_slug: str | None = PrivateAttr(default=None)
    _full_slugs: dict[int, str] = PrivateAttr(default_factory=dict)
    provider: str | None = None
    url: str | None = None
    description: str | None = None
    certificate_url: str | None = None
    source: SourceSpec | None = None
    courses: list[CourseSpec] = Field(default_factory=list)

    @field_validator("courses", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None or value == "" else value


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
    return decode(data, where=where)


def decode(data: bytes, *, where: str) -> str:
    """A document's bytes as text (a BOM dropped), or a CatalogError at the first byte
    that is not UTF-8: the same for a file and a download."""
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


CATALOG = documents.Kind(
    noun="catalog",
    error=CatalogError,
    models={None: CatalogSpec, "courses": CourseSpec, "topics": TopicSpec, "source": SourceSpec},
    empty="a catalog is a mapping with title, slug and courses",
    items={"courses": "a mapping with a title: key", "topics": "a mapping or a title"},
)


def parse_catalog(text: str, *, where: str) -> CatalogSpec:
    """Validate a catalog document; errors read `where:line:col: what is wrong`
    (the loader and its wording are `documents`', shared with backups)."""
    return documents.load(text, CATALOG, where, _checked)


def _checked(data: Any, document: documents.Document) -> CatalogSpec:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise document.error((), f"a catalog must be a mapping (title, slug, courses), not {kind}")
    try:
        spec = CatalogSpec.model_validate(data)
    except ValidationError as exc:
        raise documents.first_error(exc, document) from None
    rows = sum(1 + len(course.topics) for course in spec.courses)
    if rows > MAX_CATALOG_ITEMS:
        raise document.error(
            (),
            f"the catalog lists {rows:,} courses and topics; the limit is {MAX_CATALOG_ITEMS:,} "
            "(see 'Limits' in the README): split it into several specializations",
        )
    _fill_slugs(spec, document)
    return spec


def load_catalog(path: Path, *, label: str | None = None) -> CatalogSpec:
    where = label or str(path)
    return parse_catalog(read_text(path, label=where), where=where)


def _fill_slugs(spec: CatalogSpec, document: documents.Document) -> None:
    """Derive missing slugs and refuse invalid or duplicate ones."""

    def settle(item: TopicSpec | CourseSpec | CatalogSpec, path: tuple, seen: dict) -> None:
        explicit = item.slug is not None
        # a derived slug is the title's shortest default no sibling has (`slugs.unique`);
        # the title's every word is kept too, to match a store made when that was the rule
        if item.slug is not None:
            slug = item.slug
        else:
            found = candidates(item.title)  # shortest first; every word last
            slug = next((one for one in found if one not in seen), found[-1])
            if found[-1] != slug:
                if item is spec:
                    spec._full_slug = found[-1]
                else:
                    spec._full_slugs[id(item)] = found[-1]
        # A derived slug is lowercase words joined by '-' within the limit (slugify's
        # promise, tested): only an empty or all-digit one needs the full check.
        problem = slug_problem(slug) if explicit or not slug or slug.isdigit() else None
        if problem or slug in seen:  # where it is, only for an error: a lookup per item
            mark = document.find((*path, "slug" if explicit else "title"))
        if problem:
            hint = "" if explicit else f" (derived from the title {item.title!r}; give a slug:)"
            raise document.at(mark, problem + hint)
        if slug in seen:
            free = next(f"{slug}-{n}" for n in range(2, len(seen) + 3) if f"{slug}-{n}" not in seen)
            raise document.at(
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
    names = ", ".join(slugs) or "none"  # the slugs: what `catalogs` shows first, and short
    raise CatalogError(
        f"{source}: no such file, nor a shipped catalog (shipped: {names}); "
        "see 'coursetrack catalogs'"
    )


#: A top-level `slug:` line with a plain value (a nested one is indented).
_TOP_SLUG = re.compile(r"^slug:[ \t]*([a-z0-9][a-z0-9._-]*)[ \t]*$", re.M)


def shipped_slugs() -> dict[str, str]:
    """Each shipped catalog's slug and its name.

    The slug is read from the file's top-level `slug:` line, which every shipped
    catalog has (tests/test_catalogs.py imports each by it); a catalog without
    one (its slug derived from the title) is loaded whole. Loading them all was
    most of `import SLUG`'s time once nine catalogs shipped.
    """
    slugs = {}
    for name, path in shipped_catalogs().items():
        found = _TOP_SLUG.search(read_text(path, label=path.name))
        slug = found.group(1) if found else load_catalog(path, label=path.name).slug
        slugs[slug or name] = name
    return slugs
