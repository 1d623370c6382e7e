"""`coursetrack group ...` and `whoami`: a study group on one PostgreSQL store.

The store's owner runs `group init` once and `group add NAME` for each learner,
who then points COURSETRACK_DB at the URL it prints. A learner keeps their own
record with every other command; `group share on|off` says whether they are
listed in the group's post. See `store.group` for the roles and the security,
`store.members` for the logins and the post's list.
"""

from enum import StrEnum
from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import open_store, settings, writing

group_app = typer.Typer(
    name="group",
    no_args_is_help=True,
    help="""Study in a group: one PostgreSQL store, each learner's own record.

    The store's owner runs `group init` once, then `group add NAME` for each
    learner and hands them the URL it prints (their COURSETRACK_DB).

    Examples:

      coursetrack group init

      coursetrack group add alice

      coursetrack group add bob --curator

      coursetrack group share on
    """,
)


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


def _postgres_only(ctx: typer.Context) -> None:
    """Refuse a SQLite store before opening it: a group command creates no file."""
    from coursetrack import paths
    from coursetrack.store import members

    target = paths.resolve_db(settings(ctx).db)
    if not members.is_postgres_target(target):
        raise members.not_on_postgres(target)


@group_app.command("init")
def init(ctx: typer.Context, json: options.Json = False) -> None:
    """Make this store a study group's (its owner; running it again is safe).

    It creates the group's roles (DATABASE_learners, DATABASE_curators), turns on
    row-level security, and makes you, the owner, a curator. Run again, it applies
    the group's grants, policies and triggers again, putting back what was changed
    by hand (coursetrack check finds that).

    Example:

      coursetrack --db postgresql://owner@db.example/cohort group init
    """
    from coursetrack import render
    from coursetrack.store import group

    _postgres_only(ctx)
    store = open_store(ctx, write=True, learner=False)
    with store.administer() as conn:
        made = group.init(conn)
    result = {
        "database": made.database,
        "owner": made.owner,
        "learners_role": made.learners,
        "curators_role": made.curators,
        "already": made.already,
    }
    if json:
        render.print_json(result)
        return
    if made.already:
        first = (
            f"{made.database} was a study group already; checked its roles {made.learners} "
            f"and {made.curators} and its row-level security"
        )
    else:
        first = (
            f"made {made.database} a study group: roles {made.learners} and {made.curators}, "
            "row-level security on every learner's table"
        )
    render.lines(
        [
            f"{first}; {made.owner} (you) is a curator",
            "next: coursetrack group add NAME for each learner, and hand them the URL it prints",
        ]
    )


@group_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The learner's name: lowercase letters, digits and _ (their database role).",
            show_default=False,
        ),
    ],
    curator: Annotated[
        bool, typer.Option("--curator", help="May change the catalog too (import, add, rm).")
    ] = False,
    json: options.Json = False,
) -> None:
    """Give a learner a login to the group and print the URL to hand them.

    The URL holds their new password: it is printed once, here, and kept
    nowhere else (the server stores only a SCRAM verifier). A role that exists
    already keeps its password and is only made a member; a member already is
    left as they are (a curator stays one). Only the group's owner adds members.

    Examples:

      coursetrack group add alice

      coursetrack group add bob --curator --json
    """
    from coursetrack import paths, render
    from coursetrack.errors import InputError
    from coursetrack.store import members

    problem = members.name_problem(name)
    if problem:
        raise InputError(problem)
    _postgres_only(ctx)
    store = open_store(ctx, write=True, learner=False)
    with store.administer() as conn:
        added = members.add(conn, name, curator=curator)
    database = added.database
    url = members.learner_url(paths.resolve_db(settings(ctx).db), name, added.password)
    role = "curator" if added.curator else "learner"
    if json:
        render.print_json(
            {
                "learner": name,
                "role": role,
                "database": database,
                "new_login": added.password is not None,
                "changed": added.changed,
                "url": url,
            }
        )
        return
    if not added.changed:
        head = f"{name} is already a {role} of {database}; nothing changed. Their URL:"
    elif added.password is None:
        head = (
            f"{name} could log in already (their password is unchanged); now a {role} of "
            f"{database}. Their URL:"
        )
    else:
        head = (
            f"added {name} as a {role} of {database}. Hand them this URL, their "
            "COURSETRACK_DB (it holds their password, shown only this once):"
        )
    render.lines([head, url])


