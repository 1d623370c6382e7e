"""`coursetrack export markdown|yaml|json`: a blog post, or a backup of the record."""

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from coursetrack.cli import catalogs, options
from coursetrack.cli.context import reading

if TYPE_CHECKING:
    from coursetrack.services.export import Post


class PostFormat(StrEnum):
    """--format's choices (blog.FORMATS; kept here so --help need not import blog)."""

    HUGO = "hugo"
    JEKYLL = "jekyll"
    PLAIN = "plain"


export_app = typer.Typer(
    name="export",
    help="Write a blog post or a page to share about a specialization, or back up the whole "
    "record.\n\n"
    "Examples:\n\n"
    "  coursetrack export markdown dls --tag Coursera -o content/posts\n\n"
    "  coursetrack export html dls -o dls.html\n\n"
    "  coursetrack export yaml -o coursetrack-backup.yaml",
    no_args_is_help=True,
)

Output = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="A file, or a folder (ends in /, exists, or has no suffix) to get the conventional "
        "name (coursetrack-backup.yaml, SPEC-backup.json); - or none: standard output.",
        show_default=False,
    ),
]
PageOutput = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="A file, or a folder (ends in /, exists, or has no suffix) to get SPEC.html; "
        "- or none: standard output.",
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
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="A file (post.md), or a folder (ends in /, exists, or has no suffix) to get the "
            "conventional name (Hugo: <slug>.md; Jekyll: _posts/YYYY-MM-DD-<slug>.md), created "
            "with its parents; - or none: standard output.",
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
    chart: Annotated[
        bool,
        typer.Option(
            "--chart",
            help="Also write the burn-up as <slug>-progress.svg and show it in the post (needs "
            "-o; Hugo: a page bundle, e.g. -o content/posts/dls/index.md).",
        ),
    ] = False,
    group: Annotated[
        bool,
        typer.Option(
            "--group",
            help="The study group's post instead (<slug>-group.md): the courses and how many "
            "finished each, the learners who agreed to be listed (group share on), their notes.",
        ),
    ] = False,
) -> None:
    """Write a blog post about a specialization: front matter, courses, your notes.

    Examples:

      coursetrack export markdown dls --tag "Deep Learning" --image /images/coursera_dl.jpg

      coursetrack export markdown dls --format jekyll --intro intro.md -o ~/blog

      coursetrack export markdown dls --chart -o content/posts/dls/index.md

      coursetrack export markdown dls --group -o content/posts
    """
    from coursetrack import blog, render
    from coursetrack.errors import InputError
    from coursetrack.services import export

    if group and chart:
        raise InputError("--chart draws one learner's burn-up; leave it out of --group's post")
    if group:
        from coursetrack.cli.group import _postgres_only

        _postgres_only(ctx)
    if chart and output in (None, "-"):
        raise InputError(
            "--chart writes <slug>-progress.svg beside the post: give -o FILE or FOLDER"
        )
    if image is not None:
        from coursetrack.validate import image_problem

        if problem := image_problem(image):
            raise InputError(problem)
    when = blog.parse_post_date(date) if date is not None else None
    intro_text = None
    if intro is not None:
        from coursetrack.catalog import read_text  # (catalog validation needs pydantic)
        from coursetrack.errors import CatalogError

        try:
            intro_text = read_text(intro, label=f"--intro {intro}")
        except CatalogError as exc:
            raise InputError(str(exc).replace("catalog file (.yaml)", "Markdown file")) from None
    with render.progress(f"writing the post about {spec}") as tracker:
        with reading(ctx) as reader:
            source, series = export.post_source(reader, spec, group=group, chart=chart)
        options = blog.PostOptions(
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
        )
        if not isinstance(source, export.PostData):
            _write(export.group_post(source, options, output=output), force)
            return
        post = export.learner_post(source, series, options, output=output, force=force)
    _write(post, force)
    if tracker.shown and post.summary is not None:
        render.aside(post.summary)


def _write(post: "Post", force: bool) -> None:
    """Each file of the post in turn, each said once written (see `services.export`)."""
    from coursetrack import render

    for file in post.files:
        _emit(file.text, file.path, force)
        if file.notice is not None:
            render.notice(file.notice)


