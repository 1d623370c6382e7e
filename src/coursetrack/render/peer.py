"""`coursetrack peer list` and `peer show`: requests for review, and a request's reviews.

A review's comment is shown as written (its own lines and indents kept, through
`safe` like every user text); it is Markdown, published nowhere but through the
neutraliser of notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from coursetrack.render.cells import _date
from coursetrack.render.console import _text, safe, stdout
from coursetrack.render.layout import _hint, _one_line, _print_lines, _wrapped, message_lines
from coursetrack.render.tables import Column, _emit, fitted_table

if TYPE_CHECKING:
    from coursetrack.services.peer import Listing, Shown


def peer_table(listed: Listing) -> None:
    """`peer list`: one row per request (`--json` has whole URLs)."""
    console = stdout()
    if not listed.requests:
        where = f" on {safe(listed.base)}" if listed.base else ""
        if listed.mine:
            command = "coursetrack peer ask REF URL"
            text = f"You have asked for no review{where} yet. Ask with: {command}"
        else:
            command = "coursetrack peer list --mine"
            text = f"No request of others is waiting for your review{where}. Yours: {command}"
        _print_lines(console, _hint(text, console.width, commands=[command]))
        return
    columns = [
        Column("ID", justify="right", style="cyan"),
        Column("Asked", drop=1),
        Column("Ref", title=True),
        Column("By"),
        Column("Reviews", justify="right"),
        Column("URL", title=True),
    ]
    cells: list[list[RenderableType]] = [
        [
            f"#{row.id}",
            _date(row.asked_on),
            _text(row.ref),
            _text("you" if row.mine else row.author),
            str(row.reviews),
            _text(row.url),
        ]
        for row in listed.requests
    ]
    _emit(console, fitted_table(columns, cells, width=console.width))


def _count(shown: Shown) -> str:
    """How many reviews the request has, and, to a reader who may read only her own or
    none of them, who reads them: "no review yet" must not be said of a reviewed request."""
    total = shown.request.reviews
    if not total:
        return "no review yet"
    count = f"{total} review{'s' if total != 1 else ''}"
    if len(shown.reviews) >= total:
        return count
    whose = "yours below; " if shown.reviews else ""
    them = "them all" if total != 1 else "it"
    return f"{count} ({whose}its author and the group's curators read {them})"


def peer_view(shown: Shown) -> None:
    """`peer show`: the request, then each review with its grade, scores and comment."""
    console = stdout()
    width = console.width
    request = shown.request
    author = "you" if request.mine else request.author
    # the title is cut to the terminal as show's is; the URL goes whole to a line of its own
    heading = safe(f"#{request.id}  {request.ref}  {request.title}", one_line=True)
    asked = f"asked by {author} on {request.asked_on.isoformat()}: {request.url}"
    out: list[Text] = [
        _one_line(Text(heading, style="bold"), width),
        *(Text(line) for line in message_lines(safe(asked, one_line=True), width)),
    ]
    if request.note:
        out += _wrapped(Text("note: "), safe(request.note), width)
    out += [Text(line) for line in message_lines(_count(shown), width)]
    for entry in shown.reviews:
        out.append(Text(""))
        head = f"{entry.reviewer}, {entry.reviewed_on.isoformat()}: {entry.grade}"
        out.append(Text(safe(head, one_line=True), style="cyan"))
        if entry.scores:
            scores = ", ".join(f"{name} {points}" for name, points in entry.scores.items())
            out += _wrapped(Text("  scores: "), safe(scores), width)
        out += _wrapped(Text("  "), safe(entry.comment), width)
    _print_lines(console, out)