@group_app.command("share")
def share(
    ctx: typer.Context,
    choice: Annotated[
        Switch,
        typer.Argument(
            metavar="on|off",
            help="on: list me in the group's post; off: leave me out.",
            show_default=False,
        ),
    ],
    json: options.Json = False,
) -> None:
    """Say whether the group's post (export markdown --group) lists your progress.

    Your progress and your non-private notes are readable by the group either
    way; this is about the post. `undo` takes it back.

    Examples:

      coursetrack group share on

      coursetrack group share off
    """
    from coursetrack import render
    from coursetrack.store import members

    shared = choice is Switch.ON
    _postgres_only(ctx)
    with writing(ctx) as writer:
        done = members.set_shared(writer, shared=shared)
    learner, changed = done.learner, done.changed
    if json:
        render.print_json({"learner": learner, "shared": shared, "changed": changed})
    elif not changed:
        state = "listed in" if shared else "left out of"
        render.success(f"{learner} is {state} the group's post already; nothing changed")
    elif shared:
        render.success(f"{learner} is listed in the group's post now")
    else:
        render.success(f"{learner} is left out of the group's post now")


@group_app.command("sessions")
def sessions(
    ctx: typer.Context,
    end: Annotated[
        str | None,
        typer.Option(
            "--end",
            metavar="PID|NAME",
            help="End this session (its pid), or roll back this prepared transaction (its name).",
            show_default=False,
        ),
    ] = None,
    yes: options.Yes = False,
    json: options.Json = False,
) -> None:
    """List the group's sessions that hold or wait on the store's locks; end one.

    A learner's psql session that holds a lock (a LOCK TABLE, a transaction left
    open, a prepared transaction) holds up the others' commands, which name it.
    Here the owner sees each such session (pid, learner, application, state,
    since when, what it holds and whom it blocks) and ends it with --end PID,
    as the server allows: the owner may act as a learner's role for it. A
    prepared transaction is ended by its learner or the server's administrator;
    the line printed says how.

    Examples:

      coursetrack group sessions

      coursetrack group sessions --json

      coursetrack group sessions --end 4242 --yes
    """
    from coursetrack import render
    from coursetrack.cli.context import confirm
    from coursetrack.store import sessions as held

    _postgres_only(ctx)
    store = open_store(ctx, write=False, learner=False)
    if end is not None:
        if not yes:
            confirm(
                f"end {end} and roll back its transaction?",
                refusal=f"ending {end} rolls back its transaction",
                declined=f"{end} goes on; nothing was ended",
            )
        with store.administer() as conn:
            ended = held.end_session(conn, end)
        if json:
            render.print_json({"ended": end, "what": ended.what})
        else:
            render.lines([f"ended {ended.what}"])
        return
    with store.administer() as conn:
        found = held.sessions(conn)
    if json:
        render.print_json(
            {
                "database": found.database,
                "complete": found.complete,
                "sessions": [s.to_dict() for s in found.sessions],
                "prepared": [
                    {
                        "name": p.prepared,
                        "learner": p.learner,
                        "since": p.since.isoformat() if p.since else None,
                        "holds": list(p.holds),
                        "blocks": list(p.blocks),
                    }
                    for p in found.prepared
                ],
            }
        )
        return
    if not found.sessions and not found.prepared:
        render.lines(
            [f"no session of the group holds or waits on a lock of the store {found.database}"]
        )
        return
    lines = []
    for s in [*found.sessions, *found.prepared]:
        line = s.describe()
        if s.holds:
            line += "; holds " + ", ".join(s.holds)
        if s.blocks:
            line += "; blocks " + ", ".join(f"pid {p}" for p in s.blocks)
        if s.waits_for:
            waits = ("a prepared transaction" if p == 0 else f"pid {p}" for p in s.waits_for)
            line += "; waits for " + ", ".join(waits)
        lines.append(line)
    if not found.complete:
        lines.append("(only the group's owner sees since when another learner's session runs)")
    lines.append(
        "end one: coursetrack group sessions --end PID (or the prepared transaction's name)"
    )
    render.lines(lines)


def whoami(ctx: typer.Context, json: options.Json = False) -> None:
    """Print who you are in the store: the learner, what you may do, and the store.

    On a study group's store the learner is your database role; a curator may
    change the catalog too. On a SQLite store you are its one learner, 'me', and
    the store is a replica: its machine's name and id, and the hub it syncs with.

    Examples:

      coursetrack whoami

      coursetrack whoami --json
    """
    from coursetrack import render
    from coursetrack.services.membership import who_am_i

    store = open_store(ctx, write=False, learner=False)
    me = who_am_i(store)
    if json:
        render.print_json(me)
        return
    render.lines(
        [
            f"learner  {me.learner}",
            f"role     {me.role_line}",
            f"store    {me.store}",
            *me.replica_lines,
        ]
    )


# --- the group's view (cli/group_views.py) ----------------------------------------------

from coursetrack.cli import group_views  # noqa: E402

group_app.command("status")(group_views.status)
