"""Arguments and options shared by several commands, declared once."""

from typing import Annotated

import typer

from coursetrack import vocabulary


def _refs_up_to(depth: int):
    """A Tab completer for refs of at most `depth` parts (1: specializations only).

    It runs on every Tab, in a process that imports nothing but typer: the store
    is read by `completion.complete_refs` through sqlite3 alone. The store is the one the
    command line being completed names (--db, else COURSETRACK_DB: the root
    option reads both), else the default.
    """

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from coursetrack import completion

        option = ctx.find_root().params.get("db")
        found = completion.complete_refs(
            option if isinstance(option, str) else None, incomplete, depth=depth
        )
        return [(ref, _not_markup(title)) for ref, title in found]

    return complete


def _not_markup(title: str) -> str:
    """Typer renders a candidate's help as Rich markup: a title "[/x]" crashed completion."""
    if "[" not in title and "\\" not in title:
        return title  # the usual case, without paying for Rich's import on every Tab
    from rich.markup import escape

    return escape(title)


complete_ref = _refs_up_to(3)
complete_course = _refs_up_to(2)
complete_spec = _refs_up_to(1)

Ref = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        autocompletion=complete_ref,
        help="SPEC, SPEC/COURSE or SPEC/COURSE/TOPIC; parts are slugs, slug prefixes or 1-based "
        "positions (dls/2/1).",
        show_default=False,
    ),
]
Refs = Annotated[
    list[str],
    typer.Argument(
        metavar="REF...",
        help="One or more refs, e.g. dls/1 dls/2/1.",
        show_default=False,
        autocompletion=complete_ref,
    ),
]
OptionalRef = Annotated[
    str | None,
    typer.Argument(
        metavar="[REF]",
        help="A specialization or course to show in detail (dls, dls/2).",
        show_default=False,
        autocompletion=complete_ref,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
On = Annotated[
    str | None,
    typer.Option(
        "--on",
        metavar="DATE",
        help="When it happened: YYYY-MM-DD, 'today', 'yesterday', 'N days ago' or 'N weeks ago'. "
        "Default: today.",
        show_default=False,
    ),
]
Note = Annotated[
    str | None, typer.Option("--note", help="A note to keep with the item.", show_default=False)
]
Slug = Annotated[
    str | None,
    typer.Option(
        "--slug",
        help="Short name used in refs. Default: derived from the title.",
        show_default=False,
    ),
]
Description = Annotated[
    str | None, typer.Option("--description", help="What it teaches.", show_default=False)
]
Url = Annotated[str | None, typer.Option("--url", help="Its web page.", show_default=False)]
Position = Annotated[
    int | None,
    typer.Option(
        "--position",
        metavar="N",
        help="Insert at this 1-based position. Default: at the end.",
        show_default=False,
    ),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
OptionalSpec = Annotated[
    str | None,
    typer.Argument(
        metavar="[SPEC]",
        help="Only this specialization (or SPEC/COURSE). Default: all of them.",
        show_default=False,
        autocompletion=complete_course,
    ),
]
Spec = Annotated[
    str,
    typer.Argument(
        metavar="SPEC",
        help="A specialization, e.g. dls.",
        show_default=False,
        autocompletion=complete_spec,
    ),
]
Limit = Annotated[
    int,
    typer.Option("--limit", "-n", metavar="N", min=1, help="Show at most N rows."),
]
By = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="DATE",
        help="The target date: YYYY-MM-DD, 'tomorrow', 'in N days' or 'in N weeks'.",
        show_default=False,
    ),
]


#: The grades `reviewed --grade` takes: the vocabulary's (services.review.LADDER says
#: what each does).
GradeChoice = vocabulary.Grade

Grade = Annotated[
    GradeChoice,
    typer.Option(
        "--grade",
        "-g",
        help=(
            f"How well you remembered it: {GradeChoice.AGAIN} (forgot), {GradeChoice.HARD}, "
            f"{GradeChoice.GOOD} or {GradeChoice.EASY}."
        ),
        show_default=False,
        case_sensitive=False,
    ),
]
