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
"""

import contextlib
import io
import re
import sys
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


def _split_examples(help_text: str) -> tuple[str, list[str]]:
    """(prose with its paragraphs reflowed, the example lines as written)."""
    found = _EXAMPLES.search(help_text)
    head, tail = (
        (help_text[: found.start()], help_text[found.end() :]) if found else (help_text, "")
    )
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", head.strip())]
    examples = [line.strip() for line in tail.splitlines() if line.strip()]
    return "\n\n".join(p for p in paragraphs if p), examples


def _format_help(original: Any, examples: list[str], ctx: Any, formatter: Any) -> None:
    """Typer's help, then the examples, each on one line whatever the width.

    Typer prints rich help itself, to stdout, each line padded to the width;
    in a pipe the padding is dropped, as it is from every table.
    """
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
