"""The command line: parse arguments, call a service, print through render.

Only light modules are imported here; each command imports the database and
YAML layers itself, so `--help`, `--version` and completion never pay for them.
The command modules leave out `from __future__ import annotations` on purpose:
Typer reads every command's annotations on every start-up, and string ones
are compiled and evaluated each time (it was most of the cost of building
the commands, which every Tab pays).
"""

import contextlib
import errno
import io
import os
import sys
from typing import Annotated, Any, NoReturn, cast

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from coursetrack import __version__, dates
from coursetrack.cli import lazy
from coursetrack.cli.context import collect_after_start, settings
from coursetrack.cli.help import plain_help
from coursetrack.cli.plain_values import in_own_words, light_coercion
from coursetrack.errors import CoursetrackError


class _Group(TyperGroup):
    """Turns a CoursetrackError anywhere below into one line on stderr.

    Its commands are those of `COMMANDS`, each imported and built when it is
    first looked up (see `lazy`): a run imports and builds the one it runs.
    """

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = lazy.commands_at(
            COMMANDS, __name__, self, pretty_exceptions_short=app.pretty_exceptions_short
        )

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names alone: completing `d` builds `done` only

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The root's help lists every command from its summary, building none (`lazy`)."""
        commands = self.commands
        assert isinstance(commands, lazy.LazyCommands)  # as __init__ made them
        self.commands = commands.listing()
        try:
            super().format_help(ctx, formatter)
        finally:
            self.commands = commands

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        plain_help(self)
        if extra.get("resilient_parsing"):
            _raw_values(self)
        else:
            light_coercion(self)
        argv = list(args)
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except TyperException as exc:
            raise _escaped(exc) from None
        except OSError as exc:  # --help, --version: printed while the line is parsed
            _output_error(exc)
        settings(ctx).argv = argv  # kept for the history: what the user typed
        return ctx

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TyperException as exc:
            own = in_own_words(exc)  # a refused choice or number: one line, what it takes
            if own is not None:
                _fail(own, 2)
            raise _escaped(exc) from None
        except CoursetrackError as exc:
            _fail(str(exc), exc.exit_code)
        except OSError as exc:
            _output_error(exc)
        except UnicodeEncodeError as exc:
            # An argument with bytes that are not UTF-8 (Python keeps them as lone
            # surrogates): the store and the terminal can only take real text.
            if exc.reason != "surrogates not allowed":
                raise
            bad = exc.object[exc.start : exc.end]
            byte = ord(bad[0]) - 0xDC00 if "\udc80" <= bad[:1] <= "\udcff" else ord(bad[0])
            _fail(
                f"an argument is not UTF-8 text (byte 0x{byte:02x}); retype it as UTF-8. "
                "Nothing was changed",
                1,
            )


def _escaped(exc: TyperException) -> TyperException:
    """A usage error (exit 2) quotes what the user typed: shown escaped, like every user text."""
    from coursetrack import render

    if isinstance(getattr(exc, "message", None), str):
        exc.message = render.safe(exc.message, one_line=True)
    return exc


def _raw_values(command: Any) -> None:
    """Let every parameter keep the text it was given, as completion parses the line.

    Click parses leniently (`resilient_parsing`) only to complete a command line.
    Typer would still convert each value through pydantic, whose import alone
    costs more than the rest of a Tab; completion needs only the words as typed
    (`--db PATH` included), and eager callbacks such as --version must not run.
    """
    every = command.get_params

    def get_params(ctx: Any) -> list[Any]:
        params = every(ctx)  # the help option is made here, on first use
        for param in params:
            param.process_value = _as_given
        return params

    command.get_params = get_params
    lazy.below(command, _raw_values)


def _as_given(_ctx: Any, value: Any) -> Any:
    return value


#: Why writing to stdout fails: a full disk (`> /dev/full`), a quota, a closed pipe.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EPIPE}


def _output_failed(exc: OSError) -> None:
    """Say once, on stderr, that the output could not be written (a closed pipe: say nothing).

    Standard output is pointed at /dev/null first, so that what is still
    buffered cannot fail again as Python exits.
    """
    from coursetrack import render

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    if exc.errno != errno.EPIPE:  # `coursetrack log | head` stops reading: not an error
        with contextlib.suppress(OSError):  # stderr may be on the full disk too
            render.error(f"cannot write the output: {exc.strerror}")


def _output_error(exc: OSError) -> NoReturn:
    """Exit 1 with one line if `exc` is the output failing; re-raise anything else.

    Services name their own files in their errors; a bare one is the output.
    """
    if exc.filename is not None or exc.errno not in _OUTPUT_ERRNOS:
        raise exc
    _output_failed(exc)
    raise typer.Exit(1) from None


def _fail(message: str, code: int) -> None:
    """One line on stderr, then exit with `code`."""
    from coursetrack import render

    # Lone surrogates (undecodable bytes in an argument) cannot reach stderr raw.
    render.error(message.encode("utf-8", "backslashreplace").decode("utf-8"))
    raise typer.Exit(code) from None


