"""What may enter the store: the size limits, the text rule and the URL rule.

Every way in checks values here — command-line arguments (`add`, `update`,
`note`, `link`), catalogs and backups (their pydantic models wrap these same
functions) — so a value `add` refuses is refused by `import` too, with the
same words. The limits keep one huge input from taking the store hostage: a
20 MB title made a 20-million-character slug and `log -n 1` took minutes.

The URL rule exists because URLs end up as `href`s in a published blog post:
only `http`, `https` and `mailto` are let in. The scheme is read the strict
way (ASCII letters, then `:`, at the very start), and whitespace, control and
invisible format characters anywhere in a URL are refused, so `java\\tscript:`,
` javascript:`, `&#106;avascript:` or `//evil.example` never pass for a link.

Each check returns the problem as a sentence, or None; callers raise the
error of their layer (InputError, a pydantic error traced to `file:line:col`).
This module imports nothing heavy: services, catalog, backup and the post
writer all use it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import urlsplit

from coursetrack.dates import EARLIEST, LATEST
from coursetrack.errors import InputError

#: Characters (not bytes). README "Limits" lists them; change both together.
MAX_TITLE = 500
MAX_SLUG = 100
MAX_PROVIDER = 200
MAX_DESCRIPTION = 10_000
MAX_NOTE = 100_000
MAX_URL = 2_048
#: Days between reviews: 100 years at most, so dates computed from it stay in range.
MAX_INTERVAL = 36_500
#: A rubric (issue 23's peer review): 1 to MAX_CRITERIA criteria, each named in 1 to
#: MAX_CRITERION characters and worth 1 to MAX_POINTS points.
MAX_CRITERIA = 20
MAX_CRITERION = 80
MAX_POINTS = 100
#: What one document may create, so that its import holds the write lock for
#: seconds, well below the busy timeout (bench/limits.py times both): courses
#: and topics of a catalog; rows of a backup (items, progress rows, notes,
#: links, reviews and goals together).
MAX_CATALOG_ITEMS = 150_000
MAX_BACKUP_ROWS = 100_000
#: Keys and values one YAML document may hold: the largest catalog or backup
#: allowed fits (a 150,000-topic catalog of titles and slugs is ~750,000), and
#: PyYAML holds each in memory, near 1 KB apiece.
MAX_YAML_NODES = 1_500_000

#: Where a URL may point: the web, or an e-mail address.
URL_SCHEMES = ("http", "https", "mailto")
#: What `link` keeps: a page on the web.
WEB_SCHEMES = ("http", "https")

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Characters that end or break a URL in Markdown and HTML, or that browsers
# silently drop (tabs, newlines): never part of a URL we keep.
_BREAKERS = frozenset('<>"`\\')


def _shown(value: str, width: int = 60) -> str:
    cut = value if len(value) <= width else value[:width] + "…"
    return repr(cut)


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _count(n: int) -> str:
    return f"{n:,}"


def text_problem(value: str, *, what: str, limit: int, required: bool = False) -> str | None:
    """Why `value` cannot be stored as `what` (at most `limit` characters), or None."""
    if "\x00" in value:
        return f"{what} contains a NUL character (\\x00); remove it"
    try:
        if not value.isascii():  # ASCII holds no surrogate
            value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        return f"{what} is not valid Unicode text (a lone surrogate U+{code:04X}); retype it"
    if len(value) > limit:
        return (
            f"{what} is {_count(len(value))} characters long; the limit is {_count(limit)} "
            "(see 'Limits' in the README)"
        )
    if required and not value.strip():
        return f"{what} is empty; give it some text"
    return None


def url_problem(
    url: str, *, what: str = "URL", schemes: tuple[str, ...] = URL_SCHEMES
) -> str | None:
    """Why `url` is not an absolute URL of one of `schemes`, or None.

    http(s) URLs need a host (`https:evil`, `https:///x` and `//evil` are
    refused); a mailto URL needs an address.
    """
    if not url:
        return f"{what} is empty; give an address, e.g. https://example.org/"
    problem = text_problem(url, what=what, limit=MAX_URL)
    if problem:
        return problem
    for ch in url:
        if ch in _BREAKERS or ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            name = unicodedata.name(ch, "control character").lower()
            return (
                f"{what} {_shown(url)} contains a {name} (U+{ord(ch):04X}); "
                "percent-encode it (a space is %20)"
            )
    allowed = _either([f"{s}:" for s in schemes])
    found = _SCHEME.match(url)
    if found is None:
        return (
            f"{what} {_shown(url)} is not an absolute URL; give the whole address "
            f"({allowed}), e.g. https://example.org/page"
        )
    scheme = found.group(1).lower()
    if scheme not in schemes:
        return f"{what} {_shown(url)} uses the {scheme}: scheme; only {allowed} URLs are allowed"
    rest = url[found.end() :]
    if scheme == "mailto":
        return None if rest else f"{what} {_shown(url)} has no address after mailto:"
    try:
        host = urlsplit(url).hostname if rest.startswith("//") else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        host = None
    if not host:
        return f"{what} {_shown(url)} has no host; write it as {scheme}://host/path"
    return None


def web_link_problem(url: str, *, what: str = "URL") -> str | None:
    """`link`'s rule: an absolute http(s) URL with a host."""
    return url_problem(url, what=what, schemes=WEB_SCHEMES)


