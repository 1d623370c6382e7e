"""`coursetrack import` and `coursetrack catalogs`: catalogs in and out of the store."""

from typing import TYPE_CHECKING, Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import writing

if TYPE_CHECKING:
    from coursetrack.render import Tracker


def import_(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE",
            help="A catalog file (YAML), the name of a shipped catalog (see 'catalogs'), "
            "or a backup made by 'coursetrack export yaml|json'.",
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

    Examples:

      coursetrack import deep-learning-specialization

      coursetrack import ~/my-track.yaml --prune

      coursetrack --db new.db import coursetrack-backup.yaml
    """
    from coursetrack import backup, catalog, render
    from coursetrack.services.importer import import_catalog

    path, label = catalog.find_source(source)
    with render.progress(f"reading {label}", enabled=not json) as tracker:
        text = catalog.read_text(path, label=label)
        if backup.looks_like_backup(text):
            _restore(ctx, text, label=label, prune=prune, json=json, tracker=tracker)
            return
        spec = catalog.parse_catalog(text, where=label)
        del text  # a large catalog's text is not kept through its import (its peak of memory)
        tracker.describe(f"importing {spec.slug}")
        with writing(ctx) as writer:
            report = import_catalog(writer, catalog=spec, prune=prune, progress=tracker)
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
        report = backup_restore.restore(writer, document)
    tracker.close()
    if json:
        render.print_json(report)
        return
    names = ", ".join(report.specializations) or "nothing (the backup is empty)"
    render.lines(
        [
            f"restored {names} from {label}: {report.courses} courses, {report.topics} topics, "
            f"{report.progress} progress records"
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

    Example:

      coursetrack catalogs
    """
    from coursetrack import catalog, render

    rows = []
    for name, path in catalog.shipped_catalogs().items():
        spec = catalog.load_catalog(path, label=path.name)
        rows.append(
            {
                "name": name,
                "slug": spec.slug,
                "title": spec.title,
                "courses": len(spec.courses),
                "topics": sum(len(c.topics) for c in spec.courses),
            }
        )
    if json:
        render.print_json({"catalogs": rows})
    else:
        render.catalogs_table(rows)
