"""`coursetrack import https://…/catalog.yaml` (web.py): a catalog from the web.

Served by a real HTTP server on 127.0.0.1, in a thread: a good catalog, a bad
one, one too big (declared, and streamed without a length), one too slow (silent,
and dripping), redirects (followed to http, refused to another scheme), a 404.
Each refusal is one line on stderr, exit 1, nothing written.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from coursetrack import web

if TYPE_CHECKING:
    from conftest import Store

GOOD = b"title: Shared\nslug: shared\ncourses:\n  - title: C\n    topics: [One, Two]\n"
BAD = b"title: Shared\nslug: shared\ncolour: red\n"
SPEC_KEYS = "title, slug, provider, url, description, certificate_url, source, courses"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {"Content-Length": str(len(body))}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        # the client may stop reading: what the limits are for
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route()

    def _route(self) -> None:
        path = self.path
        if path == "/catalog.yaml":
            self._send(200, GOOD)
        elif path == "/bad.yaml":
            self._send(200, BAD)
        elif path == "/latin1.yaml":
            self._send(200, "title: Caf\u00e9\n".encode("latin-1"))
        elif path == "/declared-big.yaml":
            self._send(200, GOOD, {"Content-Length": str(2**30)})
        elif path == "/streamed-big.yaml":
            self.send_response(200)
            self.end_headers()  # no length: read until the server closes
            chunk = b"# " + b"x" * 65_533 + b"\n"
            for _ in range(web.MAX_BYTES // len(chunk) + 2):
                self.wfile.write(chunk)
        elif path == "/silent.yaml":
            time.sleep(5)
            self._send(200, GOOD)
        elif path == "/dripping.yaml":
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            for byte in GOOD:  # a byte every 0.2 s: each read is quick, the whole is not
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        elif path == "/to-catalog":
            self._send(302, b"", {"Location": "/catalog.yaml", "Content-Length": "0"})
        elif path == "/to-ftp":
            self._send(
                302, b"", {"Location": "ftp://127.0.0.1/catalog.yaml", "Content-Length": "0"}
            )
        elif path == "/to-file":
            self._send(301, b"", {"Location": "file:///etc/passwd", "Content-Length": "0"})
        else:
            self._send(404, b"not here\n")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def refuse(store: Store, url: str, env: dict | None = None) -> str:
    """Import `url`, expect it refused cleanly, and return the error line."""
    before = store.dump(history=True)
    result = store.run("import", url, env=env)
    assert result.exit_code == 1, result.stdout
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert store.dump(history=True) == before, "a refused import changed the store"
    return lines[0].removeprefix("Error: ")


def test_a_catalog_from_the_web_is_imported_as_its_file_would_be(
    store: Store, server: str, tmp_path: Path
) -> None:
    result = store.run("import", f"{server}/catalog.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "imported shared: Shared (1 course, 2 topics)"
    assert store.rows("SELECT slug, title FROM topic ORDER BY position") == [
        ("one", "One"),
        ("two", "Two"),
    ]
    path = tmp_path / "catalog.yaml"
    path.write_bytes(GOOD)
    again = store.run("import", str(path))
    assert again.stdout == "shared is up to date (1 course, 2 topics); nothing changed\n"


def test_a_redirect_to_http_is_followed(store: Store, server: str) -> None:
    result = store.run("import", f"{server}/to-catalog")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported shared: Shared")


def test_a_bad_document_is_refused_at_its_line_and_column(store: Store, server: str) -> None:
    url = f"{server}/bad.yaml"
    assert refuse(store, url) == f"{url}:3:1: unknown key 'colour'; allowed here: {SPEC_KEYS}"


def test_text_that_is_not_utf8_is_refused_as_a_file_is(store: Store, server: str) -> None:
    url = f"{server}/latin1.yaml"
    assert refuse(store, url) == f"{url}:1:11: not UTF-8 text (byte 0xe9); save it as UTF-8"


def test_a_404_is_refused(store: Store, server: str) -> None:
    url = f"{server}/nothing-here.yaml"
    assert refuse(store, url) == f"{url}: the server answered 404 (Not Found); nothing was imported"


@pytest.mark.parametrize("path", ["/declared-big.yaml", "/streamed-big.yaml"])
def test_a_catalog_over_the_limit_is_refused(store: Store, server: str, path: str) -> None:
    url = f"{server}{path}"
    assert refuse(store, url) == (
        f"{url} is over 8 MiB; catalogs from the web are limited to 8 MiB "
        "(download it and import the file)"
    )


@pytest.mark.parametrize("path", ["/silent.yaml", "/dripping.yaml"])
def test_a_server_too_slow_is_given_up_on(store: Store, server: str, path: str) -> None:
    """The limit is on the whole download, not each read: a server that drips a byte at a
    time within each read's timeout is given up on too."""
    url = f"{server}{path}"
    assert refuse(store, url, env={"COURSETRACK_HTTP_TIMEOUT": "1"}) == (
        f"{url}: no complete answer within 1 s (COURSETRACK_HTTP_TIMEOUT); nothing was imported"
    )


@pytest.mark.parametrize(
    ("path", "target"),
    [("/to-ftp", "ftp://127.0.0.1/catalog.yaml"), ("/to-file", "file:///etc/passwd")],
)
def test_a_redirect_to_another_scheme_is_refused(
    store: Store, server: str, path: str, target: str
) -> None:
    url = f"{server}{path}"
    assert refuse(store, url) == (
        f"{url}: redirected to {target}; only http:// and https:// addresses are followed"
    )


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/catalog.yaml", "file:///etc/passwd", "data://text,title:x"]
)
def test_only_http_and_https_are_fetched(store: Store, url: str) -> None:
    assert refuse(store, url) == f"{url}: only http:// and https:// addresses can be imported"


def test_nothing_listens(store: Store) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/catalog.yaml"
    assert refuse(store, url).startswith(f"{url}: cannot connect (")


def test_a_bad_timeout_setting_is_one_line(store: Store, server: str) -> None:
    url = f"{server}/catalog.yaml"
    assert refuse(store, url, env={"COURSETRACK_HTTP_TIMEOUT": "soon"}) == (
        "COURSETRACK_HTTP_TIMEOUT='soon' is not a number of seconds (e.g. 30)"
    )
