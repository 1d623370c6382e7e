"""`coursetrack export markdown|yaml|json`: a blog post, or a backup of the record."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import open_store


class PostFormat(StrEnum):
    """--format's choices (blog.FORMATS; kept here so --help need not import blog)."""

    HUGO = "hugo"
    JEKYLL = "jekyll"
    PLAIN = "plain"


export_app = typer.Typer(
    name="export",
    help="Write a blog post about a specialization, or back up the whole record.\n\n"
    "Examples:\n\n"
    "  coursetrack export markdown dls --tag Coursera -o content/posts\n\n"
    "  coursetrack export yaml -o coursetrack-backup.yaml",
    no_args_is_help=True,
)

Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="Write to this file instead of standard output.",
        show_default=False,
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")]
BackupSpec = Annotated[
    str | None,
    typer.Argument(
        metavar="[SPEC]",
        help="Back up only this specialization. Default: everything in the store.",
        show_default=False,
        autocompletion=options.complete_spec,
    ),
]


def _emit(text: str, output: Path | None, force: bool) -> None:
    """Standard output as exact bytes, or an atomic write and one line saying where."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from coursetrack import render
    from coursetrack.atomic import write_atomic

    write_atomic(output, text.encode("utf-8"), force=force)
    render.success(f"wrote {output}")


@export_app.command("markdown")
def markdown(
    ctx: typer.Context,
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC",
            help="The specialization to write about (dls).",
            autocompletion=options.complete_spec,
        ),
    ],
    fmt: Annotated[
        PostFormat,
        typer.Option(
            "--format",
            help="Front matter for Hugo, for Jekyll, or none.",
            case_sensitive=False,
        ),
    ] = PostFormat.HUGO,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="A file, or a folder to get the conventional name (Hugo: <slug>.md; Jekyll: "
            "_posts/YYYY-MM-DD-<slug>.md). Default: standard output.",
            show_default=False,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Post title. Default: the specialization's title."),
    ] = None,
    description: Annotated[
        str | None,
        typer.Option(
            "--description", help="Summary for the front matter. Default: the stored description."
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help="A tag; repeat for more.", show_default=False),
    ] = None,
    image: Annotated[
        str | None,
        typer.Option("--image", help="Featured image path or URL, e.g. /images/dls.jpg."),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Post date, e.g. 2020-10-27 or 2020-10-27T16:32:08-04:00 (its offset is kept). "
            "Default: when the specialization was completed, else now.",
            show_default=False,
        ),
    ] = None,
    draft: Annotated[
        bool, typer.Option("--draft", help="Mark it a draft (Jekyll: published: false).")
    ] = False,
    intro: Annotated[
        Path | None,
        typer.Option(
            "--intro",
            metavar="FILE",
            help="Your own Markdown, placed before the generated part.",
            show_default=False,
        ),
    ] = None,
    dates: Annotated[
        bool,
        typer.Option(
            "--dates", help="Add each course's and topic's state and date, and date your notes."
        ),
    ] = False,
    plain_notes: Annotated[
        bool,
        typer.Option(
            "--plain-notes",
            help="Escape your notes so they print as typed, instead of reading them as Markdown.",
        ),
    ] = False,
    force: Force = False,
) -> None:
    """Write a blog post about a specialization: front matter, courses, your notes.

    Examples:

      coursetrack export markdown dls --tag "Deep Learning" --image /images/coursera_dl.jpg

      coursetrack export markdown dls --format jekyll --intro intro.md -o ~/blog
    """
    from coursetrack import blog, render
    from coursetrack.catalog import read_text
    from coursetrack.errors import CatalogError, ExportError, InputError
    from coursetrack.services.export import post_data

    when = blog.parse_post_date(date) if date is not None else None
    intro_text = None
    if intro is not None:
        try:
            intro_text = read_text(intro, label=f"--intro {intro}")
        except CatalogError as exc:
            raise InputError(str(exc).replace("catalog file (.yaml)", "Markdown file")) from None
    with render.progress(f"writing the post about {spec}") as tracker:
        with open_store(ctx, write=False).read() as session:
            data = post_data(session, spec)
        post = blog.render_post(
            data,
            blog.PostOptions(
                format=fmt.value,
                title=title,
                description=description,
                tags=list(tag or []),
                image=image,
                date=when,
                draft=draft,
                intro=intro_text,
                dates=dates,
                plain_notes=plain_notes,
            ),
        )
    target = None
    if output is not None:
        try:
            target = blog.output_path(output.expanduser(), fmt.value, post)
        except OSError as exc:
            raise ExportError(f"cannot create a folder in {output}: {exc.strerror}") from None
    _emit(post.text, target, force)
    if tracker.shown and target is None:
        topics = sum(len(course.topics) for course in data.courses)
        render.aside(
            f"wrote the post about {data.slug}: {_count(len(data.courses), 'course')}, "
            f"{_count(topics, 'topic')}"
        )


def _backup(ctx: typer.Context, spec: str | None, output: Path | None, force: bool, kind: str):
    from coursetrack import backup, render

    with render.progress("reading the store") as tracker:
        with open_store(ctx, write=False).read() as session:
            document = backup.collect(session, spec, progress=tracker)
        tracker.describe(f"writing {kind.upper()}")
        text = backup.to_yaml(document) if kind == "yaml" else backup.to_json(document)
    _emit(text, output.expanduser() if output else None, force)
    if tracker.shown and output is None:
        specs = document["specializations"]
        courses = [c for s in specs for c in s.get("courses", [])]
        topics = sum(len(c.get("topics", [])) for c in courses)
        render.aside(
            f"exported {_count(len(specs), 'specialization')}, {_count(len(courses), 'course')}, "
            f"{_count(topics, 'topic')} as {kind.upper()}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@export_app.command("yaml")
def export_yaml(
    ctx: typer.Context, spec: BackupSpec = None, output: Output = None, force: Force = False
) -> None:
    """Back up the record (catalog and progress) as YAML; 'coursetrack import FILE' restores it.

    Example:

      coursetrack export yaml -o coursetrack-backup.yaml
    """
    _backup(ctx, spec, output, force, "yaml")


@export_app.command("json")
def export_json(
    ctx: typer.Context, spec: BackupSpec = None, output: Output = None, force: Force = False
) -> None:
    """Back up the record (catalog and progress) as JSON; 'coursetrack import FILE' restores it.

    Example:

      coursetrack export json dls -o dls-backup.json
    """
    _backup(ctx, spec, output, force, "json")