@export_app.command("html")
def export_html(
    ctx: typer.Context,
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC",
            help="The specialization to show (dls).",
            autocompletion=options.complete_spec,
        ),
    ],
    output: PageOutput = None,
    force: Force = False,
) -> None:
    """Write one self-contained HTML page to share: courses, bars, the chart, your notes.

    The page loads nothing from the network and runs no script: send it, or put
    it on any web host. It follows the reader's light or dark setting.

    Examples:

      coursetrack export html dls -o dls.html

      coursetrack export html dls > ~/public_html/dls.html
    """
    from coursetrack import dates, render
    from coursetrack.services.page import page_data, page_target

    with render.progress(f"drawing the page about {spec}"):
        with reading(ctx) as reader:
            target = None
            if output is not None:
                from coursetrack.atomic import writable
                from coursetrack.outputs import output_file

                slug = page_target(reader, spec).specialization.slug
                target = output_file(output, f"{slug}.html")
                if target is not None:  # refused before the page is read or drawn (matplotlib)
                    writable(target, force=force)
            data = page_data(reader, ref=spec, today=dates.today())
        from coursetrack import chart_svg, html_page

        text = html_page.render_page(data, chart_svg.page_svg(data.chart))
    _emit(text, target, force)


def _backup(ctx: typer.Context, spec: str | None, output: str | None, force: bool, kind: str):
    from coursetrack import render
    from coursetrack.services import backup_export as backup

    if kind == "yaml":
        _backup_yaml(ctx, spec, output, force)
        return
    with render.progress("reading the store") as tracker:
        with reading(ctx) as reader:
            document = backup.collect(reader, spec, progress=tracker)
        tracker.describe(f"writing {kind.upper()}")
        text = backup.to_json(document)
    specs = document["specializations"]
    target = _backup_target(output, spec, [s["slug"] for s in specs], kind)
    _emit(text, target, force)
    if tracker.shown and target is None:
        courses = [c for s in specs for c in s.get("courses", [])]
        topics = sum(len(c.get("topics", [])) for c in courses)
        _exported(len(specs), len(courses), topics, kind)


def _backup_target(output: str | None, spec: str | None, slugs: list[str], kind: str):
    if output is None:
        return None
    from coursetrack.outputs import output_file

    owner = slugs[0] if spec is not None and slugs else "coursetrack"
    return output_file(output, f"{owner}-backup.{kind}")


def _exported(specs: int, courses: int, topics: int, kind: str) -> None:
    from coursetrack import render

    render.aside(
        f"exported {_count(specs, 'specialization')}, {_count(courses, 'course')}, "
        f"{_count(topics, 'topic')} as {kind.upper()}"
    )


def _backup_yaml(ctx: typer.Context, spec: str | None, output: str | None, force: bool):
    """The YAML backup, written as it is read (see backup.write_yaml): memory stays that
    of one course, whatever the store holds."""
    import contextlib

    from coursetrack import render
    from coursetrack.services import backup_export as backup

    with (
        render.progress("writing YAML") as tracker,
        reading(ctx) as reader,
        contextlib.ExitStack() as stack,
    ):
        specs = backup.chosen(reader, spec)
        target = _backup_target(output, spec, [s.slug for s in specs], "yaml")
        pieces: list[str] = []
        write: Callable[[str], object]
        if target is not None:
            from coursetrack.atomic import open_atomic

            fh = stack.enter_context(open_atomic(target, force=force))
            write = lambda text: fh.write(text.encode("utf-8"))  # noqa: E731
        elif sys.stdout.isatty():
            write = pieces.append  # printed once the bar is gone
        else:
            write = sys.stdout.write
        written = backup.write_yaml(reader, write, specs, progress=tracker)
    if target is not None:
        render.success(f"wrote {target}")
    else:
        sys.stdout.write("".join(pieces))
        sys.stdout.flush()
        if tracker.shown:
            _exported(len(written.specializations), written.courses, written.topics, "yaml")


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


export_app.command("catalog")(catalogs.export_catalog)  # a catalog to share: cli.catalogs
