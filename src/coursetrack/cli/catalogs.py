"""`coursetrack import`, `coursetrack catalogs` and `coursetrack export catalog`: catalogs in
and out of the store, from a file, a shipped catalog's name or the web."""

from typing import TYPE_CHECKING, Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import reading, writing

if TYPE_CHECKING:
    from coursetrack.render import Tracker


def import_(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="A catalog file (YAML), the name or slug of a shipped catalog (see 'catalogs'), "
            "an http(s) address of a catalog, or a backup made by 'coursetrack export yaml|json'.",
        ),
    ],
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete stored items the file no longer lists.")
    ] = False,
    json: options.Json = False,
) -> None:
    """Import a catalog. Safe to repeat: matches by slug and never resets progress.

    A backup ('coursetrack export yaml|json') is restored instead, with its progress,
    into a store that does not hold its specializations yet.

    An http(s) address is downloaded (at most 8 MiB, within COURSETRACK_HTTP_TIMEOUT
    seconds, default 30) and checked as a file is.

    Examples:

      coursetrack import deep-learning-specialization

      coursetrack import ossu-cs

      coursetrack import ~/my-track.yaml --prune

      coursetrack import https://example.org/shared/catalog.yaml

      coursetrack --db new.db import coursetrack-backup.yaml
    """
    from coursetrack import backup, catalog, render, web
    from coursetrack.services.importer import import_catalog

    path, label = (None, source) if web.is_url(source) else catalog.find_source(source)
    with render.progress(f"reading {label}", enabled=not json) as tracker:
        if path is None:  # an address: downloaded within limits, then read as a file is
            text = catalog.decode(web.fetch(source), where=label)
        else:
            text = catalog.read_text(path, label=label)
        if backup.looks_like_backup(text):
            _restore(ctx, text, label=label, prune=prune, json=json, tracker=tracker)
            return
        spec = catalog.parse_catalog(text, where=label)
        del text  # a large catalog's text is not kept through its import (its peak of memory)
        tracker.describe(f"importing {spec.slug}")
        with writing(ctx) as writer:
            report = import_catalog(
                writer, catalog=spec, prune=prune, progress=tracker, source=label
            )
    if json:
        render.print_json(report)
        return
    render.lines(_describe(report))


def _restore(
    ctx: typer.Context, text: str, *, label: str, prune: bool, json: bool, tracker: "Tracker"
) -> None:
    from coursetrack import backup, render
    from coursetrack.errors import InputError
    from coursetrack.services import restore as backup_restore

    if prune:
        raise InputError(f"{label} is a backup; --prune applies to catalogs, drop it")
    document = backup.parse(text, label=label)
    tracker.describe(f"restoring {label}")
    with writing(ctx) as writer:
        report = backup_restore.restore(
            writer, document, lambda path, message: backup.place(text, label, path, message)
        )
    tracker.close()
    if json:
        render.print_json(report)
        return
    names = ", ".join(report.specializations) or "nothing (the backup is empty)"
    render.lines(
        [
            f"restored {names} from {label}: {report.courses} courses, {report.topics} topics, "
            f"{report.progress} progress records",
            *report.not_restored,
        ]
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _describe(report) -> list[str]:
    size = f"{_count(report.courses, 'course')}, {_count(report.topics, 'topic')}"
    if report.created:
        head = f"imported {report.slug}: {report.title} ({size})"
    elif report.changed:
        head = f"updated {report.slug}: {report.title} ({size})"
    else:
        head = f"{report.slug} is up to date ({size}); nothing changed"
    out = [head]
    out += [f"  added    {ref}" for ref in report.added]
    out += [f"  updated  {ref}" for ref in report.updated]
    out += [f"  removed  {ref}" for ref in report.removed]
    out += [f"  kept     {ref} (not in the file; --prune removes it)" for ref in report.missing]
    if report.created:
        out.append(f"next: coursetrack next {report.slug}, then coursetrack status {report.slug}")
    return out


def catalogs(json: options.Json = False) -> None:
    """List the catalogs that ship with coursetrack, ready for 'coursetrack import NAME'.

    Each is a real program, built from the public source it names (with the day it
    was read: see --json); NAME is its name or its slug.

    Examples:

      coursetrack catalogs

      coursetrack catalogs --json
    """
    from coursetrack import catalog, render

    rows = []
    for name, path in catalog.shipped_catalogs().items():
        spec = catalog.load_catalog(path, label=path.name)
        source = spec.source
        rows.append(
            {
                "name": name,
                "slug": spec.slug,
                "title": spec.title,
                "provider": spec.provider,
                "courses": len(spec.courses),
                "topics": sum(len(c.topics) for c in spec.courses),
                "source": None if source is None else {"url": source.url, "read": source.read},
            }
        )
    if json:
        render.print_json({"catalogs": rows})
    else:
        render.catalogs_table(rows)


def export_catalog(
    ctx: typer.Context,
    spec: Annotated[
        str,
        typer.Argument(
            metavar="SPEC",
            help="The specialization to write as a catalog.",
            autocompletion=options.complete_spec,
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="A file, or a folder (ends in /, exists, or has no suffix) to get SPEC.yaml; "
            "- or none: standard output.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the output file if it exists.")
    ] = False,
) -> None:
    """Write a specialization as a catalog to share: the program alone, no progress or notes.

    Titles, slugs, descriptions and URLs of the specialization, its courses and
    topics, in the catalog format; 'coursetrack import FILE' (or an http(s)
    address where you put it) gives a friend the same program. Your progress,
    notes, links, reviews, goal and certificate URLs stay out.

    Examples:

      coursetrack export catalog dls -o dls-catalog.yaml

      coursetrack export catalog math
    """
    import sys

    from coursetrack import render
    from coursetrack.outputs import output_file
    from coursetrack.services import catalog_export

    with reading(ctx) as reader:
        document = catalog_export.collect(reader, spec)
    text = catalog_export.to_yaml(document)
    target = None if output is None else output_file(output, f"{document['slug']}.yaml")
    if target is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from coursetrack.atomic import write_atomic

    write_atomic(target, text.encode("utf-8"), force=force)
    render.success(f"wrote {target}")
