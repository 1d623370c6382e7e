"""Commands imported and built when they are first asked for, not all at every start-up.

Typer turns every function into a click command (reading its signature and
each annotation) before it parses a word: for our ~35 commands that was about
20 ms of every run and every Tab, although one command runs, and importing
every command module a few more. Here a group's `commands` is a mapping that
knows every name at once but imports and builds a command only when it is
looked up: a write builds itself and the root; the root's `--help`, which
lists them all, builds them all, as before.

Building one command is done by Typer's own `get_command_from_info` and
`get_group_from_info` (typer.main internals, unavoidable: Typer's public API
builds only a whole app), so a command built here is the one Typer would have
built.
"""

import copy
import importlib
import inspect
from collections.abc import Callable, Iterator, MutableMapping
from functools import partial
from typing import Any

import typer
from typer import main as typer_main
from typer.models import TyperInfo


class LazyCommands(MutableMapping[str, Any]):
    """A group's commands by name, each built on first lookup.

    Iterating gives the names (in the order they were registered) and builds
    nothing. What a caller wants done to every command below a group (the help
    conventions, the light coercion) is given to `each`, and is done to each
    command as it is built.
    """

    def __init__(
        self,
        builders: dict[str, Callable[[], Any]],
        summaries: "dict[str, Callable[[], Summary]] | None" = None,
    ) -> None:
        self._builders = builders
        self._summaries = summaries or {}
        self._built: dict[str, Any] = {}
        self._treatments: list[Callable[[Any], None]] = []

    def listing(self) -> dict[str, Any]:
        """Each command as the group's help lists it: built if it is, else its `Summary`."""
        return {
            name: self._built[name]
            if name in self._built or name not in self._summaries
            else self._summaries[name]()
            for name in self._builders
        }

    def __getitem__(self, name: str) -> Any:
        command = self._built.get(name)
        if command is None:
            command = self._builders[name]()  # KeyError: no such command
            self._built[name] = command
            for treat in self._treatments:
                treat(command)
        return command

    def __setitem__(self, name: str, command: Any) -> None:
        self._builders[name] = lambda: command
        self._built.pop(name, None)
        self.__getitem__(name)  # treated like every other

    def __delitem__(self, name: str) -> None:
        del self._builders[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def __contains__(self, name: object) -> bool:
        return name in self._builders

    def each(self, treat: Callable[[Any], None]) -> None:
        """Do `treat` to every command of the group: those built now, the others when built."""
        for command in self._built.values():
            treat(command)
        if treat not in self._treatments:
            self._treatments.append(treat)


class Summary:
    """What a group's help shows of a command (click's names), read without building it.

    The root's `--help` lists every command: building each (Typer reads every
    parameter's annotation) was about a tenth of its time. `help` is as the
    built command's help reads once `cli.help` has treated it. A plain class, not
    a dataclass: every start-up imports this module, and a dataclass's methods
    are compiled as it loads (0.5 ms).
    """

    def __init__(
        self,
        name: str,
        help: str | None,
        short_help: str | None,
        hidden: bool,
        deprecated: bool,
        rich_help_panel: str | None,
    ) -> None:
        self.name = name
        self.help = help
        self.short_help = short_help
        self.hidden = hidden
        self.deprecated = deprecated
        self.rich_help_panel = rich_help_panel


def below(command: Any, treat: Callable[[Any], None]) -> None:
    """Do `treat` to each command right below `command` (built now or later)."""
    commands = getattr(command, "commands", None)
    if isinstance(commands, LazyCommands):
        commands.each(treat)
    elif commands:
        for sub in commands.values():
            treat(sub)


def commands_at(
    where: dict[str, str],
    package: str,
    group: Any,
    *,
    pretty_exceptions_short: bool,
    cached: bool = True,
) -> LazyCommands:
    """Commands named in `where` ("module:attribute" under `package`), imported when built.

    The attribute is a command function or a Typer sub-app; it is registered on a
    throwaway Typer, as `app.command(name)` or `app.add_typer` would, so that
    what is built is what Typer builds.
    """
    options = {
        "pretty_exceptions_short": pretty_exceptions_short,
        "rich_markup_mode": group.rich_markup_mode,
    }

    def build(name: str) -> Any:
        module, attribute = where[name].split(":")
        target = getattr(importlib.import_module(f"{package}.{module}"), attribute)
        registry = typer.Typer()
        if isinstance(target, typer.Typer):
            registry.add_typer(target)
            return _group(registry.registered_groups[0], group.suggest_commands, options)
        registry.command(name)(target)
        return typer_main.get_command_from_info(registry.registered_commands[0], **options)

    def summarize(name: str) -> Summary:
        from coursetrack.cli.help import prose  # (help imports this module)

        module, attribute = where[name].split(":")
        target = getattr(importlib.import_module(f"{package}.{module}"), attribute)
        if isinstance(target, typer.Typer):
            registry = typer.Typer()
            registry.add_typer(target)
            info = typer_main.solve_typer_info_defaults(registry.registered_groups[0])
            text, short, hidden, deprecated, panel = (
                info.help, info.short_help, info.hidden, info.deprecated, info.rich_help_panel
            )  # fmt: skip
        else:
            text = inspect.getdoc(target)
            short, hidden, deprecated, panel = None, False, False, None
        return Summary(name, prose(text) if text else text, short, hidden, deprecated, panel)

    def summary(name: str) -> Summary:
        from coursetrack.cli.summaries import SUMMARIES

        known = SUMMARIES.get(name) if cached else None
        return Summary(name, *known) if known is not None else summarize(name)

    return LazyCommands(
        {name: partial(build, name) for name in where},
        {name: partial(summary, name) for name in where},
    )


def summaries_source(where: dict[str, str], package: str) -> str:
    """The text of `cli/summaries.py`: each command's `Summary`, read from its module.

    The root's `--help` lists every command; importing the ~20 modules that define
    them (each builds its options as it is imported) only to read their
    docstrings was a fifth of its time. The summaries are kept in that file
    instead, and tests/test_help_summaries.py fails, saying how to write it
    again, whenever a docstring and the file part.
    """
    from coursetrack.cli import app

    group = typer_main.get_group(app)
    summarize = commands_at(
        where, package, group, pretty_exceptions_short=True, cached=False
    )._summaries
    lines = [
        '"""Each command\'s summary as the root\'s --help lists it: written by',
        "`lazy.write_summaries()`, from the commands' own docstrings (see",
        '`lazy.summaries_source`). Do not edit: tests/test_help_summaries.py checks it."""',
        "",
        "SUMMARIES: dict[str, tuple[str | None, str | None, bool, bool, str | None]] = {",
    ]
    for name in where:
        found = summarize[name]()
        values = (
            found.help, found.short_help, found.hidden, found.deprecated, found.rich_help_panel,
        )  # fmt: skip
        lines.append(f"    {name!r}: {values!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_summaries() -> None:
    """Write `cli/summaries.py` again from the commands' docstrings."""
    from pathlib import Path

    from coursetrack import cli

    text = summaries_source(cli.COMMANDS, cli.__name__)
    Path(__file__).with_name("summaries.py").write_text(text, encoding="utf-8")


def _group(info: TyperInfo, suggest_commands: bool, options: dict[str, Any]) -> Any:
    """A sub-app (`add`, `note`, ...) as Typer builds it, its own commands lazy too."""
    sub_app = info.typer_instance
    assert sub_app is not None
    shell = copy.copy(sub_app)  # its settings and callback, without the commands
    shell.registered_commands, shell.registered_groups = [], []
    shell_info = copy.copy(info)
    shell_info.typer_instance = shell
    group = typer_main.get_group_from_info(shell_info, suggest_commands=suggest_commands, **options)
    builders: dict[str, Callable[[], Any]] = {}
    for command in sub_app.registered_commands:
        assert command.callback is not None  # a command is registered by decorating it
        name = command.name or typer_main.get_command_name(command.callback.__name__)
        builders[name] = partial(typer_main.get_command_from_info, command, **options)
    for sub in sub_app.registered_groups:
        sub_name = typer_main.solve_typer_info_defaults(sub).name
        assert sub_name is not None  # Typer names a sub-app by its name= or its callback
        builders[sub_name] = partial(_group, sub, suggest_commands, options)
    group.commands = LazyCommands(builders)
    return group
