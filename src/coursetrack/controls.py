"""Control characters in the learner's text: shown, never sent.

A title or note may carry ESC, BEL or C1 codes (pasted from a terminal, or
hostile). Wherever coursetrack prints or writes such text for people to read —
the terminal, a blog post — they appear as `\\x1b`, so nothing acts on them.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible(text: str, *, one_line: bool = False) -> str:
    """`text` with control characters (and, for one line, newlines and tabs) as `\\xNN`."""
    pattern = _CONTROL_OR_NEWLINE if one_line else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