app = typer.Typer(
    name="coursetrack",
    cls=_Group,
    help="Keep your own record of multi-course online programs: what you finished, when, "
    "and what it taught you.\n\n"
    "Start with:  coursetrack import deep-learning-specialization",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coursetrack {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="COURSETRACK_DB",
            metavar="PATH",
            help="The store: a SQLite file, or a URL (sqlite:///FILE, or "
            "postgresql://USER@HOST/DATABASE for a shared store on PostgreSQL). "
            "Default: coursetrack.db in your user data directory.",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    _check_store_variables(ctx, db)
    settings(ctx).db = db
    # A clock the program cannot read (TZ 24 h from UTC, a pinned clock out of
    # range) is refused by every command as it starts, read or write.
    dates.check_zone()
    if os.environ.get(dates.CLOCK_ENV):
        dates.now()


def _check_store_variables(ctx: typer.Context, db: str | None) -> None:
    """COURSETRACK_DB, and libpq's variables for a PostgreSQL store, named when unusable.

    Typer hands COURSETRACK_DB over as if it were --db: its errors would name
    the option, or call it an argument. libpq's PGHOST, PGUSER... reach the
    connection as text, where bytes that are not UTF-8 ended in a traceback.
    """
    from coursetrack.errors import StoreError

    from_env = getattr(ctx.get_parameter_source("db"), "name", None) == "ENVIRONMENT"
    if from_env and db is not None:
        if not db.strip():
            raise StoreError(
                "COURSETRACK_DB is set but empty; give it a file path, "
                "or unset it for the default store"
            )
        if "://" in db:
            _utf8("COURSETRACK_DB", db)
    if db is not None and db.strip().startswith("postgres"):
        for name, value in os.environ.items():
            if name.startswith("PG"):
                _utf8(name, value)


def _utf8(name: str, value: str) -> None:
    """Refuse an environment variable whose bytes are not UTF-8 (kept as lone surrogates)."""
    from coursetrack.errors import StoreError

    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        byte = ord(value[exc.start]) - 0xDC00 if "\udc80" <= value[exc.start] <= "\udcff" else 0
        raise StoreError(
            f"{name} is not UTF-8 text (byte 0x{byte:02x}); set it again as UTF-8, or unset it"
        ) from None


#: Every command: its name, and where it is (module:attribute under coursetrack.cli), a
#: function or a Typer sub-app. The order is --help's, a sub-app after the commands
#: as Typer lists them.
COMMANDS = {
    "status": "status:status",
    "start": "marking:start",
    "done": "marking:done",
    "reopen": "marking:reopen",
    "update": "items:update",
    "rm": "items:rm",
    "import": "catalogs:import_",
    "catalogs": "catalogs:catalogs",
    "log": "log:log",
    "undo": "undo:undo",
    "next": "planning:next_",
    "goal": "planning:goal",
    "plan": "planning:plan",
    "review": "review:review",
    "reviewed": "review:reviewed",
    "show": "show:show",
    "chart": "chart:chart",
    "whoami": "group:whoami",
    "sync": "sync:sync",
    "check": "check:check",
    "add": "items:add_app",
    "export": "export:export_app",
    "note": "notes:note_app",
    "link": "notes:link_app",
    "group": "group:group_app",
    "peer": "peer:peer_app",
}


def _check_completion_request() -> None:
    """Bash's completion names the word being completed by its index: it must be one.

    Typer reads COMP_CWORD with int() and no guard; the shell always sets it,
    so anything else is a script calling completion by hand, told how.
    """
    if os.environ.get("_COURSETRACK_COMPLETE") != "complete_bash":
        return
    cword = os.environ.get("COMP_CWORD")
    try:
        int(cword or "")
    except ValueError:
        from coursetrack import render

        shown = "is not set" if cword is None else f"is {cword!r}, not a number"
        render.error(
            f"COMP_CWORD {shown}: bash completion needs the index of the word being "
            "completed in COMP_WORDS, e.g. COMP_CWORD=2"
        )
        raise SystemExit(1) from None


def main() -> None:
    """The `coursetrack` command: the app, with output that cannot fail half-way."""
    for stream in (sys.stdout, sys.stderr):
        # A title the terminal's encoding cannot show comes out as \u65e5, not a traceback.
        with contextlib.suppress(AttributeError, ValueError):
            # typed as TextIO, which has no reconfigure: one that lacks it is let be, above
            cast(io.TextIOWrapper, stream).reconfigure(errors="backslashreplace")
    collect_after_start()
    code: int | str | None = 0
    try:
        _check_completion_request()
        app()
    except SystemExit as exc:
        code = exc.code
    try:
        sys.stdout.flush()  # what is still buffered, while an error can be reported
    except OSError as exc:
        _output_failed(exc)
        code = 1
    sys.exit(code)
