"""`coursetrack note|link`: your notebook on each item (`show` prints it all: `cli.show`).

`note` and `link` are small command groups: `note REF TEXT` (the form 0.1
had) still adds a note, and `note list|edit|rm` manage the ones kept. A
specialization slugged `list`, `edit`, `rm` or `add` is reached with
`note add REF TEXT`.
"""

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from coursetrack.cli import options
from coursetrack.cli.context import reading, writing


class _AddByDefault(TyperGroup):
    """A group whose first word, when it is not one of its commands, starts `add`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["add", *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        """Tab after `note ` offers refs (the add form) as well as the commands."""
        ref = next(p for p in self.commands["add"].params if p.name == "ref")
        return [*super().shell_complete(ctx, incomplete), *ref.shell_complete(ctx, incomplete)]


note_app = typer.Typer(
    name="note",
    cls=_AddByDefault,
    subcommand_metavar="REF TEXT | COMMAND [ARGS]...",
    no_args_is_help=True,
    help="""Keep dated notes on a specialization, course or topic; list, edit or remove them.

    `note REF TEXT` adds a note (short for `note add REF TEXT`). A note is named by
    the id that `note list` and `show` print; `undo` takes back an edit or a removal.

    Examples:

      coursetrack note dls/1/2 "broadcasting: check shapes with assert"

      coursetrack note list dls/1

      coursetrack note edit 12 "broadcasting: assert a.shape == (n, 1)"

      coursetrack note rm 12
    """,
)
link_app = typer.Typer(
    name="link",
    cls=_AddByDefault,
    subcommand_metavar="REF URL | COMMAND [ARGS]...",
    no_args_is_help=True,
    help="""Keep links (your notebook, a video) on any item; list or remove them.

    `link REF URL` adds a link (short for `link add REF URL`). A link is named by
    the id that `link list` and `show` print; `undo` takes back a removal.

    Examples:

      coursetrack link dls/1/2 https://github.com/me/dl/blob/main/w2.ipynb --title "my notebook"

      coursetrack link list dls

      coursetrack link rm 3
    """,
)

NoteText = Annotated[str, typer.Argument(metavar="TEXT", help="The note.", show_default=False)]
Ids = Annotated[
    list[str],
    typer.Argument(
        metavar="ID...",
        help="One or more ids, as 'list' shows them (12 or #12).",
        show_default=False,
    ),
]
ListRef = Annotated[
    str | None,
    typer.Argument(
        metavar="[REF]",
        help="Only this item and everything under it (dls, dls/2, dls/2/1). Default: all.",
        show_default=False,
        autocompletion=options.complete_ref,
    ),
]


@note_app.command("add")
def note(
    ctx: typer.Context,
    ref: options.Ref,
    text: NoteText,
    on: options.On = None,
    private: Annotated[
        bool,
        typer.Option(
            "--private",
            help="Keep it to yourself: in a study group the others never read it, "
            "and no shared page or post shows it.",
        ),
    ] = False,
    json: options.Json = False,
) -> None:
    """Append a dated note to a specialization, course or topic.

    Examples:

      coursetrack note dls/1/2 "broadcasting: check shapes with assert"

      coursetrack note add dls "certificate arrived" --on yesterday

      coursetrack note dls/2 "struggling with this one" --private
    """
    from coursetrack import render
    from coursetrack.dates import parse_date, today
    from coursetrack.services.notes import note_item

    when = parse_date(on, future=False) if on is not None else today()
    with writing(ctx) as writer:
        noted = note_item(writer, ref=ref, text=text, on=when, private=private)
    result = {
        "ref": noted.ref,
        "written_on": noted.written_on,
        "text": noted.text,
        "notes": noted.notes,
    }
    if private:
        result["private"] = True  # only when set, as `log` shows it
    if json:
        render.print_json(result)
    else:
        count = "1 note" if result["notes"] == 1 else f"{result['notes']} notes"
        how = "privately " if private else ""
        render.success(f"noted {how}on {result['ref']} ({when.isoformat()}); it has {count}")


@link_app.command("add")
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

      coursetrack link add dls/cnn https://youtu.be/XYZ --title "YOLO explained"
    """
    from coursetrack import render
    from coursetrack.dates import today
    from coursetrack.services.notes import link_item

    with writing(ctx) as writer:
        change = link_item(writer, ref=ref, url=url, title=title, on=today())
    result = {
        "ref": change.ref,
        "action": change.action,
        "url": change.url,
        "title": change.title,
        "added_on": change.added_on,
    }
    if json:
        render.print_json(result)
    elif change.action == "added":
        render.success(f"linked {result['url']} on {result['ref']}")
    elif change.action == "retitled":
        render.success(f"renamed the link {result['url']} on {result['ref']}")
    else:
        render.success(f"{result['ref']} already keeps {result['url']}; nothing changed")


