"""A sync's words for its hub (issue 24): which URL names one, the URL as a replica keeps
it (never a password), and the driver's errors as one line naming the side that raised
them, the hub as "the hub" (`store.sync` holds the statements)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def is_postgres_url(url: str) -> bool:
    """Whether `url` names a PostgreSQL database, as `open_store` reads one."""
    from coursetrack.store.inspect import POSTGRES_SCHEMES

    return url.partition("://")[0].lower() in POSTGRES_SCHEMES


def without_password(url: str) -> str:
    """`url` as a replica keeps it: no password (libpq's ~/.pgpass or PGPASSWORD give it)."""
    import re
    from urllib.parse import unquote

    kept = re.sub(r"^([\w+.-]+://[^:/@]*):[^@]*@", r"\1@", url)
    base, mark, query = kept.partition("?")
    if not mark:
        return kept
    # libpq reads a parameter's name percent-decoded (%70assword is password); the key
    # file's passphrase (sslpassword) is a secret too
    params = [
        p
        for p in query.split("&")
        if p and unquote(p.partition("=")[0]).lower() not in SECRET_PARAMETERS
    ]
    return f"{base}?{'&'.join(params)}" if params else base


#: The URL parameters a replica never keeps (`without_password`).
SECRET_PARAMETERS = frozenset(("password", "sslpassword"))


@contextmanager
def translated(local: str, hub: str, secrets: tuple[str, ...]) -> Iterator[None]:
    """Driver errors as one line naming the side that raised them (`engine._translate_errors`)."""
    from coursetrack.errors import StoreError
    from coursetrack.store.engine import _driver_error, _explain, _is_postgres_error, mask

    try:
        yield
    except Exception as exc:
        orig = _driver_error(exc)
        if orig is None:
            raise
        if not _is_postgres_error(orig):
            raise StoreError(mask(_explain(local, orig), secrets)) from None
        raise StoreError(mask(_of_the_hub(_explain(hub, orig), hub), secrets)) from None


def as_the_hub(error: Exception, hub: str) -> Exception:
    """A `StoreError` about the hub, which it names "the store" (`open_store`'s words), as
    one about "the hub": a sync speaks of two stores."""
    from coursetrack.errors import StoreError

    if isinstance(error, StoreError):
        return StoreError(_of_the_hub(str(error), hub))
    return error


def _of_the_hub(text: str, hub: str) -> str:
    """An error's line in a sync's words: the hub named so, and where a password goes."""
    text = text.replace(f"the store {hub}", f"the hub {hub}")
    if NO_PASSWORD in text:  # the URL is kept without one: say where it goes
        text = text.split(NO_PASSWORD, 1)[0] + ASK_PASSWORD
    return text


#: libpq's reason when the server asks for a password and none was given, and what a sync
#: says instead: `sync URL` keeps the URL without its password (README: ~/.pgpass).
NO_PASSWORD = "fe_sendauth: no password supplied"
ASK_PASSWORD = (
    "it asks for a password, and sync keeps the URL without one: put it in ~/.pgpass, "
    "or in PGPASSWORD"
)
