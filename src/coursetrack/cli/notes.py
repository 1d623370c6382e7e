"""`coursetrack note|link|show`: your notebook on each item, and everything about one item."""

from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import open_store, writing


def note(
    ctx: typer.Context,
    ref: options.Ref,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The note.", show_default=False)],
    on: options.On = None,
    json: options.Json = False,
) -> None:
    """Append a dated note to a specialization, course or topic.

    Examples:

      coursetrack note dls/1/2 "broadcasting: check shapes with assert"

      coursetrack note dls "certificate arrived" --on yesterday
    """
    from coursetrack import render
    from coursetrack.dates import parse_date, today
    from coursetrack.refs import resolve
    from coursetrack.services.notes import add_note, notes_of

    when = parse_date(on, future=False) if on is not None else today()
    with writing(ctx) as session:
        target = resolve(session, ref)
        added = add_note(session, item=target.item, text=text, on=when)
        result = {
            "ref": target.ref,
            "written_on": added.written_on,
            "text": added.text,
            "notes": len(notes_of(session, target.item)),
        }
    if json:
        render.print_json(result)
    else:
        count = "1 note" if result["notes"] == 1 else f"{result['notes']} notes"
        render.success(f"noted on {result['ref']} ({when.isoformat()}); it has {count}")


def link(
    ctx: typer.Context,
    ref: options.Ref,
    url: Annotated[
        str, typer.Argument(metavar="URL", help="The address to keep.", show_default=False)
    ],
    title: Annotated[
        str | None,
        typer.Option("--title", "-t", help="What it is, e.g. 'my notebook'.", show_default=False),
    ] = None,
    json: options.Json = False,
) -> None:
    """Keep a link on a specialization, course or topic: your notebook, a summary, a video.

    The same URL twice is kept once; giving it again with --title renames it.

    Examples:

      coursetrack link dls/1/2 https://github.com/me/dl/blob/main/w2.ipynb --title "my notebook"

      coursetrack link dls/cnn https://youtu.be/XYZ --title "YOLO explained"
    """
    from coursetrack import render
    from coursetrack.dates import today
    from coursetrack.refs import resolve
    from coursetrack.services.notes import add_link

    with writing(ctx) as session:
        target = resolve(session, ref)
        change = add_link(session, item=target.item, url=url, title=title, on=today())
        result = {
            "ref": target.ref,
            "action": change.action,
            "url": change.link.url,
            "title": change.link.title,
            "added_on": change.link.added_on,
        }
    if json:
        render.print_json(result)
    elif change.action == "added":
        render.success(f"linked {result['url']} on {result['ref']}")
    elif change.action == "retitled":
        render.success(f"renamed the link {result['url']} on {result['ref']}")
    else:
        render.success(f"{result['ref']} already keeps {result['url']}; nothing changed")


def show(ctx: typer.Context, ref: options.Ref, json: options.Json = False) -> None:
    """Print everything about one item: description, status, dates, notes, links, review.

    Examples:

      coursetrack show dls/1/2

      coursetrack show dls --json
    """
    from coursetrack import render
    from coursetrack.dates import today
    from coursetrack.services.show import show_item

    with open_store(ctx, write=False).read() as session:
        details = show_item(session, ref=ref, today=today())
    if json:
        render.print_json(details)
    else:
        render.details_view(details)
