"""`coursetrack peer ...`: peer review in a study group (issue 23).

A learner asks the group to review her work on a course or topic (`ask`), the
others find it (`list`) and review it (`review`), and she reads the reviews
without their reviewers' names (`show`). See `services.peer`.
"""

from typing import Annotated

import typer

from coursetrack import vocabulary
from coursetrack.cli import options
from coursetrack.cli.context import reading, settings, writing

peer_app = typer.Typer(
    name="peer",
    no_args_is_help=True,
    help="""Peer review in a study group: ask the group to review your work, review others'.

    Reviews are anonymous: you read the reviews of your work as "reviewer 1",
    "reviewer 2"; only the group's curators read who gave them.

    Examples:

      coursetrack peer ask dls/1/2 https://github.com/me/dl/blob/main/w2.ipynb

      coursetrack peer list

      coursetrack peer review 12 --grade pass "Clear, and the shapes are checked."

      coursetrack peer show 12
    """,
)

RequestId = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="The request's id, as 'peer list' shows it (12 or #12).",
        show_default=False,
    ),
]

#: The verdicts `peer review --grade` takes (the vocabulary's).
VerdictChoice = vocabulary.Verdict


def _group_only(ctx: typer.Context) -> None:
    """Refuse a SQLite store before opening it: a peer command creates no file."""
    from coursetrack import paths
    from coursetrack.errors import StoreError
    from coursetrack.services.peer import NOT_A_GROUP
    from coursetrack.store import members

    if not members.is_postgres_target(paths.resolve_db(settings(ctx).db)):
        raise StoreError(NOT_A_GROUP)


@peer_app.command("ask")
def ask(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="REF",
            help="The course or topic your work is on (dls/1 or dls/1/2).",
            show_default=False,
            autocompletion=options.complete_ref,
        ),
    ],
    url: Annotated[
        str,
        typer.Argument(
            metavar="URL",
            help="Where your work is: a notebook, a repository, a write-up (http or https).",
            show_default=False,
        ),
    ],
    note: Annotated[
        str | None,
        typer.Option(
            "--note", help="What you would like the reviewers to look at.", show_default=False
        ),
    ] = None,
    json: options.Json = False,
) -> None:
    """Ask the group to review your work on a course or topic; prints the request's id.

    Asking again for the same item replaces the link and the note, and keeps the
    reviews given so far.

    Examples:

      coursetrack peer ask dls/1/2 https://github.com/me/dl/blob/main/w2.ipynb

      coursetrack peer ask dls/2 https://me.example/dls-2.html --note "is the write-up clear?"
    """
    from coursetrack import render
    from coursetrack.dates import today
    from coursetrack.services.peer import ask as ask_group

    _group_only(ctx)
    with writing(ctx) as writer:
        asked = ask_group(writer, ref=ref, url=url, note=note, on=today())
    if json:
        render.print_json(asked)
        return
    show = f"coursetrack peer show {asked.id}"
    if asked.action == "asked":
        render.success(
            f"request {asked.id}: asked the group to review your work on {asked.ref} ({show})",
            commands=[show],
        )
        return
    kept = f"its {asked.reviews} review{'s are' if asked.reviews != 1 else ' is'} kept"
    if asked.action == "replaced":
        what = "link replaced" if asked.replaced == "link" else f"note {asked.replaced}"
        render.success(f"request {asked.id}: {what}" + (f"; {kept}" if asked.reviews else ""))
    else:
        render.success(
            f"request {asked.id} already asks for review of {asked.url}; nothing changed"
        )


@peer_app.command("list")
def list_(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(
            metavar="[SPEC]",
            help="Only requests on this item and under it (dls, dls/2, dls/2/1). Default: all.",
            show_default=False,
            autocompletion=options.complete_ref,
        ),
    ] = None,
    mine: Annotated[
        bool, typer.Option("--mine", help="Your own requests, with how many reviews each has.")
    ] = False,
    json: options.Json = False,
) -> None:
    """List the requests of others you may review, fewest reviews first, then the oldest.

    Not yours, and not those you reviewed already; --mine lists yours instead.

    Examples:

      coursetrack peer list

      coursetrack peer list dls/2 --json

      coursetrack peer list --mine
    """
    from coursetrack import render
    from coursetrack.services.peer import listing

    _group_only(ctx)
    with reading(ctx) as reader:
        listed = listing(reader, ref=ref, mine=mine)
    if json:
        render.print_json(listed)
    else:
        render.peer_table(listed)


@peer_app.command("review")
def review(
    ctx: typer.Context,
    request_id: RequestId,
    comment: Annotated[
        str,
        typer.Argument(metavar="COMMENT", help="Your review, in Markdown.", show_default=False),
    ],
    grade: Annotated[
        VerdictChoice,
        typer.Option(
            "--grade",
            "-g",
            help=f"{VerdictChoice.PASS} (it does what was asked) or {VerdictChoice.REVISE} "
            "(it needs another go).",
            show_default=False,
            case_sensitive=False,
        ),
    ],
    score: Annotated[
        list[str] | None,
        typer.Option(
            "--score",
            metavar="CRITERION=POINTS",
            help="A criterion of the item's rubric and its points; once for each criterion.",
            show_default=False,
        ),
    ] = None,
    json: options.Json = False,
) -> None:
    """Review another learner's request: pass or revise, a comment, the rubric's scores.

    One review per reviewer per request, never of your own work. When the catalog
    gives the item a rubric, score each of its criteria with --score.

    Examples:

      coursetrack peer review 12 --grade pass "Clear, and the shapes are checked."

      coursetrack peer review 12 -g revise "Why this rate?" --score clarity=3 --score code=8
    """
    from coursetrack import render
    from coursetrack.dates import today
    from coursetrack.services.peer import parse_request_id
    from coursetrack.services.peer import review as review_request

    _group_only(ctx)
    row_id = parse_request_id(request_id)
    with writing(ctx) as writer:
        reviewed = review_request(
            writer,
            request_id=row_id,
            grade=grade.value,
            comment=comment,
            scores=list(score or []),
            on=today(),
        )
    if json:
        render.print_json(reviewed)
    else:
        render.success(
            f"reviewed request {reviewed.request} ({reviewed.author}'s work on "
            f"{reviewed.ref}): {reviewed.grade}"
        )


@peer_app.command("show")
def show(ctx: typer.Context, request_id: RequestId, json: options.Json = False) -> None:
    """Print a request and its reviews: grade, scores, comment and date.

    You read the reviews of your work as "reviewer 1", "reviewer 2" (in the
    order they were given), your own review as "you"; a curator reads names.

    Examples:

      coursetrack peer show 12

      coursetrack peer show 12 --json
    """
    from coursetrack import render
    from coursetrack.services.peer import parse_request_id
    from coursetrack.services.peer import show as show_request

    _group_only(ctx)
    row_id = parse_request_id(request_id)
    with reading(ctx) as reader:
        shown = show_request(reader, request_id=row_id)
    if json:
        render.print_json(shown)
    else:
        render.peer_view(shown)
