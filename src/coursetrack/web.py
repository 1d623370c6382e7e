"""A catalog from the web: `coursetrack import https://…/catalog.yaml`.

A download is held to what a file is (and a little more, since the other end is
a stranger): at most `MAX_BYTES`, however the server says or does not say its
length; the whole of it within `COURSETRACK_HTTP_TIMEOUT` seconds (default 30):
each wait for the server is cut at the time left, so a server that drips a byte
at a time is given up on too; only http and https, for the address given and
for every redirect. What arrives is then decoded and checked exactly as a file
(`catalog.decode`, `catalog.parse_catalog`), so its errors read `URL:line:col: …`.

The standard library's urllib does it: one GET, no cookies, no credentials. It
is imported when a download starts, so a command that never fetches never
pays for it.
"""

from __future__ import annotations

import math
import os
import re
import time
from typing import TYPE_CHECKING, Any

from coursetrack.errors import CatalogError, InputError
from coursetrack.validate import web_link_problem

if TYPE_CHECKING:
    import urllib.request

#: The most a download may hold (a file may hold 64 MiB: see catalog.MAX_BYTES).
MAX_BYTES = 8 * 1024 * 1024
#: Seconds the whole download may take, unless COURSETRACK_HTTP_TIMEOUT says otherwise.
TIMEOUT = 30.0
TIMEOUT_VARIABLE = "COURSETRACK_HTTP_TIMEOUT"
_SCHEMES = ("http", "https")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CHUNK = 64 * 1024


def is_url(source: str) -> bool:
    """Whether `source` is an address (`scheme://…`), not a path or a catalog's name."""
    return bool(_URL.match(source))


def timeout() -> float:
    """The seconds a download may take: COURSETRACK_HTTP_TIMEOUT, or `TIMEOUT`."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds < math.inf):
        raise InputError(f"{TIMEOUT_VARIABLE}={raw!r} is not a number of seconds (e.g. 30)")
    return seconds


def fetch(url: str) -> bytes:
    """The body of a GET of `url`, or a CatalogError saying in one line why not."""
    if url.split(":", 1)[0].lower() not in _SCHEMES:
        raise CatalogError(f"{url}: only http:// and https:// addresses can be imported")
    problem = web_link_problem(url, what="the address")
    if problem:
        raise CatalogError(f"{url}: {problem}")
    limit = timeout()
    import http.client
    import socket
    import urllib.error
    import urllib.request

    from coursetrack import __version__

    slow = CatalogError(
        f"{url}: no complete answer within {limit:g} s ({TIMEOUT_VARIABLE}); nothing was imported"
    )
    too_big = CatalogError(
        f"{url} is over {MAX_BYTES // 2**20} MiB; catalogs from the web are limited to "
        f"{MAX_BYTES // 2**20} MiB (download it and import the file)"
    )
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": f"coursetrack/{__version__}",
            "Accept": "application/yaml, text/yaml, text/plain;q=0.9, */*;q=0.5",
        },
    )
    opener = urllib.request.build_opener(_http_redirects_only(url))
    deadline = time.monotonic() + limit
    try:
        with opener.open(request, timeout=limit) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise too_big
            chunks: list[bytes] = []
            size = 0
            sock = _socket_of(response)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise slow
                if sock is not None:
                    sock.settimeout(left)  # no wait for the next bytes outlasts the deadline
                chunk = response.read1(_CHUNK)  # what has arrived, as soon as some has
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BYTES:
                    raise too_big
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        raise CatalogError(
            f"{url}: the server answered {exc.code} ({exc.reason}); nothing was imported"
        ) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise slow from None
        reason = getattr(exc.reason, "strerror", None) or str(exc.reason)
        raise CatalogError(f"{url}: cannot connect ({reason})") from None
    except TimeoutError:
        raise slow from None
    except (http.client.HTTPException, OSError) as exc:
        raise CatalogError(f"{url}: the download failed ({exc or type(exc).__name__})") from None
    return b"".join(chunks)


def _socket_of(response: Any) -> Any:
    """The socket under urllib's response (http.client keeps it as `fp.raw._sock`), or
    None where it is not there: then a wait is cut at the timeout urllib was given."""
    return getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)


def _http_redirects_only(url: str) -> urllib.request.HTTPRedirectHandler:
    """urllib's redirects, refused (in our words) to anything but http and https.

    urllib itself follows a redirect to ftp: and reports one to file: as the
    redirect's own status; both are refused here before it looks at them.
    """
    import urllib.parse
    import urllib.request

    class _Redirects(urllib.request.HTTPRedirectHandler):
        def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
            target = headers.get("Location") or headers.get("URI")
            if target is not None:
                absolute = urllib.parse.urljoin(req.full_url, target)
                if urllib.parse.urlsplit(absolute).scheme.lower() not in _SCHEMES:
                    raise CatalogError(
                        f"{url}: redirected to {absolute}; only http:// and https:// "
                        "addresses are followed"
                    )
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    return _Redirects()