def image_problem(value: str, *, what: str = "--image") -> str | None:
    """A featured image is a path on the site (/images/x.jpg) or a web URL: a value
    with a scheme must be http(s), since a theme may put it in an href or src."""
    # a browser drops tabs and line breaks from a URL and trims controls and spaces
    # around it: `java\tscript:` is a javascript: URL to it
    # and an HTML attribute decodes entities first (`javascript&colon;`)
    import html  # here: its table of entities is for --image alone

    seen = re.sub(r"[\t\n\r]", "", html.unescape(value)).strip("".join(map(chr, range(0x21))))
    if _SCHEME.match(seen) or seen.startswith("//"):
        return web_link_problem(value, what=what)
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        return f"{what} {_shown(value)} contains a control character; give a path or an http(s) URL"
    return text_problem(value, what=what, limit=MAX_URL, required=True)


def publishable_url(url: str | None) -> str | None:
    """`url` if a post may make it a link, else None.

    The post writer calls this for every href it emits: a store written by an
    older coursetrack may hold a `javascript:` URL that no entry lets in today.
    """
    if url is None or url_problem(url) is not None:
        return None
    return url


def date_problem(value: dt.date, *, what: str) -> str | None:
    """Dates outside 1900-2999 break date arithmetic (OverflowError) for good."""
    if not EARLIEST <= value <= LATEST:
        return (
            f"{what} {value.isoformat()} is out of range: give a date from {EARLIEST} to {LATEST}"
        )
    return None


#: The rule of each stored text field, by its name in the tables, catalogs and
#: backups: a limit in characters, or a URL rule. `link_url` is a link's `url`.
LIMITS = {
    "title": MAX_TITLE,
    "slug": MAX_SLUG,
    "provider": MAX_PROVIDER,
    "description": MAX_DESCRIPTION,
    "text": MAX_NOTE,
}
URL_RULES = {"url": URL_SCHEMES, "certificate_url": URL_SCHEMES, "link_url": WEB_SCHEMES}
#: Fields that cannot be blank when given.
REQUIRED = ("title", "text")


def field_problem(name: str, value: str, *, what: str | None = None) -> str | None:
    """Why `value` cannot be stored in the field `name`, or None; `what` names it in the message."""
    label = what or name
    if name in URL_RULES:
        return url_problem(value, what=label, schemes=URL_RULES[name])
    return text_problem(value, what=label, limit=LIMITS[name], required=name in REQUIRED)


def checked(name: str, value: str, *, what: str | None = None) -> str:
    """`value`, or an InputError saying why the field `name` cannot hold it."""
    problem = field_problem(name, value, what=what)
    if problem:
        raise InputError(problem)
    return value
