"""Command-line values that need no conversion skip Typer's pydantic coercion.

Typer converts every parameter through a pydantic TypeAdapter, and building
the first one imports pydantic: about 300 ms here, more than all the work of a
read command such as `status`. Text given as text (one, or a list of them), a
flag, and a whole number given as its default or as plain digits within its
bounds are already what pydantic would return, so they pass as they are.
Anything else (another type, a sign, a space, a value out of range) still goes
through Typer's own coercion, which decides what is accepted; when it refuses
a choice or a number, the CLI tells the user in one line what the parameter
takes (`in_own_words`), not in Typer's framed box with pydantic's wording.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, TypeGuard

from coursetrack.cli import lazy

#: Longer digit strings go the slow way: pydantic decides what they mean.
_MAX_DIGITS = 18


class _Plain:
    """A Typer runtime parameter for text, flags and whole numbers that falls back to Typer's.

    Also lists of texts, a choice (an Enum) given as its value, and an absent path.
    """

    __slots__ = ("annotation", "info")

    def __init__(self, annotation: type, info: Any) -> None:
        self.annotation = annotation
        self.info = info

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.annotation == list[str]:  # REFS...: Typer gives a list of the texts
            if value is None:
                return ()
            if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                return list(value)
        elif value is None:
            return None
        if self.annotation is str and isinstance(value, str):
            return value
        if self.annotation is bool and isinstance(value, bool):
            return value
        if self.annotation is int:
            number = _whole(value)
            if number is not None and self._within(number):
                return number
        if _is_enum(self.annotation):  # a choice: its default, or its value as written
            if isinstance(value, self.annotation):
                return value
            for member in self.annotation:
                if isinstance(value, str) and member.value == value:
                    return member
        param._runtime_param = None  # Typer builds its own, keeps it, and decides
        return param.get_runtime_param().coerce(value, param=param, ctx=ctx)

    def _within(self, number: int) -> bool:
        low, high = getattr(self.info, "min", None), getattr(self.info, "max", None)
        return (low is None or number >= low) and (high is None or number <= high)


def in_own_words(exc: Exception) -> str | None:
    """A refused choice or whole number (Typer's BadParameter, raised from pydantic's
    ValidationError, which holds the value as typed) as one line saying what the
    parameter takes: "--limit takes a whole number of at least 1, not '0'". None for
    any other error, which is left to Typer."""
    param, cause = getattr(exc, "param", None), exc.__cause__
    descriptor = getattr(param, "type_descriptor", None)
    errors = getattr(cause, "errors", None)
    if param is None or descriptor is None or errors is None:
        return None
    if param.nargs != 1 or param.multiple:
        return None
    takes = _takes(descriptor.annotation, descriptor.parameter_info)
    found = errors()
    if takes is None or not found or "input" not in found[0]:
        return None
    return f"{_named(param, getattr(exc, 'ctx', None))} takes {takes}, not {found[0]['input']!r}"


def _takes(annotation: Any, info: Any) -> str | None:
    """What a parameter takes, in words: its choices, or its range of whole numbers."""
    if _is_enum(annotation):
        return _either([str(member.value) for member in annotation])
    if annotation is int:
        low, high = getattr(info, "min", None), getattr(info, "max", None)
        if low is not None and high is not None:
            return f"a whole number from {low} to {high}"
        if low is not None:
            return f"a whole number of at least {low}"
        if high is not None:
            return f"a whole number of at most {high}"
        return "a whole number"
    return None


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _named(param: Any, ctx: Any) -> str:
    """An option by its long name (--limit); an argument by its command and metavar."""
    longs = [opt for opt in getattr(param, "opts", []) if opt.startswith("--")]
    if getattr(param, "param_type_name", "") == "option" and longs:
        return max(longs, key=len)
    command = " ".join(ctx.command_path.split()[1:]) if ctx is not None else ""
    metavar = getattr(param, "metavar", None) or (param.name or "").upper()
    return f"{command} {metavar}".strip()


def _is_enum(annotation: Any) -> TypeGuard[type[Enum]]:
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def _whole(value: Any) -> int | None:
    if type(value) is int:
        return value
    digits = isinstance(value, str) and value.isascii() and value.isdigit()
    if digits and len(value) <= _MAX_DIGITS and (len(value) == 1 or value[0] != "0"):
        return int(value)
    return None


def light_coercion(command: Any) -> None:
    """Give every plain text, flag or whole-number parameter under `command` the light
    coercion, including the --help option Click makes on first use."""
    every = command.get_params

    def get_params(ctx: Any) -> list[Any]:
        params = every(ctx)
        for param in params:
            _lighten(param)
        return params

    command.get_params = get_params
    lazy.below(command, light_coercion)


def _lighten(param: Any) -> None:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", True) is not None:
        return
    info = descriptor.parameter_info
    # an absent Path is None; a given one goes Typer's way (Path options carry checks)
    light = descriptor.annotation in (str, int, bool, Path) or _is_enum(descriptor.annotation)
    single = light and param.nargs == 1 and not param.multiple
    several = descriptor.annotation == list[str] and (param.nargs == -1 or param.multiple)
    plain = (
        (single or several)
        and descriptor.file_annotation is None
        and getattr(info, "parser", None) is None
        and getattr(info, "click_type", None) is None
        and not getattr(info, "clamp", False)
    )
    if plain:
        param._runtime_param = _Plain(descriptor.annotation, info)
