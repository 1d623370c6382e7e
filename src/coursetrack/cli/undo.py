"""`coursetrack undo`: revert a command's changes, the last one or one named by its id in `log`."""

from typing import Annotated

import typer

from coursetrack.cli import options
from coursetrack.cli.context import command_line, confirm, open_store


def undo(
    ctx: typer.Context,
    command: Annotated[
        int | None,
        typer.Argument(
            metavar="ID",
            min=1,
            show_default=False,
            help="The command's number in 'coursetrack log' (default: the last one not undone).",
        ),
    ] = None,
    yes: options.Yes = False,
    json: options.Json = False,
) -> None:
    """Revert a command's changes: the last one, or the one numbered ID in the log.

    It names the command and asks first (--yes: without asking; needed without
    a terminal). Run it again to go further back. `undo ID` reverts an older
    command only if no later command changed the same rows or depends on it
    (a review of a topic it marked done, a note under an item it added, a slug
    it would give back); else it names that command to undo first.

    Examples:

      coursetrack undo

      coursetrack log -n 3 && coursetrack undo 41 --yes
    """
    from coursetrack import render
    from coursetrack.services.undo import undo_candidate, undo_command

    store = open_store(ctx, write=True)
    # The command named in the question is the one reverted: not one another
    # terminal ran while this one waited for the lock (see undo_command).
    with store.read() as seen:
        entry = undo_candidate(seen, command_id=command)
        named = f"#{entry.id} {_line(entry)} ({_when(entry)}, {_changes(entry.more)})"
        if not yes:
            confirm(
                f"Undo {render.safe(named, one_line=True)}?",
                refusal=f"undo would revert {named}",
                declined="nothing undone",
            )
        with store.write(command_line(ctx), seen=seen) as writer:
            undone = undo_command(writer, command_id=entry.id, detail=None if json else 0)
    if json:
        render.print_json({"undone": undone.command.to_dict(), "reverted": undone.reverted})
        return
    entry = undone.command
    if undone.reverted:
        render.success(
            f"undid #{entry.id} {_line(entry)} ({_when(entry)}, {_changes(undone.reverted)})",
            commands=[_line(entry)],
        )
    else:
        render.success(
            f"undid #{entry.id} {_line(entry)} ({_when(entry)}; it had changed nothing)",
            commands=[_line(entry)],
        )


def _line(entry) -> str:
    """The command as typed, cut if it is long (a title may have been huge)."""
    line = entry.command
    return line if len(line) <= 200 else line[:199] + "…"


def _when(entry) -> str:
    """When, and where when it was another machine (after a sync the newest command, the
    one `undo` takes, may be another machine's)."""
    when = entry.at.strftime("%Y-%m-%d %H:%M")
    machine = getattr(entry, "machine", None)
    return when if machine is None else f"{when} on {machine}"


def _changes(count: int) -> str:
    return "1 change" if count == 1 else f"{count} changes"
