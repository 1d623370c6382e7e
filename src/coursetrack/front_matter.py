"""A post's front matter for Hugo or Jekyll.

It is written as yaml.safe_dump writes a dict, never by formatting strings, and
every value in it is a single line, so no text can close it. Most front matter
holds only words that YAML writes as they are (`_front_matter_as_yaml_writes_it`):
that is written without importing PyYAML (a sixth of a post's time), byte for byte
as safe_dump writes it, and anything else goes through safe_dump.
"""

from __future__ import annotations

import datetime as dt
import re

from coursetrack.errors import InputError
from coursetrack.post_dates import hugo_date, jekyll_date

FORMATS = ("hugo", "jekyll", "plain")


def front_matter(
    fmt: str,
    *,
    title: str,
    date: dt.datetime,
    description: str,
    tags: list[str],
    image: str | None,
    draft: bool,
) -> str:
    """The `---` block for Hugo or Jekyll; empty for plain."""
    if fmt == "plain":
        return ""
    if fmt == "hugo":
        data: dict[str, object] = {
            "title": title,
            "date": hugo_date(date),
            "description": description,
            "tags": tags,
            "draft": draft,
            "images": [image] if image else [],
        }
        if image:
            data["featured_image"] = image
    elif fmt == "jekyll":
        data = {"layout": "post", "title": title, "date": jekyll_date(date)}
        if description:
            data["description"] = description
        data["tags"] = tags
        if image:
            data["image"] = image
        data["published"] = not draft
    else:
        raise InputError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    dumped = _front_matter_as_yaml_writes_it(data)
    if dumped is None:
        import yaml

        dumped = yaml.safe_dump(
            data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=2**30
        )
    return f"---\n{dumped}---\n"


#: The plain words YAML 1.1 reads as a boolean or null (any case, to be sure).
_YAML_WORDS = frozenset(("yes", "no", "true", "false", "on", "off", "null"))
#: A Hugo date YAML reads as a timestamp, so safe_dump quotes it; a Jekyll one it does not.
_QUOTED_DATE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[+-][0-9]{2}:[0-9]{2})?"
)
_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}")
#: How such a text may start: no indicator, number or date does (an image's path may).
_PLAIN_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/")


def _plain_word(text: str, *, in_list: bool = False) -> bool:
    """Whether safe_dump writes `text` as it is (a plain scalar), in a mapping's value or
    in a `[...]` list: a sure subset of PyYAML's rule (its Emitter.analyze_scalar and
    resolvers), which a test holds to safe_dump; text outside it goes to safe_dump.

    It starts with an ASCII letter or `/` (no indicator, number or date) and is no
    boolean or null word; it holds printable characters only (no line break, tab or control,
    nothing PyYAML escapes); no ': ', ' #' or ':' at its end (in a list: none of
    `,?[]{}:#`), and no space at its end.
    """
    if not text or text[0] not in _PLAIN_FIRST or text.lower() in _YAML_WORDS:
        return False
    if text[-1] in " :" or ": " in text or " #" in text:
        return False
    if in_list and any(c in text for c in ",?[]{}:#"):
        return False
    return all(
        " " <= c <= "~"
        or ("\xa0" <= c <= "\ud7ff" and c not in "\u2028\u2029")
        or ("\ue000" <= c <= "\ufffd" and c != "\ufeff")
        or "\U00010000" <= c < "\U0010ffff"
        for c in text
    )


def _front_matter_as_yaml_writes_it(data: dict[str, object]) -> str | None:
    """What `yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
    default_flow_style=None, width=2**30)` writes, when every value is one it writes
    as it is (`_plain_word`), a date, a flag or a list of plain words; else None.

    Front matter always holds a list (tags): safe_dump writes a mapping of scalars
    alone on one line, `{title: T}`, which is not written here."""
    if not any(isinstance(value, list) for value in data.values()):
        return None
    lines = []
    for key, value in data.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list):
            if not all(isinstance(v, str) and _plain_word(v, in_list=True) for v in value):
                return None
            text = f"[{', '.join(value)}]"
        elif not isinstance(value, str):
            return None
        elif key == "date" and _QUOTED_DATE.fullmatch(value):
            text = f"'{value}'"
        elif (key == "date" and _PLAIN_DATE.fullmatch(value)) or _plain_word(value):
            text = value
        else:
            return None
        lines.append(f"{key}: {text}\n")
    return "".join(lines)
