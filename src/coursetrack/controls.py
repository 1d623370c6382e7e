"""Control characters in the learner's text: shown, never sent.

A title or note may carry ESC, BEL or C1 codes (pasted from a terminal, or
hostile). Wherever coursetrack prints or writes such text for people to read —
the terminal, a blog post — they appear as `\\x1b`, so nothing acts on them.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

#: Characters a terminal does not draw but that change what it shows: every
#: format character (Unicode category Cf: bidi overrides and isolates such as
#: U+202E, zero-width space and joiners, BOM, soft hyphen, tags), the line and
#: paragraph separators, and lone surrogates (undecodable bytes). None is ASCII:
#: compiled on first use (`invisible`), as ASCII text (most of it) needs no look (1 ms).
_INVISIBLE = (
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\ud800-\udfff]"
)
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_compiled: list[re.Pattern[str]] = []


def invisible() -> re.Pattern[str]:
    """The characters of `_INVISIBLE`, as a compiled pattern (made once)."""
    if not _compiled:
        _compiled.append(re.compile(_INVISIBLE))
    return _compiled[0]


def visible(text: str, *, one_line: bool = False) -> str:
    """`text` with control characters (and, for one line, newlines and tabs) as `\\xNN`."""
    pattern = _CONTROL_OR_NEWLINE if one_line else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` as a terminal should show it: controls as `\\xNN`, invisible ones as `\\uNNNN`.

    An RTL override can make `evil.exe` read as `exe.live`, a zero-width space
    makes two slugs that look alike differ: in a table both are shown, not obeyed.
    """
    shown = visible(text, one_line=one_line)
    return shown if shown.isascii() else invisible().sub(_escape, shown)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
