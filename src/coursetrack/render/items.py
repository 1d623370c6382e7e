"""What is known about an item: `coursetrack show`, and its notes and links listed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from coursetrack.render.cells import _date, _days, _pct, _status
from coursetrack.render.console import _text, safe, stdout
from coursetrack.render.layout import (
    _command_hint,
    _fields,
    _glued,
    _hint,
    _one_line,
    _print_lines,
    _wrapped,
)
from coursetrack.render.tables import Column, _emit, fitted_table

if TYPE_CHECKING:  # the views' types, free at start-up
    from coursetrack.services.notes import LinkRow, NoteRow
    from coursetrack.services.show import Details, NoteEntry


def _under(ref: str, base: str | None) -> str:
    """`ref` relative to the listed item `base` (`.` for itself; `--json` has whole refs)."""
    if base and ref == base:
        return "."
    if base and ref.startswith(base + "/"):
        return ref[len(base) + 1 :]
    return ref


#: What marks a private note's text (`note --private`: kept from the group and the post).
PRIVATE = "(private) "


def notes_table(rows: Sequence[NoteRow], *, scope: str | None, base: str | None = None) -> None:
    """`coursetrack note list`: one row per note, its first line cut to fit.

    Under `note list REF` the Ref column is relative to REF (`base`, its slug ref).
    """
    console = stdout()
    if not rows:
        where = f" on {safe(scope)}" if scope else ""
        text = f"No notes{where} yet. Add one with: coursetrack note REF TEXT"
        _print_lines(console, _hint(text, console.width, commands=["coursetrack note REF TEXT"]))
        return
    columns = [
        Column("ID", justify="right", style="cyan"),
        Column("Date"),
        Column("Ref", title=True),
        Column("Note", title=True),
    ]
    cells: list[list[RenderableType]] = []
    for row in rows:
        first, *more = row.text.split("\n")
        note = _text(PRIVATE * row.private + first + (" …" if more else ""))
        cells.append([f"#{row.id}", _date(row.written_on), _text(_under(row.ref, base)), note])
    _emit(console, fitted_table(columns, cells, width=console.width))


def links_table(rows: Sequence[LinkRow], *, scope: str | None, base: str | None = None) -> None:
    """`coursetrack link list`: one row per link; `link list --json` has whole URLs."""
    console = stdout()
    if not rows:
        where = f" on {safe(scope)}" if scope else ""
        text = f"No links{where} yet. Add one with: coursetrack link REF URL"
        _print_lines(console, _hint(text, console.width, commands=["coursetrack link REF URL"]))
        return
    columns = [
        Column("ID", justify="right", style="cyan"),
        Column("Added"),
        Column("Ref", title=True),
        Column("Title", title=True),
        Column("URL", title=True),
    ]
    cells: list[list[RenderableType]] = [
        [
            f"#{row.id}",
            _date(row.added_on),
            _text(_under(row.ref, base)),
            _text(row.title or ""),
            _text(row.url),
        ]
        for row in rows
    ]
    _emit(console, fitted_table(columns, cells, width=console.width))


def _note_lines(note: NoteEntry, indent: str, width: int) -> list[Text]:
    """`#ID  DATE  text`, the text's own lines kept, wrapped under its first line;
    a private note's text begins with `PRIVATE`."""
    prefix = Text(indent)
    prefix.append(f"#{note.id}", style="cyan")
    prefix.append(f"  {_date(note.written_on) or 'undated':<10}  ", style="dim")
    if note.private:
        prefix.append(PRIVATE, style="yellow")
    return _wrapped(prefix, safe(note.text), width)


def _more(
    shown: int, total: int, noun: str, command: str, refs: list[str], width: int
) -> list[Text]:
    if total <= shown:
        return []
    commands = [f"coursetrack {command} {ref}" for ref in refs]
    return _command_hint(f"  … {total - shown} older {noun}: {{}}", commands, width, "dim")


def _rubric_lines(criteria: list[dict], width: int) -> list[Text]:
    """What a peer review scores (`rubric:` in the catalog): each criterion and its points,
    in the catalog's order, a long one wrapped under itself."""
    if not criteria:
        return []
    count = "1 criterion" if len(criteria) == 1 else f"{len(criteria)} criteria"
    total = sum(c["points"] for c in criteria)
    out = [Text(f"Rubric ({count}, {total} point{'s' if total != 1 else ''})", style="bold")]
    for criterion in criteria:
        points = criterion["points"]
        text = f"{safe(criterion['criterion'])} ({points} point{'s' if points != 1 else ''})"
        out.extend(_wrapped(Text("  "), text, width))
    return out


def _short_ref(details: Details) -> str:
    """The item's ref by positions (`gda/2/3`), for where its slugs do not fit."""
    spec = details.ref.split("/", 1)[0]
    if details.kind == "course":
        return f"{spec}/{details.position}"
    if details.kind == "topic" and details.course:
        return f"{spec}/{details.course['position']}/{details.position}"
    return details.ref


