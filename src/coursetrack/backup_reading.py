"""Reading a backup: JSON or YAML text to a checked `backup.Backup`, and where a problem is.

The format's models are `backup`'s; this is the reading the command line's `import`
does through `backup.parse`: JSON with its duplicate keys, oversized numbers and lone
surrogates refused at their line and column, YAML through the strict loader of
`documents`, then the models, with the document's own version handed down to them
(peer review's keys are version 2's). `place` finds the line and column of a problem
the restore meets once the store is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from coursetrack import documents, strict_yaml
from coursetrack.backup import BACKUP, FORMAT, Backup
from coursetrack.errors import ExportError
from coursetrack.validate import MAX_BACKUP_ROWS


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ExportError(f"duplicate key {key!r}; keep one")
        out[key] = value
    return out


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _json_int(text: str) -> Callable[[str], int]:
    """json's int parser, bounded: Python refuses to convert over 4300 digits (a traceback)."""

    def parse_int(digits: str) -> int:
        if len(digits) > 100:  # far beyond any value a field takes; its rule says the range
            line, col = _line_col(text, max(text.find(digits), 0))
            raise ExportError(
                f"{line}:{col}: a number of {len(digits):,} digits; no value in a backup "
                "is that large"
            )
        return int(digits)

    return parse_int


_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


def _lone_surrogate(text: str) -> tuple[int, int, str] | None:
    """Where a JSON `\\uD800`-style escape stands without its other half, if anywhere.

    JSON decodes such an escape into a lone surrogate, which is not text: the
    store cannot hold it, and the error would only come at the write.
    """
    pending: re.Match[str] | None = None
    for match in _JSON_ESCAPE.finditer(text):
        code = int(match.group(1), 16) if match.group(1) else None
        if pending is not None:
            if code is not None and 0xDC00 <= code <= 0xDFFF and match.start() == pending.end():
                pending = None
                continue
            break
        if code is not None and 0xD800 <= code <= 0xDBFF:
            pending = match
        elif code is not None and 0xDC00 <= code <= 0xDFFF:
            pending = match
            break
    if pending is None:
        return None
    return (*_line_col(text, pending.start()), pending.group(1))


def parse(text: str, *, label: str) -> Backup:
    """Read and check a backup in either form; errors name the place in the file."""
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_json_int(text))
        except json.JSONDecodeError as exc:
            raise ExportError(
                f"{label}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})"
            ) from None
        except ExportError as exc:
            place = "" if str(exc)[:1].isdigit() else " "
            raise ExportError(f"{label}:{place}{exc}") from None
        except RecursionError:
            raise ExportError(f"{label}: nested too deeply to be a backup") from None
        lone = _lone_surrogate(text)
        if lone is not None:
            line, col, code = lone
            raise ExportError(
                f"{label}:{line}:{col}: \\u{code} is half of a UTF-16 surrogate pair, not a "
                "character; a backup holds UTF-8 text: fix or remove the escape"
            )
        return _checked(data, documents.Document(label, BACKUP, from_yaml=False))
    return documents.load(text, BACKUP, label, _checked)


def _checked(data: Any, document: documents.Document) -> Backup:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise document.error(
            (), f"not a coursetrack backup: it needs 'format: {FORMAT}' at the top"
        )
    rows = _mappings(data) - 1  # every mapping but the document is a row to write
    if rows > MAX_BACKUP_ROWS:
        raise document.error(
            ("specializations",),
            f"the backup holds {rows:,} records; one backup may hold {MAX_BACKUP_ROWS:,} "
            "(see 'Limits' in the README): export one specialization per file "
            "('coursetrack export yaml SPEC')",
        )
    try:
        return Backup.model_validate(data, context={"version": _stated_version(data)})
    except ValidationError as exc:
        raise documents.first_error(exc, document) from None


def _stated_version(data: dict) -> int | None:
    """The version the document says, if it says one (its own rule words a bad one)."""
    value = data.get("version")
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value):
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def place(text: str, label: str, path: tuple, message: str) -> ExportError:
    """`message` at the place of `path` in the backup `text` (a problem found once the
    store is read, by the restore): `file:line:col: ...` as the reading's own errors,
    found again by the pure-Python loader, which notes every place (a JSON backup's
    errors name the path: `file: at specializations[0]...: ...`)."""
    if text.lstrip().startswith("{"):
        document = documents.Document(label, BACKUP, from_yaml=False)
    else:
        document = documents.Document(label, BACKUP)
        document.read(text, strict_yaml.StrictLoader)
    error = document.error(path, message)
    assert isinstance(error, ExportError)  # BACKUP's error class
    return error


def _mappings(data: Any) -> int:
    """How many mappings `data` holds, itself included; counted before validation,
    so an oversized backup is refused before pydantic builds a model of it."""
    count, stack = 0, [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            count += 1
            # a rubric's criteria are part of their item, not rows (at most 20: `rubrics`)
            stack.extend(v for k, v in value.items() if k != "rubric")
        elif isinstance(value, list):
            stack.extend(value)
    return count
