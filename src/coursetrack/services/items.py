"""Editing the catalog by hand: add, update and remove items.

Courses and topics are kept in order by a 1-based `position`; inserting or
removing one shifts its later siblings so positions stay 1..N with no gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from coursetrack.dates import today
from coursetrack.errors import ConflictError, InputError, StaleError
from coursetrack.models import Course, Link, Note, Progress, Review, Specialization, Status, Topic
from coursetrack.refs import Target, courses_of, resolve
from coursetrack.services.notes import add_note
from coursetrack.slugs import slug_problem, slugify
from coursetrack.store import group
from coursetrack.validate import checked

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
    value = slug if slug is not None else slugify(title)
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
    session: Session,
    *,
    title: str,
    slug: str | None = None,
    provider: str | None = None,
    url: str | None = None,
    description: str | None = None,
) -> Specialization:
    group.require_curator(session.connection(), "add specialization")
    taken = set(session.exec(select(Specialization.slug)).all())
    spec = Specialization(
        slug=_settle_slug(slug, title, taken=taken, what="specialization", where="the store"),
        title=title.strip(),
        provider=_optional("provider", provider),
        url=_optional("url", url),
        description=_optional("description", description),
    )
    session.add(spec)
    session.flush()
    return spec


def add_course(
    session: Session,
    *,
    spec_ref: str,
    title: str,
    position: int | None = None,
    slug: str | None = None,
    description: str | None = None,
    url: str | None = None,
) -> tuple[Target, Course]:
    group.require_curator(session.connection(), "add course")
    target = resolve(session, spec_ref, models=True)
    if target.kind != "specialization":
        raise InputError(f"{spec_ref!r} is a {target.kind}; add a course to a specialization")
    spec = target.specialization
    siblings = session.exec(select(Course).where(Course.specialization_id == spec.id)).all()
    at = _insert_at(position, len(siblings), what="course", where=spec.slug)
    course = Course(
        specialization_id=spec.id,
        position=at,
        slug=_settle_slug(
            slug, title, taken={c.slug for c in siblings}, what="course", where=spec.slug
        ),
        title=title.strip(),
        description=_optional("description", description),
        url=_optional("url", url),
    )
    session.exec(
        update(Course)
        .where(col(Course.specialization_id) == spec.id, col(Course.position) >= at)
        .values(position=Course.position + 1)
    )
    session.add(course)
    session.flush()
    return Target(spec, course), course


def add_topic(
    session: Session,
    *,
    course_ref: str,
    title: str,
    position: int | None = None,
    slug: str | None = None,
    description: str | None = None,
    url: str | None = None,
) -> tuple[Target, Topic]:
    group.require_curator(session.connection(), "add topic")
    target = resolve(session, course_ref, models=True)
    if target.kind != "course":
        raise InputError(f"{course_ref!r} is a {target.kind}; add a topic to a course, e.g. dls/2")
    course = target.course
    assert course is not None
    siblings = session.exec(select(Topic).where(Topic.course_id == course.id)).all()
    at = _insert_at(position, len(siblings), what="topic", where=target.ref)
    topic = Topic(
        course_id=course.id,
        position=at,
        slug=_settle_slug(
            slug, title, taken={t.slug for t in siblings}, what="topic", where=target.ref
        ),
        title=title.strip(),
        description=_optional("description", description),
        url=_optional("url", url),
    )
    session.exec(
        update(Topic)
        .where(col(Topic.course_id) == course.id, col(Topic.position) >= at)
        .values(position=Topic.position + 1)
    )
    session.add(topic)
    session.flush()
    return Target(target.specialization, course, topic), topic


@dataclass
class Updated:
    ref: str
    fields: list[str]


def update_item(
    session: Session,
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
    catalog's, which in a study group only a curator may change.
    """
    catalog = (title, slug, description, url, certificate_url, provider)
    if any(value is not None for value in catalog):
        group.require_curator(session.connection(), f"update {ref}")
    target = resolve(session, ref, models=True)
    item = target.item
    if certificate_url is not None and target.kind == "topic":
        raise InputError(
            "topics have no certificate; set --certificate-url on a course or specialization"
        )
    if provider is not None and target.kind != "specialization":
        raise InputError("only a specialization has a provider")
    changed: list[str] = []
    if title is not None:
        if not title.strip():
            raise InputError("--title is empty; give it some text")
        item.title = checked("title", title.strip(), what="--title")
        changed.append("title")
    if slug is not None and slug != item.slug:
        taken = _sibling_slugs(session, target)
        item.slug = _settle_slug(
            slug, item.title, taken=taken, what=target.kind, where=_parent(target)
        )
        changed.append("slug")
    for name, value in (
        ("description", description),
        ("url", url),
        ("certificate_url", certificate_url),
        ("provider", provider),
    ):
        if value is not None:
            setattr(item, name, _optional(name, value))
            changed.append(name)
    if note is not None:
        add_note(session, item=item, text=note, on=today())
        changed.append("note")
    if not changed:
        raise InputError(
            "nothing to update: give at least one of --title, --slug, --description, --url, "
            "--certificate-url, --provider, --note"
        )
    session.add(item)
    session.flush()
    return Updated(target.ref, changed)


