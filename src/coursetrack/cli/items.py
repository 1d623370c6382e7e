"""`coursetrack add|update|rm`: editing the catalog by hand."""

from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import command_line, confirm, open_store, writing

add_app = typer.Typer(
    name="add",
    help="Add a specialization, a course or a topic by hand.",
    no_args_is_help=True,
)

Title = Annotated[str, typer.Argument(help="Its title.", show_default=False)]


@add_app.command("specialization")
def add_specialization(
    ctx: typer.Context,
    title: Title,
    slug: options.Slug = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Who offers it (Coursera, edX...).")
    ] = None,
    url: options.Url = None,
    description: options.Description = None,
    json: options.Json = False,
) -> None:
    """Add a specialization (a program of courses).

    Example:

      coursetrack add specialization "Machine Learning Engineering" --slug mle --provider Coursera
    """
    from coursetrack import render
    from coursetrack.services import items

    with writing(ctx) as writer:
        spec = items.add_specialization(
            writer, title=title, slug=slug, provider=provider, url=url, description=description
        )
        result = {"ref": spec.slug, "title": spec.title}
    if json:
        render.print_json(result)
    else:
        render.success(f"added specialization {result['ref']}: {result['title']}")


@add_app.command("course")
def add_course(
    ctx: typer.Context,
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC",
            help="The specialization's ref.",
            autocompletion=options.complete_spec,
        ),
    ],
    title: Title,
    position: options.Position = None,
    slug: options.Slug = None,
    description: options.Description = None,
    url: options.Url = None,
    json: options.Json = False,
) -> None:
    """Add a course to a specialization.

    Example:

      coursetrack add course mle "Deploying Models" --position 3
    """
    from coursetrack import render
    from coursetrack.services import items

    with writing(ctx) as writer:
        target, course = items.add_course(
            writer,
            spec_ref=spec,
            title=title,
            position=position,
            slug=slug,
            description=description,
            url=url,
        )
        result = {"ref": target.ref, "title": course.title, "position": course.position}
    if json:
        render.print_json(result)
    else:
        render.success(f"added course {result['ref']} at position {result['position']}: {title}")


@add_app.command("topic")
def add_topic(
    ctx: typer.Context,
    course: Annotated[
        str,
        typer.Argument(
            metavar="SPEC/COURSE",
            help="The course's ref.",
            autocompletion=options.complete_course,
        ),
    ],
    title: Title,
    position: options.Position = None,
    slug: options.Slug = None,
    description: options.Description = None,
    url: options.Url = None,
    json: options.Json = False,
) -> None:
    """Add a topic to a course.

    Example:

      coursetrack add topic dls/cnn "Vision transformers"
    """
    from coursetrack import render
    from coursetrack.services import items

    with writing(ctx) as writer:
        target, topic = items.add_topic(
            writer,
            course_ref=course,
            title=title,
            position=position,
            slug=slug,
            description=description,
            url=url,
        )
        result = {"ref": target.ref, "title": topic.title, "position": topic.position}
    if json:
        render.print_json(result)
    else:
        render.success(f"added topic {result['ref']} at position {result['position']}: {title}")


def update(
    ctx: typer.Context,
    ref: options.Ref,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    slug: Annotated[str | None, typer.Option("--slug", help="New slug (changes its ref).")] = None,
    description: options.Description = None,
    url: options.Url = None,
    certificate_url: Annotated[
        str | None,
        typer.Option(
            "--certificate-url", help="Where your certificate is (course or specialization)."
        ),
    ] = None,
    provider: Annotated[str | None, typer.Option("--provider", help="Who offers it.")] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Add a dated note (as 'coursetrack note' does).")
    ] = None,
    json: options.Json = False,
) -> None:
    """Change an item's title, slug, description, links or note. An empty value clears a field.

    Examples:

      coursetrack update dls --certificate-url https://coursera.org/verify/specialization/XYZ

      coursetrack update dls/2 --note "redo the Adam assignment"
    """
    from coursetrack import render
    from coursetrack.services import items

    with writing(ctx) as writer:
        updated = items.update_item(
            writer,
            ref=ref,
            title=title,
            slug=slug,
            description=description,
            url=url,
            certificate_url=certificate_url,
            provider=provider,
            note=note,
        )
    if json:
        render.print_json(updated)
    else:
        render.success(f"updated {updated.ref}: {', '.join(updated.fields)}")


def rm(
    ctx: typer.Context, ref: options.Ref, yes: options.Yes = False, json: options.Json = False
) -> None:
    """Remove an item with everything under it. Asks first if it holds any progress.

    Examples:

      coursetrack rm dls/2/3

      coursetrack rm mle --yes
    """
    from coursetrack import render
    from coursetrack.services import items

    store = open_store(ctx, write=True)
    # The question and the write share one snapshot of the store: under the lock,
    # `ref` must still name the row shown here (never a neighbour that moved
    # into its position or matches its prefix), holding what was shown.
    with store.read() as seen:
        plan = items.describe_removal(seen, ref=ref)
        if plan.recorded and not yes:
            what = f"{plan.kind} {plan.ref}"
            if plan.kind == "specialization":
                what += f" ({plan.courses} courses, {plan.topics} topics)"
            elif plan.kind == "course":
                what += f" ({plan.topics} topics)"
            records = f"{plan.recorded} record(s) of your study (progress, notes, links, reviews)"
            confirm(
                f"Delete {what} and {records}?",
                refusal=f"{what} holds {records}",
                declined="nothing removed",
            )
        with store.write(command_line(ctx), seen=seen) as writer:
            removal = items.remove_item(writer, ref=ref, shown=None if yes else plan)
    if json:
        render.print_json(removal)
    else:
        render.success(f"removed {removal.kind} {removal.ref}: {removal.title}")
