"""How `--help` reads: the types and usage Typer users know, examples never wrapped.

Typer 0.2x prints types as `<bool>` after every flag, `<list[str]>` and
`{REF...}...`; these reads every command once, at start-up, and show instead
what click and earlier Typer showed: nothing after a flag, `TEXT`, `INTEGER`,
`[hugo|jekyll|plain]`, an argument's own metavar, and `REF...` in the usage
line. A command's examples (the lines after `Example:` or `Examples:` in its
docstring) are printed after the options, one per line and never wrapped, so
each can be copied whole however narrow the terminal; prose paragraphs are
reflowed to the terminal.

It is done here, once for the whole tree, so a command added later gets it too.

Typer draws help with its `rich_utils`, which imports Rich's Markdown (and
with it markdown-it and Pygments) and Rich's tracebacks at its top, though it
uses the first only for `rich_markup_mode="markdown"` (ours is "rich") and the
second only to show an uncaught exception: more than half of what `--help`
cost beyond the import of Typer itself. `_light_rich_utils` imports it with
stand-ins that import the real class when first used, and has its panels
drawn as plain lines where nothing is styled (`help_panels`).
"""

import contextlib
import importlib
import io
import re
import sys
import types
from functools import partial
from typing import Any, get_args, get_origin

from coursetrack.cli import lazy

#: What an option's value is called, by its annotation (as click names its types).
_TYPE_LABELS = {str: "TEXT", int: "INTEGER", float: "FLOAT"}
_EXAMPLES = re.compile(r"^\s*Examples?:\s*$", re.M)


def plain_help(command: Any) -> None:
    """Apply this module's help conventions to `command` and everything under it."""
    if getattr(command, "_plain_help", False):
        return
    command._plain_help = True
    every = command.get_params

    def get_params(ctx: Any) -> list[Any]:
        params = every(ctx)  # --help itself is made here, on first use
        for param in params:
            _plain_param(param)
        return params

    command.get_params = get_params
    examples: list[str] = []
    if command.help:
        command.help, examples = _split_examples(command.help)
    command.format_help = partial(_format_help, command.format_help, examples)
    lazy.below(command, plain_help)


def _plain_param(param: Any) -> None:
    if getattr(param, "_plain_help", False):
        return
    param._plain_help = True
    label = _label(param)
    param.display_type_rich = lambda ctx: label
    if param.param_type_name == "argument":
        usage = param.metavar or param.name.upper()
        if not param.required and not usage.startswith("["):
            usage = f"[{usage}]"
        if param.nargs != 1 and not usage.rstrip("]").endswith("..."):
            usage += "..."
        param.get_usage_pieces = lambda ctx: [usage]


def _label(param: Any) -> str | None:
    """The type shown beside a parameter: its metavar, a click-style name, or none."""
    if param.param_type_name == "argument":
        return None if param.metavar else _type_name(param)
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    return param.metavar or _type_name(param)


def _type_name(param: Any) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None:
        return "TEXT"
    if descriptor.is_choice and descriptor.choices:
        names = [str(getattr(c, "value", c)) for c in descriptor.choices]
        return f"[{'|'.join(names)}]"
    annotation = descriptor.annotation
    if get_origin(annotation) in (list, tuple):
        annotation = (get_args(annotation) or (str,))[0]
    if getattr(descriptor, "is_path", False):
        return "PATH"
    return _TYPE_LABELS.get(annotation, "TEXT")


def prose(help_text: str) -> str:
    """A command's help as `plain_help` leaves it, its examples aside."""
    return _split_examples(help_text)[0]


def _split_examples(help_text: str) -> tuple[str, list[str]]:
    """(prose with its paragraphs reflowed, the example lines as written)."""
    found = _EXAMPLES.search(help_text)
    head, tail = (
        (help_text[: found.start()], help_text[found.end() :]) if found else (help_text, "")
    )
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", head.strip())]
    examples = [line.strip() for line in tail.splitlines() if line.strip()]
    return "\n\n".join(p for p in paragraphs if p), examples


class _Deferred(type):
    """A class that stands for one imported later: calls and attributes go to the real one.

    A class, not a function, so that an annotation such as `Markdown | Text`
    still evaluates where the stand-in is imported.
    """

    def _real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls.__name__)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(cls._real(), name)


#: What typer.rich_utils imports at its top and uses only in cases our help never meets.
_DEFERRED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


def _light_rich_utils() -> None:
    """Import typer.rich_utils with `_DEFERRED` standing in for the real classes.

    The stand-in modules are in `sys.modules` only while it is imported, so
    anything that imports rich.markdown later gets the real one. Where either
    is already imported (or rich_utils is), nothing changes. Once imported
    here, its panels are drawn by `help_panels` where they can be.
    """
    if "typer.rich_utils" in sys.modules:
        return
    standing = []
    for module, name in _DEFERRED.items():
        if module not in sys.modules:
            stand_in = types.ModuleType(module)
            setattr(stand_in, name, _Deferred(name, (), {"_module": module}))
            sys.modules[module] = stand_in
            standing.append(module)
    try:
        rich_utils = importlib.import_module("typer.rich_utils")
    finally:
        for module in standing:
            del sys.modules[module]
    from coursetrack.cli import help_panels  # (it imports Rich's console: only for a help)

    help_panels.install(rich_utils)


def _format_help(original: Any, examples: list[str], ctx: Any, formatter: Any) -> None:
    """Typer's help, then the examples, each on one line whatever the width.

    Typer prints rich help itself, to stdout, each line padded to the width;
    in a pipe the padding is dropped, as it is from every table.
    """
    _light_rich_utils()
    lines = ["Example:" if len(examples) == 1 else "Examples:"] if examples else []
    for example in examples:
        lines += ["", f"  {example}"]
    text = "".join(f" {line}".rstrip() + "\n" for line in lines)
    if getattr(original.__self__, "rich_markup_mode", None) is None:
        original(ctx, formatter)
        formatter.write(text)
        return
    if _is_tty(sys.stdout):
        original(ctx, formatter)
        sys.stdout.write(text)
        return
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        original(ctx, formatter)
    printed = "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())
    sys.stdout.write(printed.strip("\n") + "\n" + (f"\n{text}" if text else ""))


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