def _parent(target: Target) -> str:
    if target.kind == "topic":
        return f"{target.specialization.slug}/{target.course.slug}"  # type: ignore[union-attr]
    if target.kind == "course":
        return target.specialization.slug
    return "the store"


def _sibling_slugs(session: Session, target: Target) -> set[str]:
    if target.kind == "topic":
        query = select(Topic.slug).where(Topic.course_id == target.course.id)  # type: ignore[union-attr]
    elif target.kind == "course":
        query = select(Course.slug).where(Course.specialization_id == target.specialization.id)
    else:
        query = select(Specialization.slug)
    return set(session.exec(query).all())


@dataclass
class Removal:
    ref: str
    title: str
    kind: str
    courses: int
    topics: int
    recorded: int  # progress, notes, links and reviews the learner entered


def describe_removal(session: Session, *, ref: str) -> Removal:
    """What `rm REF` would delete, so the CLI can ask first.

    In a study group only a curator may remove an item, and never one that
    other learners keep records on: both are refused here, before any question.
    """
    group.require_curator(session.connection(), f"rm {ref}")
    target = resolve(session, ref, models=True)
    if target.kind == "topic":
        course_ids: list[int] = []
        topic_ids = [target.topic.id]  # type: ignore[union-attr]
    else:
        course_ids = [c.id for c in courses_of(session, target)]
        topic_ids = list(
            session.exec(select(Topic.id).where(col(Topic.course_id).in_(course_ids))).all()
        )
    spec_id = target.specialization.id if target.kind == "specialization" else None
    others = group.others_recorded(
        session.connection(),
        specializations=[spec_id] if spec_id is not None else [],
        courses=course_ids,
        topics=topic_ids,
    )
    if others:
        raise ConflictError(group.others_message(f"removing {target.kind} {target.ref}", others))

    def owned(model: type[Progress] | type[Note] | type[Link]):
        clause = col(model.topic_id).in_(topic_ids) | col(model.course_id).in_(course_ids)
        if spec_id is not None:  # `== None` would match every row without a specialization
            clause = clause | (col(model.specialization_id) == spec_id)
        return clause

    recorded = session.exec(
        select(func.count())
        .select_from(Progress)
        .where(
            owned(Progress),
            (col(Progress.status) != Status.TODO) | col(Progress.started_on).is_not(None),
        )
    ).one()
    for model in (Note, Link):
        recorded += session.exec(select(func.count()).select_from(model).where(owned(model))).one()
    recorded += session.exec(
        select(func.count()).select_from(Review).where(col(Review.topic_id).in_(topic_ids))
    ).one()
    return Removal(
        target.ref, target.item.title, target.kind, len(course_ids), len(topic_ids), recorded
    )


def remove_item(session: Session, *, ref: str, shown: Removal | None = None) -> Removal:
    """Delete an item, everything under it and its progress; close the gap it leaves.

    `shown` is what the user was asked to confirm, outside this transaction. If
    the item holds something else now (another command recorded progress or
    added topics meanwhile), nothing is deleted. That `ref` still names the row
    that was shown is checked by `resolve` (see `Store.write`'s `seen`).
    """
    removal = describe_removal(session, ref=ref)
    if shown is not None and removal != shown:
        gained = removal.recorded > shown.recorded
        what = (
            f"gained progress while you were asked ({removal.recorded} records now, "
            f"{shown.recorded} before)"
            if gained
            else "changed while you were asked"
        )
        raise StaleError(f"{removal.ref} {what}; nothing removed, run rm again")
    target = resolve(session, ref, models=True)
    item = target.item
    if isinstance(item, Topic):
        shift = update(Topic).where(
            col(Topic.course_id) == item.course_id, col(Topic.position) > item.position
        )
    elif isinstance(item, Course):
        shift = update(Course).where(
            col(Course.specialization_id) == item.specialization_id,
            col(Course.position) > item.position,
        )
    else:
        shift = None
    session.delete(item)
    session.flush()
    if shift is not None:
        table = Topic if isinstance(item, Topic) else Course
        session.exec(shift.values(position=table.position - 1))
    return removal
