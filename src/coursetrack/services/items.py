"""Editing the catalog by hand: add, update and remove items.

Courses and topics are kept in order by a 1-based `position`; inserting or
removing one shifts its later siblings so positions stay 1..N with no gaps
(`store.items` does it in one statement). Items are the store's rows
(`refs.resolve`), changed through `store.items`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coursetrack.dates import today
from coursetrack.errors import ConflictError, InputError, StaleError
from coursetrack.refs import Target, resolve
from coursetrack.services.notes import note_text
from coursetrack.slugs import slug_problem, unique
from coursetrack.store import group, group_views
from coursetrack.store import items as store
from coursetrack.store import notes as notes_store
from coursetrack.store.reader import Row
from coursetrack.validate import checked

if TYPE_CHECKING:
    from coursetrack.store.reader import Reader
    from coursetrack.store.writer import Writer

_OPTIONS = {
    "description": "--description",
    "url": "--url",
    "certificate_url": "--certificate-url",
    "provider": "--provider",
}


def _optional(name: str, value: str | None) -> str | None:
    """An optional field as given on the command line: checked, and "" is no value."""
    if name.endswith("url"):
        value = (value or "").strip()  # as pasted, with a space or newline around it
    if not value:
        return None
    return checked(name, value, what=_OPTIONS[name])


def _settle_slug(slug: str | None, title: str, *, taken: set[str], what: str, where: str) -> str:
    if not title.strip():
        raise InputError(f"the {what} title is empty; give it some text")
    checked("title", title.strip(), what=f"the {what} title")
    value = slug if slug is not None else unique(title, taken)
    problem = slug_problem(value)
    if problem:
        hint = "" if slug is not None else f" (derived from {title!r}); choose one with --slug"
        raise InputError(problem + hint)
    if value in taken:
        raise ConflictError(
            f"{where} already has a {what} with slug {value!r}; choose another with --slug"
        )
    return value


def _insert_at(position: int | None, count: int, *, what: str, where: str) -> int:
    if position is None:
        return count + 1
    if not 1 <= position <= count + 1:
        raise InputError(
            f"--position {position} is out of range: {where} has {count} {what}s, "
            f"so use 1 to {count + 1}"
        )
    return position


def add_specialization(
    writer: Writer,
    *,
    title: str,
    slug: str | None = None,
    provider: str | None = None,
    url: str | None = None,
    description: str | None = None,
) -> Row:
    group.require_curator(writer, "add specialization")
    taken = store.slugs_of(writer, "specialization")
    spec = Row(
        slug=_settle_slug(slug, title, taken=taken, what="specialization", where="the store"),
        title=title.strip(),
        provider=_optional("provider", provider),
        url=_optional("url", url),
        description=_optional("description", description),
    )
    spec["id"] = store.add_specialization(writer, **spec)
    return spec


def add_course(
    writer: Writer,
    *,
    spec_ref: str,
    title: str,
    position: int | None = None,
    slug: str | None = None,
    description: str | None = None,
    url: str | None = None,
) -> tuple[Target, Row]:
    group.require_curator(writer, "add course")
    target = resolve(writer, spec_ref)
    if target.kind != "specialization":
        raise InputError(f"{spec_ref!r} is a {target.kind}; add a course to a specialization")
    spec = target.specialization
    course = _add_child(
        writer,
        "course",
        parent_id=spec.id,
        where=spec.slug,
        title=title,
        position=position,
        slug=slug,
        description=description,
        url=url,
    )
    return Target(spec, course), course


def add_topic(
    writer: Writer,
    *,
    course_ref: str,
    title: str,
    position: int | None = None,
    slug: str | None = None,
    description: str | None = None,
    url: str | None = None,
) -> tuple[Target, Row]:
    group.require_curator(writer, "add topic")
    target = resolve(writer, course_ref)
    if target.kind != "course":
        raise InputError(f"{course_ref!r} is a {target.kind}; add a topic to a course, e.g. dls/2")
    course = target.course
    assert course is not None
    topic = _add_child(
        writer,
        "topic",
        parent_id=course.id,
        where=target.ref,
        title=title,
        position=position,
        slug=slug,
        description=description,
        url=url,
    )
    return Target(target.specialization, course, topic), topic


def _add_child(
    writer: Writer,
    kind: str,
    *,
    parent_id: int,
    where: str,
    title: str,
    position: int | None,
    slug: str | None,
    description: str | None,
    url: str | None,
) -> Row:
    """A course or topic checked as the user gave it, then inserted at its position."""
    at = _insert_at(position, store.count_children(writer, kind, parent_id), what=kind, where=where)
    taken = store.slugs_of(writer, kind, parent_id)
    item = Row(
        position=at,
        slug=_settle_slug(slug, title, taken=taken, what=kind, where=where),
        title=title.strip(),
        description=_optional("description", description),
        url=_optional("url", url),
    )
    item["id"] = store.add_child(writer, kind, parent_id=parent_id, **item)
    return item


@dataclass
class Updated:
    ref: str
    fields: list[str]


def update_item(
    writer: Writer,
    *,
    ref: str,
    title: str | None = None,
    slug: str | None = None,
    description: str | None = None,
    url: str | None = None,
    certificate_url: str | None = None,
    provider: str | None = None,
    note: str | None = None,
) -> Updated:
    """Change the given fields of one item; an empty string clears an optional one.

    Only `--note` keeps to the learner's own record; any other field is the
    catalog's, which in a study group only a curator may change. Only the
    columns whose value changes are written (a field given as it is stays out
    of the history).
    """
    catalog = (title, slug, description, url, certificate_url, provider)
    if any(value is not None for value in catalog):
        group.require_curator(writer, f"update {ref}")
    target = resolve(writer, ref)
    item = target.item
    if certificate_url is not None and target.kind == "topic":
        raise InputError(
            "topics have no certificate; set --certificate-url on a course or specialization"
        )
    if provider is not None and target.kind != "specialization":
        raise InputError("only a specialization has a provider")
    new: dict[str, str | None] = {}
    changed: list[str] = []
    if title is not None:
        if not title.strip():
            raise InputError("--title is empty; give it some text")
        new["title"] = checked("title", title.strip(), what="--title")
        changed.append("title")
    if slug is not None and slug != item.slug:
        taken = store.slugs_of(writer, target.kind, _parent_id(target))
        title_now = new.get("title") or item.title
        new["slug"] = _settle_slug(
            slug, title_now, taken=taken, what=target.kind, where=_parent(target)
        )
        changed.append("slug")
    for name, value in (
        ("description", description),
        ("url", url),
        ("certificate_url", certificate_url),
        ("provider", provider),
    ):
        if value is not None:
            new[name] = _optional(name, value)
            changed.append(name)
    text = note_text(note) if note is not None else None
    if note is not None:
        changed.append("note")
    if not changed:
        raise InputError(
            "nothing to update: give at least one of --title, --slug, --description, --url, "
            "--certificate-url, --provider, --note"
        )
    differing = {name: value for name, value in new.items() if item[name] != value}
    store.update_item(writer, target.kind, item.id, differing)
    item.update(differing)  # the ref it answers with is the new one
    if text is not None:
        notes_store.insert_note(
            writer, kind=target.kind, item_id=item.id, written_on=today(), text=text
        )
    return Updated(target.ref, changed)


def _parent(target: Target) -> str:
    if target.kind == "topic":
        return f"{target.specialization.slug}/{target.course.slug}"  # type: ignore[union-attr]
    if target.kind == "course":
        return target.specialization.slug
    return "the store"


def _parent_id(target: Target) -> int | None:
    if target.kind == "topic":
        return target.course.id  # type: ignore[union-attr]
    if target.kind == "course":
        return target.specialization.id
    return None


@dataclass
class Removal:
    ref: str
    title: str
    kind: str
    courses: int
    topics: int
    recorded: int  # progress, notes, links and reviews the learner entered


def describe_removal(reader: Reader, *, ref: str) -> Removal:
    """What `rm REF` would delete, so the CLI can ask first.

    In a study group only a curator may remove an item, and never one that
    other learners keep records on: both are refused here, before any question.
    """
    group.require_curator(reader, f"rm {ref}")
    target = resolve(reader, ref)
    ids: dict[str, int | None] = {kind: None for kind in ("specialization", "course", "topic")}
    ids[target.kind] = target.item.id
    # specializations=, courses= or topics=: the one of the item's kind
    by_kind: dict[str, Any] = {f"{kind}s": [item_id] for kind, item_id in ids.items() if item_id}
    others = group_views.others_recorded(reader, **by_kind, under=True)
    if others:
        from coursetrack.store.group_views import others_message

        raise ConflictError(others_message(f"removing {target.kind} {target.ref}", others))
    counts = store.removal_counts(reader, **ids)
    return Removal(
        target.ref,
        target.item.title,
        target.kind,
        int(counts.courses),
        int(counts.topics),
        int(counts.recorded),
    )


def remove_item(writer: Writer, *, ref: str, shown: Removal | None = None) -> Removal:
    """Delete an item, everything under it and its progress; close the gap it leaves.

    `shown` is what the user was asked to confirm, outside this transaction. If
    the item holds something else now (another command recorded progress or
    added topics meanwhile), nothing is deleted. That `ref` still names the row
    that was shown is checked by `resolve` (see `Store.write`'s `seen`).
    """
    removal = describe_removal(writer, ref=ref)
    if shown is not None and removal != shown:
        gained = removal.recorded > shown.recorded
        what = (
            f"gained progress while you were asked ({removal.recorded} records now, "
            f"{shown.recorded} before)"
            if gained
            else "changed while you were asked"
        )
        raise StaleError(f"{removal.ref} {what}; nothing removed, run rm again")
    target = resolve(writer, ref)
    item = target.item
    store.remove_item(
        writer,
        target.kind,
        item.id,
        parent_id=_parent_id(target),
        position=item.get("position"),
    )
    return removal