def details_view(details: Details) -> None:
    """`coursetrack show`: one item, everything known about it.

    URLs are printed whole on one line (never broken, so they stay clickable);
    a ref too long for its line is given by positions (`gda/1/4`).
    """
    console = stdout()
    room = console.width
    out = [_one_line(_text(details.title, "bold"), room)]
    label = len("Description  ")
    ref = details.ref
    if label + len(safe(f"{ref} ({details.kind})")) > room:
        ref = _short_ref(details)
    rows: list[tuple[str, Text | str, str]] = [
        ("Ref", _text(f"{ref} ({details.kind})", "cyan"), "whole")
    ]
    if details.course:
        course = f"{details.course['title']} ({details.course['ref']})"
        if label + len(safe(course)) > room:
            spec = details.ref.split("/", 1)[0]
            course = f"{details.course['title']} ({spec}/{details.course['position']})"
        rows.append(("Course", _text(course), "cut"))
    if details.provider:
        rows.append(("Provider", _text(details.provider), "wrap"))
    if details.url:
        rows.append(("URL", _text(details.url), "whole"))
    if details.description:
        rows.append(("Description", _text(details.description, one_line=False), "wrap"))
    state = _status(details.status)
    if details.units_total != 1 or details.kind != "topic":
        state.append(f", {details.units_done}/{details.units_total} units, {_pct(details.percent)}")
    rows.append(("Status", state, "cut"))
    if details.started_on:
        rows.append(("Started", _date(details.started_on), "cut"))
    if details.completed_on:
        rows.append(("Completed", _date(details.completed_on), "cut"))
    if details.goal_on:
        rows.append(("Goal", f"finish by {_date(details.goal_on)}", "cut"))
    if details.certificate_url:
        rows.append(("Certificate", _text(details.certificate_url), "whole"))
    if details.reviews_due:
        topics = "1 topic" if details.reviews_due == 1 else f"{details.reviews_due} topics"
        command = f"coursetrack review {safe(details.ref)}"
        if label + len(f"{topics} due: {command}") > room:
            command = f"coursetrack review {safe(_short_ref(details))}"
        rows.append(("Review", _glued(f"{topics} due: {command}", [command]), "wrap"))
    if details.review is not None:
        review = details.review
        done = len(review.reviews)
        when = "due now, since" if review.due else "next due"
        text = f"{when} {_date(review.due_on)} (interval {_days(review.interval_days)})"
        if done:
            last = review.reviews[-1]
            text += f"; {done} review(s), last {_date(last['reviewed_on'])} ({last['grade']})"
        rows.append(("Review", text, "wrap"))
    out.extend(_fields(rows, room))
    out.extend(_rubric_lines(details.rubric or [], room))
    if details.children is not None:
        noun = "Courses" if details.kind == "specialization" else "Topics"
        out.append(Text(f"{noun} ({len(details.children)})", style="bold"))
        status_width = max((len(c.status) for c in details.children), default=0)
        for child in details.children:
            line = Text(f"  {child.position:>2}  ")
            line.append_text(_status(child.status))
            line.append(" " * (status_width - len(child.status) + 2))
            units = f"  {child.units_done}/{child.units_total}" if child.units_total != 1 else ""
            title_room = room - line.cell_len - len(units)
            line.append_text(_one_line(_text(child.title), max(title_room, 10)))
            if units:
                line.append(units, style="dim")
            out.append(line)
            indent = " " * (status_width + 8)
            for note in child.notes or []:
                out.extend(_note_lines(note, indent, room))
            if child.notes and child.notes_total and child.notes_total > len(child.notes):
                more = child.notes_total - len(child.notes)
                commands = [
                    f"coursetrack note list {safe(r)}"
                    for r in (child.ref, f"{_short_ref(details)}/{child.position}")
                ]
                hint = _command_hint(f"{indent}… {more} older: {{}}", commands, room, "dim")
                out.extend(hint)
    out.append(Text(f"Notes ({details.notes_total})", style="bold"))
    for note in details.notes:
        out.extend(_note_lines(note, "  ", room))
    refs = [safe(details.ref), safe(_short_ref(details))]
    out.extend(_more(len(details.notes), details.notes_total, "notes", "note list", refs, room))
    out.append(Text(f"Links ({details.links_total})", style="bold"))
    for entry in details.links:
        line = Text("  ")
        line.append(f"#{entry.id}", style="cyan")
        line.append("  ")
        if entry.title:
            line.append_text(_text(entry.title))
            line.append("  ")
        url = _text(entry.url, "cyan")
        url_indent = 4 + len(f"#{entry.id}")
        if entry.title and line.cell_len + url.cell_len > room >= url_indent + url.cell_len:
            out.append(_one_line(line, room))  # the URL fits a line of its own: it goes there
            line = Text(" " * url_indent)
        line.append_text(url)
        out.append(line)
    out.extend(_more(len(details.links), details.links_total, "links", "link list", refs, room))
    _print_lines(console, out)