@note_app.command("list")
def note_list(ctx: typer.Context, ref: ListRef = None, json: options.Json = False) -> None:
    """List notes with their ids: on one item and everything under it, or all of them.

    Examples:

      coursetrack note list

      coursetrack note list dls/2 --json
    """
    from coursetrack import render
    from coursetrack.services.notes import listing

    with reading(ctx) as reader:
        listed = listing(reader, kind="note", ref=ref)
    if json:
        render.print_json({"notes": [render.to_data(r) for r in listed.rows]})
    else:
        render.notes_table(listed.rows, scope=ref, base=listed.base)


@note_app.command("edit")
def note_edit(
    ctx: typer.Context,
    note_id: Annotated[
        str, typer.Argument(metavar="ID", help="The note's id (note list).", show_default=False)
    ],
    text: NoteText,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            metavar="DATE",
            help="Also move it to this date: YYYY-MM-DD, 'today', 'yesterday' or 'N days ago'.",
            show_default=False,
        ),
    ] = None,
    json: options.Json = False,
) -> None:
    """Replace the text of a note (its date stays unless --on is given).

    Example:

      coursetrack note edit 12 "broadcasting: assert a.shape == (n, 1)"
    """
    from coursetrack import render
    from coursetrack.dates import parse_date
    from coursetrack.services.notes import edit_note, parse_id

    row_id = parse_id(note_id, "note")
    when = parse_date(on, future=False) if on is not None else None
    with writing(ctx) as writer:
        after = edit_note(writer, note_id=row_id, text=text, on=when)
    if json:
        render.print_json(after)
    else:
        render.success(f"edited note #{after.id} on {after.ref}")


@note_app.command("rm")
def note_rm(ctx: typer.Context, ids: Ids, json: options.Json = False) -> None:
    """Remove notes by id (undo brings them back).

    Example:

      coursetrack note rm 12 13
    """
    from coursetrack import render
    from coursetrack.services.notes import parse_id, remove_notes

    row_ids = [parse_id(i, "note") for i in ids]
    with writing(ctx) as writer:
        removed = remove_notes(writer, note_ids=row_ids)
    if json:
        render.print_json({"removed": [render.to_data(r) for r in removed]})
    else:
        render.lines([f"removed note #{r.id} from {r.ref}: {_gist(r.text)}" for r in removed])


@link_app.command("list")
def link_list(ctx: typer.Context, ref: ListRef = None, json: options.Json = False) -> None:
    """List links with their ids: on one item and everything under it, or all of them.

    Examples:

      coursetrack link list

      coursetrack link list dls/1 --json
    """
    from coursetrack import render
    from coursetrack.services.notes import listing

    with reading(ctx) as reader:
        listed = listing(reader, kind="link", ref=ref)
    if json:
        render.print_json({"links": [render.to_data(r) for r in listed.rows]})
    else:
        render.links_table(listed.rows, scope=ref, base=listed.base)


@link_app.command("rm")
def link_rm(ctx: typer.Context, ids: Ids, json: options.Json = False) -> None:
    """Remove links by id (undo brings them back).

    Example:

      coursetrack link rm 3
    """
    from coursetrack import render
    from coursetrack.services.notes import parse_id, remove_links

    row_ids = [parse_id(i, "link") for i in ids]
    with writing(ctx) as writer:
        removed = remove_links(writer, link_ids=row_ids)
    if json:
        render.print_json({"removed": [render.to_data(r) for r in removed]})
    else:
        render.lines([f"removed link #{r.id} from {r.ref}: {r.url}" for r in removed])


def _gist(text: str) -> str:
    """A note's first line, cut to 60 characters, for a one-line message."""
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= 60 and "\n" not in text else first[:59] + "…"
